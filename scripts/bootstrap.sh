#!/usr/bin/env bash
# Makes a supported Node and pnpm (pinned in package.json's packageManager) available and installs
# the workspace. Source it to get them on PATH and $PNPM for the rest of the calling script; run it to
# just install.
#
# Node: the `node` on PATH is used when it satisfies package.json's engines (>=22.19). Otherwise a
# supported Node comes from the npm registry's `node` package through npx (Node 24, or the line in
# $CAMDL_NODE) and its bin dir goes first on PATH — the system Node is left alone. $CAMDL_NODE=<major>
# asks for that line even when the node on PATH is supported (CI runs the suite on 22 and on 26).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The bin dir holding `node` of the given major line: the node on PATH if it is of that line, else the
# npm registry's node@<major> through npx (cached in ~/.npm/_npx after the first download).
camdl_node_bin() {
  local major="$1" current log dir
  current="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [ "${current%%.*}" = "$major" ]; then
    dirname "$(command -v node)"
    return
  fi
  if ! command -v npx >/dev/null 2>&1; then
    echo "camdl: Node $major is needed and there is no npx to fetch it; install Node >= $(camdl_node_floor) from https://nodejs.org" >&2
    return 1
  fi
  echo "camdl: fetching Node $major from the npm registry (npx -p node@$major); the system Node is not touched" >&2
  log="$(mktemp)"
  # Run from $HOME, outside the workspace, so npx resolves only the registry package.
  if dir="$(cd "${HOME:-/tmp}" && npx -y -p "node@$major" -c 'dirname "$(command -v node)"' 2>"$log")" &&
    [ -x "$dir/node" ] && [ "$("$dir/node" -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    rm -f "$log"
    echo "$dir"
  else
    cat "$log" >&2
    rm -f "$log"
    echo "camdl: could not fetch Node $major through npx" >&2
    return 1
  fi
}

# The lowest supported version, from the root package.json's engines (">=22.19" -> 22.19).
camdl_node_floor() {
  sed -n 's/.*"node": *">=\([0-9.]*\)".*/\1/p' "$root/package.json" | head -n 1
}

# True when the node on PATH exists and is at least the engines floor.
camdl_node_supported() {
  local have floor
  have="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  floor="$(camdl_node_floor)"
  [ "$(printf '%s\n%s\n' "$floor" "$have" | sort -V | head -n 1)" = "$floor" ]
}

if [ -n "${CAMDL_NODE:-}" ]; then
  PATH="$(camdl_node_bin "$CAMDL_NODE"):$PATH"
elif ! camdl_node_supported; then
  echo "camdl: Node $(node --version 2>/dev/null || echo '(none)') on PATH is older than $(camdl_node_floor), which camdl needs" >&2
  PATH="$(camdl_node_bin 24):$PATH"
fi
export PATH
hash -r
camdl_node_supported || { echo "camdl: $(node --version) is not supported (engines: >=$(camdl_node_floor))" >&2; exit 1; }

want="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then
  PNPM=(pnpm)
elif npm install -g "pnpm@$want" >/dev/null 2>&1 && PATH="$(npm prefix -g)/bin:$PATH" && hash -r &&
  [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then
  # npm's global bin is put on PATH: a Node from npx keeps its global prefix inside the npx cache, whose
  # bin is not on PATH, and the test runs on a second Node line (and the packaging test) call `pnpm`.
  export PATH
  PNPM=(pnpm)
else
  # No global install rights: run the pinned pnpm through npx.
  PNPM=(npx -y "pnpm@$want")
fi
export PNPM
(cd "$root" && "${PNPM[@]}" install --frozen-lockfile --reporter=append-only >/dev/null)
