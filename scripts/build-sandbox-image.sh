#!/usr/bin/env bash
# Builds the default sandbox image, switchboard-sandbox:bookworm, without any
# registry: Debian bookworm (minbase + git + ca-certificates) made with
# debootstrap from the machine's own apt mirror, plus this machine's Node.js
# binary (switchboard-mcp and Claude Code run inside the sandbox with it), then
# imported with `docker import`. Skips the build when the image already exists.
#
#   scripts/build-sandbox-image.sh [--force]
#
# Needs: root (debootstrap), debootstrap, a running Docker engine.
set -euo pipefail

IMAGE="${SWITCHBOARD_SANDBOX_IMAGE:-switchboard-sandbox:bookworm}"

if [[ "${1:-}" != "--force" ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-sandbox-image: $IMAGE already exists"
  exit 0
fi

# The mirror this machine's apt already uses (deb822 .sources or sources.list);
# never a hard-coded host.
mirror() {
  local uri
  uri=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  if [[ -z "$uri" ]]; then
    uri=$(grep -h -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  fi
  if [[ -z "$uri" ]]; then
    echo "build-sandbox-image: no Debian mirror found in /etc/apt sources" >&2
    exit 1
  fi
  echo "$uri"
}

node_bin="$(command -v node)"
work="$(mktemp -d /tmp/switchboard-sandbox-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "build-sandbox-image: debootstrap bookworm from $(mirror)"
debootstrap --variant=minbase --include=git,ca-certificates bookworm \
  "$work/rootfs" "$(mirror)" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}

install -m 0755 "$node_bin" "$work/rootfs/usr/local/bin/node"
# apt caches and logs are not needed in the image.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*

tar -C "$work/rootfs" -c . |
  docker import --change 'CMD ["/bin/sh"]' --change 'ENV LANG=C.UTF-8' - "$IMAGE" >/dev/null
echo "build-sandbox-image: built $IMAGE ($(node --version) inside)"
