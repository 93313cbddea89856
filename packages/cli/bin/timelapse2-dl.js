#!/usr/bin/env node
import { applyDownloadV8Flags } from '../dist/download-v8-flags.js';

// Before the command's modules load (hence the dynamic imports): see download-v8-flags.ts.
applyDownloadV8Flags();
const { runCli } = await import('../dist/run-cli.js');
const { timelapse2Dl } = await import('../dist/timelapse2-dl.js');

await runCli(timelapse2Dl);
