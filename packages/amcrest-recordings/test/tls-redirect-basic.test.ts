import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, missingSystemTools, selfSignedCertForSuite, serveOnLoopback } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { createAmcrestClient, findRecordings } from '../src/index.js';

const RANGE = { start: '2026-01-16T20:00:00', end: '2026-01-16T22:00:00', cameraTimeZone: 'America/New_York' } as const;

/** A plain-http server on 127.0.0.1 that redirects every request to `target(path)` and records what it got. */
async function startRedirector(target: (path: string) => string): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(301, { Location: target(request.url ?? '/'), 'Content-Length': 0 });
    response.end();
  });
  const { url, close } = await serveOnLoopback(server);
  return { url, seen, close };
}

describe.skipIf(missingSystemTools('openssl') !== undefined)('https, redirects and Basic-only firmware', () => {
  const cert = selfSignedCertForSuite('camdl-amcrest-tls-');
  const track = closeAfterEach();

  it('https with a self-signed certificate: refused by default, works with insecure and with the CA', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', tls: { key: cert.key, cert: cert.cert } }));
    expect(sim.url).toMatch(/^https:\/\//);
    const strict = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    await expect(strict.getCurrentTime()).rejects.toMatchObject({ code: 'ERR_AMCREST_NETWORK' });
    await strict.close();
    for (const tls of [{ insecure: true }, { ca: cert.cert }]) {
      const client = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password, ...tls });
      const found = await findRecordings(client, RANGE);
      expect(found.recordings.length).toBeGreaterThan(0);
      await client.close();
    }
  });

  it('a redirect to the same host (http → https) is followed, credentials go to https only', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', tls: { key: cert.key, cert: cert.cert } }));
    const redirector = track(await startRedirector((path) => `${sim.url}${path}`));
    const client = track(createAmcrestClient({ url: redirector.url, username: sim.username, password: sim.password, insecure: true }));
    const found = await findRecordings(client, RANGE);
    expect(found.recordings.length).toBe(sim.recordings.filter((recording) => recording.type === 'mp4').length);
    expect(client.url.href).toBe(`${sim.url}/`);
    expect(client.fileUrl(found.recordings[0]!.filePath).href.startsWith(`${sim.url}/cgi-bin/RPC_Loadfile/`)).toBe(true);
    expect(redirector.seen.length).toBeGreaterThan(0);
    expect(redirector.seen.every((headers) => headers.authorization === undefined)).toBe(true);
  });

  it('a redirect to another origin is not followed and gets no credentials', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny' }));
    const foreign = track(await startRedirector(() => '/never'));
    // `localhost` is another host name (another origin) on the same loopback address.
    const redirector = track(await startRedirector((path) => `${foreign.url.replace('127.0.0.1', 'localhost')}${path}`));
    const client = track(createAmcrestClient({ url: redirector.url, username: sim.username, password: sim.password }));
    const error = await client.getCurrentTime().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_AMCREST_REDIRECT' });
    expect((error as Error).message).toMatch(/another host.*localhost/);
    expect(foreign.seen).toEqual([]);
    expect(redirector.seen.every((headers) => headers.authorization === undefined)).toBe(true);
  });

  it('Basic-only firmware over http: refused unless allowBasic, the message says so once', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { basicOnly: true } }));
    const refused = createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password });
    const error = await refused.getCurrentTime().catch((caught: unknown) => caught);
    await refused.close();
    expect(error).toMatchObject({ code: 'ERR_AMCREST_AUTH' });
    const message = (error as Error).message;
    expect(message).toMatch(/only Basic/);
    expect(message).toMatch(/allowBasic/);
    expect(message.split('global.cgi').length - 1).toBe(1);
    expect(message.split('allowBasic').length - 1).toBe(1);
    expect(message).not.toContain(sim.password);
    expect(sim.counters.authFailures).toBe(0);
    const client = track(createAmcrestClient({ url: sim.url, username: sim.username, password: sim.password, allowBasic: true }));
    expect((await findRecordings(client, RANGE)).recordings.length).toBeGreaterThan(0);
  });
});
