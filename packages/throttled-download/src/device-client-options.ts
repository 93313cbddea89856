import { DownloadAgent, type ComposableDispatcher } from './lean/index.js';

/**
 * How the client of one camera or recorder connects: where, as whom, through which dispatcher, with which
 * deadline and certificates. The camera libraries' client options extend it; each documents its own
 * `connections` (how many requests its devices serve at once).
 */
export interface DeviceClientOptions {
  /** The device: `http://192.168.1.100/`, `https://cam.example.com:8443/` (a path prefix is kept; never credentials). */
  url: string | URL;
  /** Device user. */
  username: string;
  /** Device password (never logged, never in a URL). */
  password: string;
  /**
   * A dispatcher that already authenticates; when given, `username`/`password` are not used and
   * `close()` leaves it open.
   * @default a `DownloadAgent` composed with `digestInterceptor({ username, password })`
   */
  dispatcher?: ComposableDispatcher;
  /** Timeout of each API request (headers and whole body), in ms. @default 30000 */
  timeout?: number;
  /** PEM certificate(s) of the CA that signed the device's certificate (https). @default undefined (the system's CAs) */
  ca?: string | Buffer | undefined;
  /** Accept any TLS certificate (cameras and recorders use self-signed ones). @default false */
  insecure?: boolean | undefined;
}

/**
 * The agent a device client makes when given no dispatcher: HTTP/1.1 only (undici would negotiate h2 over TLS and
 * multiplex), so `connections` is the number of requests the device serves at once; recordings over plain http are
 * read by its lean body reader, within the same `connections`.
 */
export function deviceAgent(options: Pick<DeviceClientOptions, 'ca' | 'insecure'> & { connections: number }): DownloadAgent {
  return new DownloadAgent({
    connections: options.connections,
    keepAliveTimeout: 4_000,
    allowH2: false,
    connect: {
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.insecure === true ? { rejectUnauthorized: false } : {}),
    },
  });
}
