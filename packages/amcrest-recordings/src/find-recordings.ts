import { createHash } from 'node:crypto';
import {
  assertTimeOrder,
  assertTimeZone,
  cameraTimeCandidates,
  cameraTimeToInstant,
  cameraWindowForInstants,
  instantToCameraTime,
  offsetFromCameraClock,
  parseTimeInput,
  wallClockToMs,
  type CameraTimeModel,
  type TimeInput,
} from './camera-time.js';
import type { AmcrestClient } from './client.js';
import { AmcrestError, isAmcrestError, type AmcrestErrorCode } from './errors.js';

/** Answers to `getCurrentTime` meaning "no clock for you" rather than a broken camera or login. */
const CLOCK_UNAVAILABLE: ReadonlySet<AmcrestErrorCode> = new Set([
  'ERR_AMCREST_NOT_IMPLEMENTED',
  'ERR_AMCREST_BAD_REQUEST',
  'ERR_AMCREST_INVALID_AUTHORITY',
  'ERR_AMCREST_HTTP_STATUS',
  'ERR_AMCREST_BAD_RESPONSE',
]);
import { fileKindOf, isTemporaryItem, type FileKind, type RecordingItem } from './recording-item.js';
import { matchConditions, normalizeEvents, normalizeRecordFlags, normalizeVideoStream } from './search-conditions.js';

/** A recording to download: the camera's item plus real instants and a safe local file name. */
export interface Recording extends RecordingItem {
  /** `mp4` or `dav` (by the path's extension); `jpg` for a snapshot (`findRecordings({ snapshots: true })`). */
  kind: 'mp4' | 'dav' | 'jpg';
  /** The channel searched (the item's own `Channel` is often 0). */
  searchChannel: number;
  /** Real start instant. */
  start: Date;
  /** Real end instant (`start + Duration` when the camera reports a duration). */
  end: Date;
  /** Seconds between `start` and `end`. */
  durationSeconds: number;
  /** Bytes (`Length`), when reported. */
  size: number | undefined;
  /** Deterministic, filesystem-safe name, e.g. `2026-01-16_20.00.00-20.08.00_ch1.mp4`. */
  fileName: string;
}

/** A listed item that will not be downloaded, and why. */
export interface SkippedItem {
  item: RecordingItem;
  /**
   * `other-stream`: the item says it is another `VideoStream` than the one asked (the same time is never
   * downloaded twice); `not-matching`: it carries none of the flags/events asked.
   */
  reason: Exclude<FileKind, 'mp4' | 'dav'> | 'video' | 'outside-range' | 'duplicate' | 'other-stream' | 'not-matching';
}

export interface FindRecordingsOptions {
  /**
   * ISO 8601 start. Without an offset it is camera wall-clock time, sent as is; with `Z` or an offset
   * it is an instant, converted to camera time (see `cameraTimeZone`). A `Date` is an instant.
   */
  start: string | Date;
  /** ISO 8601 end, like `start`. */
  end: string | Date;
  /** @default 1 */
  channel?: number;
  /**
   * The camera's IANA time zone, e.g. `America/New_York` (DST-aware). Without it the camera's offset is
   * measured once from `getCurrentTime` against the local clock (rounded to 15 min).
   * @default undefined
   */
  cameraTimeZone?: string;
  /** A time model to use as is (wins over `cameraTimeZone`; skips the clock measurement). @default undefined */
  timeModel?: CameraTimeModel;
  /**
   * `condition.Types`. When not given: `['mp4']` (the seed's query), and when that finds no video in the
   * window, once more with `['dav']` (recorders store `.dav` and list none of it for `mp4`); `['jpg']`
   * with `snapshots`.
   * @default undefined
   */
  types?: string[];
  /** `condition.Flags` (`Event`, `Timing`, `Manual`, `Marker`): recordings carrying any of them. @default [] (any) */
  flags?: readonly string[];
  /** `condition.Events` (`VideoMotion`, `AlarmLocal`…): recordings of any of these events. @default [] (any) */
  events?: readonly string[];
  /**
   * `condition.VideoStream`: `Main` or `Extra1`… (case-insensitive). Items of another stream are skipped
   * even when the device ignores the condition, so the same time is never listed twice; `'any'` sends no
   * condition and keeps every stream.
   * @default 'Main'
   */
  videoStream?: string;
  /** List the window's `.jpg` snapshots (kind `jpg`) instead of its videos. @default false */
  snapshots?: boolean;
  /**
   * Reads at most this many items of the camera's listing, then closes the search: enough to say what a
   * camera holds without reading a whole recorder's disk. The result then covers only the start of the
   * window (`complete` is false).
   * @default undefined (the whole window)
   */
  maxItems?: number;
  /** @default undefined */
  signal?: AbortSignal;
  /** Local clock for the offset measurement, ms since the epoch. Injectable for tests. @default Date.now */
  now?: () => number;
  /** @default undefined */
  onWarning?: (message: string) => void;
}

