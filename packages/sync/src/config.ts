import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { assertKnownTimeZone } from '@camdl/internal';
import { parseDuration } from './duration.js';
import { DEFAULT_RISK_MARGIN_MS } from './overwrite-horizon.js';
import { SyncError } from './errors.js';
import { validateLayout } from './layout.js';
import { parseCameraTargets, parseKeepLocal, parseTargets, topNode, type TargetConfig } from './targets-config.js';
import { MONITORING_KEYS, parseMonitoringSections, type MonitoringConfig } from './alerts/monitoring-config.js';

/** Camera families `camdl sync` knows. */
export type CameraKind = 'timelapse' | 'amcrest' | 'axis-edge' | 'hikvision';

/** The kinds, in the order messages name them. */
export const CAMERA_KINDS: readonly CameraKind[] = ['timelapse', 'amcrest', 'axis-edge', 'hikvision'];

/** A window bound as written in the config. */
export type TimeBound =
  /** `30d`: that long before the run started. */
  | { kind: 'relative'; ms: number; text: string }
  /** `2026-01-16T00:00:00`: camera wall-clock time. */
  | { kind: 'wall-clock'; wallClock: string; text: string }
  /** `2026-01-16T00:00:00Z` or with an offset: an instant. */
  | { kind: 'instant'; ms: number; text: string };

/** Where a camera's password comes from (the password itself is read only when a sync needs it). */
export type PasswordSource = { kind: 'file'; path: string } | { kind: 'env'; name: string } | { kind: 'inline'; value: string } | { kind: 'none' };

/** One camera of the fleet, normalised. */
export interface CameraConfig {
  /** Unique name; the `{camera}` of the layout. */
  name: string;
  kind: CameraKind;
  /** Base URL (no credentials). */
  url: URL;
  username: string | undefined;
  password: PasswordSource;
  /** Accept any TLS certificate. @default false */
  insecure: boolean;
  /** PEM file of the CA that signed the camera's certificate. */
  caFile: string | undefined;
  /** Mbps for this camera; 0 = only the global limit. @default 0 */
  rateLimitMbps: number;
  /** Start of the window. @default everything listed (timelapse, axis-edge), 30d (amcrest, hikvision) */
  since: TimeBound | undefined;
  /** End of the window. @default the time of the run */
  until: TimeBound | undefined;
  /** Delete on the camera what the ledger holds as verified (Timelapse2 1.x and 3.x, axis-edge). @default false */
  deleteAfter: boolean;
  /** Amcrest and Hikvision channels (1-based), or `all`. @default [1] */
  channels: number[] | 'all';
  /** The camera's IANA time zone, for days in the layout and instants. @default this computer's zone (hikvision: learnt from /ISAPI/System/time) */
  timeZone: string | undefined;
  /** Most downloads at once: 1 for Timelapse (the app is single-threaded), at most 4 for Amcrest, 2 for Axis edge storage and Hikvision. */
  connections: number;
  /** Amcrest `condition.Types`. @default ['mp4'] (Types-less retry handled by the library) */
  types: string[] | undefined;
  /** Timeout per request in ms. @default 60000 */
  timeoutMs: number;
  /** axis-edge: the camera's disk (`SD_DISK`, `NetworkShare`). @default undefined (every disk the camera lists) */
  disk: string | undefined;
  /** axis-edge: the export container. @default 'matroska' */
  format: 'matroska' | 'mp4';
  /** Retries per file. @default 3 */
  maxRetries: number;
  /** Names of the targets that must hold a verified copy of each recording. @default every target */
  targets: string[];
  /** Remove a local file this long after the recording started, once every target holds it verified. @default undefined (keep) */
  keepLocalMs: number | undefined;
  /** At risk when pending footage is this close to being overwritten on the camera (`risk-margin`). @default 86400000 (24h) */
  riskMarginMs: number;
  /** 1-based line of the camera in the config file. */
  line: number;
}

