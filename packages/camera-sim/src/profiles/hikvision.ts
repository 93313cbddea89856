import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fromWallClock, toWallClock, type WallClock } from '../camera-time.js';
import { fileSource, type BodySource } from '../content.js';
import { CameraSimError } from '../errors.js';
import { ensureMedia, type MediaContainer } from '../media-cache.js';
import { bufferSource, reply, replyFile, type RequestContext } from '../request-context.js';
import type { ProfileHandler, RouteMatch } from './profile-handler.js';

/** How the `hikvision` profile answers. */
export interface HikvisionBehaviour {
  /**
   * `camera`: an IP camera (`IPCamera`, true UTC behind its `Z`, MP4 downloads, `hikvision.com`
   * namespace); `nvr`: a recorder (`NVR`, its local wall clock written with a `Z`, MPEG-PS downloads,
   * `isapi.org` namespace, IP channels in `InputProxy`).
   * @default 'camera'
   */
  device?: 'camera' | 'nvr';
  /** Most items in one search answer, whatever `maxResults` asks. @default 40 */
  pageCap?: number;
  /** `1.0`: answers `version="1.0"`, ignores `searchResultPostion` (always page one) and writes its local clock with a `Z`. @default '2.0' */
  isapiVersion?: '2.0' | '1.0';
  /** Channels with recordings. @default 1 (camera), 2 (nvr) */
  channelCount?: number;
  /** Recordings per channel, back to back. @default 6 */
  recordingsPerChannel?: number;
  /** Camera-time length of each recording, in seconds. @default 600 */
  recordingSeconds?: number;
  /** Camera wall clock of the first recording's start. @default '2026-01-16 23:30:00' (crosses a local midnight) */
  firstStart?: WallClock;
  /** Which download methods work: the other answers 405 with a ResponseStatus. @default 'get-and-post' */
  downloadMethods?: 'get-and-post' | 'get' | 'post';
  /** `wrong`: the `size=` of each playbackURI is 1000 bytes more than the file. @default 'exact' */
  uriSize?: 'exact' | 'wrong';
  /** Request errors answered `200` with the `ResponseStatus` body instead of 400. @default false */
  errorsAs200?: boolean;
  /** A refused login is answered with the XML `<userCheck>` of newer firmware (else the HTML page). @default true */
  userCheck?: boolean;
  /**
   * How downloads are framed: `content-length`, or `chunked` (no `Content-Length`: whether firmware
   * always sends one is unconfirmed; the playbackURI's `size=` is then the only size).
   * @default 'content-length'
   */
  downloadFraming?: 'content-length' | 'chunked';
  /** XML answers start with a UTF-8 byte order mark before `<?xml`. @default false */
  byteOrderMark?: boolean;
  /**
   * How answers name their namespace: `default` (`xmlns="…"`), `prefixed` (`xmlns:hik="…"`, every
   * element `hik:`-prefixed), `none` (no namespace at all). Firmware differs; clients match local names.
   * @default 'default'
   */
  namespaceStyle?: 'default' | 'prefixed' | 'none';
  /**
   * The offset written after `<localTime>`: `standard` all year, as firmware is reported to do (the
   * daylight-saving rules are in `<timeZone>`), or the `current` one.
   * @default 'standard'
   */
  localTimeOffset?: 'standard' | 'current';
  /** XML put verbatim into the first page of every search after its real items (hostile items for tests). @default '' */
  extraSearchItems?: string;
  /**
   * The authority of each playbackURI, `rtsp://<playbackHost>/Streaming/…`: a device writes its own address
   * there, without the HTTP port (a test points it at a listener that must never see a connection).
   * @default '127.0.0.1'
   */
  playbackHost?: string;
}

export interface HikvisionSimRecording {
  channel: number;
  /** Camera wall clock. */
  startTime: WallClock;
  endTime: WallClock;
  startMs: number;
  endMs: number;
  /** The playbackURI as the device lists it (XML-decoded). */
  playbackUri: string;
  name: string;
  size: number;
  sha256: string;
  container: MediaContainer;
}

