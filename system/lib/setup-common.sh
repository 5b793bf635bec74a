# shellcheck shell=bash
# jupyterhub4family panel: set-up steps shared by the set-up command
# (system/install.sh) and the Debian package's maintainer script (postinst).
# Sourced, not run. Needs bash, runs as root; every step is idempotent and keeps
# what is already there (accounts, configuration, a valid certificate, data).
#
# Installed by the Debian package as /usr/share/jupyterhub-panel/setup-common.sh.

PANEL_USER=jupyterhub-panel
ACCESS_GROUP=jupyterhub
ADMIN_GROUP=jupyterhub_adm
APP_DIR=/usr/lib/jupyterhub-panel
# shellcheck disable=SC2034 # for the scripts that source this file
HELPER_DIR=/usr/libexec/jupyterhub-panel
CONF_DIR=/etc/jupyterhub-panel
# Owned by the panel account: root never creates, opens, chmods or truncates a
# path inside these (a name there may be a symlink the panel account planted).
DATA_DIR=/var/lib/jupyterhub-panel
LOG_DIR=/var/log/jupyterhub-panel
# Root's own folders (root:root 0755): pid files and logs of the processes the
# set-up starts as root without systemd, and root's markers. Nobody else can
# write in them, so root may create files there.
ROOT_RUN_DIR=/run/jupyterhub4family
ROOT_LOG_DIR=/var/log/jupyterhub4family
ROOT_STATE_DIR=/var/lib/jupyterhub4family
# The root helper's socket (the panel's only way to it): root:jupyterhub-panel 0660.
# shellcheck disable=SC2034 # for the scripts that source this file
HELPER_SOCKET=$ROOT_RUN_DIR/helper.sock

say() { printf '==> %s\n' "$*"; }

# The groups jupyterhub (hub access) and jupyterhub_adm (parents), and the panel's
# system account, in group shadow so PAM can check parents' passwords.
ensure_accounts() {
  local group
  for group in "$ACCESS_GROUP" "$ADMIN_GROUP"; do
    if ! getent group "$group" >/dev/null; then
      say "group $group: creating"
      groupadd -- "$group"
    fi
  done
  if ! getent passwd "$PANEL_USER" >/dev/null; then
    say "account $PANEL_USER: creating (system account, no login shell)"
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "jupyterhub4family panel" -- "$PANEL_USER"
  fi
  # PAM's pam_unix can check other users' passwords only for members of shadow.
  if ! id -nG "$PANEL_USER" | tr ' ' '\n' | grep -qx shadow; then
    say "account $PANEL_USER: adding to group shadow (needed to check parents' passwords)"
    usermod --append --groups shadow -- "$PANEL_USER"
  fi
}

# ensure_config TEMPLATE: panel.env from TEMPLATE when missing (never overwritten),
# the panel's data and log directories, and root's own directories.
ensure_config() {
  local template="$1"
  install -d -o root -g root -m 0755 "$CONF_DIR"
  install -d -o root -g "$PANEL_USER" -m 0750 "$CONF_DIR/tls"
  if [ ! -f "$CONF_DIR/panel.env" ]; then
    say "configuration: $CONF_DIR/panel.env (defaults)"
    install -o root -g "$PANEL_USER" -m 0640 "$template" "$CONF_DIR/panel.env"
  fi
  # install -d acts on the directory itself (its parent, /var/lib or /var/log, is
  # root's), never on what the panel account put inside it.
  install -d -o "$PANEL_USER" -g "$PANEL_USER" -m 0750 "$DATA_DIR" "$LOG_DIR"
  tidy_panel_folders
  ensure_root_dirs
}

