import { defineConfig } from 'tsup';
import { baseBuildConfig } from '../../tsup.config.base.js';

// Split: `@camdl/sync/testing` shares the one Ledger class with the main entry, and the sources of
// the camera kinds load as their own chunks when a camera of that kind is synced (the Hikvision
// client needs undici, which a plain-http run of the other kinds never loads).
export default defineConfig({ ...baseBuildConfig, entry: ['src/index.ts', 'src/testing.ts'], splitting: true });
