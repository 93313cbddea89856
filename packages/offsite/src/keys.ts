import { offsiteError, type TargetIdentity } from './errors.js';

/** Longest key S3 accepts, in UTF-8 bytes; the same limit holds for every target so a copy fits everywhere. */
const MAX_KEY_BYTES = 1024;

/**
 * Why `key` cannot name an object on every kind of target, or undefined when it can: a relative path with `/`,
 * no empty, `.` or `..` segment, no backslash and no control character (a key is also a path on a directory
 * target and on most rclone backends).
 */
export function keyProblem(key: string, options: { prefix?: boolean } = {}): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  if (key === '') return options.prefix ? undefined : 'empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/')) return 'starts with /';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(key)) return 'holds a control character or a backslash';
  const segments = key.split('/');
  // A prefix may end with '/' (a folder) or in the middle of a name; a key names a file.
  if (options.prefix && segments.at(-1) === '') segments.pop();
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return 'has an empty, . or .. segment';
  return undefined;
}

/** `prefix` as stored: '' or ending with exactly one '/'. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** Throws `ERR_OFFSITE_CONFIG` unless `key` can name an object on every kind of target. */
export function assertKey(identity: TargetIdentity, key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', `key ${JSON.stringify(key)} ${problem}`);
}

/** Throws `ERR_OFFSITE_CONFIG` unless `prefix` can start keys (it may be '' or end in the middle of a name). */
export function assertKeyPrefix(identity: TargetIdentity, prefix: string): void {
  const problem = keyProblem(prefix, { prefix: true });
  if (problem !== undefined) throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', `key prefix ${JSON.stringify(prefix)} ${problem}`);
}

/** Throws `ERR_OFFSITE_CONFIG` unless `folderKey` names a folder: '' (the root) or a key prefix ending in '/'. */
export function assertFolderKey(identity: TargetIdentity, folderKey: string): void {
  assertKeyPrefix(identity, folderKey);
  if (folderKey !== '' && !folderKey.endsWith('/')) throw offsiteError(identity, 'ERR_OFFSITE_CONFIG', `folder ${JSON.stringify(folderKey)} must be '' or end with /`);
}

/** Whether `name` can be one segment of a key (what a listing of a folder may yield). */
export function isKeySegment(name: string): boolean {
  return name !== '' && !name.includes('/') && keyProblem(name) === undefined;
}
