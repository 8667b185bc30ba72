#!/bin/sh
# Prepares this machine for the local driver: installs debootstrap (needed once, to build the base images),
# slirp4netns (each sandbox's egress), socat (preview forwarders) and e2fsprogs (mkfs.ext4 for each sandbox's disk).
# Idempotent and quick when already done. Needs root on a Debian or Ubuntu host.
#
#   sudo scripts/setup-local.sh            # install debootstrap, slirp4netns, socat and e2fsprogs
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

# debootstrap builds the base images; slirp4netns gives each sandbox's network namespace its egress; socat runs
# the preview forwarders (host 127.0.0.1 -> the sandbox's own loopback); mkfs.ext4 formats each sandbox's disk image
# (the disk limit).
missing=""
for pair in debootstrap:debootstrap slirp4netns:slirp4netns socat:socat mkfs.ext4:e2fsprogs; do
  if ! command -v "${pair%%:*}" >/dev/null 2>&1; then missing="$missing ${pair#*:}"; fi
done
if [ -z "$missing" ]; then
  echo "setup-local: debootstrap, slirp4netns, socat and e2fsprogs already installed."
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-local: no apt-get here; install$missing with your package manager." >&2
    exit 1
  fi
  echo "setup-local: installing$missing…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq $missing >/dev/null
  echo "setup-local: installed$missing."
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
