import { execFile as execFileCallback } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@camdl/test-utils';
import { describe, expect, it } from 'vitest';

const execFile = promisify(execFileCallback);
const root = new URL('..', import.meta.url).pathname;

describe('release flow', () => {
  it('pending changesets name only published packages (changesets refuses a release that mixes in an ignored one)', async () => {
    const config = JSON.parse(await readFile(join(root, '.changeset/config.json'), 'utf8')) as { ignore: string[] };
    const named: string[] = [];
    for (const name of await readdir(join(root, '.changeset'))) {
      if (!name.endsWith('.md') || name === 'README.md') continue;
      const front = /^---\n([\s\S]*?)\n---/.exec(await readFile(join(root, '.changeset', name), 'utf8'))?.[1] ?? '';
      for (const match of front.matchAll(/^['"]?(@camdl\/[\w-]+)['"]?\s*:/gm)) named.push(`${name}: ${match[1]}`);
    }
    expect(named.filter((entry) => config.ignore.some((ignored) => entry.endsWith(`: ${ignored}`)))).toEqual([]);
  });

  it('`changeset version` turns a changeset into versions, CHANGELOGs and updated internal ranges', async () => {
    const work = await makeTempDir('camdl-changeset-');
    try {
      const copy = join(work.path, 'repo');
      // A copy of the workspace manifests (not node_modules): what `changeset version` reads and writes.
      await cp(root, copy, {
        recursive: true,
        filter: (source) => !/\/(node_modules|dist|\.git)(\/|$)/.test(source.slice(root.length - 1)),
      });
      await execFile('git', ['init', '-q'], { cwd: copy });
      // Only the test's changeset: the pending ones in the repository (any bump) are not this test's.
      for (const name of await readdir(join(copy, '.changeset'))) {
        if (name.endsWith('.md') && name !== 'README.md') await rm(join(copy, '.changeset', name));
      }
      const before = JSON.parse(await readFile(join(copy, 'packages/http-digest/package.json'), 'utf8')) as { version: string };
      await writeFile(
        join(copy, '.changeset/test-minor-digest.md'),
        ['---', "'@camdl/http-digest': minor", '---', '', 'Test: a new digest feature.', ''].join('\n'),
      );
      await execFile(process.execPath, [join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: copy });
      const after = JSON.parse(await readFile(join(copy, 'packages/http-digest/package.json'), 'utf8')) as { version: string };
      expect(after.version).not.toBe(before.version);
      const [major, minor] = before.version.split('.').map(Number);
      expect(after.version).toBe(major === 0 ? `0.${(minor ?? 0) + 1}.0` : `${major}.${(minor ?? 0) + 1}.0`);
      const changelog = await readFile(join(copy, 'packages/http-digest/CHANGELOG.md'), 'utf8');
      expect(changelog).toContain('Test: a new digest feature.');
      // Dependents get a patch release that points at the new version.
      const dependent = JSON.parse(await readFile(join(copy, 'packages/axis-timelapse2/package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
      expect(dependent.dependencies['@camdl/http-digest']).toBe('workspace:^');
      expect(await readFile(join(copy, 'packages/axis-timelapse2/CHANGELOG.md'), 'utf8')).toContain(`@camdl/http-digest@${after.version}`);
    } finally {
      await work.cleanup();
    }
  });
});
