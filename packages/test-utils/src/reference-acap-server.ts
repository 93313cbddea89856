/**
 * A reference model of the Axis Timelapse ACAPs as a camera really serves them: a FastCGI responder
 * (the ACAP's single FastCGI thread) behind real Apache httpd with mod_auth_digest and
 * mod_proxy_fcgi (the camera's web server). Written from the ACAPs' own sources, independently of
 * `@camdl/camera-sim`; each behaviour names the source line it reproduces:
 *
 * - pandosme/Timelapse2 (1.x): app/ACAP.c, app/recordings.c, app/main.c (tags 1.0.0 … 1.1.3);
 * - pandosme/Timelapse3 (3.x): app/ACAP.c, app/recordings.c, app/storage.c, app/migration.c,
 *   app/main.c (commits 68d85ff 3.0.0 … 75cb2c5 3.1.4);
 * - legacy TimelapseMe 20.8.1: only its EAP (pandosme/acaps timelapse/files): `cgi_paths.txt`, the
 *   web UI (`listarchive.html`) and the binary's strings. Its listing shape and error codes are not
 *   in anything readable and are marked as assumptions below.
 *
 * Apache passes the request on exactly as the camera's does: `QUERY_STRING` and `REQUEST_URI`
 * undecoded, `HTTP_RANGE`/`HTTP_IF_RANGE` as sent; it turns the responder's CGI headers (`Status:`)
 * into the status line and chunks bodies without a `Content-Length`.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { startApacheServer, type RunningTestServer } from './apache-server.js';
import { startLighttpdServer } from './lighttpd-server.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

/** The app versions modelled (the manifest version `GET app` reports). */
export type ReferenceAcapVersion = '1.1.2' | '1.1.3' | '3.0.2' | '3.1.0' | '3.1.2' | '3.1.4' | 'timelapseme';

/** One archive on the camera. */
export interface ReferenceArchive {
  /** Profile id (`"legacy"` for a migrated, unindexed AVI on 3.x). */
  id: string;
  filename: string;
  /** The file's bytes. */
  content: Buffer;
  frames?: number;
  fps?: number;
  first?: number;
  last?: number;
  /** 3.x: a migrated AVI (`migrated: true, sourceContainer: "avi"`). */
  migrated?: boolean;
  /**
   * 3.x: migrated from an AVI that was in no index (migration.c `scan_unindexed_archives`): listed
   * with `id: "legacy"`, `frames`/`first`/`last`/`sourceSize` 0 and `fps` 10.
   */
  unindexed?: boolean;
}

/** One request as the ACAP saw it (through Apache, after authentication). */
export interface AcapRequest {
  method: string;
  /** REQUEST_URI as received, raw bytes as latin1. */
  uri: string;
  /** QUERY_STRING, raw bytes as latin1. */
  query: string;
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
  /** Another request was being answered when this one reached the app. */
  overlapped: boolean;
}

export interface ReferenceAcap {
  /** Apache's base URL (`http://127.0.0.1:port`). */
  url: string;
  version: ReferenceAcapVersion;
  username: string;
  password: string;
  /** Requests that reached the app, in order. */
  readonly requests: AcapRequest[];
  /** Apache's access log lines (401 challenges included). */
  accessLog(): Promise<string[]>;
  /** The `GET archive` / `GET archives` entries as the app would list them now. */
  listing(): Record<string, unknown>[];
  /** Whether a file is still on the camera. */
  hasFile(filename: string): Promise<boolean>;
  /** Answer the next `count` requests to not-yet-registered handlers as the app does while starting. */
  startFor(count: number): void;
  /**
   * The next file answer stops after `bytes` bytes of body: `end` as 3.1.4's `stream_file_response`
   * does when shutdown is requested or a 2 s send timeout (SO_SNDTIMEO) expires (the FastCGI request
   * ends normally, so an Apache that dropped Content-Length ends the chunked body cleanly), `die` as an
   * app that crashes or is restarted (the FastCGI connection drops).
   */
  cutNextFile(bytes: number, how: 'end' | 'die'): void;
  stop(): Promise<void>;
}

