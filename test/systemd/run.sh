#!/usr/bin/env bash
# The package under a real systemd: builds the .deb once per tree
# (test/lib/build-deb-once.sh, shared with test/deb), then
# test/systemd/under-systemd.test.ts boots a Debian 13 root with systemd-nspawn,
# apt-installs the package there and checks it as a family would (test/systemd/checks.sh).
# Root only; needs Debian's mirror unless everything is cached in /var/cache/jh4f-debootstrap.
#   JH4F_DEB_NO_CACHE=1   no cached roots or .debs, as on a fresh CI machine
#   JH4F_DEB=FILE         test this .deb instead of building one
#   JH4F_KEEP_WORK=1      keep the work directory (the booted root, its journal)
set -euo pipefail
# shellcheck source=test/fresh-root/prologue.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fresh-root/prologue.sh"
fresh_root_prologue test/systemd debootstrap:debootstrap zstd:zstd unshare:util-linux systemd-nspawn:systemd-container timeout:coreutils
bash test/lib/build-deb-once.sh
exec node --import tsx --test --test-reporter=spec --test-timeout=3600000 test/systemd/under-systemd.test.ts
