#!/usr/bin/env bash
# Runs one step of the Debian 13 set-up test inside a fresh Debian root file system
# ROOT, in private mount, UTS and pid namespaces (test/fresh-root/namespace.sh).
# Called by test/debian13/fresh-debian13.test.ts.
#
#   in-root.sh ROOT prepare          what the family has before our first command:
#                                    the host's extra CA certificates (the npm registry
#                                    is reached through them), `apt install git`
#                                    (through the test's proxy, see below)
#   in-root.sh ROOT clone BUNDLE     git clone of BUNDLE (the committed HEAD) into /root
#   in-root.sh ROOT setup            the README's set-up command, system/install.sh, run
#                                    as root from the clone (the Debian mirror and the npm
#                                    registry through the test's proxy); then asks
#                                    https://HOST:8000/ and https://HOST:8010/panel/ by the
#                                    machine's name; then stops what it started
#   in-root.sh ROOT story            a private network (loopback only): the set-up command
#                                    again (as after an update: nothing to download), then
#                                    the kid's story, test/debian13/kid-story.test.ts, run
#                                    from the clone with the root's own node
#
# Every step runs in its own network namespace: the machine's family hub (8000) and
# panel (8010) never meet the host's ports, which may be held by the host's own
# appliance or, in test/debian13/full-npm-test.sh, by the outer machine's. The steps
# that download (prepare, setup) reach the mirror and the registry through the HTTP
# proxy the suite runs in the host's network on the unix socket JH4F_NET_PROXY
# (test/fresh-root/net-proxy.ts; net_proxy_bridge in test/fresh-root/namespace.sh).
#
# Caches (optional, for reruns): JH4F_APT_ARCHIVES (apt's .debs) and JH4F_NPM_CACHE
# (root's ~/.npm) are bind-mounted for the steps that download. Every process the
# steps start is ended by its pid, everything mounted is unmounted by path.
set -euo pipefail

# enter_namespaces, mount_root_basics, mnt, in_root, end_namespace_processes.
# shellcheck source=test/fresh-root/namespace.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fresh-root/namespace.sh"

STEP=$2
enter_namespaces private "${BASH_SOURCE[0]}" "$@"
mount_root_basics "$1"
shift 2
# Whatever the set-up started (D-Bus, polkitd, the helper, the hub and its proxy, the
# panel, a kid's server) ends before the mounts go.
trap 'end_namespace_processes; cleanup_root' EXIT

CLONE=/root/jupyterhub4family

download_caches() {
  if [ -n "${JH4F_APT_ARCHIVES:-}" ]; then
    mkdir -p "$JH4F_APT_ARCHIVES/partial"
    mnt /var/cache/apt/archives --bind "$JH4F_APT_ARCHIVES"
  fi
  if [ -n "${JH4F_NPM_CACHE:-}" ]; then
    mkdir -p "$JH4F_NPM_CACHE"
    mnt /root/.npm --bind "$JH4F_NPM_CACHE"
  fi
}

# Each line of a command's output with the seconds since the step began, so the
# set-up's own steps (==> lines) show what took how long.
stamped() {
  local start=${EPOCHREALTIME/./} line tenths
  "$@" 2>&1 | while IFS= read -r line; do
    tenths=$(( (${EPOCHREALTIME/./} - start) / 100000 ))
    printf '[%4d.%d s] %s\n' $((tenths / 10)) $((tenths % 10)) "$line"
  done
  return "${PIPESTATUS[0]}"
}

# An https answer's status code and where it ended, redirects followed as a browser
# does, checked against the certificate the set-up made.
https_status() { # https_status CA URL
  in_root curl -sS -L -o /dev/null -w '%{http_code} %{url_effective}' --max-time 10 --cacert "$1" "$2" 2>&1 || true
}

case "$STEP" in
  prepare)
    # The host reaches the npm registry through a proxy that has its own CA: a
    # machine there trusts it as the host does.
    mkdir -p "$R/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/" 2>/dev/null || true
    download_caches
    net_proxy_bridge "${JH4F_NET_PROXY:?the proxy socket of the suite}"
    in_root "${PROXY_ENV[@]}" apt-get update -q
    # A family's `apt install git` (with Debian's recommends: ca-certificates, ...).
    in_root "${PROXY_ENV[@]}" apt-get install -y -q git
    in_root update-ca-certificates
    ;;

  clone)
    cp "$1" "$R/tmp/jupyterhub4family.bundle"
    in_root git clone -q /tmp/jupyterhub4family.bundle "$CLONE"
    echo "@@HEAD $(in_root git -C "$CLONE" rev-parse HEAD)"
    echo "@@STATUS $(in_root git -C "$CLONE" status --porcelain | wc -l)"
    ;;

  setup)
    download_caches
    net_proxy_bridge "${JH4F_NET_PROXY:?the proxy socket of the suite}"
    echo "--- system/install.sh (the README's set-up command, as root in $CLONE)"
    rc=0
    # A root shell as `su -` gives one: a clean environment, root's home (and the
    # proxy's address, as a machine behind a proxy has it).
    stamped chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM=dumb SHELL=/bin/bash USER=root LOGNAME=root "${PROXY_ENV[@]}" \
      /bin/bash -c "cd $CLONE && system/install.sh" </dev/null || rc=$?
    echo "@@SETUP_RC $rc"
    host=$(hostname)
    echo "@@HOST $host"
    echo "@@HUB_ROOT $(https_status /etc/jupyterhub4family/tls/cert.pem "https://$host:8000/")"
    echo "@@HUB_API $(in_root curl -sS --max-time 10 --cacert /etc/jupyterhub4family/tls/cert.pem "https://$host:8000/hub/api" 2>&1 || echo none)"
    echo "@@PANEL_PAGE $(https_status /etc/jupyterhub-panel/tls/cert.pem "https://$host:8010/panel/")"
    echo "@@PANEL_HEALTH $(in_root curl -sS --max-time 10 --cacert /etc/jupyterhub-panel/tls/cert.pem "https://$host:8010/panel/api/health" 2>&1 || echo none)"
    # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
    echo "@@VERSIONS $(in_root dpkg-query -W -f='${Package}=${Version} ' nodejs npm jupyterhub jupyterlab python3-ipykernel node-configurable-http-proxy)"
    # Stop the hub as its control script does (it ends its proxy too and keeps its
    # database consistent); the EXIT trap ends the rest.
    in_root /usr/libexec/jupyterhub-panel/family-hub stop || true
    [ "$rc" = 0 ]
    ;;

  story)
    ip link set lo up
    echo "--- system/install.sh again, with no network (nothing to download)"
    rc=0
    stamped chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM=dumb SHELL=/bin/bash USER=root LOGNAME=root \
      /bin/bash -c "cd $CLONE && system/install.sh" </dev/null || rc=$?
    echo "@@RERUN_RC $rc"
    [ "$rc" = 0 ]
    echo "--- the kid's story (test/debian13/kid-story.test.ts, node $(in_root node --version) of the root)"
    rc=0
    chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      JH4F_D13_HOST="$(hostname)" JH4F_D13_HUB_TOKEN="${JH4F_D13_HUB_TOKEN:?}" \
      /bin/bash -c "cd $CLONE && exec node --conditions=react-server --import tsx --test --test-reporter=spec --test-timeout=600000 test/debian13/kid-story.test.ts" </dev/null || rc=$?
    echo "@@STORY_RC $rc"
    in_root /usr/libexec/jupyterhub-panel/family-hub stop || true
    [ "$rc" = 0 ]
    ;;

  *)
    echo "in-root.sh: unknown step $STEP" >&2
    exit 2
    ;;
esac
