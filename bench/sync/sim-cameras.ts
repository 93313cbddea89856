import type { CameraSim } from '@camdl/camera-sim';

/**
 * The `cameras:` entries of a camdl.yaml for these simulators (`cam0`, `cam1`…, all on UTC), each
 * password put into `env` as `CAM<n>_PASSWORD`; an Amcrest searches channel 1 between `since` and `until`.
 */
export function simCameraLines(sims: readonly CameraSim[], env: NodeJS.ProcessEnv, amcrest: { since: string; until: string }): string[] {
  const lines: string[] = [];
  sims.forEach((sim, index) => {
    env[`CAM${index}_PASSWORD`] = sim.password;
    lines.push(`  - name: cam${index}`, `    kind: ${sim.profile === 'amcrest' ? 'amcrest' : 'timelapse'}`, `    host: ${sim.url}`, `    username: ${sim.username}`, `    password-env: CAM${index}_PASSWORD`, '    time-zone: UTC');
    if (sim.profile === 'amcrest') lines.push(`    since: ${amcrest.since}`, `    until: ${amcrest.until}`, '    channels: [1]');
  });
  return lines;
}
