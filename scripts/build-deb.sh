#!/usr/bin/env bash
# Builds dist/jupyterhub4family-panel_VERSION_ARCH.deb (npm run deb).
#
# The package holds the production build of this tree and its production
# node_modules as they are: the native modules (better-sqlite3, node-linux-pam)
# are those `npm ci` built for the Node.js on this machine, so build on the
# Debian release and Node.js major the package is for (Node.js 20 = module ABI
# 115: Debian 13's nodejs, or NodeSource's nodejs 20.x on Debian 12).
# As root it first runs `system/install.sh --prepare` (Debian packages, npm
# dependencies, build; quick when up to date). Needs dpkg-deb, npm, node.
set -euo pipefail
umask 022

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGE=jupyterhub4family-panel
NODE_ABI=115       # process.versions.modules of Node.js 20
NODE_MAJOR=20

say() { printf '==> %s\n' "$*"; }
die() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }

cd "$REPO"
# shellcheck source=system/lib/stage-app.sh
. "$REPO/system/lib/stage-app.sh"

command -v dpkg-deb >/dev/null || die "dpkg-deb is needed (Debian's dpkg package)"
if [ "$(id -u)" = 0 ] && [ "${JH4F_DEB_SKIP_PREPARE:-}" != 1 ]; then
  "$REPO/system/install.sh" --prepare
fi
for f in .next/BUILD_ID dist/server/server.js dist/helper/helper.js dist/helper/agent.js \
  node_modules/better-sqlite3/build/Release/better_sqlite3.node \
  node_modules/node-linux-pam/build/Release/node-linux-pam.node; do
  [ -f "$f" ] || die "$f is missing: run 'sudo system/install.sh --prepare' (or npm ci && npm run build) first"
done
abi=$(node -p process.versions.modules)
[ "$abi" = "$NODE_ABI" ] || die "the node_modules must be built by Node.js $NODE_MAJOR (module ABI $NODE_ABI); this is $(node --version) (ABI $abi)"

VERSION=$(node -p 'require("./package.json").version')
ARCH=$(dpkg --print-architecture)
OUT="$REPO/dist/${PACKAGE}_${VERSION}_${ARCH}.deb"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jh4f-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root"
DOC="$ROOT/usr/share/doc/$PACKAGE"

say "deb: staging $PACKAGE $VERSION ($ARCH) in $WORK"
# The production server: the same tree system/install.sh installs.
stage_app "$REPO" "$ROOT/usr/lib/jupyterhub-panel"
# Build leftovers of the native modules (sources, object files, a test extension).
(cd "$ROOT/usr/lib/jupyterhub-panel/node_modules" &&
  rm -rf better-sqlite3/deps better-sqlite3/src better-sqlite3/build/Release/obj \
    better-sqlite3/build/Release/obj.target better-sqlite3/build/Release/test_extension.node \
    better-sqlite3/build/Release/sqlite3.a better-sqlite3/build/Release/.deps better-sqlite3/build/deps \
    node-linux-pam/src node-linux-pam/build/Release/obj.target node-linux-pam/build/Release/.deps)
# sharp (with its own libvips, jpeg, freetype, ...) is next's optional image
# optimizer; the panel uses no next/image. Package-development files go too.
(cd "$ROOT/usr/lib/jupyterhub-panel/node_modules" && rm -rf @img sharp @swc/helpers/scripts)
find "$ROOT/usr/lib/jupyterhub-panel" -type f \( -name .npmignore -o -name '.eslintrc*' -o -name '*~' \) -delete
find "$ROOT/usr/lib/jupyterhub-panel" -name '*.node' -type f -exec strip --strip-unneeded --remove-section=.comment --remove-section=.note {} +
# Type declarations are for compilers, not for the running server.
find "$ROOT/usr/lib/jupyterhub-panel/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \) -delete
# Modes: data and libraries 0644; only scripts (a #! first line) 0755.
find "$ROOT/usr/lib/jupyterhub-panel" -type f -exec chmod 0644 {} +
python3 - "$ROOT/usr/lib/jupyterhub-panel" <<'PY'
import os, sys
for top, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        p = os.path.join(top, name)
        if not os.path.islink(p):
            with open(p, 'rb') as f:
                if f.read(2) == b'#!':
                    os.chmod(p, 0o755)
PY

# The root helper and its unprivileged agent: one file each, Debian's node.
install -d "$ROOT/usr/libexec/jupyterhub-panel"
{ printf '#!/usr/bin/node\n'; cat dist/helper/helper.js; } > "$ROOT/usr/libexec/jupyterhub-panel/helper"
{ printf '#!/usr/bin/node\n'; cat dist/helper/agent.js; } > "$ROOT/usr/libexec/jupyterhub-panel/helper-agent"
chmod 0755 "$ROOT/usr/libexec/jupyterhub-panel/helper" "$ROOT/usr/libexec/jupyterhub-panel/helper-agent"

