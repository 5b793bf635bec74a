#!/usr/bin/env bash
# jupyterhub4family panel: the set-up command.
#
#   system/install.sh              install (or update) and start the whole appliance:
#                                  the family hub and the panel
#   system/install.sh --prepare    only Debian packages, npm dependencies and the build
#                                  (what the test command needs before its sandbox)
#
# Run as root on Debian 12 or 13. On Debian 13 it installs Node.js 20 and npm from
# Debian when they are missing; Debian 12's own Node.js is 18, so there it needs
# NodeSource's nodejs 20 first (it says so and changes nothing).
#
# The family hub: Debian's JupyterHub with our configuration, https on port 8000,
# set up when this machine has no hub. A jupyterhub4family 1.0 "seed" hub (account
# jupyterhub, crontab line, screen) is left as it is; the panel manages it.
#
# Idempotent: running it again updates the files, keeps data, configuration,
# certificates, the hub's database and the kids' data, and leaves exactly one hub
# and one panel running. The test sandbox runs this same script, so what the tests
# check is what a family installs.
set -euo pipefail
umask 022

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Names, say() and the steps shared with the Debian package's postinst:
# ensure_accounts, ensure_config, ensure_certificate.
# shellcheck source=system/lib/setup-common.sh
. "$REPO/system/lib/setup-common.sh"
# hub_kind, hub_packages, ensure_family_hub_files, start_family_hub: shared with postinst;
# install_hub_python (the .deb ships the package's files instead).
# shellcheck source=system/lib/family-hub.sh
. "$REPO/system/lib/family-hub.sh"
# ensure_update_settings: automatic security updates, shared with postinst.
# shellcheck source=system/lib/updates.sh
. "$REPO/system/lib/updates.sh"
# stage_app, shared with scripts/build-deb.sh.
# shellcheck source=system/lib/stage-app.sh
. "$REPO/system/lib/stage-app.sh"
BIN_DIR=/usr/local/bin
POLKIT_ACTIONS=/usr/share/polkit-1/actions
POLKIT_RULES=/etc/polkit-1/rules.d

# Debian packages the panel needs at run time and to build its native modules.
DEBIAN_PACKAGES=(
  ca-certificates curl openssl passwd login util-linux bsdutils procps
  dbus dbus-bin dbus-daemon polkitd pkexec libpam-modules libpam-runtime
  libpam0g-dev python3 make g++ python3-pip unattended-upgrades
)

die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root (sudo $0)"

MODE=install
case "${1:-}" in
  --prepare) MODE=prepare ;;
  '') ;;
  *) die "unknown option ${1}; see the comment at the top of this file" ;;
esac

NODEJS_HELP="Debian 12's own Node.js is 18; install Node.js 20 from NodeSource first:
    curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs
  then run $0 again. (Nothing was changed.)"

# Node.js 20 or newer: Debian 13 has it (nodejs 20.19 and npm 9.2) and gets it here
# when missing; on Debian 12 the set-up stops before changing anything.
ensure_node() {
  local node major
  node=$(command -v node || true)
  if [ -n "$node" ]; then
    major=$("$node" -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 20 ] || die "Node.js 20 or newer is needed, found $("$node" --version). $NODEJS_HELP"
  elif [ "$(debian_release)" -ge 13 ] 2>/dev/null; then
    say "Node.js: installing Debian's nodejs and npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  else
    die "Node.js 20 or newer is needed. $NODEJS_HELP"
  fi
  command -v npm >/dev/null || die "npm is missing (apt install npm, or NodeSource's nodejs includes it)"
  NODE=$(readlink -f "$(command -v node)")
}
ensure_node

