/**
 * A small reference Amcrest/Dahua HTTP server, written from `shared/spec/amcrest.md` and the Dahua HTTP API
 * conventions only — independently of `@camdl/camera-sim` (same authors as the client, so possibly the same
 * wrong assumptions). It models the strictest behaviours real firmware shows, each one switchable, and counts
 * what it received so tests can assert exact request counts.
 *
 * Spec lines this follows are quoted in `// spec:` comments.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { serveOnLoopback } from './serve-on-loopback.js';

/** A file stored on the device. */
export interface ReferenceFile {
  /** 1-based channel (the path's `/001/` on a camera; NVR channel folders). */
  channel: number;
  /** Wall-clock `YYYY-MM-DD HH:MM:SS`. */
  start: string;
  end: string;
  /** The path's extension: `.mp4_` is still being recorded, `.jpg` a snapshot, `.dav` an NVR recording. */
  ext: 'mp4' | 'mp4_' | 'jpg' | 'dav';
  content: Buffer;
  /** `Type=` as listed. @default `dav` for video (spec: "`Type` may say `dav` while the path ends in `.mp4`"), `jpg` for snapshots */
  type?: string;
  events?: string[];
  flags?: string[];
  /** `VideoStream=`. @default 'Main' */
  videoStream?: string;
  /** `FileState=` (`Temporary` while still written). */
  fileState?: string;
  /** `UTCOffset=` in seconds. */
  utcOffset?: number;
  /** The last bracket of the file name (`[R][0@0][<n>]`): distinguishes two files of one wall-clock time (the repeated autumn hour). @default 0 (Main), 1 (other streams) */
  sequence?: number;
  /** A file name without the `[R][0@0][0]` brackets (some firmware, and files copied in by hand). @default false */
  plainName?: boolean;
  /** Extra `items[n].<key>=<value>` lines (values may contain `=`). */
  extra?: Record<string, string>;
}

/** How a search's results end (spec: "The end is `found=0`, or an `Error` body, or a 400"). */
export type SearchEnd = 'found-0' | 'error-body-200' | 'status-400';

export interface ReferenceServerOptions {
  /** `camera`: `/mnt/sd/…/001/dav/…mp4`, nonce reuse answered 401; `nvr`: `.dav` on 1-based channels, reuse answered 403. @default 'camera' */
  profile?: 'camera' | 'nvr';
  files: ReferenceFile[];
  username?: string;
  password?: string;
  realm?: string;
  /** `opaque` of the challenge; `''` must still be echoed (spec). @default '720000000000000000000007a9' */
  opaque?: string;
  /**
   * `accept`: a nonce stays valid, each `nc` only once. `single-use`: every nonce serves exactly one request;
   * a second use is answered 401 with a fresh challenge (camera) or 403 without one (NVR) — spec: "Reusing a
   * nonce with `nc=00000002` sometimes gets 401 (NVRs: 403): then take a fresh challenge once".
   * @default 'accept'
   */
  nonceReuse?: 'accept' | 'single-use';
  /** Line ending of every body (spec: "joined by `\r\n` (tolerate bare `\n`)"). @default '\r\n' */
  lineEnding?: '\r\n' | '\n';
  /** findFile for a window with nothing in it: `ok`, or 400 (spec: "answers 400 for a window with nothing in it on some firmware"). @default 'ok' */
  emptyFindFile?: 'ok' | 'status-400';
  /** @default 'found-0' */
  searchEnd?: SearchEnd;
  /** Live search objects (created, not destroyed) allowed; past it factory.create is 400 until `restart()`. @default 4 */
  maxSearchObjects?: number;
  /** `honour`: `Types[0]=mp4` lists `.mp4`/`.mp4_`, `dav` lists `.dav`, `jpg` lists `.jpg`; `ignore`: every type listed. @default 'honour' */
  typesCondition?: 'honour' | 'ignore';
  /** Times in items and getCurrentTime without zero padding (`2011-7-3 21:02:32`). @default false */
  unpaddedTimes?: boolean;
  /** Keys of a page sorted as strings (`items[10]` before `items[2]`), as in the real fixture ("keys sorted"). @default true */
  sortedKeys?: boolean;
  /** RPC_Loadfile paths accepted: raw brackets, percent-encoded, or both. @default 'both' */
  loadfilePaths?: 'raw' | 'encoded' | 'both';
  /** How RPC_Loadfile refuses a path it does not know: 400, or 200 with an `Error` body ("Some firmware answers 200 with an error body"). @default 'status-400' */
  loadfileRefusal?: 'status-400' | 'error-body-200';
  /** `close` after a search that ended with a 400 or an Error body: `OK`, or 400 (the object is still there: destroy must follow). @default 'ok' */
  closeAfterError?: 'ok' | 'status-400';
  /** API answers (not RPC_Loadfile) with `Content-Length`, or delimited by the connection's close (no length, not chunked), as some embedded servers do. @default 'content-length' */
  apiBodies?: 'content-length' | 'close-delimited';
  /** RPC_Loadfile with `Content-Length` (spec), or without (close-delimited), to check nothing waits on the length. @default 'content-length' */
  loadfileBodies?: 'content-length' | 'close-delimited';
  /** Honour `Range` with a 206 (`false`: spec "Range support is unknown" — the full 200 every time). @default false */
  range?: boolean;
  /** Channels the search accepts in `condition.Channel` (spec: "Channel 1 is the spec's default; some models want 0"). @default camera [1], nvr 1..channels */
  searchChannels?: number[];
  /** `items[n].Channel` numbering: 0-based (spec: "Items report `Channel=0` while the path says `/001/`") or 1-based. @default 0 */
  itemChannelBase?: 0 | 1;
  /** NVR channel count (getProductDefinition). @default 4 for nvr, 1 for camera */
  channels?: number;
  /** Camera wall clock for getCurrentTime. @default now at UTC-5 (America/New_York in winter) */
  currentTime?: () => string;
  /** Answers `200 Error: Error -1 getting param in name=…` for these actions (`getCurrentTime`, `getMachineName`…). */
  paramErrors?: string[];
  /** `honour` the Flags/Events/VideoStream conditions, `refuse` them (400, firmware that knows none), or `ignore` them (list everything). @default 'honour' */
  conditions?: 'honour' | 'refuse' | 'ignore';
  /** `digest`, or `basic-only` (old firmware: `Basic realm="Device_CGI"`). @default 'digest' */
  auth?: 'digest' | 'basic-only';
  /** Serve https with this key and (self-signed) certificate. */
  tls?: { key: string; cert: string };
  /** magicBox answers. */
  device?: { deviceType?: string; serialNo?: string; softwareVersion?: string; machineName?: string };
}

