import type { Socket } from 'node:net';
import { endlessChunkedBody, trickle } from './hostile-writes.js';
import { startRawHttpServer, type RawHttpServer } from './raw-http-server.js';

const CHALLENGE = 'WWW-Authenticate: Digest realm="cam", nonce="n0", qop="auth", algorithm=MD5';

/**
 * A camera whose 401 (a Digest challenge) has a page that never ends: `/endless` streams a chunked
 * page as fast as the client reads, `/trickled` sends 1,000 bytes a byte every 25 ms; either ends
 * after `giveUpMs`. A request with `Authorization: Digest …` (not checked) gets `200` `hello`.
 */
export function startHostile401Server(giveUpMs = 2000): Promise<RawHttpServer> {
  return startRawHttpServer((socket: Socket, request) => {
    if (/^authorization: Digest /im.test(request.head)) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5\r\n\r\nhello');
      return;
    }
    if (request.target === '/endless') return endlessChunkedBody(socket, `HTTP/1.1 401 Unauthorized\r\n${CHALLENGE}\r\nTransfer-Encoding: chunked\r\n\r\n`, giveUpMs);
    socket.write(`HTTP/1.1 401 Unauthorized\r\n${CHALLENGE}\r\nContent-Length: 1000\r\n\r\n`);
    return trickle(socket, 'x'.repeat(1000), { giveUpMs, end: true });
  });
}
