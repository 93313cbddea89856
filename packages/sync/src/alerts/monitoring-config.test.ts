import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { EXAMPLE_CONFIG } from '../example-config.js';
import { parseMinFree } from './monitoring-config.js';

const BASE = ['archive: /srv/camdl', 'cameras:', '  - { name: gate, kind: timelapse, host: 192.0.2.10 }'];
const parse = (...lines: string[]) => parseConfig([...BASE, ...lines].join('\n'), '/etc/camdl/camdl.yaml');

describe('notify, alerts and metrics config', () => {
  it('reads the documented example', () => {
    const config = parse(
      'notify:',
      '  - kind: webhook',
      '    url: https://hooks.example.net/camdl',
      '    secret-env: CAMDL_WEBHOOK_SECRET',
      '  - kind: ntfy',
      '    url: https://ntfy.example.net/site-a',
      '  - kind: email',
      '    host: smtp.example.net',
      '    port: 587',
      '    username: camdl',
      '    password-file: /etc/camdl/smtp.pass',
      '    from: camdl@example.net',
      '    to: [ops@example.net]',
      '  - kind: apprise',
      '    urls-file: /etc/camdl/apprise.urls',
      '  - kind: healthchecks',
      '    url: https://hc-ping.example.net/5f2a',
      'alerts:',
      '  camera-unreachable-after: 2',
      '  camera-silent-after: 2d',
      '  repeat: 24h',
      '  min-free: 10%',
      'metrics:',
      '  textfile: /var/lib/prometheus/node-exporter/camdl.prom',
    );
    expect(config.notify.map((channel) => channel.kind)).toEqual(['webhook', 'ntfy', 'email', 'apprise', 'healthchecks']);
    expect(config.notify[2]).toMatchObject({ kind: 'email', tls: 'starttls', port: 587, password: { kind: 'file', path: '/etc/camdl/smtp.pass' }, to: ['ops@example.net'] });
    expect(config.alerts).toEqual({ cameraUnreachableAfter: { runs: 2 }, cameraSilentAfterMs: 2 * 86_400_000, repeatMs: 86_400_000, minFree: { percent: 10 } });
    expect(config.metrics.textfile).toBe('/var/lib/prometheus/node-exporter/camdl.prom');
  });

  it('the commented monitoring sections of camdl init are valid once uncommented', () => {
    // Only the monitoring sections: the off-site targets above them stay commented.
    const at = EXAMPLE_CONFIG.indexOf('# notify:');
    const uncommented = EXAMPLE_CONFIG.slice(0, at) + EXAMPLE_CONFIG.slice(at).replace(/^# (notify:|alerts:|metrics:| {2}.*)$/gm, '$1').replace('<uuid>', '5f2a');
    const config = parseConfig(uncommented, '/etc/camdl/camdl.yaml', { statMode: () => 0o600 });
    expect(config.notify.map((channel) => channel.kind)).toEqual(['ntfy', 'healthchecks']);
    expect(config.metrics.textfile).toBe('/var/lib/prometheus/node-exporter/camdl.prom');
  });

  it('defaults without the sections', () => {
    const config = parse();
    expect(config.notify).toEqual([]);
    expect(config.alerts.cameraUnreachableAfter).toEqual({ runs: 2 });
    expect(config.metrics.textfile).toBeUndefined();
  });

  it('refuses plain SMTP off this machine, credentials in a URL, unknown kinds and keys, with file:line', () => {
    expect(() => parse('notify:', '  - kind: email', '    host: smtp.example.net', '    port: 25', '    tls: none', '    from: a@b.c', '    to: [d@e.f]')).toThrow(/camdl\.yaml:8: email channel: tls: none only for a server on this machine/);
    expect(() => parse('notify:', '  - kind: webhook', '    url: https://user:pw@hooks.example.net/x')).toThrow(/camdl\.yaml:6: webhook channel: url must not contain credentials/);
    expect(() => parse('notify:', '  - kind: pager', '    url: https://x')).toThrow(/camdl\.yaml:5: notify: kind must be one of webhook, ntfy, email, apprise, healthchecks/);
    expect(() => parse('alerts:', '  repeats: 24h')).toThrow(/camdl\.yaml:5: unknown key "repeats" in alerts; allowed: camera-unreachable-after, camera-silent-after, repeat, min-free/);
    expect(() => parse('alerts:', '  camera-unreachable-after: soon')).toThrow(/camera-unreachable-after must be a number of runs \(2\) or a duration/);
    expect(() => parse('notify:', '  - kind: apprise')).toThrow(/apprise channel: give urls-file .* or url/);
  });

  it('reads min-free as a percentage or a size', () => {
    expect(parseMinFree('10%')).toEqual({ percent: 10 });
    expect(parseMinFree('50GiB')).toEqual({ bytes: 50 * 1024 ** 3 });
    expect(parseMinFree('500 MB')).toEqual({ bytes: 500_000_000 });
    expect(parseMinFree('100%')).toBeUndefined();
    expect(parseMinFree('lots')).toBeUndefined();
  });
});
