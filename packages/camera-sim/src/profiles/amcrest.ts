import { isWallClock, toWallClock, wallClockAsUtc } from '../camera-time.js';
import { SIM_VIDEO_STREAMS, type BodySource, type SimRecording } from '../content.js';
import type { SimCounters } from '../counters.js';
import type { NormalizedOptions } from '../options.js';
import { decodedQuery, latin1ToUtf8, percentDecode, reply, replyFile, type RequestContext } from '../request-context.js';
import type { SimCard } from '../sim-card.js';
import type { ProfileHandler, RouteMatch } from './profile-handler.js';

export interface RecordingEntry {
  recording: SimRecording;
  source: BodySource;
}

interface SearchObject {
  id: number;
  results: SimRecording[] | undefined;
  cursor: number;
  closed: boolean;
}

const TEXT_HEADERS = { 'Content-Type': 'text/plain;charset=utf-8' };
/** The record flags of the Dahua API (`condition.Flags[n]`); firmware refuses others. */
const RECORD_FLAGS: ReadonlySet<string> = new Set(['Timing', 'Manual', 'Marker', 'Event', 'Mosaic', 'Cutout']);
const FILE_TYPES: ReadonlySet<string> = new Set(['dav', 'mp4', 'jpg']);
/** `condition.*` keys findFile understands; any other key is a Bad Request, as on strict firmware. */
const CONDITION_KEY = /^condition\.(Channel|StartTime|EndTime|VideoStream|(Types|Flags|Events|Dirs)\[(\d+)\])$/;
const MAX_PAGE = 100;
const SERIAL = 'AMC018NP69LM4VM2VY';

/** Lines joined by CRLF (or bare LF, as some firmware sends), with a trailing line ending. */
function linesBody(lines: string[], ending: 'crlf' | 'lf'): string {
  const eol = ending === 'lf' ? '\n' : '\r\n';
  return `${lines.join(eol)}${eol}`;
}

/** `2026-01-06 06:05:00` → `2026-1-6 6:05:00`, as the Dahua API document prints times. */
export function unpadWallClock(wallClock: string): string {
  return wallClock.replace(/^(\d{4})-0?(\d{1,2})-0?(\d{1,2}) 0?(\d{1,2}):/, '$1-$2-$3 $4:');
}

/** Seconds east of UTC of `timeZone` at `instantMs`. */
function utcOffsetSeconds(instantMs: number, timeZone: string): number {
  return Math.round((wallClockAsUtc(toWallClock(instantMs, timeZone)) - Math.floor(instantMs / 1000) * 1000) / 1000);
}

function itemLines(index: number, recording: SimRecording, options: NormalizedOptions): string[] {
  const prefix = `items[${index}].`;
  const time = options.amcrest.unpaddedTimes ? unpadWallClock : (text: string): string => text;
  const pairs: Array<[string, string]> = [
    ['Channel', String(recording.channel - 1)],
    ['Duration', String(recording.durationSec)],
    ['EndTime', time(recording.endTime)],
    ['FilePath', recording.filePath],
    ['Length', String(recording.size)],
    ['StartTime', time(recording.startTime)],
    ['Type', recording.type === 'jpg' ? 'jpg' : 'dav'],
    ...recording.events.map((event, i): [string, string] => [`Events[${i}]`, event]),
    ...recording.flags.map((flag, i): [string, string] => [`Flags[${i}]`, flag]),
    ...(recording.fileState === undefined ? [] : [['FileState', recording.fileState] as [string, string]]),
    ...(options.amcrest.itemUtcOffset ? [['UTCOffset', String(utcOffsetSeconds(recording.startMs, options.timeZone))] as [string, string]] : []),
    ...(options.amcrest.itemVideoStream ? [['VideoStream', recording.stream] as [string, string]] : []),
  ];
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([key, value]) => `${prefix}${key}=${value}`);
}

