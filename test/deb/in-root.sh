#!/usr/bin/env bash
# Runs one step of the fresh-machine test inside a Debian root file system ROOT,
# in private mount, pid and network namespaces. Called by
# test/deb/fresh-machine.test.ts (and test/systemd for apt). The steps that
# download (install, apt) reach Debian's mirror only through the suite's proxy
# (JH4F_NET_PROXY, test/fresh-root/net-proxy.ts): never the host's network, where
# port 8000 may be held (the host's own hub; the outer machine of
# test/debian13/full-npm-test.sh) and postinst then rightly refuses the family hub.
#
#   in-root.sh ROOT install DEB [--reinstall|--download-only]   apt install ./DEB (Debian's own dependencies)
#   in-root.sh ROOT apt PACKAGE...  apt install Debian packages (test/systemd's root)
#   in-root.sh ROOT verify-unit     systemd-analyze verify / security of the installed unit
#   in-root.sh ROOT serve PORT      start D-Bus, polkitd and the panel the way the unit
#                                   runs it; check health over HTTPS and the helper over its socket;
#                                   start the family hub (family-hub start) and ask its API
#   in-root.sh ROOT purge           apt purge the package
#
# Everything mounted lives in the private mount namespace and is unmounted by path
# at the end; every process started is ended by its pid (the pid namespace ends
# anything left). Nothing outside ROOT is written.
set -euo pipefail

# enter_namespaces, mount_root_basics, mnt, in_root: shared with test/debian13.
# shellcheck source=test/fresh-root/namespace.sh
. "$(dirname "${BASH_SOURCE[0]}")/../fresh-root/namespace.sh"

STEP=$2
PACKAGE=jupyterhub4family-panel
enter_namespaces private "${BASH_SOURCE[0]}" "$@"
mount_root_basics "$1"
shift 2