export interface ReferenceAcapOptions {
  version: ReferenceAcapVersion;
  archives: ReferenceArchive[];
  username?: string;
  password?: string;
  /** Digest realm (an Axis camera's is `AXIS_<MAC>`). */
  realm?: string;
  /**
   * Apache 2.4.59+ drops the `Content-Length` a CGI/FastCGI responder sends (and chunks the body)
   * unless `ap_trust_cgilike_cl` is set. Which one a camera's AXIS OS ships is not known: test both.
   * @default false (stock Apache: Content-Length dropped)
   */
  trustContentLength?: boolean;
  /**
   * A camera whose `GET app` JSON is 4 KiB or more (a long `device.resolutions` list, as ACAP.c
   * `ACAP_DEVICE` builds it from `root.Properties.Image.Resolution`): 1.0–1.1.2 then send it empty.
   * @default false
   */
  largeAppJson?: boolean;
  /**
   * The web server in front: Apache httpd (mod_auth_digest + mod_proxy_fcgi), as on the camera, or
   * lighttpd (mod_auth + mod_fastcgi), whose Digest compares `uri` with the request-target byte for byte.
   * @default 'apache'
   */
  frontEnd?: 'apache' | 'lighttpd';
  /**
   * 3.x found Timelapse2 1.x AVIs and waits for the user to decide about migrating them (main.c
   * `delayed_Init`: `Migration_Is_Pending()`): the archive handlers are never registered and `GET app`
   * says `status.app.status: "Waiting for AVI migration decision"`. @default false
   */
  migrationPending?: boolean;
}

const FCGI = { BEGIN: 1, ABORT: 2, END: 3, PARAMS: 4, STDIN: 5, STDOUT: 6 } as const;

interface Family {
  v1: boolean;
  v3: boolean;
  me: boolean;
  /** Timelapse3 ACAP.c `http_param_decode`, from 3.1.3 (commit d1fcf39). */
  decodes: boolean;
  /** Timelapse3 recordings.c `parse_byte_range`, ETag, If-Range: from 3.1.1 (commit 0576f17). */
  ranges: boolean;
  /** Timelapse3 ACAP.c `ACAP_HTTP_Is_Declared_Node` → 503: from 3.1.1 (commit 0576f17); earlier 404 "Not Found". */
  starting503: boolean;
  /** Timelapse2 ACAP.c (1.0.0–1.1.2) `ACAP_HTTP_Respond_JSON` printed through a 4096-byte buffer. */
  jsonLimit: boolean;
  /** Timelapse3 storage.c `storage_name_is_safe` on download: from 3.1.3 (commit d1fcf39). */
  safeNames: boolean;
}

function familyOf(version: ReferenceAcapVersion): Family {
  if (version === 'timelapseme') return { v1: false, v3: false, me: true, decodes: true, ranges: false, starting503: false, jsonLimit: false, safeNames: false };
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const atLeast = (a: number, b: number, c: number): boolean => major * 10_000 + minor * 100 + patch >= a * 10_000 + b * 100 + c;
  const v3 = major === 3;
  return {
    v1: !v3,
    v3,
    me: false,
    decodes: v3 && atLeast(3, 1, 3),
    ranges: v3 && atLeast(3, 1, 1),
    starting503: v3 && atLeast(3, 1, 1),
    jsonLimit: !v3 && !atLeast(1, 1, 3),
    safeNames: v3 && atLeast(3, 1, 3),
  };
}

/** The `manifest.json` each version ships (httpConfig names are what Apache forwards to the app). */
function manifestOf(version: ReferenceAcapVersion): Record<string, unknown> {
  const v3 = version.startsWith('3.');
  const names = v3
    ? ['app', 'settings', 'status', 'timelapse', 'recordings', 'migration', 'video', 'export', 'sunevents', 'archive', 'download', 'reset']
    : ['app', 'settings', 'status', 'timelapse', 'recordings', 'image', 'export', 'sunevents', 'archive', 'download', 'reset'];
  const setup = v3
    ? { friendlyName: 'Timelapse2', appName: 'timelapse2', vendor: 'fred@juhlin.me', vendorId: '6d8351dbbe', vendorUrl: 'https://pandosme.github.io', runMode: 'respawn', version, compatibleOsVersions: [{ min: '12', max: '13' }] }
    : { friendlyName: 'Timelapse2', appName: 'timelapse2', vendor: 'Fred Juhlin', embeddedSdkVersion: '3.0', vendorUrl: 'https://pandosme.github.io', runMode: 'respawn', version };
  return {
    schemaVersion: v3 ? '2.2.0' : '1.7.1',
    acapPackageConf: {
      setup,
      configuration: { settingPage: 'index.html', httpConfig: names.map((name) => ({ access: 'admin', name, type: 'fastCgi' })) },
    },
    resources: { linux: { user: { groups: ['storage'] } }, dbus: { requiredMethods: ['com.axis.HTTPConf1.VAPIXServiceAccounts1.GetCredentials'] } },
  };
}

