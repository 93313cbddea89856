import { defineConfig } from 'tsup';
import { baseBuildConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseBuildConfig,
  // One entry per binary so each loads only its own command; shared code goes to chunks.
  entry: ['src/index.ts', 'src/run-cli.ts', 'src/download-v8-flags.ts', 'src/timelapse2-dl.ts', 'src/amcrest-dl.ts', 'src/camdl.ts'],
  splitting: true,
  // yargs and its dozen small packages are bundled in: Node's ESM loader costs memory and time per
  // module, and these ~40 files were ~20 MiB of every binary's peak RSS. undici stays external (it is
  // loaded only for https, see DownloadAgent), as does everything native.
  noExternal: [/^yargs(\/|$)/],
});
