import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds a system program (ffmpeg, apache2, lighttpd, curl...) on PATH or in the usual sbin dirs.
 * Returns undefined when missing; tests then skip with the reason, unless
 * CAMDL_REQUIRE_SYSTEM_DEPS is set (CI), where a missing tool is an error.
 */
export function findSystemTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Whether a suite needing these tools should be skipped; throws in CI when one is missing. */
export function missingSystemTools(...names: string[]): string | undefined {
  const missing = names.filter((name) => findSystemTool(name) === undefined);
  if (missing.length === 0) return undefined;
  const reason = `missing system tools: ${missing.join(', ')} (run scripts/ensure-system-deps.sh)`;
  if (process.env['CAMDL_REQUIRE_SYSTEM_DEPS']) throw new Error(reason);
  return reason;
}
