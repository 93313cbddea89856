#!/usr/bin/env node
import { runCli } from '../dist/run-cli.js';
import { timelapse2Dl } from '../dist/timelapse2-dl.js';

await runCli(timelapse2Dl);
