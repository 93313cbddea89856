import { readFile } from 'node:fs/promises';
import { createTarget, isOffsiteError, type OffsiteTarget, type TargetOptions } from '@camdl/offsite';
import type { FleetConfig } from './config.js';
import { SyncError } from './errors.js';
import type { SecretSource, TargetConfig } from './targets-config.js';

/** How targets retry a failed request and cut uploads into parts (the library's defaults suit real use; tests shorten them). */
export interface TargetTuning {
  /** Attempts of one request when the failure is retryable. @default the library's (3) */
  attempts?: number;
  /** Delay before the second attempt, doubled for each further one. @default the library's (1000 ms) */
  retryDelayMs?: number;
  /** Part size of an s3 multipart upload (at least 5 MiB). @default the library's (16 MiB) */
  partSizeBytes?: number;
}

/**
 * camdl sync runs a target's `connections` uploads at once, each sending one part at a time: the target
 * never sees more than `connections` requests from this machine.
 */
const ONE_REQUEST_PER_UPLOAD = 1;

/**
 * Reads a target's secret from its file (first line) or environment variable; never logged. A secret that
 * cannot be read is the config's fault (`ERR_SYNC_CONFIG`, naming the variable or file, never a value).
 */
async function readSecret(target: string, key: string, source: SecretSource, env: NodeJS.ProcessEnv): Promise<string> {
  if (source.kind === 'env') {
    const value = env[source.name];
    if (value === undefined || value === '') throw new SyncError(`target "${target}": ${key}-env: ${source.name} is not set in camdl's environment`, { code: 'ERR_SYNC_CONFIG' });
    return value;
  }
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SyncError(`target "${target}": cannot read ${key}-file ${source.path} (${code})`, { code: 'ERR_SYNC_CONFIG', cause: error });
  }
  const first = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (first === '') throw new SyncError(`target "${target}": ${key}-file ${source.path} is empty`, { code: 'ERR_SYNC_CONFIG' });
  return first;
}

/**
 * What rclone reads of camdl's environment for this remote, and nothing else: the remote's own definition
 * (`RCLONE_CONFIG_<REMOTE>_TYPE`, `_URL`, `_PASS`...), the config file (`RCLONE_CONFIG`) and its password
 * (`RCLONE_CONFIG_PASS`). The rclone child gets these instead of argv; the library blanks their values out of
 * every message.
 */
function rcloneEnv(remote: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const section = `RCLONE_CONFIG_${remote.slice(0, remote.indexOf(':')).toUpperCase()}_`;
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '' || !/^[A-Z0-9_]+$/i.test(name)) continue;
    const upper = name.toUpperCase();
    if (upper === 'RCLONE_CONFIG' || upper === 'RCLONE_CONFIG_PASS' || upper.startsWith(section)) picked[name] = value;
  }
  return picked;
}

/** The library's options for a configured target, its secrets read now. `prefix` overrides an s3 target's (the fleet view reads the whole bucket). */
export async function targetOptions(config: TargetConfig, env: NodeJS.ProcessEnv, retry: TargetTuning = {}, prefix?: string): Promise<TargetOptions> {
  const common = { name: config.name, ...(retry.attempts !== undefined ? { attempts: retry.attempts } : {}), ...(retry.retryDelayMs !== undefined ? { retryDelayMs: retry.retryDelayMs } : {}) };
  switch (config.kind) {
    case 'directory':
      return { ...common, kind: 'directory', path: config.path };
    case 'rclone':
      return { ...common, kind: 'rclone', remote: config.remote, connections: ONE_REQUEST_PER_UPLOAD, env: rcloneEnv(config.remote, env), ...(config.rcloneConfig !== undefined ? { rcloneConfig: config.rcloneConfig } : {}) };
    case 's3':
      return {
        ...common,
        kind: 's3',
        region: config.region,
        bucket: config.bucket,
        prefix: prefix ?? config.prefix,
        pathStyle: config.pathStyle,
        connections: ONE_REQUEST_PER_UPLOAD,
        ...(retry.partSizeBytes !== undefined ? { partSizeBytes: retry.partSizeBytes } : {}),
        accessKeyId: await readSecret(config.name, 'access-key-id', config.accessKeyId, env),
        secretAccessKey: await readSecret(config.name, 'secret-access-key', config.secretAccessKey, env),
        ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
        ...(config.storageClass !== undefined ? { storageClass: config.storageClass } : {}),
      };
  }
}

/** The configured target named `name` (`--target NAME`); unknown names are config errors. */
export function findTarget(config: FleetConfig, name: string): TargetConfig {
  const found = config.targets.find((target) => target.name === name);
  if (!found) {
    throw new SyncError(`${config.file}: no target named ${JSON.stringify(name)} (known: ${config.targets.map((target) => target.name).join(', ') || 'none; add a top-level targets: list'})`, {
      code: 'ERR_SYNC_CONFIG',
      file: config.file,
    });
  }
  return found;
}

/**
 * Opens a configured target (nothing is contacted yet). Options the library refuses, and secrets that cannot
 * be read, are config errors (`ERR_SYNC_CONFIG`): a command given `--target` exits 2 on them.
 */
export async function openTarget(config: TargetConfig, env: NodeJS.ProcessEnv = process.env, retry: TargetTuning = {}, prefix?: string): Promise<OffsiteTarget> {
  const options = await targetOptions(config, env, retry, prefix);
  try {
    return createTarget(options);
  } catch (error) {
    if (isOffsiteError(error, 'ERR_OFFSITE_CONFIG')) throw new SyncError(error.message, { code: 'ERR_SYNC_CONFIG', cause: error });
    throw error;
  }
}
