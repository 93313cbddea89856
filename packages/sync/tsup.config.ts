import { defineConfig } from 'tsup';
import { baseBuildConfig } from '../../tsup.config.base.js';

export default defineConfig({
  ...baseBuildConfig,
  entry: ['src/index.ts', 'src/testing.ts'],
  // Split: `@camdl/sync/testing` shares the one Ledger class with the main entry, and the sources of
  // the camera kinds load as their own chunks when a camera of that kind is synced (the Hikvision
  // client needs undici, which a plain-http run of the other kinds never loads).
  splitting: true,
  // yaml is bundled in: it is ~70 CommonJS files, and Node's loader costs memory per module (about
  // 13 MiB of every `camdl` run's RSS loaded as files, about 1.5 MiB as part of this one).
  noExternal: ['yaml'],
  esbuildPlugins: [
    {
      // yaml's CommonJS code requires `process` and `buffer`, which an ES module bundle cannot `require`:
      // they become re-exports of the ES modules `node:process` and `node:buffer`.
      name: 'node-builtins-as-esm',
      setup(build) {
        build.onResolve({ filter: /^(process|buffer)$/ }, (args) => ({ path: args.path, namespace: 'node-builtin-esm' }));
        build.onLoad({ filter: /.*/, namespace: 'node-builtin-esm' }, (args) => ({ contents: `export * from 'node:${args.path}';`, loader: 'js' }));
      },
    },
  ],
});
