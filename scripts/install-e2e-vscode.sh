#!/usr/bin/env bash
# Installs what the VS Code end-to-end tests (test/e2e/vscode) need on a Debian machine:
#   - Debian packages: the native build deps of code-server, ripgrep, and chromium
#     (Playwright drives /usr/bin/chromium; it never downloads a browser);
#   - code-server (real VS Code in the browser) into a private prefix, .cache/code-server/.
#
# Idempotent and non-interactive (CI runs it as root on a fresh machine). Re-running is
# cheap: apt packages already present and a matching version stamp are skipped.
#
#   bash scripts/install-e2e-vscode.sh          # install what is missing
#   FORCE=1 bash scripts/install-e2e-vscode.sh  # reinstall code-server
#
# Why the dance: code-server installs from npm and builds native modules, and its bundled
# VS Code depends on @vscode/ripgrep, whose postinstall downloads a binary from GitHub,
# which is unreachable here. That download is satisfied from its cache, filled with
# Debian's own `rg`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# 4.100.x is VS Code 1.100; later code-server releases want Node 22+.
CODE_SERVER_VERSION="4.100.3"
PREFIX="$PWD/.cache/code-server"
STAMP="$PREFIX/.installed-version"
BIN="$PREFIX/node_modules/.bin/code-server"

# The @vscode/ripgrep versions and the ripgrep-prebuilt release tags they download,
# as "package-version:tag". code-server 4.100.3 pins @vscode/ripgrep 1.15.11 in
# lib/vscode/npm-shrinkwrap.json, and 1.15.11's lib/postinstall.js asks for v13.0.0-10.
# 1.15.13 and 1.15.14 ask for v13.0.0-13; their entries cost two small files and keep the
# install working if a code-server release resolves to them.
RIPGREP_CACHES=("1.15.11:v13.0.0-10" "1.15.13:v13.0.0-13" "1.15.14:v13.0.0-13")
RIPGREP_TARGET="x86_64-unknown-linux-musl"

APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium)

log() { printf 'install-e2e-vscode: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    log "need root (or sudo) to run: $*"
    exit 1
  fi
}

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages already installed"
    return
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Fills @vscode/ripgrep's download cache, $TMPDIR/vscode-ripgrep-cache-<version>/ (its
# lib/download.js uses os.tmpdir()). The npm install below runs with TMPDIR pointing
# into the prefix, so nothing lands in the shared /tmp.
prepare_ripgrep_cache() {
  local tmp="$1" rg_path stage
  rg_path="$(command -v rg)"
  stage="$tmp/rg-stage"
  mkdir -p "$stage"
  cp "$rg_path" "$stage/rg"
  for entry in "${RIPGREP_CACHES[@]}"; do
    local version="${entry%%:*}" tag="${entry#*:}"
    local dir="$tmp/vscode-ripgrep-cache-$version"
    local file="$dir/ripgrep-$tag-$RIPGREP_TARGET.tar.gz"
    mkdir -p "$dir"
    # The postinstall untars this into its bin/ and expects `rg` at the archive root.
    [ -s "$file" ] || tar -C "$stage" -czf "$file" rg
  done
  rm -rf "$stage"
}

install_code_server() {
  if [ "${FORCE:-0}" != "1" ] && [ -x "$BIN" ] && [ -f "$STAMP" ] &&
    [ "$(cat "$STAMP")" = "$CODE_SERVER_VERSION" ]; then
    log "code-server $CODE_SERVER_VERSION already installed in ${PREFIX#"$PWD"/}"
    return
  fi
  if [ "$(uname -m)" != "x86_64" ]; then
    log "only x86_64 is prepared (ripgrep cache target $RIPGREP_TARGET); got $(uname -m)"
    exit 1
  fi
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  local tmp="$PREFIX/tmp"
  mkdir -p "$tmp"
  prepare_ripgrep_cache "$tmp"

  # Native modules (kerberos, node-pty, spdlog...) build with node-gyp; point it at the
  # system Node's headers when they exist, because it cannot download them here.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ] &&
    [ "$(command -v node)" = /usr/bin/node ]; then
    export npm_config_nodedir=/usr
  fi

  local install_log="$PREFIX/install.log"
  log "npm install code-server@$CODE_SERVER_VERSION in ${PREFIX#"$PWD"/} (a few minutes; log: ${install_log#"$PWD"/})"
  local started=$SECONDS
  # A plain local install from inside the prefix, on purpose not `-g --prefix`: npm
  # exports its config to lifecycle scripts (npm_config_global, npm_config_prefix), and
  # code-server's postinstall runs `npm install` in lib/vscode, which would then install
  # into the global root instead of lib/vscode and fail midway (tar ENOENT errors).
  echo '{ "private": true, "description": "code-server for the VS Code e2e tests" }' \
    >"$PREFIX/package.json"
  # yes: npx prompts inside the postinstall; unsafe_perm: code-server's postinstall
  # refuses to run as root without it.
  if ! (cd "$PREFIX" && TMPDIR="$tmp" npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --no-package-lock \
    "code-server@$CODE_SERVER_VERSION" </dev/null >"$install_log" 2>&1); then
    log "npm install failed; last lines of ${install_log#"$PWD"/}:"
    tail -n 60 "$install_log" >&2
    exit 1
  fi
  rm -rf "$tmp"
  if ! "$BIN" --version >/dev/null 2>&1; then
    log "code-server installed but does not run:"
    "$BIN" --version >&2 || true
    exit 1
  fi
  echo "$CODE_SERVER_VERSION" >"$STAMP"
  log "code-server $("$BIN" --version | head -n 1) installed in $((SECONDS - started)) s"
}

install_apt_packages
install_code_server
log "ready: code-server at ${BIN#"$PWD"/}, chromium at $(command -v chromium)"
