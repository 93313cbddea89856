import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Every file below `root`, as paths relative to it, sorted; folders named in `skipDirectories` are not entered
 * (`.camdl`, the sync's own state). A missing or unreadable folder has no files.
 */
export async function listFiles(root: string, options: { skipDirectories?: readonly string[] } = {}): Promise<string[]> {
  const skip = new Set(options.skipDirectories ?? []);
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (!entry.isDirectory()) out.push(relative(root, path));
      else if (!skip.has(entry.name)) await walk(path);
    }
  };
  await walk(root);
  return out.sort();
}
