/** `'` and `:` and `\` escaped for a filter option value inside single quotes. */
function filterPath(path: string): string {
  return path.replaceAll('\\', '/').replaceAll(':', '\\:').replaceAll("'", "'\\''");
}

/** Scales a branch to the film's size, letterboxed, never stretched. */
export function fitFilter(size: { width: number; height: number }): string {
  const { width, height } = size;
  return `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
}

/**
 * Burns `base` + the frame's presentation time (seconds, printed as UTC to the minute) in the bottom-right
 * corner: the caller sets each frame's time so that the sum is the clock to show.
 */
export function stampFilter(fontFile: string | undefined, baseSeconds: number): string {
  return `drawtext=${fontFile ? `fontfile='${filterPath(fontFile)}':` : ''}text='%{pts\\:gmtime\\:${baseSeconds.toFixed(3)}\\:%Y-%m-%d %R}':fontcolor=white:fontsize=h/14:box=1:boxcolor=black@0.6:boxborderw=4:x=w-tw-8:y=h-th-8`;
}
