# shellcheck shell=bash
# jupyterhub4family: automatic security updates, the set-up's part. Sourced by the
# set-up command (system/install.sh) and the package's postinst; runs as root.
# Debian's unattended-upgrades does the work; we only add our own drop-ins, never
# edit a file of another package:
# - /etc/apt/apt.conf.d/52jupyterhub4family-updates: the mode (its text is
#   lib/shared/update-settings.ts; the default file comes from SRC_DIR). Written
#   when missing, never over a parent's choice, so a re-run keeps it;
# - where systemd runs, a drop-in for apt-daily-upgrade.timer: at night.
#
# Installed by the Debian package as /usr/share/jupyterhub-panel/updates.sh.

UPDATES_FILE=/etc/apt/apt.conf.d/52jupyterhub4family-updates
UPDATES_TIMER_DROPIN=/etc/systemd/system/apt-daily-upgrade.timer.d/jupyterhub4family.conf

# ensure_update_settings SRC_DIR: SRC_DIR holds 52jupyterhub4family-updates and
# apt-daily-upgrade.timer.d.conf (system/apt/ in the repository).
ensure_update_settings() {
  local src="$1" dir tmp
  dir=$(dirname "$UPDATES_FILE")
  if [ -e "$UPDATES_FILE" ] || [ -L "$UPDATES_FILE" ]; then
    say "automatic updates: $UPDATES_FILE is there ($(head -n 1 "$UPDATES_FILE" | sed -n 's|^// jupyterhub4family: mode=||p' || true)): kept"
  else
    say "automatic updates: security updates only, at night ($UPDATES_FILE)"
    # /etc/apt/apt.conf.d is root's: the temp file beside it, then rename, so apt
    # never reads half a file.
    install -d -o root -g root -m 0755 "$dir"
    tmp=$(mktemp "$dir/.52jupyterhub4family-updates.XXXXXX")
    cat -- "$src/52jupyterhub4family-updates" > "$tmp"
    chown root:root "$tmp"
    chmod 0644 "$tmp"
    mv -f -- "$tmp" "$UPDATES_FILE"
  fi
  if [ -d /run/systemd/system ]; then
    install -D -o root -g root -m 0644 "$src/apt-daily-upgrade.timer.d.conf" "$UPDATES_TIMER_DROPIN"
    systemctl daemon-reload
    systemctl enable --now apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || say "automatic updates: could not enable apt-daily-upgrade.timer"
  else
    say "automatic updates: no systemd here, so nothing starts them at night (run unattended-upgrade yourself)"
  fi
}

# Purge: our drop-ins only (Debian's unattended-upgrades files stay its own).
remove_update_settings() {
  rm -f -- "$UPDATES_FILE" "$UPDATES_TIMER_DROPIN"
  rmdir -- "$(dirname "$UPDATES_TIMER_DROPIN")" 2>/dev/null || true
}
