import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';

const OPTIONS = { statMode: () => 0o100644 };

const TARGETS = `archive: /srv/archive
upload-bandwidth: 50
targets:
  - name: offsite
    kind: s3
    endpoint: https://s3.eu-central-1.amazonaws.com
    region: eu-central-1
    bucket: camdl-archive
    prefix: site-a
    path-style: false
    access-key-id-env: OFFSITE_KEY_ID
    secret-access-key-file: offsite.secret
    storage-class: STANDARD_IA
    connections: 4
  - name: nas
    kind: rclone
    remote: "nas:cameras"
    rclone-config: /etc/camdl/rclone.conf
  - name: usb
    kind: directory
    path: /mnt/backup/cameras
cameras:
  - name: north-gate
    kind: timelapse
    host: 10.0.0.21
    targets: [offsite, nas]
    delete-after: true
    keep-local: 90d
  - name: yard
    kind: timelapse
    host: 10.0.0.22
`;

function errorOf(text: string): string {
  try {
    parseConfig(text, '/etc/camdl/camdl.yaml', OPTIONS);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('targets in the fleet config', () => {
  it('reads the three kinds with the contract keys; a camera defaults to every target', () => {
    const config = parseConfig(TARGETS, '/etc/camdl/camdl.yaml', OPTIONS);
    expect(config.uploadBandwidthMbps).toBe(50);
    expect(config.targets).toEqual([
      {
        name: 'offsite',
        kind: 's3',
        line: 4,
        connections: 4,
        endpoint: 'https://s3.eu-central-1.amazonaws.com',
        region: 'eu-central-1',
        bucket: 'camdl-archive',
        prefix: 'site-a/',
        pathStyle: false,
        accessKeyId: { kind: 'env', name: 'OFFSITE_KEY_ID' },
        secretAccessKey: { kind: 'file', path: '/etc/camdl/offsite.secret' },
        storageClass: 'STANDARD_IA',
      },
      { name: 'nas', kind: 'rclone', line: 15, connections: 4, remote: 'nas:cameras', rcloneConfig: '/etc/camdl/rclone.conf' },
      { name: 'usb', kind: 'directory', line: 19, connections: 2, path: '/mnt/backup/cameras' },
    ]);
    expect(config.cameras.map((camera) => [camera.name, camera.targets, camera.keepLocalMs])).toEqual([
      ['north-gate', ['offsite', 'nas'], 90 * 86_400_000],
      ['yard', ['offsite', 'nas', 'usb'], undefined],
    ]);
  });

  it('a config without targets has none and uploads nothing', () => {
    const config = parseConfig('archive: /a\ncameras:\n  - name: g\n    kind: timelapse\n    host: h\n', '/c.yaml', OPTIONS);
    expect(config.targets).toEqual([]);
    expect(config.cameras[0]?.targets).toEqual([]);
    expect(config.uploadBandwidthMbps).toBe(0);
  });

  it('refuses an inline secret, naming the line and the keys to use instead', () => {
    expect(errorOf(TARGETS.replace('    access-key-id-env: OFFSITE_KEY_ID', '    access-key-id: AKIAEXAMPLE'))).toBe(
      '/etc/camdl/camdl.yaml:11: a target\'s secrets are never written in the config: use access-key-id-env or access-key-id-file',
    );
    expect(errorOf(TARGETS.replace('    secret-access-key-file: offsite.secret', '    secret-access-key: hunter2'))).toMatch(/^\/etc\/camdl\/camdl\.yaml:12: a target's secrets are never written/);
    expect(errorOf(TARGETS.replace('    secret-access-key-file: offsite.secret', '    secret-access-key: hunter2'))).not.toContain('hunter2');
  });

  it('names file:line for wrong keys and values', () => {
    expect(errorOf(TARGETS.replace('    access-key-id-env: OFFSITE_KEY_ID\n', ''))).toBe('/etc/camdl/camdl.yaml:4: target "offsite": missing access-key-id-env or access-key-id-file');
    expect(errorOf(TARGETS.replace('kind: directory', 'kind: ftp'))).toMatch(/^\/etc\/camdl\/camdl\.yaml:20: target "usb": kind must be s3, rclone or directory/);
    expect(errorOf(TARGETS.replace('    path: /mnt/backup/cameras', '    bucket: x'))).toMatch(/:21: target "usb": key "bucket" does not apply to kind directory/);
    expect(errorOf(TARGETS.replace('targets: [offsite, nas]', 'targets: [offsite, tape]'))).toMatch(/:26: camera "north-gate": no target named "tape" \(known: offsite, nas, usb\)/);
    expect(errorOf(TARGETS.replace('keep-local: 90d', 'keep-local: forever'))).toMatch(/:28: keep-local must be a duration/);
    expect(errorOf(TARGETS.replace('targets: [offsite, nas]', 'targets: []'))).toMatch(/:28: camera "north-gate": keep-local needs at least one target/);
    expect(errorOf(TARGETS.replace('bucket: camdl-archive', 'bucket: Camdl_Archive'))).toMatch(/:8: target "offsite": bucket "Camdl_Archive" is not a valid bucket name/);
    expect(errorOf(TARGETS.replace('prefix: site-a', 'prefix: ../site-a'))).toMatch(/:9: target "offsite": prefix must be a plain path/);
    expect(errorOf(TARGETS.replace('endpoint: https://s3', 'endpoint: https://key:secret@s3'))).toMatch(/:6: target "offsite": endpoint must not contain credentials/);
    expect(errorOf(TARGETS.replace('remote: "nas:cameras"', 'remote: "cameras"'))).toMatch(/:17: target "nas": remote must be an rclone remote/);
    const inline = errorOf(TARGETS.replace('remote: "nas:cameras"', 'remote: "nas,pass=hunter2:cameras"'));
    expect(inline).toMatch(/:17: target "nas": remote must not carry parameters/);
    expect(inline).not.toContain('hunter2');
    expect(errorOf(TARGETS.replace('  - name: nas', '  - name: offsite'))).toMatch(/:15: target name "offsite" is used twice \(also on line 4\)/);
    expect(errorOf(TARGETS.replace('upload-bandwidth: 50', 'upload-bandwidth: -1'))).toBe('/etc/camdl/camdl.yaml:2: upload-bandwidth must be at least 0, got -1');
  });
});
