import { AmcrestError } from './errors.js';
import type { RecordingItem } from './recording-item.js';

/** The record flags of the Dahua API (`condition.Flags[n]`, `items[n].Flags[n]`). */
export type RecordFlag = 'Timing' | 'Manual' | 'Marker' | 'Event' | 'Mosaic' | 'Cutout';
export const RECORD_FLAGS: readonly RecordFlag[] = ['Timing', 'Manual', 'Marker', 'Event', 'Mosaic', 'Cutout'];

/** The encoder streams a Dahua device records (`condition.VideoStream`, `items[n].VideoStream`). */
export type VideoStream = 'Main' | 'Extra1' | 'Extra2' | 'Extra3';
export const VIDEO_STREAMS: readonly VideoStream[] = ['Main', 'Extra1', 'Extra2', 'Extra3'];

/**
 * Event codes recordings carry (`items[n].Events[n]`), for spelling them the device's way whatever the
 * case typed; other codes made of letters and digits are sent as given (models add their own).
 */
export const KNOWN_EVENTS: readonly string[] = [
  'VideoMotion',
  'AlarmLocal',
  'VideoLoss',
  'VideoBlind',
  'VideoAbnormalDetection',
  'SmartMotionHuman',
  'SmartMotionVehicle',
  'CrossLineDetection',
  'CrossRegionDetection',
  'LeftDetection',
  'TakenAwayDetection',
  'SceneChange',
  'AudioMutation',
  'AudioAnomaly',
  'FaceDetection',
  'AlarmPIR',
];

/** What a search asks the device for besides the channel and the window. */
export interface SearchConditions {
  /** `condition.Types[n]`. */
  types: readonly string[];
  /** `condition.Flags[n]`: recordings carrying any of them. Empty: any. */
  flags: readonly RecordFlag[];
  /** `condition.Events[n]`: recordings carrying any of them. Empty: any. */
  events: readonly string[];
  /** `condition.VideoStream`, or undefined for every stream. */
  videoStream: VideoStream | undefined;
}

function invalid(message: string): AmcrestError {
  return new AmcrestError(message, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** `['event', 'Timing']` → `['Event', 'Timing']`; an unknown flag is `ERR_AMCREST_INVALID_OPTIONS`. */
export function normalizeRecordFlags(values: readonly string[]): RecordFlag[] {
  return unique(
    values.map((value) => {
      const flag = RECORD_FLAGS.find((known) => known.toLowerCase() === value.trim().toLowerCase());
      if (!flag) throw invalid(`unknown record flag ${JSON.stringify(value)} (expected ${RECORD_FLAGS.join(', ')})`);
      return flag;
    }),
  );
}

/** `['videomotion']` → `['VideoMotion']`; codes other than letters and digits are `ERR_AMCREST_INVALID_OPTIONS`. */
export function normalizeEvents(values: readonly string[]): string[] {
  return unique(
    values.map((value) => {
      const text = value.trim();
      const known = KNOWN_EVENTS.find((event) => event.toLowerCase() === text.toLowerCase());
      if (known) return known;
      if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(text)) throw invalid(`an event code is letters and digits (VideoMotion, AlarmLocal…), got ${JSON.stringify(value)}`);
      return text;
    }),
  );
}

/** `'extra1'` → `'Extra1'`; another name is `ERR_AMCREST_INVALID_OPTIONS`. */
export function normalizeVideoStream(value: string): VideoStream {
  const stream = VIDEO_STREAMS.find((known) => known.toLowerCase() === value.trim().toLowerCase());
  if (!stream) throw invalid(`unknown video stream ${JSON.stringify(value)} (expected ${VIDEO_STREAMS.map((name) => name.toLowerCase()).join(', ')})`);
  return stream;
}

/** The `condition.*` query parameters of a findFile (besides Channel, StartTime, EndTime), in the firmware's spelling. */
export function conditionParams(conditions: SearchConditions): Array<readonly [string, string]> {
  return [
    ...conditions.types.map((type, index) => [`condition.Types[${index}]`, type] as const),
    ...conditions.flags.map((flag, index) => [`condition.Flags[${index}]`, flag] as const),
    ...conditions.events.map((event, index) => [`condition.Events[${index}]`, event] as const),
    ...(conditions.videoStream ? [['condition.VideoStream', conditions.videoStream] as const] : []),
  ];
}

/** The stream an item reports (`VideoStream=`), when it does. */
export function itemVideoStream(item: Pick<RecordingItem, 'raw'>): string | undefined {
  const value = item.raw['VideoStream'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Whether a listed item is one the search asked for, checked here because devices ignore conditions
 * (a recorder listing Main and Extra1 whatever `VideoStream` says) or refuse them (then the search ran
 * without). An item of another stream is `other-stream`: the same time is never downloaded twice.
 * An item without Events/Flags fields is kept when the device applied the condition itself
 * (`deviceFiltered`), and left out when it did not (nothing says it matches).
 */
export function matchConditions(
  item: Pick<RecordingItem, 'raw' | 'events' | 'flags'>,
  conditions: Omit<SearchConditions, 'types'>,
  deviceFiltered: boolean,
): 'match' | 'other-stream' | 'not-matching' {
  const stream = itemVideoStream(item);
  if (conditions.videoStream !== undefined && stream !== undefined && stream.toLowerCase() !== conditions.videoStream.toLowerCase()) return 'other-stream';
  const anyOf = (have: readonly string[], wanted: readonly string[]): boolean => {
    if (wanted.length === 0) return true;
    if (have.length === 0) return deviceFiltered;
    const lower = new Set(have.map((value) => value.toLowerCase()));
    return wanted.some((value) => lower.has(value.toLowerCase()));
  };
  if (!anyOf(item.flags, conditions.flags) || !anyOf(item.events, conditions.events)) return 'not-matching';
  return 'match';
}