export interface FindRecordingsResult {
  /** Recordings to download, in chronological order. */
  recordings: Recording[];
  /** Listed but not downloaded: snapshots, files still being recorded, other occurrences of a repeated hour... */
  skipped: SkippedItem[];
  /** The camera-time window searched. */
  window: { start: string; end: string };
  /** How camera times were converted. */
  timeModel: CameraTimeModel;
  /** The parsed inputs. */
  input: { start: TimeInput; end: TimeInput };
  /** The requested range as instants. */
  range: { start: Date; end: Date };
  /** False when `maxItems` stopped the search (it may have stopped at the window's last item). */
  complete: boolean;
}

/** A finished `.mp4`/`.dav` recording (not a snapshot, not a file still being written). */
function isVideoItem(item: RecordingItem): boolean {
  const kind = fileKindOf(item.filePath);
  return (kind === 'mp4' || kind === 'dav') && !isTemporaryItem(item);
}

function toInput(value: string | Date, round: 'floor' | 'ceil'): TimeInput {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new AmcrestError('invalid Date', { code: 'ERR_AMCREST_INVALID_TIME' });
    return { kind: 'instant', instant: value };
  }
  return parseTimeInput(value, round);
}

/** Measures the camera's UTC offset from its clock: one `getCurrentTime`, halfway between two local readings. */
export async function measureCameraTimeModel(
  client: AmcrestClient,
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<Extract<CameraTimeModel, { kind: 'offset' }>> {
  const now = options.now ?? Date.now;
  const before = now();
  const cameraTime = await client.getCurrentTime(options.signal ? { signal: options.signal } : {});
  const after = now();
  return offsetFromCameraClock(cameraTime, new Date((before + after) / 2));
}

function safePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** `2026-01-16_20.00.00-20.08.00_ch1.mp4` (a snapshot: `2026-01-16_20.05.00_ch1.jpg`), from the camera's wall-clock times. */
export function recordingFileName(item: Pick<RecordingItem, 'startTime' | 'endTime'>, channel: number, kind: Recording['kind']): string {
  const day = item.startTime.slice(0, 10);
  const from = item.startTime.slice(11).replaceAll(':', '.');
  if (kind === 'jpg') return safePart(`${day}_${from}_ch${channel}.jpg`);
  const endDay = item.endTime.slice(0, 10);
  const to = (endDay === day ? '' : `${endDay}_`) + item.endTime.slice(11).replaceAll(':', '.');
  return safePart(`${day}_${from}-${to}_ch${channel}.${kind}`);
}

/**
 * Gives each listed item its instants. Model (documented in the README): the camera lists files in
 * recording order. A start time in the repeated autumn hour has two candidate instants; take the
 * earliest not before the previous file's start — or the earlier one when the file's own EndTime is
 * before its StartTime (it spans the fall-back). A start time in the skipped spring hour is read with
 * the offset before the jump. The end is `start + Duration` (wall-clock differences lie across a DST
 * change); without a Duration the EndTime is converted, never before the start. An item's own
 * `UTCOffset` wins over the model.
 */
export function resolveInstants(items: readonly RecordingItem[], model: CameraTimeModel): Array<{ start: Date; end: Date }> {
  let previousStart: number | undefined;
  return items.map((item) => {
    if (item.utcOffsetSeconds !== undefined) {
      // The camera's own offset for this item wins over any model (measured or given): it also
      // settles the repeated autumn hour.
      const offsetMs = item.utcOffsetSeconds * 1000;
      const start = new Date(wallClockToMs(item.startTime) - offsetMs);
      const wallEnd = wallClockToMs(item.endTime) - offsetMs;
      const end = new Date(item.duration !== undefined ? start.getTime() + item.duration * 1000 : Math.max(start.getTime(), wallEnd));
      previousStart = start.getTime();
      return { start, end };
    }
    const candidates = cameraTimeCandidates(item.startTime, model);
    let start: Date;
    if (candidates.length <= 1) {
      start = candidates[0] ?? cameraTimeToInstant(item.startTime, model);
    } else if (wallClockToMs(item.endTime) < wallClockToMs(item.startTime)) {
      start = candidates[0] as Date;
    } else {
      const floor = previousStart ?? Number.NEGATIVE_INFINITY;
      start = candidates.find((candidate) => candidate.getTime() >= floor - 1000) ?? (candidates[candidates.length - 1] as Date);
    }
    let end: Date;
    if (item.duration !== undefined) {
      end = new Date(start.getTime() + item.duration * 1000);
    } else {
      const endCandidates = cameraTimeCandidates(item.endTime, model);
      const after = endCandidates.find((candidate) => candidate.getTime() >= start.getTime());
      end = after ?? new Date(Math.max(start.getTime(), cameraTimeToInstant(item.endTime, model, 'later').getTime()));
    }
    previousStart = start.getTime();
    return { start, end };
  });
}

/**
 * Finds the recordings to download in a time range: resolves the time model, searches the camera
 * (closing the search object whatever happens) with the flags, events and stream asked, keeps
 * `.mp4`/`.dav` files (`.jpg` snapshots with `snapshots`) of that stream carrying those flags/events
 * (checked here too: devices ignore or refuse conditions), drops files still being recorded and, for
 * instant ranges, the other occurrence of a repeated DST hour; returns them in chronological order with
 * instants and safe local names.
 */
export async function findRecordings(client: AmcrestClient, options: FindRecordingsOptions): Promise<FindRecordingsResult> {
  const channel = options.channel ?? 1;
  if (!Number.isInteger(channel) || channel < 0) {
    throw new AmcrestError(`channel must be a non-negative integer, got ${channel}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  // Checked before anything is asked of the camera.
  const snapshots = options.snapshots === true;
  const wanted = {
    flags: normalizeRecordFlags(options.flags ?? []),
    events: normalizeEvents(options.events ?? []),
    videoStream: options.videoStream?.trim().toLowerCase() === 'any' ? undefined : normalizeVideoStream(options.videoStream ?? 'Main'),
  };
  const startInput = toInput(options.start, 'floor');
  const endInput = toInput(options.end, 'ceil');
  assertTimeOrder(startInput, endInput);
  if (options.cameraTimeZone !== undefined) assertTimeZone(options.cameraTimeZone);
  const maxItems = options.maxItems;
  if (maxItems !== undefined && (!Number.isSafeInteger(maxItems) || maxItems < 1)) {
    throw new AmcrestError(`maxItems must be a positive integer, got ${maxItems}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  const measure = async (): Promise<CameraTimeModel> => {
    try {
      return await measureCameraTimeModel(client, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    } catch (error) {
      // Wall-clock inputs are sent as they are: the clock only gives the results their instants. A
      // model without getCurrentTime (or a user without the right) must not stop the search then.
      const wallClockOnly = startInput.kind === 'wall-clock' && endInput.kind === 'wall-clock';
      if (!wallClockOnly || !isAmcrestError(error) || !CLOCK_UNAVAILABLE.has(error.code)) throw error;
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      options.onWarning?.(`could not read the camera clock (${error.code}); instants assume the camera is in this computer's zone ${timeZone} (pass --camera-tz)`);
      return { kind: 'zone', timeZone };
    }
  };
  const timeModel: CameraTimeModel =
    options.timeModel ?? (options.cameraTimeZone !== undefined ? { kind: 'zone', timeZone: options.cameraTimeZone } : await measure());

  const range = {
    start: startInput.kind === 'instant' ? startInput.instant : cameraTimeToInstant(startInput.wallClock, timeModel, 'earlier'),
    end: endInput.kind === 'instant' ? endInput.instant : cameraTimeToInstant(endInput.wallClock, timeModel, 'later'),
  };
  let window: { start: string; end: string };
  if (startInput.kind === 'instant' && endInput.kind === 'instant') {
    window = cameraWindowForInstants(startInput.instant, endInput.instant, timeModel);
  } else {
    window = {
      start: startInput.kind === 'wall-clock' ? startInput.wallClock : instantToCameraTime(startInput.instant, timeModel),
      end: endInput.kind === 'wall-clock' ? endInput.wallClock : instantToCameraTime(endInput.instant, timeModel),
    };
  }
  if (wallClockToMs(window.end) <= wallClockToMs(window.start) && range.end.getTime() <= range.start.getTime()) {
    throw new AmcrestError(`end (${window.end}) must be after start (${window.start})`, { code: 'ERR_AMCREST_INVALID_TIME' });
  }

  let deviceFiltered = true;
  // The device refused `condition.Types` and listed every type (or nothing at all): a dav search adds nothing.
  let typesDropped = false;
  const search = async (types: string[]): Promise<RecordingItem[]> => {
    const found: RecordingItem[] = [];
    for await (const item of client.searchRecordings({
      start: window.start,
      end: window.end,
      channel,
      types,
      flags: wanted.flags,
      events: wanted.events,
      ...(wanted.videoStream ? { videoStream: wanted.videoStream } : {}),
      onConditionsDropped: (dropped) => {
        if (dropped.some((key) => key.startsWith('condition.Types['))) typesDropped = true;
        if (dropped.some((key) => !key.startsWith('condition.Types['))) deviceFiltered = false;
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    })) {
      found.push(item);
      // Leaving the loop ends the client's search, which closes and destroys the search object.
      if (maxItems !== undefined && found.length >= maxItems) break;
    }
    return found;
  };
  let items = await search(options.types ?? (snapshots ? ['jpg'] : ['mp4']));
  if (options.types === undefined && !snapshots && !typesDropped && !items.some(isVideoItem)) {
    // A recorder (NVR/XVR) stores `.dav` and lists none of it for `Types[0]=mp4`: ask once more.
    const davItems = await search(['dav']);
    if (davItems.some(isVideoItem)) {
      options.onWarning?.(`no .mp4 recordings on channel ${channel} in the window; found .dav recordings (a recorder's format) and took those (types dav searches for them directly)`);
      items = davItems;
    }
  }

  const skipped: SkippedItem[] = [];
  const candidates: RecordingItem[] = [];
  const seenPaths = new Set<string>();
  for (const item of items) {
    // `FileState=Temporary`: still being written, although the path may already say `.mp4`.
    const kind = isTemporaryItem(item) ? 'in-progress' : fileKindOf(item.filePath);
    const wantedKind = snapshots ? kind === 'snapshot' : kind === 'mp4' || kind === 'dav';
    const matched = wantedKind ? matchConditions(item, wanted, deviceFiltered) : 'match';
    if (!wantedKind) {
      skipped.push({ item, reason: snapshots && (kind === 'mp4' || kind === 'dav') ? 'video' : (kind as Exclude<FileKind, 'mp4' | 'dav'>) });
    } else if (matched !== 'match') {
      skipped.push({ item, reason: matched });
    } else if (seenPaths.has(item.filePath)) {
      skipped.push({ item, reason: 'duplicate' });
    } else {
      seenPaths.add(item.filePath);
      candidates.push(item);
    }
  }
  const instants = resolveInstants(candidates, timeModel);
  const filterByInstant = startInput.kind === 'instant' || endInput.kind === 'instant';
  let recordings: Recording[] = [];
  candidates.forEach((item, index) => {
    const { start, end } = instants[index] as { start: Date; end: Date };
    if (filterByInstant && !(end.getTime() > range.start.getTime() && start.getTime() < range.end.getTime())) {
      skipped.push({ item, reason: 'outside-range' });
      return;
    }
    const fileKind = fileKindOf(item.filePath);
    const kind: Recording['kind'] = fileKind === 'snapshot' ? 'jpg' : (fileKind as 'mp4' | 'dav');
    recordings.push({
      ...item,
      kind,
      searchChannel: channel,
      start,
      end,
      durationSeconds: Math.max(0, (end.getTime() - start.getTime()) / 1000),
      size: item.length,
      fileName: recordingFileName(item, channel, kind),
    });
  });
  recordings = recordings
    .map((recording, order) => ({ recording, order }))
    .sort((a, b) => a.recording.start.getTime() - b.recording.start.getTime() || a.order - b.order)
    .map(({ recording }) => recording);
  // Two files with the same wall-clock label (the repeated autumn hour): the path tells them apart.
  const byName = new Map<string, Recording[]>();
  for (const recording of recordings) byName.set(recording.fileName, [...(byName.get(recording.fileName) ?? []), recording]);
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    for (const recording of group) {
      const hash = createHash('sha256').update(recording.filePath).digest('hex').slice(0, 8);
      recording.fileName = recording.fileName.replace(/\.(mp4|dav|jpg)$/, `_${hash}.$1`);
    }
  }
  // A listing cut at exactly `maxItems` may have had nothing more: said incomplete all the same.
  const complete = maxItems === undefined || items.length < maxItems;
  return { recordings, skipped, window, timeModel, input: { start: startInput, end: endInput }, range, complete };
}