install -D -m 0755 system/bin/jupyterhub-members "$ROOT/usr/bin/jupyterhub-members"
install -D -m 0644 system/debian/jupyterhub-members.1 "$ROOT/usr/share/man/man1/jupyterhub-members.1"
gzip -9n "$ROOT/usr/share/man/man1/jupyterhub-members.1"

install -D -m 0644 system/polkit/org.jupyterhub4family.panel.policy "$ROOT/usr/share/polkit-1/actions/org.jupyterhub4family.panel.policy"
install -D -m 0644 system/polkit/50-jupyterhub-panel.rules "$ROOT/usr/share/polkit-1/rules.d/50-jupyterhub-panel.rules"
install -D -m 0644 system/pam/jupyterhub-panel "$ROOT/etc/pam.d/jupyterhub-panel"
install -D -m 0644 system/pam/access.conf "$ROOT/etc/jupyterhub-panel/pam-access.conf"

install -d "$ROOT/usr/lib/systemd/system"
for unit in jupyterhub-panel.service jupyterhub-panel-helper.socket jupyterhub-panel-helper.service; do
  sed 's|@NODE@|/usr/bin/node|g' "system/systemd/$unit" > "$ROOT/usr/lib/systemd/system/$unit"
done

# The family hub: our drop-in for Debian's jupyterhub.service (only active where
# postinst wrote our configuration), our Python package that configuration imports
# (the package's own files where the set-up command installs it too, so dpkg
# removes it; the configuration writes no bytecode cache beside it), the
# configuration's sources, the control script for machines without systemd, and
# the set-up steps postinst shares with system/install.sh.
install -D -m 0644 system/hub/jupyterhub.service.d.conf "$ROOT/usr/lib/systemd/system/jupyterhub.service.d/jupyterhub4family.conf"
install -d -m 0755 "$ROOT/usr/lib/jupyterhub4family/python/jupyterhub4family"
install -m 0644 system/hub/jupyterhub4family/*.py "$ROOT/usr/lib/jupyterhub4family/python/jupyterhub4family/"
install -D -m 0644 system/hub/jupyterhub_config.py "$ROOT/usr/share/jupyterhub4family/jupyterhub_config.py"
install -D -m 0644 system/hub/panel-service.json "$ROOT/usr/share/jupyterhub4family/panel-service.json"
install -D -m 0755 system/bin/family-hub "$ROOT/usr/libexec/jupyterhub-panel/family-hub"
install -D -m 0644 system/lib/family-hub.sh "$ROOT/usr/share/jupyterhub-panel/family-hub.sh"

# Shared with system/install.sh: postinst sources it; panel.env is the template
# postinst copies to /etc/jupyterhub-panel/panel.env when missing (kept on upgrade,
# removed on purge).
install -D -m 0644 system/lib/setup-common.sh "$ROOT/usr/share/jupyterhub-panel/setup-common.sh"
install -D -m 0644 system/lib/updates.sh "$ROOT/usr/share/jupyterhub-panel/updates.sh"
install -D -m 0644 system/apt/52jupyterhub4family-updates "$ROOT/usr/share/jupyterhub-panel/apt/52jupyterhub4family-updates"
install -D -m 0644 system/apt/apt-daily-upgrade.timer.d.conf "$ROOT/usr/share/jupyterhub-panel/apt/apt-daily-upgrade.timer.d.conf"
install -D -m 0644 system/panel.env "$ROOT/usr/share/jupyterhub-panel/panel.env"

install -D -m 0644 system/debian/copyright "$DOC/copyright"
install -m 0644 README.md "$DOC/README.md"
sed -e "s|@VERSION@|$VERSION|g" -e "s|@DATE@|$(date -R -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y package.json)}")|" \
  system/debian/changelog.in | gzip -9n > "$DOC/changelog.gz"   # a native package: changelog.gz

# Owner root (dpkg-deb --root-owner-group), no group/other write anywhere.
chmod -R u+rwX,go+rX,go-w "$ROOT"

install -d -m 0755 "$ROOT/DEBIAN"
install -m 0755 system/debian/postinst system/debian/prerm system/debian/postrm "$ROOT/DEBIAN/"
(cd "$ROOT" && find etc -type f -printf '/%p\n' | sort) > "$ROOT/DEBIAN/conffiles"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$ROOT/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@SIZE@|$size|" system/debian/control.in > "$ROOT/DEBIAN/control"
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles" "$ROOT/DEBIAN/md5sums"

mkdir -p "$REPO/dist"
rm -f "$OUT"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT" >/dev/null
say "deb: $OUT ($(du -h "$OUT" | cut -f1), installed $((size / 1024)) MiB)"
