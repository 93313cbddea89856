import { PLAUSIBLE_DURATION_MAX_SECONDS, child, isPlausibleTimeMs, type XmlElement } from '@camdl/internal';

/** One recording on the camera's storage, from `record/list.cgi`. Untrusted device text, checked here. */
export interface EdgeRecording {
  /** `recordingid`: the key for export and remove. */
  recordingId: string;
  /** `diskid`: the disk it is on (`SD_DISK`, `NetworkShare`…). */
  diskId: string;
  /** `starttime` (UTC). */
  start: Date;
  /** `stoptime` (UTC); undefined while the recording is being written. */
  stop: Date | undefined;
  /** The camera's wall clock at start and stop (`starttimelocal`), `YYYY-MM-DD HH:MM:SS`; undefined when not listed. */
  startWallClock: string | undefined;
  stopWallClock: string | undefined;
  /** `recordingstatus`: `completed`, `recording`, … */
  status: string;
  /** Still being written: an empty stop time or `recordingstatus="recording"`. Not exported until complete. */
  inProgress: boolean;
  /** `recordingtype` (`continuous`, `triggered`), `eventid`, `source` as listed (short tokens only). */
  recordingType: string | undefined;
  eventId: string | undefined;
  source: string | undefined;
  /** The `video` element: MIME type, width, height, frame rate text (`10:1`). */
  video: { mimeType: string | undefined; width: number | undefined; height: number | undefined; frameRate: string | undefined } | undefined;
}

const ID = /^[\w.-]{1,128}$/;
/** The longest `diskid_recordingid` a file name is made of: room left for the extension and the temporary suffixes within 255 bytes. */
const MAX_NAME_IDS = 192;
const TOKEN = /^[\w.:/+-]{1,64}$/;
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

function token(value: string | undefined): string | undefined {
  return value !== undefined && TOKEN.test(value) ? value : undefined;
}

function dimension(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : undefined;
}

/** `2026-01-16T14:36:33.076983Z` → its instant (ms precision); undefined when not that shape. */
export function parseEdgeTime(text: string): Date | undefined {
  const match = UTC_TIME.exec(text);
  if (!match) return undefined;
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])) + fraction;
  const back = new Date(ms - fraction).toISOString();
  return back.slice(0, 19) === `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}` ? new Date(ms) : undefined;
}

/**
 * A `<recording>` element as a recording; a string saying why not (ids unusable in a file name, times
 * that are not UTC ISO 8601 or implausible: before 1990, more than 10 years after `now`, or longer
 * than {@link PLAUSIBLE_DURATION_MAX_SECONDS}).
 */
export function toEdgeRecording(element: XmlElement, now: number = Date.now()): EdgeRecording | string {
  const at = element.attributes;
  const recordingId = at['recordingid'];
  const diskId = at['diskid'];
  if (recordingId === undefined || !ID.test(recordingId)) return 'a recording without a usable recordingid';
  if (diskId === undefined || !ID.test(diskId)) return `recording ${recordingId} without a usable diskid`;
  if (diskId.length + 1 + recordingId.length > MAX_NAME_IDS) return `recording ${recordingId.slice(0, 40)}… whose diskid and recordingid are too long for a file name`;
  const start = parseEdgeTime(at['starttime'] ?? '');
  if (start === undefined) return `recording ${recordingId} with a start time that is not UTC ISO 8601`;
  const stopText = at['stoptime'] ?? '';
  const stop = stopText === '' ? undefined : parseEdgeTime(stopText);
  if (stopText !== '' && stop === undefined) return `recording ${recordingId} with a stop time that is not UTC ISO 8601`;
  if (!isPlausibleTimeMs(start.getTime(), now) || (stop !== undefined && !isPlausibleTimeMs(stop.getTime(), now))) {
    return `recording ${recordingId} with times that are not plausible (${JSON.stringify(at['starttime'])}, ${JSON.stringify(stopText)}; 1990 to 10 years from now)`;
  }
  if (stop !== undefined && stop.getTime() < start.getTime()) return `recording ${recordingId} stops before it starts`;
  if (stop !== undefined && stop.getTime() - start.getTime() > PLAUSIBLE_DURATION_MAX_SECONDS * 1000) return `recording ${recordingId} longer than ${PLAUSIBLE_DURATION_MAX_SECONDS} s (${JSON.stringify(at['starttime'])} – ${JSON.stringify(stopText)})`;
  const status = token(at['recordingstatus']) ?? 'unknown';
  const wall = (text: string | undefined): string | undefined => {
    const match = text === undefined ? undefined : LOCAL_TIME.exec(text);
    return match ? `${match[1]} ${match[2]}` : undefined;
  };
  const video = child(element, 'video');
  return {
    recordingId,
    diskId,
    start,
    stop,
    startWallClock: wall(at['starttimelocal']),
    stopWallClock: stop === undefined ? undefined : wall(at['stoptimelocal']),
    status,
    inProgress: stop === undefined || status === 'recording',
    recordingType: token(at['recordingtype']),
    eventId: token(at['eventid']),
    source: token(at['source']),
    video:
      video === undefined
        ? undefined
        : { mimeType: token(video.attributes['mimetype']), width: dimension(video.attributes['width']), height: dimension(video.attributes['height']), frameRate: token(video.attributes['framerate']) },
  };
}
