#!/usr/bin/env bash
# Issue 12's acceptance, by hand (not part of `npm test`): a fresh Debian 13 machine with
# git only, a clone of this repository's committed HEAD, and the README's two commands
# there exactly as a family runs them, as root: `system/install.sh`, then `npm test`.
#
# The machine is a chroot into an unpacked copy of test/fresh-root's cached debootstrap
# root (the cache itself is only read), entered in private mount, UTS and pid
# namespaces with the host's network. A chroot and not `systemd-nspawn -D`: the inner
# `npm test` nests further (unshare for the sandbox, debootstrap roots for test/deb and
# test/debian13, a booted systemd-nspawn for test/systemd), and nspawn's container
# would hide the host's cgroup hierarchy, its device nodes and a writable /sys that the
# inner systemd-nspawn needs. The chroot gets a fresh /proc (of its pid namespace), the
# host's /sys and /dev (recursive binds), its own devpts, /dev/shm, /run and /tmp; its
# root is bind-mounted onto itself first, since `unshare --propagation` (the sandbox)
# needs / to be a mount point.
#
# The host's network: apt and npm need the Debian mirror and the npm registry; the
# machine trusts the host's extra CA certificates as test/debian13 does. So whatever
# the set-up command starts (the family hub on 8000, the panel on 8010) listens in the
# host's network namespace while `npm test` runs (this machine's own ports 8000 and
# 8010 must be free on the host). The inner test/debian13 does not meet them: its
# steps run in their own network namespace and reach the mirror and the registry
# through its proxy on a unix socket (test/fresh-root/net-proxy.ts).
#
# Caches: the host's /var/cache/jh4f-debootstrap (debootstrap roots and .debs of the
# inner test/deb, test/systemd and test/debian13) is COPIED into the machine unless
# JH4F_FULL_NO_CACHE=1 (then the inner suites debootstrap and download everything);
# the set-up's apt gets a copy of the cached .debs and npm a copy of root's ~/.npm;
# nothing of the host's is mounted into it.
#
#   JH4F_FULL_KEEP=1   keep the work directory (the machine's root) afterwards
#   JH4F_FULL_BENCH="ARGS"  instead of the README's two commands: `npm run bench ARGS`
#                      (its own sandbox does the set-up inside, in its own network
#                      namespace), after `system/install.sh --prepare`, which starts
#                      nothing: so the figures come from a Debian 13 machine, and the
#                      host's ports 8000 and 8010 stay free
# Prints the inner `npm test` output, the time of each step, and the closing line.
set -euo pipefail
# JH4F_FULL_REPO: the repository to clone, when this script runs from a copy (bash
# reads a script as it goes: a copy outside the work tree is safe to commit next to).
REPO=${JH4F_FULL_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "run me as root: sudo bash test/debian13/full-npm-test.sh" >&2; exit 1; }

CACHE_DIR=/var/cache/jh4f-debootstrap
ARCH=$(dpkg --print-architecture)
TARBALL=$CACHE_DIR/trixie-$ARCH-rootfs.tar.zst
HOSTNAME_D13=familypc

if [ "${JH4F_FULL_INSIDE:-}" != 1 ]; then
  [ -f "$TARBALL" ] || { echo "no cached Debian 13 root $TARBALL: run test/debian13/run.sh once to make it" >&2; exit 2; }
  WORK=$(mktemp -d "${JH4F_DEB_WORK:-/var/tmp}/jh4f-d13-full.XXXXXX")
  R=$WORK/root
  mkdir "$R"
  echo "==> work directory $WORK"
  t0=$SECONDS
  tar --zstd -xpf "$TARBALL" -C "$R" --numeric-owner
  grep -q VERSION_CODENAME=trixie "$R/etc/os-release"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  echo "$HOSTNAME_D13" > "$R/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost ip6-loopback\n' "$HOSTNAME_D13" > "$R/etc/hosts"
  mkdir -p "$R/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/" 2>/dev/null || true
  if [ "${JH4F_FULL_NO_CACHE:-}" != 1 ] && [ -d "$CACHE_DIR" ]; then
    mkdir -p "$R$CACHE_DIR"
    cp -a "$CACHE_DIR/." "$R$CACHE_DIR/"
    # For the set-up's own downloads too: copies of the cached Debian 13 .debs and of
    # root's npm cache (apt and npm check what they take from them).
    cp -a "$CACHE_DIR/apt-archives-trixie-$ARCH/." "$R/var/cache/apt/archives/" 2>/dev/null || true
    [ -d /root/.npm ] && cp -a /root/.npm "$R/root/.npm"
  fi
  mkdir -p "$R/root"
  # HEAD and its branch, so the clone is on the branch as a family's clone of main is.
  branch=$(git -C "$REPO" symbolic-ref -q --short HEAD || true)
  git -C "$REPO" bundle create "$R/root/jupyterhub4family.bundle" HEAD ${branch:+"$branch"} 2>/dev/null
  echo "==> root unpacked ($((SECONDS - t0)) s); HEAD $(git -C "$REPO" rev-parse HEAD)"
  rc=0
  unshare --mount --uts --pid --fork --mount-proc --propagation private \
    env JH4F_FULL_INSIDE=1 bash "${BASH_SOURCE[0]}" "$R" || rc=$?
  echo "==> machine ended (exit $rc) after $((SECONDS - t0)) s"
  if [ "${JH4F_FULL_KEEP:-}" = 1 ]; then
    echo "kept $WORK"
  elif grep -q " $WORK" /proc/self/mounts; then
    echo "left $WORK in place: still mounted"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
