import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, for external servers (Apache, lighttpd) that cannot be told to
 * listen on port 0 and report back. Node servers of our own listen on port 0 directly.
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
