export { ExitError, isExitError, EXIT_CODES, type ExitCode } from './exit-error.js';
export { runCli } from './run-cli.js';
export { runCommand, type CommandSpec, type JobControls, type Renderer } from './command.js';
export { createOutput, type Output, type OutputOptions, type LineTag } from './output.js';
export { escapeTerminal, redactCredentials } from './terminal-text.js';
export { parseCameraHost } from './camera-url.js';
