import type { FleetConfig } from '../config.js';
import { channelRefs, deliverToEach, pingEach, type DeliveryResult } from './notify-channels.js';
import { buildTestMessage } from './notify-message.js';

/** `camdl notify --test`: one test message to every channel (a success ping for healthchecks); every outcome. */
export async function sendTestNotifications(config: FleetConfig, options: { now?: number; env?: NodeJS.ProcessEnv } = {}): Promise<DeliveryResult[]> {
  const message = buildTestMessage({ now: options.now ?? Date.now() });
  const refs = channelRefs(config.notify);
  const env = options.env ?? process.env;
  const alerts = deliverToEach(
    refs.filter((ref) => ref.config.kind !== 'healthchecks'),
    () => message,
    env,
  );
  const pings = pingEach(refs, 'success', message.text);
  const [sent, pinged] = await Promise.all([alerts, pings]);
  const order = new Map(refs.map((ref, index) => [ref.label, index]));
  return [...sent, ...pinged].sort((a, b) => (order.get(a.channel) ?? 0) - (order.get(b.channel) ?? 0));
}
