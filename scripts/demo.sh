#!/usr/bin/env bash
# The main job on a fresh machine, with no camera at hand: installs what is needed (ffmpeg for the
# simulated media and the merge, pnpm, the workspace), builds, starts the camera simulators on
# 127.0.0.1 and downloads from them with timelapse2-dl and amcrest-dl into ./demo-output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh || echo "camdl: continuing without some system packages" >&2
source scripts/bootstrap.sh
"${PNPM[@]}" run build >/dev/null
node scripts/demo.mjs
