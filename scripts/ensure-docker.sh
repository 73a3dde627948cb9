#!/usr/bin/env bash
# Makes sure a Docker engine answers. If none does and we are root on Debian/Ubuntu, installs
# docker.io and starts dockerd in the background (the machines this project targets start with
# none). Prints what it did; fails with a clear message when it cannot provide an engine.
set -euo pipefail

wait_for_engine() {
  local secs=$1
  for _ in $(seq 1 "$((secs * 2))"); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-docker: no Docker engine answers and this is not root, so none can be started here." >&2
  echo "ensure-docker: start Docker (or Docker Desktop / colima) and re-run." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-docker: no Docker engine and no apt-get to install one; install Docker and re-run." >&2
    exit 1
  fi
  echo "ensure-docker: installing docker.io (apt-get)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "ensure-docker: starting dockerd in the background (log: /var/log/challenge-perf-dockerd.log)" >&2
  # setsid: the engine must outlive the command that started it (a test run, a CI step).
  setsid nohup dockerd >>/var/log/challenge-perf-dockerd.log 2>&1 </dev/null &
fi

if ! wait_for_engine 60; then
  echo "ensure-docker: dockerd did not answer within 60 s; last log lines:" >&2
  tail -20 /var/log/challenge-perf-dockerd.log >&2 || true
  exit 1
fi
echo "ensure-docker: engine $(docker info --format '{{.ServerVersion}}') is up" >&2