/**
 * `GET app`: the whole app object, `{manifest, settings, status, device}` (ACAP.c `ACAP()`:
 * manifest.json, settings/settings.json merged with localdata, then `ACAP_Set_Config("status")` and
 * `("device")`). 1.x settings: archiveSize/archiveSplit/retentionMonths 1; 3.x: retentionMonths 6.
 */
function appObject(version: ReferenceAcapVersion, large: boolean, migrationPending: boolean): Record<string, unknown> {
  const v3 = version.startsWith('3.');
  const many = (w: number, h: number): string[] => Array.from({ length: 150 }, (_, i) => `${w - 16 * i}x${h - 9 * i}`);
  return {
    manifest: manifestOf(version),
    settings: v3 ? { retentionMonths: 6 } : { archiveSize: 500, archiveSplit: 'era', retentionMonths: 1 },
    // main.c sets `app.status` "The application is starting" before ACAP() creates the status
    // container (a no-op); 3.x sets it again once running (`start_services`) or waiting (`delayed_Init`).
    status: v3
      ? { sdcard: { present: true, message: '' }, app: { status: migrationPending ? 'Waiting for AVI migration decision' : 'Timelapse is running' } }
      : { sdcard: { present: true, message: '' } },
    device: {
      serial: 'ACCC8EB3494E',
      model: 'M3106-L Mk II',
      platform: 'artpec-7',
      chip: 'armv7hf',
      firmware: v3 ? '12.6.97' : '11.11.160',
      location: { lat: 55.7, lon: 13.2, name: 'Lund' },
      aspect: '16:9',
      resolutions: large
        ? { '16:9': many(3840, 2160), '4:3': many(2592, 1944), '1:1': ['1080x1080', '720x720', '480x480'] }
        : { '16:9': ['1920x1080', '1280x720', '800x450', '640x360', '480x270', '320x180'], '4:3': ['1440x1080', '1024x768', '800x600', '640x480', '320x240'], '1:1': ['1080x1080', '720x720', '480x480'] },
    },
  };
}

/** A CGI response: header lines, then the body. */
interface CgiResponse {
  status: number;
  head: string;
  body: Buffer | undefined;
  /** A file to stream after the head: [path, start, length]. */
  file?: { path: string; start: number; length: number };
}

const statusOf = (head: string): number => Number(/^status: (\d{3})/im.exec(head)?.[1] ?? 200);

/** ACAP.c `ACAP_HTTP_Respond_Error`: `Status: <code> Client|Server Error`, text/plain, no newline. */
function errorResponse(code: number, message: string): CgiResponse {
  const kind = code < 500 ? 'Client' : code < 600 ? 'Server' : 'Unknown';
  return { status: code, head: `Status: ${code} ${kind} Error\r\nContent-Type: text/plain\r\n\r\n`, body: Buffer.from(message, 'utf8') };
}

/** ACAP.c `ACAP_HTTP_Respond_Text`: 200, `text/plain; charset=utf-8`, `Cache-Control: no-cache`. */
function textResponse(message: string): CgiResponse {
  return { status: 200, head: 'Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-cache\r\n\r\n', body: Buffer.from(message, 'utf8') };
}

/**
 * ACAP.c `ACAP_HTTP_Respond_JSON` (cJSON_PrintUnformatted). 1.0.0–1.1.2 printed the text through
 * `ACAP_HTTP_Respond_String`'s 4096-byte buffer, which writes nothing when the text does not fit:
 * the headers go out, the body is empty (fixed in 1.1.3 with a direct `FCGX_PutStr`).
 */
function jsonResponse(value: unknown, family: Family): CgiResponse {
  const text = Buffer.from(JSON.stringify(value), 'utf8');
  const head = family.me ? 'Content-Type: application/json; charset=utf-8; Cache-Control: no-cache\r\n\r\n' : 'Content-Type: application/json; charset=utf-8\r\nCache-Control: no-cache\r\n\r\n';
  return { status: 200, head, body: family.jsonLimit && text.length >= 4096 ? Buffer.alloc(0) : text };
}

/**
 * ACAP.c `ACAP_HTTP_Request_Param`: the value after `name=` found at the start of QUERY_STRING or
 * after a `&`, up to the next `&`; raw bytes, percent-decoded (with `+` as space) only from 3.1.3.
 */
function requestParam(query: Buffer, name: string, decode: boolean): Buffer | undefined {
  const needle = Buffer.from(`${name}=`, 'latin1');
  let start = 0;
  for (;;) {
    const at = query.indexOf(needle, start);
    if (at < 0) return undefined;
    if (at !== 0 && query[at - 1] !== 0x26) {
      start = at + 1;
      continue;
    }
    const from = at + needle.length;
    const end = query.indexOf(0x26, from);
    const value = query.subarray(from, end < 0 ? query.length : end);
    return decode ? percentDecode(value) : Buffer.from(value);
  }
}

