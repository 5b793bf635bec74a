# shellcheck shell=bash
# Sourced first by the run.sh of each fresh-root suite (test/deb, test/systemd,
# test/debian13): the one prologue they share.
#   fresh_root_prologue SUITE TOOL:PACKAGE...
#       cd to the repository; stops unless root (the suites mount, chroot and
#       unshare); installs Debian's PACKAGE for each TOOL not on PATH (on a fresh
#       machine `npm test` has installed them all before its host snapshot, so this
#       only acts when a suite runs on its own).
fresh_root_prologue() {
  local suite="$1" tool missing=()
  shift
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
  [ "$(id -u)" = 0 ] || { echo "run me as root: sudo bash $suite/run.sh" >&2; exit 1; }
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> $suite: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
