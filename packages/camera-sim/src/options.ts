import { randomBytes } from 'node:crypto';
import { assertTimeZone } from './camera-time.js';
import type { ContentOption } from './content.js';
import type { SimDigestAlgorithm, SimDigestQop } from './digest-server.js';
import type { SimCardOptions } from './sim-card.js';
import { CameraSimError } from './errors.js';
import type { FaultRule } from './faults.js';
import { defaultMediaCacheDir } from './media-cache.js';
import type { AxisEdgeBehaviour } from './profiles/axis-edge.js';
import type { HikvisionBehaviour } from './profiles/hikvision.js';

/** Which camera API to imitate. */
/**
 * Which camera API to imitate. `timelapse3` is Timelapse 3.1.3 and later (decodes query parameters,
 * serves Range); `timelapse3-v3.0` (3.0.x) and `timelapse3-v3.1.2` compare the raw, undecoded query
 * text as 1.x does, and only 3.1.1+ serves Range. The behaviour follows `timelapse.version`.
 */
export type CameraProfile = 'timelapse2-v1' | 'timelapse3' | 'timelapse3-v3.0' | 'timelapse3-v3.1.2' | 'timelapseme' | 'amcrest' | 'hikvision' | 'axis-edge';

export const CAMERA_PROFILES: readonly CameraProfile[] = ['timelapse2-v1', 'timelapse3', 'timelapse3-v3.0', 'timelapse3-v3.1.2', 'timelapseme', 'amcrest', 'hikvision', 'axis-edge'];

/** Whether a profile is one of the Timelapse 3.x lines (MP4). */
export function isTimelapse3Profile(profile: CameraProfile): boolean {
  return profile.startsWith('timelapse3');
}

/** Server-side digest behaviour. */
export interface SimDigestOptions {
  /** How long a nonce stays valid; older ones get `401` with `stale=true`. @default 300_000 */
  nonceLifetimeMs?: number;
  /** `nc` must strictly increase per nonce (Apache `AuthDigestNcCheck On`). @default false */
  strictNc?: boolean;
  /** Each nonce is accepted once (firmware that refuses `nc=00000002`). @default false */
  oneTimeNonce?: boolean;
  /** Realm. @default 'AXIS_ACCC8EB3494E' (Axis profiles), 'Login to AMC018NP69LM4VM2VY' (amcrest), 'IP Camera(83813)' (hikvision) */
  realm?: string;
  /**
   * How the Digest `uri` is compared with the request-target: `'exact'` byte for byte, as RFC 7616
   * §3.4 and lighttpd do; `'decoded'` after percent-decoding both, as Apache `mod_auth_digest` does.
   * @default 'exact'
   */
  uriMatch?: 'exact' | 'decoded';
  /**
   * Algorithms offered, one `WWW-Authenticate` header each, in this order: `['SHA-256', 'MD5']` is a
   * device with an MD5 fallback, `['SHA-256']` one that forbids MD5 (AXIS OS in FIPS mode).
   * @default ['MD5'] (what the cameras' firmware offers)
   */
  algorithms?: readonly SimDigestAlgorithm[];
  /** `qop` offered; with `'auth,auth-int'` `auth-int` is verified on requests without a body. @default 'auth' */
  qop?: SimDigestQop;
  /** amcrest: the challenges' `opaque`, which the client must echo (`''`: an empty `opaque=""`, echoed as such). @default a random hex string */
  opaque?: string;
  /**
   * How a refused nonce reuse (`oneTimeNonce`, `strictNc`) is answered: `401` with a fresh challenge,
   * or `403` without one, as NVRs do.
   * @default 401
   */
  replayStatus?: 401 | 403;
  /** After this many consecutive failed logins the account locks (every request gets 401) until `close()`. @default undefined (never) */
  lockoutAfterFailures?: number;
}

