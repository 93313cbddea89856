import type { SyncEvent, SyncSummary } from '@camdl/sync';
import { syncExitCode } from './exit-error.js';
import { formatBytes, formatDuration, formatSpeed, formatInstant } from './format.js';
import { lineFormatter, lineStampsOn } from './line-stamps.js';
import { escapeTerminal } from './terminal-text.js';

/** Control characters from a camera never reach the terminal. */
export const printable = escapeTerminal;

function tag(name: string): string {
  return name.padEnd(5);
}

export interface SyncRendererOptions {
  json: boolean;
  /** Live lines, one per active camera and target (a terminal and not --no-progress). */
  live: boolean;
  /** Only problems, and the summary only when something happened or is wrong (cron's MAILTO stays silent). @default false */
  quiet?: boolean | undefined;
  /** Each human line starts with the time it was printed (piped runs: cron mail, log files). @default the process's decision (`setLineStamps`) */
  timestamps?: boolean | undefined;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Clock for the line stamps and the ETA. @default Date.now */
  now?: () => number;
}

/** What a line is: progress (left out by --quiet) or a problem (always printed). */
export type LineKind = 'info' | 'problem';

export interface SyncRenderer {
  render(event: SyncEvent): void;
  /** A line of the command itself (interrupt notices, the next run's time). */
  say(text: string, kind?: LineKind): void;
  /** A warning or error line on stderr (a channel that failed, the run's own error), stamped like every line. */
  warn(text: string): void;
  close(): void;
}

/** One camera's downloads so far, for its live line and ETA. */
interface CameraProgress {
  done: number;
  total: number;
  /** Bytes to fetch in this run; undefined when the camera does not list sizes. */
  totalBytes: number | undefined;
  /** Bytes of the files finished in this run. */
  doneBytes: number;
  /** Bytes of the file being fetched. */
  currentBytes: number;
  startedAt: number;
}

/** Seconds left at the speed so far: by bytes when the camera lists sizes, else by files. */
function etaSeconds(progress: CameraProgress, now: number): number | undefined {
  const elapsed = (now - progress.startedAt) / 1000;
  if (elapsed < 1) return undefined;
  const fetched = progress.doneBytes + progress.currentBytes;
  if (progress.totalBytes !== undefined && fetched > 0) return Math.max(0, (progress.totalBytes - fetched) / (fetched / elapsed));
  if (progress.done > 0) return Math.max(0, ((progress.total - progress.done) * elapsed) / progress.done);
  return undefined;
}

function liveText(progress: CameraProgress, file: string, now: number, detail = ''): string {
  const eta = etaSeconds(progress, now);
  return `${progress.done + 1}/${progress.total} ${file}${detail}${eta === undefined ? '' : ` ETA ${formatDuration(eta)}`}`;
}

/** True when a run's summary says something happened or is wrong (what --quiet still reports). */
function eventful(summary: SyncSummary, dryRun: boolean): boolean {
  return (
    dryRun ||
    summary.interrupted ||
    summary.cameras.some((camera) => camera.status !== 'ok' || camera.downloaded > 0 || camera.failed > 0 || camera.lost > 0 || camera.deleted > 0 || camera.pending > 0) ||
    summary.copies.some((copy) => copy.uploaded > 0 || copy.repaired > 0 || copy.failed > 0 || copy.conflicts > 0 || copy.pending > 0 || copy.down !== undefined)
  );
}

/**
 * Renders sync events: NDJSON on stdout with `--json` (the other lines to stderr); otherwise plain,
 * greppable lines (quiet when nothing happens: cron), and on a terminal one live line per active
 * camera and per target receiving copies.
 */
