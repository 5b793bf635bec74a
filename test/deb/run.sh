#!/usr/bin/env bash
# The Debian package's acceptance test: builds the .deb (npm run deb),
# then test/deb/fresh-machine.test.ts: a fresh Debian 13 root file system made with
# debootstrap, apt install of the .deb, the panel started as its unit runs it and
# checked over HTTPS, purge, no trace left; lintian and systemd-analyze output.
# Root only; needs the network (the Debian mirror) unless everything is cached in
# /var/cache/jh4f-debootstrap. Takes a few minutes (see the times line at the end).
#   JH4F_DEB_NO_CACHE=1   build the root file system from scratch, as on a fresh CI machine
#   JH4F_DEB=FILE         test this .deb instead of building one
set -euo pipefail
# shellcheck source=test/fresh-root/prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fresh-root/prologue.sh"
fresh_root_prologue test/deb debootstrap:debootstrap lintian:lintian zstd:zstd unshare:util-linux
bash test/lib/build-deb-once.sh
exec node --import tsx --test --test-reporter=spec --test-timeout=3600000 test/deb/fresh-machine.test.ts
