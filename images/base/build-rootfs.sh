#!/usr/bin/env bash
# Builds a minimal Debian bookworm root filesystem with debootstrap and imports it as a Docker image.
# Why: no registry is reachable here, so there is no debian:bookworm to pull; `docker import` needs none.
# Usage: build-rootfs.sh IMAGE_TAG
# The mirror, security mirror and proxy are this machine's apt's (apt-mirror.sh), unless
# DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR or http_proxy/https_proxy say otherwise.
set -euo pipefail
tag=${1:?usage: build-rootfs.sh IMAGE_TAG}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

chosen=$(bash "$here/apt-mirror.sh")
mirror="" security="" http_proxy_v="" https_proxy_v=""
while IFS=$'\t' read -r name value from; do
  case $name in
  mirror) mirror=$value ;;
  security) security=$value ;;
  http_proxy) http_proxy_v=$value ;;
  https_proxy) https_proxy_v=$value ;;
  esac
  echo "images: $name $value (from $from)" >&2
done <<<"$chosen"
# debootstrap fetches with wget, which reads these; apt inside the image gets them below.
[ -z "$http_proxy_v" ] || export http_proxy=$http_proxy_v
[ -z "$https_proxy_v" ] || export https_proxy=$https_proxy_v
for p in "$http_proxy_v" "$https_proxy_v"; do
  case $p in *://localhost[:/]* | *://localhost | *://127.* | *://\[::1\]*)
    echo "images: warning: proxy $p is this host's loopback, which the image builds' containers cannot reach" >&2 ;;
  esac
done
# An https mirror needs the CA certificates in the root filesystem for apt inside the image.
include=""
case "$mirror $security" in *https://*) include=--include=ca-certificates ;; esac

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
debootstrap --variant=minbase $include bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
# Latest point releases come from updates and security, not from the release pocket alone.
cat >"$dir/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SRC
if [ -n "$http_proxy_v$https_proxy_v" ]; then
  {
    [ -z "$http_proxy_v" ] || echo "Acquire::http::Proxy \"$http_proxy_v\";"
    [ -z "$https_proxy_v" ] || echo "Acquire::https::Proxy \"$https_proxy_v\";"
  } >"$dir/etc/apt/apt.conf.d/01proxy"
fi
# Keep the image small: the package cache and lists are rebuilt by the layers that install packages.
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar -C "$dir" -c . | docker import - "$tag" >/dev/null
echo "images: imported $tag" >&2