export function createSyncRenderer(options: SyncRendererOptions): SyncRenderer {
  const human = options.json ? options.stderr : options.stdout;
  const now = options.now ?? Date.now;
  const lineOf = lineFormatter(options.timestamps ?? lineStampsOn(), now);
  const live = new Map<string, string>();
  let drawn = 0;
  let dryRun = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // `\r` first: a Ctrl+C echoed by the terminal leaves the cursor mid-line; moving up from there
  // and clearing would keep the start of the first live line on screen.
  const erase = (): void => {
    if (drawn > 0) options.stderr.write(`\r\u001b[${drawn}A\u001b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    timer = undefined;
    if (!options.live) return;
    erase();
    const columns = options.stderr.columns || 100;
    const lines = [...live.entries()].map(([name, text]) => `${name.padEnd(14)} ${text}`.slice(0, columns - 1));
    if (lines.length > 0) options.stderr.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const schedule = (): void => {
    if (options.live && timer === undefined) timer = setTimeout(draw, 100);
  };
  const write = (stream: NodeJS.WritableStream, text: string, kind: LineKind): void => {
    if (options.quiet && kind === 'info') return;
    if (options.live) erase();
    stream.write(lineOf(text));
    if (options.live) draw();
  };
  const say = (text: string, kind: LineKind = 'info'): void => write(human, text, kind);
  const problem = (text: string): void => say(text, 'problem');
  const setLive = (name: string, text: string | undefined): void => {
    if (!options.live) return;
    if (text === undefined) live.delete(name);
    else live.set(name, text);
    schedule();
  };
  const cameras = new Map<string, CameraProgress>();
  const uploads = new Map<string, { done: number; bytes: number }>();
  const fileName = (path: string): string => printable(path.split('/').pop() ?? '');
  return {
    say(text, kind = 'problem') {
      // The command's own notices (a Ctrl+C, SIGTERM) come right after the terminal echoed `^C`.
      if (options.live && drawn === 0 && kind === 'problem') options.stderr.write('\r');
      write(human, text, kind);
    },
    warn(text) {
      write(options.stderr, text, 'problem');
    },
    render(event) {
      // A run's last line also carries the exit code its outcome gives.
      if (options.json) options.stdout.write(`${JSON.stringify(event.type === 'run-done' ? { ...event, exitCode: syncExitCode(event.outcome) } : event)}\n`);
      switch (event.type) {
        case 'run-start':
          dryRun = event.dryRun;
          break;
        case 'camera-start':
          setLive(event.camera, 'listing…');
          break;
        case 'camera-busy':
          problem(`${tag('BUSY')} ${event.camera}: ${printable(event.message)}`);
          break;
        case 'camera-listed': {
          cameras.set(event.camera, { done: 0, total: event.toDownload, totalBytes: event.bytes, doneBytes: 0, currentBytes: 0, startedAt: now() });
          const outside = event.outsideWindow;
          const span = outside ? `${formatInstant(outside.firstMs)} .. ${formatInstant(outside.lastMs)}` : '';
          const outsideCount = outside ? `${outside.more ? 'more than ' : ''}${outside.count}` : '';
          if (outside && event.listed === 0) {
            // A camera whose clock is wrong looks empty in the window: say what it does hold.
            write(
              options.stderr,
              `${tag('WARN')} ${event.camera}: nothing on the camera in the window, but ${outsideCount} recording(s) outside it (${span}): check the camera's clock and since:/until:`,
              'problem',
            );
          }
          if (event.toDownload > 0 || options.live || dryRun) {
            say(
              `${tag('LIST')} ${event.camera}: ${event.listed} on the camera in the window, ${event.alreadyArchived} archived, ${event.toDownload} to fetch${event.bytes !== undefined && event.toDownload > 0 ? ` (${formatBytes(event.bytes)})` : ''}${outside ? `; ${outsideCount} outside the window (${span})` : ''}`,
            );
          }
          setLive(event.camera, `0/${event.toDownload}`);
          break;
        }
        case 'warning':
          write(options.stderr, `${tag('WARN')} ${event.camera}: ${printable(event.message)}`, 'problem');
          break;
        case 'planned':
          say(`${tag('PLAN')} ${event.camera}: ${printable(event.remoteName)} -> ${printable(event.path)}${event.size !== undefined ? ` (${event.size} bytes)` : ''}`);
          break;
        case 'file-start': {
          const progress = cameras.get(event.camera);
          if (progress) {
            progress.currentBytes = 0;
            setLive(event.camera, liveText(progress, fileName(event.path), now()));
          }
          break;
        }
        case 'file-progress': {
          const progress = cameras.get(event.camera);
          if (!progress) break;
          progress.currentBytes = event.bytes;
          const percent = event.total ? ` ${((event.bytes / event.total) * 100).toFixed(0)}%` : '';
          setLive(event.camera, liveText(progress, fileName(event.path), now(), `${percent} ${formatBytes(event.bytes)} ${formatSpeed(event.speed)}`));
          break;
        }
        case 'file-note':
          write(options.stderr, `${tag('INFO')} ${event.camera}: ${printable(event.path)}: ${printable(event.message)}`, 'info');
          break;
        case 'file-done': {
          const progress = cameras.get(event.camera);
          if (progress) {
            progress.done += 1;
            progress.doneBytes += event.size;
            progress.currentBytes = 0;
          }
          say(`${tag('SAVE')} ${printable(event.path)} (${event.size} bytes, sha256 ${event.sha256.slice(0, 12)}…)`);
          break;
        }
        case 'file-failed': {
          const progress = cameras.get(event.camera);
          if (progress) {
            progress.done += 1;
            progress.currentBytes = 0;
          }
          problem(`${tag('FAIL')} ${event.camera}: ${printable(event.remoteName)}: ${printable(event.error)}`);
          break;
        }
        case 'lost':
          problem(
            `${tag('LOST')} ${event.camera}: ${printable(event.remoteName)} (${formatInstant(event.startMs)} .. ${formatInstant(event.endMs)}) vanished from the camera before it was archived: ${event.reason === 'deleted' ? 'deleted (from the middle of what the camera holds)' : 'overwritten (it was the oldest the camera held)'}`,
          );
          break;
        case 'horizon':
          for (const channel of event.channels.filter((horizon) => horizon.atRisk)) {
            const eta = channel.etaMs === undefined ? '' : channel.etaMs <= 0 ? ', the oldest is due now' : `, the oldest in ${(channel.etaMs / 3_600_000).toFixed(1)} h`;
            problem(`${tag('RISK')} ${event.camera}: channel ${channel.channel}: ${channel.atRiskCount} recording(s) not archived yet will be overwritten on the camera soon${eta} (oldest pending ${formatInstant(channel.oldestPendingMs ?? Number.NaN)})`);
          }
          break;
        case 'deleted':
          say(`${tag('DEL')} ${event.camera}: ${printable(event.remoteName)} (archived as ${printable(event.path)})`);
          break;
        case 'delete-failed':
          problem(`${tag('FAIL')} ${event.camera}: delete ${printable(event.remoteName)}: ${printable(event.error)}`);
          break;
        case 'disk-full':
          problem(`${tag('FAIL')} ${printable(event.message)}`);
          break;
        case 'upload-start': {
          const target = uploads.get(event.target) ?? { done: 0, bytes: 0 };
          uploads.set(event.target, target);
          setLive(`> ${event.target}`, `${target.done} copies up (${formatBytes(target.bytes)}), uploading ${fileName(event.path)} (${formatBytes(event.size)})`);
          break;
        }
        case 'upload-done': {
          const target = uploads.get(event.target) ?? { done: 0, bytes: 0 };
          target.done += 1;
          target.bytes += event.size;
          uploads.set(event.target, target);
          setLive(`> ${event.target}`, `${target.done} copies up (${formatBytes(target.bytes)})`);
          say(`${tag('UP')} ${event.target}: ${printable(event.path)} (${event.size} bytes${event.status === 'uploaded' ? '' : `, ${event.status}`}${event.partsReused > 0 ? `, ${event.partsReused} parts already there` : ''})`);
          break;
        }
        case 'upload-failed':
          problem(`${tag('FAIL')} ${event.target}: ${printable(event.path)}: ${printable(event.error)}`);
          break;
        case 'upload-conflict':
          problem(`${tag('CONFLICT')} ${event.target}: ${printable(event.path)}: ${printable(event.message)}`);
          break;
        case 'repair':
          problem(
            event.what === 'copy'
              ? `${tag('REPAIR')} ${event.target}: ${printable(event.path)}: the copy was missing or changed; made again from the local file`
              : `${tag('REPAIR')} ${printable(event.path)}: the local file was damaged; restored from ${event.target}`,
          );
          break;
        case 'target-down':
          setLive(`> ${event.target}`, undefined);
          problem(`${tag('FAIL')} ${printable(event.message)}`);
          break;
        case 'upload-aborted':
          say(`${tag('INFO')} ${event.target}: ${printable(event.path)}: aborted an upload that can no longer finish`);
          break;
        case 'delete-held':
          say(`${tag('HELD')} ${event.camera}: ${event.count} recording(s) stay on the camera until ${event.targets.join(', ')} hold them verified`);
          break;
        case 'local-freed':
          say(`${tag('FREE')} ${printable(event.path)} (keep-local: every target holds it verified)`);
          break;
        case 'snapshot':
          if (!event.ok) problem(`${tag('FAIL')} ${event.target}: ledger snapshot: ${printable(event.error ?? 'failed')}`);
          break;
        case 'camera-done': {
          setLive(event.camera, undefined);
          const outcome = event.outcome;
          if (outcome.status === 'failed') problem(`${tag('FAIL')} ${event.camera}: ${printable(outcome.error ?? 'failed')}`);
          break;
        }
        case 'run-done': {
          if (timer) clearTimeout(timer);
          live.clear();
          draw();
          const summary = event.summary;
          if (options.quiet && !eventful(summary, dryRun)) break;
          for (const line of summaryLines(summary, dryRun)) problem(line);
          break;
        }
        default:
          break;
      }
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      erase();
    },
  };
}