/** Amcrest / Dahua CGI API: mediaFileFind sessions, RPC_Loadfile, getCurrentTime, magicBox. */
export function createAmcrestProfile(options: NormalizedOptions, entries: RecordingEntry[], counters: SimCounters, card: () => SimCard | undefined = () => undefined): ProfileHandler {
  const behaviour = options.amcrest;
  const searches = new Map<number, SearchObject>();
  let nextObjectId = 3_000_000 + Math.floor(Math.random() * 1_000_000);

  const error = (context: RequestContext, status: 400 | 404 | 501, text: string): Promise<void> => {
    const code = behaviour.errorsAs200 ? 200 : status;
    return reply(context, code, linesBody(['Error', text], behaviour.lineEnding), TEXT_HEADERS);
  };
  const badRequest = (context: RequestContext): Promise<void> => error(context, 400, 'Bad Request!');
  const ok = (context: RequestContext, lines: string[]): Promise<void> => reply(context, 200, linesBody(lines, behaviour.lineEnding), TEXT_HEADERS);

  const route = (_method: string, path: string, rawQuery: string): RouteMatch | undefined => {
    if (path.startsWith('/cgi-bin/RPC_Loadfile')) {
      const raw = latin1ToUtf8(path.slice('/cgi-bin/RPC_Loadfile'.length));
      // A strict server refuses raw brackets (RFC 3986 has no `[` `]` in paths); a non-decoding one
      // looks the encoded text up as is.
      if (behaviour.loadfilePaths === 'encoded' && /[[\]]/.test(raw)) return { route: 'RPC_Loadfile', resource: '\0bad-request' };
      if (behaviour.loadfilePaths === 'raw') return { route: 'RPC_Loadfile', resource: raw };
      return { route: 'RPC_Loadfile', resource: percentDecode(raw) ?? raw };
    }
    const match = /^\/cgi-bin\/([A-Za-z]+)\.cgi$/.exec(path);
    if (!match) return undefined;
    const action = decodedQuery(rawQuery)?.get('action') ?? '';
    return { route: match[1]!, resource: action };
  };

  const handle = async (context: RequestContext, match: RouteMatch): Promise<void> => {
    if (context.method !== 'GET') return error(context, 400, 'Bad Request!');
    switch (match.route) {
      case 'RPC_Loadfile':
        return loadFile(context, match.resource);
      case 'mediaFileFind':
        return mediaFileFind(context);
      case 'global':
        if (match.resource === 'getCurrentTime') {
          const now = toWallClock(options.now() + behaviour.clockOffsetMs, options.timeZone);
          return ok(context, [`result=${behaviour.unpaddedTimes ? unpadWallClock(now) : now}`]);
        }
        return error(context, 501, 'Not Implemented!');
      case 'magicBox':
        return magicBox(context, match.resource);
      case 'storageDevice': {
        const held = card();
        if (match.resource !== 'getDeviceAllInfo' || held === undefined) return error(context, 501, 'Not Implemented!');
        return ok(context, storageLines(held.totalBytes, held.usedBytes));
      }
      case 'devVideoInput':
        // The device's own (local) video inputs: a camera's sensor, an NVR's analog inputs (often none).
        if (match.resource === 'getCollect' && behaviour.channelCountAnswer !== 'none') {
          return ok(context, [`result=${behaviour.channelCountAnswer === 'nvr' ? 0 : behaviour.channelCount}`]);
        }
        return error(context, 501, 'Not Implemented!');
      default:
        return error(context, 501, 'Not Implemented!');
    }
  };

  const magicBox = (context: RequestContext, action: string): Promise<void> => {
    switch (action) {
      case 'getDeviceType':
        return ok(context, ['type=IP8M-2496EB']);
      case 'getSerialNo':
        return ok(context, [`sn=${SERIAL}`]);
      case 'getSoftwareVersion':
        return ok(context, ['version=2.800.0000000.31.R,build:2022-08-26']);
      case 'getMachineName':
        return ok(context, [`name=${SERIAL}`]);
      case 'getProductDefinition': {
        const name = decodedQuery(context.rawQuery)?.get('name');
        if (name === 'MaxRemoteInputChannels' && behaviour.channelCountAnswer !== 'none') {
          return ok(context, [`table.MaxRemoteInputChannels=${behaviour.channelCountAnswer === 'nvr' ? behaviour.channelCount : 0}`]);
        }
        return error(context, name === undefined ? 400 : 501, name === undefined ? 'Bad Request!' : 'Not Implemented!');
      }
      default:
        return error(context, 501, 'Not Implemented!');
    }
  };

  const mediaFileFind = async (context: RequestContext): Promise<void> => {
    const params = decodedQuery(context.rawQuery);
    if (!params) return badRequest(context);
    const action = params.get('action');
    if (action === 'factory.create') {
      if (searches.size >= behaviour.maxOpenSearches) return badRequest(context);
      nextObjectId += 1 + Math.floor(Math.random() * 50);
      searches.set(nextObjectId, { id: nextObjectId, results: undefined, cursor: 0, closed: false });
      counters.searchesCreated++;
      counters.searchesLeaked = searches.size;
      counters.peakOpenSearches = Math.max(counters.peakOpenSearches, searches.size);
      return ok(context, [`result=${nextObjectId}`]);
    }
    const objectText = params.get('object');
    const search = objectText && /^\d+$/.test(objectText) ? searches.get(Number(objectText)) : undefined;
    if (action === 'findFile') {
      if (!search || search.closed) return badRequest(context);
      // The firmware's parser takes `%20` only: `+`, `T`, fractions or offsets are a bad request.
      if (context.rawQuery.includes('+')) return badRequest(context);
      const conditions = findConditions(params);
      if (!conditions) return badRequest(context);
      const { start, end, channel, types } = conditions;
      if (wallClockAsUtc(end) < wallClockAsUtc(start)) return badRequest(context);
      if (behaviour.refuseTypes && types.length > 0) return badRequest(context);
      search.results = behaviour.channels.includes(channel)
        ? entries
            .map(({ recording }) => recording)
            // Channel 0 is channel 1 on models that count from 0.
            .filter((recording) => recording.channel === Math.max(1, channel))
            .filter((recording) => matchesConditions(recording, conditions, behaviour.ignoreVideoStream))
            .filter((recording) => overlaps(recording, start, end))
        : [];
      search.cursor = 0;
      // Some firmware answers an empty window with Bad Request rather than an empty result.
      if (behaviour.emptyWindow === '400' && search.results.length === 0) return badRequest(context);
      return ok(context, ['OK']);
    }
    if (action === 'findNextFile') {
      if (!search || search.closed || !search.results) return badRequest(context);
      const countText = params.get('count') ?? '';
      if (!/^\d+$/.test(countText) || Number(countText) < 1) return badRequest(context);
      const count = Math.min(Number(countText), MAX_PAGE);
      const page = search.results.slice(search.cursor, search.cursor + count);
      search.cursor += page.length;
      if (page.length === 0) {
        if (behaviour.endOfResults === 'error-body') return reply(context, 200, linesBody(['Error', 'Bad Request!'], behaviour.lineEnding), TEXT_HEADERS);
        if (behaviour.endOfResults === '400') return badRequest(context);
        return ok(context, ['found=0']);
      }
      return ok(context, [`found=${page.length}`, ...page.flatMap((recording, index) => itemLines(index, recording, options))]);
    }
    if (action === 'close') {
      if (!search || search.closed) return badRequest(context);
      search.closed = true;
      counters.searchesClosed++;
      return ok(context, ['OK']);
    }
    if (action === 'destroy') {
      if (!search) return badRequest(context);
      searches.delete(search.id);
      counters.searchesDestroyed++;
      counters.searchesLeaked = searches.size;
      return ok(context, ['OK']);
    }
    if (action === 'getCount') {
      if (!search || search.closed || !search.results) return badRequest(context);
      return ok(context, [`count=${search.results.length}`]);
    }
    return error(context, 501, 'Not Implemented!');
  };

  const loadFile = async (context: RequestContext, filePath: string): Promise<void> => {
    if (filePath === '\0bad-request') return badRequest(context);
    const found = entries.find(({ recording }) => recording.filePath === filePath);
    if (!found) return error(context, 404, 'File Not Found!');
    const { source } = found;
    const headers: Record<string, string | number> = { 'Content-Type': 'Application/octet-stream', Connection: 'close' };
    const rangeHeader = context.request.headers.range;
    if (behaviour.rangeSupport && rangeHeader) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader);
      if (match) {
        const start = Number(match[1]);
        const end = match[2] ? Math.min(Number(match[2]), source.size - 1) : source.size - 1;
        if (start < source.size && start <= end) {
          headers['Content-Range'] = `bytes ${start}-${end}/${source.size}`;
          return replyFile(context, source, 206, headers, start, end);
        }
      }
    }
    return replyFile(context, source, 200, headers);
  };

  return {
    route,
    handle,
    serialize: 'off',
    connectionClose: (match) => match.route === 'RPC_Loadfile',
  };
}

