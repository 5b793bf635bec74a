# jupyterhub4family panel: copy the production server into a directory.
# Sourced by system/install.sh (install_app) and scripts/build-deb.sh, so the set-up
# command and the Debian package install the same tree. Sourced, not run.

# stage_app REPO DEST: package.json, next.config.ts, public/, dist/server/, .next/
# (without its cache) and only the production node_modules (top-level folders carry
# their nested ones), already built for the Node.js that ran `npm ci`.
stage_app() {
  local repo="$1" dest="$2"
  mkdir -p "$dest/dist"
  (cd "$repo" && cp -a package.json next.config.ts public "$dest/")
  (cd "$repo" && cp -a dist/server "$dest/dist/")
  (cd "$repo" && tar --exclude=.next/cache -cf - .next) | tar -xf - -C "$dest"
  (cd "$repo" && { npm ls --omit=dev --all --parseable 2>/dev/null || true; } |
    sed -n "s|^$repo/||p" | grep -E '^node_modules/(@[^/]+/)?[^/@]+$' | grep -vE "$BUILD_ONLY_MODULES" | sort -u |
    tar -cf - -T -) | tar -xf - -C "$dest"
}

# Native packages only the build uses: Next's SWC compiler (the server hands Next
# the configuration the build produced, so it never compiles at run time), and
# sharp with its libvips (Next's image optimizer; the panel has no next/image). npm
# also installs the other C library's variants (-musl) of such optional packages;
# none of them belongs on a family machine.
BUILD_ONLY_MODULES='^node_modules/(@next/swc-[^/]+|@img/[^/]+|sharp)$'

