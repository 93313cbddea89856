// Peak RSS of this process in MiB. On Linux, `VmHWM` of /proc/self/status: getrusage's maxRSS
// also counts the pages the parent had when it forked this process (the kernel keeps the old
// memory's high-water mark across exec), so a child spawned by a 100 MiB bench process would
// report at least 100 MiB whatever it uses itself.
import { readFileSync } from 'node:fs';

export function peakRssMiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: getrusage is the best there is.
  }
  return process.resourceUsage().maxRSS / 1024;
}
