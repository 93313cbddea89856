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

/** The most months of retention taken as a real setting (ten years); more is a hostile or broken answer. */
const MAX_RETENTION_MONTHS = 120;

/**
 * The archive retention the app is set to, in months (`settings.retentionMonths` of `GET app`): the app
 * deletes archives older than that. Undefined when the answer does not say, or says something that is
 * not a whole number of months from 1 to 120.
 */
export function retentionMonthsFromAppInfo(app: unknown): number | undefined {
  const months = readPath(app, ['settings', 'retentionMonths']);
  const value = typeof months === 'string' && /^\d{1,3}$/.test(months.trim()) ? Number(months.trim()) : months;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_RETENTION_MONTHS ? value : undefined;
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** How the app reads a `filename=` query value: `raw` compares the undecoded text, `encoded` decodes it. */
export type QuerySpelling = 'raw' | 'encoded';

/** What one app version does with requests; `undefined` fields are unknown (no version reported). */
export interface TimelapseCapabilities {
  /** How to spell a name in the query; undefined: try `encoded`, then `raw` on 404. */
  querySpelling: QuerySpelling | undefined;
  /** Whether `Range` is served (206); undefined: try it, a 200 answer starts over. */
  ranges: boolean | undefined;
}

function versionParts(text: string): [number, number, number] | undefined {
  const match = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function atLeast(version: [number, number, number], floor: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== floor[i]) return version[i]! > floor[i]!;
  return true;
}

/**
 * What the app can do, by the version `GET app` reports (pandosme/Timelapse3 history):
 * - Timelapse2 1.x: raw query text, no Range;
 * - Timelapse 3.0.0–3.1.2: raw query text (parameter decoding came in 3.1.3); Range from 3.1.1;
 * - Timelapse 3.1.3 and later: decoded parameters, Range;
 * - 3.x without a version: both unknown (see {@link TimelapseCapabilities});
 * - TimelapseMe: its own `export`/`file` encoding, no Range.
 */
export function timelapseCapabilities(api: TimelapseApi, version: string | undefined): TimelapseCapabilities {
  if (api === 'timelapse2-v1') return { querySpelling: 'raw', ranges: false };
  if (api === 'timelapseme') return { querySpelling: 'encoded', ranges: false };
  const parts = version === undefined ? undefined : versionParts(version);
  if (parts === undefined || parts[0] !== 3) return { querySpelling: undefined, ranges: undefined };
  return { querySpelling: atLeast(parts, [3, 1, 3]) ? 'encoded' : 'raw', ranges: atLeast(parts, [3, 1, 1]) };
}
