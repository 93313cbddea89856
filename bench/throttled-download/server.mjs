// The benchmark's file server, in its own process (so it does not share a core's event loop or GC
// with the client being measured): node server.mjs → prints `{"origin":"http://127.0.0.1:PORT"}`.
// GET /bytes/<n> streams a virtual file of n bytes (one random MiB repeated) with backpressure,
// Content-Length and a strong ETag. Ends when its stdin closes.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const MiB = 1024 * 1024;
const block = randomBytes(MiB);

async function sendBytes(res, size) {
  let left = size;
  while (left > 0 && !res.destroyed) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

const server = createServer((req, res) => {
  const size = Number(/^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
  if (size < 0) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': String(size), etag: `"${size}"`, 'content-type': 'application/octet-stream' });
  void sendBytes(res, size);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0))).resume();
