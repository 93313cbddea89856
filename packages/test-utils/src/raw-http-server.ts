import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/** What a {@link RawHttpServer} saw of one request. */
export interface RawHttpRequest {
  /** The request head as received (request line and headers, CRLFs included). */
  head: string;
  /** The request-target of the request line. */
  target: string;
}

/**
 * Answers a request with whatever `respond` writes on the socket: any bytes, split and paced at
 * will, then `end()`, `destroy()` or nothing (a server that stalls). Return a promise to keep the
 * connection until it settles.
 */
export type RawResponder = (socket: Socket, request: RawHttpRequest) => void | Promise<void>;

export interface RawHttpServer {
  origin: string;
  url(path: string): string;
  /** Every request head received, in order. */
  requests: RawHttpRequest[];
  close(): Promise<void>;
}

export interface RawHttpServerOptions {
  /** Serve over TLS with this key and certificate (see `makeSelfSignedCert`): the origin is then `https:`. */
  tls?: { key: string; cert: string } | undefined;
}

/**
 * A TCP (or TLS) server on 127.0.0.1 (port 0) that reads HTTP request heads (GETs: no request bodies) and
 * lets the test write each raw response: malformed status lines, bare LFs, huge headers, 1xx heads, bodies cut
 * short, byte-by-byte writes. For testing HTTP clients against hostile or broken servers.
 */
export async function startRawHttpServer(respond: RawResponder, options: RawHttpServerOptions = {}): Promise<RawHttpServer> {
  const requests: RawHttpRequest[] = [];
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // One request head after another on the same connection (a keep-alive client reuses it).
    let received = '';
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      for (let end = received.indexOf('\r\n\r\n'); end >= 0; end = received.indexOf('\r\n\r\n')) {
        const head = received.slice(0, end + 4);
        received = received.slice(end + 4);
        const request = { head, target: head.split(' ')[1] ?? '' };
        requests.push(request);
        void Promise.resolve(respond(socket, request)).catch(() => socket.destroy());
      }
    });
  };
  const server: Server = options.tls === undefined ? createServer(onConnection) : createTlsServer(options.tls, onConnection);
  // A client that gives up mid-handshake is not the test's business.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const origin = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${address.port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
