/**
 * Variables an ffmpeg or ffprobe child may need: finding programs and libraries, temporary files,
 * the locale, the time zone (`drawtext`'s `localtime`), fonts (fontconfig reads HOME and XDG paths),
 * colour in its log, and what Windows needs to start any process.
 */
const ALLOWED_NAMES = new Set([
  'PATH',
  'PATHEXT',
  'HOME',
  'USERPROFILE',
  'TMPDIR',
  'TMP',
  'TEMP',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TZDIR',
  'TERM',
  'NO_COLOR',
  'AV_LOG_FORCE_NOCOLOR',
  'AV_LOG_FORCE_COLOR',
  'AV_LOG_FORCE_256COLOR',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'SYSTEMDRIVE',
  'LOCALAPPDATA',
  'APPDATA',
]);

/** Families of such variables: locale categories, fontconfig, XDG base folders, the dynamic loader. */
const ALLOWED_PREFIXES = ['LC_', 'FONTCONFIG_', 'XDG_', 'LD_', 'DYLD_'];

/** A name that says it holds a secret is never passed, whatever its family. */
const SECRET_NAME = /PASS|SECRET|TOKEN|CREDENTIAL|AUTH|KEY/i;

/**
 * The environment an ffmpeg or ffprobe child gets: an allow-list of what those programs read, never
 * the rest of camdl's environment. camdl's own password variables (`AMCREST_DL_PASSWORD`,
 * `TIMELAPSE2_DL_PASSWORD`, `CAMDL_PASSWORD`) and any `password-env` a fleet config names are thus
 * never visible in a child's `/proc/<pid>/environ`, whatever they are called: an allow-list needs no
 * knowledge of them, where a list of names to strip would miss the next one.
 */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    // Windows names are case-insensitive (`Path`, `SystemRoot`).
    const upper = name.toUpperCase();
    if (ALLOWED_NAMES.has(upper) || ALLOWED_PREFIXES.some((prefix) => upper.startsWith(prefix))) out[name] = value;
  }
  return out;
}
