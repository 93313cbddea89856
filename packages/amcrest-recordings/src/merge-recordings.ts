import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { AmcrestError } from './errors.js';
import { findFfmpeg, probeMedia, runTool, type FfmpegTools, type MediaInfo } from './ffmpeg-tools.js';

/** Containers the merge writes (stream copy, no re-encode). */
export type MergeFormat = 'mp4' | 'mkv' | 'avi';

export const MERGE_FORMATS: readonly MergeFormat[] = ['mp4', 'mkv', 'avi'];

const MUXERS: Record<MergeFormat, string> = { mp4: 'mp4', mkv: 'matroska', avi: 'avi' };

/** One file to merge. */
export interface MergeInput {
  path: string;
  /** Real start instant; when every input has one, inputs are merged in this order. @default undefined */
  start?: Date;
  /** `dav` inputs (Dahua NVR files) are first remuxed with `-f dhav`. @default by the extension */
  kind?: 'mp4' | 'dav';
}

export interface MergeRecordingsOptions {
  /** Files in chronological order (or with `start`, sorted by it). */
  inputs: ReadonlyArray<string | MergeInput>;
  /** The merged file; written as `<output>.part.<ext>` first and renamed when verified. */
  output: string;
  /** @default 'mp4' */
  format?: MergeFormat;
  /** @default $FFMPEG_PATH or `ffmpeg` on PATH */
  ffmpegPath?: string;
  /** @default $FFPROBE_PATH or `ffprobe` on PATH */
  ffprobePath?: string;
  /** Already located tools (skips the lookup). @default undefined */
  tools?: FfmpegTools;
  /** Kills ffmpeg and removes the temporary file. @default undefined */
  signal?: AbortSignal;
  /**
   * Allowed difference between the merged duration and the sum of the parts, in seconds per part
   * (AAC priming and frame rounding add a little at every joint).
   * @default 0.1
   */
  toleranceSecondsPerPart?: number;
  /** Check the result with ffprobe. @default true */
  verify?: boolean;
  /** Called with seconds written so far and the expected total. @default undefined */
  onProgress?: (progress: { seconds: number; totalSeconds: number }) => void;
}

export interface MergeResult {
  output: string;
  format: MergeFormat;
  /** The merged file's duration (ffprobe). */
  durationSeconds: number;
  /** Sum of the parts' durations (ffprobe). */
  expectedSeconds: number;
  /** The inputs in merge order, with their durations. */
  parts: Array<{ path: string; durationSeconds: number }>;
}