/** A loaded, validated fleet config (`notify`, `alerts`, `metrics`: see {@link MonitoringConfig}). */
export interface FleetConfig extends MonitoringConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Absolute root of the local archive. */
  archive: string;
  /** Absolute path of the ledger. @default `<archive>/.camdl/ledger.sqlite` */
  ledger: string;
  /** Mbps for all cameras together; 0 = unlimited. @default 0 */
  bandwidthMbps: number;
  /** Local path template. @default `{camera}/{yyyy}-{mm}-{dd}/{file}` */
  layout: string;
  /** Mbps for all uploads together; 0 = unlimited. @default 0 */
  uploadBandwidthMbps: number;
  /** Off-site copies. @default [] */
  targets: TargetConfig[];
  cameras: CameraConfig[];
}

/** The default layout. */
export const DEFAULT_LAYOUT = '{camera}/{yyyy}-{mm}-{dd}/{file}';
/** Amcrest searches need a window; without `since` this one is used. */
export const DEFAULT_AMCREST_SINCE = '30d';
/** Largest number of parallel downloads from one Amcrest camera (cameras refuse more connections). */
export const MAX_AMCREST_CONNECTIONS = 4;
/** Largest number of parallel downloads from an Axis camera's card or a Hikvision recorder (they serve few streams at once). */
export const MAX_EDGE_CONNECTIONS = 2;

const CAMERA_KEYS = [
  'name',
  'kind',
  'host',
  'username',
  'password-file',
  'password-env',
  'password',
  'insecure',
  'ca-file',
  'rate-limit',
  'since',
  'until',
  'delete-after',
  'channels',
  'time-zone',
  'connections',
  'types',
  'disk',
  'format',
  'timeout',
  'max-retries',
  'targets',
  'keep-local',
  'risk-margin',
] as const;
const DEFAULT_KEYS = CAMERA_KEYS.filter((key) => key !== 'name' && key !== 'host');
const TOP_KEYS = ['archive', 'ledger', 'bandwidth', 'upload-bandwidth', 'targets', 'layout', 'defaults', 'cameras', ...MONITORING_KEYS] as const;

/** Every key the config accepts, for the JSON Schema test and `camdl init`. */
export const CONFIG_KEYS = { top: TOP_KEYS, camera: CAMERA_KEYS, defaults: DEFAULT_KEYS } as const;

export interface Located {
  value: unknown;
  line: number;
}

/** Reads values of the config with `file:line:` errors. */
export class ConfigReader {
  readonly #file: string;
  readonly #lines: LineCounter;

  constructor(file: string, lines: LineCounter) {
    this.#file = file;
    this.#lines = lines;
  }

  lineOf(node: { range?: [number, number, number] | null | undefined } | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.#lines.linePos(offset).line;
  }

