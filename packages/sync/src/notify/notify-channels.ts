import type { NotifyChannelConfig } from '../alerts/monitoring-config.js';
import { describeError } from '../errors.js';
import { sendAppriseCli } from './apprise-cli.js';
import { pingHealthchecks, sendAppriseApi, sendNtfy, sendWebhook } from './http-channels.js';
import type { NotifyMessage } from './notify-message.js';
import { shownOrigin } from './post-with-deadline.js';
import { sendEmail } from './send-email.js';

/** A configured channel as logs, metrics and the outbox name it: `webhook`, `webhook-2`, … (no URL). */
export interface ChannelRef {
  /** Stable within a config: the kind, numbered from the second of a kind. */
  label: string;
  /** For people: the label with scheme and host only (never a path, topic or token). */
  shown: string;
  config: NotifyChannelConfig;
}

/** Labels every channel of a config. */
export function channelRefs(channels: readonly NotifyChannelConfig[]): ChannelRef[] {
  const seen = new Map<string, number>();
  return channels.map((config) => {
    const n = (seen.get(config.kind) ?? 0) + 1;
    seen.set(config.kind, n);
    const label = n === 1 ? config.kind : `${config.kind}-${n}`;
    let where: string;
    switch (config.kind) {
      case 'email':
        where = `${config.host}:${config.port}`;
        break;
      case 'apprise':
        where = config.url ? shownOrigin(config.url) : `urls-file ${config.urlsFile}`;
        break;
      default:
        where = shownOrigin(config.url);
    }
    return { label, shown: `${label} (${where})`, config };
  });
}

/** The channels that receive alert messages (healthchecks gets run pings instead). */
export function alertChannels(refs: readonly ChannelRef[]): ChannelRef[] {
  return refs.filter((ref) => ref.config.kind !== 'healthchecks');
}

/** The User-Agent of every HTTP notification. */
export const NOTIFY_USER_AGENT = 'camdl-notify';

/** Sends one message through one alert channel; rejects with a reason that carries no secret. */
export async function sendToChannel(ref: ChannelRef, message: NotifyMessage, env: NodeJS.ProcessEnv): Promise<void> {
  const config = ref.config;
  switch (config.kind) {
    case 'webhook':
      return sendWebhook(config, message, env, NOTIFY_USER_AGENT);
    case 'ntfy':
      return sendNtfy(config, message, env, NOTIFY_USER_AGENT);
    case 'email':
      return sendEmail(config, message, env);
    case 'apprise':
      if (config.url !== undefined) return sendAppriseApi({ ...config, url: config.url }, message, NOTIFY_USER_AGENT);
      return sendAppriseCli({ ...config, urlsFile: config.urlsFile! }, message, env);
    case 'healthchecks':
      throw new Error('healthchecks channels receive run pings, not messages');
  }
}

/** Why a delivery failed, without the channel's name (the caller shows it) and without the code. */
function failureReason(error: unknown): string {
  return describeError(error)
    .replace(/ \(ERR_SYNC_NOTIFY\)$/, '')
    .replace(/^[a-z]+ \([^)]*\): /, '');
}

/** The outcome of one delivery. */
export interface DeliveryResult {
  channel: string;
  shown: string;
  kind: string;
  ok: boolean;
  /** Why it failed (no secret). */
  reason?: string | undefined;
}

/** Sends to each channel at once; every outcome, never a rejection. */
export async function deliverToEach(refs: readonly ChannelRef[], messageFor: (ref: ChannelRef) => NotifyMessage | undefined, env: NodeJS.ProcessEnv): Promise<DeliveryResult[]> {
  const results = await Promise.all(
    refs.map(async (ref): Promise<DeliveryResult | undefined> => {
      const message = messageFor(ref);
      if (message === undefined) return undefined;
      try {
        await sendToChannel(ref, message, env);
        return { channel: ref.label, shown: ref.shown, kind: ref.config.kind, ok: true };
      } catch (error) {
        return { channel: ref.label, shown: ref.shown, kind: ref.config.kind, ok: false, reason: failureReason(error) };
      }
    }),
  );
  return results.filter((result): result is DeliveryResult => result !== undefined);
}

/** One healthchecks ping to each healthchecks channel at once (`start`, `success`, `fail` with `body`); every outcome. */
export async function pingEach(refs: readonly ChannelRef[], event: 'start' | 'success' | 'fail', body: string): Promise<DeliveryResult[]> {
  return Promise.all(
    refs.flatMap((ref) => {
      const config = ref.config;
      if (config.kind !== 'healthchecks') return [];
      return [
        (async (): Promise<DeliveryResult | undefined> => {
          try {
            const sent = await pingHealthchecks(config, event, body, NOTIFY_USER_AGENT);
            return sent ? { channel: ref.label, shown: ref.shown, kind: config.kind, ok: true } : undefined;
          } catch (error) {
            return { channel: ref.label, shown: ref.shown, kind: config.kind, ok: false, reason: failureReason(error) };
          }
        })(),
      ];
    }),
  ).then((results) => results.filter((result): result is DeliveryResult => result !== undefined));
}
