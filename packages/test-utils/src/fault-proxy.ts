import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does to one request instead of forwarding it. */
export type ProxyFault =
  /**
   * Read the request body, then answer `status` with an S3-style XML error document of `code` (plus `fields`,
   * e.g. `{ Region: 'eu-central-1' }`) and `headers` (e.g. `x-amz-bucket-region`).
   */
  | { kind: 'status'; status: number; code: string; fields?: Record<string, string>; headers?: Record<string, string> }
  /** Read `afterBytes` of the request body, then reset the connection (a reset mid-upload). */
  | { kind: 'reset'; afterBytes: number }
  /** Read the request body, then never answer (the connection stays open until the client gives up). */
  | { kind: 'stall' }
  /** Forward the request, pass the answer's headers and `afterBytes` of its body, then go silent. */
  | { kind: 'stall-response'; afterBytes: number }
  /** Forward the request and its answer, with these headers of the answer replaced (a store that says something else). */
  | { kind: 'answer-headers'; headers: Record<string, string> };

/** One request that reached the proxy, and what happened to it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The fault applied, or 'forwarded'. */
  outcome: ProxyFault['kind'] | 'forwarded';
  /** The request's headers as received. */
  headers: IncomingHttpHeaders;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Applies `fault` to the next `times` requests for which `matches` is true (then forwards again). */
  inject(matches: (request: { method: string; url: string }) => boolean, fault: ProxyFault, times?: number): void;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

interface Rule {
  matches: (request: { method: string; url: string }) => boolean;
  fault: ProxyFault;
  remaining: number;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a server on `upstreamPort` (an S3 server...), forwarding requests as
 * they are (the Host header too, so signatures stay valid) unless a fault was injected for them.
 */
export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const rules: Rule[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((incoming, response) => {
    const method = incoming.method ?? 'GET';
    const url = incoming.url ?? '/';
    const rule = rules.find((candidate) => candidate.remaining > 0 && candidate.matches({ method, url }));
    const headers = incoming.headers;
    if (rule?.fault.kind === 'stall-response' || rule?.fault.kind === 'answer-headers') {
      rule.remaining -= 1;
      requests.push({ method, url, outcome: rule.fault.kind, headers });
      if (rule.fault.kind === 'stall-response') forward(upstreamPort, incoming, response, rule.fault.afterBytes);
      else forward(upstreamPort, incoming, response, Number.POSITIVE_INFINITY, rule.fault.headers);
      return;
    }
    if (rule) {
      rule.remaining -= 1;
      requests.push({ method, url, outcome: rule.fault.kind, headers });
      const fault = rule.fault;
      if (fault.kind === 'status') {
        drain(incoming, () => {
          const fields = Object.entries(fault.fields ?? {}).map(([name, value]) => `<${name}>${value}</${name}>`).join('');
          const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>injected by the fault proxy</Message>${fields}</Error>`;
          response.writeHead(fault.status, { ...fault.headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
          response.end(body);
        });
      } else if (fault.kind === 'stall') {
        drain(incoming, () => undefined);
      } else {
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= fault.afterBytes) incoming.socket.resetAndDestroy();
        });
        incoming.on('end', () => incoming.socket.resetAndDestroy());
      }
      return;
    }
    requests.push({ method, url, outcome: 'forwarded', headers });
    forward(upstreamPort, incoming, response, Number.POSITIVE_INFINITY);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    inject(matches, fault, times = 1) {
      rules.push({ matches, fault, remaining: times });
    },
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Forwards a request upstream as it is; passes at most `bodyBytes` of the answer's body, then holds the rest; `replaceHeaders` override the answer's. */
function forward(upstreamPort: number, incoming: IncomingMessage, response: ServerResponse, bodyBytes: number, replaceHeaders: Record<string, string> = {}): void {
  const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...replaceHeaders });
    let passed = 0;
    answer.on('data', (chunk: Buffer) => {
      const room = bodyBytes - passed;
      if (room <= 0) return;
      response.write(room >= chunk.length ? chunk : chunk.subarray(0, room));
      passed += Math.min(room, chunk.length);
    });
    answer.on('end', () => {
      if (passed < bodyBytes) response.end();
    });
  });
  upstream.on('error', () => response.destroy());
  incoming.pipe(upstream);
}

/** Reads and drops a request body (capped: a test body, never more than 64 MiB), then calls `done`. */
function drain(incoming: IncomingMessage, done: () => void): void {
  let received = 0;
  incoming.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > 64 * 1024 * 1024) incoming.socket.destroy();
  });
  incoming.on('end', done);
}
