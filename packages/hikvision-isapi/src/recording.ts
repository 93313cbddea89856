import { fromIsapiTime, type ClockModel, type WallClock } from './device-clock.js';
import { PLAUSIBLE_DURATION_MAX_SECONDS, PLAUSIBLE_SIZE_MAX, child, childText, isPlausibleSize, isPlausibleTimeMs, type XmlElement } from '@camdl/internal';

/** One recording a search found. Everything in it came from the device: untrusted, checked here. */
export interface HikvisionRecording {
  /** The channel searched (1-based). */
  channel: number;
  /** `trackID` of the item (channel × 100 + 1 for the main stream). */
  trackId: number;
  /**
   * `playbackURI` exactly as the device sent it (XML-decoded once): it goes back verbatim in the
   * download request. An `rtsp://` address of the recorder: never connected to.
   */
  playbackUri: string;
  /** `name` of the segment (also in the URI), when given. */
  name: string | undefined;
  /** The `size=` of the playbackURI in bytes: what the download must measure. Undefined when absent. */
  size: number | undefined;
  /** `timeSpan/startTime` and `endTime` as the device wrote them. */
  startTime: string;
  endTime: string;
  /** The instants they stand for (the clock model decides what their `Z` means). */
  start: Date;
  end: Date;
  /** The recorder's wall clock at start and end: `YYYY-MM-DD HH:MM:SS` (the day in a layout is this day). */
  startWallClock: WallClock;
  endWallClock: WallClock;
  /** `contentType` (`video`…) and `codecType` (`H.264-BP`…), when given. */
  contentType: string | undefined;
  codec: string | undefined;
}

const MAX_URI_LENGTH = 4096;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const SHORT_TOKEN = /^[\w.\-+ ]{1,64}$/;

/** Device text quoted in a warning: bounded, control characters escaped. */
function quoted(text: string): string {
  return JSON.stringify(text.slice(0, 40)).replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `size=` of a playbackURI: a plausible number of bytes (0 to 1 TiB), else undefined; a `size=` that
 * is there but not such a number is told to `warn` and ignored (the file is then not size-checked).
 */
export function sizeFromPlaybackUri(uri: string, warn?: (message: string) => void): number | undefined {
  const match = /[?&]size=([^&]*)/.exec(uri);
  if (!match) return undefined;
  const text = match[1] ?? '';
  const size = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (isPlausibleSize(size)) return size;
  warn?.(`size=${quoted(text)} of a playbackURI is not plausible (bytes, at most ${PLAUSIBLE_SIZE_MAX}, 1 TiB): ignored`);
  return undefined;
}

/**
 * A `searchMatchItem` as a recording; a string saying why when it cannot be one: times that are not
 * ISAPI times, implausible (before 1990, more than 10 years after `now`), or a span longer than
 * {@link PLAUSIBLE_DURATION_MAX_SECONDS}. An implausible `size=` is told to `warn` and ignored.
 */
export function toRecording(item: XmlElement, channel: number, model: ClockModel, warn?: (message: string) => void, now: number = Date.now()): HikvisionRecording | string {
  const span = child(item, 'timeSpan');
  const startTime = childText(span, 'startTime');
  const endTime = childText(span, 'endTime');
  const media = child(item, 'mediaSegmentDescriptor');
  const playbackUri = child(media, 'playbackURI')?.text.trim();
  if (startTime === undefined || endTime === undefined) return 'an item without timeSpan/startTime and endTime';
  if (playbackUri === undefined || playbackUri === '') return 'an item without playbackURI';
  if (playbackUri.length > MAX_URI_LENGTH || CONTROL.test(playbackUri)) return 'an item whose playbackURI is too long or holds control characters';
  const start = fromIsapiTime(startTime, model);
  const end = fromIsapiTime(endTime, model);
  if (start === undefined || end === undefined) return `an item with times that are not ISAPI times (${quoted(startTime)}, ${quoted(endTime)})`;
  if (!isPlausibleTimeMs(start.ms, now) || !isPlausibleTimeMs(end.ms, now)) return `an item with times that are not plausible (${quoted(startTime)}, ${quoted(endTime)}; 1990 to 10 years from now)`;
  if (end.ms < start.ms) return `an item that ends before it starts (${quoted(startTime)} – ${quoted(endTime)})`;
  if (end.ms - start.ms > PLAUSIBLE_DURATION_MAX_SECONDS * 1000) return `an item longer than ${PLAUSIBLE_DURATION_MAX_SECONDS} s (${quoted(startTime)} – ${quoted(endTime)})`;
  const track = childText(item, 'trackID');
  const trackId = track !== undefined && /^\d{1,6}$/.test(track) ? Number(track) : channel * 100 + 1;
  const name = childText(media, 'name');
  const contentType = childText(media, 'contentType');
  const codec = childText(media, 'codecType');
  return {
    channel,
    trackId,
    playbackUri,
    name: name !== undefined && /^[\w.-]{1,128}$/.test(name) ? name : undefined,
    size: sizeFromPlaybackUri(playbackUri, warn),
    startTime,
    endTime,
    start: new Date(start.ms),
    end: new Date(end.ms),
    startWallClock: start.wallClock,
    endWallClock: end.wallClock,
    contentType: contentType !== undefined && SHORT_TOKEN.test(contentType) ? contentType : undefined,
    codec: codec !== undefined && SHORT_TOKEN.test(codec) ? codec : undefined,
  };
}

/**
 * A file name for a recording from its camera wall-clock times, channel and track only (never a
 * device string): `ch01_20260116_120000-20260116_121500.<extension>` (`…_t102.<extension>` for a sub-stream).
 */
export function recordingFileName(recording: Pick<HikvisionRecording, 'channel' | 'startWallClock' | 'endWallClock'> & { trackId?: number | undefined }, extension = 'mp4'): string {
  const compact = (wallClock: string): string => wallClock.replace(/-/g, '').replace(' ', '_').replace(/:/g, '');
  const safeExtension = /^[a-z0-9]{1,8}$/i.test(extension) ? extension : 'bin';
  // A stream other than the main one (trackID ×02, ×03) gets its own name.
  const track = recording.trackId === undefined || recording.trackId === recording.channel * 100 + 1 ? '' : `_t${recording.trackId}`;
  return `ch${String(recording.channel).padStart(2, '0')}_${compact(recording.startWallClock)}-${compact(recording.endWallClock)}${track}.${safeExtension}`;
}
