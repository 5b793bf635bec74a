#!/usr/bin/env bash
# What `npm run bench` needs on the host before it enters the sandbox (which has no
# network): Debian's wrk for the /api/health throughput figure and Debian's Chromium
# for the page figures, installed with apt like the test command installs its
# packages (scripts/test.sh).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "bench/prepare.sh needs root (apt-get): sudo npm run bench" >&2; exit 1; }
BENCH_PACKAGES=(wrk chromium)
missing=()
for pkg in "${BENCH_PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> bench packages: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
