/** Every condition camdl reports, by its stable kind (the contract of messages, `camdl alerts --json` and metrics). */
export const ALERT_KINDS = [
  'camera-unreachable',
  'camera-silent',
  'login-refused',
  'recordings-lost',
  'recordings-deleted',
  'recordings-at-risk',
  'verify-failed',
  'target-failing',
  'disk-low',
  'ledger-error',
  'run-failed',
] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

/** A condition found true by one run (or one verify). */
export interface Observation {
  kind: AlertKind;
  /** What it is about: a camera name, a target name, the archive path; unique within the kind. */
  subject: string;
  /** The camera concerned, when there is one. */
  camera?: string | undefined;
  /** One line: what is wrong. */
  message: string;
  /** One line: what to do. */
  action: string;
  /** Names behind it (lost recordings, changed files); new ones are sent even while it is open. */
  items?: readonly string[] | undefined;
}

/** A condition as the ledger holds it: seen but under its threshold (`pending`), or `open` (sent). */
export interface AlertRow {
  kind: AlertKind;
  subject: string;
  camera: string | undefined;
  state: 'pending' | 'open';
  /** When it was first seen in this stretch. */
  sinceMs: number;
  /** Runs in a row it was seen. */
  runs: number;
  openedMs: number | undefined;
  lastSentMs: number | undefined;
  updatedMs: number;
  message: string;
  action: string;
  items: string[];
}

/** One thing a channel is told: a condition opened, is still there, has new items, or recovered. */
export interface Notice {
  event: 'opened' | 'repeated' | 'updated' | 'recovered';
  kind: AlertKind;
  subject: string;
  camera: string | undefined;
  sinceMs: number;
  atMs: number;
  message: string;
  action: string;
  /** For `updated`: only the new names; otherwise all of them (capped). */
  items: string[];
}