/** How the Amcrest profile answers edge cases. */
export interface AmcrestBehaviour {
  /** How the end of a search is reported. @default 'found=0' */
  endOfResults?: 'found=0' | 'error-body' | '400';
  /** Answer errors with `200` and an `Error` body, like some firmware. @default false */
  errorsAs200?: boolean;
  /** Serve `Range` requests on RPC_Loadfile with 206. @default false */
  rangeSupport?: boolean;
  /**
   * Channels `condition.Channel` may name; another gives no results. Channel 0 lists channel 1's
   * recordings (models that count from 0).
   * @default [0, 1, …, channelCount]
   */
  channels?: number[];
  /**
   * How many video channels the device has: a camera 1, an NVR 4–64. Recordings say which one is theirs
   * (`RecordingSpec.channel`).
   * @default 1
   */
  channelCount?: number;
  /**
   * How the device answers "how many channels": `devVideoInput.cgi?action=getCollect` → `result=N` (its
   * local video inputs) and `magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels` →
   * `table.MaxRemoteInputChannels=N` (the IP channels of a recorder). `'camera'`: getCollect says
   * `channelCount`, MaxRemoteInputChannels 0. `'nvr'`: getCollect 0 (no local inputs), MaxRemoteInputChannels
   * `channelCount`. `'none'`: both answer `501 Not Implemented` (a device that does not say).
   * @default 'camera' when channelCount is 1, else 'nvr'
   */
  channelCountAnswer?: 'camera' | 'nvr' | 'none';
  /** Items report `VideoStream=Main|Extra1…`. @default true */
  itemVideoStream?: boolean;
  /**
   * A recorder that ignores `condition.VideoStream` and lists every stream's recordings (seen in the field):
   * the client must keep one stream itself.
   * @default false
   */
  ignoreVideoStream?: boolean;
  /** More open (not destroyed) search objects than this and `factory.create` answers 400. @default 16 */
  maxOpenSearches?: number;
  /** Camera clock minus real clock, in ms (a camera whose clock is off). @default 0 */
  clockOffsetMs?: number;
  /**
   * Which RPC_Loadfile paths are understood: `'any'` (raw `[` `]` `@` or percent-encoded), `'encoded'`
   * (a strict RFC 3986 server: raw brackets answer 400), `'raw'` (firmware that does not decode: an
   * encoded path answers 404).
   * @default 'any'
   */
  loadfilePaths?: 'any' | 'raw' | 'encoded';
  /** Firmware that refuses `condition.Types[n]` in findFile (answers Bad Request). @default false */
  refuseTypes?: boolean;
  /**
   * Times not zero-padded, as the Dahua API document prints them (`2011-7-3 21:02:32`: month, day
   * and hour), in `getCurrentTime` and in search items.
   * @default false
   */
  unpaddedTimes?: boolean;
  /** `findFile` for a window with nothing recorded: `'ok'` (then `found=0`) or `'400'` Bad Request, as some firmware. @default 'ok' */
  emptyWindow?: 'ok' | '400';
  /** Items carry `UTCOffset` (seconds east of UTC at the item's start, e.g. `-14400`). @default false */
  itemUtcOffset?: boolean;
  /** Old firmware that offers only `Basic realm="Device_CGI"` (no Digest). @default false */
  basicOnly?: boolean;
  /** How answer lines end: `crlf` (the API document) or bare `lf` (seen on some firmware). @default 'crlf' */
  lineEnding?: 'crlf' | 'lf';
}

/** How the Timelapse profiles answer edge cases. */
export interface TimelapseBehaviour {
  /** The ACAP is single-threaded: `'queue'` serialises requests, `'reject'` answers 503 to a concurrent one, `'off'` serves all at once. @default 'queue' */
  concurrency?: 'queue' | 'reject' | 'off';
  /** timelapse3: answer `503 Service is still starting` to the first N requests. @default 0 */
  startingRequests?: number;
  /**
   * App version reported by `GET app` (an empty string: none). On the 3.x profiles it also decides the
   * behaviour: before 3.1.3 the raw query text is compared, before 3.1.1 Range is ignored.
   * @default '1.2.3' (v1), '3.1.3' (timelapse3), '3.0.4' (timelapse3-v3.0), '3.1.2' (timelapse3-v3.1.2), '20.2.1' (me)
   */
  version?: string;
}

