# shellcheck shell=bash
# jupyterhub4family: the family hub's set-up steps, shared by the set-up command
# (system/install.sh) and the Debian package's postinst. Sourced after
# setup-common.sh, not run. Runs as root; every step is idempotent and keeps the
# hub's database (/var/lib/jupyterhub), its certificate and token, and the kids' data.
#
# Installed by the Debian package as /usr/share/jupyterhub-panel/family-hub.sh.

HUB_ETC=/etc/jupyterhub4family
HUB_CONFIG=$HUB_ETC/jupyterhub_config.py
HUB_CERT=$HUB_ETC/tls/cert.pem
HUB_TOKEN_FILE=$CONF_DIR/hub-token
HUB_PORT=8000
HUB_ACCOUNT=jupyterhub
FAMILY_HUB_CTL=$HELPER_DIR/family-hub
HUB_STAMP=$ROOT_STATE_DIR/hub-config.sha256
# The hub's state: its database (users, their tokens, the panel's service) and its
# cookie secret. Debian's WorkingDirectory for jupyterhub.service, made by Debian's
# package (0755); kept root:root 0700 here, so no other account reads the database.
HUB_STATE=/var/lib/jupyterhub
# Our Python package for the hub (jupyterhub4family: the authenticator, the pre-spawn
# hook, the hours rule), outside Python's own folders; the configuration puts this
# folder first on sys.path. The set-up command installs it (install_hub_python); the
# .deb ships it there as its own files (scripts/build-deb.sh), so dpkg removes it.
HUB_PYTHON=/usr/lib/jupyterhub4family/python

# Debian's release number (12, 13, ...), from /etc/os-release.
debian_release() {
  # The machine's file, not the repository's: nothing for shellcheck to follow.
  # shellcheck source=/dev/null
  (. /etc/os-release && echo "${VERSION_ID%%.*}")
}

# Debian's packages that make the family hub. The kid's server comes from them, so
# a first spawn installs nothing: JupyterLab on Debian 13, the classic Notebook on 12.
hub_packages() {
  case "$(debian_release)" in
    12) echo jupyterhub node-configurable-http-proxy jupyter-notebook python3-ipykernel ;;
    *) echo jupyterhub node-configurable-http-proxy jupyterlab python3-ipykernel ;;
  esac
}

# hub_kind: "family" (our configuration is there), "seed" (a jupyterhub4family 1.0
# hub: the account jupyterhub with its crontab line and screen session; we never put
# a second hub next to it) or "none".
hub_kind() {
  if [ -f "$HUB_CONFIG" ]; then
    echo family
  elif getent passwd "$HUB_ACCOUNT" >/dev/null; then
    echo seed
  else
    echo none
  fi
}

# port_listeners PORT: whether anything listens on TCP PORT (from /proc, no tools needed).
port_in_use() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Who listens on PORT, for the error message (ss may be missing: then just the port).
port_user() {
  command -v ss >/dev/null && ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1
}

# Is the family hub running now (its unit, or the background one)?
family_hub_running() {
  if [ -d /run/systemd/system ]; then
    systemctl is-active --quiet jupyterhub.service
  else
    [ -x "$FAMILY_HUB_CTL" ] && "$FAMILY_HUB_CTL" status >/dev/null 2>&1
  fi
}

# The panel's service token for the hub: 32 random bytes in hex, made once, kept.
# root:jupyterhub-panel 0640 in /etc/jupyterhub-panel (root's folder).
ensure_hub_token() {
  if grep -qxE '[0-9a-f]{64}' "$HUB_TOKEN_FILE" 2>/dev/null; then
    return
  fi
  say "hub: making the panel's service token ($HUB_TOKEN_FILE)"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HUB_TOKEN_FILE.new"
  echo >> "$HUB_TOKEN_FILE.new"
  chown root:"$PANEL_USER" "$HUB_TOKEN_FILE.new"
  chmod 0640 "$HUB_TOKEN_FILE.new"
  mv -f "$HUB_TOKEN_FILE.new" "$HUB_TOKEN_FILE"
}

HOSTS_MARK='# jupyterhub4family: this machine resolves its own name (JupyterHub checks its proxy by it)'

# JupyterHub checks that its proxy came up by connecting to this machine's own host
# name; a machine whose name does not resolve (a fresh debootstrap, some
# containers) gets the line Debian's installer would have written.
ensure_own_name_resolves() {
  local host fqdn
  host=$(hostname)
  getent hosts "$host" >/dev/null && return 0
  fqdn=$(hostname -f 2>/dev/null || echo "$host")
  say "hosts: $host does not resolve; adding 127.0.1.1 for it to /etc/hosts"
  printf '%s\n127.0.1.1\t%s\n' "$HOSTS_MARK" "$( [ "$fqdn" != "$host" ] && echo "$fqdn $host" || echo "$host")" >> /etc/hosts
}

