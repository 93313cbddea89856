import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, serveOnLoopback, startHttpReceiver, startRawHttpServer } from '@camdl/test-utils';
import type { Notice } from '../alerts/alert-kinds.js';
import type { HealthchecksChannelConfig, NtfyChannelConfig, WebhookChannelConfig } from '../alerts/monitoring-config.js';
import { ntfyHeaderText, pingHealthchecks, sendNtfy, sendWebhook } from './http-channels.js';
import { buildNotifyMessage, buildTestMessage } from './notify-message.js';

const NOW = Date.parse('2026-03-04T01:00:00Z');
const message = buildTestMessage({ now: NOW, host: 'nvr' });
const SECRET_PATH = '/hooks/t0ken-in-path';

function webhook(origin: string, timeoutMs = 1000): WebhookChannelConfig {
  return { kind: 'webhook', url: new URL(`${origin}${SECRET_PATH}?key=q-s3cret`), secretEnv: undefined, timeoutMs, line: 1 };
}

describe('webhooks against receivers that answer 3xx, 4xx, slowly, or without end', () => {
  const track = closeAfterEach();

  it('a redirect is a failure, never followed (to another host or the same): the other receiver gets nothing', async () => {
    const elsewhere = track(await startHttpReceiver());
    for (const status of [301, 302, 307, 308]) {
      const redirecting = track(await startRawHttpServer((socket) => void socket.end(`HTTP/1.1 ${status} Moved\r\nLocation: ${elsewhere.url}/collect\r\nContent-Length: 0\r\n\r\n`)));
      await expect(sendWebhook(webhook(redirecting.origin), message, {}, 'camdl-notify')).rejects.toMatchObject({
        code: 'ERR_SYNC_NOTIFY',
        message: `webhook (${redirecting.origin}): HTTP ${status}`,
      });
      expect(redirecting.requests).toHaveLength(1);
    }
    expect(elsewhere.requests).toEqual([]);
  });

  it('a 4xx or 5xx is a failure naming only scheme, host and status (no path, query or token)', async () => {
    for (const status of [400, 404, 410, 429, 500, 503]) {
      const receiver = track(await startHttpReceiver({ status }));
      const failure = await sendWebhook(webhook(receiver.url), message, {}, 'camdl-notify').then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toBe(`webhook (${receiver.url}): HTTP ${status}`);
      // 429 and 503 say "a moment later": tried once more within the deadline.
      expect(receiver.requests).toHaveLength(status === 429 || status === 503 ? 2 : 1);
    }
  });

  it('a receiver that never answers, or stops mid-head, fails at the deadline ("timed out"), without the path or query', async () => {
    const mute = track(await startRawHttpServer(() => new Promise<void>(() => {})));
    const halfHead = track(await startRawHttpServer((socket) => void socket.write('HTTP/1.1 200 OK\r\nContent-Ty')));
    for (const server of [mute, halfHead]) {
      const started = performance.now();
      const failure = await sendWebhook(webhook(server.origin, 500), message, {}, 'camdl-notify').then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(performance.now() - started).toBeLessThan(3000);
      expect(failure).toBe(`webhook (${server.origin}): timed out`);
    }
  });

  it('a 200 whose body never ends is delivered: the answer is read up to a cap and dropped, within the deadline', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    const endless = track(
      await startRawHttpServer(async (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        while (!socket.destroyed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
        }
      }),
    );
    const started = performance.now();
    await sendWebhook(webhook(endless.origin, 5000), message, {}, 'camdl-notify');
    expect(performance.now() - started).toBeLessThan(4000);
    // The client hung up long before the server ran out of patience: far less than 64 MiB went out.
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('a slow receiver that answers within the deadline is a delivery', async () => {
    const slow = track(await startRawHttpServer((socket) => void setTimeout(() => socket.end('HTTP/1.1 204 No Content\r\n\r\n'), 300)));
    await sendWebhook(webhook(slow.origin, 2000), message, {}, 'camdl-notify');
    expect(slow.requests[0]!.head).toMatch(/^POST \/hooks\/t0ken-in-path\?key=q-s3cret HTTP\/1\.1\r\n/);
  });
});

describe('healthchecks-style pings against the services that take them', () => {
  const track = closeAfterEach();
  const channel = (url: string): HealthchecksChannelConfig => ({ kind: 'healthchecks', url: new URL(url), timeoutMs: 2000, line: 1 });
  const ping = async (url: string, event: 'start' | 'success' | 'fail', body = ''): Promise<boolean> => pingHealthchecks(channel(url), event, body, 'camdl-notify');

  it('healthchecks.io: /start, the URL itself on success, /fail with the summary as the body', async () => {
    const hc = track(await startHttpReceiver());
    expect(await ping(`${hc.url}/ping/0b0d8c6c`, 'start')).toBe(true);
    await ping(`${hc.url}/ping/0b0d8c6c`, 'success', 'all archived');
    await ping(`${hc.url}/ping/0b0d8c6c/`, 'fail', 'gate: failed\nOPEN camera-unreachable gate');
    expect(hc.requests.map((request) => `${request.method} ${request.path} ${request.text}`)).toEqual([
      'POST /ping/0b0d8c6c/start ',
      'POST /ping/0b0d8c6c all archived',
      'POST /ping/0b0d8c6c/fail gate: failed\nOPEN camera-unreachable gate',
    ]);
  });

  it('an Uptime Kuma push URL gets status=up, or status=down with the first line of the summary, and no start ping (Kuma answers 404 below its token)', async () => {
    const kuma = track(await startHttpReceiver());
    const push = `${kuma.url}/api/push/JSHs372KL8?status=up&msg=OK&ping=`;
    expect(await ping(push, 'start')).toBe(false);
    expect(await ping(push, 'success', 'all archived')).toBe(true);
    await ping(push, 'fail', 'camdl sync could not complete: the ledger is locked\ngate: failed');
    expect(kuma.requests.map((request) => request.path)).toEqual([
      '/api/push/JSHs372KL8?status=up&msg=OK&ping=',
      '/api/push/JSHs372KL8?status=down&msg=camdl+sync+could+not+complete%3A+the+ledger+is+locked&ping=',
    ]);
  });
});

describe('ntfy against a server that keeps messages of up to 4096 bytes and refuses longer ones (attachments off)', () => {
  const track = closeAfterEach();

  it('a message with many notices is cut to whole lines within the limit, says how many lines were left out, and is delivered', async () => {
    const bodies: Buffer[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        bodies.push(body);
        // ntfy without an attachment cache: a body over the message limit is refused.
        response.writeHead(body.length > 4096 ? 400 : 200, { 'content-type': 'application/json' }).end(body.length > 4096 ? '{"code":40014,"http":400,"error":"invalid request: attachments not allowed"}' : '{"id":"x"}');
      });
    });
    const ntfy = track(await serveOnLoopback(server));
    const notices: Notice[] = Array.from({ length: 120 }, (_, index) => ({
      event: 'opened',
      kind: 'recordings-lost',
      subject: `cam${index}`,
      camera: `cam${index}`,
      sinceMs: NOW,
      atMs: NOW,
      message: `cam${index} overwrote 3 recording(s) before camdl could archive them: 2026-03-0${index % 9}-Überwachung.mp4`,
      action: 'Run camdl sync more often.',
      items: [],
    }));
    const long = buildNotifyMessage(notices, [], { now: NOW, host: 'nvr' });
    expect(Buffer.byteLength(long.text)).toBeGreaterThan(4096);
    const channel: NtfyChannelConfig = { kind: 'ntfy', url: new URL(`${ntfy.url}/site-a`), token: undefined, timeoutMs: 2000, line: 1 };
    await sendNtfy(channel, long, {}, 'camdl-notify');
    const text = bodies[0]!.toString('utf8');
    expect(bodies[0]!.length).toBeLessThanOrEqual(4096);
    expect(text.startsWith(long.text.slice(0, 200))).toBe(true);
    const left = /\n… (\d+) more line\(s\); camdl alerts lists what is open$/.exec(text);
    expect(left).not.toBeNull();
    // Whole lines: what is kept plus what was left out is the message.
    const keptLines = text.split('\n').length - 1;
    expect(keptLines + Number(left![1])).toBe(long.text.split('\n').length);
    expect(long.text.startsWith(text.split('\n').slice(0, keptLines).join('\n'))).toBe(true);
    // A short message goes as it is.
    const short = buildNotifyMessage(notices.slice(0, 1), [], { now: NOW, host: 'nvr' });
    await sendNtfy(channel, short, {}, 'camdl-notify');
    expect(bodies[1]!.toString('utf8')).toBe(short.text);
  });
});