/** Options of {@link startCameraSim}. */
export interface CameraSimOptions {
  /** Camera API to imitate. */
  profile: CameraProfile;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Listen address; only loopback is allowed. @default '127.0.0.1' */
  host?: '127.0.0.1';
  /** @default 'admin' */
  username?: string;
  /** @default a random password (read it from the handle) */
  password?: string;
  /** Served content: a preset or an explicit list. @default 'demo' */
  content?: ContentOption;
  /** Camera time zone (IANA) for Amcrest wall clocks. @default 'America/New_York' */
  timeZone?: string;
  /** @default {} */
  digest?: SimDigestOptions;
  /** More simultaneous TCP connections than this get `400 Bad Request`. @default undefined (no limit) */
  maxConnections?: number;
  /** Where ffmpeg-generated clips are cached. @default $CAMDL_SIM_CACHE or `<os tmp>/camdl-sim-cache` */
  mediaCacheDir?: string;
  /** Faults to inject from the start. @default [] */
  faults?: FaultRule[];
  /** @default {} */
  amcrest?: AmcrestBehaviour;
  /** @default {} */
  timelapse?: TimelapseBehaviour;
  /** @default {} (an IP camera) */
  hikvision?: HikvisionBehaviour;
  /** @default {} */
  axisEdge?: AxisEdgeBehaviour;
  /** Serve https with this key and certificate (PEM) instead of http. @default undefined (http) */
  tls?: { key: string | Buffer; cert: string | Buffer } | undefined;
  /** Clock (ms since the epoch) for nonce expiry and `getCurrentTime`. @default Date.now */
  now?: () => number;
  /**
   * amcrest and Timelapse profiles: a card that fills and wraps as its clock advances, and (amcrest)
   * answers `storageDevice.cgi?action=getDeviceAllInfo`. @default undefined (a fixed content; amcrest
   * then answers the storage call `Not Implemented`)
   */
  card?: SimCardOptions | undefined;
  /**
   * Close the connection as soon as each answer (401s included) is sent, without saying so
   * (`Connection: close` is not sent): an HTTP/1.0-minded server that never keeps a connection.
   * @default false
   */
  closeAfterAnswer?: boolean;
  /** Sleep used by stall/slow faults. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
}

export type NormalizedOptions = Required<Omit<CameraSimOptions, 'maxConnections' | 'host' | 'tls' | 'hikvision' | 'axisEdge' | 'card'>> & {
  card: SimCardOptions | undefined;
  hikvision: HikvisionBehaviour | undefined;
  axisEdge: AxisEdgeBehaviour | undefined;
  tls: CameraSimOptions['tls'];
  host: '127.0.0.1';
  maxConnections: number | undefined;
  digest: SimDigestOptions & { realm: string };
  amcrest: Required<AmcrestBehaviour>;
  timelapse: Required<TimelapseBehaviour>;
};

const VERSIONS: Record<CameraProfile, string> = {
  'timelapse2-v1': '1.2.3',
  timelapse3: '3.1.3',
  'timelapse3-v3.0': '3.0.4',
  'timelapse3-v3.1.2': '3.1.2',
  timelapseme: '20.2.1',
  amcrest: '2.800.0000000.31.R',
  hikvision: 'V5.6.3',
  'axis-edge': '11.11.73',
};

/** The channel defaults, which follow `channelCount`. */
function amcrestChannels(behaviour: AmcrestBehaviour | undefined): Pick<Required<AmcrestBehaviour>, 'channels' | 'channelCount' | 'channelCountAnswer'> {
  const channelCount = behaviour?.channelCount ?? 1;
  if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 256) {
    throw new CameraSimError(`amcrest.channelCount must be 1..256, got ${String(channelCount)}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { channelCount } });
  }
  return {
    channelCount,
    channels: [0, ...Array.from({ length: channelCount }, (_, index) => index + 1)],
    channelCountAnswer: channelCount === 1 ? 'camera' : 'nvr',
  };
}

/** Applies defaults and validates. */
export function normalizeOptions(options: CameraSimOptions): NormalizedOptions {
  if (!CAMERA_PROFILES.includes(options.profile)) {
    throw new CameraSimError(`unknown profile "${String(options.profile)}" (expected ${CAMERA_PROFILES.join(', ')})`, { code: 'ERR_SIM_BAD_OPTIONS', context: { profile: options.profile } });
  }
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new CameraSimError('the simulator only listens on 127.0.0.1', { code: 'ERR_SIM_BAD_OPTIONS', context: { host } });
  const timeZone = options.timeZone ?? 'America/New_York';
  try {
    assertTimeZone(timeZone);
  } catch (error) {
    throw new CameraSimError(`unknown time zone "${timeZone}"`, { code: 'ERR_SIM_BAD_OPTIONS', cause: error, context: { timeZone } });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CameraSimError(`bad port ${port}`, { code: 'ERR_SIM_BAD_OPTIONS', context: { port } });
  const amcrest = options.profile === 'amcrest';
  return {
    profile: options.profile,
    port,
    host,
    username: options.username ?? 'admin',
    password: options.password ?? `sim-${randomBytes(6).toString('hex')}`,
    content: options.content ?? 'demo',
    timeZone,
    digest: { realm: amcrest ? 'Login to AMC018NP69LM4VM2VY' : options.profile === 'hikvision' ? 'IP Camera(83813)' : 'AXIS_ACCC8EB3494E', ...options.digest },
    maxConnections: options.maxConnections,
    mediaCacheDir: options.mediaCacheDir ?? defaultMediaCacheDir(),
    faults: options.faults ?? [],
    amcrest: {
      endOfResults: 'found=0',
      errorsAs200: false,
      rangeSupport: false,
      ...amcrestChannels(options.amcrest),
      itemVideoStream: true,
      ignoreVideoStream: false,
      maxOpenSearches: 16,
      clockOffsetMs: 0,
      loadfilePaths: 'any',
      refuseTypes: false,
      unpaddedTimes: false,
      emptyWindow: 'ok',
      itemUtcOffset: false,
      basicOnly: false,
      lineEnding: 'crlf',
      ...options.amcrest,
    },
    timelapse: { concurrency: 'queue', startingRequests: 0, version: VERSIONS[options.profile], ...options.timelapse },
    hikvision: options.hikvision,
    axisEdge: options.axisEdge,
    card: options.card,
    tls: options.tls,
    now: options.now ?? Date.now,
    closeAfterAnswer: options.closeAfterAnswer ?? false,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}
