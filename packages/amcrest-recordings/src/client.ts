import { digestInterceptor, isDigestAuthError } from '@camdl/http-digest';
import { deviceAgent, readText, smallRequest, type ComposableDispatcher, type DeviceClientOptions, type SmallResponseBody } from '@camdl/throttled-download';
import { AmcrestError, isAmcrestError, type AmcrestErrorCode } from './errors.js';
import { checkCameraBody, type KeyValueBody } from './key-value.js';
import { buildQuery, encodeFilePath } from './query.js';
import { toRecordingItem, type RecordingItem } from './recording-item.js';
import { conditionParams, normalizeEvents, normalizeRecordFlags, normalizeVideoStream } from './search-conditions.js';
import { isWallClock, normalizeWallClock, wallClockToMs } from './camera-time.js';

export interface AmcrestClientOptions extends DeviceClientOptions {
  /**
   * Most simultaneous connections to the camera (API calls and downloads together). Cameras answer
   * 400 until rebooted when too many are open; keep this at `maxConcurrent + 1` or so.
   * @default 6
   */
  connections?: number;
  /**
   * Old firmware offers only Basic authentication (`Basic realm="Device_CGI"`): `undefined` allows it over
   * https only, `true` also over http (the password then travels in clear text), `false` never.
   * @default undefined (https only)
   */
  allowBasic?: boolean | undefined;
}

/** Largest number of redirects followed for one request (to the same host only). */
const MAX_REDIRECTS = 3;

/** Options of {@link AmcrestClient.searchRecordings}. */
export interface SearchRecordingsOptions {
  /** Camera wall-clock start `YYYY-MM-DD HH:MM:SS` (see `findRecordings` for ISO input and instants). */
  start: string;
  /** Camera wall-clock end `YYYY-MM-DD HH:MM:SS`. */
  end: string;
  /** `condition.Channel`; some models want 0. @default 1 */
  channel?: number;
  /** `condition.Types[n]`; NVRs may need `['dav']`. @default ['mp4'] */
  types?: string[];
  /** `condition.Flags[n]` (`Event`, `Timing`, `Manual`, `Marker`…): recordings carrying any of them. @default [] (any) */
  flags?: readonly string[];
  /** `condition.Events[n]` (`VideoMotion`, `AlarmLocal`…): recordings of any of these events. @default [] (any) */
  events?: readonly string[];
  /** `condition.VideoStream` (`Main`, `Extra1`…). @default undefined (not sent: every stream) */
  videoStream?: string;
  /**
   * Told when the device refused some of the Types/Flags/Events/VideoStream conditions and the search ran
   * without them (every item of the window is then listed: filter them, see `matchConditions`), with the
   * parameter names dropped (`condition.Types[0]`…). Also told, with all of them, when even the bare query
   * was refused with 400 and the window was taken as empty. @default undefined
   */
  onConditionsDropped?: (dropped: readonly string[]) => void;
  /** Items per `findNextFile` (the firmware's maximum is 100). @default 100 */
  pageSize?: number;
  /** Stops the search; close + destroy still run (with their own timeout). @default undefined */
  signal?: AbortSignal;
  /** Timeout of the close/destroy requests that always end a search, in ms. @default 5000 */
  cleanupTimeout?: number;
  /** Told about items skipped as malformed and cleanup failures. @default undefined */
  onWarning?: (message: string) => void;
}

/** What `magicBox.cgi` reports; a field is undefined when the model does not implement it. */
export interface DeviceInfo {
  deviceType: string | undefined;
  serialNumber: string | undefined;
  softwareVersion: string | undefined;
  machineName: string | undefined;
}

