import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process that lists cameras and downloads from them.
 *
 * Such a process spends its time in the kernel (socket reads, file writes); its JavaScript runs a few
 * thousand times per GiB, too little for optimised code to pay back what the optimising compilers cost:
 * once a function turns hot, TurboFan pages in about 5 MiB of the `node` binary and Maglev takes
 * about 3 MiB, to save about 0.1 s of CPU per run (docs/benchmarks.md, "Efficiency"). Functions stay in
 * the interpreter and Sparkplug's baseline code instead. The young generation keeps its starting size:
 * start-up's objects, which survive anyway, would otherwise grow it to twice that and keep it resident.
 *
 * These are flags V8 reads each time it decides, so they take effect when set at run time, before the
 * command's modules load. Flags V8 fixes at start (`--max-opt`, `--max-semi-space-size`) would need
 * `node` options in the bin's shebang, which `env -S` and package managers' shims do not carry everywhere.
 */
export const DOWNLOAD_V8_FLAGS = ['--no-turbofan', '--no-maglev', '--semi-space-growth-factor=1'] as const;

/**
 * The `camdl` commands that run as download processes and get {@link DOWNLOAD_V8_FLAGS}: `sync` (one
 * run, or an `--every` loop, which only waits between runs) and `get`. The others keep V8's defaults:
 * `report` and `status` build their output in JavaScript from every recording, where optimised code
 * pays; `verify`, `restore`, `film` and `serve` were not measured with these flags.
 */
export const DOWNLOAD_CAMDL_COMMANDS: readonly string[] = ['sync', 'get'];

/** Applies {@link DOWNLOAD_V8_FLAGS} to this process; call it first thing in a download binary. */
export function applyDownloadV8Flags(): void {
  for (const flag of DOWNLOAD_V8_FLAGS) setFlagsFromString(flag);
}

/**
 * Applies {@link DOWNLOAD_V8_FLAGS} when `argv` (the `camdl` binary's arguments) runs one of
 * {@link DOWNLOAD_CAMDL_COMMANDS}; call it first thing in the binary, before the command's modules load.
 */
export function applyCamdlV8Flags(argv: readonly string[]): void {
  const command = argv[0];
  if (command !== undefined && DOWNLOAD_CAMDL_COMMANDS.includes(command)) applyDownloadV8Flags();
}
