import { startCameraSim } from '@camdl/camera-sim';
import { closeAfterEach, missingSystemTools, selfSignedCertForSuite, startRedirectServer } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';
import { runAmcrestDl } from './amcrest-dl-helpers.js';

/** `amcrest-dl` over https (self-signed), behind an http → https redirect, and on Basic-only firmware. */
describe.skipIf(missingSystemTools('openssl') !== undefined)('amcrest-dl: https, redirects, Basic-only firmware (built binary)', () => {
  const cert = selfSignedCertForSuite('camdl-amcrest-dl-tls-');
  const track = closeAfterEach();
  const args = (host: string, extra: string[] = []): string[] => [
    '--host', host, '--username', 'admin', '--start', '2026-01-16T20:00:00', '--end', '2026-01-16T22:00:00',
    '--camera-tz', 'America/New_York', '--list', '--no-progress', '--timeout', '5', '--output-dir', cert.dir, ...extra,
  ];

  it('https with a self-signed certificate: refused with a hint, works with --insecure and with --ca-file', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', tls: { key: cert.key, cert: cert.cert } }));
    const refused = await runAmcrestDl(args(sim.url), { password: sim.password });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/certificate.*--ca-file.*--insecure/);
    for (const extra of [['--insecure'], ['--ca-file', cert.certPath]]) {
      const run = await runAmcrestDl(args(sim.url, extra), { password: sim.password });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Found \d+ recording/);
    }
  });

  it('an http host that redirects to https on the same host is followed', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', tls: { key: cert.key, cert: cert.cert } }));
    const redirector = track(await startRedirectServer(sim.url, 301));
    const run = await runAmcrestDl(args(redirector.url, ['--insecure']), { password: sim.password });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Found \d+ recording/);
  });

  it('Basic-only firmware over http: one clear line and exit 2; --allow-basic works', async () => {
    const sim = track(await startCameraSim({ profile: 'amcrest', content: 'tiny', amcrest: { basicOnly: true } }));
    const refused = await runAmcrestDl(args(sim.url), { password: sim.password });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/only Basic.*--allow-basic/);
    expect(refused.stderr.split(sim.url).length - 1).toBeLessThanOrEqual(1);
    expect(refused.stderr).not.toContain(sim.password);
    const allowed = await runAmcrestDl(args(sim.url, ['--allow-basic']), { password: sim.password });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/Found \d+ recording/);
  });
});