/** One line of an ffconcat list: `file '<path>'` with `'` escaped as `'\''` (the demuxer's quoting). */
export function concatListLine(path: string): string {
  if (/[\r\n]/.test(path)) {
    throw new AmcrestError(`cannot merge a file whose name contains a line break: ${JSON.stringify(path)}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  return `file '${path.replaceAll("'", "'\\''")}'`;
}

function normalizeInputs(inputs: MergeRecordingsOptions['inputs']): Array<Required<Pick<MergeInput, 'path' | 'kind'>> & MergeInput> {
  const list = inputs.map((input, order) => {
    const value = typeof input === 'string' ? { path: input } : input;
    const kind = value.kind ?? (extname(value.path).toLowerCase() === '.dav' ? 'dav' : 'mp4');
    return { ...value, path: resolve(value.path), kind, order };
  });
  if (list.every((input) => input.start !== undefined)) {
    list.sort((a, b) => (a.start as Date).getTime() - (b.start as Date).getTime() || a.order - b.order);
  }
  return list;
}

/**
 * Merges recordings into one file with ffmpeg's concat demuxer and stream copy (no re-encode), then
 * checks with ffprobe that the result lasts as long as its parts together. The final name only ever
 * holds a verified file: ffmpeg writes `<output>.part.<ext>`, renamed at the end; on failure or abort
 * (ffmpeg is killed) the temporary file is removed.
 */
export async function mergeRecordings(options: MergeRecordingsOptions): Promise<MergeResult> {
  const format = options.format ?? 'mp4';
  if (!MERGE_FORMATS.includes(format)) {
    throw new AmcrestError(`format must be one of ${MERGE_FORMATS.join(', ')}, got ${String(format)}`, { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  }
  if (options.inputs.length === 0) throw new AmcrestError('nothing to merge', { code: 'ERR_AMCREST_INVALID_OPTIONS' });
  const tools =
    options.tools ??
    (await findFfmpeg({
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      ...(options.ffprobePath ? { ffprobePath: options.ffprobePath } : {}),
    }));
  const signal = options.signal;
  const signalOption = signal ? { signal } : {};
  const inputs = normalizeInputs(options.inputs);
  const output = resolve(options.output);
  const temp = `${output}.part.${format}`;
  const workDir = await mkdtemp(join(dirname(output), '.camdl-merge-'));
  try {
    // NVR `.dav` files: remux to Matroska first (it takes any codec), then concatenate those.
    const sources: string[] = [];
    for (const [index, input] of inputs.entries()) {
      if (input.kind !== 'dav') {
        sources.push(input.path);
        continue;
      }
      const remuxed = join(workDir, `${String(index).padStart(5, '0')}-${basename(input.path, extname(input.path))}.mkv`);
      await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'dhav', '-i', input.path, '-c', 'copy', remuxed], signalOption);
      sources.push(remuxed);
    }
    const infos: MediaInfo[] = [];
    for (const source of sources) infos.push(await probeMedia(tools.ffprobe, source, signalOption));
    const listFile = join(workDir, 'list.txt');
    await writeFile(listFile, `ffconcat version 1.0\n${sources.map(concatListLine).join('\n')}\n`);
    const totalVideo = infos.reduce((sum, info) => sum + info.durationSeconds, 0);
    const extraArgs: string[] = [];
    // AVI wants H.264 in Annex B (start codes); MP4/MKV sources hold length-prefixed NALs.
    if (format === 'avi' && infos[0]?.videoCodec === 'h264') extraArgs.push('-bsf:v', 'h264_mp4toannexb');
    if (format === 'avi' && infos[0]?.videoCodec === 'hevc') extraArgs.push('-bsf:v', 'hevc_mp4toannexb');
    if (format === 'mp4') extraArgs.push('-movflags', '+faststart');
    await rm(temp, { force: true });
    await runTool(
      tools.ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        '-nostats',
        '-progress',
        'pipe:1',
        '-y',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        listFile,
        '-c',
        'copy',
        ...extraArgs,
        '-f',
        MUXERS[format],
        temp,
      ],
      {
        ...signalOption,
        onStdoutLine: (line) => {
          const match = /^out_time_us=(\d+)$/.exec(line);
          if (match && options.onProgress) options.onProgress({ seconds: Number(match[1]) / 1e6, totalSeconds: totalVideo });
        },
      },
    );
    const merged = await probeMedia(tools.ffprobe, temp, signalOption);
    // Compare like with like: video-stream durations when the merged container reports one, else
    // container durations (Matroska has no per-stream duration).
    const partDurations = infos.map((info) =>
      merged.fromVideoStream && info.fromVideoStream ? info.durationSeconds : (info.formatDurationSeconds ?? info.durationSeconds),
    );
    const expectedSeconds = partDurations.reduce((sum, value) => sum + value, 0);
    const tolerance = (options.toleranceSecondsPerPart ?? 0.1) * inputs.length + 0.05;
    if (options.verify !== false && Math.abs(merged.durationSeconds - expectedSeconds) > tolerance) {
      throw new AmcrestError(
        `merged file lasts ${merged.durationSeconds.toFixed(3)} s but its ${inputs.length} parts add up to ${expectedSeconds.toFixed(3)} s (tolerance ${tolerance.toFixed(2)} s)`,
        { code: 'ERR_MERGE_VERIFY_FAILED' },
      );
    }
    await rename(temp, output);
    return {
      output,
      format,
      durationSeconds: merged.durationSeconds,
      expectedSeconds,
      parts: inputs.map((input, index) => ({ path: input.path, durationSeconds: partDurations[index] as number })),
    };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