case "$STEP" in
  install)
    deb=$1
    cp "$deb" "$R/tmp/"
    if [ -n "${JH4F_APT_ARCHIVES:-}" ]; then # a cache of downloaded .debs (reruns)
      mkdir -p "$JH4F_APT_ARCHIVES/partial"
      mnt /var/cache/apt/archives --bind "$JH4F_APT_ARCHIVES"
    fi
    net_proxy_bridge "${JH4F_NET_PROXY:?the proxy socket of the suite}"
    in_root "${PROXY_ENV[@]}" apt-get update -q
    # A second run with --reinstall goes through prerm upgrade / postinst configure OLD, as an upgrade does.
    in_root "${PROXY_ENV[@]}" apt-get install -y -q --no-install-recommends ${2:+"$2"} "/tmp/$(basename "$deb")"
    ;;

  apt)
    if [ -n "${JH4F_APT_ARCHIVES:-}" ]; then
      mkdir -p "$JH4F_APT_ARCHIVES/partial"
      mnt /var/cache/apt/archives --bind "$JH4F_APT_ARCHIVES"
    fi
    net_proxy_bridge "${JH4F_NET_PROXY:?the proxy socket of the suite}"
    in_root "${PROXY_ENV[@]}" apt-get update -q
    in_root "${PROXY_ENV[@]}" apt-get install -y -q --no-install-recommends "$@"
    ;;

  verify-unit)
    units=(/usr/lib/systemd/system/jupyterhub-panel.service /usr/lib/systemd/system/jupyterhub-panel-helper.socket
      /usr/lib/systemd/system/jupyterhub-panel-helper.service)
    echo "--- systemd-analyze verify ${units[*]} ($(in_root systemd-analyze --version | head -n 1))"
    rc=0
    in_root systemd-analyze verify "${units[@]}" 2>&1 || rc=$?
    echo "@@VERIFY_RC $rc"
    for unit in "${units[0]}" "${units[2]}"; do
      echo "--- systemd-analyze security --offline=true $unit"
      in_root systemd-analyze security --offline=true --no-pager "$unit" 2>&1 | tail -n 45 || true
    done
    ;;

  serve)
    port=$1
    ip link set lo up # loopback only: the panel, the helper and the hub talk to each other
    unitfile="$R/usr/lib/systemd/system/jupyterhub-panel.service"
    key() { sed -n "s/^$1=//p" "$unitfile"; }
    user=$(key User); group=$(key Group); supp=$(key SupplementaryGroups)
    exec_start=$(key ExecStart)
    read -r -a unit_env <<< "$(key Environment)"
    envfile=$(key EnvironmentFile); envfile=${envfile#-}
    mapfile -t file_env < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$R$envfile" || true)
    read -r -a cmd <<< "$exec_start"

    # The system bus and polkitd, as systemd would start them.
    mkdir -p "$R/run/dbus"
    in_root dbus-daemon --system --fork --print-pid > "$R/run/dbus/started.pid"
    PIDS+=("$(cat "$R/run/dbus/started.pid")")
    for _ in $(seq 50); do
      in_root dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId >/dev/null 2>&1 && break
      sleep 0.1
    done
    in_root /usr/lib/polkit-1/polkitd --no-debug </dev/null >"$R/run/polkitd.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 100); do
      in_root dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true' && break
      sleep 0.1
    done

    # The root helper, as its socket unit would start it (no systemd in a chroot:
    # what the set-up command does there too).
    in_root /usr/libexec/jupyterhub-panel/helper --serve </dev/null >"$R/run/helper.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 50); do [ -S "$R/run/jupyterhub4family/helper.sock" ] && break; sleep 0.1; done

    # The panel: the unit's User=, Group=, SupplementaryGroups=, NoNewPrivileges=, Environment=,
    # EnvironmentFile= and ExecStart=, with the environment systemd gives a service.
    echo "--- starting as the unit does: ${cmd[*]} (user $user, groups $group,$supp)"
    home=$(chroot "$R" getent passwd "$user" | cut -d: -f6)
    nnp=(); [ "$(key NoNewPrivileges)" = yes ] && nnp=(--no-new-privs)
    chroot "$R" /usr/bin/setpriv --reuid="$user" --regid="$group" --groups="$supp" "${nnp[@]}" \
      /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin HOME="$home" USER="$user" LOGNAME="$user" \
      SHELL=/usr/sbin/nologin "${unit_env[@]}" "${file_env[@]}" "${cmd[@]}" \
      </dev/null >>"$R/var/log/jupyterhub-panel/panel.log" 2>&1 &
    panel=$!
    PIDS+=("$panel")
    body=
    for _ in $(seq 120); do
      body=$(in_root curl -sS --max-time 2 --cacert /etc/jupyterhub-panel/tls/cert.pem \
        "https://127.0.0.1:$port/panel/api/health" 2>/dev/null) && break
      [ -d "/proc/$panel" ] || break
      sleep 0.5
    done
    echo "@@HEALTH ${body:-none}"
    echo "@@PANEL_USER $(in_root ps -o user= -p "$panel" 2>/dev/null || echo gone)"
    echo "@@NNP $(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$panel/status" 2>/dev/null || echo gone)"
    # The same certificate check a browser does, by name: localhost is in the SAN.
    if in_root curl -sS -o /dev/null --max-time 5 --cacert /etc/jupyterhub-panel/tls/cert.pem \
      "https://localhost:$port/panel/api/health"; then echo "@@TLS_BY_NAME ok"; else echo "@@TLS_BY_NAME failed"; fi
    # The panel account reaches the helper over its socket, as the panel does.
    client='const s=require("net").connect(process.argv[1]);let o="";s.on("connect",()=>s.write(JSON.stringify({argv:["list-members"]})+"\n"));s.on("data",d=>o+=d);s.on("error",e=>{console.log(JSON.stringify({connectError:e.code}));process.exit(9)});s.on("close",()=>{const l=o.trim().split("\n").pop();console.log(l);process.exit(JSON.parse(l).exitCode)})'
    out=$(chroot "$R" /usr/bin/setpriv --reuid="$user" --regid="$group" --groups="$supp" \
      /usr/bin/env -i PATH=/usr/sbin:/usr/bin LANG=C.UTF-8 /usr/bin/node -e "$client" /run/jupyterhub4family/helper.sock 2>&1) && rc=0 || rc=$?
    echo "@@HELPER $rc $(printf '%s\n' "$out" | tail -n 1)"
    # The family hub, as postinst leaves it where no systemd runs: started by hand
    # with the package's control script (what its message says).
    in_root /usr/libexec/jupyterhub-panel/family-hub start >"$R/run/family-hub.out" 2>&1 && hub_rc=0 || hub_rc=$?
    hub=$(in_root curl -sS --max-time 5 --cacert /etc/jupyterhub4family/tls/cert.pem https://127.0.0.1:8000/hub/api 2>&1) || true
    echo "@@HUB $hub_rc ${hub:-none}"
    sed 's/^/  family-hub: /' "$R/run/family-hub.out"
    echo "--- panel log"
    tail -n 20 "$R/var/log/jupyterhub-panel/panel.log" || true
    ;;

  purge)
    in_root apt-get purge -y -q "$PACKAGE"
    ;;

  *)
    echo "in-root.sh: unknown step $STEP" >&2
    exit 2
    ;;
esac