  fail(line: number, message: string): never {
    throw new SyncError(`${this.#file}:${line}: ${message}`, { code: 'ERR_SYNC_CONFIG', file: this.#file, line });
  }

  /** The pairs of a mapping, each key checked against `allowed`. */
  entries(node: YamlNode | null | undefined, allowed: readonly string[], what: string, line: number): Map<string, Located & { keyLine: number }> {
    if (!isMap(node)) this.fail(node ? this.lineOf(node) : line, `${what} must be a mapping (key: value lines)`);
    const result = new Map<string, Located & { keyLine: number }>();
    for (const pair of (node as YAMLMap).items as Array<Pair<YamlNode, YamlNode>>) {
      const keyLine = this.lineOf(pair.key);
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) this.fail(keyLine, `${what}: keys must be plain names`);
      if (!allowed.includes(key)) {
        const near = allowed.find((candidate) => candidate.replace(/-/g, '') === key.replace(/[-_]/g, '').toLowerCase());
        this.fail(keyLine, `unknown key "${key}" in ${what}${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${allowed.join(', ')}`);
      }
      const value = pair.value;
      result.set(key, {
        value: isScalar(value) ? value.value : value,
        line: value ? this.lineOf(value) : keyLine,
        keyLine,
      });
    }
    return result;
  }

  string(entry: Located, key: string): string {
    if (typeof entry.value === 'string' && entry.value.trim() !== '') return entry.value.trim();
    if (typeof entry.value === 'number') return String(entry.value);
    return this.fail(entry.line, `${key} must be a non-empty string`);
  }

  number(entry: Located, key: string, options: { min?: number; max?: number; integer?: boolean } = {}): number {
    const value = entry.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(entry.line, `${key} must be a number, got ${describeValue(value)}`);
    if (options.integer && !Number.isInteger(value)) this.fail(entry.line, `${key} must be a whole number, got ${value}`);
    if (options.min !== undefined && value < options.min) this.fail(entry.line, `${key} must be at least ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max) this.fail(entry.line, `${key} must be at most ${options.max}, got ${value}`);
    return value;
  }

  boolean(entry: Located, key: string): boolean {
    if (typeof entry.value !== 'boolean') this.fail(entry.line, `${key} must be true or false, got ${describeValue(entry.value)}`);
    return entry.value;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (isSeq(value)) return 'a list';
  if (isMap(value)) return 'a mapping';
  return JSON.stringify(value);
}

/** Parses a `since`/`until` value: `30d`, `12h`, an ISO date (`2026-01-16`) or date-time, with or without offset. */
export function parseTimeBound(text: string): TimeBound | undefined {
  const trimmed = text.trim();
  const relative = parseDuration(trimmed);
  if (relative !== undefined) return { kind: 'relative', ms: relative, text: trimmed };
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
  const wallClock = `${y}-${mo}-${d} ${h}:${mi}:${s}`;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(asUtc);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone === undefined) return { kind: 'wall-clock', wallClock, text: trimmed };
  if (/^z$/i.test(zone)) return { kind: 'instant', ms: asUtc, text: trimmed };
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return { kind: 'instant', ms: asUtc - offsetMinutes * 60_000, text: trimmed };
}

/** `host`, `host:port`, `http(s)://host[:port]` → base URL; undefined when unusable. */
export function parseHost(host: string): URL | string {
  const trimmed = host.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `not a host name, host:port or http(s) URL: ${JSON.stringify(host)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http:// and https:// are supported, got ${url.protocol}//`;
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (use username and password-file or password-env)';
  if (url.hostname === '') return `missing host name in ${JSON.stringify(host)}`;
  url.hash = '';
  url.search = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function validTimeZone(zone: string): boolean {
  try {
    assertKnownTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Reads the file's mode for the inline-password rule; injectable for tests. @default fs.statSync */
  statMode?: (file: string) => number;
}

/**
 * Reads and validates a fleet config (YAML). Every error is a {@link SyncError} `ERR_SYNC_CONFIG`
 * whose message starts with `file:line:` and names the key. Passwords are not read here; an inline
 * `password:` is accepted only when the file is private to its owner (like ssh keys).
 */
export function loadConfig(path: string, options: LoadConfigOptions = {}): FleetConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SyncError(`${file}: cannot read the config (${code})${code === 'ENOENT' ? '; `camdl init` writes an example' : ''}`, { code: 'ERR_SYNC_CONFIG', file, cause: error });
  }
  return parseConfig(text, file, options);
}

/** {@link loadConfig} for a text already read; `file` is used for messages and relative paths. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): FleetConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const reader: ConfigReader = new ConfigReader(file, lines);
  const firstError = doc.errors[0];
  if (firstError) {
    // `linePos` is only filled in by pretty errors: the line comes from the error's offset (one
    // found at the end of the text, such as a missing closing quote, names the last line).
    const offset = Math.min(firstError.pos[0], Math.max(0, text.trimEnd().length - 1));
    const line = firstError.linePos?.[0]?.line ?? lines.linePos(offset).line;
    reader.fail(line, `not valid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const base = dirname(file);
  const top = reader.entries(doc.contents, TOP_KEYS, 'the config', 1);
  const archiveEntry = top.get('archive');
  if (!archiveEntry) reader.fail(1, 'missing key "archive" (the root of the local archive)');
  const archive = resolvePath(base, reader.string(archiveEntry, 'archive'));
  const ledgerEntry = top.get('ledger');
  const ledger = ledgerEntry ? resolvePath(base, reader.string(ledgerEntry, 'ledger')) : resolve(archive, '.camdl', 'ledger.sqlite');
  const bandwidthEntry = top.get('bandwidth');
  const bandwidthMbps = bandwidthEntry ? reader.number(bandwidthEntry, 'bandwidth', { min: 0 }) : 0;
  const layoutEntry = top.get('layout');
  const layout = layoutEntry ? reader.string(layoutEntry, 'layout') : DEFAULT_LAYOUT;
  if (layoutEntry) {
    const problem = validateLayout(layout);
    if (problem) reader.fail(layoutEntry.line, `layout: ${problem}`);
  }
  const uploadEntry = top.get('upload-bandwidth');
  const uploadBandwidthMbps = uploadEntry ? reader.number(uploadEntry, 'upload-bandwidth', { min: 0 }) : 0;
  const targets = parseTargets(reader, topNode(doc.contents, 'targets'), top.get('targets')?.line ?? 1, (path) => resolvePath(base, path));
  const defaultsEntry = top.get('defaults');
  const defaultsNode = defaultsEntry ? (doc.contents as YAMLMap).get('defaults', true) as YamlNode : undefined;
  const defaults = defaultsEntry ? reader.entries(defaultsNode, DEFAULT_KEYS, 'defaults', defaultsEntry.line) : new Map<string, Located & { keyLine: number }>();

  const camerasEntry = top.get('cameras');
  if (!camerasEntry) reader.fail(1, 'missing key "cameras" (a list of cameras)');
  const camerasNode = (doc.contents as YAMLMap).get('cameras', true) as YamlNode | undefined;
  if (!isSeq(camerasNode) || camerasNode.items.length === 0) reader.fail(camerasEntry.line, 'cameras must be a non-empty list');
  let fileMode: number | undefined;
  const modeOf = (): number => {
    fileMode ??= (options.statMode ?? ((path: string) => statSync(path).mode))(file);
    return fileMode;
  };
  const cameras: CameraConfig[] = [];
  const names = new Map<string, number>();
  for (const item of camerasNode.items as YamlNode[]) {
    const line = reader.lineOf(item);
    const own = reader.entries(item, CAMERA_KEYS, 'a camera', line);
    const get = (key: string): (Located & { keyLine: number }) | undefined => own.get(key) ?? defaults.get(key);
    const nameEntry = own.get('name');
    if (!nameEntry) reader.fail(line, 'camera: missing key "name"');
    const name = reader.string(nameEntry, 'name');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
      reader.fail(nameEntry.line, `name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" (it becomes a folder name)`);
    }
    const seen = names.get(name.toLowerCase());
    if (seen !== undefined) reader.fail(nameEntry.line, `name "${name}" is used twice (also on line ${seen})`);
    names.set(name.toLowerCase(), nameEntry.line);
    const kindEntry = get('kind');
    if (!kindEntry) reader.fail(line, `camera "${name}": missing key "kind" (${CAMERA_KINDS.join(', ')})`);
    const kindText = reader.string(kindEntry, 'kind');
    const kind = CAMERA_KINDS.find((known) => known === kindText);
    if (kind === undefined) reader.fail(kindEntry.line, `kind must be ${CAMERA_KINDS.slice(0, -1).join(', ')} or ${CAMERA_KINDS[CAMERA_KINDS.length - 1]}, got ${JSON.stringify(kindText)}`);
    const searched = kind === 'amcrest' || kind === 'hikvision';
    const hostEntry = own.get('host');
    if (!hostEntry) reader.fail(line, `camera "${name}": missing key "host"`);
    const url = parseHost(reader.string(hostEntry, 'host'));
    if (typeof url === 'string') reader.fail(hostEntry.line, `host ${url}`);
    const usernameEntry = get('username');
    const username = usernameEntry ? reader.string(usernameEntry, 'username') : undefined;

    const fileEntry = get('password-file');
    const envEntry = get('password-env');
    const inlineEntry = own.get('password') ?? defaults.get('password');
    const given = [fileEntry, envEntry, inlineEntry].filter(Boolean);
    if (given.length > 1) reader.fail((given[1] as Located).line, `camera "${name}": give one of password-file, password-env, password`);
    let password: PasswordSource = { kind: 'none' };
    if (fileEntry) password = { kind: 'file', path: resolvePath(base, reader.string(fileEntry, 'password-file')) };
    if (envEntry) {
      const envName = reader.string(envEntry, 'password-env');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName)) reader.fail(envEntry.line, `password-env must be an environment variable name, got ${JSON.stringify(envName)}`);
      password = { kind: 'env', name: envName };
    }
    if (inlineEntry) {
      const mode = modeOf();
      if ((mode & 0o077) !== 0) {
        reader.fail(
          inlineEntry.keyLine,
          `camera "${name}": an inline password in a config others can read (mode ${(mode & 0o777).toString(8).padStart(3, '0')}) is refused; use password-file or password-env, or chmod 600 ${file}`,
        );
      }
      password = { kind: 'inline', value: reader.string(inlineEntry, 'password') };
    }
    if (password.kind === 'none' && username !== undefined) {
      reader.fail(line, `camera "${name}": username without password-file or password-env`);
    }

    const insecureEntry = get('insecure');
    const insecure = insecureEntry ? reader.boolean(insecureEntry, 'insecure') : false;
    const caEntry = get('ca-file');
    const caFile = caEntry ? resolvePath(base, reader.string(caEntry, 'ca-file')) : undefined;
    if (insecure && caFile !== undefined && own.has('insecure') && own.has('ca-file')) reader.fail(caEntry!.line, `camera "${name}": give insecure or ca-file, not both`);
    const rateEntry = get('rate-limit');
    const rateLimitMbps = rateEntry ? reader.number(rateEntry, 'rate-limit', { min: 0 }) : 0;
    const bound = (key: 'since' | 'until'): TimeBound | undefined => {
      const entry = get(key);
      if (!entry) return undefined;
      const value = entry.value instanceof Date ? entry.value.toISOString() : reader.string(entry, key);
      const parsed = parseTimeBound(value);
      if (!parsed) reader.fail(entry.line, `${key} must be a duration (30d, 12h) or an ISO date/time (2026-01-16T00:00:00), got ${JSON.stringify(value)}`);
      return parsed;
    };
    const since = bound('since') ?? (searched ? parseTimeBound(DEFAULT_AMCREST_SINCE) : undefined);
    const until = bound('until');
    const deleteEntry = get('delete-after');
    const deleteAfter = deleteEntry ? reader.boolean(deleteEntry, 'delete-after') : false;
    if (deleteAfter && kind !== 'timelapse' && kind !== 'axis-edge') {
      reader.fail(deleteEntry!.line, `camera "${name}": delete-after is supported for timelapse and axis-edge cameras only (${kind === 'amcrest' ? 'Amcrest' : 'Hikvision'} cameras overwrite their oldest recordings themselves)`);
    }
    const channelsEntry = get('channels');
    let channels: number[] | 'all' = [1];
    if (channelsEntry) {
      if (channelsEntry.value === 'all') channels = 'all';
      else if (typeof channelsEntry.value === 'number') channels = [reader.number(channelsEntry, 'channels', { min: 0, integer: true })];
      else if (isSeq(channelsEntry.value)) {
        channels = channelsEntry.value.items.map((node) => {
          const value = isScalar(node) ? node.value : undefined;
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) reader.fail(reader.lineOf(node as YamlNode), `channels: ${describeValue(value)} is not a channel number`);
          return value;
        });
        if (channels.length === 0) reader.fail(channelsEntry.line, 'channels must not be empty');
        if (new Set(channels).size !== channels.length) reader.fail(channelsEntry.line, 'channels lists a channel twice');
      } else reader.fail(channelsEntry.line, `channels must be a list of numbers or "all", got ${describeValue(channelsEntry.value)}`);
      if (!searched && own.has('channels')) reader.fail(channelsEntry.line, `camera "${name}": channels apply to amcrest and hikvision cameras only`);
    }
    const zoneEntry = get('time-zone');
    const timeZone = zoneEntry ? reader.string(zoneEntry, 'time-zone') : undefined;
    if (timeZone !== undefined && !validTimeZone(timeZone)) reader.fail(zoneEntry!.line, `time-zone: unknown IANA zone ${JSON.stringify(timeZone)} (e.g. Europe/Berlin)`);
    const connectionsEntry = get('connections');
    const maxConnections = kind === 'timelapse' ? 1 : kind === 'amcrest' ? MAX_AMCREST_CONNECTIONS : MAX_EDGE_CONNECTIONS;
    // Axis cards and Hikvision recorders: one stream at a time unless asked (a recorder busy with exports stops recording well).
    const connections = connectionsEntry ? reader.number(connectionsEntry, 'connections', { min: 1, max: maxConnections, integer: true }) : kind === 'axis-edge' || kind === 'hikvision' ? 1 : maxConnections;
    const typesEntry = get('types');
    let types: string[] | undefined;
    if (typesEntry) {
      if (!isSeq(typesEntry.value)) reader.fail(typesEntry.line, 'types must be a list, e.g. [mp4] or [dav]');
      types = typesEntry.value.items.map((node) => (isScalar(node) && typeof node.value === 'string' && /^[A-Za-z0-9_]+$/.test(node.value) ? node.value : reader.fail(reader.lineOf(node as YamlNode), 'types: a file type such as mp4 or dav')));
      if (kind !== 'amcrest' && own.has('types')) reader.fail(typesEntry.line, `camera "${name}": types apply to amcrest cameras only`);
    }
    const diskEntry = get('disk');
    const disk = diskEntry ? reader.string(diskEntry, 'disk') : undefined;
    if (disk !== undefined && !/^[\w.-]{1,64}$/.test(disk)) reader.fail(diskEntry!.line, `disk must be a disk id such as SD_DISK, got ${JSON.stringify(disk)}`);
    if (diskEntry && kind !== 'axis-edge' && own.has('disk')) reader.fail(diskEntry.line, `camera "${name}": disk applies to axis-edge cameras only`);
    const formatEntry = get('format');
    const formatText = formatEntry ? reader.string(formatEntry, 'format') : 'matroska';
    if (formatText !== 'matroska' && formatText !== 'mp4') reader.fail(formatEntry!.line, `format must be matroska or mp4, got ${JSON.stringify(formatText)}`);
    if (formatEntry && kind !== 'axis-edge' && own.has('format')) reader.fail(formatEntry.line, `camera "${name}": format applies to axis-edge cameras only`);
    const timeoutEntry = get('timeout');
    const timeoutMs = (timeoutEntry ? reader.number(timeoutEntry, 'timeout', { min: 1 }) : 60) * 1000;
    const retriesEntry = get('max-retries');
    const maxRetries = retriesEntry ? reader.number(retriesEntry, 'max-retries', { min: 0, integer: true }) : 3;
    const cameraTargets = parseCameraTargets(reader, get('targets'), name, targets);
    const keepLocalMs = parseKeepLocal(reader, get('keep-local'), name, cameraTargets);
    const marginEntry = get('risk-margin');
    const riskMarginMs = marginEntry ? (parseDuration(String(marginEntry.value)) ?? reader.fail(marginEntry.line, `risk-margin must be a duration such as 24h or 3d, got ${JSON.stringify(marginEntry.value)}`)) : DEFAULT_RISK_MARGIN_MS;
    cameras.push({
      name,
      kind,
      url,
      username,
      password,
      insecure,
      caFile,
      rateLimitMbps,
      since,
      until,
      deleteAfter,
      channels: searched ? channels : [0],
      timeZone,
      connections,
      types,
      timeoutMs,
      disk,
      format: formatText,
      maxRetries,
      targets: cameraTargets,
      keepLocalMs,
      riskMarginMs,
      line,
    });
  }
  const monitoring = parseMonitoringSections(reader, doc.contents as YAMLMap, top, base);
  return { file, archive, ledger, bandwidthMbps, layout, uploadBandwidthMbps, targets, cameras, ...monitoring };
}

function resolvePath(base: string, path: string): string {
  const expanded = path.startsWith('~/') ? `${process.env['HOME'] ?? '~'}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolve(base, expanded);
}

/** Picks cameras by name (`--camera`); unknown names are config errors. */
export function selectCameras(config: FleetConfig, names: readonly string[] | undefined): CameraConfig[] {
  if (!names || names.length === 0) return config.cameras;
  const unknown = names.filter((name) => !config.cameras.some((camera) => camera.name === name));
  if (unknown.length > 0) {
    throw new SyncError(`${config.file}: no camera named ${unknown.map((name) => JSON.stringify(name)).join(', ')} (known: ${config.cameras.map((camera) => camera.name).join(', ')})`, { code: 'ERR_SYNC_CONFIG', file: config.file });
  }
  return config.cameras.filter((camera) => names.includes(camera.name));
}
