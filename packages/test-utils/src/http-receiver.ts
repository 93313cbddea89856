import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One request a receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** An HTTP receiver on 127.0.0.1 (a webhook, an ntfy server, a healthchecks ping endpoint): records every request. */
export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** The status every request gets. */
  status: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(options: { status?: number } = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = { requests, status: options.status ?? 200 } as HttpReceiver;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_000_000) chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body, text: body.toString('utf8') });
      response.writeHead(receiver.status, { 'content-type': 'text/plain' });
      response.end(receiver.status < 300 ? 'OK' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  receiver.url = `http://127.0.0.1:${address.port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