install_debian_packages() {
  local missing=() pkg
  for pkg in "${DEBIAN_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "Debian packages: all present"
    return
  fi
  say "Debian packages: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A stamp of the inputs lets a second run skip `npm ci` and the build when
# nothing changed (the sandbox runs this script with no network).
tree_hash() {
  local existing=() path
  for path in "$@"; do [ -e "$REPO/$path" ] && existing+=("$path"); done
  (cd "$REPO" && find "${existing[@]}" -type f -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
}

install_npm_dependencies() {
  local want have
  want="$("$NODE" --version) $(sha256sum "$REPO/package-lock.json" | cut -c1-64)"
  have=$(cat "$REPO/node_modules/.jh4f-stamp" 2>/dev/null || true)
  if [ "$want" = "$have" ]; then
    say "npm dependencies: up to date"
    return
  fi
  say "npm dependencies: npm ci (native modules are built for $("$NODE" --version))"
  (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error)
  # npm 11 silently skips unapproved install scripts: check the native binaries exist.
  [ -f "$REPO/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] || die "better-sqlite3 was installed without its native module"
  [ -f "$REPO/node_modules/node-linux-pam/build/Release/node-linux-pam.node" ] || die "node-linux-pam was installed without its native module"
  echo "$want" > "$REPO/node_modules/.jh4f-stamp"
}

build_panel() {
  local want have
  want=$(tree_hash app lib server privileged-helper public instrumentation.ts scripts/build.mjs next.config.ts postcss.config.mjs tsconfig.json package-lock.json)
  have=$(cat "$REPO/dist/.jh4f-stamp" 2>/dev/null || true)
  if [ "$want" = "$have" ] && [ -f "$REPO/.next/BUILD_ID" ]; then
    say "build: up to date"
    return
  fi
  say "build: npm run build"
  (cd "$REPO" && npm run --silent build)
  echo "$want" > "$REPO/dist/.jh4f-stamp"
}

install_app() {
  say "panel: installing to $APP_DIR"
  local staging="$APP_DIR.new"
  rm -rf "$staging"
  mkdir -p "$staging"
  # The server, its build and only the production dependencies, built for this Node.js
  # (the same tree the Debian package ships; dist/ also holds .deb files: not copied).
  stage_app "$REPO" "$staging"
  chown -R root:root "$staging"
  chmod -R go-w "$staging"
  rm -rf "$APP_DIR.old"
  [ -d "$APP_DIR" ] && mv "$APP_DIR" "$APP_DIR.old"
  mv "$staging" "$APP_DIR"
  rm -rf "$APP_DIR.old"
}

install_system_files() {
  say "helper: $HELPER_DIR/helper (root:root 0755; a service for the panel, pkexec for a person at a terminal)"
  install -d -o root -g root -m 0755 "$HELPER_DIR"
  local tmp
  tmp=$(mktemp)
  { printf '#!%s\n' "$NODE"; cat "$REPO/dist/helper/helper.js"; } > "$tmp"
  install -o root -g root -m 0755 "$tmp" "$HELPER_DIR/helper"
  # Its unprivileged part, started by the helper as the hub account, the panel or a kid.
  { printf '#!%s\n' "$NODE"; cat "$REPO/dist/helper/agent.js"; } > "$tmp"
  install -o root -g root -m 0755 "$tmp" "$HELPER_DIR/helper-agent"
  rm -f "$tmp"

  say "family hub control (no systemd): $FAMILY_HUB_CTL"
  install -o root -g root -m 0755 "$REPO/system/bin/family-hub" "$FAMILY_HUB_CTL"

  say "terminal command: $BIN_DIR/jupyterhub-members"
  install -o root -g root -m 0755 "$REPO/system/bin/jupyterhub-members" "$BIN_DIR/jupyterhub-members"

  say "PAM service: /etc/pam.d/jupyterhub-panel"
  install -o root -g root -m 0644 "$REPO/system/pam/jupyterhub-panel" /etc/pam.d/jupyterhub-panel
  install -d -o root -g root -m 0755 "$CONF_DIR"
  install -o root -g root -m 0644 "$REPO/system/pam/access.conf" "$CONF_DIR/pam-access.conf"

  say "polkit: policy and rule"
  install -d -o root -g root -m 0755 "$POLKIT_ACTIONS" "$POLKIT_RULES"
  install -o root -g root -m 0644 "$REPO/system/polkit/org.jupyterhub4family.panel.policy" "$POLKIT_ACTIONS/"
  install -o root -g root -m 0644 "$REPO/system/polkit/50-jupyterhub-panel.rules" "$POLKIT_RULES/"
}

env_value() { sed -n "s/^$1=//p" "$CONF_DIR/panel.env" | tail -n 1; }

bus_answers() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId >/dev/null 2>&1
}

polkit_answers() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true'
}

# private_root_log NAME: ROOT_LOG_DIR/NAME, the log of a process the set-up starts
# as root, made root's alone (0600): what the helper and polkitd print names
# members and what was done to them, which is no kid's business. ROOT_LOG_DIR is
# root's own (ensure_root_dirs), so root may act on a name in it.
private_root_log() {
  local f="$ROOT_LOG_DIR/$1"
  [ -e "$f" ] || [ -L "$f" ] || install -o root -g root -m 0600 /dev/null "$f"
  [ -L "$f" ] || chmod 0600 -- "$f"
}

# Without systemd nothing starts the system bus and polkitd; pkexec needs both.
ensure_bus_and_polkit() {
  if ! bus_answers; then
    say "system D-Bus is not running (no systemd here): starting dbus-daemon --system"
    install -d -m 0755 /run/dbus
    rm -f /run/dbus/pid /run/dbus/system_bus_socket
    dbus-daemon --system --fork
    for _ in $(seq 50); do bus_answers && break; sleep 0.1; done
    bus_answers || die "dbus-daemon --system did not come up"
  fi
  if ! polkit_answers; then
    say "polkitd is not running (no systemd here): starting /usr/lib/polkit-1/polkitd"
    # Root's process, root's folders for its log and pid file.
    private_root_log polkitd.log
    setsid /usr/lib/polkit-1/polkitd --no-debug </dev/null >>"$ROOT_LOG_DIR/polkitd.log" 2>&1 &
    echo $! > "$ROOT_RUN_DIR/polkitd.pid"
    for _ in $(seq 100); do polkit_answers && break; sleep 0.1; done
    polkit_answers || die "polkitd did not come up; see $ROOT_LOG_DIR/polkitd.log"
  fi
}

# The same V8 flags as the unit's ExecStart (system/systemd/jupyterhub-panel.service).
PANEL_NODE_FLAGS=(--max-semi-space-size=2 --max-old-space-size=128)

stop_background_panel() {
  local pids pid
  pids=$(panel_pids)
  [ -n "$pids" ] || return 0
  say "panel: stopping the running panel (pid ${pids//$'\n'/ })"
  # shellcheck disable=SC2086 # $pids is a list of process ids, one argument each
  kill -TERM $pids 2>/dev/null || true
  for pid in $pids; do
    for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ ! -d "/proc/$pid" ] || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$ROOT_RUN_DIR/panel.pid"
}

