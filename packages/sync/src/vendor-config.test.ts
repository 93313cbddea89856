import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { configError, PRIVATE_CONFIG } from '../test/config-fixtures.js';

function parse(text: string): ReturnType<typeof parseConfig> {
  return parseConfig(text, '/etc/camdl/camdl.yaml', PRIVATE_CONFIG);
}

const errorOf = (text: string): string => configError(text);

const CONTRACT = `archive: /srv/archive
cameras:
  - name: dock
    kind: axis-edge
    host: https://10.0.0.41
    username: root
    password-env: DOCK_PASSWORD
    disk: SD_DISK
    format: matroska
    delete-after: true
  - name: lobby-nvr
    kind: hikvision
    host: 10.0.0.51
    username: admin
    password-file: /etc/camdl/lobby.pass
    channels: [1, 2]
    time-zone: America/Los_Angeles
`;

describe('parseConfig: axis-edge and hikvision', () => {
  it('reads the YAML of the contract', () => {
    const [dock, lobby] = parse(CONTRACT).cameras;
    expect(dock).toMatchObject({ kind: 'axis-edge', disk: 'SD_DISK', format: 'matroska', deleteAfter: true, channels: [0], connections: 1, since: undefined });
    expect(dock!.url.href).toBe('https://10.0.0.41/');
    expect(lobby).toMatchObject({ kind: 'hikvision', channels: [1, 2], timeZone: 'America/Los_Angeles', deleteAfter: false, connections: 1, disk: undefined });
    // A search needs a window: 30 days unless since says otherwise, as for Amcrest.
    expect(lobby!.since).toMatchObject({ kind: 'relative', ms: 30 * 86_400_000 });
  });

  it('channels: all, and no time-zone (learnt from the recorder)', () => {
    const config = parse(CONTRACT.replace('channels: [1, 2]', 'channels: all').replace('    time-zone: America/Los_Angeles\n', ''));
    expect(config.cameras[1]).toMatchObject({ channels: 'all', timeZone: undefined });
  });

  it('names the new kinds in its messages', () => {
    expect(errorOf(CONTRACT.replace('kind: hikvision', 'kind: hikvison'))).toBe('/etc/camdl/camdl.yaml:12: kind must be timelapse, amcrest, axis-edge or hikvision, got "hikvison"');
  });

  it('refuses what does not apply to a kind, naming file, line and key', () => {
    expect(errorOf(CONTRACT.replace('    time-zone: America/Los_Angeles\n', '    delete-after: true\n'))).toBe(
      '/etc/camdl/camdl.yaml:17: camera "lobby-nvr": delete-after is supported for timelapse and axis-edge cameras only (Hikvision cameras overwrite their oldest recordings themselves)',
    );
    expect(errorOf(CONTRACT.replace('    time-zone: America/Los_Angeles\n', '    disk: SD_DISK\n'))).toBe('/etc/camdl/camdl.yaml:17: camera "lobby-nvr": disk applies to axis-edge cameras only');
    expect(errorOf(CONTRACT.replace('    time-zone: America/Los_Angeles\n', '    format: mp4\n'))).toBe('/etc/camdl/camdl.yaml:17: camera "lobby-nvr": format applies to axis-edge cameras only');
    expect(errorOf(CONTRACT.replace('    delete-after: true\n', '    channels: [1]\n'))).toBe('/etc/camdl/camdl.yaml:10: camera "dock": channels apply to amcrest and hikvision cameras only');
    expect(errorOf(CONTRACT.replace('format: matroska', 'format: avi'))).toBe('/etc/camdl/camdl.yaml:9: format must be matroska or mp4, got "avi"');
    expect(errorOf(CONTRACT.replace('disk: SD_DISK', 'disk: "../etc"'))).toBe('/etc/camdl/camdl.yaml:8: disk must be a disk id such as SD_DISK, got "../etc"');
    expect(errorOf(CONTRACT.replace('channels: [1, 2]', 'channels: [1, 2]\n    connections: 3'))).toMatch(/^\/etc\/camdl\/camdl.yaml:17: connections must be at most 2/);
  });
});
