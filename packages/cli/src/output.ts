import type { Ora } from 'ora';
import type createSpinner from 'ora';
import { lineFormatter, lineStampsOn } from './line-stamps.js';

/** The seed tools' line tags, padded to six columns: `GET   url`. */
export type LineTag = 'GET' | 'SAVE' | 'SKIP' | 'INFO' | 'FAIL' | 'WARN' | 'LIST' | 'DEL' | 'PLAN';

export interface OutputOptions {
  /** `--json`: one JSON object per line on stdout, human lines go to stderr. */
  json: boolean;
  /** Show a live progress display (only ever on a TTY). */
  progress: boolean;
  /** Where lines (or NDJSON) go. @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** Where warnings, errors and the progress display go. @default process.stderr */
  stderr?: NodeJS.WriteStream;
  /** Read for `NO_COLOR`, `TERM=dumb` and `CI` (no live progress display). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Each human line (stdout and stderr, not the JSON) starts with the time. @default the process's decision (`setLineStamps`: `camdl` only) */
  timestamps?: boolean | undefined;
  /** Clock of the stamps. @default Date.now */
  now?: () => number;
}

/**
 * Everything a CLI prints goes through here: seed-compatible lines for humans and pipes, NDJSON for
 * scripts, and one live progress line (ora) on a terminal that never mixes with the lines.
 */
export interface Output {
  readonly json: boolean;
  readonly interactive: boolean;
  line(tag: LineTag, text: string): void;
  /** An untagged line (the `Done.` summary, listings). */
  text(text: string): void;
  /** A JSON event (only printed with `--json`). */
  event(record: Record<string, unknown>): void;
  /** Warnings and errors: always stderr. */
  warn(text: string): void;
  /** Sets the live progress text (no-op when not interactive). */
  progress(text: string): void;
  /** Removes the live progress line. */
  clearProgress(): void;
}

export function createOutput(options: OutputOptions): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  // A terminal of width 0 (some pseudo-terminals) would make the spinner redraw endlessly.
  const interactive = options.progress && Boolean(stderr.isTTY) && (stderr.columns ?? 0) > 0 && env['TERM'] !== 'dumb' && !env['CI'];
  const humanStream = options.json ? stderr : stdout;
  const human = lineFormatter(options.timestamps ?? lineStampsOn(), options.now);
  let spinner: Ora | undefined;
  // ora is loaded only when a live progress line is possible, so `--help` and piped runs skip it.
  let loadOra: Promise<typeof createSpinner> | undefined;
  let latestText = '';

  const withSpinnerPaused = (write: () => void): void => {
    if (spinner?.isSpinning) {
      const text = spinner.text;
      spinner.clear();
      write();
      spinner.text = text;
      spinner.render();
    } else {
      write();
    }
  };

  return {
    json: options.json,
    interactive,
    line(tag, text) {
      withSpinnerPaused(() => humanStream.write(human(`${tag.padEnd(5)} ${text}`)));
    },
    text(text) {
      withSpinnerPaused(() => humanStream.write(human(text)));
    },
    event(record) {
      if (options.json) withSpinnerPaused(() => stdout.write(`${JSON.stringify(record)}\n`));
    },
    warn(text) {
      withSpinnerPaused(() => stderr.write(human(text)));
    },
    progress(text) {
      if (!interactive) return;
      latestText = text;
      if (spinner) {
        spinner.text = text;
        return;
      }
      loadOra ??= import('ora').then((module) => module.default);
      void loadOra.then((ora) => {
        if (spinner || latestText === '') return;
        spinner = ora({ text: latestText, stream: stderr, isEnabled: true, discardStdin: false, color: env['NO_COLOR'] ? false : 'cyan' }).start();
      });
    },
    clearProgress() {
      latestText = '';
      if (spinner) {
        spinner.stop();
        spinner = undefined;
      }
    },
  };
}
