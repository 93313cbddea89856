#!/usr/bin/env node
// node:sqlite (the ledger) announces itself with an ExperimentalWarning on Node.js 22: users of camdl
// have nothing to do about it. Only that one warning is dropped; every other warning still shows.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const name = typeof warning === 'object' && warning !== null ? warning.name : type;
  const message = typeof warning === 'string' ? warning : warning?.message;
  if ((name === 'ExperimentalWarning' || type === 'ExperimentalWarning') && typeof message === 'string' && message.startsWith('SQLite is an experimental feature')) return;
  return emitWarning.call(process, warning, ...rest);
};
const { runCli } = await import('../dist/run-cli.js');
const { camdl } = await import('../dist/camdl.js');
await runCli(camdl);