/** The answer of `storageDevice.cgi?action=getDeviceAllInfo`: one SD card, one read-write partition (bytes printed as the firmware does, with six decimals). */
function storageLines(totalBytes: number, usedBytes: number): string[] {
  return [
    'list.info[0].Detail[0].IsError=false',
    'list.info[0].Detail[0].Path=/mnt/sd',
    `list.info[0].Detail[0].TotalBytes=${totalBytes.toFixed(6)}`,
    'list.info[0].Detail[0].Type=ReadWrite',
    `list.info[0].Detail[0].UsedBytes=${usedBytes.toFixed(6)}`,
    'list.info[0].Name=/dev/mmc0',
    'list.info[0].State=Success',
  ];
}

/** Overlap in camera wall-clock terms (a search names wall clocks; both repeated-hour copies match). */
function overlaps(recording: SimRecording, start: string, end: string): boolean {
  const recordingStart = wallClockAsUtc(recording.startTime);
  const recordingEnd = Math.max(recordingStart, wallClockAsUtc(recording.endTime));
  const from = wallClockAsUtc(start);
  const to = wallClockAsUtc(end);
  return recordingStart <= to && recordingEnd >= from;
}

/** What one findFile asks for, parsed as strictly as firmware does. */
interface FindConditions {
  start: string;
  end: string;
  channel: number;
  types: string[];
  flags: string[];
  events: string[];
  stream: string | undefined;
}

