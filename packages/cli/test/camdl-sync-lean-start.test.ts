import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMDL_BIN, startCamdlFleet, type CamdlFleet } from './camdl-helpers.js';
import { spawnBin } from './spawn-bin.js';

// A plain `camdl sync` (no email channel, no S3 target, no `camdl serve`) loads neither nodemailer nor
// Node's bundled undici: an ESM import of `node:http` reads `http.WebSocket`, which loads the latter (about
// 13 MiB of memory), so `node:http` is imported only where a server or an S3 client is made. yaml is
// bundled into @camdl/sync: loaded as its ~70 files it cost about 13 MiB, bundled about 1.5 MiB. No
// `Intl.Segmenter` is made (about 2 MiB of ICU): only `--help`'s layout measures text.

let dir: TempDir;
let fleet: CamdlFleet | undefined;

beforeAll(async () => {
  dir = await makeTempDir('camdl-lean-start-');
});
afterAll(async () => {
  await fleet?.close();
  await dir?.cleanup();
});

describe('camdl sync start-up (built binary)', () => {
  it('a plain run loads neither nodemailer nor Node.js’s bundled undici, and no yaml file; makes no Intl.Segmenter', async () => {
    const probe = join(dir.path, 'probe.mjs');
    const out = join(dir.path, 'loaded.json');
    await writeFile(
      probe,
      [
        "import { registerHooks } from 'node:module';",
        "import { writeFileSync } from 'node:fs';",
        'let nodemailer = 0;',
        'let yaml = 0;',
        'let segmenters = 0;',
        'const Segmenter = Intl.Segmenter;',
        'Intl.Segmenter = class extends Segmenter { constructor(...args) { super(...args); segmenters += 1; } };',
        'registerHooks({ load(url, context, next) {',
        '  if (/[\\/]nodemailer[\\/]/.test(url)) nodemailer += 1;',
        '  if (/[\\/]node_modules[\\/]yaml[\\/]/.test(url)) yaml += 1;',
        '  return next(url, context);',
        '} });',
        "process.on('exit', () => writeFileSync(process.env.CAMDL_PROBE_OUT, JSON.stringify({",
        '  nodemailer,',
        '  yaml,',
        '  segmenters,',
        "  builtins: process.moduleLoadList.filter((name) => /undici|http2/.test(name)),",
        '})));',
      ].join('\n'),
    );
    fleet = await startCamdlFleet([{ sim: { profile: 'timelapse2-v1', content: 'tiny' } }]);
    const run = await spawnBin(CAMDL_BIN, ['sync', '--config', fleet.config, '--no-progress'], {
      nodeArgs: ['--import', probe],
      env: { CI: '1', NO_COLOR: '1', CAMDL_PROBE_OUT: out, ...fleet.env },
    }).done;
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({ nodemailer: 0, yaml: 0, segmenters: 0, builtins: [] });
  });
});
