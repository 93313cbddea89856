import type { Options } from 'tsup';

/** The one build config every package re-exports: ESM, declarations, Node 22.19+. */
export const baseBuildConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
  tsconfig: 'tsconfig.json',
};