/**
 * The `condition.*` parameters of a findFile, or undefined for a Bad Request: a missing or malformed
 * Channel/StartTime/EndTime, an unknown key (`condition.Flag[0]`, `condition.Foo`), an unknown record
 * flag, file type or stream.
 */
function findConditions(params: Map<string, string>): FindConditions | undefined {
  const lists: Record<'Types' | 'Flags' | 'Events' | 'Dirs', string[]> = { Types: [], Flags: [], Events: [], Dirs: [] };
  for (const [key, value] of params) {
    if (key === 'action' || key === 'object') continue;
    const match = CONDITION_KEY.exec(key);
    if (!match) return undefined;
    const list = match[2] as keyof typeof lists | undefined;
    if (list) {
      if (value === '') return undefined;
      lists[list][Number(match[3])] = value;
    }
  }
  const start = params.get('condition.StartTime');
  const end = params.get('condition.EndTime');
  const channelText = params.get('condition.Channel');
  if (!start || !end || !isWallClock(start) || !isWallClock(end) || channelText === undefined || !/^\d+$/.test(channelText)) return undefined;
  const compact = (values: string[]): string[] => values.filter((value) => value !== undefined);
  const types = compact(lists.Types);
  const flags = compact(lists.Flags);
  const events = compact(lists.Events);
  if (types.some((type) => !FILE_TYPES.has(type)) || flags.some((flag) => !RECORD_FLAGS.has(flag))) return undefined;
  if (events.some((event) => !/^[A-Za-z][A-Za-z0-9]*$/.test(event))) return undefined;
  const stream = params.get('condition.VideoStream');
  if (stream !== undefined && !(SIM_VIDEO_STREAMS as readonly string[]).includes(stream)) return undefined;
  return { start, end, channel: Number(channelText), types, flags, events, stream };
}

/**
 * Whether a recording matches the search conditions. A video type filter still lists snapshots and
 * files being recorded, as firmware does (the camera reports `Type=dav` for `.mp4` files and the client
 * decides by the path); only a snapshots-only search (`jpg`) leaves the videos out. Flags and Events
 * match when the recording carries any of those asked for.
 */
function matchesConditions(recording: SimRecording, conditions: FindConditions, ignoreVideoStream: boolean): boolean {
  const { types, flags, events, stream } = conditions;
  if (types.length > 0 && types.every((type) => type === 'jpg') && recording.type !== 'jpg') return false;
  // A recorder stores `.dav`: a search for `Types[0]=mp4` (the seed's query) finds none of them. Camera
  // `.mp4` files report `Type=dav`, so `dav` finds those too.
  if (types.length > 0 && recording.type === 'dav' && !types.includes('dav')) return false;
  if (flags.length > 0 && !recording.flags.some((flag) => flags.includes(flag))) return false;
  if (events.length > 0 && !recording.events.some((event) => events.includes(event))) return false;
  if (stream !== undefined && !ignoreVideoStream && recording.stream !== stream) return false;
  return true;
}
