#!/usr/bin/env bash
# One-time setup of a fresh clone (npm run setup): dependencies, then a build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# npm records what it installed in node_modules/.package-lock.json.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
else
  echo "setup: npm dependencies already installed"
fi

echo "setup: building dist/"
npm run build

cat <<'NEXT' >&2

setup: done. `npm start` runs the local backend (data in ~/.switchboard/local);
`npm test` runs every check. See README.md.
NEXT