describe('an ntfy title with characters beyond ASCII (a camera or a host named in its own language)', () => {
  const track = closeAfterEach();

  /** RFC 2047 B words decoded independently of the encoder: the words' bytes, joined, read as UTF-8. */
  function decodeWords(value: string): string {
    const words = value.split(' ');
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/]+=*\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    return Buffer.concat(words.map((word) => Buffer.from(word.slice(10, -2), 'base64'))).toString('utf8');
  }

  it('goes as RFC 2047 encoded words that give back the title, where it used to be question marks', async () => {
    const ntfy = track(await startHttpReceiver());
    const channel: NtfyChannelConfig = { kind: 'ntfy', url: new URL(`${ntfy.url}/site-a`), token: undefined, timeoutMs: 2000, line: 1 };
    const named = buildTestMessage({ now: NOW, host: 'Überwachung-Nord-東京-🎥-caméra-de-la-grange-über-dem-Hof' });
    await sendNtfy(channel, named, {}, 'camdl-notify');
    const header = ntfy.requests[0]!.headers['title'];
    expect(typeof header).toBe('string');
    expect(decodeWords(header as string)).toBe(named.title);
    // An ASCII title goes as it is; control characters never reach a header.
    expect(ntfyHeaderText('camdl on nvr: test message')).toBe('camdl on nvr: test message');
    expect(ntfyHeaderText('a\r\nX: 1')).toBe('a??X: 1');
    expect(decodeWords(ntfyHeaderText('né\r\nX'))).toBe('né??X');
  });
});

