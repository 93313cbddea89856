import type { MonitorEvent } from '@camdl/sync';
import { writeLines } from './line-stamps.js';
import { escapeTerminal } from './terminal-text.js';

/**
 * Renders what the monitoring around a run did. A channel or textfile that failed is a warning on
 * stderr (cron mails it; it never changes the exit code); alerts sent are one line each on the human
 * stream; with `--json` every event is also one NDJSON line on stdout.
 */
export function renderMonitorEvent(
  event: MonitorEvent,
  options: {
    json: boolean;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    showAlerts?: boolean;
    /** Prints an alert line the way the command prints its own lines (time stamp, live lines). @default a human line on the human stream */
    say?: ((text: string) => void) | undefined;
    /** Prints a warning the way the command prints its own (time stamp, live lines). @default a human line on stderr */
    warn?: ((text: string) => void) | undefined;
  },
): void {
  // A command that prints its own findings (verify) shows only what went wrong with the channels.
  if (event.type === 'alert' && options.showAlerts === false) return;
  if (options.json) options.stdout.write(`${JSON.stringify(event)}\n`);
  const human = options.json ? options.stderr : options.stdout;
  const say = options.say ?? ((text: string) => writeLines(human, text));
  const warn = options.warn ?? ((text: string) => writeLines(options.stderr, text));
  switch (event.type) {
    case 'alert':
      say(`ALERT ${event.notice.event} ${event.notice.kind}${event.notice.subject ? ` ${escapeTerminal(event.notice.subject)}` : ''}: ${escapeTerminal(event.notice.message)}`);
      break;
    case 'notify-failed':
      warn(`camdl: warning: notify ${escapeTerminal(event.channel)} failed: ${escapeTerminal(event.reason)} (retried on the next run; the archive is not affected)`);
      break;
    case 'metrics-failed':
      warn(`camdl: warning: metrics textfile ${escapeTerminal(event.path)} not written: ${escapeTerminal(event.reason)}`);
      break;
    case 'alert-state-failed':
      warn(`camdl: warning: alert state not kept (the ledger cannot be opened): ${escapeTerminal(event.reason)}`);
      break;
    case 'notify-sent':
    case 'metrics-written':
      break;
  }
}