export interface AmcrestClient {
  /** The camera's base URL (no credentials). */
  readonly url: URL;
  /** The authenticating dispatcher, for downloads (`@camdl/throttled-download`). */
  readonly dispatcher: ComposableDispatcher;
  /**
   * Searches recordings: `factory.create` → `findFile` → `findNextFile` (repeated) and ALWAYS
   * `close` + `destroy`, also on errors, an early `break` and abort. Yields every item the camera
   * lists (snapshots and in-progress files too; filter with `fileKindOf`).
   */
  searchRecordings(options: SearchRecordingsOptions): AsyncGenerator<RecordingItem, void, undefined>;
  /** The camera clock, `global.cgi?action=getCurrentTime`: camera wall-clock `YYYY-MM-DD HH:MM:SS`. */
  getCurrentTime(options?: { signal?: AbortSignal }): Promise<string>;
  /** `magicBox.cgi` getDeviceType / getSerialNo / getSoftwareVersion / getMachineName. */
  getDeviceInfo(options?: { signal?: AbortSignal }): Promise<DeviceInfo>;
  /** A GET on any CGI, parsed; throws {@link AmcrestError} for error bodies (even with status 200). */
  call(cgi: string, params: ReadonlyArray<readonly [string, string | number]>, options?: { signal?: AbortSignal }): Promise<KeyValueBody>;
  /**
   * The download URL of a recording: `/cgi-bin/RPC_Loadfile<FilePath>`, brackets raw unless
   * `rawBrackets: false` (see `encodeFilePath`).
   */
  fileUrl(filePath: string, options?: { rawBrackets?: boolean }): URL;
  /** Closes the internal dispatcher (not one passed in). */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_OPTIONS = { timeout: 30_000, connections: 6 } as const;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Answers to a `magicBox.cgi` query that just mean "this field is not available". */
const OPTIONAL_INFO_ERRORS: ReadonlySet<AmcrestErrorCode> = new Set([
  'ERR_AMCREST_NOT_IMPLEMENTED',
  'ERR_AMCREST_BAD_REQUEST',
  'ERR_AMCREST_INVALID_AUTHORITY',
  'ERR_AMCREST_HTTP_STATUS',
  'ERR_AMCREST_BAD_RESPONSE',
]);

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function readLimitedText(body: SmallResponseBody, url: string): Promise<string> {
  return readText(body, MAX_BODY_BYTES, () => new AmcrestError(`[GET] "${url}": answer larger than ${MAX_BODY_BYTES} bytes`, { code: 'ERR_AMCREST_BAD_RESPONSE', url }));
}

/** Creates a client for one camera. */
export function createAmcrestClient(options: AmcrestClientOptions): AmcrestClient {
  const base = new URL(String(options.url));
  if (base.username || base.password) {
    throw new AmcrestError('the camera URL must not contain credentials', { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new AmcrestError(`unsupported protocol ${base.protocol}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const timeout = options.timeout ?? DEFAULT_CLIENT_OPTIONS.timeout;
  const connections = options.connections ?? DEFAULT_CLIENT_OPTIONS.connections;
  if (!Number.isInteger(connections) || connections < 1) {
    throw new AmcrestError(`connections must be a positive integer, got ${connections}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  const ownDispatcher = options.dispatcher === undefined;
  // The digest interceptor sends credentials to the camera's origin only; after a same-host redirect
  // (http → https) a new one is made for the new origin.
  const makeDispatcher = (): ComposableDispatcher =>
    deviceAgent({ ...options, connections }).compose(digestInterceptor({ username: options.username, password: options.password, allowBasic: options.allowBasic }));
  let dispatcher: ComposableDispatcher = options.dispatcher ?? makeDispatcher();
  const retired: ComposableDispatcher[] = [];

  /**
   * Follows a redirect of the camera to itself (a recorder sending port 80 to https): the same host
   * name, never from https down to http. Anything else is refused before a byte (or a credential)
   * goes there.
   */
  const followRedirect = (from: string, status: number, location: string | undefined): void => {
    let target: URL;
    try {
      target = new URL(location ?? '', from);
    } catch {
      throw new AmcrestError(`[GET] "${from}": redirect (${status}) without a usable Location`, { code: 'ERR_AMCREST_REDIRECT', url: from, status });
    }
    const shown = `${target.protocol}//${target.host}`;
    if (target.hostname.toLowerCase() !== base.hostname.toLowerCase()) {
      throw new AmcrestError(`[GET] "${from}": the camera redirects to another host (${shown}); not followed: credentials never go to another origin`, {
        code: 'ERR_AMCREST_REDIRECT',
        url: from,
        status,
      });
    }
    if (base.protocol === 'https:' && target.protocol !== 'https:') {
      throw new AmcrestError(`[GET] "${from}": the camera redirects from https to ${shown}; not followed`, { code: 'ERR_AMCREST_REDIRECT', url: from, status });
    }
    if (target.origin === base.origin) {
      throw new AmcrestError(`[GET] "${from}": the camera redirects to itself (${status}); not followed`, { code: 'ERR_AMCREST_REDIRECT', url: from, status });
    }
    base.protocol = target.protocol;
    base.host = target.host;
    if (ownDispatcher) {
      retired.push(dispatcher);
      dispatcher = makeDispatcher();
    }
  };

  const urlFor = (cgi: string, params: ReadonlyArray<readonly [string, string | number]>): URL => {
    const url = new URL(`cgi-bin/${cgi}`, base);
    url.search = buildQuery(params);
    return url;
  };

  const call: AmcrestClient['call'] = async (cgi, params, callOptions = {}) => {
    for (let redirects = 0; ; redirects++) {
      const url = urlFor(cgi, params);
      const href = url.href;
      const signal = callOptions.signal;
      if (aborted(signal)) throw new AmcrestError(`[GET] "${href}": aborted`, { code: 'ERR_AMCREST_ABORTED', url: href, cause: signal?.reason });
      let status: number;
      let text: string;
      let location: string | undefined;
      // `timeout` bounds each idle gap; a small answer also gets it as an overall deadline, so a
      // camera trickling a byte now and then cannot hold a search (and its camera-side object) forever.
      const deadline = AbortSignal.timeout(timeout);
      try {
        const response = await smallRequest(url, {
          method: 'GET',
          dispatcher,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
        status = response.statusCode;
        const header = response.headers['location'];
        location = Array.isArray(header) ? header[0] : header;
        text = await readLimitedText(response.body, href);
      } catch (error) {
        if (!isAmcrestError(error) && deadline.aborted && !aborted(signal)) {
          throw new AmcrestError(`[GET] "${href}": timed out: no complete answer within ${Math.round(timeout / 100) / 10} s`, { code: 'ERR_AMCREST_NETWORK', url: href, cause: error });
        }
        throw requestError(error, href, signal);
      }
      if (REDIRECTS.has(status) && redirects < MAX_REDIRECTS) {
        followRedirect(href, status, location);
        continue;
      }
      return checkCameraBody(text, status, href);
    }
  };

  const requestError = (error: unknown, href: string, signal: AbortSignal | undefined): AmcrestError => {
    if (isAmcrestError(error)) return error;
    if (isDigestAuthError(error)) {
      // The digest error's message starts with the URL too: say it once.
      const why =
        error.code === 'ERR_DIGEST_BAD_CREDENTIALS'
          ? 'the camera refused the user name or password'
          : /only Basic/i.test(error.message)
            ? 'the camera offers only Basic authentication (old firmware); refused over http, where the password would travel in clear text (allowBasic: true, amcrest-dl --allow-basic, to allow it)'
            : error.message.replace(/^\[[A-Z]+\] "[^"]*": /, '');
      return new AmcrestError(`[GET] "${href}": ${why}`, { code: 'ERR_AMCREST_AUTH', url: href, status: error.status, cause: error });
    }
    if (aborted(signal)) return new AmcrestError(`[GET] "${href}": aborted`, { code: 'ERR_AMCREST_ABORTED', url: href, cause: error });
    const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    const hint = code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? ' (the camera certificate is not trusted: pass its CA (ca, --ca-file) or insecure (--insecure))' : '';
    return new AmcrestError(`[GET] "${href}": ${reason}${hint}`, { code: 'ERR_AMCREST_NETWORK', url: href, cause: error });
  };

  const resultOf = (body: KeyValueBody, key: string, href: string): string => {
    const value = body.flat.get(key);
    if (value === undefined || value.trim() === '') {
      throw new AmcrestError(`[GET] "${href}": no ${key}= in the answer`, { code: 'ERR_AMCREST_BAD_RESPONSE', url: href });
    }
    return value.trim();
  };

  async function* searchRecordings(search: SearchRecordingsOptions): AsyncGenerator<RecordingItem, void, undefined> {
    const channel = search.channel ?? 1;
    const types = search.types ?? ['mp4'];
    const conditions = conditionParams({
      types,
      flags: normalizeRecordFlags(search.flags ?? []),
      events: normalizeEvents(search.events ?? []),
      videoStream: search.videoStream === undefined ? undefined : normalizeVideoStream(search.videoStream),
    });
    const pageSize = search.pageSize ?? 100;
    const cleanupTimeout = search.cleanupTimeout ?? 5_000;
    const signal = search.signal;
    for (const [name, value] of [['start', search.start], ['end', search.end]] as const) {
      if (!isWallClock(value)) {
        throw new AmcrestError(`${name} must be camera time YYYY-MM-DD HH:MM:SS, got ${JSON.stringify(value)}`, { code: 'ERR_AMCREST_INVALID_TIME' });
      }
    }
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new AmcrestError(`pageSize must be 1..100, got ${pageSize}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
    }
    const createUrl = urlFor('mediaFileFind.cgi', [['action', 'factory.create']]).href;
    const created = await call('mediaFileFind.cgi', [['action', 'factory.create']], signal ? { signal } : {});
    const object = resultOf(created, 'result', createUrl);
    if (!/^\d+$/.test(object)) {
      throw new AmcrestError(`[GET] "${createUrl}": search object is not a number: ${JSON.stringify(object.slice(0, 40))}`, {
        code: 'ERR_AMCREST_BAD_RESPONSE',
        url: createUrl,
      });
    }
    try {
      const findFile = (withConditions: ReadonlyArray<readonly [string, string]>): Promise<KeyValueBody> =>
        call(
          'mediaFileFind.cgi',
          [
            ['action', 'findFile'],
            ['object', object],
            ['condition.Channel', channel],
            ['condition.StartTime', search.start],
            ['condition.EndTime', search.end],
            ...withConditions,
          ],
          signal ? { signal } : {},
        );
      const emptyWindow = (): void => {
        search.onWarning?.(`the camera answered 400 Bad Request to findFile for ${search.start} – ${search.end}: taken as no recordings (some firmware answers an empty window so)`);
      };
      // Firmware that does not know a condition refuses the whole findFile (400 / `Error Bad Request!`;
      // a stricter server 404 or 501). Step back: without Flags/Events/VideoStream (the seed's own
      // query, Types only), then without Types; the items are filtered here anyway (extension, stream,
      // flags, events). A 400 to the bare query is an empty window on some firmware.
      const typeConditions = conditions.filter(([key]) => key.startsWith('condition.Types['));
      const attempts = [conditions, ...(typeConditions.length < conditions.length ? [typeConditions] : []), ...(typeConditions.length > 0 ? [[]] : [])];
      const refused = (error: unknown): error is AmcrestError =>
        isAmcrestError(error, 'ERR_AMCREST_BAD_REQUEST') ||
        isAmcrestError(error, 'ERR_AMCREST_NOT_IMPLEMENTED') ||
        (isAmcrestError(error, 'ERR_AMCREST_HTTP_STATUS') && error.status === 404);
      // What was dropped is said only once a narrower query is accepted: when every query is refused
      // the window is empty (or the search failed), and "refused X" would be noise.
      const droppedSoFar: (readonly [string, string])[] = [];
      for (const [index, attempt] of attempts.entries()) {
        try {
          await findFile(attempt);
          if (droppedSoFar.length > 0) {
            search.onWarning?.(
              `the camera refused ${droppedSoFar.map(([key, value]) => `${key}=${value}`).join(', ')}; searched again without ${droppedSoFar.length === 1 ? 'it' : 'them'} and filtered the results here`,
            );
            search.onConditionsDropped?.(droppedSoFar.map(([key]) => key));
          }
          break;
        } catch (error) {
          if (!refused(error)) throw error;
          const next = attempts[index + 1];
          if (next === undefined) {
            // A 400 without any condition: some firmware answers a window with nothing recorded so.
            // That is "0 recordings", not a failed search. (An `Error` body with status 200 stays an
            // error: nothing says the window is empty.)
            if (isAmcrestError(error, 'ERR_AMCREST_BAD_REQUEST') && error.status === 400) {
              search.onConditionsDropped?.(conditions.map(([key]) => key));
              return emptyWindow();
            }
            throw error;
          }
          droppedSoFar.push(...attempt.filter((condition) => !next.includes(condition)));
        }
      }
      let previousPage: string | undefined;
      // More results than the window can hold (more than one recording per second of it, plus a
      // page) is a camera whose pages never end: stop before memory does.
      const windowSeconds = Math.max(0, (wallClockToMs(search.end) - wallClockToMs(search.start)) / 1000);
      const maxItems = Math.ceil(windowSeconds) + pageSize;
      let listed = 0;
      for (;;) {
        let page: KeyValueBody;
        try {
          page = await call('mediaFileFind.cgi', [['action', 'findNextFile'], ['object', object], ['count', pageSize]], signal ? { signal } : {});
        } catch (error) {
          // Firmware ends a search with `Error Bad Request!` (200 or 400) as often as with `found=0`.
          if (isAmcrestError(error, 'ERR_AMCREST_BAD_REQUEST')) return;
          throw error;
        }
        const foundText = page.flat.get('found');
        const itemsNode = page.data['items'];
        const nodes = Array.isArray(itemsNode) ? itemsNode.filter((node) => node !== undefined) : [];
        // The end is `found=0`, an `Error` body or a 400; a page with neither `found=` nor items is not
        // an answer, and taking it for "no more recordings" would call the rest of the window empty.
        if (foundText === undefined && nodes.length === 0) {
          throw new AmcrestError('the camera answered a search page with neither found= nor items; the search cannot be trusted', { code: 'ERR_AMCREST_BAD_RESPONSE', url: createUrl });
        }
        const found = foundText === undefined ? nodes.length : Number(foundText);
        if (!Number.isFinite(found) || found <= 0 || nodes.length === 0) return;
        const fingerprint = nodes.map((node) => (typeof node === 'object' && !Array.isArray(node) ? String(node['FilePath']) : '')).join('\n');
        if (fingerprint === previousPage) {
          throw new AmcrestError('the camera returned the same page of results twice; stopping the search', { code: 'ERR_AMCREST_BAD_RESPONSE' });
        }
        previousPage = fingerprint;
        listed += nodes.length;
        if (listed > maxItems) {
          throw new AmcrestError(
            `the camera listed more than ${maxItems} recordings for a window of ${windowSeconds} s: more results than the window can hold (its search never ends); stopped`,
            { code: 'ERR_AMCREST_BAD_RESPONSE', url: createUrl },
          );
        }
        for (const node of nodes) {
          if (signal?.aborted) {
            throw new AmcrestError('search aborted', { code: 'ERR_AMCREST_ABORTED', url: createUrl, cause: signal.reason });
          }
          const item = toRecordingItem(node, { onWarning: search.onWarning });
          if (item) yield item;
          else search.onWarning?.('skipped a search result without FilePath/StartTime/EndTime');
        }
      }
    } finally {
      // Leaked search objects make cameras answer 400 until rebooted: always close and destroy, even
      // when the caller aborted (so never with the caller's signal).
      for (const action of ['close', 'destroy'] as const) {
        try {
          await call('mediaFileFind.cgi', [['action', action], ['object', object]], { signal: AbortSignal.timeout(cleanupTimeout) });
        } catch (error) {
          search.onWarning?.(`could not ${action} search object ${object}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }

  const getCurrentTime: AmcrestClient['getCurrentTime'] = async (callOptions = {}) => {
    const href = urlFor('global.cgi', [['action', 'getCurrentTime']]).href;
    const body = await call('global.cgi', [['action', 'getCurrentTime']], callOptions);
    const value = resultOf(body, 'result', href);
    const time = normalizeWallClock(value);
    if (time === undefined) {
      throw new AmcrestError(`[GET] "${href}": not a time: ${JSON.stringify(value.slice(0, 40))}`, { code: 'ERR_AMCREST_BAD_RESPONSE', url: href });
    }
    return time;
  };

  const getDeviceInfo: AmcrestClient['getDeviceInfo'] = async (callOptions = {}) => {
    const read = async (action: string, key: string): Promise<string | undefined> => {
      try {
        const body = await call('magicBox.cgi', [['action', action]], callOptions);
        return (body.flat.get(key) ?? body.flat.values().next().value)?.trim();
      } catch (error) {
        // Informational only: a model without the action, or a user without the right to it, must
        // not stop a download. A refused login (ERR_AMCREST_AUTH), network errors and abort still throw.
        if (isAmcrestError(error) && OPTIONAL_INFO_ERRORS.has(error.code)) return undefined;
        throw error;
      }
    };
    return {
      deviceType: await read('getDeviceType', 'type'),
      serialNumber: await read('getSerialNo', 'sn'),
      softwareVersion: await read('getSoftwareVersion', 'version'),
      machineName: await read('getMachineName', 'name'),
    };
  };

  return {
    get url() {
      return new URL(base.href);
    },
    get dispatcher() {
      return dispatcher;
    },
    searchRecordings,
    getCurrentTime,
    getDeviceInfo,
    call,
    fileUrl: (filePath, urlOptions = {}) => new URL(`cgi-bin/RPC_Loadfile${encodeFilePath(filePath, urlOptions)}`, base),
    close: async () => {
      if (ownDispatcher) await Promise.all([dispatcher, ...retired].map((each) => each.close()));
    },
  };
}