/** ACAP.c (3.1.3+) `http_param_decode`: `+` → space, `%XX` with two hex digits → byte, rest as is. */
function percentDecode(value: Buffer): Buffer {
  const out: number[] = [];
  const hex = (byte: number | undefined): boolean => byte !== undefined && /[0-9a-f]/i.test(String.fromCharCode(byte));
  for (let i = 0; i < value.length; i++) {
    const byte = value[i]!;
    if (byte === 0x2b) out.push(0x20);
    else if (byte === 0x25 && hex(value[i + 1]) && hex(value[i + 2])) {
      out.push(Number.parseInt(String.fromCharCode(value[i + 1]!, value[i + 2]!), 16));
      i += 2;
    } else out.push(byte);
  }
  return Buffer.from(out);
}

/** C's `atoll`: leading blanks, a sign, digits; 0 when none. */
function atoll(text: string): number {
  const match = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Timelapse3 recordings.c `parse_byte_range` (3.1.1+): 1 = a satisfiable single range, 0 = send the
 * whole file (absent, not `bytes=`, multi-range, no dash), -1 = unsatisfiable.
 */
function parseByteRange(header: string | undefined, size: number): { result: 1 | 0 | -1; start: number; end: number } {
  const whole = { result: 0 as const, start: 0, end: size - 1 };
  if (header === undefined || !header.startsWith('bytes=') || size <= 0) return whole;
  let spec = header.slice(6);
  while (spec.startsWith(' ')) spec = spec.slice(1);
  if (spec.includes(',')) return whole;
  const dash = spec.indexOf('-');
  if (dash < 0) return whole;
  let start: number;
  let end = size - 1;
  if (dash === 0) {
    const suffix = atoll(spec.slice(1));
    if (suffix <= 0) return { result: -1, start: 0, end: 0 };
    start = suffix >= size ? 0 : size - suffix;
  } else {
    start = atoll(spec);
    if (dash + 1 < spec.length) end = atoll(spec.slice(dash + 1));
  }
  if (start < 0 || start >= size) return { result: -1, start: 0, end: 0 };
  if (end >= size) end = size - 1;
  if (end < start) return { result: -1, start: 0, end: 0 };
  return { result: 1, start, end };
}

export async function startReferenceAcap(options: ReferenceAcapOptions): Promise<ReferenceAcap> {
  const { version } = options;
  const family = familyOf(version);
  const username = options.username ?? 'root';
  const password = options.password ?? 'pass';
  const realm = options.realm ?? 'AXIS_ACCC8EB3494E';
  const appName = family.me ? 'timelapseme' : 'timelapse2';
  const storage: TempDir = await makeTempDir('camdl-ref-acap-');
  await chmod(storage.path, 0o755);
  // 1.x: /var/spool/storage/SD_DISK/timelapse2/archive/<name> (recordings.c); 3.x: <storage root>/archive.
  const archiveDir = join(storage.path, 'archive');
  await mkdir(archiveDir);
  interface Entry {
    archive: ReferenceArchive;
    key: Buffer;
  }
  let entries: Entry[] = [];
  for (const archive of options.archives) {
    const key = Buffer.from(archive.filename, 'utf8');
    await writeFile(Buffer.from(`${archiveDir}/${archive.filename}`, 'utf8'), archive.content);
    entries.push({ archive, key });
  }
  const requests: AcapRequest[] = [];
  let startingLeft = 0;
  let nextCut: { bytes: number; how: 'end' | 'die' } | undefined;
  let busy = false;

  const listingEntry = (archive: ReferenceArchive): Record<string, unknown> => {
    const frames = archive.frames ?? 1440;
    const common = { frames, fps: archive.fps ?? 10, first: archive.first ?? 1_727_560_800_123, last: archive.last ?? 1_727_647_140_456 };
    if (family.v1 || family.me) {
      // 1.x recordings.c `Recordings_Archive`: `size` is the recording's metadata size, the JPEG
      // payload: the AVI file minus its 248-byte header and 24 bytes (chunk header + index entry) a frame.
      const size = Math.max(0, archive.content.length - 248 - 24 * frames);
      return family.me ? { id: archive.id, filename: archive.filename, size, ...common } : { id: archive.id, filename: archive.filename, size, ...common };
    }
    // 3.x recordings.c `Recordings_Archive_Impl` / migration.c `archive_entry_from_task`.
    if (archive.unindexed) {
      return { id: 'legacy', filename: archive.filename, size: archive.content.length, sourceSize: 0, frames: 0, fps: 10, first: 0, last: 0, container: 'mp4', codec: 'h264', migrated: true, sourceContainer: 'avi' };
    }
    const base = { id: archive.id, filename: archive.filename, size: archive.content.length, sourceSize: archive.migrated ? archive.content.length * 3 : archive.content.length * 4, ...common, container: 'mp4', codec: 'h264' };
    return archive.migrated ? { ...base, migrated: true, sourceContainer: 'avi' } : base;
  };
  const listing = (): Record<string, unknown>[] => entries.map((entry) => listingEntry(entry.archive));
  const pathOf = (name: Buffer): Buffer => Buffer.concat([Buffer.from(`${archiveDir}/`, 'utf8'), name]);

  /** Streams a file the way each version's download handler does. */
  const download = async (name: Buffer, params: Map<string, Buffer>): Promise<CgiResponse> => {
    let size: number;
    let mtime: number;
    const path = pathOf(name);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
      mtime = Math.floor(info.mtimeMs / 1000);
    } catch {
      // fopen(path, "rb") failed: recordings.c `HTTP_Endpoint_Download` (1.x), `stream_file_response` (3.x).
      return family.me ? meError(404, 'File does not exist') : errorResponse(404, 'File not found');
    }
    const shown = name.toString('latin1');
    if (family.me) {
      // TimelapseMe binary strings: the export's header block (as a CGI would send it).
      const head = `Status: 200 OK\r\nPragma: public\r\nContent-Description: File Transfer\r\nContent-Type: video/x-msvideo\r\nContent-Disposition: attachment; filename=${shown}\r\nContent-Transfer-Encoding: binary\r\nExpires: 0\r\nCache-Control: must-revalidate\r\nContent-Length: ${size}\r\n\r\n`;
      return { status: 200, head, body: undefined, file: { path: path.toString('latin1'), start: 0, length: size } };
    }
    if (family.v1) {
      // Timelapse2 recordings.c `HTTP_Endpoint_Download`: no Range, no validator.
      const head = `status: 200 OK\r\nContent-Type: video/x-msvideo\r\nContent-Disposition: attachment; filename=${shown}\r\nContent-Length: ${size}\r\n\r\n`;
      return { status: 200, head, body: undefined, file: { path: path.toString('latin1'), start: 0, length: size } };
    }
    const disposition = params.get('inline')?.toString('latin1') === '1' ? 'inline' : 'attachment';
    if (!family.ranges) {
      // Timelapse3 3.0.2–3.1.0 `stream_file_response(response, path, ...)`: no Range, no ETag.
      const head = `Status: 200 OK\r\nContent-Type: video/mp4\r\nContent-Disposition: ${disposition}; filename="${shown}"; filename*=UTF-8''${shown}\r\nContent-Length: ${size}\r\n\r\n`;
      return { status: 200, head, body: undefined, file: { path: path.toString('latin1'), start: 0, length: size } };
    }
    // Timelapse3 3.1.1+ `stream_file_response(response, request, ...)`.
    const etag = `"${size}-${mtime}"`;
    let rangeHeader = params.get('\u0000range')?.toString('latin1');
    const ifRange = params.get('\u0000if-range')?.toString('latin1');
    if (ifRange !== undefined && ifRange !== etag) rangeHeader = undefined;
    const range = parseByteRange(rangeHeader, size);
    if (range.result < 0) {
      return { status: 416, head: `Status: 416 Range Not Satisfiable\r\nContent-Range: bytes */${size}\r\nContent-Length: 0\r\n\r\n`, body: Buffer.alloc(0) };
    }
    const partial = range.result === 1;
    const start = partial ? range.start : 0;
    const length = partial ? range.end - range.start + 1 : size;
    const head =
      `${partial ? 'Status: 206 Partial Content' : 'Status: 200 OK'}\r\nContent-Type: video/mp4\r\n` +
      `Content-Disposition: ${disposition}; filename="${shown}"; filename*=UTF-8''${shown}\r\nAccept-Ranges: bytes\r\nETag: ${etag}\r\nCache-Control: no-cache\r\n` +
      (partial ? `Content-Range: bytes ${range.start}-${range.end}/${size}\r\n` : '') +
      `Content-Length: ${length}\r\n\r\n`;
    return { status: partial ? 206 : 200, head, body: undefined, file: { path: path.toString('latin1'), start, length } };
  };

  /** TimelapseMe binary strings: `status: %d %s Error`, `Content-Type: application/json`, body `"%s"`. */
  const meError = (code: number, message: string): CgiResponse => ({
    status: code,
    head: `status: ${code} ${code < 500 ? 'Client' : 'Server'} Error\r\nContent-Type: application/json\r\n\r\n`,
    body: Buffer.from(JSON.stringify(message), 'utf8'),
  });

  /** recordings.c `Recordings_Delete_Archive`: every entry whose filename equals the name goes, file too. */
  const deleteArchive = async (name: Buffer): Promise<boolean> => {
    const matching = entries.filter((entry) => entry.key.equals(name));
    if (matching.length === 0) return false;
    await unlink(pathOf(name)).catch(() => {});
    entries = entries.filter((entry) => !entry.key.equals(name));
    return true;
  };

  const handle = async (method: string, uri: Buffer, query: Buffer, headers: Map<string, Buffer>): Promise<CgiResponse> => {
    const questionMark = uri.indexOf(0x3f);
    const path = uri.subarray(0, questionMark < 0 ? uri.length : questionMark).toString('latin1');
    const endpoint = path.startsWith(`/local/${appName}/`) ? path.slice(`/local/${appName}/`.length) : '';
    if (family.me) {
      if (endpoint !== 'archives') return meError(400, 'Bad request');
      // Assumed (no source): GET archives lists every archive; ?export=<id>&file=<name> exports one.
      // libaxhttp hands the CGI decoded parameters; the web UI builds the export link unencoded.
      const exportId = requestParam(query, 'export', true);
      const file = requestParam(query, 'file', true);
      if (exportId === undefined) return jsonResponse(listing(), family);
      if (file === undefined) return meError(400, 'Invalid input');
      const entry = entries.find((candidate) => candidate.key.equals(file) && candidate.archive.id === exportId.toString('utf8'));
      if (!entry) return meError(404, 'File does not exist');
      return download(file, headers);
    }
    // Registered handlers (ACAP_HTTP_Node): `app`, `settings`, `reset` at once; the archive handlers
    // once the SD card is up (main.c `delayed_Init` → `Recordings_Init`, after migration on 3.x).
    if ((startingLeft > 0 || options.migrationPending === true) && ['archive', 'download', 'recordings', 'export', 'timelapse'].includes(endpoint)) {
      startingLeft = Math.max(0, startingLeft - 1);
      // ACAP.c `ACAP_HTTP_Process`: a declared but unregistered node; 3.1.1+ 503, before 404.
      return family.starting503 ? errorResponse(503, 'Service is still starting') : errorResponse(404, 'Not Found');
    }
    switch (endpoint) {
      case 'app':
        // ACAP.c `ACAP_ENDPOINT_app`: only POST is refused; every other method gets the JSON.
        if (method === 'POST') return errorResponse(405, 'Method Not Allowed - Use GET');
        return jsonResponse(appObject(version, options.largeAppJson === true, options.migrationPending === true), family);
      case 'archive': {
        // recordings.c `HTTP_Endpoint_Archive`: GET lists, DELETE removes, PUT archives, else 405.
        if (method === 'GET') return jsonResponse(listing(), family);
        if (method === 'DELETE') {
          const name = requestParam(query, 'filename', family.decodes);
          if (name === undefined) return errorResponse(400, 'Missing profile filename');
          return (await deleteArchive(name)) ? textResponse('Recording deleted') : errorResponse(404, 'Recording not found');
        }
        if (method === 'PUT') return errorResponse(500, family.v3 ? 'Failed to start archive' : 'Failed to archive recording');
        return errorResponse(405, 'Method not allowed');
      }
      case 'download': {
        // recordings.c `HTTP_Endpoint_Download`.
        if (method !== 'GET') return errorResponse(405, 'Method not allowed');
        const name = requestParam(query, 'filename', family.decodes);
        if (name === undefined) return errorResponse(400, 'Missing filename parameter');
        // storage.c `storage_name_is_safe` (3.1.3+): empty, ".", "..", '/', '\\' or a byte < 0x20.
        if (family.safeNames && (name.length === 0 || name.equals(Buffer.from('.')) || name.equals(Buffer.from('..')) || name.some((byte) => byte === 0x2f || byte === 0x5c || byte < 0x20))) {
          return errorResponse(400, 'Invalid filename parameter');
        }
        const params = new Map(headers);
        const inline = requestParam(query, 'inline', family.decodes);
        if (inline !== undefined) params.set('inline', inline);
        return download(name, params);
      }
      case 'reset':
        // main.c `HTTP_Endpoint_Reset`: wipes everything. A client must never call it.
        for (const entry of entries) await unlink(pathOf(entry.key)).catch(() => {});
        entries = [];
        return textResponse('OK');
      default:
        return errorResponse(404, 'Not Found');
    }
  };

  // The ACAP's one FastCGI thread: requests are answered one after the other.
  let queue: Promise<void> = Promise.resolve();
  const fcgiServer: Server = createServer((socket) => serveFastCgi(socket));

  function serveFastCgi(socket: Socket): void {
    let pending = Buffer.alloc(0);
    const requestsOnSocket = new Map<number, { params: Buffer[]; paramsDone: boolean; stdinDone: boolean; started: boolean }>();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const type = pending[1]!;
        const id = pending.readUInt16BE(2);
        const length = pending.readUInt16BE(4);
        const padding = pending[6]!;
        if (pending.length < 8 + length + padding) break;
        const content = pending.subarray(8, 8 + length);
        pending = pending.subarray(8 + length + padding);
        if (type === FCGI.BEGIN) requestsOnSocket.set(id, { params: [], paramsDone: false, stdinDone: false, started: false });
        const request = requestsOnSocket.get(id);
        if (!request) continue;
        if (type === FCGI.PARAMS) {
          if (length === 0) request.paramsDone = true;
          else request.params.push(Buffer.from(content));
        } else if (type === FCGI.STDIN && length === 0) request.stdinDone = true;
        if (request.paramsDone && request.stdinDone && !request.started) {
          request.started = true;
          const params = parseNameValues(Buffer.concat(request.params));
          const overlapped = busy;
          queue = queue.then(() => answer(socket, id, params, overlapped)).catch(() => {});
        }
      }
    });
  }

  async function answer(socket: Socket, id: number, params: Map<string, Buffer>, overlapped: boolean): Promise<void> {
    busy = true;
    try {
      const method = params.get('REQUEST_METHOD')?.toString('latin1') ?? 'GET';
      const uri = params.get('REQUEST_URI') ?? Buffer.alloc(0);
      const query = params.get('QUERY_STRING') ?? Buffer.alloc(0);
      const headers = new Map<string, Buffer>();
      const range = params.get('HTTP_RANGE');
      const ifRange = params.get('HTTP_IF_RANGE');
      if (range && family.ranges) headers.set('\u0000range', range);
      if (ifRange && family.ranges) headers.set('\u0000if-range', ifRange);
      const response = await handle(method, uri, query, headers);
      requests.push({
        method,
        uri: uri.toString('latin1'),
        query: query.toString('latin1'),
        range: range?.toString('latin1'),
        ifRange: ifRange?.toString('latin1'),
        status: statusOf(response.head),
        overlapped,
      });
      await writeStdout(socket, id, Buffer.from(response.head, 'latin1'));
      if (response.body && response.body.length > 0) await writeStdout(socket, id, response.body);
      if (response.file && response.file.length > 0) {
        const handle = await open(Buffer.from(response.file.path, 'latin1'), 'r');
        try {
          let position = response.file.start;
          let left = response.file.length;
          const cut = nextCut;
          nextCut = undefined;
          if (cut !== undefined) left = Math.min(left, cut.bytes);
          const buffer = Buffer.alloc(65_536);
          while (left > 0 && !socket.destroyed) {
            const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, left), position);
            if (bytesRead === 0) break;
            if (!(await writeStdout(socket, id, buffer.subarray(0, bytesRead)))) break;
            position += bytesRead;
            left -= bytesRead;
          }
          if (cut?.how === 'die') {
            socket.destroy();
            return;
          }
        } finally {
          await handle.close();
        }
      }
      await writeRecord(socket, FCGI.STDOUT, id, Buffer.alloc(0));
      const end = Buffer.alloc(8);
      await writeRecord(socket, FCGI.END, id, end);
      socket.end();
    } finally {
      busy = false;
    }
  }

  const fcgiPort = await new Promise<number>((resolve) => fcgiServer.listen(0, '127.0.0.1', () => resolve((fcgiServer.address() as { port: number }).port)));

  const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
  await writeFile(join(storage.path, 'digest.pw'), `${username}:${realm}:${ha1}\n`, { mode: 0o644 });
  const endpoints = family.me ? ['archives'] : ((manifestOf(version)['acapPackageConf'] as { configuration: { httpConfig: Array<{ name: string }> } }).configuration.httpConfig.map((entry) => entry.name));
  const front: RunningTestServer =
    options.frontEnd === 'lighttpd'
      ? await startLighttpdServer({
          modules: ['mod_auth', 'mod_authn_file', 'mod_fastcgi'],
          prepare: async (root) => {
            await writeFile(join(root, 'htdigest'), `${username}:${realm}:${ha1}\n`);
          },
          // The camera's server is Apache: lighttpd is here for its byte-exact Digest `uri` check. Its URL
          // normalisation (on by default) would re-encode non-ASCII bytes and a lone `%` in QUERY_STRING,
          // which no camera does: off, so the app sees the query as Apache passes it.
          extraConfig: (root) => `
server.http-parseopts = ("url-normalize" => "disable")
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "${join(root, 'htdigest')}"
auth.require = ("/local/${appName}" => ("method" => "digest", "realm" => "${realm}", "require" => "valid-user", "algorithm" => "MD5"))
$HTTP["url"] =~ "^/local/${appName}/(${endpoints.join('|')})$" {
  fastcgi.server = ("/" => (("host" => "127.0.0.1", "port" => ${fcgiPort}, "check-local" => "disable")))
}
`,
        })
      : await startApacheServer({
    modules: ['proxy', 'proxy_fcgi', 'env'],
    extraConfig: `${options.trustContentLength ? 'SetEnv ap_trust_cgilike_cl 1' : ''}
ProxyPassMatch "^/local/${appName}/(${endpoints.join('|')})$" "fcgi://127.0.0.1:${fcgiPort}/local/${appName}/$1"
<Location "/local/${appName}">
  AuthType Digest
  AuthName "${realm}"
  AuthDigestProvider file
  AuthUserFile "${storage.path}/digest.pw"
  Require valid-user
</Location>`,
        });

  return {
    url: front.url,
    version,
    username,
    password,
    requests,
    accessLog: () => front.readAccessLog(),
    listing,
    async hasFile(filename) {
      return (await readdir(archiveDir)).includes(filename);
    },
    startFor(count) {
      startingLeft = count;
    },
    cutNextFile(bytes, how) {
      nextCut = { bytes, how };
    },
    async stop() {
      await front.stop();
      await new Promise<void>((resolve) => fcgiServer.close(() => resolve()));
      await storage.cleanup();
    },
  };
}