start_background_panel() {
  stop_background_panel
  say "panel: starting in the background as $PANEL_USER (log $LOG_DIR/panel.log)"
  # A clean environment, the service account's groups (shadow for PAM), and no way
  # to gain privileges (it needs none: the helper is a service). The log is opened
  # by the panel account itself, after the drop: its log folder is its own, so root
  # must not open a name there.
  # shellcheck disable=SC2016 # the single quotes hold sh -c's script, which that sh expands
  setsid setpriv --reuid="$PANEL_USER" --regid="$PANEL_USER" --init-groups --no-new-privs \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$DATA_DIR" LANG=C.UTF-8 NODE_ENV=production \
    JH4F_APP_DIR="$APP_DIR" JH4F_LOG="$LOG_DIR/panel.log" \
    /bin/sh -c 'exec "$0" "$@" </dev/null >>"$JH4F_LOG" 2>&1' "$NODE" "${PANEL_NODE_FLAGS[@]}" "$APP_DIR/dist/server/server.js" &
  echo $! > "$ROOT_RUN_DIR/panel.pid"
}

start_systemd_panel() {
  say "panel: systemd units jupyterhub-panel.service, jupyterhub-panel-helper.socket (+ .service)"
  local unit
  for unit in jupyterhub-panel.service jupyterhub-panel-helper.socket jupyterhub-panel-helper.service; do
    sed "s|@NODE@|$NODE|g" "$REPO/system/systemd/$unit" > "/etc/systemd/system/$unit"
  done
  systemctl daemon-reload
  systemctl enable --now jupyterhub-panel-helper.socket >/dev/null
  # A running helper is the old version: the next connection starts the new one.
  systemctl stop jupyterhub-panel-helper.service
  systemctl enable jupyterhub-panel.service >/dev/null
  systemctl restart jupyterhub-panel.service
}

# Without systemd the set-up runs the root helper itself, as its socket unit would:
# `helper --serve` makes /run/jupyterhub4family/helper.sock (root:jupyterhub-panel 0660).
# Root's process, root's folders for its pid file and log.
helper_pid() {
  local pid
  pid=$(cat "$ROOT_RUN_DIR/helper.pid" 2>/dev/null || true)
  case "$pid" in ''|*[!0-9]*) return 0 ;; esac
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$HELPER_DIR/helper --serve" && echo "$pid"
  return 0
}

start_background_helper() {
  local pid
  pid=$(helper_pid)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ ! -d "/proc/$pid" ] || kill -KILL "$pid" 2>/dev/null || true
  fi
  say "helper: no systemd here, so the set-up runs it in the background ($HELPER_SOCKET; log $ROOT_LOG_DIR/helper.log)"
  private_root_log helper.log
  setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C "$HELPER_DIR/helper" --serve </dev/null >>"$ROOT_LOG_DIR/helper.log" 2>&1 &
  echo $! > "$ROOT_RUN_DIR/helper.pid"
  for _ in $(seq 50); do [ -S "$HELPER_SOCKET" ] && return 0; sleep 0.1; done
  die "the helper did not make its socket $HELPER_SOCKET; see $ROOT_LOG_DIR/helper.log"
}

