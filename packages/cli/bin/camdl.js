#!/usr/bin/env node
import { applyCamdlV8Flags } from '../dist/download-v8-flags.js';

// Before the command's modules load (hence the dynamic imports): `camdl sync` and `camdl get` run
// as download processes, see download-v8-flags.ts.
applyCamdlV8Flags(process.argv.slice(2));
const { runCli } = await import('../dist/run-cli.js');
const { camdl } = await import('../dist/camdl.js');

await runCli(camdl);
