#!/usr/bin/env bash
# The test sandbox: runs a command (or, with --interactive, waits for you) inside a
# throwaway copy of this machine's accounts and services.
#
#   sudo test/sandbox/run.sh CMD [ARGS...]    run CMD inside, then tear down
#   sudo test/sandbox/run.sh --interactive    serve the panel, print URL and credentials
#
# Inside: a private mount and PID namespace with copy-on-write overlays over /etc,
# /home, /var and /usr and a fresh /run and /tmp, so the host's accounts, PAM, polkit
# files, services and temporary folder are never touched (a 1.0 seed hub's spawner
# makes its users' homes in /tmp); a private network namespace (only loopback), so the
# ports 8000/8010 never meet the host's; its own dbus-daemon --system and polkitd;
# fixture accounts; the family hub (Debian's JupyterHub, as root, https on 8000) and
# the panel, both installed and started by the real set-up command, system/install.sh
# (or, with JH4F_SANDBOX_HUB=seed, a jupyterhub4family 1.0 hub as `jupyterhub`).
# Every process started inside is ended by its id on the way out.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run.sh: the sandbox needs root (sudo)" >&2; exit 1; }

if [ "${JH4F_SANDBOX_INSIDE:-}" != 1 ]; then
  # Packages, npm dependencies and the build, out here where the registries are
  # reachable (quick when nothing changed); inside, the set-up finds them current.
  "$REPO/system/install.sh" --prepare | sed 's/^/[prepare] /'
  # Interactive use keeps the host's network so a browser on this machine can reach
  # the panel; tests get their own network namespace.
  net=--net
  [ "${1:-}" = --interactive ] && net=
  # Its own PID namespace too: the processes inside see only each other (a hub or
  # panel running on the host is not "the hub" here), and when the sandbox ends the
  # kernel ends whatever is left in it.
  exec env JH4F_SANDBOX_INSIDE=1 unshare --mount --propagation private --pid --fork --mount-proc $net -- bash "$0" "$@"
fi

say() { printf '[sandbox] %s\n' "$*"; }
STATE=$(mktemp -d /tmp/jh4f-sandbox.XXXXXX)
MY_NS=$(readlink /proc/self/ns/mnt)

