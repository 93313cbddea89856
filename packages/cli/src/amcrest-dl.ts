import { ExitError } from './exit-error.js';

/** The `amcrest-dl` command: parses argv, runs, returns the exit code. (Being built: issue in progress.) */
export async function amcrestDl(_argv: string[]): Promise<number> {
  throw new ExitError('amcrest-dl is not built yet', 1);
}
