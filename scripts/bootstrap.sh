#!/usr/bin/env bash
# Makes pnpm available (pinned in package.json's packageManager) and installs the workspace.
# Source it to get $PNPM; run it to just install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then
  PNPM=(pnpm)
elif npm install -g "pnpm@$want" >/dev/null 2>&1 && command -v pnpm >/dev/null 2>&1; then
  PNPM=(pnpm)
else
  # No global install rights: run the pinned pnpm through npx.
  PNPM=(npx -y "pnpm@$want")
fi
export PNPM
(cd "$root" && "${PNPM[@]}" install --frozen-lockfile --reporter=append-only >/dev/null)