/** One request as the server saw it. */
export interface ReferenceRequest {
  method: string;
  url: string;
  status: number;
  /** Whether it carried an `Authorization` header. */
  authorized: boolean;
  range?: string;
}

export interface ReferenceCounters {
  /** 401s carrying a `WWW-Authenticate` challenge. */
  challenges: number;
  /** 403s for a reused nonce. */
  forbidden: number;
  /** Requests without `Authorization`. */
  unauthenticated: number;
  creates: number;
  closes: number;
  destroys: number;
  findFiles: number;
  findNextFiles: number;
  /** Most search objects alive at once. */
  peakOpenObjects: number;
  /** RPC_Loadfile answers with 200/206, per decoded path. */
  downloads: Map<string, number>;
  /** Bad digest responses (wrong password, quoted qop/nc, wrong uri, missing opaque). */
  badDigests: number;
  /** Most requests being answered at once (spec: "more than a few open connections make cameras answer 400"). */
  peakInFlight: number;
}

/** Counters from zero; the peak of open search objects starts at those still open. */
function zeroCounters(openObjects: number): ReferenceCounters {
  return {
    challenges: 0,
    forbidden: 0,
    unauthenticated: 0,
    creates: 0,
    closes: 0,
    destroys: 0,
    findFiles: 0,
    findNextFiles: 0,
    peakOpenObjects: openObjects,
    downloads: new Map(),
    badDigests: 0,
    peakInFlight: 0,
  };
}

export interface ReferenceDahuaServer {
  url: string;
  username: string;
  password: string;
  files: ReferenceFile[];
  /** Decoded `FilePath` of each file, in `files` order. */
  paths: string[];
  requests: ReferenceRequest[];
  counters: ReferenceCounters;
  /** Search objects created and not destroyed. */
  openObjects(): number[];
  /** Objects created and never closed / never destroyed. */
  leaks(): { notClosed: number[]; notDestroyed: number[] };
  /** The file is gone from the card (overwritten) but still listed: RPC_Loadfile refuses it. */
  removeFile(path: string): void;
  /** A reboot: forgets search objects and the locked state (spec: "answer 400 until rebooted"). */
  restart(): void;
  resetCounters(): void;
  close(): Promise<void>;
}

