import { isSeq, isScalar, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { ConfigReader, Located } from './config.js';
import { parseDuration } from './duration.js';

/** Where a target's secret comes from: a file (first line) or an environment variable; never the config itself. */
export type SecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

interface TargetCommon {
  /** Unique name (`--target NAME`, a camera's `targets:`). */
  name: string;
  /** Most uploads to this target at once. @default 4 (s3, rclone), 2 (directory) */
  connections: number;
  /** 1-based line of the target in the config file. */
  line: number;
}

/** An S3-compatible store. Keys are `prefix` + the archive-relative path. */
export interface S3TargetConfig extends TargetCommon {
  kind: 's3';
  /** @default AWS's endpoint for `region` */
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** `''` or ending in `/`. @default '' */
  prefix: string;
  /** Path-style URLs (most self-hosted stores). @default false */
  pathStyle: boolean;
  accessKeyId: SecretSource;
  secretAccessKey: SecretSource;
  /** @default the bucket's default */
  storageClass: string | undefined;
}

/** Any rclone remote (`remote:path`); credentials in rclone's own config. */
export interface RcloneTargetConfig extends TargetCommon {
  kind: 'rclone';
  remote: string;
  /** rclone's config file. @default rclone's own default */
  rcloneConfig: string | undefined;
}

/** A mounted folder (a NAS, a USB disk). */
export interface DirectoryTargetConfig extends TargetCommon {
  kind: 'directory';
  path: string;
}

/** One off-site target of the fleet, normalised. */
export type TargetConfig = S3TargetConfig | RcloneTargetConfig | DirectoryTargetConfig;

/** The kinds of target the config accepts. */
export const TARGET_KINDS = ['s3', 'rclone', 'directory'] as const;

/** Keys of a target, per kind (`name` and `kind` in all). */
export const TARGET_KEYS = {
  s3: [
    'name',
    'kind',
    'endpoint',
    'region',
    'bucket',
    'prefix',
    'path-style',
    'access-key-id-env',
    'access-key-id-file',
    'secret-access-key-env',
    'secret-access-key-file',
    'storage-class',
    'connections',
  ],
  rclone: ['name', 'kind', 'remote', 'rclone-config', 'connections'],
  directory: ['name', 'kind', 'path', 'connections'],
} as const satisfies Record<(typeof TARGET_KINDS)[number], readonly string[]>;

/** Keys that would put a secret in the config: refused with their own message. */
const INLINE_SECRETS = ['access-key-id', 'secret-access-key', 'password', 'secret'] as const;

const MAX_TARGET_CONNECTIONS = 32;

type Entries = Map<string, Located & { keyLine: number }>;

/** Parses the top-level `targets:` list (absent: no target). Errors are `file:line:` config errors. */
export function parseTargets(reader: ConfigReader, node: YamlNode | undefined, line: number, resolvePath: (path: string) => string): TargetConfig[] {
  if (node === undefined) return [];
  if (!isSeq(node)) return reader.fail(line, 'targets must be a list (each with name and kind: s3, rclone or directory)');
  const targets: TargetConfig[] = [];
  const names = new Map<string, number>();
  for (const item of node.items as YamlNode[]) {
    const itemLine = reader.lineOf(item);
    const all = reader.entries(item, [...new Set([...Object.values(TARGET_KEYS).flat(), ...INLINE_SECRETS])], 'a target', itemLine);
    for (const secret of INLINE_SECRETS) {
      const entry = all.get(secret);
      if (entry) reader.fail(entry.keyLine, `a target's secrets are never written in the config: use ${secret === 'access-key-id' ? 'access-key-id-env or access-key-id-file' : 'secret-access-key-env or secret-access-key-file (rclone: its own config file)'}`);
    }
    const nameEntry = all.get('name');
    if (!nameEntry) reader.fail(itemLine, 'target: missing key "name"');
    const name = reader.string(nameEntry, 'name');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) reader.fail(nameEntry.line, `target name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-"`);
    const seen = names.get(name.toLowerCase());
    if (seen !== undefined) reader.fail(nameEntry.line, `target name "${name}" is used twice (also on line ${seen})`);
    names.set(name.toLowerCase(), nameEntry.line);
    const kindEntry = all.get('kind');
    if (!kindEntry) reader.fail(itemLine, `target "${name}": missing key "kind" (s3, rclone or directory)`);
    const kind = reader.string(kindEntry, 'kind');
    if (!(TARGET_KINDS as readonly string[]).includes(kind)) reader.fail(kindEntry.line, `target "${name}": kind must be s3, rclone or directory, got ${JSON.stringify(kind)}`);
    const allowed: readonly string[] = TARGET_KEYS[kind as keyof typeof TARGET_KEYS];
    for (const [key, entry] of all) {
      if (!allowed.includes(key)) reader.fail(entry.keyLine, `target "${name}": key "${key}" does not apply to kind ${kind}; allowed: ${allowed.join(', ')}`);
    }
    const connectionsEntry = all.get('connections');
    const common = {
      name,
      line: itemLine,
      connections: connectionsEntry ? reader.number(connectionsEntry, 'connections', { min: 1, max: MAX_TARGET_CONNECTIONS, integer: true }) : kind === 'directory' ? 2 : 4,
    };
    const required = (key: string): string => {
      const entry = all.get(key);
      if (!entry) return reader.fail(itemLine, `target "${name}": missing key "${key}"`);
      return reader.string(entry, key);
    };
    if (kind === 's3') targets.push(s3Target(reader, all, common, required, resolvePath));
    else if (kind === 'rclone') {
      const remote = required('remote');
      // `nas,pass=…:path` carries its values in the remote itself: never echoed, as they may be a password.
      if (remote.slice(0, Math.max(remote.indexOf(':'), 0)).includes(',')) {
        reader.fail(all.get('remote')!.line, `target "${name}": remote must not carry parameters (remote,name=value:path): set them in rclone's config file or in env as RCLONE_CONFIG_<REMOTE>_<NAME>`);
      }
      if (!/^[A-Za-z0-9_][A-Za-z0-9_. -]*:/.test(remote)) reader.fail(all.get('remote')!.line, `target "${name}": remote must be an rclone remote such as "nas:cameras", got ${JSON.stringify(remote)}`);
      const configEntry = all.get('rclone-config');
      targets.push({ ...common, kind: 'rclone', remote, rcloneConfig: configEntry ? resolvePath(reader.string(configEntry, 'rclone-config')) : undefined });
    } else targets.push({ ...common, kind: 'directory', path: resolvePath(required('path')) });
  }
  return targets;
}

