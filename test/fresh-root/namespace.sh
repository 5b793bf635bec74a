# shellcheck shell=bash
# Sourced by the in-root scripts of the fresh-machine suites (test/deb/in-root.sh,
# test/debian13/in-root.sh): a Debian root file system ROOT, entered the way a
# machine of its own would be, in private namespaces, and left with nothing behind.
#
#   enter_namespaces NET SCRIPT ARGS...
#       unless already inside, re-runs `bash SCRIPT ARGS...` in private mount, UTS and
#       pid namespaces; NET is "private" (its own network namespace, loopback only)
#       or "host" (the host's network: apt and npm need the mirror and the registry)
#   mount_root_basics ROOT
#       sets R, sets the host name from ROOT/etc/hostname, mounts /proc, /sys, a
#       minimal /dev, a fresh /run and /tmp inside ROOT and installs the EXIT trap
#       that ends the remembered processes (PIDS) and unmounts (MOUNTS) by path
#   mnt TARGET MOUNT-ARGS...    a mount inside ROOT, remembered for the unmount
#   in_root CMD...              CMD chrooted into ROOT with a clean environment
#   end_namespace_processes     every other process of this pid namespace ended
#                               by its pid (TERM, then KILL after 10 s)
#   net_proxy_bridge SOCKET     in a private network: loopback up, and the way out to
#                               the mirror and the registry through the test's proxy
#                               (test/fresh-root/net-proxy.ts serve SOCKET, started by
#                               the suite in the host's network): a bridge on
#                               127.0.0.1:3128; sets PROXY_ENV (http_proxy=... pairs)
#                               for the commands that download: in_root "${PROXY_ENV[@]}" CMD
#
# Nothing outside ROOT is written; everything mounted lives in the private mount
# namespace, and the pid namespace ends anything left when its first process ends.

enter_namespaces() {
  [ "${JH4F_IN_NS:-}" = 1 ] && return 0
  local net=()
  [ "$1" = private ] && net=(--net)
  shift
  exec unshare --mount --uts --pid --fork --mount-proc --propagation private "${net[@]}" \
    env JH4F_IN_NS=1 bash "$@"
}

MOUNTS=()
PIDS=()

mnt() { # mnt TARGET mount-args...: mount inside ROOT, remembered for the unmount
  local target="$R$1"; shift
  mkdir -p "$target"
  mount "$@" "$target"
  MOUNTS+=("$target")
}

end_namespace_processes() {
  local pid pids=()
  for pid in /proc/[0-9]*; do
    pid=${pid#/proc/}
    # This script (pid 1 of the namespace) and the subshell running this function.
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] || pids+=("$pid")
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cleanup_root() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
}

FRESH_ROOT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # read by the in-root scripts that source this file
PROXY_ENV=()

net_proxy_bridge() {
  local sock="$1" i url=http://127.0.0.1:3128 no_proxy_list
  no_proxy_list="localhost,127.0.0.1,::1,$(hostname),$(hostname -f 2>/dev/null || hostname)"
  [ -S "$sock" ] || { echo "$0: no proxy socket $sock (test/fresh-root/net-proxy.ts serve)" >&2; exit 2; }
  ip link set lo up
  # The host's node and tsx: outside the chroot, in this private network.
  env -C "$FRESH_ROOT_REPO" node --import tsx test/fresh-root/net-proxy.ts bridge 3128 "$sock" </dev/null &
  PIDS+=("$!")
  for i in $(seq 100); do
    ss -Hltn 'sport = :3128' | grep -q . && break
    [ "$i" = 100 ] && { echo "$0: the proxy bridge did not start" >&2; exit 2; }
    sleep 0.1
  done
  # apt reads http_proxy; npm (make-fetch-happen) and curl read https_proxy too.
  # Whatever the set-up starts asks its own names directly (no_proxy).
  # shellcheck disable=SC2034 # read by the in-root scripts that source this file
  PROXY_ENV=("http_proxy=$url" "https_proxy=$url" "HTTP_PROXY=$url" "HTTPS_PROXY=$url"
    "no_proxy=$no_proxy_list" "NO_PROXY=$no_proxy_list")
}

in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }

mount_root_basics() {
  R=$(readlink -f "$1")
  if [ ! -x "$R/usr/bin/apt-get" ] || [ "$R" = / ]; then echo "$0: $R is not a Debian root" >&2; exit 2; fi
  [ "${JH4F_IN_NS:-}" = 1 ] || { echo "$0: call enter_namespaces first" >&2; exit 2; }

  # The fresh machine's own host name (a private UTS namespace), for its certificate.
  [ -s "$R/etc/hostname" ] && hostname "$(head -n 1 "$R/etc/hostname")"
  trap cleanup_root EXIT

  # A /proc of this pid namespace, sysfs, a minimal /dev (no host device but the
  # harmless ones, a private devpts and /dev/shm), a fresh /run and /tmp.
  mnt /proc -t proc proc
  mnt /sys -t sysfs -o ro sysfs
  mnt /dev -t tmpfs -o mode=0755,nosuid tmpfs
  local dev
  for dev in null zero full random urandom tty; do
    touch "$R/dev/$dev"
    mount --bind "/dev/$dev" "$R/dev/$dev"
    MOUNTS+=("$R/dev/$dev")
  done
  mnt /dev/pts -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts
  ln -sf pts/ptmx "$R/dev/ptmx"
  ln -sf /proc/self/fd "$R/dev/fd"
  mnt /dev/shm -t tmpfs -o mode=1777,nosuid,nodev tmpfs
  mnt /run -t tmpfs -o mode=0755,nosuid,nodev tmpfs
  mnt /tmp -t tmpfs -o mode=1777,nosuid,nodev tmpfs
  mkdir -p "$R/run/lock"
}