# shellcheck disable=SC2317 # run by the EXIT trap; shellcheck 0.9 takes its body for unreachable
teardown() {
  local rc=$? pid pids=() i
  set +e
  # Every process whose mount namespace is ours (the panel, the hub and its proxy,
  # dbus-daemon, polkitd, screen, anything a test left) is ended by its pid.
  for i in 1 2 3; do
    pids=()
    for pid in /proc/[0-9]*; do
      pid=${pid#/proc/}
      [ "$pid" = $$ ] && continue
      [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$MY_NS" ] || continue
      # Skip our own ancestors-to-be (bash subshells of this trap).
      grep -q '^PPid:\s*'"$$"'$' "/proc/$pid/status" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = bash ] && continue
      pids+=("$pid")
    done
    [ "${#pids[@]}" -eq 0 ] && break
    [ "$i" = 1 ] && say "ending ${#pids[@]} processes by pid: ${pids[*]}"
    kill -TERM "${pids[@]}" 2>/dev/null
    sleep 1
    [ "$i" = 3 ] && kill -KILL "${pids[@]}" 2>/dev/null
  done
  # The services' own logs, for a failure that the tests' output does not explain.
  if [ -n "${JH4F_TEST_LOG_DIR:-}" ] && [ -d "$JH4F_TEST_LOG_DIR" ]; then
    # The panel's log is in the panel account's folder: read as that account.
    runuser -u jupyterhub-panel -- cat /var/log/jupyterhub-panel/panel.log \
      > "$JH4F_TEST_LOG_DIR/sandbox-${JH4F_SANDBOX_HUB:-family}-panel.log" 2>/dev/null
    for f in /var/log/jupyterhub4family/hub.log /var/log/jupyterhub4family/helper.log; do
      [ -f "$f" ] && cp "$f" "$JH4F_TEST_LOG_DIR/sandbox-${JH4F_SANDBOX_HUB:-family}-${f##*/}"
    done
  fi
  cd /
  umount -l /usr /var /home /etc /run /tmp 2>/dev/null
  umount -l "$STATE" 2>/dev/null
  rm -rf "$STATE" "$STATE.panel-cert.pem"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# --- throwaway file systems -------------------------------------------------
mount -t tmpfs -o mode=0700 jh4f-sandbox "$STATE"
for dir in etc home var usr; do
  mkdir -p "$STATE/upper/$dir" "$STATE/work/$dir"
  mount -t overlay "jh4f-$dir" -o "lowerdir=/$dir,upperdir=$STATE/upper/$dir,workdir=$STATE/work/$dir" "/$dir"
done
mount -t tmpfs -o mode=0755 jh4f-run /run
install -d -m 1777 /run/lock /run/screen
# A fresh /tmp for a test run: what the hub's and the tests' processes leave there (a
# seed hub's SimpleLocalProcessSpawner makes /tmp/USER homes) ends with the sandbox.
# The state folder and the repository (a clone may live in /tmp) are bound back at
# their paths through descriptors opened before: mount must not resolve the path
# again, it would find the new, empty /tmp. (--interactive keeps the host's /tmp,
# where the browser on this machine reads the panel's certificate copy.)
tmp_note=
if [ "${1:-}" != --interactive ]; then
  # The test command's log folder too (JH4F_TEST_LOG_DIR): teardown copies the
  # services' logs there.
  exec 7<"${JH4F_TEST_LOG_DIR:-/}" 8<"$STATE" 9<"$REPO"
  mount -t tmpfs -o mode=1777 jh4f-tmp /tmp
  for fd_path in "7:${JH4F_TEST_LOG_DIR:-/}" "8:$STATE" "9:$REPO"; do
    case "${fd_path#*:}" in
      /tmp/*) mkdir -p "${fd_path#*:}"; mount --no-canonicalize --bind "/proc/self/fd/${fd_path%%:*}" "${fd_path#*:}" ;;
    esac
  done
  exec 7<&- 8<&- 9<&-
  tmp_note=" /tmp"
fi
ip link set lo up 2>/dev/null || true
say "private mounts over /etc /home /var /usr /run$tmp_note (state in $STATE)"

# The README's order on a family machine is `system/install.sh`, then `npm test`: this
# machine may already have the appliance set up (a family hub's configuration, the
# panel's database, the hub's database). Each sandbox starts from the machine WITHOUT
# that state, as its kind promises ("a machine without a hub", "a 1.0 seed machine"):
# with /etc/jupyterhub4family still there, the set-up would take a seed machine for a
# family one and start a second hub next to the seed hub. Removed in the overlays only
# (every path is root's, below root-owned directories); the machine keeps all of it.
forget_installed_appliance() {
  local p removed=()
  for p in /etc/jupyterhub4family /etc/jupyterhub-panel /var/lib/jupyterhub-panel \
           /var/lib/jupyterhub4family /var/log/jupyterhub-panel /var/log/jupyterhub4family \
           /var/lib/jupyterhub/jupyterhub.sqlite /var/lib/jupyterhub/jupyterhub_cookie_secret; do
    [ -e "$p" ] || [ -L "$p" ] || continue
    rm -rf --one-file-system -- "$p"
    removed+=("$p")
  done
  [ "${#removed[@]}" -eq 0 ] || say "this machine has the appliance set up: its state hidden in the sandbox (${removed[*]})"
}
forget_installed_appliance

# --- the family machine --------------------------------------------------------
# JH4F_SANDBOX_HUB=family (default): a machine without a hub; the set-up command
# sets up the family hub. JH4F_SANDBOX_HUB=seed: a jupyterhub4family 1.0 machine
# (account jupyterhub, crontab line, screen), which the set-up leaves alone.
HUB_KIND=${JH4F_SANDBOX_HUB:-family}
# shellcheck source=test/sandbox/fixtures.sh
source "$REPO/test/sandbox/fixtures.sh"
case "$HUB_KIND" in
  family) make_groups; add_family_hub_test_token ;;
  seed) make_hub_account ;;
  *) echo "run.sh: JH4F_SANDBOX_HUB is family or seed, not $HUB_KIND" >&2; exit 2 ;;
esac
make_fixture_accounts

# --- the appliance, installed by the real set-up command ------------------------
say "running the set-up command: system/install.sh ($HUB_KIND machine)"
if ! "$REPO/system/install.sh" > "$STATE/install.log" 2>&1; then
  cat "$STATE/install.log" >&2
  exit 1
fi
sed 's/^/[set-up] /' "$STATE/install.log"

if [ "$HUB_KIND" = seed ]; then
  start_seed_hub
  HUB_CA=/home/jupyterhub/etc/cert.crt
  HUB_PID=$(cat "$STATE/hub.pid")
else
  HUB_CA=/etc/jupyterhub4family/tls/cert.pem
  HUB_PID=$(cat /run/jupyterhub4family/hub.pid)
fi

export JH4F_SANDBOX=1
export JH4F_SANDBOX_STATE="$STATE"
export JH4F_PANEL_URL=https://127.0.0.1:8010/panel
export JH4F_PANEL_CA=/etc/jupyterhub-panel/tls/cert.pem
export JH4F_HUB_URL=https://127.0.0.1:8000
export JH4F_HUB_CA="$HUB_CA"
export JH4F_SANDBOX_HUB="$HUB_KIND"
export JH4F_HUB_TOKEN="$HUB_SERVICE_TOKEN"
export JH4F_DB=/var/lib/jupyterhub-panel/panel.db

say "real services in this sandbox:"
say "  $(dbus-daemon --version | head -n 1), pid $(cat /run/dbus/pid)"
say "  polkitd $(dpkg-query -W -f='${Version}' polkitd), pid $(cat /run/jupyterhub4family/polkitd.pid)"
say "  PAM $(dpkg-query -W -f='${Version}' libpam-modules), service /etc/pam.d/jupyterhub-panel"
say "  JupyterHub $(/usr/bin/python3 /usr/bin/jupyterhub --version), pid $HUB_PID ($HUB_KIND hub), https://127.0.0.1:8000"
say "  panel pid $(cat /run/jupyterhub4family/panel.pid) as $(ps -o user= -p "$(cat /run/jupyterhub4family/panel.pid)"), $JH4F_PANEL_URL"

if [ "${1:-}" = --interactive ]; then
  cp /etc/jupyterhub-panel/tls/cert.pem "$STATE.panel-cert.pem"
  cat <<EOF

  The panel runs at  $JH4F_PANEL_URL/
  (certificate: $STATE.panel-cert.pem; your browser will warn, it is self-signed)
  The hub runs at    $JH4F_HUB_URL/hub/

  Parents (may log into the panel):  $(fixture_credentials parents)
  Kids (in group jupyterhub):        $(fixture_credentials kids)
  Others:                            $(fixture_credentials others)

  Nothing here touches this machine's accounts. Press Enter (or Ctrl-C) to end the sandbox.
EOF
  read -r _ || true
  exit 0
fi

[ "$#" -gt 0 ] || { echo "usage: run.sh --interactive | CMD [ARGS...]" >&2; exit 2; }
set +e
"$@"
rc=$?
set -e
exit "$rc"
