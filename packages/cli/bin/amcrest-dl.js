#!/usr/bin/env node
import { runCli } from '../dist/run-cli.js';
import { amcrestDl } from '../dist/amcrest-dl.js';

await runCli(amcrestDl);
