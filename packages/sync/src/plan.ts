import type { LedgerRecording } from './ledger.js';
import type { CameraListing, RemoteRecording } from './sources/camera-source.js';

/** What one camera's sync will do, decided from its listing and the ledger alone. */
export interface CameraPlan {
  /** To fetch, oldest first (the next the camera will overwrite). */
  download: Array<{ remote: RemoteRecording; row: LedgerRecording | undefined }>;
  /** Not fetched and no longer on the camera, inside what the listing covers. */
  lost: LedgerRecording[];
  /** Verified in the archive and still on the camera (candidates for delete-after). */
  deletable: Array<{ remote: RemoteRecording; row: LedgerRecording }>;
  /** Listed and already verified (nothing to do). */
  alreadyArchived: number;
}

export function recordingKey(channel: number, remoteKey: string): string {
  return `${channel}\u0000${remoteKey}`;
}

/**
 * Compares a listing with the ledger (pure: no I/O). A recording is downloaded unless the ledger
 * holds it as verified (or deleted on the camera); a `listed`/`downloaded` row missing from a listing
 * that covers its start is `lost`.
 */
export function planCamera(rows: readonly LedgerRecording[], listing: Pick<CameraListing, 'recordings' | 'coverage'>): CameraPlan {
  const byKey = new Map<string, LedgerRecording>();
  for (const row of rows) byKey.set(recordingKey(row.channel, row.remoteKey), row);
  const listed = new Set<string>();
  const download: CameraPlan['download'] = [];
  const deletable: CameraPlan['deletable'] = [];
  let alreadyArchived = 0;
  for (const remote of listing.recordings) {
    const key = recordingKey(remote.channel, remote.remoteKey);
    listed.add(key);
    const row = byKey.get(key);
    if (row?.state === 'verified') {
      alreadyArchived += 1;
      deletable.push({ remote, row });
    } else if (row?.state === 'deleted-on-camera') {
      // The camera lists it again after a delete: the archive still holds it; nothing to fetch.
      alreadyArchived += 1;
    } else {
      download.push({ remote, row });
    }
  }
  download.sort((a, b) => a.remote.startMs - b.remote.startMs || a.remote.channel - b.remote.channel || (a.remote.remoteKey < b.remote.remoteKey ? -1 : 1));
  const lost = rows.filter((row) => {
    if (row.state !== 'listed' && row.state !== 'downloaded') return false;
    if (listed.has(recordingKey(row.channel, row.remoteKey))) return false;
    const covered = listing.coverage.get(row.channel);
    return covered !== undefined && row.startMs >= covered.startMs && row.startMs < covered.endMs;
  });
  return { download, lost, deletable, alreadyArchived };
}