function s3Target(reader: ConfigReader, all: Entries, common: TargetCommon, required: (key: string) => string, resolvePath: (path: string) => string): S3TargetConfig {
  const { name } = common;
  const endpointEntry = all.get('endpoint');
  let endpoint: string | undefined;
  if (endpointEntry) {
    endpoint = reader.string(endpointEntry, 'endpoint');
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) reader.fail(endpointEntry.line, `target "${name}": endpoint must be an http(s):// URL, got ${JSON.stringify(endpoint)}`);
    if (url.username !== '' || url.password !== '') reader.fail(endpointEntry.line, `target "${name}": endpoint must not contain credentials (use access-key-id-env/-file and secret-access-key-env/-file)`);
  }
  const region = required('region');
  const bucket = required('bucket');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) reader.fail(all.get('bucket')!.line, `target "${name}": bucket ${JSON.stringify(bucket)} is not a valid bucket name (3-63 lower-case letters, digits, "." and "-")`);
  const prefixEntry = all.get('prefix');
  let prefix = prefixEntry ? reader.string(prefixEntry, 'prefix').replace(/^\/+/, '') : '';
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (prefix.split('/').some((part) => part === '.' || part === '..') || /[\u0000-\u001f\\]/.test(prefix)) reader.fail(prefixEntry!.line, `target "${name}": prefix must be a plain path such as site-a/, got ${JSON.stringify(prefix)}`);
  const pathStyleEntry = all.get('path-style');
  const storageEntry = all.get('storage-class');
  const storageClass = storageEntry ? reader.string(storageEntry, 'storage-class') : undefined;
  if (storageClass !== undefined && !/^[A-Z_]+$/.test(storageClass)) reader.fail(storageEntry!.line, `target "${name}": storage-class must be a name such as STANDARD_IA, got ${JSON.stringify(storageClass)}`);
  return {
    ...common,
    kind: 's3',
    endpoint,
    region,
    bucket,
    prefix,
    pathStyle: pathStyleEntry ? reader.boolean(pathStyleEntry, 'path-style') : false,
    accessKeyId: secretSource(reader, all, name, 'access-key-id', common.line, resolvePath),
    secretAccessKey: secretSource(reader, all, name, 'secret-access-key', common.line, resolvePath),
    storageClass,
  };
}

