import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { buildArchives, buildRecordings, type BodySource, type SimArchive, type SimRecording } from './content.js';
import { createCounters, resetCounters, type SimCounters } from './counters.js';
import { DigestServer, parseDigestAuthorization } from './digest-server.js';
import { CameraSimError } from './errors.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { isTimelapse3Profile, normalizeOptions, type CameraProfile, type CameraSimOptions } from './options.js';
import { createAmcrestProfile } from './profiles/amcrest.js';
import { createAxisEdgeProfile, type AxisEdgeSimState } from './profiles/axis-edge.js';
import { createHikvisionProfile, type HikvisionSimRecording } from './profiles/hikvision.js';
import type { ProfileHandler } from './profiles/profile-handler.js';
import { createTimelapseProfile } from './profiles/timelapse.js';
import { createSimCard, type SimCard } from './sim-card.js';
import { RawRequestLineSocket, restoreRawBytes } from './raw-request-line.js';
import type { RequestContext } from './request-context.js';

/** A running simulator. */
export interface CameraSim {
  /** `http://127.0.0.1:<port>` — what a downloader takes as `--host`. */
  url: string;
  /** Same as `url` (scheme, host, port). */
  origin: string;
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  profile: CameraProfile;
  realm: string;
  /** Camera time zone (amcrest). */
  timeZone: string;
  /** Live server-side counters. */
  counters: SimCounters;
  /** The fault rule engine (add/set/clear rules at runtime). */
  faults: FaultInjector;
  /** Served Timelapse archives (live: `DELETE archive` removes entries). Empty for amcrest. */
  archives: SimArchive[];
  /** Served Amcrest recordings, chronological (live: {@link CameraSim.overwriteRecording} removes entries). Empty for Timelapse profiles. */
  recordings: SimRecording[];
  /**
   * Amcrest: the camera overwrites a recording, as it does with the oldest ones when its card is full:
   * searches no longer find it and `RPC_Loadfile` answers 404. Returns whether it was there.
   */
  overwriteRecording(filePath: string): boolean;
  /**
   * Removes a recording (amcrest: by FilePath) or archive (Timelapse: by filename) from wherever it
   * is, as someone deleting it by hand would. Returns whether it was there.
   */
  removeRecording(key: string): boolean;
  /** The card that fills and wraps, when the `card` option is given. */
  card: SimCard | undefined;
  /** URL path (+ query) that downloads an archive or recording the way the camera's own UI would. */
  downloadPath(item: SimArchive | SimRecording): string;
  /** sha256 of an archive (by filename) or recording (by FilePath), streamed for large synthetic files. */
  sha256Of(key: string): Promise<string>;
  /** Replaces all fault rules. */
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  /** The `hikvision` profile's recordings (undefined for other profiles). */
  hikvision: { recordings: HikvisionSimRecording[] } | undefined;
  /** The `axis-edge` profile's live state (undefined for other profiles). */
  axisEdge: AxisEdgeSimState | undefined;
  /** Zeroes the counters in place. */
  resetCounters(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

function isRecording(item: SimArchive | SimRecording): item is SimRecording {
  return 'filePath' in item;
}

/** Starts a camera simulator on 127.0.0.1. */
export async function startCameraSim(options: CameraSimOptions): Promise<CameraSim> {
  const normalized = normalizeOptions(options);
  const counters = createCounters();
  const faults = new FaultInjector(normalized.faults);
  const isAmcrest = normalized.profile === 'amcrest';
  const digest = new DigestServer({
    flavour: isAmcrest ? 'amcrest' : normalized.profile === 'hikvision' ? 'hikvision' : 'axis',
    realm: normalized.digest.realm,
    username: normalized.username,
    password: normalized.password,
    nonceLifetimeMs: normalized.digest.nonceLifetimeMs ?? 300_000,
    strictNc: normalized.digest.strictNc ?? false,
    oneTimeNonce: normalized.digest.oneTimeNonce ?? false,
    uriMatch: normalized.digest.uriMatch ?? 'exact',
    algorithms: normalized.digest.algorithms ?? ['MD5'],
    qop: normalized.digest.qop ?? 'auth',
    ...(normalized.digest.opaque === undefined ? {} : { opaque: normalized.digest.opaque }),
    now: normalized.now,
  });

  const sources = new Map<string, BodySource>();
  let archiveEntries: Array<{ archive: SimArchive; source: BodySource }> = [];
  let recordingEntries: Array<{ recording: SimRecording; source: BodySource }> = [];
  let profile: ProfileHandler;
  let hikvision: CameraSim['hikvision'];
  let axisEdge: CameraSim['axisEdge'];
  if (normalized.profile === 'hikvision') {
    const built = await createHikvisionProfile({ behaviour: normalized.hikvision, timeZone: normalized.timeZone, mediaCacheDir: normalized.mediaCacheDir, now: normalized.now, lockoutAfterFailures: normalized.digest.lockoutAfterFailures });
    profile = built.handler;
    hikvision = { recordings: built.recordings };
  } else if (normalized.profile === 'axis-edge') {
    const built = await createAxisEdgeProfile({ behaviour: normalized.axisEdge, timeZone: normalized.timeZone, mediaCacheDir: normalized.mediaCacheDir });
    profile = built.handler;
    axisEdge = built.state;
  } else if (isAmcrest) {
    recordingEntries = await buildRecordings(normalized.content, normalized.timeZone, normalized.mediaCacheDir);
    for (const { recording, source } of recordingEntries) sources.set(recording.filePath, source);
    profile = createAmcrestProfile(normalized, recordingEntries, counters, () => card);
  } else {
    const flavour = normalized.profile === 'timelapse2-v1' ? 'v1' : isTimelapse3Profile(normalized.profile) ? 'v3' : 'me';
    archiveEntries = await buildArchives(normalized.content, flavour, normalized.mediaCacheDir);
    for (const { archive, source } of archiveEntries) if (!sources.has(archive.filename)) sources.set(archive.filename, source);
    profile = createTimelapseProfile(normalized, archiveEntries);
  }

  // The Axis web server (Apache) takes raw bytes in the request line; every Timelapse version sees them.
  // (Not behind TLS: the wrapper sits on the plain TCP socket.)
  let card: SimCard | undefined;
  if (normalized.card !== undefined) {
    if (normalized.profile === 'hikvision' || normalized.profile === 'axis-edge') {
      throw new CameraSimError(`the card option applies to the amcrest and Timelapse profiles, not ${normalized.profile}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { profile: normalized.profile } });
    }
    card = createSimCard(
      normalized.card,
      {
        kind: isAmcrest ? 'amcrest' : 'timelapse',
        recordings: recordingEntries,
        archives: archiveEntries,
        flavour: normalized.profile === 'timelapse2-v1' ? 'v1' : isTimelapse3Profile(normalized.profile) ? 'v3' : 'me',
        timeZone: normalized.timeZone,
        cacheDir: normalized.mediaCacheDir,
        onAdded: (key, source) => sources.set(key, source),
        onRemoved: (key) => sources.delete(key),
      },
      normalized.now,
    );
  }
  const removeEntry = (key: string): boolean => {
    const recordingIndex = recordingEntries.findIndex(({ recording }) => recording.filePath === key);
    const archiveIndex = archiveEntries.findIndex(({ archive }) => archive.filename === key);
    // In place: the profiles search these same arrays.
    if (recordingIndex >= 0) recordingEntries.splice(recordingIndex, 1);
    else if (archiveIndex >= 0) archiveEntries.splice(archiveIndex, 1);
    else return false;
    sources.delete(key);
    return true;
  };

  const rawBytes = normalized.profile !== 'amcrest' && normalized.tls === undefined;
  const basicOnly = isAmcrest && normalized.amcrest.basicOnly;
  let consecutiveFailures = 0;
  let openConnections = 0;
  let inFlight = 0;
  let queue: Promise<void> = Promise.resolve();
  let busy = false;
  const sockets = new Set<Socket | RawRequestLineSocket>();

  const challenge = (response: ServerResponse, stale: boolean, credentialsRefused = false): void => {
    counters.challenges++;
    if (stale) counters.staleChallenges++;
    const lockout = normalized.digest.lockoutAfterFailures;
    const own = profile.unauthorized?.({ credentialsRefused, failures: consecutiveFailures, locked: lockout !== undefined && consecutiveFailures >= lockout });
    const body = own?.body ?? (isAmcrest ? 'Error\r\nInvalid Authority!\r\n' : '<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD><BODY>401 Unauthorized</BODY></HTML>\n');
    response.writeHead(401, {
      'WWW-Authenticate': digest.challenges(stale),
      'Content-Type': own?.contentType ?? (isAmcrest ? 'text/plain;charset=utf-8' : 'text/html; charset=iso-8859-1'),
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    counters.totalRequests++;
    const method = request.method ?? 'GET';
    const target = rawBytes ? restoreRawBytes(request.url ?? '/') : (request.url ?? '/');
    const queryIndex = target.indexOf('?');
    const path = queryIndex < 0 ? target : target.slice(0, queryIndex);
    const rawQuery = queryIndex < 0 ? '' : target.slice(queryIndex + 1);

    if (normalized.maxConnections !== undefined && openConnections > normalized.maxConnections) {
      counters.connectionLimitRejections++;
      const body = 'Error\r\nBad Request!\r\n';
      response.writeHead(400, { 'Content-Type': 'text/plain;charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      response.end(body);
      return;
    }

    await card?.catchUp();
    const match = profile.route(method, path, rawQuery);
    if (!match) {
      const body = 'Not Found\n';
      response.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    counters.requests[match.route] = (counters.requests[match.route] ?? 0) + 1;
    const methodKey = `${method} ${match.route}`;
    counters.requestsByMethod[methodKey] = (counters.requestsByMethod[methodKey] ?? 0) + 1;

    const lockout = normalized.digest.lockoutAfterFailures;
    if (lockout !== undefined && consecutiveFailures >= lockout) {
      challenge(response, false, request.headers.authorization !== undefined);
      return;
    }
    const authorization = request.headers.authorization;
    if (basicOnly) {
      // Old Dahua firmware: Basic only, compared as bytes.
      const expected = `Basic ${Buffer.from(`${normalized.username}:${normalized.password}`, 'utf8').toString('base64')}`;
      if (authorization !== expected) {
        counters.challenges++;
        if (authorization !== undefined) {
          counters.authFailures++;
          consecutiveFailures++;
        }
        const body = 'Error\r\nInvalid Authority!\r\n';
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Device_CGI"', 'Content-Type': 'text/plain;charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        response.end(body);
        return;
      }
    }
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    const verdict = basicOnly ? ({ ok: true, username: normalized.username } as const) : digest.verify(method, target, authorization, hasBody);
    if (!verdict.ok) {
      if (verdict.reason === 'uri-mismatch' || verdict.reason === 'malformed') {
        counters.authFailures++;
        response.writeHead(400, { 'Content-Type': 'text/plain', 'Content-Length': 12 });
        response.end('Bad Request\n');
        return;
      }
      const stale = verdict.reason === 'stale' || verdict.reason === 'unknown-nonce';
      if (verdict.reason === 'bad-credentials' || verdict.reason === 'nc-replay' || verdict.reason === 'opaque-mismatch' || verdict.reason === 'not-digest') {
        counters.authFailures++;
        if (verdict.reason === 'bad-credentials') consecutiveFailures++;
      }
      if (verdict.reason === 'nc-replay' && normalized.digest.replayStatus === 403) {
        // A recorder refusing a reused nonce: 403 and no challenge; the client asks for a new one.
        const body = isAmcrest ? 'Error\r\nForbidden!\r\n' : 'Forbidden\n';
        response.writeHead(403, { 'Content-Type': 'text/plain;charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        response.end(body);
        return;
      }
      challenge(response, stale, verdict.reason === 'bad-credentials');
      return;
    }
    consecutiveFailures = 0;
    if (!basicOnly && authorization !== undefined) {
      const params = parseDigestAuthorization(authorization);
      const key = `${(params?.['algorithm'] ?? 'MD5').toUpperCase()} ${params?.['qop'] ?? 'none'}`;
      counters.authorized[key] = (counters.authorized[key] ?? 0) + 1;
    }

    const decision = faults.next(match.route, match.resource);
    const fault = decision.rule;
    if (fault) counters.faultsApplied++;
    if (fault?.kind === 'auth-storm') {
      challenge(response, false);
      return;
    }
    if (fault?.kind === 'status') {
      const body = fault.body ?? `${fault.status} error\n`;
      const headers: Record<string, string | number> = { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) };
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      if (profile.connectionClose?.(match)) headers['Connection'] = 'close';
      response.writeHead(fault.status, headers);
      response.end(body);
      return;
    }

    const context: RequestContext = { request, response, method, target, path, rawQuery, fault, counters, options: normalized };
    if (profile.connectionClose?.(match)) response.shouldKeepAlive = false;

    // A request is over for the camera once its answer is sent: a client that has read the last byte may
    // send its next request at once, before the handler's code after `end()` has run. Counting until the
    // handler returns would see overlap the client never caused (and `reject` would answer 503). A fault
    // may leave the answer unended: then the handler's return ends it.
    const run = async (over: () => void): Promise<void> => {
      inFlight++;
      counters.peakConcurrentRequests = Math.max(counters.peakConcurrentRequests, inFlight);
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        inFlight--;
        over();
      };
      response.once('finish', end);
      response.once('close', end);
      try {
        await profile.handle(context, match);
      } finally {
        end();
      }
    };
    if (profile.serialize === 'off') return run(() => {});
    if (profile.serialize === 'reject' && busy) {
      const body = 'Service busy\n';
      response.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    const previous = queue;
    let release = (): void => {};
    queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    busy = true;
    await run(() => {
      busy = false;
      release();
    });
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (normalized.closeAfterAnswer) {
      const socket = request.socket;
      response.once('finish', () => socket.end());
    }
    handleRequest(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end('Internal Server Error\n');
      } else {
        response.destroy();
      }
    });
  };
  const serverOptions = { keepAliveTimeout: 5000, insecureHTTPParser: !isAmcrest };
  const server = normalized.tls
    ? createTlsServer({ ...serverOptions, key: normalized.tls.key, cert: normalized.tls.cert }, onRequest)
    : createServer(serverOptions, onRequest);
  server.on(normalized.tls ? 'secureConnection' : 'connection', (socket: Socket | RawRequestLineSocket) => {
    sockets.add(socket);
    openConnections++;
    counters.connections++;
    counters.peakConnections = Math.max(counters.peakConnections, openConnections);
    socket.on('close', () => {
      sockets.delete(socket);
      openConnections--;
    });
  });
  // Clients may send raw bytes that are not URL-safe (the Timelapse2 1.x case): tolerate them like Apache.
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const listener: NetServer = rawBytes ? createNetServer((socket) => server.emit('connection', new RawRequestLineSocket(socket))) : server;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error) =>
      reject(new CameraSimError(`cannot listen on 127.0.0.1:${normalized.port}`, { code: 'ERR_SIM_LISTEN_FAILED', cause: error, context: { port: normalized.port } })),
    );
    listener.listen(normalized.port, '127.0.0.1', () => resolve());
  });
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : normalized.port;
  const origin = `${normalized.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const timelapseBase = normalized.profile === 'timelapseme' ? '/local/timelapseme/' : '/local/timelapse2/';
  return {
    url: origin,
    origin,
    host: '127.0.0.1',
    port,
    username: normalized.username,
    password: normalized.password,
    profile: normalized.profile,
    realm: normalized.digest.realm,
    timeZone: normalized.timeZone,
    counters,
    faults,
    get archives() {
      return archiveEntries.map(({ archive }) => archive);
    },
    get recordings() {
      return recordingEntries.map(({ recording }) => recording);
    },
    overwriteRecording(filePath) {
      return recordingEntries.some(({ recording }) => recording.filePath === filePath) && removeEntry(filePath);
    },
    removeRecording: removeEntry,
    card,
    downloadPath(item) {
      if (isRecording(item)) return `/cgi-bin/RPC_Loadfile${item.filePath}`;
      if (normalized.profile === 'timelapseme') {
        return `${timelapseBase}archives?export=${encodeURIComponent(item.id)}&file=${encodeURIComponent(item.filename)}`;
      }
      return `${timelapseBase}download?filename=${encodeURIComponent(item.filename)}`;
    },
    async sha256Of(key) {
      const source = sources.get(key);
      if (!source) throw new CameraSimError(`no served file named ${key}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { key } });
      return source.sha256();
    },
    hikvision,
    axisEdge,
    setFaults: (rules) => faults.set(rules),
    addFault: (rule) => faults.add(rule),
    resetCounters: () => resetCounters(counters),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}
