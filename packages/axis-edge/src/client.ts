import { digestInterceptor, isDigestAuthError } from '@camdl/http-digest';
import { deviceAgent, smallRequest, type ComposableDispatcher, type DeviceClientOptions } from '@camdl/throttled-download';
import { childText, descendants, parseXml } from '@camdl/internal';
import { AxisEdgeError, isAxisEdgeError } from './errors.js';
import { toEdgeRecording, type EdgeRecording } from './recording.js';

/** The camera's connection (`username`: an administrator to remove recordings). */
export interface AxisEdgeClientOptions extends DeviceClientOptions {
  /** Most simultaneous connections to the camera. @default 2 */
  connections?: number;
}

/** The defaults of {@link AxisEdgeClientOptions}. */
export const DEFAULT_CLIENT_OPTIONS = { timeout: 30_000, connections: 2 } as const;

/** An element of a camera answer, by local name, text decoded once. */
export interface VapixElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly VapixElement[];
  readonly text: string;
}

/** One disk of `disks/list.cgi`. */
export interface EdgeDisk {
  diskId: string;
  /** `status` (`OK`, `disconnected`…), as listed. */
  status: string | undefined;
  /** Sizes in KB when listed. */
  totalSizeKb: number | undefined;
  freeSizeKb: number | undefined;
}

export interface ListRecordingsOptions {
  /** Only this disk. @default undefined (every disk) */
  diskId?: string | undefined;
  /** Recordings that end at or after this instant. @default undefined (from the first) */
  start?: Date | undefined;
  /** Recordings that start at or before this instant. @default undefined (to the last) */
  stop?: Date | undefined;
  /** `maxnumberofresults` per request. @default 100 */
  pageSize?: number;
  /** `sortorder`; the camera's own default is descending (newest first). @default 'ascending' */
  order?: 'ascending' | 'descending';
  /** Stops the listing. @default undefined */
  signal?: AbortSignal | undefined;
  /** Told about recordings skipped as malformed or implausible, and about a count the camera got wrong. @default undefined */
  onWarning?: ((message: string) => void) | undefined;
}

/** One row of a `remove.cgi` answer. */
export interface RemoveResult {
  recordingId: string;
  ok: boolean;
  /** `errormsg` when not ok (short printable text only). */
  message: string | undefined;
}

