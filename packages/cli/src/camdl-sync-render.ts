import type { SyncEvent } from '@camdl/sync';
import { formatBytes, formatInstant, formatSpeed } from './format.js';
import { escapeTerminal } from './terminal-text.js';

/** Control characters from a camera never reach the terminal. */
export const printable = escapeTerminal;

function tag(name: string): string {
  return name.padEnd(5);
}

export interface SyncRendererOptions {
  json: boolean;
  /** Live lines, one per active camera (a terminal and not --no-progress). */
  live: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

interface LiveCamera {
  text: string;
}

/**
 * Renders sync events: NDJSON on stdout with `--json` (the other lines to stderr); otherwise plain,
 * greppable lines (quiet when nothing happens: cron), and on a terminal one live line per active camera.
 */
export function createSyncRenderer(options: SyncRendererOptions): { render(event: SyncEvent): void; close(): void; say(text: string): void } {
  const human = options.json ? options.stderr : options.stdout;
  const live = new Map<string, LiveCamera>();
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const erase = (): void => {
    if (drawn > 0) options.stderr.write(`\u001b[${drawn}A\u001b[0J`);
    drawn = 0;
  };
  const draw = (): void => {
    timer = undefined;
    if (!options.live) return;
    erase();
    const columns = options.stderr.columns || 100;
    const lines = [...live.entries()].map(([camera, state]) => `${camera.padEnd(14)} ${state.text}`.slice(0, columns - 1));
    if (lines.length > 0) options.stderr.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const schedule = (): void => {
    if (options.live && timer === undefined) timer = setTimeout(draw, 100);
  };
  const say = (text: string): void => {
    if (options.live) erase();
    human.write(`${text}\n`);
    if (options.live) draw();
  };
  const setLive = (camera: string, text: string | undefined): void => {
    if (!options.live) return;
    if (text === undefined) live.delete(camera);
    else live.set(camera, { text });
    schedule();
  };
  const counts = new Map<string, { done: number; total: number }>();
  return {
    say,
    render(event) {
      if (options.json) options.stdout.write(`${JSON.stringify(event)}\n`);
      switch (event.type) {
        case 'camera-start':
          setLive(event.camera, 'listing…');
          break;
        case 'camera-busy':
          say(`${tag('BUSY')} ${event.camera}: ${printable(event.message)}`);
          break;
        case 'camera-listed':
          counts.set(event.camera, { done: 0, total: event.toDownload });
          if (event.toDownload > 0 || options.live) {
            say(`${tag('LIST')} ${event.camera}: ${event.listed} on the camera in the window, ${event.alreadyArchived} archived, ${event.toDownload} to fetch${event.bytes !== undefined ? ` (${formatBytes(event.bytes)})` : ''}`);
          }
          setLive(event.camera, `0/${event.toDownload}`);
          break;
        case 'warning':
          if (!options.json) options.stderr.write(`${tag('WARN')} ${event.camera}: ${printable(event.message)}\n`);
          break;
        case 'planned':
          say(`${tag('PLAN')} ${event.camera}: ${printable(event.remoteName)} -> ${printable(event.path)}${event.size !== undefined ? ` (${event.size} bytes)` : ''}`);
          break;
        case 'file-start': {
          const count = counts.get(event.camera);
          setLive(event.camera, `${(count?.done ?? 0) + 1}/${count?.total ?? '?'} ${printable(event.path.split('/').pop() ?? '')}`);
          break;
        }
        case 'file-progress': {
          const count = counts.get(event.camera);
          const percent = event.total ? ` ${((event.bytes / event.total) * 100).toFixed(0)}%` : '';
          setLive(event.camera, `${(count?.done ?? 0) + 1}/${count?.total ?? '?'} ${printable(event.path.split('/').pop() ?? '')}${percent} ${formatBytes(event.bytes)} ${formatSpeed(event.speed)}`);
          break;
        }
        case 'file-note':
          if (!options.json) options.stderr.write(`${tag('INFO')} ${event.camera}: ${printable(event.path)}: ${printable(event.message)}\n`);
          break;
        case 'file-done': {
          const count = counts.get(event.camera);
          if (count) count.done += 1;
          say(`${tag('SAVE')} ${printable(event.path)} (${event.size} bytes, sha256 ${event.sha256.slice(0, 12)}…)`);
          break;
        }
        case 'file-failed':
          say(`${tag('FAIL')} ${event.camera}: ${printable(event.remoteName)}: ${printable(event.error)}`);
          break;
        case 'lost':
          say(
            `${tag('LOST')} ${event.camera}: ${printable(event.remoteName)} (${formatInstant(event.startMs)} .. ${formatInstant(event.endMs)}) vanished from the camera before it was archived: ${event.reason === 'deleted' ? 'deleted (from the middle of what the camera holds)' : 'overwritten (it was the oldest the camera held)'}`,
          );
          break;
        case 'horizon':
          for (const channel of event.channels.filter((horizon) => horizon.atRisk)) {
            const eta = channel.etaMs === undefined ? '' : channel.etaMs <= 0 ? ', the oldest is due now' : `, the oldest in ${(channel.etaMs / 3_600_000).toFixed(1)} h`;
            say(`${tag('RISK')} ${event.camera}: channel ${channel.channel}: ${channel.atRiskCount} recording(s) not archived yet will be overwritten on the camera soon${eta} (oldest pending ${formatInstant(channel.oldestPendingMs ?? Number.NaN)})`);
          }
          break;
        case 'deleted':
          say(`${tag('DEL')} ${event.camera}: ${printable(event.remoteName)} (archived as ${printable(event.path)})`);
          break;
        case 'delete-failed':
          say(`${tag('FAIL')} ${event.camera}: delete ${printable(event.remoteName)}: ${printable(event.error)}`);
          break;
        case 'disk-full':
          say(`${tag('FAIL')} ${printable(event.message)}`);
          break;
        case 'upload-done':
          say(`${tag('UP')} ${event.target}: ${printable(event.path)} (${event.size} bytes${event.status === 'uploaded' ? '' : `, ${event.status}`}${event.partsReused > 0 ? `, ${event.partsReused} parts already there` : ''})`);
          break;
        case 'upload-failed':
          say(`${tag('FAIL')} ${event.target}: ${printable(event.path)}: ${printable(event.error)}`);
          break;
        case 'upload-conflict':
          say(`${tag('CONFLICT')} ${event.target}: ${printable(event.path)}: ${printable(event.message)}`);
          break;
        case 'repair':
          say(
            event.what === 'copy'
              ? `${tag('REPAIR')} ${event.target}: ${printable(event.path)}: the copy was missing or changed; made again from the local file`
              : `${tag('REPAIR')} ${printable(event.path)}: the local file was damaged; restored from ${event.target}`,
          );
          break;
        case 'target-down':
          say(`${tag('FAIL')} ${printable(event.message)}`);
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
          if (!event.ok) say(`${tag('FAIL')} ${event.target}: ledger snapshot: ${printable(event.error ?? 'failed')}`);
          break;
        case 'camera-done': {
          setLive(event.camera, undefined);
          const outcome = event.outcome;
          if (outcome.status === 'failed') say(`${tag('FAIL')} ${event.camera}: ${printable(outcome.error ?? 'failed')}`);
          break;
        }
        case 'run-done': {
          if (timer) clearTimeout(timer);
          draw();
          const cameras = event.summary.cameras;
          const sum = (key: 'downloaded' | 'failed' | 'lost' | 'deleted' | 'pending' | 'bytes'): number => cameras.reduce((total, camera) => total + camera[key], 0);
          const bad = cameras.filter((camera) => camera.status !== 'ok').map((camera) => `${camera.camera} (${camera.status})`);
          say(
            `Done. downloaded=${sum('downloaded')} (${formatBytes(sum('bytes'))}) failed=${sum('failed')} lost=${sum('lost')} deleted=${sum('deleted')} pending=${sum('pending')} cameras=${cameras.length}${bad.length > 0 ? ` not-ok: ${bad.join(', ')}` : ''}`,
          );
          for (const copy of event.summary.copies) {
            say(`Copies on ${copy.target}: uploaded=${copy.uploaded} repaired=${copy.repaired} failed=${copy.failed} conflicts=${copy.conflicts} pending=${copy.pending}${copy.down !== undefined ? ' (target down in this run)' : ''}`);
          }
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
