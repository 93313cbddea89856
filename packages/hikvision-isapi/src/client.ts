import { digestInterceptor, isDigestAuthError } from '@camdl/http-digest';
import { deviceAgent, isDownloadError, readText, smallRequest, type ComposableDispatcher, type DeviceClientOptions } from '@camdl/throttled-download';
import { assertTimeZone, deviceTimeFrom, type ClockModel, type DeviceTime } from './device-clock.js';
import { downloadRecordingWith, type DownloadRecordingOptions, type RecordingDownloadResult } from './download-recording.js';
import { HikvisionError, isHikvisionError } from './errors.js';
import type { HikvisionRecording } from './recording.js';
import { describeResponseStatus, responseStatusOf } from './response-status.js';
import { captureUserCheck, type RefusalBody } from './user-check.js';
import { child, childText, parseXml, type XmlElement } from '@camdl/internal';

export interface HikvisionClientOptions extends DeviceClientOptions {
  /** The device's HTTP origin: `http://10.0.0.51/`, `https://nvr.example.com:8443/`. A bare host is taken as http. */
  url: string | URL;
  /**
   * A dispatcher that already authenticates; when given, `username`/`password` are not used, refused
   * logins cannot say the device's lock status, and `close()` leaves it open.
   * @default a `DownloadAgent` composed with `digestInterceptor({ username, password })`
   */
  dispatcher?: ComposableDispatcher;
  /** Most simultaneous connections to the device (API calls and downloads together). @default 2 */
  connections?: number;
  /**
   * What the `Z` in the device's times means: `'utc'` (IP cameras), `'local'` (NVRs, DVRs and ISAPI
   * 1.0 firmware write their local wall clock with a `Z`), `'auto'` (`local` when
   * `/ISAPI/System/deviceInfo` names an NVR/DVR/HVR, else `utc`).
   * @default 'auto'
   */
  clock?: 'auto' | 'utc' | 'local';
  /**
   * IANA zone of the recorder's clock (right across DST changes).
   * @default undefined (the offset `/ISAPI/System/time` reports now)
   */
  timeZone?: string | undefined;
}

/** The defaults of {@link HikvisionClientOptions}. */
export const DEFAULT_CLIENT_OPTIONS = { timeout: 30_000, connections: 2, clock: 'auto' } as const;

/** One channel of the device's channel list. */
export interface HikvisionChannel {
  /** The channel number searches take (`trackID` = id × 100 + 1). */
  id: number;
  /** Its name, when a short printable one. */
  name: string | undefined;
  /** `ip`: an NVR's IP channel (`InputProxy`), `local`: a video input of the device itself. */
  source: 'ip' | 'local';
}

/** What `/ISAPI/System/deviceInfo` says (fields the device leaves out are undefined). */
export interface HikvisionDeviceInfo {
  deviceType: string | undefined;
  model: string | undefined;
  serialNumber: string | undefined;
  firmwareVersion: string | undefined;
}

/** An element of a device answer, by local name (namespaces dropped), text decoded once. */
export interface IsapiElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly IsapiElement[];
  readonly text: string;
}

/** An answer read by {@link HikvisionClient.isapi}. */
export interface IsapiAnswer {
  status: number;
  /** The answer's root element; undefined when the body is not XML. */
  root: IsapiElement | undefined;
}