export interface AxisEdgeClient {
  /** The camera's base URL (no credentials). */
  readonly url: URL;
  /** The authenticating dispatcher (for `@camdl/throttled-download`). */
  readonly dispatcher: ComposableDispatcher;
  /** A GET on a VAPIX CGI, its XML answer parsed; a `GeneralError` (HTTP 200 included) is an `ERR_AXIS_EDGE_DEVICE`. */
  call(cgi: string, params: ReadonlyArray<readonly [string, string | number]>, options?: { signal?: AbortSignal | undefined }): Promise<VapixElement>;
  /** `disks/list.cgi?diskid=all`. */
  listDisks(options?: { signal?: AbortSignal | undefined }): Promise<EdgeDisk[]>;
  /**
   * `record/list.cgi`, page after page (`startatresultnumber` advanced by the `<recording>` elements
   * received: `numberofrecordings` counts every match, not the page). Recordings in progress are
   * listed too (`inProgress`).
   */
  listRecordings(options?: ListRecordingsOptions): AsyncGenerator<EdgeRecording, void, undefined>;
  /** `record/remove.cgi` for these recordings: one result per id (the camera answers 200 even for failures). */
  removeRecordings(recordings: ReadonlyArray<Pick<EdgeRecording, 'recordingId' | 'diskId' | 'inProgress'>>, options?: { signal?: AbortSignal | undefined }): Promise<RemoveResult[]>;
  /** The export URL of a recording (`exportrecording.cgi`, `schemaversion=1`, `diskid`, `exportformat`). */
  exportUrl(recording: Pick<EdgeRecording, 'recordingId' | 'diskId'>, format: 'matroska' | 'mp4'): URL;
  /** Throws the refused login of this client, if there was one (nothing is sent after it). */
  assertUsable(): void;
  /** Closes the internal dispatcher (not one passed in). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_RECORDINGS = 1_000_000;
/** Times a listing starts over because recordings were removed while it was read; then it goes on as it can. */
const MAX_REREADS = 3;
// eslint-disable-next-line no-control-regex -- device text with control characters is refused
const GENERAL_ERROR_TEXT = /^[^\u0000-\u001f\u007f]{1,120}$/;

/** The `GeneralError` of an answer (export, properties), when it is one. */
export function generalErrorOf(root: VapixElement | undefined): { errorCode: number | undefined; description: string | undefined } | undefined {
  const error = root === undefined ? undefined : root.name === 'GeneralError' ? root : descendants(root, 'GeneralError')[0];
  if (error === undefined) return undefined;
  const code = childText(error, 'ErrorCode');
  const description = childText(error, 'ErrorDescription');
  return { errorCode: code !== undefined && /^\d{1,5}$/.test(code) ? Number(code) : undefined, description: description !== undefined && GENERAL_ERROR_TEXT.test(description) ? description : undefined };
}

function buildQuery(params: ReadonlyArray<readonly [string, string | number]>): string {
  return params.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`).join('&');
}

/** Creates a client for one Axis camera's edge storage. */
export function createAxisEdgeClient(options: AxisEdgeClientOptions): AxisEdgeClient {
  const base = new URL(String(options.url));
  if (base.username || base.password) throw new AxisEdgeError('the camera URL must not contain credentials', { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new AxisEdgeError(`unsupported protocol ${base.protocol}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const timeout = options.timeout ?? DEFAULT_CLIENT_OPTIONS.timeout;
  const connections = options.connections ?? DEFAULT_CLIENT_OPTIONS.connections;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new AxisEdgeError(`timeout must be a positive number of ms, got ${timeout}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  if (!Number.isInteger(connections) || connections < 1) throw new AxisEdgeError(`connections must be a positive integer, got ${connections}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
  const ownDispatcher = options.dispatcher === undefined;
  const dispatcher: ComposableDispatcher =
    options.dispatcher ??
    deviceAgent({ ...options, connections }).compose(digestInterceptor({ username: options.username, password: options.password }));
  let refusedLogin: AxisEdgeError | undefined;

  const call: AxisEdgeClient['call'] = async (cgi, params, callOptions = {}) => {
    if (refusedLogin) throw refusedLogin;
    const url = new URL(`axis-cgi/${cgi}`, base);
    url.search = buildQuery(params);
    const href = url.href;
    const signal = callOptions.signal;
    if (signal?.aborted) throw new AxisEdgeError(`[GET] "${href}": aborted`, { code: 'ERR_AXIS_EDGE_ABORTED', url: href, cause: signal.reason });
    const deadline = AbortSignal.timeout(timeout);
    let status: number;
    let text: string;
    try {
      const response = await smallRequest(url, { method: 'GET', dispatcher, headersTimeout: timeout, bodyTimeout: timeout, signal: signal ? AbortSignal.any([signal, deadline]) : deadline });
      status = response.statusCode;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          response.body.destroy();
          throw new AxisEdgeError(`[GET] "${href}": answer larger than ${MAX_BODY_BYTES} bytes`, { code: 'ERR_AXIS_EDGE_BAD_RESPONSE', url: href });
        }
        chunks.push(chunk as Buffer);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (isAxisEdgeError(error)) throw error;
      if (isDigestAuthError(error)) {
        refusedLogin ??= new AxisEdgeError(`[GET] "${href}": the camera refused the user name or password; nothing more is sent with these credentials`, { code: 'ERR_AXIS_EDGE_AUTH', url: href, status: error.status, cause: error });
        throw refusedLogin;
      }
      if (signal?.aborted) throw new AxisEdgeError(`[GET] "${href}": aborted`, { code: 'ERR_AXIS_EDGE_ABORTED', url: href, cause: error });
      const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
      const reason = deadline.aborted ? `timed out: no complete answer within ${Math.round(timeout / 100) / 10} s` : (code ?? (error instanceof Error ? error.message : String(error)));
      throw new AxisEdgeError(`[GET] "${href}": ${reason}`, { code: 'ERR_AXIS_EDGE_NETWORK', url: href, cause: error });
    }
    if (status < 200 || status > 299) throw new AxisEdgeError(`[GET] "${href}": HTTP ${status}`, { code: 'ERR_AXIS_EDGE_HTTP_STATUS', url: href, status });
    const root = parseXml(text);
    if (root === undefined) throw new AxisEdgeError(`[GET] "${href}": the answer is not XML`, { code: 'ERR_AXIS_EDGE_BAD_RESPONSE', url: href, status });
    const general = generalErrorOf(root);
    if (general !== undefined) {
      throw new AxisEdgeError(`[GET] "${href}": the camera answered ${status} with GeneralError ${general.errorCode ?? '?'}${general.description ? ` (${general.description})` : ''}`, {
        code: 'ERR_AXIS_EDGE_DEVICE',
        url: href,
        status,
        errorCode: general.errorCode,
      });
    }
    return root;
  };

  const listDisks: AxisEdgeClient['listDisks'] = async (callOptions = {}) => {
    const root = await call('disks/list.cgi', [['diskid', 'all']], callOptions);
    const size = (text: string | undefined): number | undefined => (text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined);
    return descendants(root, 'disk')
      .filter((disk) => /^[\w.-]{1,64}$/.test(disk.attributes['diskid'] ?? ''))
      .map((disk) => ({
        diskId: disk.attributes['diskid'] as string,
        status: /^[\w -]{1,32}$/.test(disk.attributes['status'] ?? '') ? disk.attributes['status'] : undefined,
        totalSizeKb: size(disk.attributes['totalsize']),
        freeSizeKb: size(disk.attributes['freesize']),
      }));
  };

  async function* listRecordings(listOptions: ListRecordingsOptions = {}): AsyncGenerator<EdgeRecording, void, undefined> {
    const pageSize = listOptions.pageSize ?? 100;
    const order = listOptions.order ?? 'ascending';
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) throw new AxisEdgeError(`pageSize must be 1..10000, got ${pageSize}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
    if (order !== 'ascending' && order !== 'descending') throw new AxisEdgeError(`order must be ascending or descending, got ${String(order)}`, { code: 'ERR_AXIS_EDGE_INVALID_OPTIONS' });
    const window: Array<[string, string]> = [];
    if (listOptions.start !== undefined) window.push(['starttime', listOptions.start.toISOString()]);
    if (listOptions.stop !== undefined) window.push(['stoptime', listOptions.stop.toISOString()]);
    // One of recordingid, starttime, stoptime is required.
    if (window.length === 0) window.push(['recordingid', 'all']);
    const seen = new Set<string>();
    let total: number | undefined;
    let countWrong = false;
    // Each later page is asked from one before where the last ended, one longer: the recording at the seam shows
    // whether the list held still. A device counting `startatresultnumber` from 1 (the document does not
    // say) answers one earlier still, and is asked one higher from then on. A recording missing at the
    // seam means the camera removed older ones meanwhile (its cleanup): later ones moved up, one would be
    // skipped, so the list is read again from the start (what was yielded is not yielded twice).
    let numbering: 0 | 1 | undefined;
    let seam: string | undefined;
    let rereads = 0;
    for (let first = 0; ; ) {
      const overlap = first > 0 ? 1 : 0;
      const root = await call(
        'record/list.cgi',
        [...window, ['maxnumberofresults', pageSize + overlap], ['startatresultnumber', first - overlap + (numbering ?? 0)], ['sortorder', order], ...(listOptions.diskId !== undefined ? ([['diskid', listOptions.diskId]] as const) : [])],
        { signal: listOptions.signal },
      );
      const recordings = root.name === 'recordings' ? root : descendants(root, 'recordings')[0];
      if (recordings === undefined) throw new AxisEdgeError('the camera answered list.cgi without <recordings>', { code: 'ERR_AXIS_EDGE_BAD_RESPONSE' });
      const totalText = recordings.attributes['totalnumberofrecordings'] ?? recordings.attributes['numberofrecordings'];
      if (total === undefined && !countWrong && totalText !== undefined && /^\d{1,9}$/.test(totalText)) total = Number(totalText);
      const received = recordings.children.filter((each) => each.name === 'recording');
      const idOf = (element: VapixElement | undefined): string | undefined => element?.attributes['recordingid'];
      let elements = received;
      if (overlap === 1 && numbering === undefined) {
        numbering = idOf(received[0]) !== seam && idOf(received[1]) === seam ? 1 : 0;
        if (numbering === 1) {
          listOptions.onWarning?.('the camera counts results from 1 (startatresultnumber): asking one higher');
          elements = received.slice(1);
        }
      }
      if (overlap === 1 && elements.length > 0 && idOf(elements[0]) !== seam && !seen.has(idOf(elements[0]) ?? '') && rereads < MAX_REREADS) {
        rereads += 1;
        listOptions.onWarning?.('recordings were removed while the list was read: reading it again from the start');
        first = 0;
        continue;
      }
      const position = first - overlap;
      let fresh = 0;
      for (const element of elements) {
        const recording = toEdgeRecording(element);
        if (typeof recording === 'string') {
          listOptions.onWarning?.(`skipped ${recording}`);
          continue;
        }
        if (seen.has(recording.recordingId)) continue;
        seen.add(recording.recordingId);
        fresh += 1;
        yield recording;
      }
      if (total !== undefined && position + elements.length > total) {
        // A count below what was sent is wrong: the end is then a short page.
        listOptions.onWarning?.(`the camera counted ${total} recordings but sent ${position + elements.length}: went by the recordings received`);
        total = undefined;
        countWrong = true;
      }
      if (seen.size > MAX_RECORDINGS) throw new AxisEdgeError(`the camera listed more than ${MAX_RECORDINGS} recordings`, { code: 'ERR_AXIS_EDGE_BAD_RESPONSE' });
      // The end: a short page, or every match counted; a full page of nothing new is a camera that does not page.
      if (received.length < pageSize + overlap || (total !== undefined && position + elements.length >= total)) return;
      if (fresh === 0) throw new AxisEdgeError('the camera returned the same recordings again for a later page (startatresultnumber ignored); stopping', { code: 'ERR_AXIS_EDGE_BAD_RESPONSE' });
      seam = idOf(received.at(-1));
      first = position + elements.length;
    }
  }

  const removeRecordings: AxisEdgeClient['removeRecordings'] = async (recordings, callOptions = {}) => {
    const results: RemoveResult[] = [];
    // One disk per request (diskid narrows the ids); recordings in progress are never asked for.
    const byDisk = new Map<string, string[]>();
    for (const recording of recordings) {
      if (recording.inProgress) {
        results.push({ recordingId: recording.recordingId, ok: false, message: 'still recording: not removed' });
        continue;
      }
      byDisk.set(recording.diskId, [...(byDisk.get(recording.diskId) ?? []), recording.recordingId]);
    }
    for (const [diskId, ids] of byDisk) {
      const root = await call('record/remove.cgi', [['recordingid', ids.join(',')], ['diskid', diskId]], callOptions);
      const rows = descendants(root, 'remove');
      for (const id of ids) {
        const row = rows.find((each) => each.attributes['recordingid'] === id);
        const ok = row?.attributes['result'] === 'OK';
        const message = row === undefined ? 'the camera did not answer for it' : row.attributes['errormsg'];
        results.push({ recordingId: id, ok, message: ok ? undefined : message !== undefined && GENERAL_ERROR_TEXT.test(message) ? message : 'ERROR' });
      }
    }
    return results;
  };

  return {
    get url() {
      return new URL(base.href);
    },
    dispatcher,
    call,
    listDisks,
    listRecordings,
    removeRecordings,
    exportUrl: (recording, format) => {
      const url = new URL('axis-cgi/record/export/exportrecording.cgi', base);
      url.search = buildQuery([['schemaversion', 1], ['recordingid', recording.recordingId], ['diskid', recording.diskId], ['exportformat', format]]);
      return url;
    },
    assertUsable: () => {
      if (refusedLogin) throw refusedLogin;
    },
    close: async () => {
      if (ownDispatcher) await dispatcher.close();
    },
  };
}
