import { describe, expect, it } from 'vitest';
import { createTarget, isOffsiteError } from '@camdl/offsite';

describe('rclone remote given in the options', () => {
  it('refuses connection-string parameters, which would put a password in argv and in messages, without echoing them', () => {
    for (const remote of ['nas,pass=hunter2-secret:cameras', 'nas,user=me,bearer_token=hunter2-secret:']) {
      let error: unknown;
      try {
        createTarget({ kind: 'rclone', name: 'nas', remote });
      } catch (caught) {
        error = caught;
      }
      expect(isOffsiteError(error, 'ERR_OFFSITE_CONFIG')).toBe(true);
      expect(String(error)).toContain('RCLONE_CONFIG_');
      expect(String(error)).not.toContain('hunter2-secret');
    }
  });

  it('accepts a named remote and a path with commas after the colon', () => {
    expect(createTarget({ kind: 'rclone', name: 'nas', remote: 'nas:cameras, site a' }).description).toBe('rclone nas:cameras, site a');
  });
});
