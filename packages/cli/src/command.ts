import { EXIT_CODES } from './exit-error.js';
import { installInterruptHandler, type InterruptState } from './interrupt.js';
import { createOutput, type Output } from './output.js';
import { resolvePassword, type PasswordSources } from './password.js';

/** Turns a job's events into lines, progress and JSON; one per command run. */
export interface Renderer<Event, Result> {
  event(event: Event): void;
  /** The user asked to stop: say what happens now (it depends on the job's phase). */
  interrupted(state: Exclude<InterruptState, 'none'>): void;
  /** The job returned: the summary lines and the final JSON event. */
  finish(result: Result, exitCode: number): void;
}

/** The controls a job gets from the skeleton. */
export interface JobControls<Event> {
  /** Aborted by the second Ctrl+C or SIGTERM: stop now. */
  signal: AbortSignal;
  /** Aborted by the first Ctrl+C: finish what is running, start nothing new. */
  stopSignal: AbortSignal;
  onEvent: (event: Event) => void;
}

/** One command: how to get a client and run the job; the skeleton does the rest. */
export interface CommandSpec<Client extends { close(): Promise<void> }, Event, Result> {
  json: boolean;
  progress: boolean;
  password: PasswordSources;
  /** Printed on stderr when the password came from the command line. @default none */
  argvPasswordWarning?: string | undefined;
  /** Checks before anything else (e.g. that ffmpeg is installed); throws an `ExitError`. @default none */
  prepare?: (() => Promise<void>) | undefined;
  /** `emit` renders an event of the job's union (client warnings arrive before the job runs). */
  createClient(password: string, emit: (event: Event) => void): Client;
  createRenderer(out: Output): Renderer<Event, Result>;
  run(client: Client, controls: JobControls<Event>): Promise<Result>;
  exitCodeFor(result: Result): number;
}

/**
 * The shape of every camdl command after its flags are parsed: check, get the password, create the
 * client, run the job under the Ctrl+C/SIGTERM handler while rendering its events, print the summary,
 * close the client, and return the exit code (143 after SIGTERM whatever the job says).
 */
export async function runCommand<Client extends { close(): Promise<void> }, Event, Result>(spec: CommandSpec<Client, Event, Result>): Promise<number> {
  const out = createOutput({ json: spec.json, progress: spec.progress });
  await spec.prepare?.();
  const { password, source } = await resolvePassword(spec.password);
  if (source === 'argv' && spec.argvPasswordWarning) out.warn(spec.argvPasswordWarning);
  const renderer = spec.createRenderer(out);
  const client = spec.createClient(password, (event) => renderer.event(event));
  const interrupt = installInterruptHandler({
    onStop: () => renderer.interrupted('stop'),
    onAbort: () => renderer.interrupted('abort'),
    onTerminate: () => renderer.interrupted('terminate'),
  });
  try {
    const result = await spec.run(client, {
      signal: interrupt.signal,
      stopSignal: interrupt.stopSignal,
      onEvent: (event) => renderer.event(event),
    });
    out.clearProgress();
    const exitCode = interrupt.state === 'terminate' ? EXIT_CODES.terminated : spec.exitCodeFor(result);
    renderer.finish(result, exitCode);
    return exitCode;
  } finally {
    out.clearProgress();
    interrupt.dispose();
    await client.close().catch(() => undefined);
  }
}
