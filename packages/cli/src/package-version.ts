import { readFileSync } from 'node:fs';

/**
 * The version of `@camdl/cli`, read at run time from the package's own `package.json` — one directory
 * up from both `src/` and `dist/`, and always in the published tarball. Read, not bundled: a build made
 * before `changeset version` bumped the manifest would otherwise print the old version.
 */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
  if (manifest.name !== '@camdl/cli' || typeof manifest.version !== 'string') {
    throw new Error(`cannot find the version of @camdl/cli next to ${import.meta.url}`);
  }
  return manifest.version;
}
