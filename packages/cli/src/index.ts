export { ExitError, isExitError, EXIT_CODES, type ExitCode } from './exit-error.js';
