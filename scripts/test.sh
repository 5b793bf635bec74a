#!/usr/bin/env bash
# The test command (`npm test`, run as root): installs what the tests need on a fresh
# Debian machine, then runs every test:
#   1. the checks of `npm run check` but the unit tests (scripts/check.sh: shellcheck,
#      pyflakes, prettier --check, tsc, eslint; one test, passed or failed), the unit
#      tests (no system access), and pytest for the family hub's Python package
#      (system/hub/jupyterhub4family, with Debian's python3-pytest)
#   2. integration and browser tests inside the sandbox (test/sandbox/run.sh): real
#      PAM, pkexec + polkitd on their own system D-Bus, shadow-utils, Debian's
#      JupyterHub 3.0 (the family hub the set-up makes; a seed hub in a second
#      sandbox), the production panel, Debian's Chromium
#   3. the Debian package installed into a fresh Debian 13 root file system (test/deb)
#   4. the Debian package under a real systemd: a Debian 13 root booted with
#      systemd-nspawn, installed, checked as a family would, purged (test/systemd)
#   5. the README's set-up command in a fresh Debian 13 with git only, from a clone,
#      then a kid's story against Debian 13's hub and JupyterLab (test/debian13)
#   6. a check that the host's /etc/passwd, /etc/group, /etc/shadow and /home are unchanged
# It ends with the names of the failed tests, if any, and one line
# "tests: N passed, N failed, N skipped".
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
[ "$(id -u)" = 0 ] || { echo "npm test needs root: the sandbox uses mount namespaces, PAM and pkexec (sudo npm test)" >&2; exit 1; }

# Test-only Debian packages, on top of what the set-up command installs. The tools of
# test/deb, test/systemd and test/debian13 too: installed here, before the host
# snapshot, not by those suites mid-run (on a fresh Debian 13, systemd-container's
# polkit actions then showed up as a change to the host).
TEST_PACKAGES=(chromium screen cron iproute2 fonts-dejavu-core git debootstrap lintian zstd systemd-container
  python3-pytest pyflakes3 shellcheck apt-utils dpkg-repack)
missing=()
for pkg in "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> test packages: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
system/install.sh --prepare

LOG_DIR=$(mktemp -d /tmp/jh4f-test-logs.XXXXXX)
export JH4F_TEST_LOG_DIR="$LOG_DIR"
status=0

# Fingerprint of the host's accounts before anything runs (step 6 compares).
node --import tsx test/host/snapshot.ts > "$LOG_DIR/host-before.json"

run_suite() {
  local name="$1"; shift
  echo "==> $name"
  "$@" 2>&1 | tee "$LOG_DIR/$name.log" || status=1
}

NODE_TEST=(node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec)

