export { startCameraSim, type CameraSim } from './camera-sim.js';
export {
  CAMERA_PROFILES,
  type CameraProfile,
  type CameraSimOptions,
  type SimDigestOptions,
  type AmcrestBehaviour,
  type TimelapseBehaviour,
} from './options.js';
export type { ArchiveSpec, RecordingSpec, RecordingMedia, ContentOption, ContentKind, SimArchive, SimRecording, ServedFile, SimVideoStream } from './content.js';
export type { SimCounters } from './counters.js';
export type { SimCard, SimCardOptions } from './sim-card.js';
export { FaultInjector, type FaultRule, type FaultRoute, type FaultDecision } from './faults.js';
export { CameraSimError, isCameraSimError, type CameraSimErrorCode, type CameraSimErrorOptions } from './errors.js';
export { DigestServer, parseDigestAuthorization, type DigestServerOptions, type DigestFlavour, type DigestVerdict, type SimDigestAlgorithm, type SimDigestQop } from './digest-server.js';
export { ensureMedia, defaultMediaCacheDir, type MediaRequest, type MediaFile, type MediaContainer } from './media-cache.js';
export { GeneratedBytes } from './generated-bytes.js';
export { toWallClock, fromWallClock, isWallClock, type WallClock } from './camera-time.js';
export { writeDhav, accessUnits, type DhavWriteOptions, type DhavVideoCodec } from './dhav-writer.js';
export type { HikvisionBehaviour, HikvisionSimRecording } from './profiles/hikvision.js';
export type { AxisEdgeBehaviour, AxisEdgeSimRecording, AxisEdgeSimState } from './profiles/axis-edge.js';
