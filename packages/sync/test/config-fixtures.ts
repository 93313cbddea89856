import { parseConfig } from '../src/config.js';

/** File-mode probes for parseConfig: a private (0600) config file. */
export const PRIVATE_CONFIG = { statMode: () => 0o100600 };

/** The message parseConfig refuses `text` with; throws when it is accepted. */
export function configError(text: string, options: Parameters<typeof parseConfig>[2] = PRIVATE_CONFIG): string {
  try {
    parseConfig(text, '/etc/camdl/camdl.yaml', options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}
