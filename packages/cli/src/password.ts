import { readFile } from 'node:fs/promises';
import { ExitError, EXIT_CODES } from './exit-error.js';

/** How many times an empty answer at the prompt is asked again. */
const PROMPT_ATTEMPTS = 3;

/** Where a password may come from, in the order they are tried. */
/** How long a password on stdin may take to start arriving (see `PasswordSources.stdinWaitMs`). */
const STDIN_WAIT_MS = 3_000;

export interface PasswordSources {
  /** From the command line (`--pass` / `--password`): visible in the process list. */
  argv?: string | undefined;
  /** A file whose first line is the password (`--pass-file`). */
  file?: string | undefined;
  /** Environment variables to read, first set one wins. */
  envNames: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** What to prompt with on a TTY. */
  prompt: string;
  /**
   * Without a terminal, read the first line of stdin (a pipe or a file), as Python's `getpass` falls back
   * to (`echo "$PW" | amcrest-dl …` from cron worked with the seed tool). @default false
   */
  stdinLine?: boolean | undefined;
  /**
   * How long to wait for that first line, in ms: a pipe or file has it at once, while a stdin nobody
   * writes to (a harness that left it open) would otherwise wait forever. @default 3000
   */
  stdinWaitMs?: number | undefined;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

export interface ResolvedPassword {
  password: string;
  source: 'argv' | 'file' | 'env' | 'prompt' | 'stdin';
}

/**
 * Finds the password: argv, then `--pass-file`, then the environment, then a prompt without echo when
 * stdin is a terminal, else (with `stdinLine`) the first line of stdin. Never prints the password.
 */
export async function resolvePassword(sources: PasswordSources): Promise<ResolvedPassword> {
  if (sources.argv !== undefined) return { password: sources.argv, source: 'argv' };
  if (sources.file !== undefined) {
    let text: string;
    try {
      text = await readFile(sources.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ExitError(`cannot read password file ${sources.file}: ${code}`, { exitCode: EXIT_CODES.usage, cause: error });
    }
    const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
    if (firstLine === '') throw new ExitError(`password file ${sources.file} is empty`, { exitCode: EXIT_CODES.usage });
    return { password: firstLine, source: 'file' };
  }
  const env = sources.env ?? process.env;
  for (const name of sources.envNames) {
    const value = env[name];
    if (value !== undefined && value !== '') return { password: value, source: 'env' };
  }
  const input = sources.input ?? process.stdin;
  const output = sources.output ?? process.stderr;
  if (input.isTTY) {
    // An empty answer (Enter pressed by mistake) would be sent as the password: ask again, then give up.
    for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt += 1) {
      const password = await promptHidden(sources.prompt, input, output);
      if (password !== '') return { password, source: 'prompt' };
      if (attempt < PROMPT_ATTEMPTS) output.write('The password is empty; type it again (Ctrl+C to stop).\n');
    }
    throw new ExitError(`no password: ${PROMPT_ATTEMPTS} empty answers at the prompt`, { exitCode: EXIT_CODES.usage });
  }
  if (sources.stdinLine) {
    const waitMs = sources.stdinWaitMs ?? STDIN_WAIT_MS;
    const line = await readFirstLine(input, waitMs);
    if (line === undefined) {
      throw new ExitError(
        `no password: nothing arrived on stdin within ${Math.round(waitMs / 100) / 10} s; pass --pass-file FILE, set ${sources.envNames.join(' or ')}, pipe it in (echo "$PASSWORD" | …), or run on a terminal to be prompted`,
        { exitCode: EXIT_CODES.usage },
      );
    }
    if (line !== '') return { password: line, source: 'stdin' };
  }
  throw new ExitError(
    `no password: pass --pass-file FILE, set ${sources.envNames.join(' or ')}, ${sources.stdinLine ? 'give it as the first line of stdin, ' : ''}or run on a terminal to be prompted`,
    { exitCode: EXIT_CODES.usage },
  );
}

/** Reads one line from a terminal in raw mode without echoing it. Ctrl+C exits with 130. */
export function promptHidden(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new ExitError('', { exitCode: EXIT_CODES.interrupted }));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
  });
}

/**
 * The first line of a non-terminal stream (up to a newline or the end), without its line ending;
 * undefined when nothing at all arrived within `waitMs` (the stream is left alone then).
 */
export function readFirstLine(input: NodeJS.ReadStream, waitMs = STDIN_WAIT_MS): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const detach = (): void => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', finish);
      input.off('error', onError);
      input.pause();
    };
    const finish = (): void => {
      detach();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(text.split(/\r?\n/, 1)[0] ?? '');
    };
    const onError = (error: Error): void => {
      detach();
      reject(error);
    };
    // Only silence ends the wait: a line that has begun to arrive is read to its end.
    const timer = setTimeout(() => {
      if (length > 0) return;
      detach();
      // A stdin that was read from may still hold the event loop: let it go.
      if (typeof (input as { unref?: () => void }).unref === 'function') (input as { unref: () => void }).unref();
      resolve(undefined);
    }, waitMs);
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buffer);
      length += buffer.length;
      // A line is enough; a password is never longer than this.
      if (buffer.includes(0x0a) || length > 64 * 1024) finish();
    };
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', onError);
    input.resume();
  });
}
