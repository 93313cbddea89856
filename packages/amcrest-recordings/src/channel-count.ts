import type { AmcrestClient } from './client.js';
import { AmcrestError, isAmcrestError, type AmcrestErrorCode } from './errors.js';

/** Most channels a Dahua recorder has (the largest NVRs have 256). */
export const MAX_CHANNELS = 256;

/** Answers meaning "this device does not say so", not a broken login or network. */
const NOT_ANSWERED: ReadonlySet<AmcrestErrorCode> = new Set([
  'ERR_AMCREST_NOT_IMPLEMENTED',
  'ERR_AMCREST_BAD_REQUEST',
  'ERR_AMCREST_INVALID_AUTHORITY',
  'ERR_AMCREST_HTTP_STATUS',
  'ERR_AMCREST_BAD_RESPONSE',
]);

/** The two questions real devices answer, and the key of each answer. */
const QUESTIONS = [
  {
    // A recorder's IP channels: `table.MaxRemoteInputChannels=16` (a camera answers 0 or not at all).
    cgi: 'magicBox.cgi',
    params: [['action', 'getProductDefinition'], ['name', 'MaxRemoteInputChannels']] as const,
    keys: ['table.MaxRemoteInputChannels', 'MaxRemoteInputChannels'],
  },
  {
    // The device's own video inputs: `result=1` on a camera.
    cgi: 'devVideoInput.cgi',
    params: [['action', 'getCollect']] as const,
    keys: ['result'],
  },
] as const;

/** Options of {@link getChannelCount}. */
export interface GetChannelCountOptions {
  /** @default undefined */
  signal?: AbortSignal | undefined;
}

/**
 * How many video channels a camera or recorder has, asked the way real Dahua/Amcrest devices answer:
 * `magicBox.cgi?action=getProductDefinition&name=MaxRemoteInputChannels` (a recorder's IP channels,
 * `table.MaxRemoteInputChannels=16`) and `devVideoInput.cgi?action=getCollect` (the device's own inputs,
 * `result=1` on a camera). The larger answer wins (channels are numbered 1..count). A device that answers
 * neither with a count of 1..256 is an `ERR_AMCREST_NO_CHANNEL_COUNT` error (give the channels
 * explicitly then); a refused login, a network error or an abort is thrown as is.
 */
export async function getChannelCount(client: Pick<AmcrestClient, 'call'>, options: GetChannelCountOptions = {}): Promise<number> {
  const answers: string[] = [];
  let best = 0;
  for (const question of QUESTIONS) {
    const asked = `${question.cgi}?${question.params.map(([key, value]) => `${key}=${value}`).join('&')}`;
    try {
      const body = await client.call(question.cgi, question.params, options.signal ? { signal: options.signal } : {});
      const value = question.keys.map((key) => body.flat.get(key)).find((found) => found !== undefined)?.trim();
      const count = value !== undefined && /^\d{1,4}$/.test(value) ? Number(value) : undefined;
      if (count !== undefined && count <= MAX_CHANNELS) {
        best = Math.max(best, count);
        answers.push(`${asked}: ${count}`);
      } else {
        answers.push(`${asked}: no count in the answer`);
      }
    } catch (error) {
      if (!isAmcrestError(error) || !NOT_ANSWERED.has(error.code)) throw error;
      answers.push(`${asked}: ${error.code}`);
    }
  }
  if (best < 1) {
    throw new AmcrestError(`the device did not say how many channels it has (${answers.join('; ')}); name the channels instead (e.g. 1,2,3)`, {
      code: 'ERR_AMCREST_NO_CHANNEL_COUNT',
    });
  }
  return best;
}
