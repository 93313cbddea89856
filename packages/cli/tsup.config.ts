import { defineConfig } from 'tsup';
import { baseBuildConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseBuildConfig,
  // One entry per binary so each loads only its own command; shared code goes to chunks.
  entry: ['src/index.ts', 'src/run-cli.ts', 'src/timelapse2-dl.ts', 'src/amcrest-dl.ts', 'src/camdl.ts'],
  splitting: true,
});
