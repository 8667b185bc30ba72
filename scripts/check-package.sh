#!/usr/bin/env bash
# Lints the package as it would be published: publint on the package, attw on the packed tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# dist/ is already built by `npm test`; skip prepack's second build.
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$out" | tail -n 1)
npx --no-install publint run --strict "$out/$tarball"
npx --no-install attw "$out/$tarball" --profile node16
echo "package checks passed: $tarball"
