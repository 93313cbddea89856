import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseChallenges } from '@camdl/http-digest';

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  params: Record<string, string> | undefined;
  status: number;
  /** The client's port: the same port means the same (reused) connection. */
  port: number;
}

export interface DigestTestServerOptions {
  username?: string;
  password?: string;
  realm?: string;
  algorithm?: 'MD5' | 'SHA-256';
  /** Extra challenge headers (raw) sent with every 401. */
  extraChallenges?: string[];
  /** Send `Authentication-Info: nextnonce=...` with every 200. */
  nextnonce?: boolean;
  /** Answer 401 stale=true the first time an otherwise valid nonce is used after `expireNonces()`. */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Only offer Basic. */
  basicOnly?: boolean;
  /** Reject (401, fresh challenge) an `nc` not above the last one seen for its nonce, like strict cameras. */
  strictNc?: boolean;
  /** Bytes of the 401 body. @default a short text */
  challengeBody?: Buffer;
  /** Answers an authenticated request instead of `hello <url>`. */
  respond?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A small RFC 7616 server (qop=auth, one algorithm) recording every request it sees. */
export async function startDigestTestServer(options: DigestTestServerOptions = {}) {
  const username = options.username ?? 'admin';
  const password = options.password ?? 'secret';
  const realm = options.realm ?? 'test realm';
  const algorithm = options.algorithm ?? 'MD5';
  const hash = (s: string): string => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
  const nonces = new Set<string>();
  const expired = new Set<string>();
  const lastNc = new Map<string, number>();
  const seen: SeenRequest[] = [];
  const newNonce = (): string => {
    const nonce = randomBytes(12).toString('base64');
    nonces.add(nonce);
    return nonce;
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const record = (status: number, params?: Record<string, string>): void => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, params, status, port: req.socket.remotePort ?? 0 });
    };
    req.resume();
    req.on('end', () => {
      if (options.onRequest?.(req, res)) {
        record(res.statusCode);
        return;
      }
      const challenge = (stale = false): void => {
        const values = options.basicOnly
          ? [`Basic realm="${realm}"`]
          : [`Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${newNonce()}", opaque=""${stale ? ', stale=true' : ''}`];
        res.writeHead(401, { 'www-authenticate': [...values, ...(options.extraChallenges ?? [])], 'content-type': 'text/plain' });
        res.end(options.challengeBody ?? 'unauthorized body that must be drained');
      };
      const header = req.headers.authorization;
      if (header === undefined) {
        record(401);
        challenge();
        return;
      }
      if (options.basicOnly) {
        const ok = header === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        record(ok ? 200 : 401);
        if (ok) res.end('ok');
        else challenge();
        return;
      }
      const params = parseChallenges(header)[0]?.params ?? {};
      const nonce = params['nonce'] ?? '';
      const ha1 = hash(`${username}:${realm}:${password}`);
      const expected = hash(`${ha1}:${nonce}:${params['nc']}:${params['cnonce']}:${params['qop']}:${hash(`${req.method}:${params['uri']}`)}`);
      let valid = params['username'] === username && params['response'] === expected && params['uri'] === req.url && nonces.has(nonce);
      if (valid && options.strictNc) {
        const nc = Number.parseInt(params['nc'] ?? '0', 16);
        valid = nc > (lastNc.get(nonce) ?? 0);
        if (valid) lastNc.set(nonce, nc);
      }
      if (valid && expired.has(nonce)) {
        record(401, params);
        challenge(true);
        return;
      }
      record(valid ? 200 : 401, params);
      if (!valid) {
        challenge();
        return;
      }
      if (options.respond !== undefined) {
        options.respond(req, res);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (options.nextnonce) headers['authentication-info'] = `nextnonce="${newNonce()}", qop=auth`;
      res.writeHead(200, headers);
      res.end(`hello ${req.url}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    expireNonces: () => nonces.forEach((nonce) => expired.add(nonce)),
    forgetNonces: () => nonces.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