export interface IsapiCallOptions {
  /** @default 'GET' */
  method?: 'GET' | 'POST' | 'PUT';
  /** An XML request body. @default undefined */
  body?: string;
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

export interface HikvisionClient {
  /** The device's base URL (no credentials). */
  readonly url: URL;
  /** The authenticating dispatcher (for `@camdl/throttled-download`). */
  readonly dispatcher: ComposableDispatcher;
  /**
   * One ISAPI request, its XML answer parsed. A `ResponseStatus` error is an `ERR_HIKVISION_DEVICE`
   * whatever the HTTP status (200 included); a refused login is `ERR_HIKVISION_AUTH`, after which
   * this client sends nothing more (a device locks the account after a few failures).
   */
  isapi(path: string, options?: IsapiCallOptions): Promise<IsapiAnswer>;
  /** `/ISAPI/System/time`: the recorder's clock and offset. */
  getDeviceTime(options?: { signal?: AbortSignal }): Promise<DeviceTime>;
  /** `/ISAPI/System/deviceInfo`. */
  getDeviceInfo(options?: { signal?: AbortSignal }): Promise<HikvisionDeviceInfo>;
  /** The device's channels: an NVR's IP channels, else its own video inputs. */
  listChannels(options?: { signal?: AbortSignal }): Promise<HikvisionChannel[]>;
  /** How this device's times read (the `clock` and `timeZone` options, the device's answers); asked once. */
  clockModel(options?: { signal?: AbortSignal }): Promise<ClockModel>;
  /**
   * Told the `version` of a search answer: with `clock: 'auto'`, a `1.x` answer means firmware that
   * writes its local clock with a `Z`, whatever its device type. Returns true when the clock model
   * changed (a search then starts again with local times).
   */
  noteSearchVersion(version: string | undefined): boolean;
  /**
   * Downloads one recording (see `DownloadRecordingOptions`): GET with the XML body, POST when the
   * device refuses GET, the file checked against the `size=` of its playbackURI.
   */
  downloadRecording(recording: Pick<HikvisionRecording, 'playbackUri' | 'size'>, destination: string, options?: DownloadRecordingOptions): Promise<RecordingDownloadResult>;
  /** Throws the refused login of this client, if there was one (nothing is sent after it). */
  assertUsable(): void;
  /** Closes the internal dispatcher (not one passed in). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
// eslint-disable-next-line no-control-regex -- a name with control characters is refused
const PRINTABLE_NAME = /^[^\u0000-\u001f\u007f]{1,64}$/;
const NETWORK_SHORT_TEXT = /^[\w .,:/()+-]{1,128}$/;

function shortText(value: string | undefined): string | undefined {
  return value !== undefined && NETWORK_SHORT_TEXT.test(value) ? value : undefined;
}

function normalizeBase(input: string | URL): URL {
  const text = String(input);
  let base: URL;
  try {
    base = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch (error) {
    throw new HikvisionError('the device URL is not a URL', { code: 'ERR_HIKVISION_INVALID_OPTIONS', cause: error });
  }
  if (base.username || base.password) throw new HikvisionError('the device URL must not contain credentials', { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new HikvisionError(`unsupported protocol ${base.protocol}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/** Validates options and fills defaults. */
export function normalizeClientOptions(options: HikvisionClientOptions): Required<Pick<HikvisionClientOptions, 'timeout' | 'connections' | 'clock'>> & { base: URL } {
  const base = normalizeBase(options.url);
  const timeout = options.timeout ?? DEFAULT_CLIENT_OPTIONS.timeout;
  const connections = options.connections ?? DEFAULT_CLIENT_OPTIONS.connections;
  const clock = options.clock ?? DEFAULT_CLIENT_OPTIONS.clock;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new HikvisionError(`timeout must be a positive number of ms, got ${timeout}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  if (!Number.isInteger(connections) || connections < 1) throw new HikvisionError(`connections must be a positive integer, got ${connections}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  if (!['auto', 'utc', 'local'].includes(clock)) throw new HikvisionError(`clock must be auto, utc or local, got ${String(clock)}`, { code: 'ERR_HIKVISION_INVALID_OPTIONS' });
  if (options.timeZone !== undefined) assertTimeZone(options.timeZone);
  return { base, timeout, connections, clock };
}

/** Creates a client for one ISAPI camera or recorder. */
export function createHikvisionClient(options: HikvisionClientOptions): HikvisionClient {
  const { base, timeout, connections, clock } = normalizeClientOptions(options);
  const ownDispatcher = options.dispatcher === undefined;
  const refusal: { last: RefusalBody | undefined } = { last: undefined };
  // Under the Digest interceptor (composed first, so it runs last): it still sees a refused login's body.
  const dispatcher: ComposableDispatcher =
    options.dispatcher ??
    deviceAgent({ ...options, connections }).compose(captureUserCheck(refusal), digestInterceptor({ username: options.username, password: options.password }));

  let refusedLogin: HikvisionError | undefined;
  let loginProven = false;
  let gate: Promise<void> = Promise.resolve();
  let clockPromise: Promise<ClockModel> | undefined;
  let isapiVersion1 = false;
  const methodState: { method: 'GET' | 'POST' | undefined } = { method: undefined };

  const authError = (method: string, url: string, status: number | undefined, cause: unknown): HikvisionError => {
    const check = refusal.last?.userCheck;
    const lock = check?.lockStatus === 'lock' ? `; the device says the account is locked${check.unlockTime !== undefined ? ` for ${check.unlockTime} s` : ''}` : check?.retryLoginTime !== undefined ? `; ${check.retryLoginTime} attempts left before the device locks the account` : '';
    return new HikvisionError(`[${method}] "${url}": the device refused the user name or password${lock}; nothing more is sent with these credentials`, {
      code: 'ERR_HIKVISION_AUTH',
      url,
      method,
      status,
      lockStatus: check?.lockStatus,
      unlockTime: check?.unlockTime,
      retryLoginTime: check?.retryLoginTime,
      cause,
    });
  };

  /** Remembers a refused login; every later call fails with it without contacting the device. */
  const noteFailure = (error: unknown, method: string, url: string): unknown => {
    if (isHikvisionError(error, 'ERR_HIKVISION_AUTH')) {
      refusedLogin ??= error;
      return error;
    }
    const digest = isDigestAuthError(error) ? error : isDownloadError(error) && error.code === 'ERR_DOWNLOAD_AUTH' ? error : undefined;
    if (digest === undefined) return error;
    // Hikvision answers an operation it refuses with 403 and a ResponseStatus: not a refused login.
    const refused = refusal.last;
    if (digest.status === 403 && refused?.status === 403 && refused.responseStatus !== undefined && refused.userCheck === undefined) {
      return new HikvisionError(`[${method}] "${url}": the device answered 403 with ${describeResponseStatus(refused.responseStatus)}`, {
        code: 'ERR_HIKVISION_DEVICE',
        url,
        method,
        status: 403,
        statusCode: refused.responseStatus.statusCode,
        subStatusCode: refused.responseStatus.subStatusCode ?? refused.responseStatus.statusString,
        cause: error,
      });
    }
    const made = authError(method, url, digest.status, error);
    refusedLogin ??= made;
    return made;
  };

  /**
   * Until one request has been accepted, requests go one at a time: parallel first requests with a
   * wrong password would each count as a failed login.
   */
  const guarded = async <T>(method: string, url: string, task: () => Promise<T>): Promise<T> => {
    if (refusedLogin) throw refusedLogin;
    if (loginProven) {
      try {
        return await task();
      } catch (error) {
        throw noteFailure(error, method, url);
      }
    }
    const previous = gate;
    let release = (): void => {};
    gate = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      if (refusedLogin) throw refusedLogin;
      const result = await task();
      loginProven = true;
      return result;
    } catch (error) {
      throw noteFailure(error, method, url);
    } finally {
      release();
    }
  };

  const isapi: HikvisionClient['isapi'] = (path, call = {}) => {
    const method = call.method ?? 'GET';
    const url = new URL(path.replace(/^\/+/, ''), base);
    const href = url.href;
    return guarded(method, href, async () => {
      const signal = call.signal;
      if (signal?.aborted) throw new HikvisionError(`[${method}] "${href}": aborted`, { code: 'ERR_HIKVISION_ABORTED', url: href, method, cause: signal.reason });
      const deadline = AbortSignal.timeout(timeout);
      let status: number;
      let text: string;
      try {
        // Not undici's request(): over plain http the DownloadAgent's lean reader takes it, body and all,
        // and undici is not loaded; https goes to undici's Agent inside it.
        const response = await smallRequest(url, {
          method,
          dispatcher,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          // The whole exchange has its deadline in the signal; the answer its cap in readText below.
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
          ...(call.body !== undefined ? { body: call.body, headers: { 'content-type': 'application/xml; charset="UTF-8"' } } : {}),
        });
        status = response.statusCode;
        text = await readText(response.body, MAX_BODY_BYTES, () => new HikvisionError(`[${method}] "${href}": answer larger than ${MAX_BODY_BYTES} bytes`, { code: 'ERR_HIKVISION_BAD_RESPONSE', url: href, method }));
      } catch (error) {
        if (isHikvisionError(error) || isDigestAuthError(error)) throw error;
        if (signal?.aborted) throw new HikvisionError(`[${method}] "${href}": aborted`, { code: 'ERR_HIKVISION_ABORTED', url: href, method, cause: error });
        const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
        const reason = deadline.aborted ? `timed out: no complete answer within ${Math.round(timeout / 100) / 10} s` : (code ?? (error instanceof Error ? error.message : String(error)));
        throw new HikvisionError(`[${method}] "${href}": ${reason}`, { code: 'ERR_HIKVISION_NETWORK', url: href, method, cause: error });
      }
      const root = parseXml(text);
      const responseStatus = responseStatusOf(root);
      if (status === 401 || (status === 403 && responseStatus === undefined)) throw authError(method, href, status, undefined);
      if (responseStatus !== undefined && responseStatus.statusCode !== 1) {
        throw new HikvisionError(`[${method}] "${href}": the device answered ${status} with ${describeResponseStatus(responseStatus)}`, {
          code: 'ERR_HIKVISION_DEVICE',
          url: href,
          method,
          status,
          statusCode: responseStatus.statusCode,
          subStatusCode: responseStatus.subStatusCode ?? responseStatus.statusString,
        });
      }
      if (status < 200 || status > 299) throw new HikvisionError(`[${method}] "${href}": HTTP ${status}`, { code: 'ERR_HIKVISION_HTTP_STATUS', url: href, method, status });
      return { status, root };
    });
  };

  const expectRoot = (answer: IsapiAnswer, name: string, path: string): XmlElement => {
    if (answer.root?.name !== name) {
      throw new HikvisionError(`"${new URL(path.replace(/^\/+/, ''), base).href}": expected a ${name} answer`, { code: 'ERR_HIKVISION_BAD_RESPONSE', url: new URL(path.replace(/^\/+/, ''), base).href });
    }
    return answer.root;
  };

  const getDeviceTime: HikvisionClient['getDeviceTime'] = async (call = {}) => {
    const path = '/ISAPI/System/time';
    const root = expectRoot(await isapi(path, { signal: call.signal }), 'Time', path);
    return deviceTimeFrom({ timeMode: shortText(childText(root, 'timeMode')), localTime: shortText(childText(root, 'localTime')), timeZone: shortText(childText(root, 'timeZone')) });
  };

  const getDeviceInfo: HikvisionClient['getDeviceInfo'] = async (call = {}) => {
    const path = '/ISAPI/System/deviceInfo';
    const root = expectRoot(await isapi(path, { signal: call.signal }), 'DeviceInfo', path);
    return {
      deviceType: shortText(childText(root, 'deviceType')),
      model: shortText(childText(root, 'model')),
      serialNumber: shortText(childText(root, 'serialNumber')),
      firmwareVersion: shortText(childText(root, 'firmwareVersion')),
    };
  };

  const channelsOf = (root: XmlElement, itemName: string, source: HikvisionChannel['source']): HikvisionChannel[] => {
    const out: HikvisionChannel[] = [];
    for (const item of root.children.filter((each) => each.name === itemName)) {
      const id = childText(item, 'id');
      if (id === undefined || !/^\d{1,3}$/.test(id) || Number(id) < 1 || Number(id) > 999) continue;
      const enabled = childText(item, 'enabled') ?? childText(child(item, 'sourceInputPortDescriptor'), 'enabled');
      if (enabled === 'false') continue;
      const name = childText(item, 'name');
      out.push({ id: Number(id), name: name !== undefined && PRINTABLE_NAME.test(name) ? name : undefined, source });
    }
    return out.sort((a, b) => a.id - b.id).filter((each, index, all) => index === 0 || all[index - 1]?.id !== each.id);
  };

  const listChannels: HikvisionClient['listChannels'] = async (call = {}) => {
    try {
      const answer = await isapi('/ISAPI/ContentMgmt/InputProxy/channels', { signal: call.signal });
      if (answer.root?.name === 'InputProxyChannelList') {
        const channels = channelsOf(answer.root, 'InputProxyChannel', 'ip');
        if (channels.length > 0) return channels;
      }
    } catch (error) {
      // A camera has no IP channels: 404 or notSupport. Anything else (a refused login) stops here.
      if (!(isHikvisionError(error, 'ERR_HIKVISION_HTTP_STATUS') || isHikvisionError(error, 'ERR_HIKVISION_DEVICE'))) throw error;
    }
    const path = '/ISAPI/System/Video/inputs/channels';
    const root = expectRoot(await isapi(path, { signal: call.signal }), 'VideoInputChannelList', path);
    const channels = channelsOf(root, 'VideoInputChannel', 'local');
    if (channels.length === 0) throw new HikvisionError('the device lists no channels', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
    return channels;
  };

  const clockModel: HikvisionClient['clockModel'] = (call = {}) => {
    clockPromise ??= (async () => {
      let z: ClockModel['z'];
      if (clock === 'auto') {
        const info = isapiVersion1 ? undefined : await getDeviceInfo(call);
        z = isapiVersion1 || /NVR|DVR|HVR/i.test(info?.deviceType ?? '') ? 'local' : 'utc';
      } else {
        z = clock;
      }
      if (options.timeZone !== undefined) return { z, timeZone: options.timeZone };
      const time = await getDeviceTime(call);
      if (time.offsetMinutes === undefined) {
        throw new HikvisionError('the device did not say its UTC offset (/ISAPI/System/time): pass timeZone', { code: 'ERR_HIKVISION_BAD_RESPONSE' });
      }
      return { z, offsetMinutes: time.offsetMinutes, ...(time.zone === undefined ? {} : { zone: time.zone }) };
    })();
    clockPromise.catch(() => (clockPromise = undefined));
    return clockPromise;
  };

  return {
    get url() {
      return new URL(base.href);
    },
    dispatcher,
    isapi,
    getDeviceTime,
    getDeviceInfo,
    listChannels,
    clockModel,
    noteSearchVersion: (version) => {
      if (clock !== 'auto' || isapiVersion1 || version?.startsWith('1.') !== true) return false;
      isapiVersion1 = true;
      const previous = clockPromise;
      clockPromise = undefined;
      // Only a change if the model had been taken as UTC.
      return previous !== undefined;
    },
    downloadRecording: (recording, destination, downloadOptions) => downloadRecordingWith({ base, dispatcher, methodState, guarded }, recording, destination, downloadOptions),
    assertUsable: () => {
      if (refusedLogin) throw refusedLogin;
    },
    close: async () => {
      if (ownDispatcher) await dispatcher.close();
    },
  };
}
