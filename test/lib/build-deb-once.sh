#!/usr/bin/env bash
# Builds the .deb (scripts/build-deb.sh) once per state of the tree: the key is a
# git tree hash of the working tree as it is (tracked and untracked files, .gitignore
# respected, the real index untouched). test/deb and test/systemd both call it, so
# one test command builds the package once.
#   JH4F_DEB=FILE   use this .deb, build nothing
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
[ -z "${JH4F_DEB:-}" ] || exit 0
version=$(node -p 'require("./package.json").version')
deb="dist/jupyterhub4family-panel_${version}_$(dpkg --print-architecture).deb"
stamp="$deb.tree"
key=""
if git rev-parse --git-dir >/dev/null 2>&1; then
  index=$(mktemp)
  trap 'rm -f "$index"' EXIT
  cp "$(git rev-parse --git-path index)" "$index"
  key=$(GIT_INDEX_FILE=$index git add -A . >/dev/null 2>&1 && GIT_INDEX_FILE=$index git write-tree)
fi
if [ -n "$key" ] && [ -f "$deb" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
  echo "==> deb: $deb is the build of this tree ($key): not built again"
  exit 0
fi
bash scripts/build-deb.sh
[ -z "$key" ] || printf '%s\n' "$key" > "$stamp"
