export { makeTempDir, type TempDir } from './temp-dir.js';
export { sha256File, sha256 } from './hash-file.js';
export { findSystemTool, missingSystemTools } from './system-tool.js';
export { findFreePort } from './free-port.js';
