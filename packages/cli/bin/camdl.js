#!/usr/bin/env node
import { runCli } from '../dist/run-cli.js';
import { camdl } from '../dist/camdl.js';

await runCli(camdl);