function parseNameValues(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  const length = (): number => {
    const first = data[i]!;
    if (first >> 7 === 0) {
      i += 1;
      return first;
    }
    const value = data.readUInt32BE(i) & 0x7fff_ffff;
    i += 4;
    return value;
  };
  while (i < data.length) {
    const nameLength = length();
    const valueLength = length();
    const name = data.subarray(i, i + nameLength).toString('latin1');
    i += nameLength;
    out.set(name, Buffer.from(data.subarray(i, i + valueLength)));
    i += valueLength;
  }
  return out;
}

function writeRecord(socket: Socket, type: number, id: number, content: Buffer): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(false);
  const padding = (8 - (content.length % 8)) % 8;
  const header = Buffer.alloc(8);
  header[0] = 1;
  header[1] = type;
  header.writeUInt16BE(id, 2);
  header.writeUInt16BE(content.length, 4);
  header[6] = padding;
  const ok = socket.write(Buffer.concat([header, content, Buffer.alloc(padding)]));
  if (ok) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(value);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

async function writeStdout(socket: Socket, id: number, data: Buffer): Promise<boolean> {
  for (let offset = 0; offset < data.length; offset += 32_768) {
    if (!(await writeRecord(socket, FCGI.STDOUT, id, data.subarray(offset, offset + 32_768)))) return false;
  }
  return true;
}

