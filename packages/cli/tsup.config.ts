import { readFile } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';
import { baseBuildConfig } from '../../tsup.config.base.js';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * string-width (bundled with yargs, twice: two versions) makes an `Intl.Segmenter` as it loads, which
 * pages in about 2 MiB of ICU code and data in every binary's process (`camdl sync`, the download
 * binaries), though only the layout of `--help` measures text. Bundled, it makes one on first use.
 * The build fails if string-width no longer reads as expected, rather than silently keeping the cost.
 */
const lazyIntlSegmenter: EsbuildPlugin = {
  name: 'lazy-intl-segmenter',
  setup(build) {
    build.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = 'const segmenter = new Intl.Segmenter();';
      if (!source.includes(eager)) throw new Error(`${args.path}: no \`${eager}\` to make lazy; update lazyIntlSegmenter in packages/cli/tsup.config.ts`);
      return { contents: source.replace(eager, 'let segmenter = { segment: (text) => (segmenter = new Intl.Segmenter()).segment(text) };'), loader: 'js' };
    });
  },
};

export default defineConfig({
  ...baseBuildConfig,
  // One entry per binary so each loads only its own command; shared code goes to chunks.
  entry: ['src/index.ts', 'src/run-cli.ts', 'src/download-v8-flags.ts', 'src/timelapse2-dl.ts', 'src/amcrest-dl.ts', 'src/camdl.ts'],
  splitting: true,
  // yargs and its dozen small packages are bundled in: Node's ESM loader costs memory and time per
  // module, and these ~40 files were ~20 MiB of every binary's peak RSS. undici stays external (it is
  // loaded only for https, see DownloadAgent), as does everything native.
  noExternal: [/^yargs(\/|$)/],
  esbuildPlugins: [lazyIntlSegmenter],
});