# tidy_panel_folders: the panel's own folders hold only what the panel account made
# there. A name in them that is a link, or a file or folder of someone else's (or a
# FIFO, a socket), is what a confused or compromised panel account leaves: the panel
# could not open its log or its database through it and would not start. Root
# follows nothing there, so the panel account itself renames each such entry to
# NAME.moved-aside-STAMP (kept for a look; nothing is deleted) and the set-up says
# so, one line each. The folders' top level only: the panel makes no subfolders.
tidy_panel_folders() {
  local moved line
  # shellcheck disable=SC2016 # the single quotes hold bash -c's script, which that bash expands
  moved=$(as_panel /bin/bash -c '
    stamp=$(date +%Y%m%d-%H%M%S)
    shopt -s nullglob dotglob
    for dir in "$@"; do
      for f in "$dir"/*; do
        case "$f" in *.moved-aside-*) continue ;; esac
        # Version 0.1.0 root wrote this list here: the postinst reads it (as the panel) and removes it.
        [ "${f##*/}" = .created-groups ] && [ -f "$f" ] && [ ! -L "$f" ] && continue
        if [ -L "$f" ] || [ ! -O "$f" ] || { [ ! -f "$f" ] && [ ! -d "$f" ]; }; then
          mv -T -- "$f" "$f.moved-aside-$stamp" && printf "%s\n" "$f.moved-aside-$stamp"
        fi
      done
    done' tidy "$DATA_DIR" "$LOG_DIR") || true
  while IFS= read -r line; do
    [ -n "$line" ] && say "panel files: ${line%.moved-aside-*} was not a file of $PANEL_USER's own (a link, or someone else's): moved aside to $line"
  done <<< "$moved"
  return 0
}

# Root's own directories. If one exists but is not a root-owned directory closed
# to others (it could only have been made by root), it is refused, not repaired.
ensure_root_dirs() {
  local dir
  for dir in "$ROOT_RUN_DIR" "$ROOT_LOG_DIR" "$ROOT_STATE_DIR"; do
    if [ -e "$dir" ] || [ -L "$dir" ]; then
      if [ ! -d "$dir" ] || [ -L "$dir" ] || [ "$(stat -c %u "$dir")" != 0 ] || [ $((0$(stat -c %a "$dir") & 022)) != 0 ]; then
        printf '%s is not a root-owned directory closed to others; remove it and run me again\n' "$dir" >&2
        return 1
      fi
    else
      install -d -o root -g root -m 0755 "$dir"
    fi
  done
}

# as_panel CMD...: CMD run by the panel account, without its groups, for at most
# 5 s: how root looks at files in the panel's own folders (a symlink there to a
# root file, or a FIFO, must not make root read it or wait forever).
as_panel() {
  setpriv --reuid="$PANEL_USER" --regid="$PANEL_USER" --clear-groups -- timeout 5 "$@"
}

# panel_pids: the running panel servers (the panel account's node processes running
# the installed server), found in /proc rather than through a pid file.
panel_pids() {
  local uid dir
  uid=$(id -u "$PANEL_USER" 2>/dev/null) || return 0
  for dir in /proc/[0-9]*; do
    [ "$(stat -c %u "$dir" 2>/dev/null)" = "$uid" ] || continue
    tr '\0' ' ' < "$dir/cmdline" 2>/dev/null | grep -q -- "$APP_DIR/dist/server/server.js" && echo "${dir#/proc/}"
  done
  return 0
}

# The panel's own certificate (root:jupyterhub-panel, key 0640 for the panel).
ensure_certificate() {
  make_certificate "$CONF_DIR/tls" "$PANEL_USER" 0640 "jupyterhub4family panel"
}

# make_certificate DIR GROUP KEYMODE ORG: DIR/cert.pem and DIR/key.pem, self-signed,
# with subjectAltNames for this machine's names and addresses (browsers ignore the
# CN). A valid one (30 days or more left) is kept. DIR is root's (root:GROUP 0750
# or 0755), so root may create files in it.
make_certificate() {
  local dir="$1" group="$2" keymode="$3" org="$4"
  local cert="$dir/cert.pem" key="$dir/key.pem"
  if [ -s "$cert" ] && [ -s "$key" ] && openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null; then
    say "TLS certificate: keeping $cert"
    return
  fi
  local host fqdn san addr
  host=$(hostname -s 2>/dev/null || hostname)
  fqdn=$(hostname -f 2>/dev/null || echo "$host")
  san="DNS:localhost,DNS:$host,IP:127.0.0.1,IP:::1"
  [ "$fqdn" != "$host" ] && san="$san,DNS:$fqdn"
  for addr in $(hostname -I 2>/dev/null || true); do
    case "$addr" in
      fe80:*) ;;
      *:*|*.*) san="$san,IP:$addr" ;;
    esac
  done
  say "TLS certificate: creating $cert for $san"
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 825 \
    -subj "/CN=$host/O=$org" \
    -addext "subjectAltName=$san" -addext "extendedKeyUsage=serverAuth" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
    -keyout "$key.new" -out "$cert.new" 2>/dev/null
  chown root:"$group" "$key.new" "$cert.new"
  chmod "$keymode" "$key.new"
  chmod 0644 "$cert.new"
  mv "$key.new" "$key"
  mv "$cert.new" "$cert"
}
