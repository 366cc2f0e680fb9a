#!/usr/bin/env bash
# Installs and starts what sandboxes need on a Debian machine of this kind:
# Debian's docker.io (engine + CLI) and debootstrap, a running dockerd, and the
# local default image (scripts/build-sandbox-image.sh; no registry is reachable).
# Idempotent: skips whatever is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if ((${#need[@]} > 0)); then
  echo "install-docker: apt-get install ${need[*]}"
  as_root apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "install-docker: starting dockerd"
  # No systemd on these machines: run the daemon in the background.
  as_root sh -c 'nohup dockerd >/var/log/switchboard-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || {
    echo "install-docker: dockerd did not start; see /var/log/switchboard-dockerd.log" >&2
    exit 1
  }
fi

bash scripts/build-sandbox-image.sh
