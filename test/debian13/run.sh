#!/usr/bin/env bash
# Issue 12's acceptance on a fresh Debian 13 (test/debian13/fresh-debian13.test.ts):
# a debootstrap root with git only, a clone of the committed HEAD, the README's
# set-up command there, then the kid's story against Debian 13's hub and JupyterLab.
# Root only; needs the Debian mirror and the npm registry. Prints each step's time.
#   JH4F_DEB_NO_CACHE=1   no caches: debootstrap, .debs and npm packages fresh, as on CI
#   JH4F_D13_KEEP=1       keep the work directory afterwards
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
[ "$(id -u)" = 0 ] || { echo "run me as root: sudo bash test/debian13/run.sh" >&2; exit 1; }

missing=()
for tool in debootstrap:debootstrap zstd:zstd unshare:util-linux git:git; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> test/debian13: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exec node --import tsx --test --test-reporter=spec --test-timeout=3600000 test/debian13/fresh-debian13.test.ts
