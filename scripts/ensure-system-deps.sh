#!/usr/bin/env bash
# Installs the Debian packages the test suite and the demo need, when they are missing.
# ffmpeg/ffprobe: media for the simulator and the Amcrest merge; apache2 + lighttpd: digest interop;
# curl: interop and benchmarks; tmux: terminal checks; chromium: the coverage report in a real browser;
# fonts-dejavu-core + fontconfig: the film's --stamp; rclone: the rclone off-site target. Safe to run repeatedly.
set -u
want=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || want+=(ffmpeg)
[ -x /usr/sbin/apache2 ] || want+=(apache2)
[ -x /usr/sbin/lighttpd ] || want+=(lighttpd)
command -v curl >/dev/null 2>&1 || want+=(curl)
[ -x /usr/bin/chromium ] || want+=(chromium)
# camdl film --stamp: ffmpeg's drawtext needs a font (Debian's ffmpeg finds it through fontconfig).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || want+=(fonts-dejavu-core)
command -v fc-match >/dev/null 2>&1 || want+=(fontconfig)
# Off-site copies: the rclone target runs Debian's rclone (its tests against Apache mod_dav as WebDAV and `rclone serve sftp` as SFTP).
command -v rclone >/dev/null 2>&1 || want+=(rclone)
# Alerts and metrics: apprise (a notify channel), prometheus (promtool + a real scrape), an SMTP receiver.
[ -x /usr/bin/apprise ] || want+=(apprise)
[ -x /usr/bin/promtool ] && [ -x /usr/bin/prometheus ] || want+=(prometheus)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || want+=(python3-aiosmtpd)
if [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "camdl: missing system packages: ${want[*]} (install them with your package manager; tests that need them are skipped)" >&2
  exit 1
fi
echo "camdl: installing ${want[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
status=$?
# Debian starts the daemons after installing them; the tests start their own on 127.0.0.1.
for svc in apache2 lighttpd prometheus; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
exit $status