fi

# Inside the private namespaces: make the machine and run the README's commands.
R=$1
hostname "$HOSTNAME_D13"
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts"
mount --bind "$R/dev/pts/ptmx" "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R/run"
mkdir -p "$R/run/lock"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"

# A root shell as `su -` gives one.
as_root() {
  chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb SHELL=/bin/bash USER=root LOGNAME=root "$@" </dev/null
}

step() { echo "==> [$(date -u +%T)] $*"; }
t0=$SECONDS
step "apt install git (and trust the host's extra CAs)"
as_root apt-get update -q >/dev/null
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q git >/dev/null
as_root update-ca-certificates >/dev/null
step "git clone"
as_root git -c init.defaultBranch=main -c advice.detachedHead=false clone -q /root/jupyterhub4family.bundle /root/jupyterhub4family
as_root git -C /root/jupyterhub4family log --oneline -1
t1=$SECONDS
SETUP=system/install.sh
[ -n "${JH4F_FULL_BENCH+x}" ] && SETUP="system/install.sh --prepare"
step "$SETUP"
rc_setup=0
as_root /bin/bash -c "cd /root/jupyterhub4family && $SETUP" || rc_setup=$?
t2=$SECONDS
echo "@@SETUP_RC $rc_setup ($((t2 - t1)) s)"
# The acceptance's "after the first command": both answer by the machine's name, over
# https checked against the certificates the set-up made.
if [ "$rc_setup" = 0 ] && [ -z "${JH4F_FULL_BENCH+x}" ]; then
  for answer in "https://$HOSTNAME_D13:8000/hub/api /etc/jupyterhub4family/tls/cert.pem" \
             "https://$HOSTNAME_D13:8010/panel/api/health /etc/jupyterhub-panel/tls/cert.pem"; do
    read -r url ca <<<"$answer"
    echo "@@ANSWER $url -> $(as_root curl -sS -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$ca" "$url" 2>&1 || true)"
  done
fi
rc_test=0
if [ "$rc_setup" = 0 ] && [ -n "${JH4F_FULL_BENCH+x}" ]; then
  step "npm run bench -- $JH4F_FULL_BENCH"
  as_root /bin/bash -c "cd /root/jupyterhub4family && npm run bench -- $JH4F_FULL_BENCH" || rc_test=$?
elif [ "$rc_setup" = 0 ]; then
  step "npm test"
  as_root /bin/bash -c 'cd /root/jupyterhub4family && npm test' || rc_test=$?
fi
t3=$SECONDS
echo "@@NPM_TEST_RC $rc_test ($((t3 - t2)) s)"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
as_root dpkg-query -W -f='${Package}=${Version}\n' nodejs npm jupyterhub jupyterlab python3-ipykernel node-configurable-http-proxy chromium 2>/dev/null || true
# What the set-up command started ends with this pid namespace (its first process is
# unshare's child, this script); the family hub first by its own control script.
as_root /usr/libexec/jupyterhub-panel/family-hub stop >/dev/null 2>&1 || true
echo "@@TIMES prepare $((t1 - t0)) s, setup $((t2 - t1)) s, npm test $((t3 - t2)) s"
[ "$rc_setup" = 0 ] && [ "$rc_test" = 0 ]
