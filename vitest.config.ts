import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests import sibling packages by name; resolve those names to their TypeScript sources so the
// suite runs without a build step.
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(`${packagesDir}${name}/src/index.ts`))
  .flatMap((name) => [
    { find: new RegExp(`^@camdl/${name}$`), replacement: `${packagesDir}${name}/src/index.ts` },
    // Test-only entry points (`@camdl/sync/testing`).
    ...(existsSync(`${packagesDir}${name}/src/testing.ts`) ? [{ find: new RegExp(`^@camdl/${name}/testing$`), replacement: `${packagesDir}${name}/src/testing.ts` }] : []),
  ]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