/**
 * An AVI laid out as Timelapse2 1.x archives it (recordings.c `Recordings_Archive`): the recording's
 * `timelapse.avi` (240-byte AVI_HEADER, then `00db` + size + padded JPEG per frame) followed by its
 * `timelapse.idx` (`idx1` + 16 bytes a frame): 248 + 24 × frames + payload bytes. 1.1.3 patches the
 * RIFF size to the file − 8; before, it is the live header's `write_avi_header` sum, which counts
 * the `movi` list header twice: the file + 8.
 */
export function makeAvi(payload: number, frames: number, seed: string, riffPatched = true): Buffer {
  const total = 248 + 24 * frames + payload;
  const data = pseudoRandom(total, seed);
  data.write('RIFF', 0, 'latin1');
  data.writeUInt32LE(riffPatched ? total - 8 : total + 8, 4);
  data.write('AVI ', 8, 'latin1');
  return data;
}

/** A minimal MP4: an `ftyp` box and one `mdat` box tiling the file. */
export function makeMp4(total: number, seed: string): Buffer {
  const data = pseudoRandom(total, seed);
  data.writeUInt32BE(16, 0);
  data.write('ftypisom', 4, 'latin1');
  data.writeUInt32BE(0x200, 12);
  data.writeUInt32BE(total - 16, 16);
  data.write('mdat', 20, 'latin1');
  return data;
}

function pseudoRandom(length: number, seed: string): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