/**
 * The summary: `Done. …` after a whole run, `Interrupted. …` after Ctrl+C or SIGTERM, and for a dry
 * run what a real run would do (`Dry run: would fetch 26 files (1.20 GiB)…`).
 */
function summaryLines(summary: SyncSummary, dryRun: boolean): string[] {
  const cameras = summary.cameras;
  const sum = (key: 'downloaded' | 'failed' | 'lost' | 'deleted' | 'pending' | 'bytes'): number => cameras.reduce((total, camera) => total + camera[key], 0);
  const bad = cameras.filter((camera) => camera.status !== 'ok').map((camera) => `${camera.camera} (${camera.status})`);
  const notOk = bad.length > 0 ? ` not-ok: ${bad.join(', ')}` : '';
  if (dryRun && summary.plan) {
    const plan = summary.plan;
    const problems = [sum('lost') > 0 ? `${sum('lost')} lost` : '', sum('failed') > 0 ? `${sum('failed')} failed` : ''].filter(Boolean).join(', ');
    return [
      `Dry run: ${plan.files === 0 ? 'nothing to fetch' : `would fetch ${plan.files} file(s)${plan.bytes !== undefined ? ` (${formatBytes(plan.bytes)})` : ''}`} from ${cameras.length} camera(s); nothing was downloaded or changed.${problems ? ` ${problems}.` : ''}${notOk}`,
      ...plan.copies.map((copy) => `Dry run: would upload ${copy.files} cop${copy.files === 1 ? 'y' : 'ies'} to ${copy.target}`),
    ];
  }
  const head = summary.interrupted ? 'Interrupted.' : 'Done.';
  const tail = summary.interrupted && sum('pending') > 0 ? ' (the next run fetches the rest)' : '';
  return [
    `${head} downloaded=${sum('downloaded')} (${formatBytes(sum('bytes'))}) failed=${sum('failed')} lost=${sum('lost')} deleted=${sum('deleted')} pending=${sum('pending')} cameras=${cameras.length}${notOk}${tail}`,
    ...summary.copies.map(
      (copy) =>
        `Copies on ${copy.target}: uploaded=${copy.uploaded} repaired=${copy.repaired} failed=${copy.failed} conflicts=${copy.conflicts} pending=${copy.pending}${copy.down !== undefined ? ' (target down in this run)' : ''}`,
    ),
  ];
}
