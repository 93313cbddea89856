import { isPlausibleStorageBytes } from '@camdl/internal';
import type { AmcrestClient } from './client.js';
import { isAmcrestError, type AmcrestErrorCode } from './errors.js';

/** A camera's or recorder's recording storage, its read-write partitions together. */
export interface StorageInfo {
  totalBytes: number;
  usedBytes: number;
  /** Partitions counted (read-write, not in error). */
  partitions: number;
}

/** Options of {@link getStorageInfo}. */
export interface GetStorageInfoOptions {
  /** @default undefined */
  signal?: AbortSignal | undefined;
  /** Told about an answer that is ignored (a figure out of range). @default undefined */
  onWarning?: ((message: string) => void) | undefined;
}

/** Answers meaning "this device does not say so". */
const NOT_ANSWERED: ReadonlySet<AmcrestErrorCode> = new Set(['ERR_AMCREST_NOT_IMPLEMENTED', 'ERR_AMCREST_BAD_REQUEST', 'ERR_AMCREST_INVALID_AUTHORITY', 'ERR_AMCREST_HTTP_STATUS', 'ERR_AMCREST_BAD_RESPONSE']);

const DETAIL = /^list\.info\[(\d+)\]\.Detail\[(\d+)\]\.(TotalBytes|UsedBytes|IsError|Type)$/;

/**
 * The card's (or disks') total and used bytes, from `storageDevice.cgi?action=getDeviceAllInfo` of the
 * Dahua HTTP API (`list.info[0].Detail[0].TotalBytes=31154688000.000000`, `UsedBytes`, `IsError`,
 * `Type`): the read-write partitions that are not in error, added up. Undefined when the device does
 * not answer the call or reports no usable partition; a figure out of range (not a number, negative,
 * above 1 PiB, used above total) drops that partition with a warning. A refused login, a network
 * error or an abort is thrown as is.
 */
export async function getStorageInfo(client: Pick<AmcrestClient, 'call'>, options: GetStorageInfoOptions = {}): Promise<StorageInfo | undefined> {
  let body;
  try {
    body = await client.call('storageDevice.cgi', [['action', 'getDeviceAllInfo']], options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (isAmcrestError(error) && NOT_ANSWERED.has(error.code)) return undefined;
    throw error;
  }
  const partitions = new Map<string, { total?: string; used?: string; error?: string; type?: string }>();
  for (const [key, value] of body.flat) {
    const match = DETAIL.exec(key);
    if (!match) continue;
    const id = `${match[1]}.${match[2]}`;
    const partition = partitions.get(id) ?? {};
    const field = match[3] === 'TotalBytes' ? 'total' : match[3] === 'UsedBytes' ? 'used' : match[3] === 'IsError' ? 'error' : 'type';
    partition[field] = value.trim();
    partitions.set(id, partition);
  }
  let totalBytes = 0;
  let usedBytes = 0;
  let counted = 0;
  for (const [id, partition] of partitions) {
    if (partition.error?.toLowerCase() === 'true') continue;
    if (partition.type !== undefined && partition.type !== 'ReadWrite') continue;
    const total = Number(partition.total);
    const used = Number(partition.used);
    if (partition.total === undefined || partition.used === undefined || !isPlausibleStorageBytes(total) || !isPlausibleStorageBytes(used) || used > total) {
      options.onWarning?.(`storage partition ${id}: TotalBytes ${JSON.stringify(partition.total ?? null)}, UsedBytes ${JSON.stringify(partition.used ?? null)} are not plausible: ignored`);
      continue;
    }
    totalBytes += Math.round(total);
    usedBytes += Math.round(used);
    counted += 1;
  }
  return counted === 0 || totalBytes === 0 ? undefined : { totalBytes, usedBytes, partitions: counted };
}
