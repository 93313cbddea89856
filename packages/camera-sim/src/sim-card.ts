import { toWallClock } from './camera-time.js';
import { buildArchives, buildRecordings, type BodySource, type SimArchive, type SimRecording } from './content.js';
import { CameraSimError } from './errors.js';

/**
 * A storage card that fills and wraps (amcrest and Timelapse profiles): as the card's clock
 * advances, a new recording appears every `recordEveryMs`; when the card is over its capacity the
 * oldest recordings are removed (an Amcrest/Dahua card overwriting), and a Timelapse app deletes
 * archives older than `retentionMs`. The card catches up with its clock at every request (no timer:
 * tests advance an injected clock).
 */
export interface SimCardOptions {
  /** Card size in bytes: the oldest go while the recordings together are larger. @default undefined (only `capacityRecordings`) */
  capacityBytes?: number;
  /** Most recordings the card holds. @default undefined (only `capacityBytes`) */
  capacityRecordings?: number;
  /** A new recording every this many ms of the card's clock; 0: none. @default 0 */
  recordEveryMs?: number;
  /** Each new recording's nominal length in ms. @default recordEveryMs */
  recordingMs?: number;
  /** Each new recording's byte size (synthetic content). @default 65536 */
  recordingBytes?: number;
  /** Timelapse: archives whose first frame is older than this are deleted. @default undefined (none) */
  retentionMs?: number;
  /** Amcrest: the channel of new recordings (1-based). @default 1 */
  channel?: number;
  /** Timelapse: the name of new archives, before `_YYYY_MM_DD_HHMM`. @default 'Card' */
  archivePrefix?: string;
  /** The card's clock (ms since the epoch). @default the simulator's `now` */
  now?: () => number;
}

/** The live card of a running simulator. */
export interface SimCard {
  /** Card size in bytes (`capacityBytes`, else `capacityRecordings` × `recordingBytes`). */
  readonly totalBytes: number;
  /** The recordings on the card together. */
  readonly usedBytes: number;
  /** Records and overwrites up to the card's clock now (what every request does first). */
  catchUp(): Promise<void>;
}

interface Entries {
  kind: 'amcrest' | 'timelapse';
  /** The profile's own array (changed in place). */
  recordings: Array<{ recording: SimRecording; source: BodySource }>;
  archives: Array<{ archive: SimArchive; source: BodySource }>;
  flavour: 'v1' | 'v3' | 'me';
  timeZone: string;
  cacheDir: string;
  /** Keeps the simulator's sha256 lookup in step. */
  onAdded: (key: string, source: BodySource) => void;
  onRemoved: (key: string) => void;
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw new CameraSimError(`card.${name} must be a whole number ≥ ${min}, got ${String(value)}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { [name]: value } });
  }
}

/** Starts a card over the profile's entries (the initial content is what it holds at first). */
export function createSimCard(options: SimCardOptions, entries: Entries, defaultNow: () => number): SimCard {
  checkCount('capacityBytes', options.capacityBytes, 1);
  checkCount('capacityRecordings', options.capacityRecordings, 1);
  checkCount('recordEveryMs', options.recordEveryMs, 0);
  checkCount('recordingBytes', options.recordingBytes, 1);
  const now = options.now ?? defaultNow;
  const every = options.recordEveryMs ?? 0;
  const length = options.recordingMs ?? every;
  const size = options.recordingBytes ?? 65_536;
  const totalBytes = options.capacityBytes ?? (options.capacityRecordings ?? 0) * size;
  const items = (): Array<{ key: string; startMs: number; size: number }> =>
    entries.kind === 'amcrest'
      ? entries.recordings.map(({ recording }) => ({ key: recording.filePath, startMs: recording.startMs, size: recording.size }))
      : entries.archives.map(({ archive }) => ({ key: archive.filename, startMs: archive.first, size: archive.size }));
  const latestEnd = (): number =>
    Math.max(
      Number.NEGATIVE_INFINITY,
      ...(entries.kind === 'amcrest' ? entries.recordings.map(({ recording }) => recording.endMs) : entries.archives.map(({ archive }) => archive.first + length)),
    );
  let next = Number.isFinite(latestEnd()) ? latestEnd() : now();
  let chain: Promise<void> = Promise.resolve();

  const remove = (key: string): void => {
    if (entries.kind === 'amcrest') entries.recordings.splice(entries.recordings.findIndex(({ recording }) => recording.filePath === key), 1);
    else entries.archives.splice(entries.archives.findIndex(({ archive }) => archive.filename === key), 1);
    entries.onRemoved(key);
  };
  const record = async (startMs: number): Promise<void> => {
    if (entries.kind === 'amcrest') {
      const [built] = await buildRecordings({ recordings: [{ start: startMs, end: startMs + length, content: 'synthetic', size, channel: options.channel ?? 1 }] }, entries.timeZone, entries.cacheDir);
      entries.recordings.push(built!);
      entries.onAdded(built!.recording.filePath, built!.source);
    } else {
      const stamp = toWallClock(startMs, entries.timeZone).replace(/[-: ]/g, '_').slice(0, 16).replace(/_(\d\d)_(\d\d)$/, '_$1$2');
      const [built] = await buildArchives({ archives: [{ filename: `${options.archivePrefix ?? 'Card'}_${stamp}`, content: 'synthetic', size, first: startMs }] }, entries.flavour, entries.cacheDir);
      entries.archives.push(built!);
      entries.onAdded(built!.archive.filename, built!.source);
    }
  };
  const wrap = (at: number): void => {
    if (options.retentionMs !== undefined) for (const item of items()) if (item.startMs < at - options.retentionMs) remove(item.key);
    for (;;) {
      const held = items().sort((a, b) => a.startMs - b.startMs);
      const used = held.reduce((sum, item) => sum + item.size, 0);
      const over = (options.capacityBytes !== undefined && used > options.capacityBytes) || (options.capacityRecordings !== undefined && held.length > options.capacityRecordings);
      if (!over || held.length === 0) return;
      remove(held[0]!.key);
    }
  };
  const catchUp = async (): Promise<void> => {
    const at = now();
    while (every > 0 && next + length <= at) {
      await record(next);
      next += every;
      wrap(next);
    }
    wrap(at);
  };
  wrap(now());
  return {
    totalBytes,
    get usedBytes() {
      return items().reduce((sum, item) => sum + item.size, 0);
    },
    catchUp() {
      chain = chain.then(catchUp);
      return chain;
    },
  };
}
