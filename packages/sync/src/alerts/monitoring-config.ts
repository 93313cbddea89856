import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { parseDuration } from '../duration.js';

import type { SecretSource } from '../targets-config.js';

/** Where a channel's secret comes from (read only when a message is sent; never shown). */
export type { SecretSource };

interface ChannelBase {
  /** Whole deadline of one delivery, in ms. @default 10000 */
  timeoutMs: number;
  /** 1-based line of the channel in the config file. */
  line: number;
}

/** A generic JSON webhook: POST of the {@link NotifyMessage} document. */
export interface WebhookChannelConfig extends ChannelBase {
  kind: 'webhook';
  url: URL;
  /** Environment variable holding the HMAC-SHA256 key of `X-Camdl-Signature`. @default unsigned */
  secretEnv: string | undefined;
}

/** An ntfy topic URL (self-hosted or ntfy.sh). */
export interface NtfyChannelConfig extends ChannelBase {
  kind: 'ntfy';
  url: URL;
  /** Access token (`Authorization: Bearer`). @default none */
  token: SecretSource | undefined;
}

/** E-mail over SMTP. */
export interface EmailChannelConfig extends ChannelBase {
  kind: 'email';
  host: string;
  /** @default 587 */
  port: number;
  /** `implicit` TLS (465), `starttls` required (every other port), `none` only on a loopback host. @default by port */
  tls: 'implicit' | 'starttls' | 'none';
  username: string | undefined;
  password: SecretSource | undefined;
  from: string;
  to: string[];
  /** PEM file of the CA that signed the server's certificate. @default the system's CAs */
  caFile: string | undefined;
}

/** Apprise: Debian's `apprise` CLI reading its URLs from a file, or an apprise-api endpoint. */
export interface AppriseChannelConfig extends ChannelBase {
  kind: 'apprise';
  /** An Apprise config file (one URL a line); handed to the CLI by path, never on its command line. */
  urlsFile: string | undefined;
  /** An apprise-api `/notify/<key>` endpoint (JSON POST). */
  url: URL | undefined;
}

/** A healthchecks-style ping URL: `/start`, the URL itself on success, `/fail` with the summary. */
export interface HealthchecksChannelConfig extends ChannelBase {
  kind: 'healthchecks';
  url: URL;
}

export type NotifyChannelConfig = WebhookChannelConfig | NtfyChannelConfig | EmailChannelConfig | AppriseChannelConfig | HealthchecksChannelConfig;
export type NotifyChannelKind = NotifyChannelConfig['kind'];

/** When conditions open and how often they are re-sent. */
export interface AlertPolicy {
  /** A camera is unreachable after this many failed runs in a row, or after failing this long. @default { runs: 2 } */
  cameraUnreachableAfter: { runs: number } | { ms: number };
  /** A reachable camera with no new recording for this long is silent. @default 2 days */
  cameraSilentAfterMs: number;
  /** An open condition is sent again after this long (a run up to 5 %, at most 15 minutes, early counts). @default 24 hours */
  repeatMs: number;
  /** The archive's disk is low under this much free space. @default { percent: 10 } */
  minFree: { percent: number } | { bytes: number };
}

/** Where metrics go besides `camdl serve`. */
export interface MetricsConfig {
  /** A node_exporter textfile, rewritten atomically after each run. @default none */
  textfile: string | undefined;
}

/** The `notify:`, `alerts:` and `metrics:` sections of the fleet config. */
export interface MonitoringConfig {
  notify: NotifyChannelConfig[];
  alerts: AlertPolicy;
  metrics: MetricsConfig;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  cameraUnreachableAfter: { runs: 2 },
  cameraSilentAfterMs: 2 * 86_400_000,
  repeatMs: 86_400_000,
  minFree: { percent: 10 },
};

/** Default deadline of one delivery. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

/** The top-level keys this module reads. */
export const MONITORING_KEYS = ['notify', 'alerts', 'metrics'] as const;

export const CHANNEL_KEYS: Readonly<Record<NotifyChannelKind, readonly string[]>> = {
  webhook: ['kind', 'url', 'secret-env', 'timeout'],
  ntfy: ['kind', 'url', 'token-env', 'token-file', 'timeout'],
  email: ['kind', 'host', 'port', 'tls', 'username', 'password-file', 'password-env', 'from', 'to', 'ca-file', 'timeout'],
  apprise: ['kind', 'urls-file', 'url', 'timeout'],
  healthchecks: ['kind', 'url', 'timeout'],
};
export const ALERT_KEYS = ['camera-unreachable-after', 'camera-silent-after', 'repeat', 'min-free'] as const;
export const METRICS_KEYS = ['textfile'] as const;

interface Located {
  value: unknown;
  line: number;
}