# ensure_hub_state_private: HUB_STATE root:root 0700 and every file in it closed to
# others (the database 0600; the hub's umask 077 keeps new ones so). Made 0700 when
# missing (Debian's package then leaves the existing folder as it is). Root changes
# modes there only when no other account controls the folder: a folder that is not
# root's, or that its group or others may write (or a link), is left untouched and
# one line says so, since a name in it could be anyone's link.
ensure_hub_state_private() {
  local dir="$HUB_STATE"
  if [ ! -e "$dir" ] && [ ! -L "$dir" ]; then
    install -d -o root -g root -m 0700 "$dir"
    return 0
  fi
  if [ -L "$dir" ] || [ ! -d "$dir" ] || [ "$(stat -c %u "$dir")" != 0 ] || [ $((0$(stat -c %a "$dir") & 022)) != 0 ]; then
    printf '==> hub: %s is not a root-owned folder closed to others (%s): left as it is, the hub database not made private; make it root:root 0700, then run me again\n' \
      "$dir" "$(stat -c '%U:%G %A' "$dir")" >&2
    return 0
  fi
  chown root:root "$dir"
  chmod 0700 "$dir"
  # Regular files only (chmod would follow a link); only root can add a name here.
  find "$dir" -mindepth 1 -maxdepth 1 -type f -perm /077 -exec chmod go= {} +
}

# ensure_family_hub_files SRC: the hub's private state folder, its certificate, the
# panel's token and our configuration (from SRC: jupyterhub_config.py and
# panel-service.json). The configuration goes last: its presence is what makes
# this machine's hub the family hub (and lets jupyterhub.service start, see our
# drop-in).
ensure_family_hub_files() {
  local src="$1"
  ensure_own_name_resolves
  ensure_hub_state_private
  install -d -o root -g root -m 0755 "$HUB_ETC" "$HUB_ETC/tls"
  make_certificate "$HUB_ETC/tls" root 0600 "jupyterhub4family hub"
  ensure_hub_token
  install -o root -g root -m 0644 "$src/panel-service.json" "$HUB_ETC/panel-service.json"
  install -o root -g root -m 0644 "$src/jupyterhub_config.py" "$HUB_CONFIG"
  say "hub: configuration $HUB_CONFIG (your own changes: $HUB_ETC/local_config.py)"
}

# install_hub_python SRC: the package folder SRC (system/hub/jupyterhub4family) as
# $HUB_PYTHON/jupyterhub4family, root:root 0755 folders and 0644 files, replaced as
# a whole (a module the tree no longer has does not stay behind). A running hub has
# imported its modules already: it sees the new ones at its restart.
install_hub_python() {
  local src="$1" dest="$HUB_PYTHON/jupyterhub4family"
  install -d -o root -g root -m 0755 "${HUB_PYTHON%/*}" "$HUB_PYTHON"
  rm -rf -- "$dest.new"
  install -d -o root -g root -m 0755 "$dest.new"
  install -o root -g root -m 0644 "$src"/*.py "$dest.new/"
  rm -rf -- "$dest"
  mv -- "$dest.new" "$dest"
}

# What the running hub was started with; a change means a restart.
hub_inputs_hash() {
  local f
  for f in "$HUB_CONFIG" "$HUB_PYTHON"/jupyterhub4family/*.py "$HUB_ETC/panel-service.json" "$HUB_TOKEN_FILE" "$HUB_CERT" "$HUB_ETC/local_config.py" \
    /etc/systemd/system/jupyterhub.service.d/jupyterhub4family.conf \
    /usr/lib/systemd/system/jupyterhub.service.d/jupyterhub4family.conf; do
    if [ -f "$f" ]; then sha256sum "$f"; fi
  done | sha256sum | cut -c1-64
}

# Start the family hub, or restart it when its configuration changed; a running hub
# with the same configuration is left alone (kids' servers keep running).
start_family_hub() {
  local want have
  want=$(hub_inputs_hash)
  have=$(cat "$HUB_STAMP" 2>/dev/null || true)
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable jupyterhub.service >/dev/null 2>&1 || true
    if [ "$want" != "$have" ] || ! systemctl is-active --quiet jupyterhub.service; then
      say "hub: (re)starting jupyterhub.service"
      systemctl restart jupyterhub.service
    else
      say "hub: jupyterhub.service is running with this configuration"
    fi
  else
    say "hub: no systemd here, so the hub runs in the background ($FAMILY_HUB_CTL; log $ROOT_LOG_DIR/hub.log)"
    if [ "$want" != "$have" ]; then "$FAMILY_HUB_CTL" restart; else "$FAMILY_HUB_CTL" start; fi
  fi
  echo "$want" > "$HUB_STAMP"
}

# Wait until the hub answers https://127.0.0.1:8000/hub/health with its certificate.
wait_for_hub() {
  for _ in $(seq 120); do
    curl -fsS --max-time 2 --cacert "$HUB_CERT" "https://127.0.0.1:$HUB_PORT/hub/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
