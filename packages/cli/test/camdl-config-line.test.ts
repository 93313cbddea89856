import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAfterEach, makeTempDir, type TempDir } from '@camdl/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCamdlBuilt, runCamdl } from './camdl-helpers.js';

describe('camdl names the line of a YAML syntax error (the binary)', () => {
  const track = closeAfterEach();
  let dir: TempDir | undefined;
  beforeAll(() => assertCamdlBuilt());

  it('sync and status exit 2 with file:line of the broken line, not line 1', async () => {
    dir = track(await makeTempDir('camdl-config-line-'));
    const config = join(dir.path, 'camdl.yaml');
    await writeFile(config, ['archive: ./archive', 'cameras:', '  - name: gate', '    kind: timelapse', '    host: 127.0.0.1', '    username: "root', ''].join('\n'));
    for (const command of ['sync', 'status']) {
      const run = await runCamdl([command, '--config', config]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`camdl: ${config}:6: not valid YAML: Missing closing "quote`);
    }
  });
});
