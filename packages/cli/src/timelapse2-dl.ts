import { ExitError } from './exit-error.js';

/** The `timelapse2-dl` command: parses argv, runs, returns the exit code. (Being built: issue in progress.) */
export async function timelapse2Dl(_argv: string[]): Promise<number> {
  throw new ExitError('timelapse2-dl is not built yet', 1);
}
