/**
 * Which camera app (and version) serves the archives:
 * - `timelapse2-v1`: Timelapse2 1.x (AVI), `/local/timelapse2/`, compares raw query text with names;
 * - `timelapse3`: Timelapse 3.x (MP4, app name still `timelapse2`), decodes parameters, Range;
 * - `timelapseme`: the legacy TimelapseMe app, `/local/timelapseme/`.
 */
export type TimelapseApi = 'timelapse2-v1' | 'timelapse3' | 'timelapseme';

/**
 * What the caller asks for: `auto` detects; `timelapse2` is Timelapse2 1.x or 3.x (told apart by
 * `GET app`); the three exact values skip detection.
 */
export type TimelapseApiChoice = 'auto' | 'timelapse2' | TimelapseApi;

export const TIMELAPSE_API_CHOICES: readonly TimelapseApiChoice[] = ['auto', 'timelapse2', 'timelapse2-v1', 'timelapse3', 'timelapseme'];

/** Base path of each app's endpoints (relative to the camera's base URL). */
export function apiBasePath(api: TimelapseApi): string {
  return api === 'timelapseme' ? 'local/timelapseme/' : 'local/timelapse2/';
}

/**
 * Tells Timelapse2 1.x from Timelapse 3.x by the `GET app` answer
 * (`manifest.acapPackageConf.setup.version`). Returns undefined when the version is missing.
 */
export function apiFromAppInfo(app: unknown): { api: 'timelapse2-v1' | 'timelapse3'; version: string } | undefined {
  const version = readPath(app, ['manifest', 'acapPackageConf', 'setup', 'version']);
  if (typeof version !== 'string' && typeof version !== 'number') return undefined;
  const text = String(version).trim();
  const major = Number.parseInt(text, 10);
  if (!Number.isFinite(major)) return undefined;
  return { api: major >= 3 ? 'timelapse3' : 'timelapse2-v1', version: text };
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
