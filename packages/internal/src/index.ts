export { redactUrl } from './redact-url.js';
export { archiveNameTime } from './archive-name-time.js';
export {
  assertKnownTimeZone,
  formatWallClock,
  instantToWallClock,
  instantToWallMs,
  localTimeZone,
  parseWallClock,
  wallClockInstants,
  wallClockToInstant,
  wallMs,
  wallMsToInstant,
  zoneOffsetMinutes,
} from './wall-clock.js';
export { createLockFile, leftOwnerFiles } from './lock-file.js';
export { checkContainerFile, type CheckedContainer, type ContainerCheck, type ContainerCheckOptions } from './container-check.js';
export { parseXml, decodeXmlText, escapeXmlText, child, childText, descendants, type XmlElement } from './xml.js';
export {
  PLAUSIBLE_DURATION_MAX_SECONDS,
  PLAUSIBLE_SIZE_MAX,
  PLAUSIBLE_STORAGE_MAX,
  PLAUSIBLE_TIME_AHEAD_MS,
  PLAUSIBLE_TIME_MIN_MS,
  isPlausibleSize,
  isPlausibleStorageBytes,
  isPlausibleTimeMs,
  plausibleTimeOr,
} from './plausible.js';
export { codesOf, networkProblem, originOf, type NetworkProblemOptions } from './network-problem.js';
export { assignErrorFields, codedErrorGuard, errorCause, requestMessage } from './coded-error.js';