/** What this module needs of the config reader (file:line errors, key checks). */
export interface SectionReader {
  lineOf(node: { range?: [number, number, number] | null | undefined } | null | undefined): number;
  fail(line: number, message: string): never;
  entries(node: YamlNode | null | undefined, allowed: readonly string[], what: string, line: number): Map<string, Located & { keyLine: number }>;
  string(entry: Located, key: string): string;
  number(entry: Located, key: string, options?: { min?: number; max?: number; integer?: boolean }): number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `10%` → percent, `50GiB`/`500MB`/`1TiB` → bytes; undefined when neither. */
export function parseMinFree(text: string): { percent: number } | { bytes: number } | undefined {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    return value > 0 && value < 100 ? { percent: value } : undefined;
  }
  const size = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i.exec(text);
  if (!size) return undefined;
  const bytes = Number(size[1]) * (UNITS[size[2]!.toLowerCase()] ?? Number.NaN);
  return Number.isFinite(bytes) && bytes > 0 ? { bytes: Math.round(bytes) } : undefined;
}

function resolvePath(base: string, path: string): string {
  const expanded = path.startsWith('~/') ? `${process.env['HOME'] ?? '~'}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolve(base, expanded);
}

/** Loopback hosts, where SMTP without TLS is allowed (nothing crosses a network). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * Reads `notify:`, `alerts:` and `metrics:` of a fleet config (each optional). Errors go through the
 * reader: `file:line: message` naming the key, like the rest of the config.
 */
export function parseMonitoringSections(reader: SectionReader, root: YAMLMap, top: ReadonlyMap<string, Located>, base: string): MonitoringConfig {
  const notify: NotifyChannelConfig[] = [];
  const notifyEntry = top.get('notify');
  if (notifyEntry) {
    const node = root.get('notify', true) as YamlNode | undefined;
    if (!isSeq(node)) reader.fail(notifyEntry.line, 'notify must be a list of channels (- kind: webhook | ntfy | email | apprise | healthchecks)');
    for (const item of node.items as YamlNode[]) notify.push(parseChannel(reader, item, base));
  }
  const alerts = { ...DEFAULT_ALERT_POLICY };
  const alertsEntry = top.get('alerts');
  if (alertsEntry) {
    const own = reader.entries(root.get('alerts', true) as YamlNode, ALERT_KEYS, 'alerts', alertsEntry.line);
    const unreachable = own.get('camera-unreachable-after');
    if (unreachable) {
      if (typeof unreachable.value === 'number') alerts.cameraUnreachableAfter = { runs: reader.number(unreachable, 'camera-unreachable-after', { min: 1, max: 1000, integer: true }) };
      else {
        const ms = parseDuration(reader.string(unreachable, 'camera-unreachable-after'));
        if (ms === undefined) reader.fail(unreachable.line, `camera-unreachable-after must be a number of runs (2) or a duration (12h), got ${JSON.stringify(unreachable.value)}`);
        alerts.cameraUnreachableAfter = { ms };
      }
    }
    const duration = (key: string): number | undefined => {
      const entry = own.get(key);
      if (!entry) return undefined;
      const ms = parseDuration(reader.string(entry, key));
      if (ms === undefined) reader.fail(entry.line, `${key} must be a duration (12h, 2d), got ${JSON.stringify(entry.value)}`);
      return ms;
    };
    alerts.cameraSilentAfterMs = duration('camera-silent-after') ?? alerts.cameraSilentAfterMs;
    alerts.repeatMs = duration('repeat') ?? alerts.repeatMs;
    const minFree = own.get('min-free');
    if (minFree) {
      const parsed = parseMinFree(reader.string(minFree, 'min-free'));
      if (!parsed) reader.fail(minFree.line, `min-free must be a percentage under 100 (10%) or a size (50GiB, 500MB), got ${JSON.stringify(minFree.value)}`);
      alerts.minFree = parsed;
    }
  }
  let textfile: string | undefined;
  const metricsEntry = top.get('metrics');
  if (metricsEntry) {
    const own = reader.entries(root.get('metrics', true) as YamlNode, METRICS_KEYS, 'metrics', metricsEntry.line);
    const entry = own.get('textfile');
    if (entry) {
      textfile = resolvePath(base, reader.string(entry, 'textfile'));
      if (!textfile.endsWith('.prom')) reader.fail(entry.line, `metrics textfile must end in .prom (node_exporter reads only those), got ${JSON.stringify(entry.value)}`);
    }
  }
  return { notify, alerts, metrics: { textfile } };
}

function parseChannel(reader: SectionReader, item: YamlNode, base: string): NotifyChannelConfig {
  const line = reader.lineOf(item);
  if (!isMap(item)) reader.fail(line, 'a notify channel must be a mapping with a kind');
  const kindNode = item.get('kind', true);
  const kindText = isScalar(kindNode) ? String(kindNode.value) : undefined;
  if (kindText === undefined || !(kindText in CHANNEL_KEYS)) {
    reader.fail(kindNode ? reader.lineOf(kindNode as YamlNode) : line, `notify: kind must be one of ${Object.keys(CHANNEL_KEYS).join(', ')}, got ${JSON.stringify(kindText ?? null)}`);
  }
  const kind = kindText as NotifyChannelKind;
  const own = reader.entries(item, CHANNEL_KEYS[kind], `a ${kind} channel`, line);
  const timeoutEntry = own.get('timeout');
  const timeoutMs = timeoutEntry ? reader.number(timeoutEntry, 'timeout', { min: 1, max: 120 }) * 1000 : DEFAULT_CHANNEL_TIMEOUT_MS;
  const url = (key: string, required: boolean): URL | undefined => {
    const entry = own.get(key);
    if (!entry) {
      if (required) reader.fail(line, `${kind} channel: missing key "${key}"`);
      return undefined;
    }
    let parsed: URL;
    try {
      parsed = new URL(reader.string(entry, key));
    } catch {
      return reader.fail(entry.line, `${kind} channel: ${key} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') reader.fail(entry.line, `${kind} channel: ${key} must be http:// or https://, got ${parsed.protocol}//`);
    if (parsed.username !== '' || parsed.password !== '') reader.fail(entry.line, `${kind} channel: ${key} must not contain credentials`);
    return parsed;
  };
  const envName = (key: string): string | undefined => {
    const entry = own.get(key);
    if (!entry) return undefined;
    const name = reader.string(entry, key);
    if (!ENV_NAME.test(name)) reader.fail(entry.line, `${key} must be an environment variable name, got ${JSON.stringify(name)}`);
    return name;
  };
  const secret = (fileKey: string, envKey: string): SecretSource | undefined => {
    const file = own.get(fileKey);
    const env = envName(envKey);
    if (file && env !== undefined) reader.fail(file.line, `${kind} channel: give ${fileKey} or ${envKey}, not both`);
    if (file) return { kind: 'file', path: resolvePath(base, reader.string(file, fileKey)) };
    return env === undefined ? undefined : { kind: 'env', name: env };
  };
  switch (kind) {
    case 'webhook':
      return { kind, url: url('url', true)!, secretEnv: envName('secret-env'), timeoutMs, line };
    case 'ntfy':
      return { kind, url: url('url', true)!, token: secret('token-file', 'token-env'), timeoutMs, line };
    case 'healthchecks':
      return { kind, url: url('url', true)!, timeoutMs, line };
    case 'apprise': {
      const file = own.get('urls-file');
      const endpoint = url('url', false);
      if ((file === undefined) === (endpoint === undefined)) reader.fail(line, 'apprise channel: give urls-file (the apprise CLI) or url (an apprise-api endpoint), one of them');
      return { kind, urlsFile: file ? resolvePath(base, reader.string(file, 'urls-file')) : undefined, url: endpoint, timeoutMs, line };
    }
    case 'email': {
      const hostEntry = own.get('host');
      if (!hostEntry) reader.fail(line, 'email channel: missing key "host"');
      const host = reader.string(hostEntry, 'host');
      const portEntry = own.get('port');
      const port = portEntry ? reader.number(portEntry, 'port', { min: 1, max: 65535, integer: true }) : 587;
      const tlsEntry = own.get('tls');
      let tls: EmailChannelConfig['tls'] = port === 465 ? 'implicit' : 'starttls';
      if (tlsEntry) {
        const text = reader.string(tlsEntry, 'tls');
        if (text !== 'implicit' && text !== 'starttls' && text !== 'none') reader.fail(tlsEntry.line, `tls must be starttls, implicit or none, got ${JSON.stringify(text)}`);
        tls = text;
      }
      if (tls === 'none' && !isLoopbackHost(host)) reader.fail(tlsEntry!.line, `email channel: tls: none only for a server on this machine (localhost, 127.0.0.1); ${host} needs starttls or implicit`);
      const usernameEntry = own.get('username');
      const username = usernameEntry ? reader.string(usernameEntry, 'username') : undefined;
      const password = secret('password-file', 'password-env');
      if ((username === undefined) !== (password === undefined)) reader.fail(line, 'email channel: username and password-file (or password-env) go together');
      const fromEntry = own.get('from');
      if (!fromEntry) reader.fail(line, 'email channel: missing key "from"');
      const toEntry = own.get('to');
      if (!toEntry) reader.fail(line, 'email channel: missing key "to" (a list of addresses)');
      const to = isSeq(toEntry.value) ? toEntry.value.items.map((node) => (isScalar(node) && typeof node.value === 'string' ? node.value.trim() : '')) : [reader.string(toEntry, 'to')];
      const address = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
      for (const value of to) if (!address.test(value)) reader.fail(toEntry.line, `email channel: to: ${JSON.stringify(value)} is not an e-mail address`);
      const from = reader.string(fromEntry, 'from');
      if (!address.test(from)) reader.fail(fromEntry.line, `email channel: from: ${JSON.stringify(from)} is not an e-mail address`);
      const caEntry = own.get('ca-file');
      return { kind, host, port, tls, username, password, from, to, caFile: caEntry ? resolvePath(base, reader.string(caEntry, 'ca-file')) : undefined, timeoutMs, line };
    }
  }
}
