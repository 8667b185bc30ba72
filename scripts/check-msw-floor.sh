#!/usr/bin/env bash
# Runs the emulator's tests against the LOWEST msw the peer range allows (or the version given), to keep the
# range honest. Not part of `npm test`: it installs msw from the registry into a temporary folder.
#   bash scripts/check-msw-floor.sh [version]
set -euo pipefail
cd "$(dirname "$0")/.."
range=$(node -p 'require("./package.json").peerDependencies.msw')
version=${1:-${range#^}}
work=$(mktemp -d)
config="vitest.msw-floor-$$.config.ts"
trap 'rm -rf "$work" "$config"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "msw@$version" graphql@16 >/dev/null)
msw="$work/node_modules/msw/lib"
cat >"$config" <<CONFIG
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";
// Both entries point at the installed msw; everything else resolves from this project.
export default mergeConfig(base, defineConfig({
  resolve: { alias: [
    { find: /^msw\/node\$/, replacement: "$msw/node/index.mjs" },
    { find: /^msw\$/, replacement: "$msw/core/index.mjs" },
  ] },
  test: { typecheck: { enabled: false } },
}));
CONFIG
echo "msw $(node -p "require('$work/node_modules/msw/package.json').version") (peer range $range)"
npx vitest run --config "$config" test/testing test/driver/daytona test/sandbox test/contract test/examples