const BAD_REQUEST = 'Error\r\nBad Request!\r\n';
const NOT_IMPLEMENTED = 'Error\r\nNot Implemented!\r\n';
const TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function wallSeconds(text: string): number {
  const match = TIME.exec(text);
  if (!match) throw new Error(`bad wall time ${text}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

function unpad(text: string): string {
  const [date, time] = text.split(' ') as [string, string];
  const [y, mo, d] = date.split('-');
  const [h, mi, s] = time.split(':');
  // spec: "Times are not always zero-padded (`2011-7-3 21:02:32` in the API doc)": date and hour unpadded.
  return `${y}-${Number(mo)}-${Number(d)} ${Number(h)}:${mi}:${s}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function filePathOf(file: ReferenceFile, profile: 'camera' | 'nvr'): string {
  const [date, time] = file.start.split(' ') as [string, string];
  const [hour] = time.split(':') as [string];
  const startLabel = time.replaceAll(':', '.');
  const endLabel = (file.end.split(' ')[1] ?? '').replaceAll(':', '.');
  if (file.ext === 'jpg') return `/mnt/sd/${date}/${String(file.channel).padStart(3, '0')}/jpg/${hour}/${time.slice(3, 5)}/${time.slice(6)}[M][0@0][0].jpg`;
  if (profile === 'nvr') return `/mnt/dvr/mmc0p2_0/${date}/${file.channel - 1}/dav/${hour}/${startLabel}-${endLabel}[R][0@0][${file.sequence ?? 0}].${file.ext}`;
  const marker = file.flags?.includes('Event') ? 'M' : 'R';
  // Model assumption (not in the spec): another stream's file of the same time differs in the last bracket.
  const stream = file.sequence ?? (file.videoStream === undefined || file.videoStream === 'Main' ? 0 : 1);
  const brackets = file.plainName ? '' : `[${marker}][0@0][${stream}]`;
  return `/mnt/sd/${date}/${String(file.channel).padStart(3, '0')}/dav/${hour}/${startLabel}-${endLabel}${brackets}.${file.ext}`;
}

interface DigestFields {
  [key: string]: { value: string; quoted: boolean };
}

function parseDigest(header: string): DigestFields | undefined {
  if (!/^Digest\s+/i.test(header)) return undefined;
  const fields: DigestFields = {};
  const pattern = /\s*([a-zA-Z0-9_-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/g;
  const rest = header.replace(/^Digest\s+/i, '');
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(rest)) !== null) {
    if (match[0] === '') break;
    const quoted = match[2] !== undefined;
    fields[match[1]!.toLowerCase()] = { value: quoted ? match[2]!.replace(/\\(.)/g, '$1') : match[3]!.trim(), quoted };
  }
  return fields;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** Starts the reference server on 127.0.0.1, port 0. */
export async function startReferenceDahuaServer(options: ReferenceServerOptions): Promise<ReferenceDahuaServer> {
  const profile = options.profile ?? 'camera';
  const username = options.username ?? 'admin';
  const password = options.password ?? 'ref-pass=1,"x"';
  // spec: `Digest realm="Login to AMC018NP69LM4VM2VY",qop="auth",nonce="1083253606",opaque="720000000000000000000007a9"`
  const realm = options.realm ?? (profile === 'nvr' ? 'Login to 6J0FB3APAZ00001' : 'Login to AMC018NP69LM4VM2VY');
  const opaque = options.opaque ?? '720000000000000000000007a9';
  const nonceReuse = options.nonceReuse ?? 'accept';
  const eol = options.lineEnding ?? '\r\n';
  const maxObjects = options.maxSearchObjects ?? 4;
  const channels = options.channels ?? (profile === 'nvr' ? 4 : 1);
  const searchChannels = options.searchChannels ?? (profile === 'nvr' ? Array.from({ length: channels }, (_, index) => index + 1) : [1]);
  // Listed in recording order (real instants where the item says its offset): across the autumn fall-back the
  // first 01:xx files come before the second ones.
  const allOffsets = options.files.every((file) => file.utcOffset !== undefined);
  const instant = (file: ReferenceFile): number => wallSeconds(file.start) - (allOffsets ? (file.utcOffset ?? 0) : 0);
  const files = [...options.files].sort((a, b) => instant(a) - instant(b));
  const paths = files.map((file) => filePathOf(file, profile));
  const byPath = new Map(paths.map((path, index) => [path, files[index]!]));
  const removed = new Set<string>();

  // nonce -> set of nc values used (accept), or whether used (single-use)
  const nonces = new Map<string, Set<string>>();
  interface SearchObject {
    id: number;
    closed: boolean;
    results?: ReferenceFile[];
    cursor: number;
    /** The search ended with a 400 or an Error body. */
    failed?: boolean;
  }
  let objects = new Map<number, SearchObject>();
  const everCreated: number[] = [];
  const closedIds = new Set<number>();
  const destroyedIds = new Set<number>();
  let locked = false;
  let nextObject = 2_013_467_312;

  const counters: ReferenceCounters = zeroCounters(0);
  let inFlight = 0;
  const requests: ReferenceRequest[] = [];

  const body = (lines: string[]): string => lines.map((line) => line + eol).join('');
  const time = (text: string): string => (options.unpaddedTimes ? unpad(text) : text);

  function newNonce(): string {
    // Real cameras send a decimal nonce.
    const nonce = String(randomInt(1_000_000_000, 2_147_483_647));
    nonces.set(nonce, new Set());
    return nonce;
  }

  function challenge(response: ServerResponse): void {
    counters.challenges++;
    // spec: "no algorithm (MD5), no spaces after commas"
    response.setHeader('WWW-Authenticate', `Digest realm="${realm}",qop="auth",nonce="${newNonce()}",opaque="${opaque}"`);
  }

  function send(response: ServerResponse, status: number, text: string, contentType = 'text/plain;charset=utf-8'): void {
    response.statusCode = status;
    response.setHeader('Content-Type', contentType);
    if (options.apiBodies === 'close-delimited' && text !== '') {
      // No length, not chunked: the body ends where the server closes the connection.
      response.removeHeader('Transfer-Encoding');
      response.write(text);
      response.end();
      return;
    }
    response.setHeader('Content-Length', Buffer.byteLength(text));
    response.end(text);
  }

  /** `true` when authorised; otherwise the 401/403 has been sent. */
  function authenticate(request: IncomingMessage, response: ServerResponse): boolean {
    const header = request.headers.authorization;
    if (options.auth === 'basic-only') {
      // spec: "Some old firmware offers only Basic (`Basic realm=\"Device_CGI\"`)"
      const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      if (header === expected) return true;
      if (header === undefined) counters.unauthenticated++;
      else counters.badDigests++;
      counters.challenges++;
      response.setHeader('WWW-Authenticate', 'Basic realm="Device_CGI"');
      send(response, 401, '');
      return false;
    }
    if (header === undefined) {
      counters.unauthenticated++;
      challenge(response);
      send(response, 401, '');
      return false;
    }
    // spec: "Digest only (Basic is refused since 2017 firmware)"
    const fields = parseDigest(header);
    const get = (key: string): string | undefined => fields?.[key]?.value;
    const refuse = (): false => {
      counters.badDigests++;
      challenge(response);
      send(response, 401, '');
      return false;
    };
    if (!fields) return refuse();
    const nonce = get('nonce');
    const nc = get('nc');
    const cnonce = get('cnonce');
    const qop = get('qop');
    // spec: "`qop` and `nc` must go back **unquoted**, the `uri` must include the query, an empty `opaque=""` must be echoed."
    if (fields['qop']?.quoted || fields['nc']?.quoted) return refuse();
    if (qop !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce || !nonce) return refuse();
    if (get('uri') !== request.url) return refuse();
    if (!fields['opaque'] || get('opaque') !== opaque) return refuse();
    if (get('username') !== username || get('realm') !== realm) return refuse();
    if (fields['algorithm'] && fields['algorithm'].value.toUpperCase() !== 'MD5') return refuse();
    const expected = md5(`${md5(`${username}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:${qop}:${md5(`${request.method}:${request.url}`)}`);
    if (get('response') !== expected) return refuse();
    const used = nonces.get(nonce);
    const reused = used === undefined || (nonceReuse === 'single-use' ? used.size > 0 : used.has(nc.toLowerCase()));
    if (reused) {
      if (profile === 'nvr' && nonceReuse === 'single-use') {
        counters.forbidden++;
        send(response, 403, 'Error\r\nInvalid Authority!\r\n');
      } else {
        challenge(response);
        send(response, 401, '');
      }
      return false;
    }
    used.add(nc.toLowerCase());
    return true;
  }

  function search(query: URLSearchParams, rawQuery: string, response: ServerResponse): void {
    const action = query.get('action');
    if (action === 'factory.create') {
      if (locked || objects.size >= maxObjects) {
        // spec: "leaked objects … make cameras answer 400 until rebooted"
        locked = true;
        send(response, 400, BAD_REQUEST);
        return;
      }
      const id = nextObject++;
      objects.set(id, { id, closed: false, cursor: 0 });
      everCreated.push(id);
      counters.creates++;
      counters.peakOpenObjects = Math.max(counters.peakOpenObjects, objects.size);
      send(response, 200, body([`result=${id}`]));
      return;
    }
    const object = objects.get(Number(query.get('object')));
    if (action === 'findFile') counters.findFiles++;
    if (action === 'findNextFile') counters.findNextFiles++;
    if (action === 'close') {
      if (!object) return send(response, 400, BAD_REQUEST);
      if (object.failed && options.closeAfterError === 'status-400') return send(response, 400, BAD_REQUEST);
      object.closed = true;
      closedIds.add(object.id);
      counters.closes++;
      send(response, 200, body(['OK']));
      return;
    }
    if (action === 'destroy') {
      if (!object) return send(response, 400, BAD_REQUEST);
      objects.delete(object.id);
      destroyedIds.add(object.id);
      counters.destroys++;
      send(response, 200, body(['OK']));
      return;
    }
    if (action === 'findFile') {
      if (!object || object.closed) return send(response, 400, BAD_REQUEST);
      // spec: "space sent as `%20`, never `+`, no fractions — those give 400"
      if (rawQuery.includes('+')) return send(response, 400, BAD_REQUEST);
      const start = query.get('condition.StartTime') ?? '';
      const end = query.get('condition.EndTime') ?? '';
      const channelText = query.get('condition.Channel') ?? '';
      if (!TIME.test(start) || !TIME.test(end) || !/^\d+$/.test(channelText)) return send(response, 400, BAD_REQUEST);
      const channel = Number(channelText);
      if (!searchChannels.includes(channel)) return send(response, 400, BAD_REQUEST);
      const from = wallSeconds(start);
      const to = wallSeconds(end);
      if (to <= from) return send(response, 400, BAD_REQUEST);
      const types = [...query.entries()].filter(([key]) => /^condition\.Types\[\d+\]$/.test(key)).map(([, value]) => value);
      const flags = [...query.entries()].filter(([key]) => /^condition\.Flags\[\d+\]$/.test(key)).map(([, value]) => value);
      const events = [...query.entries()].filter(([key]) => /^condition\.Events\[\d+\]$/.test(key)).map(([, value]) => value);
      const stream = query.get('condition.VideoStream');
      const conditions = options.conditions ?? 'honour';
      if (conditions === 'refuse' && (flags.length > 0 || events.length > 0 || stream !== null)) return send(response, 400, BAD_REQUEST);
      const applyConditions = conditions === 'honour';
      // The camera's one channel answers to 1 (and 0 where configured); an NVR's channel N lists channel N's files.
      const channelFiles = profile === 'nvr' ? files.filter((file) => file.channel === channel) : files;
      const results = channelFiles.filter((file) => {
        const fileStart = wallSeconds(file.start);
        const fileEnd = wallSeconds(file.end);
        if (!(fileStart < to && fileEnd > from)) return false;
        if (types.length > 0 && (options.typesCondition ?? 'honour') === 'honour') {
          const kind = file.ext === 'mp4_' ? 'mp4' : file.ext;
          if (!types.includes(kind)) return false;
        }
        if (!applyConditions) return true;
        if (flags.length > 0 && !(file.flags ?? []).some((flag) => flags.includes(flag))) return false;
        if (events.length > 0 && !(file.events ?? []).some((event) => events.includes(event))) return false;
        if (stream && (file.videoStream ?? 'Main') !== stream) return false;
        return true;
      });
      if (results.length === 0 && options.emptyFindFile === 'status-400') {
        object.failed = true;
        return send(response, 400, BAD_REQUEST);
      }
      object.results = results;
      object.cursor = 0;
      send(response, 200, body(['OK']));
      return;
    }
    if (action === 'findNextFile') {
      if (!object || object.closed || object.results === undefined) return send(response, 400, BAD_REQUEST);
      const countText = query.get('count') ?? '';
      // spec: "count=100 (repeat; 100 is the maximum)"
      if (!/^\d+$/.test(countText) || Number(countText) < 1 || Number(countText) > 100) return send(response, 400, BAD_REQUEST);
      const page = object.results.slice(object.cursor, object.cursor + Number(countText));
      object.cursor += page.length;
      if (page.length === 0) {
        const end = options.searchEnd ?? 'found-0';
        if (end === 'found-0') return send(response, 200, body(['found=0']));
        object.failed = true;
        // spec: "Some firmware answers 200 with an error body."
        if (end === 'error-body-200') return send(response, 200, BAD_REQUEST);
        return send(response, 400, BAD_REQUEST);
      }
      const lines: string[] = [];
      page.forEach((file, index) => {
        const path = filePathOf(file, profile);
        const prefix = `items[${index}].`;
        const fields: Array<[string, string]> = [
          // spec: "Items report `Channel=0` while the path says `/001/`" (0-based channel in items).
          ['Channel', String(file.channel - 1 + (options.itemChannelBase ?? 0))],
          ['Duration', String(wallSeconds(file.end) - wallSeconds(file.start))],
          ['EndTime', time(file.end)],
          ['FilePath', path],
          ['Length', String(file.content.length)],
          ['StartTime', time(file.start)],
          ['Type', file.type ?? (file.ext === 'jpg' ? 'jpg' : 'dav')],
          ['VideoStream', file.videoStream ?? 'Main'],
          ['Disk', '0'],
          ['Partition', '0'],
          ['Cluster', String(10_000 + index)],
        ];
        (file.events ?? []).forEach((event, n) => fields.push([`Events[${n}]`, event]));
        (file.flags ?? []).forEach((flag, n) => fields.push([`Flags[${n}]`, flag]));
        if (file.fileState) fields.push(['FileState', file.fileState]);
        if (file.utcOffset !== undefined) fields.push(['UTCOffset', String(file.utcOffset)]);
        for (const [key, value] of Object.entries(file.extra ?? {})) fields.push([key, value]);
        for (const [key, value] of fields) lines.push(`${prefix}${key}=${value}`);
      });
      if (options.sortedKeys ?? true) lines.sort();
      send(response, 200, body([`found=${page.length}`, ...lines]));
      return;
    }
    send(response, 501, NOT_IMPLEMENTED);
  }

  function download(rawPath: string, request: IncomingMessage, response: ServerResponse): void {
    const mode = options.loadfilePaths ?? 'both';
    const hasEncoded = /%[0-9a-fA-F]{2}/.test(rawPath);
    let path: string | undefined;
    if (hasEncoded && mode === 'raw') path = undefined;
    else if (!hasEncoded && /[[\]]/.test(rawPath) && mode === 'encoded') path = undefined;
    else {
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        path = undefined;
      }
    }
    const file = path === undefined || removed.has(path) ? undefined : byPath.get(path);
    if (!file || path === undefined) return send(response, options.loadfileRefusal === 'error-body-200' ? 200 : 400, BAD_REQUEST);
    const total = file.content.length;
    const rangeHeader = request.headers.range;
    const ranged = options.range && rangeHeader ? /^bytes=(\d+)-(\d*)$/.exec(rangeHeader) : null;
    counters.downloads.set(path, (counters.downloads.get(path) ?? 0) + 1);
    // spec: "`200 Application/octet-stream` with `Content-Length`"
    response.setHeader('Content-Type', 'Application/octet-stream');
    if (ranged) {
      const first = Number(ranged[1]);
      const last = ranged[2] ? Math.min(Number(ranged[2]), total - 1) : total - 1;
      if (first >= total || last < first) {
        response.statusCode = 416;
        response.setHeader('Content-Range', `bytes */${total}`);
        response.setHeader('Content-Length', 0);
        response.end();
        return;
      }
      response.statusCode = 206;
      response.setHeader('Content-Range', `bytes ${first}-${last}/${total}`);
      response.setHeader('Content-Length', last - first + 1);
      response.end(file.content.subarray(first, last + 1));
      return;
    }
    response.statusCode = 200;
    if (options.loadfileBodies === 'close-delimited') {
      response.removeHeader('Transfer-Encoding');
      response.write(file.content);
      response.end();
      return;
    }
    response.setHeader('Content-Length', total);
    response.end(file.content);
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const questionMark = url.indexOf('?');
    const pathname = questionMark === -1 ? url : url.slice(0, questionMark);
    const rawQuery = questionMark === -1 ? '' : url.slice(questionMark + 1);
    const query = new URLSearchParams(rawQuery.replaceAll('+', '%2B'));
    const action = query.get('action') ?? '';
    if (options.paramErrors?.includes(action)) {
      // spec: "A 200 body whose first line is `Error: Error -1 getting param in name=Lighting[0][0]` is an error"
      send(response, 200, body([`Error: Error -1 getting param in name=${action}[0][0]`]));
      return;
    }
    if (pathname === '/cgi-bin/mediaFileFind.cgi') return search(query, rawQuery, response);
    if (pathname.startsWith('/cgi-bin/RPC_Loadfile/')) return download(pathname.slice('/cgi-bin/RPC_Loadfile'.length), request, response);
    if (pathname === '/cgi-bin/global.cgi' && action === 'getCurrentTime') {
      const now = options.currentTime?.() ?? wallClockAt(Date.now(), -5 * 3600);
      return send(response, 200, body([`result=${time(now)}`]));
    }
    if (pathname === '/cgi-bin/magicBox.cgi') {
      const device = options.device ?? {};
      const answers: Record<string, string> = {
        getDeviceType: `type=${device.deviceType ?? (profile === 'nvr' ? 'DHI-NVR4104HS-P-4KS2' : 'IP2M-841B')}`,
        getSerialNo: `sn=${device.serialNo ?? 'AMC018NP69LM4VM2VY'}`,
        getSoftwareVersion: `version=${device.softwareVersion ?? '2.800.0000000.8.R,build:2020-03-18'}`,
        getMachineName: `name=${device.machineName ?? 'Front=Door'}`,
      };
      if (action === 'getProductDefinition' && query.get('name') === 'MaxRemoteInputChannels') {
        return send(response, 200, body([`table.MaxRemoteInputChannels=${profile === 'nvr' ? channels : 0}`]));
      }
      const answer = answers[action];
      return answer ? send(response, 200, body([answer])) : send(response, 501, NOT_IMPLEMENTED);
    }
    if (pathname === '/cgi-bin/devVideoInput.cgi' && action === 'getCollect') return send(response, 200, body([`result=${profile === 'nvr' ? 0 : 1}`]));
    send(response, 404, 'Error\r\nNot Found!\r\n');
  }

  const sockets = new Set<Socket>();
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    // spec: "Servers answer `Connection: close`."
    response.setHeader('Connection', 'close');
    response.shouldKeepAlive = false;
    const entry: ReferenceRequest = { method: request.method ?? '', url: request.url ?? '', status: 0, authorized: request.headers.authorization !== undefined };
    if (request.headers.range) entry.range = request.headers.range;
    requests.push(entry);
    inFlight++;
    counters.peakInFlight = Math.max(counters.peakInFlight, inFlight);
    // Counted out at 'finish' (the last byte handed to the socket), so a client's next request on a new connection
    // is never counted together with one it has already received; 'close' covers an answer cut short.
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      entry.status = response.statusCode;
    };
    response.on('finish', finished);
    response.on('close', finished);
    request.resume();
    if (request.method !== 'GET') return send(response, 400, BAD_REQUEST);
    if (!authenticate(request, response)) return;
    handle(request, response);
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    username,
    password,
    files,
    paths,
    requests,
    counters,
    openObjects: () => [...objects.keys()],
    leaks: () => ({
      notClosed: everCreated.filter((id) => !closedIds.has(id)),
      notDestroyed: everCreated.filter((id) => !destroyedIds.has(id)),
    }),
    removeFile: (path) => removed.add(path),
    restart: () => {
      objects = new Map();
      locked = false;
    },
    resetCounters: () => {
      requests.length = 0;
      Object.assign(counters, zeroCounters(objects.size));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Wall-clock `YYYY-MM-DD HH:MM:SS` `seconds` after `start`. */
export function addWallSeconds(start: string, seconds: number): string {
  return wallClockAt((wallSeconds(start) + seconds) * 1000, 0);
}

/** The wall clock at `ms` (epoch) in a zone `offsetSeconds` from UTC. */
export function wallClockAt(ms: number, offsetSeconds: number): string {
  const date = new Date(ms + offsetSeconds * 1000);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

/** Makes a small real H.264 mp4 (lavfi test pattern) of `seconds`, returns its bytes. */
export function makeH264Part(ffmpeg: string, directory: string, name: string, seconds: number, pattern = 0): Buffer {
  const output = join(directory, name);
  execFileSync(
    ffmpeg,
    ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=10,hue=h=${pattern * 40}`, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10', output],
    { stdio: 'ignore' },
  );
  return readFileSync(output);
}

/** Deterministic synthetic bytes (for `.dav` files and the skipped items that are never downloaded). */
export function syntheticBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed * 2_654_435_761 + 1;
  for (let index = 0; index < size; index++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** A camera's window 2026-01-16 20:00–20:10: three real parts (2 s, 3 s, 2 s, gaps between), and the items to skip. */
export function cameraFiles(parts: [Buffer, Buffer, Buffer]): ReferenceFile[] {
  return [
    { channel: 1, start: '2026-01-16 20:00:00', end: '2026-01-16 20:00:02', ext: 'mp4', content: parts[0], flags: ['Timing'], extra: { Remark: 'cut=1;note=a=b' } },
    { channel: 1, start: '2026-01-16 20:01:00', end: '2026-01-16 20:01:00', ext: 'jpg', content: syntheticBytes(512, 1), events: ['VideoMotion'], flags: ['Event'] },
    { channel: 1, start: '2026-01-16 20:02:00', end: '2026-01-16 20:02:03', ext: 'mp4', content: parts[1], events: ['VideoMotion'], flags: ['Event'], utcOffset: -18_000 },
    { channel: 1, start: '2026-01-16 20:04:00', end: '2026-01-16 20:04:02', ext: 'mp4', content: parts[2], flags: ['Timing'] },
    // spec: "Items may carry … `FileState=Temporary` (still being written)": a finished-looking .mp4 path.
    { channel: 1, start: '2026-01-16 20:05:00', end: '2026-01-16 20:05:02', ext: 'mp4', content: syntheticBytes(2048, 2), fileState: 'Temporary', flags: ['Timing'] },
    // spec: "A file still being recorded ends in `.mp4_`: skip it."
    { channel: 1, start: '2026-01-16 20:06:00', end: '2026-01-16 20:06:05', ext: 'mp4_', content: syntheticBytes(4096, 3), flags: ['Timing'] },
    // spec: "a recorder may list the same time from Main and Extra streams: keep Main unless asked"
    { channel: 1, start: '2026-01-16 20:04:00', end: '2026-01-16 20:04:02', ext: 'mp4', content: syntheticBytes(3000, 4), flags: ['Timing'], videoStream: 'Extra1' },
  ];
}

/** The finished Main-stream videos of `files` (what a client must download), in server order. */
export function expectedVideos(server: { files: ReferenceFile[]; paths: string[] }): string[] {
  return server.paths.filter((_, index) => {
    const file = server.files[index]!;
    return (file.ext === 'mp4' || file.ext === 'dav') && file.fileState === undefined && (file.videoStream ?? 'Main') === 'Main';
  });
}

/** An NVR's `.dav` hour files on channels 1 and 2 (synthetic bytes), and one on channel 3 that is not asked for. */
export function nvrFiles(): ReferenceFile[] {
  return [
    { channel: 1, start: '2026-01-16 20:00:00', end: '2026-01-16 20:04:00', ext: 'dav', content: syntheticBytes(40_000, 11), flags: ['Timing'] },
    { channel: 1, start: '2026-01-16 20:04:00', end: '2026-01-16 20:08:00', ext: 'dav', content: syntheticBytes(50_000, 12), flags: ['Timing'] },
    { channel: 2, start: '2026-01-16 20:01:00', end: '2026-01-16 20:05:00', ext: 'dav', content: syntheticBytes(30_000, 21), flags: ['Event'], events: ['VideoMotion'] },
    { channel: 3, start: '2026-01-16 20:00:00', end: '2026-01-16 20:09:00', ext: 'dav', content: syntheticBytes(10_000, 31), flags: ['Timing'] },
  ];
}

/** The variants every interop test runs against: each one a set of strict real behaviours. */
export const CAMERA_VARIANTS: Record<string, Omit<ReferenceServerOptions, 'files'>> = {
  // One nonce for the whole run, CRLF, found=0, sorted keys, raw or encoded paths, no Range.
  'camera: CRLF, found=0, nonce kept': {},
  // Every nonce serves one request (401 + fresh challenge), bare \n, 200 Error body ending, unpadded times,
  // only percent-encoded paths, Range honoured, one search object at a time, Flags/Events/VideoStream refused.
  'camera: single-use nonce 401, LF, Error-body end, unpadded, encoded paths, Range, conditions refused': {
    conditions: 'refuse',
    nonceReuse: 'single-use',
    lineEnding: '\n',
    searchEnd: 'error-body-200',
    unpaddedTimes: true,
    loadfilePaths: 'encoded',
    range: true,
    maxSearchObjects: 1,
  },
  // 400 ends the pages and answers an empty window, empty opaque echoed, raw paths only, Types ignored, channel 0 too.
  'camera: 400 end, 400 empty findFile, opaque="", raw paths, Types and other conditions ignored, close-delimited bodies': {
    apiBodies: 'close-delimited',
    searchEnd: 'status-400',
    emptyFindFile: 'status-400',
    opaque: '',
    loadfilePaths: 'raw',
    typesCondition: 'ignore',
    conditions: 'ignore',
    searchChannels: [0, 1],
    sortedKeys: false,
  },
};

export const NVR_VARIANTS: Record<string, Omit<ReferenceServerOptions, 'files'>> = {
  'nvr: single-use nonce 403, .dav, found=0': { profile: 'nvr', nonceReuse: 'single-use' },
  'nvr: 400 for an empty mp4 window, 400 end, LF, 1-based item channels': { profile: 'nvr', emptyFindFile: 'status-400', searchEnd: 'status-400', lineEnding: '\n', maxSearchObjects: 1, itemChannelBase: 1 },
};

/**
 * A recorder's port 80 sending everything to its https port (spec: "A recorder may redirect port 80 to HTTPS with a
 * self-signed certificate"), without asking for credentials. Records whether any request carried some.
 */
export async function startRedirectServer(target: string, status = 302): Promise<{ url: string; requests: Array<{ url: string; authorized: boolean }>; close(): Promise<void> }> {
  const requests: Array<{ url: string; authorized: boolean }> = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorized: request.headers.authorization !== undefined });
    request.resume();
    response.writeHead(status, { Location: `${target}${request.url ?? '/'}`, Connection: 'close', 'Content-Length': 0 });
    response.end();
  });
  const { url, close } = await serveOnLoopback(server);
  return { url, requests, close };
}

/**
 * What every run against the reference server must leave behind on the device: every search object closed and
 * destroyed, at most `cap` open at once, never more than the 4 parallel downloads in flight (spec: "more than a
 * few open connections make cameras answer 400"), no refused `factory.create` and never a bad digest.
 */
export function expectCleanSearches(server: ReferenceDahuaServer, cap: number): void {
  expect(server.leaks()).toEqual({ notClosed: [], notDestroyed: [] });
  expect(server.openObjects()).toEqual([]);
  expect(server.counters.creates).toBeGreaterThan(0);
  expect(server.counters.closes).toBe(server.counters.creates);
  expect(server.counters.destroys).toBe(server.counters.creates);
  expect(server.counters.peakOpenObjects).toBeLessThanOrEqual(cap);
  expect(server.counters.peakInFlight).toBeLessThanOrEqual(4);
  expect(server.requests.filter((request) => request.status === 400 && request.url.includes('factory.create'))).toEqual([]);
  expect(server.counters.badDigests).toBe(0);
}
