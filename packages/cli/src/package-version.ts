import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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

/**
 * The versions of the `@camdl/*` packages this CLI runs on (its dependencies, as installed), for
 * `camdl --version --verbose`; a package that cannot be found reads `not found`.
 */
export function dependencyVersions(): Array<{ name: string; version: string }> {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
  const require = createRequire(import.meta.url);
  return Object.keys(manifest.dependencies ?? {})
    .filter((name) => name.startsWith('@camdl/'))
    .sort()
    .map((name) => {
      try {
        const dependency = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: unknown };
        return { name, version: typeof dependency.version === 'string' ? dependency.version : 'unknown' };
      } catch {
        return { name, version: 'not found' };
      }
    });
}

/**
 * What `camdl --version` (and `camdl <command> --version`) prints: the version; verbose adds Node.js,
 * the platform and the `@camdl/*` packages the CLI runs on.
 */
export function camdlVersionText(verbose: boolean): string {
  if (!verbose) return cliVersion();
  return [`@camdl/cli ${cliVersion()}`, nodeVersionLine(), ...dependencyVersions().map((dependency) => `${dependency.name} ${dependency.version}`)].join('\n');
}

/** `Node.js v24.1.0 (linux x64)`: the runtime line of every verbose version. */
export function nodeVersionLine(): string {
  return `Node.js ${process.version} (${process.platform} ${process.arch})`;
}