wait_for_health() {
  local port="$1" i
  for i in $(seq 120); do
    if curl -fsS --max-time 2 --cacert "$CONF_DIR/tls/cert.pem" "https://127.0.0.1:$port/panel/api/health" 2>/dev/null | grep -q '"ok":true'; then
      return 0
    fi
    # Without systemd nothing restarts a panel that exited: stop waiting for it.
    if [ ! -d /run/systemd/system ] && [ "$i" -gt 4 ] && [ -z "$(panel_pids)" ]; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}

# Before anything changes: port 8000 must be free for a new family hub (or be held
# by the family hub already running here).
check_hub_port() {
  local kind="$1"
  [ "$kind" != seed ] || return 0
  port_in_use "$HUB_PORT" || return 0
  if [ "$kind" = family ] && { family_hub_running || { [ -x "$FAMILY_HUB_CTL" ] && "$FAMILY_HUB_CTL" holds-port; }; }; then
    return 0
  fi
  local who
  who=$(port_user "$HUB_PORT" || true)
  die "port $HUB_PORT is in use${who:+ by $who}; the family hub needs it. Stop that program (or move it to another port), then run me again. (Nothing was changed.)"
}

# The family hub: our Python package (the configuration imports it), our
# configuration and Debian's drop-in first, then Debian's packages (their postinst
# starts jupyterhub.service, already with our drop-in and configuration, never with
# Debian's defaults), then start or restart it.
set_up_family_hub() {
  install_hub_python "$REPO/system/hub/jupyterhub4family"
  ensure_family_hub_files "$REPO/system/hub"
  if [ -d /run/systemd/system ]; then
    install -D -o root -g root -m 0644 "$REPO/system/hub/jupyterhub.service.d.conf" \
      /etc/systemd/system/jupyterhub.service.d/jupyterhub4family.conf
    systemctl daemon-reload
  fi
  # shellcheck disable=SC2046
  install_debian_packages $(hub_packages)
  start_family_hub
  wait_for_hub || die "the family hub did not answer on https://127.0.0.1:$HUB_PORT/hub/health (see journalctl -u jupyterhub, or $ROOT_LOG_DIR/hub.log)"
}

main() {
  local kind=none
  if [ "$MODE" = install ]; then
    kind=$(hub_kind)
    check_hub_port "$kind"
  fi
  install_debian_packages
  install_npm_dependencies
  build_panel
  if [ "$MODE" = prepare ]; then
    # The test sandbox has no network: the hub's packages come now, with the rest.
    # shellcheck disable=SC2046
    install_debian_packages $(hub_packages)
    say "prepared: packages, npm dependencies and build are in place"
    return
  fi

  ensure_accounts
  ensure_config "$REPO/system/panel.env"
  install_app
  install_system_files
  ensure_update_settings "$REPO/system/apt"
  ensure_certificate
  [ -d /run/systemd/system ] || ensure_bus_and_polkit

  case "$kind" in
    seed) say "hub: a jupyterhub4family 1.0 hub runs here (account $HUB_ACCOUNT): left as it is; the panel manages it" ;;
    *) set_up_family_hub ;;
  esac

  local port
  port=$(env_value JH4F_PORT)
  port=${port:-8010}
  if [ -d /run/systemd/system ]; then
    start_systemd_panel
  else
    start_background_helper
    start_background_panel
  fi
  if ! wait_for_health "$port"; then
    as_panel tail -n 30 -- "$LOG_DIR/panel.log" >&2 || true
    die "the panel did not answer on https://127.0.0.1:$port/panel/api/health"
  fi
  local host
  host=$(hostname -f 2>/dev/null || hostname)
  echo
  if [ "$kind" != seed ]; then
    cat <<EOF
The family hub is running (kids log in with their own unix account):
    https://$host:$HUB_PORT/
    (certificate fingerprint: $(openssl x509 -in "$HUB_CERT" -noout -fingerprint -sha256 | cut -d= -f2))

EOF
  fi
  cat <<EOF
The jupyterhub4family panel is running:
    https://$host:$port/panel/
    (on this machine: https://localhost:$port/panel/ ; the certificate is self-signed,
     its fingerprint: $(openssl x509 -in "$CONF_DIR/tls/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2))

Parents log in with their own unix account. To let a parent in:
    adduser NAME $ADMIN_GROUP
EOF
}

main
