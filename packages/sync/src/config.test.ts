import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, parseConfig, parseTimeBound } from './config.js';
import { EXAMPLE_CONFIG } from './example-config.js';
import { configError, PRIVATE_CONFIG } from '../test/config-fixtures.js';

const PRIVATE = PRIVATE_CONFIG;
const SHARED = { statMode: () => 0o100644 };
const errorOf = configError;

const BASE = `archive: /srv/archive
cameras:
  - name: gate
    kind: timelapse
    host: 10.0.0.21
    username: root
    password-env: GATE_PASSWORD
`;

describe('parseConfig', () => {
  it('normalises a camera with the defaults', () => {
    const config = parseConfig(`${BASE}defaults:\n  rate-limit: 40\n  since: 30d\n`, '/etc/camdl/camdl.yaml', PRIVATE);
    expect(config.archive).toBe('/srv/archive');
    expect(config.ledger).toBe('/srv/archive/.camdl/ledger.sqlite');
    expect(config.layout).toBe('{camera}/{yyyy}-{mm}-{dd}/{file}');
    expect(config.cameras[0]).toMatchObject({
      name: 'gate',
      kind: 'timelapse',
      username: 'root',
      password: { kind: 'env', name: 'GATE_PASSWORD' },
      rateLimitMbps: 40,
      since: { kind: 'relative', ms: 30 * 86_400_000 },
      connections: 1,
      deleteAfter: false,
      line: 3,
    });
    expect(config.cameras[0]?.url.href).toBe('http://10.0.0.21/');
  });

  it('names the file, the line and the key of an unknown key', () => {
    expect(errorOf(`${BASE}    pasword-env: X\n`)).toBe(
      `/etc/camdl/camdl.yaml:8: unknown key "pasword-env" in a camera; allowed: ${CONFIG_KEYS.camera.join(', ')}`,
    );
    expect(errorOf(`${BASE}bandwith: 200\n`)).toMatch(/^\/etc\/camdl\/camdl\.yaml:8: unknown key "bandwith" in the config/);
    expect(errorOf(BASE.replace('    username: root', '    user_name: root'))).toMatch(/:6: unknown key "user_name"/);
  });

  it('names the line of a wrong value and of broken YAML', () => {
    expect(errorOf(`${BASE}bandwidth: fast\n`)).toBe('/etc/camdl/camdl.yaml:8: bandwidth must be a number, got "fast"');
    expect(errorOf(BASE.replace('kind: timelapse', 'kind: dahua'))).toMatch(/:4: kind must be timelapse, amcrest, axis-edge or hikvision/);
    expect(errorOf(`${BASE}    since: yesterday\n`)).toMatch(/:8: since must be a duration/);
    expect(errorOf(`${BASE}    since: 2026-02-30\n`)).toMatch(/:8: since must be/);
    expect(errorOf(`${BASE}  - name: gate\n    kind: amcrest\n    host: x\n`)).toMatch(/:8: name "gate" is used twice \(also on line 3\)/);
    expect(errorOf('archive: x\ncameras:\n  - name: [unclosed\n')).toMatch(/^\/etc\/camdl\/camdl\.yaml:\d+: not valid YAML/);
    expect(errorOf('archive: x\narchive: y\ncameras: []\n')).toMatch(/:\d+: not valid YAML: Map keys must be unique/);
    expect(errorOf(`${BASE}layout: "{camera}/{date}/{file}"\n`)).toMatch(/:8: layout: unknown placeholder \{date\}/);
    expect(errorOf(`${BASE}layout: "../{file}"\n`)).toMatch(/:8: layout: empty, "\." or "\.\." folder/);
    expect(errorOf(`${BASE}    host: http://root:secret@10.0.0.1\n`.replace('    host: 10.0.0.21\n', ''))).toMatch(/host must not contain credentials/);
  });

  it.each([
    // Where the parser finds it: the first line the flow sequence cannot continue on.
    ['an unclosed flow sequence', `${BASE}  - name: [unclosed\n    kind: amcrest\n`, 9],
    ['a tab for indentation', `${BASE}defaults:\n\trate-limit: 40\n`, 9],
    ['an unterminated quoted string', `archive: /srv/archive\ncameras:\n  - name: "gate\n`, 3],
    ['a key used twice', `${BASE}    username: again\n`, 8],
  ])('a YAML syntax error names its own line, not line 1: %s', (_label, text, line) => {
    expect(errorOf(text)).toMatch(new RegExp(`^/etc/camdl/camdl\\.yaml:${line}: not valid YAML`));
  });

  it('refuses an inline password in a config others can read, like ssh keys', () => {
    const inline = BASE.replace('password-env: GATE_PASSWORD', 'password: hunter2');
    const message = errorOf(inline, SHARED);
    expect(message).toMatch(/^\/etc\/camdl\/camdl\.yaml:7: camera "gate": an inline password in a config others can read \(mode 644\) is refused/);
    expect(message).not.toContain('hunter2');
    expect(parseConfig(inline, '/etc/camdl/camdl.yaml', PRIVATE).cameras[0]?.password).toEqual({ kind: 'inline', value: 'hunter2' });
    expect(errorOf(inline.replace('password: hunter2', 'password: hunter2\n    password-env: X'))).toMatch(/give one of password-file, password-env, password/);
  });

  it('keeps Amcrest-only keys on Amcrest cameras and caps connections', () => {
    const amcrest = BASE.replace('kind: timelapse', 'kind: amcrest');
    expect(parseConfig(`${amcrest}    channels: [1, 2]\n`, '/c.yaml', PRIVATE).cameras[0]).toMatchObject({ channels: [1, 2], connections: 4, since: { kind: 'relative' } });
    expect(errorOf(`${amcrest}    delete-after: true\n`)).toMatch(/:8: camera "gate": delete-after is supported for timelapse and axis-edge cameras only/);
    expect(errorOf(`${amcrest}    connections: 8\n`)).toMatch(/:8: connections must be at most 4/);
    expect(errorOf(`${BASE}    connections: 2\n`)).toMatch(/:8: connections must be at most 1/);
    expect(errorOf(`${BASE}    channels: [1]\n`)).toMatch(/channels apply to amcrest and hikvision cameras only/);
  });

  it('parses window bounds: durations, camera wall clock, instants', () => {
    expect(parseTimeBound('12h')).toMatchObject({ kind: 'relative', ms: 43_200_000 });
    expect(parseTimeBound('2026-01-16T20:00:00')).toMatchObject({ kind: 'wall-clock', wallClock: '2026-01-16 20:00:00' });
    expect(parseTimeBound('2026-01-16')).toMatchObject({ kind: 'wall-clock', wallClock: '2026-01-16 00:00:00' });
    expect(parseTimeBound('2026-01-16T20:00:00-05:00')).toMatchObject({ kind: 'instant', ms: Date.parse('2026-01-17T01:00:00Z') });
    expect(parseTimeBound('2026-13-01')).toBeUndefined();
  });

  it('accepts the example that camdl init writes', () => {
    const config = parseConfig(EXAMPLE_CONFIG, '/home/site/camdl.yaml', PRIVATE);
    expect(config.cameras.map((camera) => camera.name)).toEqual(['north-gate', 'kitchen']);
    expect(config.bandwidthMbps).toBe(200);
  });

  it('publishes a JSON Schema with exactly the keys the validator accepts', () => {
    const schema = JSON.parse(readFileSync(new URL('../camdl.schema.json', import.meta.url), 'utf8')) as {
      properties: Record<string, unknown>;
      $defs: { cameraSettings: { properties: Record<string, unknown> }; camera: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(schema.properties).sort()).toEqual([...CONFIG_KEYS.top].sort());
    expect([...Object.keys(schema.$defs.cameraSettings.properties), ...Object.keys(schema.$defs.camera.properties)].sort()).toEqual([...CONFIG_KEYS.camera].sort());
    expect(Object.keys(schema.$defs.cameraSettings.properties).sort()).toEqual([...CONFIG_KEYS.defaults].sort());
  });
});
