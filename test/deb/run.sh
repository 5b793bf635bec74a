#!/usr/bin/env bash
# The Debian package's acceptance test (issue 8): builds the .deb (npm run deb),
# then test/deb/fresh-machine.test.ts: a fresh Debian 13 root file system made with
# debootstrap, apt install of the .deb, the panel started as its unit runs it and
# checked over HTTPS, purge, no trace left; lintian and systemd-analyze output.
# Root only; needs the network (the Debian mirror) unless everything is cached in
# /var/cache/jh4f-debootstrap. Takes a few minutes (see the times line at the end).
#   JH4F_DEB_NO_CACHE=1   build the root file system from scratch, as on a fresh CI machine
#   JH4F_DEB=FILE         test this .deb instead of building one
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
[ "$(id -u)" = 0 ] || { echo "run me as root: sudo bash test/deb/run.sh" >&2; exit 1; }

missing=()
for tool in debootstrap:debootstrap lintian:lintian zstd:zstd unshare:util-linux; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> test/deb: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bash test/lib/build-deb-once.sh
exec node --import tsx --test --test-reporter=spec --test-timeout=3600000 test/deb/fresh-machine.test.ts
