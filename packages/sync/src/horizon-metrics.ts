import { cameraHorizon } from './camera-horizon.js';
import type { FleetConfig } from './config.js';
import type { Ledger } from './ledger.js';
import { lostByReason } from './ledger-horizon.js';

type Sample = { labels: Record<string, string>; value: number };
type Family = (name: string, help: string, type: 'gauge', samples: Sample[]) => void;

/** The overwrite horizon's metric families, per camera and channel, from the ledger. */
export function horizonFamilies(ledger: Ledger, config: FleetConfig, now: number, family: Family): void {
  const eta: Sample[] = [];
  const atRisk: Sample[] = [];
  const atRiskCount: Sample[] = [];
  const retention: Sample[] = [];
  const wrapping: Sample[] = [];
  const oldest: Sample[] = [];
  const lost: Sample[] = [];
  for (const camera of config.cameras) {
    for (const horizon of cameraHorizon(ledger, camera, { now, bandwidthMbps: config.bandwidthMbps })) {
      const labels = { camera: camera.name, channel: String(horizon.channel) };
      if (horizon.etaMs !== undefined) eta.push({ labels, value: horizon.etaMs / 1000 });
      atRisk.push({ labels, value: horizon.atRisk ? 1 : 0 });
      atRiskCount.push({ labels, value: horizon.atRiskCount });
      wrapping.push({ labels, value: horizon.wrapping ? 1 : 0 });
      if (horizon.retentionMs !== undefined) retention.push({ labels, value: horizon.retentionMs / 1000 });
      if (horizon.oldestOnCameraMs !== undefined) oldest.push({ labels, value: horizon.oldestOnCameraMs / 1000 });
    }
    for (const [reason, count] of Object.entries(lostByReason(ledger, camera.name))) lost.push({ labels: { camera: camera.name, reason }, value: count });
  }
  family('camdl_overwrite_eta_seconds', 'Seconds until the camera overwrites the oldest recording not archived yet (negative: due); absent when unknown or nothing is pending.', 'gauge', eta);
  family('camdl_at_risk', 'Whether recordings not archived yet will be overwritten within the risk margin or before they can be fetched (1) or not (0).', 'gauge', atRisk);
  family('camdl_at_risk_recordings', 'Recordings not archived yet that are at risk of being overwritten.', 'gauge', atRiskCount);
  family('camdl_camera_retention_seconds', 'How long the camera keeps a recording (reported, observed while it wraps, or projected from its card).', 'gauge', retention);
  family('camdl_camera_wrapping', 'Whether the camera overwrites its oldest recordings to record (1) or not (0).', 'gauge', wrapping);
  family('camdl_camera_oldest_recording_timestamp_seconds', 'Start of the oldest recording the camera held when last listed.', 'gauge', oldest);
  family('camdl_lost_recordings', 'Recordings lost before they were archived, by reason (overwritten, deleted, unknown).', 'gauge', lost);
}
