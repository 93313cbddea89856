const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `90s`, `30m`, `1h`, `30d`, `2w` → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (UNITS[match[2]!.toLowerCase()] ?? Number.NaN);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
