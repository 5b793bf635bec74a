# shellcheck shell=bash
# jupyterhub4family panel: copy the production server into a directory.
# Sourced by system/install.sh (install_app) and scripts/build-deb.sh, so the set-up
# command and the Debian package install the same tree. Sourced, not run.

# stage_app REPO DEST: package.json, next.config.ts, public/, dist/server/, .next/
# (without its cache and traces) and the node_modules files the server can load,
# already built for the Node.js that ran `npm ci`.
stage_app() {
  local repo="$1" dest="$2" list
  mkdir -p "$dest/dist"
  (cd "$repo" && cp -a package.json next.config.ts public "$dest/")
  (cd "$repo" && cp -a dist/server "$dest/dist/")
  (cd "$repo" && tar --exclude=.next/cache --exclude='*.nft.json' -cf - .next) | tar -xf - -C "$dest"
  # Only the node_modules files the server can load (Next's output tracing plus a
  # trace of our server: scripts/server-files.mjs), not every production package.
  list=$(mktemp)
  "${NODE:-node}" "$repo/scripts/server-files.mjs" "$repo" > "$list" || { rm -f "$list"; return 1; }
  (cd "$repo" && tar --no-recursion -cf - -T "$list") | tar -xf - -C "$dest"
  rm -f "$list"
}
