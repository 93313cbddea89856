export { makeTempDir, type TempDir } from './temp-dir.js';
export { errorFromAnotherCopy } from './foreign-error.js';
export { sha256File, sha256 } from './hash-file.js';
export { findSystemTool, missingSystemTools } from './system-tool.js';
export { findFreePort } from './free-port.js';
export { startFaultServer, deterministicBytes, type FaultServer, type FaultServerFile, type Fault, type FaultServerRequest } from './fault-server.js';
export { startApacheServer, launchTestServer, waitForPort, stopProcess, type ApacheServerOptions, type RunningTestServer, type TestServerLaunch } from './apache-server.js';
export { startLighttpdServer, type LighttpdServerOptions } from './lighttpd-server.js';
export { makeSelfSignedCert, type SelfSignedCert } from './self-signed-cert.js';
