export { ExitError, isExitError, EXIT_CODES } from './exit-error.js';
export { parseCameraHost } from './camera-url.js';
export { formatBytes, formatSpeed, formatDuration, formatProgressLine } from './format.js';
export { resolvePassword, promptHidden, type PasswordSources, type ResolvedPassword } from './password.js';
export { installInterruptHandler, type InterruptController } from './interrupt.js';
export { createOutput, type Output, type OutputOptions, type LineTag } from './output.js';
export { runCli } from './run-cli.js';