function secretSource(reader: ConfigReader, all: Entries, target: string, key: string, line: number, resolvePath: (path: string) => string): SecretSource {
  const envEntry = all.get(`${key}-env`);
  const fileEntry = all.get(`${key}-file`);
  if (envEntry && fileEntry) reader.fail(fileEntry.keyLine, `target "${target}": give one of ${key}-env and ${key}-file`);
  if (envEntry) {
    const name = reader.string(envEntry, `${key}-env`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) reader.fail(envEntry.line, `${key}-env must be an environment variable name, got ${JSON.stringify(name)}`);
    return { kind: 'env', name };
  }
  if (fileEntry) return { kind: 'file', path: resolvePath(reader.string(fileEntry, `${key}-file`)) };
  return reader.fail(line, `target "${target}": missing ${key}-env or ${key}-file`);
}

/** A camera's `targets:` (names of configured targets; default every target). */
export function parseCameraTargets(reader: ConfigReader, entry: Located | undefined, camera: string, targets: readonly TargetConfig[]): string[] {
  if (!entry) return targets.map((target) => target.name);
  if (!isSeq(entry.value)) return reader.fail(entry.line, `camera "${camera}": targets must be a list of target names, e.g. [offsite, nas]`);
  const names = (entry.value as { items: YamlNode[] }).items.map((node) => {
    const value = isScalar(node) ? node.value : undefined;
    const known = typeof value === 'string' ? targets.find((target) => target.name === value) : undefined;
    if (!known) {
      reader.fail(reader.lineOf(node), `camera "${camera}": no target named ${JSON.stringify(value ?? null)} (known: ${targets.map((target) => target.name).join(', ') || 'none; add a top-level targets: list'})`);
    }
    return known.name;
  });
  if (new Set(names).size !== names.length) reader.fail(entry.line, `camera "${camera}": targets lists a target twice`);
  return names;
}

/** A camera's `keep-local:` (a duration), which needs at least one target to hold the files. */
export function parseKeepLocal(reader: ConfigReader, entry: Located | undefined, camera: string, targets: readonly string[]): number | undefined {
  if (!entry) return undefined;
  const text = typeof entry.value === 'string' ? entry.value : String(entry.value);
  const ms = parseDuration(text);
  if (ms === undefined) return reader.fail(entry.line, `keep-local must be a duration such as 90d, got ${JSON.stringify(entry.value)}`);
  if (targets.length === 0) reader.fail(entry.line, `camera "${camera}": keep-local needs at least one target holding the files verified (targets: is empty)`);
  return ms;
}

/** The YAML node of a top-level key. */
export function topNode(contents: unknown, key: string): YamlNode | undefined {
  return (contents as YAMLMap).get(key, true) as YamlNode | undefined;
}