# The contributor check's steps but its unit tests (the next suite): one test.
run_suite check bash scripts/check.sh shellcheck pyflakes format typecheck lint
run_suite unit "${NODE_TEST[@]}" test/unit/*.test.ts
# The family hub's Python package: the hours rule from the shared cases
# (test/fixtures/hours-cases.json, which the unit suite runs too), the hooks.
run_suite python /usr/bin/python3 -m pytest -q test/python
# The integration and browser tests in two sandboxes (the files of each share its
# hub and panel): a family machine, where the set-up command makes the family hub,
# and a jupyterhub4family 1.0 "seed" machine for the files that ask for one
# (requireSandboxHub('seed')).
mapfile -t seed_tests < <(grep -l "requireSandboxHub('seed')" test/integration/*.test.ts test/browser/*.test.ts)
mapfile -t family_tests < <(grep -L "requireSandboxHub('seed')" test/integration/*.test.ts test/browser/*.test.ts)
run_suite sandbox bash test/sandbox/run.sh "${NODE_TEST[@]}" --test-timeout=600000 "${family_tests[@]}"
JH4F_SANDBOX_HUB=seed run_suite sandbox-seed bash test/sandbox/run.sh "${NODE_TEST[@]}" --test-timeout=600000 "${seed_tests[@]}"
# The Debian package in a fresh Debian 13 root file system (debootstrap; a few minutes).
run_suite deb bash test/deb/run.sh
# The same .deb (built once per tree) under a real systemd in a booted Debian 13 (several minutes).
run_suite systemd bash test/systemd/run.sh
# The README's set-up command in a fresh Debian 13 from a clone, then the kid's story.
run_suite debian13 bash test/debian13/run.sh
JH4F_HOST_BEFORE="$LOG_DIR/host-before.json" run_suite host "${NODE_TEST[@]}" test/host/*.test.ts

# pytest's closing line: "118 passed, 2 warnings in 0.40s", "1 failed, 117 passed, 1 skipped in 0.52s".
pytest_summary() { grep -E '^=* *[0-9]+ [a-z]+.* in [0-9.]+s' "$1" | tail -n 1 || true; }
# pytest_count SUMMARY WORDS: the number before WORDS (a regex) in SUMMARY, 0 when absent.
pytest_count() {
  local n
  n=$(printf '%s\n' "$1" | grep -oE "[0-9]+ ($2)\b" | grep -oE '^[0-9]+' | head -n 1 || true)
  echo "${n:-0}"
}

# The failed tests of a node:test spec log, one a line: the spec reporter lists each
# again under "✖ failing tests:", after a "test at FILE:LINE:COLUMN" line.
node_failures() {
  [ -f "$1" ] || return 0
  awk '/^✖ failing tests:/ { on = 1; next }
    on && /^test at / { at = $3; sub(/:[0-9]+:[0-9]+$/, "", at); next }
    on && /^✖ / { name = $0; sub(/^✖ /, "", name); sub(/ \([0-9.]+ms\)$/, "", name); print name (at != "" ? " (" at ")" : ""); at = "" }' "$1"
}

# One closing line over all suites; a suite that died without a summary counts as a failure.
# The check (scripts/check.sh) counts as one test. failures: "SUITE: NAME" lines for the end.
passed=0; failed=0; skipped=0; failures=()
check_line=$(grep -E '^check: (all [0-9]+ steps passed|failed: )' "$LOG_DIR/check.log" | tail -n 1 || true)
case "$check_line" in
  'check: all '*) passed=1 ;;
  'check: failed: '*) failed=1; status=1; failures+=("check: ${check_line#check: failed: }") ;;
  *) failed=1; status=1; failures+=("check: ended without its closing line") ;;
esac
for suite in unit python sandbox sandbox-seed deb systemd debian13 host; do
  log="$LOG_DIR/$suite.log"
  if [ "$suite" = python ]; then
    while IFS= read -r line; do failures+=("python: ${line:0:300}"); done < <(grep -E '^(FAILED|ERROR) ' "$log" 2>/dev/null || true)
    summary=$(pytest_summary "$log")
    if [ -z "$summary" ]; then echo "suite $suite printed no summary: counted as failed"; failed=$((failed + 1)); status=1; failures+=("$suite: printed no summary"); continue; fi
    passed=$((passed + $(pytest_count "$summary" passed)))
    failed=$((failed + $(pytest_count "$summary" failed) + $(pytest_count "$summary" 'errors?')))
    skipped=$((skipped + $(pytest_count "$summary" skipped) + $(pytest_count "$summary" 'xfailed|xpassed')))
    continue
  fi
  p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
  f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
  s=$(sed -n 's/^ℹ skipped \([0-9]*\)$/\1/p' "$log" | tail -n 1)
  s2=$(sed -n 's/^ℹ todo \([0-9]*\)$/\1/p' "$log" | tail -n 1)
  while IFS= read -r name; do failures+=("$suite: $name"); done < <(node_failures "$log")
  if [ -z "$p" ]; then echo "suite $suite printed no summary: counted as failed"; failed=$((failed + 1)); status=1; failures+=("$suite: printed no summary"); continue; fi
  passed=$((passed + p)); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0} + ${s2:-0}))
done
[ "$skipped" -gt 0 ] && { echo "skipped tests are not allowed to count as passing"; status=1; }
[ "$failed" -gt 0 ] && status=1
echo "logs: $LOG_DIR"
if [ "${#failures[@]}" -gt 0 ]; then
  echo "failed (suite: test):"
  printf '  %s\n' "${failures[@]}"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
