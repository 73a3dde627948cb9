#!/usr/bin/env bash
# Builds a minimal Debian bookworm root filesystem with debootstrap and imports it as a Docker image.
# Why: no registry is reachable here, so there is no debian:bookworm to pull; `docker import` needs none.
# Usage: build-rootfs.sh IMAGE_TAG
set -euo pipefail
tag=${1:?usage: build-rootfs.sh IMAGE_TAG}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "images: installing debootstrap (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  else
    echo "images: debootstrap is missing and cannot be installed (need root on Debian); or set PERF_*_IMAGE to registry images" >&2
    exit 1
  fi
fi

dir=$(mktemp -d /tmp/challenge-perf-rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "images: debootstrap bookworm into $dir (about a minute)" >&2
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
# Latest point releases come from updates and security, not from the release pocket alone.
cat >"$dir/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SRC
# Keep the image small: the package cache and lists are rebuilt by the layers that install packages.
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -c . | docker import - "$tag" >/dev/null
echo "images: imported $tag" >&2
