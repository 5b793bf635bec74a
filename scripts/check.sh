#!/usr/bin/env bash
# The contributor check (`npm run check`): what can be checked in a minute or two,
# without root and without a sandbox. The root test command (`npm test`,
# scripts/test.sh) runs the same steps but the unit tests, which it runs itself.
#
#   bash scripts/check.sh              every step
#   bash scripts/check.sh STEP...      only those, in the order given
#
# The steps, in this order:
#   1. shellcheck  the shell scripts of system/, scripts/, test/, bench/ and .ci/ (*.sh,
#                  and the files without an extension that start with a sh or bash #!)
#   2. pyflakes    the family hub's Python package and its tests (Debian's pyflakes3)
#   3. format      prettier --check (npm run format rewrites)
#   4. typecheck   tsc --noEmit
#   5. lint        eslint (npm run lint)
#   6. unit        the unit tests (test/unit), as npm test runs them; one of them reads
#                  the build (npm run build first)
#
# Every step runs even when an earlier one failed; each prints its name and time, the
# last line names the failed steps, and the exit status is 1 when any failed. Nothing
# is installed here: a missing tool fails its step with the Debian package to install
# (the root test command installs them), missing node_modules with `npm ci`.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1

ALL_STEPS=(shellcheck pyflakes format typecheck lint unit)

# The shell scripts shellcheck reads, one a line, sorted.
shell_scripts() {
  local f
  find system scripts test bench .ci -type f -not -path '*/node_modules/*' -not -path 'bench/results/*' | sort | while IFS= read -r f; do
    case "${f##*/}" in
      *.sh) echo "$f" ;;
      *.*) ;;
      *) head -n 1 "$f" 2>/dev/null | grep -qE '^#! ?(/usr)?/bin/(env )?(ba)?sh( |$)' && echo "$f" ;;
    esac
  done
}

# A Debian tool: present, or the step fails saying which package brings it.
need_debian_tool() {
  local tool="$1" package="$2"
  [ -x "$tool" ] && return 0
  echo "$tool is missing: install Debian's package $package (apt-get install $package; npm test installs it)"
  return 1
}

need_node_modules() {
  [ -x "node_modules/.bin/$1" ] && return 0
  echo "node_modules/.bin/$1 is missing: run npm ci first"
  return 1
}

step_shellcheck() {
  need_debian_tool /usr/bin/shellcheck shellcheck || return 1
  local scripts
  mapfile -t scripts < <(shell_scripts)
  echo "${#scripts[@]} scripts"
  # -x follows the files they source (a `# shellcheck source=` line names the
  # repository's copy of one that is sourced from where it is installed).
  /usr/bin/shellcheck -x "${scripts[@]}"
}

step_pyflakes() {
  need_debian_tool /usr/bin/pyflakes3 pyflakes3 || return 1
  # Debian's python3 by path: a python3 earlier on PATH (pyenv) lacks Debian's modules.
  /usr/bin/python3 -m pyflakes system/hub test/python
}

step_format() {
  need_node_modules prettier || return 1
  # The cache (node_modules/.cache/prettier) skips the files unchanged since the last run.
  node_modules/.bin/prettier --check --log-level warn --cache --cache-strategy content .
}

step_typecheck() {
  need_node_modules tsc || return 1
  node_modules/.bin/tsc --noEmit -p tsconfig.json
}

step_lint() {
  need_node_modules eslint || return 1
  # The cache (node_modules/.cache/eslint) skips the files unchanged since the last run;
  # by content, so that a checkout touching every file does not void it.
  node_modules/.bin/eslint --max-warnings 0 --cache --cache-strategy content --cache-location node_modules/.cache/eslint/ .
}

step_unit() {
  need_node_modules tsx || return 1
  node --conditions=react-server --import tsx --test --test-concurrency=1 --test-reporter=spec test/unit/*.test.ts
}

steps=("$@")
[ "${#steps[@]}" -gt 0 ] || steps=("${ALL_STEPS[@]}")
for step in "${steps[@]}"; do
  case " ${ALL_STEPS[*]} " in
    *" $step "*) ;;
    *) echo "check.sh: unknown step $step (the steps: ${ALL_STEPS[*]})" >&2; exit 2 ;;
  esac
done

# Seconds since START (EPOCHREALTIME, bash 5), one decimal.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

failed=()
check_start=$EPOCHREALTIME
for step in "${steps[@]}"; do
  echo "==> check: $step"
  start=$EPOCHREALTIME
  if "step_$step" 2>&1; then
    echo "--> $step: ok ($(elapsed "$start") s)"
  else
    echo "--> $step: FAILED ($(elapsed "$start") s)"
    failed+=("$step")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "check: failed: ${failed[*]} (${#failed[@]} of ${#steps[@]} steps, $(elapsed "$check_start") s)"
  exit 1
fi
echo "check: all ${#steps[@]} steps passed ($(elapsed "$check_start") s)"