describe('a webhook that fails for a moment (a proxy restarting, a rate limit)', () => {
  const track = closeAfterEach();

  it('is tried once more within the deadline after 503/429 (honouring a short Retry-After) or a dropped connection, and delivered', async () => {
    for (const first of ['HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n', undefined]) {
      let seen = 0;
      const flaky = track(
        await startRawHttpServer((socket) => {
          seen += 1;
          if (seen > 1) return void socket.end('HTTP/1.1 204 No Content\r\n\r\n');
          // undefined: the connection is dropped before any answer.
          if (first === undefined) return void socket.destroy();
          socket.end(first);
        }),
      );
      await sendWebhook(webhook(flaky.origin, 5000), message, {}, 'camdl-notify');
      expect(flaky.requests).toHaveLength(2);
    }
  });

  it('is not tried again after a 500, a 4xx, a Retry-After longer than 5 s, or a second 503: the next run sends it', async () => {
    for (const answer of ['500 Internal Server Error', '404 Not Found', '503 Service Unavailable\r\nRetry-After: 120', '503 Service Unavailable']) {
      const failing = track(await startRawHttpServer((socket) => void socket.end(`HTTP/1.1 ${answer}\r\nContent-Length: 0\r\n\r\n`)));
      const status = answer.slice(0, 3);
      await expect(sendWebhook(webhook(failing.origin, 5000), message, {}, 'camdl-notify')).rejects.toThrow(`HTTP ${status}`);
      expect(failing.requests).toHaveLength(answer === '503 Service Unavailable' ? 2 : 1);
    }
  });
});
