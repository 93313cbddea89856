#!/usr/bin/env node
import { applyDownloadV8Flags } from '../dist/download-v8-flags.js';

// Before the command's modules load (hence the dynamic imports): see download-v8-flags.ts.
applyDownloadV8Flags();
const { runCli } = await import('../dist/run-cli.js');
const { amcrestDl } = await import('../dist/amcrest-dl.js');

await runCli(amcrestDl);
