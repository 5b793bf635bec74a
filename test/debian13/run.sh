#!/usr/bin/env bash
# Issue 12's acceptance on a fresh Debian 13 (test/debian13/fresh-debian13.test.ts):
# a debootstrap root with git only, a clone of the committed HEAD, the README's
# set-up command there, then the kid's story against Debian 13's hub and JupyterLab.
# Root only; needs the Debian mirror and the npm registry. Prints each step's time.
#   JH4F_DEB_NO_CACHE=1   no caches: debootstrap, .debs and npm packages fresh, as on CI
#   JH4F_D13_KEEP=1       keep the work directory afterwards
set -euo pipefail
# shellcheck source=test/fresh-root/prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fresh-root/prologue.sh"
fresh_root_prologue test/debian13 debootstrap:debootstrap zstd:zstd unshare:util-linux git:git ip:iproute2 ss:iproute2
exec node --import tsx --test --test-reporter=spec --test-timeout=3600000 test/debian13/fresh-debian13.test.ts