interface Entry {
  recording: HikvisionSimRecording;
  source: BodySource;
}

const UUID = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;
const ISAPI_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
/** `IMKH`, version, system format 0x0081 (MPEG-PS), video H.264 (0x0100): the header NVR downloads start with. */
const IMKH_HEADER = Buffer.concat([Buffer.from('IMKH', 'latin1'), Buffer.from([0x01, 0x02, 0x00, 0x00, 0x81, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]), Buffer.alloc(24)]);
const UNAUTHORIZED_HTML = '<!DOCTYPE html>\n<html><head><title>Document Error: Unauthorized</title></head>\n<body><h2>Access Error: 401 -- Unauthorized</h2>\n<p>Authentication Error</p>\n</body>\n</html>\n';

export function normalizeHikvisionBehaviour(behaviour: HikvisionBehaviour = {}): Required<HikvisionBehaviour> {
  const device = behaviour.device ?? 'camera';
  const out: Required<HikvisionBehaviour> = {
    device,
    pageCap: 40,
    isapiVersion: '2.0',
    channelCount: device === 'nvr' ? 2 : 1,
    recordingsPerChannel: 6,
    recordingSeconds: 600,
    firstStart: '2026-01-16 23:30:00',
    downloadMethods: 'get-and-post',
    uriSize: 'exact',
    errorsAs200: false,
    userCheck: true,
    downloadFraming: 'content-length',
    byteOrderMark: false,
    namespaceStyle: 'default',
    localTimeOffset: 'standard',
    extraSearchItems: '',
    playbackHost: '127.0.0.1',
    ...behaviour,
  };
  for (const [name, value, max] of [['pageCap', out.pageCap, 1000], ['channelCount', out.channelCount, 64], ['recordingsPerChannel', out.recordingsPerChannel, 10_000], ['recordingSeconds', out.recordingSeconds, 86_400]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new CameraSimError(`hikvision.${name} must be 1..${max}, got ${String(value)}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { [name]: value } });
  }
  return out;
}

/** An answer document in the device's namespace style, with or without a byte order mark. */
function xmlDocument(text: string, behaviour: Pick<Required<HikvisionBehaviour>, 'byteOrderMark' | 'namespaceStyle'>): string {
  let body = text;
  if (behaviour.namespaceStyle === 'none') body = body.replace(/ xmlns="[^"]*"/, '');
  if (behaviour.namespaceStyle === 'prefixed') body = body.replace(/ xmlns="/, ' xmlns:hik="').replace(/<(\/?)([A-Za-z])/g, '<$1hik:$2');
  return `${behaviour.byteOrderMark ? '\uFEFF' : ''}<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The one element `name` in a request body (by local name), or undefined; several are an error (undefined too). */
function element(body: string, name: string): string | undefined {
  const matches = [...body.matchAll(new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`, 'g'))];
  return matches.length === 1 ? matches[0]?.[1] : undefined;
}

function utcFields(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Seconds east of UTC of the zone at `ms`. */
function offsetMinutes(ms: number, timeZone: string): number {
  const wall = toWallClock(ms, timeZone);
  return Math.round((Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** `H:MM:SS` of a number of minutes. */
function clockText(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:00`;
}

/**
 * The device's `<timeZone>` for an IANA zone in `year`: `CST+5:00:00` (sign inverted), and where the
 * zone keeps daylight saving Hikvision's `DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00` (the shift, then
 * POSIX rules; the start in standard time, the end in daylight time).
 */
function hikvisionZone(timeZone: string, year: number): { text: string; standardMinutes: number } {
  const transitions: Array<{ at: number; before: number; after: number }> = [];
  let previous = offsetMinutes(Date.UTC(year, 0, 1), timeZone);
  for (let at = Date.UTC(year, 0, 1) + 3_600_000; at <= Date.UTC(year, 11, 31, 23); at += 3_600_000) {
    const current = offsetMinutes(at, timeZone);
    if (current !== previous) {
      // To the minute: some zones change on the half hour.
      let exact = at - 3_600_000 + 60_000;
      while (offsetMinutes(exact, timeZone) === previous) exact += 60_000;
      transitions.push({ at: exact, before: previous, after: current });
    }
    previous = current;
  }
  const standardMinutes = Math.min(previous, ...transitions.map((each) => each.before));
  const base = `CST${standardMinutes <= 0 ? '+' : '-'}${clockText(Math.abs(standardMinutes))}`;
  const start = transitions.find((each) => each.after > each.before);
  const end = transitions.find((each) => each.after < each.before);
  if (start === undefined || end === undefined) return { text: base, standardMinutes };
  const rule = ({ at, before }: { at: number; before: number }): string => {
    // The local wall clock of the change, on the clock in force before it.
    const wall = new Date(at + before * 60_000);
    const day = wall.getUTCDate();
    const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
    const week = day > daysInMonth - 7 ? 5 : Math.ceil(day / 7);
    return `M${wall.getUTCMonth() + 1}.${week}.${wall.getUTCDay()}/${String(wall.getUTCHours()).padStart(2, '0')}:${String(wall.getUTCMinutes()).padStart(2, '0')}:00`;
  };
  const shift = start.after - start.before;
  return { text: `${base}DST${String(Math.floor(shift / 60)).padStart(2, '0')}:${String(shift % 60).padStart(2, '0')}:00,${rule(start)},${rule(end)}`, standardMinutes };
}

/** Hikvision ISAPI: search, download, time, device info, channel lists; an IP camera or an NVR. */
export async function createHikvisionProfile(context: { behaviour: HikvisionBehaviour | undefined; timeZone: string; mediaCacheDir: string; now: () => number; lockoutAfterFailures: number | undefined }): Promise<{ handler: ProfileHandler; recordings: HikvisionSimRecording[] }> {
  const behaviour = normalizeHikvisionBehaviour(context.behaviour);
  const { timeZone } = context;
  const nvr = behaviour.device === 'nvr';
  const xml = (text: string): string => xmlDocument(text, behaviour);
  const container: MediaContainer = nvr ? 'ps-h264' : 'mp4-h264';
  const namespace = nvr ? 'http://www.isapi.org/ver20/XMLSchema' : 'http://www.hikvision.com/ver20/XMLSchema';
  // What the device's Z means: the instant (camera) or its wall clock (NVR, ISAPI 1.0 firmware).
  const localZ = nvr || behaviour.isapiVersion === '1.0';
  const deviceFields = (ms: number): string => (localZ ? toWallClock(ms, timeZone) : utcFields(ms));
  const deviceTime = (ms: number): string => `${deviceFields(ms).replace(' ', 'T')}Z`;
  const compactTime = (ms: number): string => `${deviceFields(ms).replace(/[-:]/g, '').replace(' ', 'T')}Z`;
  const instantOfDevice = (text: string): number | undefined => {
    const match = ISAPI_TIME.exec(text);
    if (!match) return undefined;
    const fields = `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}:${match[6]}`;
    return localZ ? fromWallClock(fields, timeZone)[0] : Date.parse(`${fields.replace(' ', 'T')}Z`);
  };

  const firstStartMs = fromWallClock(behaviour.firstStart, timeZone)[0];
  if (firstStartMs === undefined) throw new CameraSimError(`hikvision.firstStart ${behaviour.firstStart} does not exist in ${timeZone}`, { code: 'ERR_SIM_BAD_OPTIONS' });
  const clips = await Promise.all(
    [0, 1, 2].map((variant) => ensureMedia({ container, durationSec: 2 + variant, pattern: variant === 1 ? 'testsrc2' : 'testsrc' }, context.mediaCacheDir)),
  );
  // NVRs send the program stream behind Hikvision's 40-byte `IMKH` media header.
  const variants = await Promise.all(
    clips.map(async (clip) => {
      if (!nvr) return { size: clip.size, sha256: clip.sha256, source: fileSource(clip.path, clip.size, clip.sha256) };
      const bytes = Buffer.concat([IMKH_HEADER, await readFile(clip.path)]);
      return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), source: bufferSource(bytes) };
    }),
  );
  const entries: Entry[] = [];
  for (let channel = 1; channel <= behaviour.channelCount; channel += 1) {
    for (let index = 0; index < behaviour.recordingsPerChannel; index += 1) {
      const media = variants[(channel + index) % variants.length]!;
      const startMs = firstStartMs + index * behaviour.recordingSeconds * 1000;
      const endMs = startMs + behaviour.recordingSeconds * 1000;
      const name = nvr ? `0000000${String(4667000100 + channel * 10_000 + index).padStart(10, '0')}` : `ch${String(channel).padStart(2, '0')}_${String(8001213 + index).padStart(14, '0')}`;
      const uriSize = behaviour.uriSize === 'wrong' ? media.size + 1000 : media.size;
      const playbackUri = `rtsp://${behaviour.playbackHost}/Streaming/tracks/${channel}01/?starttime=${compactTime(startMs)}&endtime=${compactTime(endMs)}&name=${name}&size=${uriSize}`;
      entries.push({
        recording: { channel, startTime: toWallClock(startMs, timeZone), endTime: toWallClock(endMs, timeZone), startMs, endMs, playbackUri, name, size: media.size, sha256: media.sha256, container },
        source: media.source,
      });
    }
  }

  const responseStatus = (ctx: RequestContext, status: number, statusCode: number, statusString: string, subStatusCode: string): Promise<void> =>
    reply(
      ctx,
      behaviour.errorsAs200 && status === 400 ? 200 : status,
      xml(`<ResponseStatus version="2.0" xmlns="${namespace}">\n<requestURL>${escape(ctx.path)}</requestURL>\n<statusCode>${statusCode}</statusCode>\n<statusString>${statusString}</statusString>\n<subStatusCode>${subStatusCode}</subStatusCode>\n</ResponseStatus>`),
      { 'Content-Type': 'application/xml; charset="UTF-8"' },
    );
  const badContent = (ctx: RequestContext, sub = 'badXmlContent'): Promise<void> => responseStatus(ctx, 400, 6, 'Invalid XML Content', sub);
  const ok = (ctx: RequestContext, body: string): Promise<void> => reply(ctx, 200, xml(body), { 'Content-Type': 'application/xml; charset="UTF-8"' });

  const readBody = async (ctx: RequestContext): Promise<string | undefined> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.request) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) return undefined;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  const search = async (ctx: RequestContext): Promise<void> => {
    const body = await readBody(ctx);
    if (body === undefined || !/<(?:\w+:)?CMSearchDescription[\s>]/.test(body)) return responseStatus(ctx, 400, 5, 'Invalid XML Format', 'badXmlFormat');
    const searchId = element(body, 'searchID')?.trim();
    if (searchId === undefined || !UUID.test(searchId)) return badContent(ctx);
    // The device's spelling; the correct one is refused.
    if (element(body, 'searchResultPosition') !== undefined) return badContent(ctx);
    const positionText = element(body, 'searchResultPostion')?.trim();
    const maxText = element(body, 'maxResults')?.trim();
    const trackText = element(element(body, 'trackList') ?? element(body, 'trackIDList') ?? '', 'trackID')?.trim();
    const startText = element(body, 'startTime')?.trim();
    const endText = element(body, 'endTime')?.trim();
    if (positionText === undefined || !/^\d{1,6}$/.test(positionText) || maxText === undefined || !/^\d{1,4}$/.test(maxText) || Number(maxText) < 1) return badContent(ctx);
    if (trackText === undefined || !/^\d{3,5}$/.test(trackText)) return badContent(ctx);
    const startMs = startText === undefined ? undefined : instantOfDevice(startText);
    const endMs = endText === undefined ? undefined : instantOfDevice(endText);
    if (startMs === undefined || endMs === undefined || endMs < startMs) return badContent(ctx, 'badParameters');
    const track = Number(trackText);
    const channel = Math.floor(track / 100);
    const matches = entries
      .map((each) => each.recording)
      .filter((recording) => track % 100 === 1 && recording.channel === channel && recording.endMs > startMs && recording.startMs <= endMs);
    const position = behaviour.isapiVersion === '1.0' ? 0 : Number(positionText);
    const page = matches.slice(position, position + Math.min(Number(maxText), behaviour.pageCap));
    const status = page.length === 0 ? 'NO MATCHES' : position + page.length < matches.length ? 'MORE' : 'OK';
    const items = page
      .map(
        (recording) =>
          `<searchMatchItem>\n<sourceID>{00000000-0000-0000-0000-000000000000}</sourceID>\n<trackID>${track}</trackID>\n<timeSpan>\n<startTime>${deviceTime(recording.startMs)}</startTime>\n<endTime>${deviceTime(recording.endMs)}</endTime>\n</timeSpan>\n<mediaSegmentDescriptor>\n<contentType>video</contentType>\n<codecType>H.264-BP</codecType>\n<playbackURI>${escape(recording.playbackUri)}</playbackURI>\n<lockStatus>unlock</lockStatus>\n<name>${recording.name}</name>\n</mediaSegmentDescriptor>\n<metadataMatches>\n<metadataDescriptor>recordType.meta.hikvision.com/timing</metadataDescriptor>\n</metadataMatches>\n</searchMatchItem>`,
      )
      .join('\n')
      .concat(position === 0 ? behaviour.extraSearchItems : '');
    return ok(
      ctx,
      `<CMSearchResult version="${behaviour.isapiVersion}" xmlns="${namespace}">\n<searchID>{${searchId.replace(/[{}]/g, '').toLowerCase()}}</searchID>\n<responseStatus>true</responseStatus>\n<responseStatusStrg>${status}</responseStatusStrg>\n<numOfMatches>${page.length}</numOfMatches>\n<matchList>${items === '' ? '\n' : `\n${items}\n`}</matchList>\n</CMSearchResult>`,
    );
  };

  const downloadRecording = async (ctx: RequestContext): Promise<void> => {
    const allowed = behaviour.downloadMethods === 'get-and-post' || behaviour.downloadMethods.toUpperCase() === ctx.method;
    if (!allowed) {
      await readBody(ctx);
      return responseStatus(ctx, 405, 4, 'Invalid Operation', 'invalidOperation');
    }
    const body = await readBody(ctx);
    const raw = body === undefined ? undefined : element(body, 'playbackURI');
    if (body === undefined || !/<(?:\w+:)?downloadRequest[\s>]/.test(body) || raw === undefined) return responseStatus(ctx, 400, 5, 'Invalid XML Format', 'badXmlFormat');
    const uri = raw.trim().replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    // Escaped twice: `&amp;name=` is not a parameter, the device cannot find the file.
    if (uri.includes('&amp;')) return badContent(ctx, 'badParameters');
    const entry = entries.find((each) => each.recording.playbackUri === uri);
    if (entry === undefined) return responseStatus(ctx, 404, 4, 'Invalid Operation', 'badParameters');
    return replyFile(
      ctx,
      entry.source,
      200,
      { 'Content-Type': nvr ? 'application/octet-stream' : 'video/mp4', 'Content-Disposition': `attachment; filename="${entry.recording.name}.${nvr ? 'ps' : 'mp4'}"` },
      0,
      entry.source.size - 1,
      behaviour.downloadFraming === 'chunked' ? 'chunked' : 'length',
    );
  };

  let zoneCache: { year: number; text: string; standardMinutes: number } | undefined;
  const timeAnswer = (ctx: RequestContext): Promise<void> => {
    const now = context.now();
    const year = new Date(now).getUTCFullYear();
    if (zoneCache?.year !== year) zoneCache = { year, ...hikvisionZone(timeZone, year) };
    const zone = zoneCache;
    const offset = behaviour.localTimeOffset === 'standard' ? zone.standardMinutes : offsetMinutes(now, timeZone);
    const sign = offset < 0 ? '-' : '+';
    const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    return ok(ctx, `<Time version="2.0" xmlns="${namespace}">\n<timeMode>NTP</timeMode>\n<localTime>${toWallClock(now, timeZone).replace(' ', 'T')}${sign}${hhmm}</localTime>\n<timeZone>${zone.text}</timeZone>\n</Time>`);
  };

  const channelItems = (tag: string): string =>
    Array.from({ length: behaviour.channelCount }, (_, index) => `<${tag}>\n<id>${index + 1}</id>\n<name>Camera ${String(index + 1).padStart(2, '0')}</name>\n${tag === 'VideoInputChannel' ? `<inputPort>${index + 1}</inputPort>\n` : ''}</${tag}>`).join('\n');

  const routes: Record<string, { method: readonly string[]; run: (ctx: RequestContext) => Promise<void> }> = {
    '/ISAPI/ContentMgmt/search': { method: ['POST'], run: search },
    '/ISAPI/ContentMgmt/download': { method: ['GET', 'POST'], run: downloadRecording },
    '/ISAPI/System/time': { method: ['GET'], run: timeAnswer },
    '/ISAPI/System/deviceInfo': {
      method: ['GET'],
      run: (ctx) =>
        ok(ctx, `<DeviceInfo version="2.0" xmlns="${namespace}">\n<deviceName>${nvr ? 'Network Video Recorder' : 'IP CAMERA'}</deviceName>\n<model>${nvr ? 'DS-7608NI-K2' : 'DS-2CD2185FWD-I'}</model>\n<serialNumber>DS-SIM0000000000</serialNumber>\n<firmwareVersion>${behaviour.isapiVersion === '1.0' ? 'V3.4.4' : 'V5.6.3'}</firmwareVersion>\n<deviceType>${nvr ? 'NVR' : 'IPCamera'}</deviceType>\n</DeviceInfo>`),
    },
    '/ISAPI/ContentMgmt/InputProxy/channels': {
      method: ['GET'],
      // A camera has no IP channels: 403 with a ResponseStatus, as App-webs answers an unsupported operation.
      run: (ctx) => (nvr ? ok(ctx, `<InputProxyChannelList version="2.0" xmlns="${namespace}">\n${channelItems('InputProxyChannel')}\n</InputProxyChannelList>`) : responseStatus(ctx, 403, 4, 'Invalid Operation', 'notSupport')),
    },
    '/ISAPI/System/Video/inputs/channels': {
      method: ['GET'],
      run: (ctx) => ok(ctx, `<VideoInputChannelList version="2.0" xmlns="${namespace}">\n${nvr ? '' : channelItems('VideoInputChannel')}\n</VideoInputChannelList>`),
    },
  };

  const handler: ProfileHandler = {
    serialize: 'off',
    route: (method, path) => {
      const found = routes[path];
      return found === undefined ? undefined : { route: path.slice('/ISAPI/'.length), resource: method };
    },
    handle: async (ctx: RequestContext, match: RouteMatch) => {
      const found = routes[ctx.path];
      if (found === undefined) return;
      if (!found.method.includes(ctx.method)) {
        await readBody(ctx);
        return responseStatus(ctx, 405, 4, 'Invalid Operation', 'invalidOperation');
      }
      void match;
      return found.run(ctx);
    },
    unauthorized: ({ credentialsRefused, failures, locked }) => {
      if (!credentialsRefused || !behaviour.userCheck) return { body: UNAUTHORIZED_HTML, contentType: 'text/html' };
      const limit = context.lockoutAfterFailures;
      const left = limit === undefined ? 5 : Math.max(0, limit - failures);
      return {
        body: xml(`<userCheck version="2.0" xmlns="${namespace}">\n<statusValue>401</statusValue>\n<statusString>Unauthorized</statusString>\n<isDefaultPassword>false</isDefaultPassword>\n<isRiskPassword>false</isRiskPassword>\n<isActivated>true</isActivated>\n<lockStatus>${locked ? 'lock' : 'unlock'}</lockStatus>\n<unlockTime>${locked ? 1800 : 0}</unlockTime>\n<retryLoginTime>${left}</retryLoginTime>\n</userCheck>`),
        contentType: 'application/xml',
      };
    },
  };
  return { handler, recordings: entries.map((each) => each.recording) };
}
