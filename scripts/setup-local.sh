#!/bin/sh
# Prepares this machine for the local driver: installs debootstrap (needed once, to build the base images).
# Idempotent and quick when already done. Needs root on a Debian or Ubuntu host.
#
#   sudo scripts/setup-local.sh            # install debootstrap
#   sudo scripts/setup-local.sh --images   # also build the images now (python:3.12-slim-bookworm, node:20-slim)
set -eu

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-local: the local driver needs Linux (set DAYTONA_API_KEY to use Daytona instead)." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-local: run as root (the local driver uses namespaces, overlayfs and cgroups)." >&2
  exit 1
fi

for tool in unshare nsenter mount chroot; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup-local: $tool is missing; install util-linux and coreutils." >&2
    exit 1
  fi
done

if command -v debootstrap >/dev/null 2>&1; then
  echo "setup-local: debootstrap already installed ($(debootstrap --version 2>/dev/null || echo present))."
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-local: no apt-get here; install debootstrap with your package manager." >&2
    exit 1
  fi
  echo "setup-local: installing debootstrap…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
  echo "setup-local: debootstrap installed ($(debootstrap --version))."
fi

if [ "${1:-}" = "--images" ]; then
  cd "$(dirname "$0")/.."
  node --import tsx -e '
    const { ensureLocalImage } = await import("./src/driver/local/index.ts");
    for (const image of ["python:3.12-slim-bookworm", "node:20-slim"]) {
      const result = await ensureLocalImage(image);
      if (result.isErr()) { console.error(result.error.message); process.exit(1); }
      console.log(`setup-local: ${image} ready at ${result.value.rootfs}`);
    }
  '
fi
