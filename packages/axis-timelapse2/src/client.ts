import { stat } from 'node:fs/promises';
import { digestInterceptor, isDigestAuthError } from '@camdl/http-digest';
import {
  download,
  DownloadAgent,
  isDownloadError,
  parseRetryAfterValue,
  readText,
  smallRequest,
  type ComposableDispatcher,
  type DownloadOptions,
  type DownloadResult,
  type SmallResponse as HttpResponse,
} from '@camdl/throttled-download';
import type { Dispatcher } from 'undici';
import { apiBasePath, apiFromAppInfo, retentionMonthsFromAppInfo, timelapseCapabilities, type QuerySpelling, type TimelapseApi } from './api.js';
import { parseArchiveList, type TimelapseArchive } from './archive.js';
import { buildArchiveRequest, type ArchiveRequest } from './archive-request.js';
import { TimelapseError, isTimelapseError } from './errors.js';
import { normalizeClientOptions, type NormalizedClientOptions, type TimelapseClientOptions } from './options.js';
import { rawTargetInterceptor } from './raw-target-interceptor.js';
import { isArchiveContentType, timelapse2V1FileSize, verifyArchiveFile } from './verify-archive-file.js';

/** Largest listing body read (a camera with thousands of archives sends well under 1 MiB). */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export interface ApiDetection {
  api: TimelapseApi;
  /** The app version from `GET app`, when known. */
  version: string | undefined;
  /** The archive retention the app is set to, in months (`GET app`'s settings), when it says. */
  retentionMonths?: number | undefined;
}

export interface ArchiveListing extends ApiDetection {
  archives: TimelapseArchive[];
  /** Ignored entries and fields. */
  warnings: string[];
  /** The listing URL. */
  url: string;
}

/** `download()` options the client passes through; it sets `dispatcher`, `timeout` and `expectedSize` itself. */
export type ArchiveDownloadOptions = Omit<DownloadOptions, 'dispatcher' | 'expectedSize' | 'timeout'>;

