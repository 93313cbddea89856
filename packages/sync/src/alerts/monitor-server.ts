import type { Server } from 'node:http';
import type { FleetConfig } from '../config.js';
import { collectMetrics, renderExposition } from '../metrics.js';
import { renderCoverageReport } from '../report.js';
import { DEFAULT_HEALTH_MAX_AGE_MS, healthReport } from './health.js';

/** Options of {@link startMonitorServer}. */
export interface MonitorServerOptions {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 9469 */
  port?: number;
  /** How old the last completed run may be before `/healthz` answers 503, in ms. @default 26 hours */
  maxAgeMs?: number;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** A running `camdl serve`. */
export interface MonitorServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** The content type of the Prometheus text exposition format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * `camdl serve`'s HTTP server: `GET /` or `/report` (the coverage report page, rendered from the ledger
 * at each request), `GET /metrics` (Prometheus text exposition, from the ledger read-only at each
 * scrape) and `GET /healthz` (JSON; 200 while healthy, 503 otherwise). Nothing else; no
 * request body is read, every connection has short timeouts.
 */
export async function startMonitorServer(config: FleetConfig, options: MonitorServerOptions = {}): Promise<MonitorServer> {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_HEALTH_MAX_AGE_MS;
  // `node:http` is loaded here, not at the top: its ESM namespace reads `http.WebSocket`, which loads Node's
  // bundled undici (about 13 MiB of memory) into every process that imports @camdl/sync.
  const { createServer } = await import('node:http');
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      collectMetrics(config, { now: now() }).then(
        (families) => send(200, EXPOSITION_CONTENT_TYPE, renderExposition(families)),
        (error: unknown) => send(500, 'text/plain; charset=utf-8', `metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      return;
    }
    if (path === '/healthz') {
      let report;
      try {
        report = healthReport(config, { now: now(), maxAgeMs });
      } catch (error) {
        send(503, 'application/json', `${JSON.stringify({ status: 'no-run', healthy: false, reason: error instanceof Error ? error.message : String(error) })}\n`);
        return;
      }
      send(report.healthy ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
      return;
    }
    if (path === '/' || path === '/report') {
      // Rendered from the ledger at each request: the page is as fresh as the last run.
      let html: string;
      try {
        html = renderCoverageReport(config, { now: now() });
      } catch (error) {
        send(503, 'text/plain; charset=utf-8', `report unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
        return;
      }
      response.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
      send(200, 'text/html; charset=utf-8', html);
      return;
    }
    send(404, 'text/plain; charset=utf-8', 'camdl serve: / (the coverage report), /metrics and /healthz\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9469, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 9469);
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