/** A client for one camera. Requests are sequential by design: the camera app answers one at a time. */
export interface TimelapseClient {
  readonly baseUrl: URL;
  /** Which app answers (cached after the first call). */
  detectApi(options?: { signal?: AbortSignal | undefined }): Promise<ApiDetection>;
  /** The archives, validated. */
  listArchives(options?: { signal?: AbortSignal | undefined }): Promise<ArchiveListing>;
  /** The request for an archive (throws `ERR_TIMELAPSE_UNSUPPORTED_NAME` for names the API cannot reach). */
  archiveRequest(archive: TimelapseArchive, kind?: 'download' | 'delete'): Promise<ArchiveRequest>;
  /**
   * The real file size: 3.x lists it; 1.x and TimelapseMe are probed without HEAD (a 1-byte Range GET
   * whose 200 answer's `Content-Length` is read and the body dropped).
   */
  remoteSize(archive: TimelapseArchive, options?: { signal?: AbortSignal | undefined }): Promise<number | undefined>;
  /**
   * Downloads one archive through `@camdl/throttled-download` (atomic `.part`, retries, resume where
   * the camera allows Range, `existing: 'check-size'` with the size rules of {@link remoteSize}).
   */
  downloadArchive(archive: TimelapseArchive, destination: string, options?: ArchiveDownloadOptions): Promise<DownloadResult>;
  /** `DELETE archive?filename=` (Timelapse2 1.x and 3.x only). Throws `ERR_TIMELAPSE_NOT_FOUND` when gone. */
  deleteArchive(archive: TimelapseArchive, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Closes the connections of the internal dispatcher (not of one you passed). */
  close(): Promise<void>;
}

/**
 * A client for the Axis Timelapse2 (1.x), Timelapse 3.x and legacy TimelapseMe ACAPs.
 *
 * @example
 * const client = createTimelapseClient({ baseUrl: 'http://192.168.0.90', username: 'root', password });
 * const { archives } = await client.listArchives();
 * await client.downloadArchive(archives[0]!, 'downloads/' + archives[0]!.filename);
 */
export function createTimelapseClient(options: TimelapseClientOptions): TimelapseClient {
  const config = normalizeClientOptions(options);
  const rawTargets = new Map<string, string>();
  const agent = config.dispatcher === undefined ? createAgent(config) : undefined;
  // The raw-target rewrite runs first (composed last, outermost), so the digest interceptor signs the
  // request-target that really goes on the wire: servers such as lighttpd compare Digest's `uri` with
  // it byte for byte (RFC 7616 §3.4). A dispatcher passed in gets the rewrite outermost too.
  const dispatcher: ComposableDispatcher = agent
    ? config.username === undefined
      ? agent.compose(rawTargetInterceptor(rawTargets))
      : agent.compose(digestInterceptor({ username: config.username, password: config.password ?? '' }), rawTargetInterceptor(rawTargets))
    : config.dispatcher!.compose(rawTargetInterceptor(rawTargets));
  let detected: ApiDetection | undefined;
  /** What `GET app` said about the app's state (`status.app.status`), for errors while it is not running. */
  let appStatus: string | undefined;
  /** A TimelapseMe listing fetched during detection, used once instead of asking again. */
  let pendingListing: (SmallResponse & { url: string }) | undefined;

  const once = async (url: string, signal: AbortSignal | undefined, method: string): Promise<SmallResponse> => {
    // `timeout` bounds each idle gap; a small answer also gets it as an overall deadline, so a
    // camera trickling a byte now and then cannot hold a run forever.
    const deadline = AbortSignal.timeout(config.timeout);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      const response = await smallRequest(url, {
        method: method as Dispatcher.HttpMethod,
        dispatcher,
        headers: { accept: 'application/json, text/plain;q=0.5', 'accept-encoding': 'identity' },
        signal: combined,
        headersTimeout: config.timeout,
        bodyTimeout: config.timeout,
      });
      const contentType = headerText(response.headers['content-type']);
      const retryAfter = headerText(response.headers['retry-after']);
      const encoding = headerText(response.headers['content-encoding'])?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
        response.body.on('error', () => {});
        response.body.destroy();
        throw new TimelapseError(`the camera sent Content-Encoding: ${encoding} (identity was asked for)`, { code: 'ERR_TIMELAPSE_BAD_RESPONSE', url, method, status: response.statusCode });
      }
      const body = await readLimitedText(response.body, MAX_LIST_BYTES, url);
      return { status: response.statusCode, body, contentType, retryAfter };
    } catch (error) {
      throw toRequestError(error, url, method, signal, deadline, config.timeout);
    }
  };

  /**
   * One small request; a GET answered 5xx (3.x: `503 Service is still starting`) is retried, and so,
   * with `whileStarting`, is the app's own `404 Not Found` (see {@link isAppStartingAnswer}).
   */
  const get = async (url: string, signal: AbortSignal | undefined, method = 'GET', whileStarting = false): Promise<SmallResponse> => {
    for (let retry = 0; ; retry += 1) {
      const response = await once(url, signal, method);
      const again = response.status >= 500 || (whileStarting && isAppStartingAnswer(response));
      if (method !== 'GET' || !again || retry >= config.maxRetries) return response;
      const delay = retryAfterMs(response.retryAfter) ?? config.retryDelay;
      config.onWarning(`${new URL(url).pathname}: HTTP ${response.status}${bodyDetail(response.body)}, retrying in ${Math.round(delay / 100) / 10} s`);
      try {
        await config.sleep(delay, signal);
      } catch (error) {
        throw toRequestError(error, url, method, signal);
      }
    }
  };

  const detectApi = async (opts: { signal?: AbortSignal | undefined } = {}): Promise<ApiDetection> => {
    if (detected) return detected;
    const choice = config.api;
    if (choice === 'timelapseme' || choice === 'timelapse2-v1' || choice === 'timelapse3') {
      detected = { api: choice, version: undefined };
      return detected;
    }
    const appUrl = new URL(`${apiBasePath('timelapse3')}app`, config.baseUrl).href;
    const app = await get(appUrl, opts.signal);
    if (app.status === 200) {
      const info = parseJson(app.body);
      appStatus = appStatusOf(info);
      const fromApp = apiFromAppInfo(info);
      if (fromApp) {
        detected = { ...fromApp, retentionMonths: retentionMonthsFromAppInfo(info) };
        return detected;
      }
      return detectFromListing(`${appUrl} ${app.body.trim() === '' || parseJson(app.body) !== undefined ? 'did not say its version' : describeNonJson(app)}`, opts.signal);
    }
    if (app.status === 404 && choice === 'timelapse2') {
      return detectFromListing(`${appUrl} is not there (404)`, opts.signal);
    }
    if (app.status === 404 && choice === 'auto') {
      const legacyUrl = listUrl('timelapseme');
      const legacy = await get(legacyUrl, opts.signal);
      if (legacy.status === 200) {
        pendingListing = { ...legacy, url: legacyUrl };
        detected = { api: 'timelapseme', version: undefined };
        return detected;
      }
      if (legacy.status === 404) {
        // Last chance: a Timelapse2 build without `app` still lists its archives.
        const listingUrl = listUrl('timelapse3');
        const probe = await get(listingUrl, opts.signal);
        if (probe.status === 200) return detectFromListing(`${appUrl} is not there (404)`, opts.signal, probe);
        throw new TimelapseError(`no Timelapse2 app (${appUrl}: 404) and no TimelapseMe app (404) on this camera`, {
          code: 'ERR_TIMELAPSE_NOT_FOUND',
          url: legacyUrl,
          status: 404,
        });
      }
      throw statusError(legacy.status, legacy.body, legacyUrl, 'GET');
    }
    throw statusError(app.status, app.body, appUrl, 'GET');
  };

  /**
   * The size of a file without HEAD (405 on every handler): a 1-byte Range GET; 3.x answers 206 with
   * the total in `Content-Range`, 1.x and TimelapseMe ignore Range and answer 200 with the whole
   * file's `Content-Length` (the body is abandoned unread). Other statuses throw.
   */
  const probeSize = async (url: string, signal: AbortSignal | undefined): Promise<number | undefined> => {
    let response: HttpResponse;
    const deadline = AbortSignal.timeout(config.timeout);
    try {
      response = await smallRequest(url, {
        method: 'GET',
        dispatcher,
        headers: { range: 'bytes=0-0', 'accept-encoding': 'identity' },
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        headersTimeout: config.timeout,
        bodyTimeout: config.timeout,
      });
    } catch (error) {
      throw toRequestError(error, url, 'GET', signal, deadline, config.timeout);
    }
    const { statusCode: status, headers, body } = response;
    // Destroying an unread body emits an error: without a listener it would crash the process.
    body.on('error', () => {});
    if (status === 206) {
      // A 1-byte answer; one that never ends is dropped (the size is in the headers anyway).
      await body.dump({ limit: 64 * 1024 }).catch(() => {});
      const total = /\/\s*(\d+)\s*$/.exec(headerText(headers['content-range']) ?? '')?.[1];
      return total === undefined ? undefined : Number(total);
    }
    if (status === 200) {
      body.destroy();
      const length = headerText(headers['content-length'])?.trim();
      return length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    }
    const text = await readLimitedText(body, 4096, url).catch(() => '');
    throw statusError(status, text, url, 'GET');
  };

  /**
   * `GET app` did not tell the version: 1.x or 3.x from the Timelapse2 listing itself (3.x entries
   * carry `container`/`sourceSize` and name `.mp4` files), kept for the next `listArchives`.
   */
  const detectFromListing = async (why: string, signal: AbortSignal | undefined, fetched?: SmallResponse): Promise<ApiDetection> => {
    const url = listUrl('timelapse3');
    const listing = fetched ?? (await get(url, signal));
    if (listing.status !== 200) throw statusError(listing.status, listing.body, url, 'GET');
    // No version and no list: the two JSON answers of 1.0–1.1.2 once they outgrow 4 KiB.
    if (listing.body.trim() === '') throw emptyV1ListingError(url);
    const { archives } = parseArchiveList(listing.body, { api: 'timelapse3', url, contentType: listing.contentType });
    const v3 = archives.some((archive) => 'container' in archive.raw || 'sourceSize' in archive.raw || /\.mp4$/i.test(archive.filename));
    config.onWarning(`${why}: taking Timelapse ${v3 ? '3.x' : '2 1.x'} from the archive list`);
    pendingListing = { ...listing, url };
    detected = { api: v3 ? 'timelapse3' : 'timelapse2-v1', version: undefined };
    return detected;
  };

  /** The listing URL; TimelapseMe with the seed tool's cache buster `?_=<ms>` (its web UI's too). */
  const listUrl = (api: TimelapseApi): string =>
    new URL(api === 'timelapseme' ? `${apiBasePath(api)}archives?_=${Date.now()}` : `${apiBasePath(api)}archive`, config.baseUrl).href;

  /** Timelapse 3.x without a version: the query spelling that reached a name whose spellings differ. */
  let learnedSpelling: QuerySpelling | undefined;

  /**
   * Makes the wire carry this request's spelling: its raw target, or (the same normalised URL may
   * stand for both spellings, `O%27Brien` and `O'Brien`) none. Requests are sequential.
   */
  const use = (built: ArchiveRequest): ArchiveRequest => {
    const url = new URL(built.url);
    const key = `${url.pathname}${url.search}`;
    if (built.rawTarget !== undefined) rawTargets.set(key, built.rawTarget);
    else rawTargets.delete(key);
    return built;
  };

  const buildRequest = async (archive: TimelapseArchive, kind: 'download' | 'delete', spelling?: QuerySpelling): Promise<ArchiveRequest> => {
    const { api, version } = await detectApi();
    const chosen = spelling ?? timelapseCapabilities(api, version).querySpelling ?? learnedSpelling;
    return buildArchiveRequest(config.baseUrl, api, archive, kind, chosen);
  };

  const resolveRequest = async (archive: TimelapseArchive, kind: 'download' | 'delete' = 'download'): Promise<ArchiveRequest> =>
    use(await buildRequest(archive, kind));

  /**
   * Runs `attempt` with the archive's request. When the app's version is unknown (3.x without one),
   * the percent-encoded spelling goes first and a 404 tries the raw one (3.0.0–3.1.2 compare the raw
   * query text); the spelling that worked is kept for every later request, deletes included.
   */
  const withSpelling = async <T>(archive: TimelapseArchive, kind: 'download' | 'delete', attempt: (request: ArchiveRequest) => Promise<T>): Promise<T> => {
    const { api, version } = await detectApi();
    const known = timelapseCapabilities(api, version).querySpelling ?? learnedSpelling;
    if (api !== 'timelapse3' || known !== undefined) return attempt(await resolveRequest(archive, kind));
    const encoded = await buildRequest(archive, kind, 'encoded');
    let raw: ArchiveRequest | undefined;
    try {
      raw = await buildRequest(archive, kind, 'raw');
    } catch {
      raw = undefined; // no raw spelling reaches this name: only the encoded one is tried
    }
    const differs = raw !== undefined && (raw.rawTarget ?? raw.url) !== encoded.url;
    try {
      const result = await attempt(use(encoded));
      if (differs) learnedSpelling = 'encoded';
      return result;
    } catch (error) {
      if (!differs || raw === undefined || !isNotFound(error)) throw error;
      config.onWarning(`${archive.filename}: not found percent-encoded; trying the raw name (Timelapse 3.0.0–3.1.2 compare the undecoded query text)`);
      const result = await attempt(use(raw));
      learnedSpelling = 'raw';
      return result;
    }
  };

  return {
    baseUrl: config.baseUrl,
    detectApi,
    async listArchives(opts = {}) {
      const detection = await detectApi(opts);
      const pending = pendingListing;
      const url = pending?.url ?? listUrl(detection.api);
      // The app answered `GET app`: a 404 of its own here means its archive handlers are not there yet.
      const response = pending ?? (await get(url, opts.signal, 'GET', detection.api !== 'timelapseme'));
      pendingListing = undefined;
      // The app's own word on why (3.x: "Waiting for AVI migration decision"), once it is not running.
      const says = appStatus !== undefined && !/running/i.test(appStatus) ? ` (the app says: ${JSON.stringify(appStatus.slice(0, 120))})` : '';
      if (response.status === 404 && detection.api !== 'timelapseme' && isAppStartingAnswer(response)) {
        throw new TimelapseError(
          `HTTP 404: Not Found (the app has not registered its archive handlers: it is still starting, has no SD card, or, on 3.x, waits for a decision about migrating old AVI archives in its web page)${says}`,
          { code: 'ERR_TIMELAPSE_NOT_FOUND', url, method: 'GET', status: 404 },
        );
      }
      if (response.status === 503 && says !== '') {
        const error = statusError(response.status, response.body, url, 'GET');
        throw new TimelapseError(`${error.message}${says}`, { code: error.code, url, method: 'GET', status: 503 });
      }
      if (response.status !== 200) throw statusError(response.status, response.body, url, 'GET');
      if (detection.api === 'timelapse2-v1' && response.body.trim() === '') throw emptyV1ListingError(url);
      const { archives, warnings } = parseArchiveList(response.body, { api: detection.api, url, contentType: response.contentType });
      for (const warning of warnings) config.onWarning(warning);
      return { ...detection, archives, warnings, url };
    },
    archiveRequest: resolveRequest,
    async remoteSize(archive, opts = {}) {
      const { api } = await detectApi(opts);
      if (api === 'timelapse3' && archive.size !== undefined) return archive.size;
      const probed = await withSpelling(archive, 'download', ({ url }) => probeSize(url, opts.signal));
      return probed ?? (api === 'timelapse2-v1' ? timelapse2V1FileSize(archive) : undefined);
    },
    async downloadArchive(archive, destination, opts = {}) {
      const { api, version } = await detectApi({ signal: opts.signal });
      return withSpelling(archive, 'download', (request) => fetchArchive(archive, destination, opts, api, version, request.url));
    },
    async deleteArchive(archive, opts = {}) {
      await withSpelling(archive, 'delete', (request) => removeArchive(archive, request.url, opts.signal));
    },
    async close() {
      await agent?.close();
    },
  };

  async function fetchArchive(
    archive: TimelapseArchive,
    destination: string,
    opts: ArchiveDownloadOptions,
    api: TimelapseApi,
    version: string | undefined,
    url: string,
  ): Promise<DownloadResult> {
    // 3.0.0–3.1.0 serve no Range (Range, If-Range and the ETag came in 3.1.1): never try to resume
    // there (and keep no `.part` for it). 1.x and TimelapseMe send no validators, so the engine never
    // resumes there anyway.
    const ranges = api === 'timelapse3' ? timelapseCapabilities(api, version).ranges : undefined;
    let expectedSize = api === 'timelapse3' ? archive.size : undefined;
    const localSize = opts.existing === 'check-size' && expectedSize === undefined ? await fileSize(destination) : undefined;
    if (localSize !== undefined) {
      // As the seed tool: when the camera cannot tell the size (an error, no Content-Length), the
      // existing file is kept and reported as unverified — not counted as a failure.
      let probed: number | undefined;
      try {
        probed = await probeSize(url, opts.signal);
        // 1.x behind an Apache that drops the app's Content-Length (the file is there, its length
        // is not said): the exact size its listing implies. A refused probe stays unverifiable.
        if (probed === undefined && api === 'timelapse2-v1') probed = timelapse2V1FileSize(archive);
      } catch (error) {
        if (opts.signal?.aborted || isDigestAuthError(error)) throw error;
        config.onWarning(`${archive.filename}: cannot read the size on the camera: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (probed === undefined) {
        return { status: 'skipped', path: destination, bytes: 0, size: localSize, localSize, verified: false, attempts: 1, skipReason: 'size-unverifiable' };
      }
      expectedSize = probed;
    }
    const result = await download(url, destination, {
      // An error or login page is never saved as an archive.
      acceptContentType: isArchiveContentType,
      ...opts,
      ...(ranges === false ? { resume: false } : {}),
      dispatcher,
      timeout: config.timeout,
      ...(expectedSize === undefined ? {} : { expectedSize }),
      // 3.x lists the real size of a file that can only grow: a shorter answer is a truncated one.
      ...(api === 'timelapse3' && archive.size !== undefined ? { minSize: archive.size } : {}),
      // 1.x answers HTTP/1.0 without a length: only the close ends the body, and a cut connection
      // looks the same. The file is whole by the size its listing implies, or by its own AVI header.
      ...(api === 'timelapse2-v1' ? { checkClosedBody: (part: { path: string; size: number }) => checkClosedV1Body(part, archive) } : {}),
    });
    // Apache 2.4.59+ in front of the app drops the app's Content-Length (the body comes chunked):
    // a 1.x file of exactly the size its listing implies is whole all the same.
    if (!result.verified && result.status !== 'skipped' && api === 'timelapse2-v1' && result.size === timelapse2V1FileSize(archive)) {
      return { ...result, verified: true };
    }
    return result;
  }

  async function removeArchive(archive: TimelapseArchive, url: string, signal: AbortSignal | undefined): Promise<void> {
    const response = await get(url, signal, 'DELETE');
    if (response.status === 200 || response.status === 204) return;
    if (response.status === 404) {
      throw new TimelapseError(`archive ${JSON.stringify(archive.filename)} not found on the camera`, {
        code: 'ERR_TIMELAPSE_NOT_FOUND',
        url,
        method: 'DELETE',
        status: 404,
        filename: archive.filename,
      });
    }
    throw statusError(response.status, response.body, url, 'DELETE', archive.filename);
  }
}

/** Why a 1.x body ended by the close is not the whole archive, or undefined when it is. */
async function checkClosedV1Body(part: { path: string; size: number }, archive: TimelapseArchive): Promise<string | undefined> {
  if (part.size === timelapse2V1FileSize(archive)) return undefined;
  const check = await verifyArchiveFile(part.path, archive, 'timelapse2-v1');
  return check.ok ? undefined : check.reason;
}

/**
 * The ACAP framework's own answer for a path the manifest declares but no handler has registered
 * yet (ACAP.c `ACAP_HTTP_Process`): `404` `text/plain` `Not Found` on Timelapse2 1.x and Timelapse
 * 3.0.0–3.1.0, for seconds after start, for good without an SD card (3.1.1+ answer `503` instead).
 * Apache's own 404 is an HTML page.
 */
function isAppStartingAnswer(response: SmallResponse): boolean {
  return response.status === 404 && response.body.trim() === 'Not Found' && /^text\/plain/i.test(response.contentType ?? '');
}

/**
 * Timelapse2 1.0–1.1.2 print JSON through a 4096-byte buffer and send nothing when it does not fit
 * (ACAP.c `ACAP_HTTP_Respond_JSON`, fixed in 1.1.3): an archive list of about 25 archives or more
 * comes back as `200` with an empty body.
 */
function emptyV1ListingError(url: string): TimelapseError {
  return new TimelapseError(
    'the camera sent an empty archive list: Timelapse2 1.0–1.1.2 send nothing once the list reaches 4 KiB (about 25 archives); update the app to 1.1.3 or later, or delete old archives in its web page',
    { code: 'ERR_TIMELAPSE_BAD_RESPONSE', url, method: 'GET', status: 200 },
  );
}

function isNotFound(error: unknown): boolean {
  if (isTimelapseError(error)) return error.code === 'ERR_TIMELAPSE_NOT_FOUND';
  return isDownloadError(error) && error.status === 404;
}

/** Archives over plain http are read by the lean body reader of DownloadAgent; everything else by undici. */
function createAgent(config: NormalizedClientOptions): DownloadAgent {
  const tls = config.baseUrl.protocol === 'https:';
  return new DownloadAgent({
    connect: {
      timeout: config.timeout,
      ...(tls && config.ca !== undefined ? { ca: config.ca } : {}),
      ...(tls && config.insecure ? { rejectUnauthorized: false } : {}),
    },
    headersTimeout: config.timeout,
    bodyTimeout: config.timeout,
    // The camera app serves one request at a time (DownloadAgent counts its lean downloads too).
    connections: 1,
    // HTTP/1.1 only (undici 8 would negotiate h2 over TLS): one request per connection, and the raw
    // request-target the 1.x app compares with the file name only exists in an HTTP/1.1 request line.
    allowH2: false,
  });
}

interface SmallResponse {
  status: number;
  body: string;
  contentType: string | undefined;
  retryAfter: string | undefined;
}

/** `status.app.status` of a `GET app` answer (both apps set it: "Timelapse is running", "Waiting for AVI migration decision"…). */
function appStatusOf(app: unknown): string | undefined {
  let current: unknown = app;
  for (const key of ['status', 'app', 'status']) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' && current.trim() !== '' ? current.trim() : undefined;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return undefined;
  }
}

/** `Retry-After` in ms (seconds or an HTTP date), at most 60 s; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined): number | undefined {
  const ms = parseRetryAfterValue(value);
  return ms === undefined ? undefined : Math.min(60_000, ms);
}

function bodyDetail(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 80);
  return text !== '' && !text.startsWith('<') ? ` (${text})` : '';
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readLimitedText(body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }, limit: number, url: string): Promise<string> {
  return readText(body, limit, () => new TimelapseError(`response larger than ${limit} bytes`, { code: 'ERR_TIMELAPSE_BAD_RESPONSE', url }));
}

function describeNonJson(response: { body: string; contentType: string | undefined }): string {
  if (/html/i.test(response.contentType ?? '') || /^\s*</.test(response.body)) return 'expected JSON, got an HTML page (a login or error page?)';
  const flat = response.body.replace(/\s+/g, ' ').trim();
  return `expected JSON, got ${flat === '' ? 'an empty body' : JSON.stringify(flat.slice(0, 60))}`;
}

function statusError(status: number, body: string, url: string, method: string, filename?: string): TimelapseError {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 80);
  const detail = text !== '' && !text.startsWith('<') ? `: ${text}` : '';
  if (status === 404) return new TimelapseError(`404 Not Found${detail}`, { code: 'ERR_TIMELAPSE_NOT_FOUND', url, method, status, filename });
  const hint =
    status === 401 || status === 403
      ? ' (no or wrong credentials: pass a user and password)'
      : status === 503
        ? ' (the camera app may still be starting: try again in a minute)'
        : '';
  return new TimelapseError(`HTTP ${status}${detail}${hint}`, { code: 'ERR_TIMELAPSE_HTTP_STATUS', url, method, status, filename });
}

function toRequestError(error: unknown, url: string, method: string, signal: AbortSignal | undefined, deadline?: AbortSignal, timeoutMs?: number): Error {
  if (isDigestAuthError(error)) return error;
  if (isTimelapseError(error)) return error;
  if (signal?.aborted) return new TimelapseError('aborted', { code: 'ERR_TIMELAPSE_ABORTED', url, method, cause: error });
  if (deadline?.aborted) {
    const seconds = Math.round((timeoutMs ?? 0) / 100) / 10;
    return new TimelapseError(`timed out: no complete answer within ${seconds} s (the deadline of a small request)`, { code: 'ERR_TIMELAPSE_NETWORK', url, method, cause: error });
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const reason = code === 'ECONNREFUSED' ? 'connection refused' : code?.includes('TIMEOUT') ? `timed out (${code})` : `${message}${code ? ` (${code})` : ''}`;
  return new TimelapseError(`cannot reach the camera: ${reason}`, { code: 'ERR_TIMELAPSE_NETWORK', url, method, cause: error });
}
