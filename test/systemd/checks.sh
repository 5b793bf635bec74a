#!/usr/bin/env bash
# Runs inside the booted Debian 13 (systemd as PID 1), started by jh4f-checks.service
# after multi-user.target (test/systemd/under-systemd.test.ts writes both into the
# root). Installs the package with apt and checks it as a family would; writes one
# line per check to $OUT: "CHECK<TAB>name<TAB>ok|fail<TAB>detail", figures as
# "FIGURE<TAB>name<TAB>value", then dumps the journal and powers the machine off.
# The host side asserts every line; a check missing from $OUT fails there too.
set -uo pipefail
DIR=/root/jh4f
OUT=$DIR/results.txt
DEB=$DIR/package.deb
UPGRADE_DEB=$DIR/package-upgrade.deb
PACKAGE=jupyterhub4family-panel
PORT=8010
PANEL=https://127.0.0.1:$PORT/panel
ORIGIN=https://127.0.0.1:$PORT
PANEL_CA=/etc/jupyterhub-panel/tls/cert.pem
HUB_CA=/etc/jupyterhub4family/tls/cert.pem
JAR=$DIR/cookies.txt
PARENT=mum
PARENT_PASSWORD='Sunflower-Tuesday-42'
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
: > "$OUT"

check() { # check NAME ok|fail DETAIL...
  local name=$1 result=$2; shift 2
  printf 'CHECK\t%s\t%s\t%s\n' "$name" "$result" "$(printf '%s' "$*" | tr '\t\n' '  ' | cut -c1-1500)" >> "$OUT"
}
check_cmd() { # check_cmd NAME command...: ok when the command succeeds, its output as detail
  local name=$1 out; shift
  if out=$("$@" 2>&1); then check "$name" ok "$out"; else check "$name" fail "exit $?: $out"; fi
}
figure() { printf 'FIGURE\t%s\t%s\n' "$1" "$2" >> "$OUT"; }
section() { printf 'SECTION\t%s\n' "$1" >> "$OUT"; }

# The panel's API as a browser uses it: session cookie, the panel's own Origin on changes.
api() { # api METHOD PATH [JSON]: prints "STATUS BODY"
  local method=$1 path=$2 body=${3:-} args=()
  [ "$method" = GET ] || args+=(-H "Origin: $ORIGIN")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl -sS --max-time 120 --cacert "$PANEL_CA" -b "$JAR" -c "$JAR" -X "$method" "${args[@]}" \
    -w '\n%{http_code}' "$PANEL$path" 2>&1 | { body=$(cat); printf '%s %s' "${body##*$'\n'}" "${body%$'\n'*}"; }
}
api_ok() { # api_ok NAME EXPECTED_STATUS METHOD PATH [JSON]
  local name=$1 want=$2 r; shift 2
  r=$(api "$@")
  if [ "${r%% *}" = "$want" ]; then check "$name" ok "$r"; else check "$name" fail "wanted $want: $r"; fi
}
wait_for() { # wait_for SECONDS command...: until it succeeds
  local n=$(( $1 * 2 )); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}
panel_health() { curl -sS --max-time 3 --cacert "$PANEL_CA" "$PANEL/api/health"; }
hub_api() { curl -sS --max-time 3 --cacert "$HUB_CA" https://127.0.0.1:8000/hub/api; }
main_pid() { systemctl show -p MainPID --value "$1"; }
in_group() { getent group "$1" | cut -d: -f4 | tr ',' '\n' | grep -qx "$2"; }
json_count() { # json_count JSON TARGET: audit entries naming TARGET
  node -e 'const j=JSON.parse(process.argv[1]);console.log(j.entries.filter(e=>e.target===process.argv[2]).length)' "$1" "$2"
}
login() { rm -f "$JAR"; api POST /api/session "{\"username\":\"$PARENT\",\"password\":\"$PARENT_PASSWORD\"}"; }
audit_rows() { # total audit rows, newest 500
  local r; r=$(api GET '/api/audit?limit=500'); node -e 'console.log(JSON.parse(process.argv[1]).entries.length)' "${r#* }" 2>/dev/null || echo 0
}
security() { # security UNIT: prints the overall exposure; full table into $OUT
  local unit=$1 table
  table=$(systemd-analyze security --no-pager "$unit" 2>&1)
  printf '%s\n' "$table" | sed "s/^/SECURITY\t$unit\t/" >> "$OUT"
  printf '%s\n' "$table" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' | tail -n 1
}

section "system $(systemctl is-system-running 2>&1) $(systemctl --version | head -n 1)"

# 1. apt install of the package (Debian 13's packages, fetched from its mirror
#    into the apt cache before the boot).
check_cmd apt-install apt-get install -y -q --no-install-recommends "$DEB"
wait_for 120 panel_health
check_cmd service-jupyterhub systemctl is-active jupyterhub.service
check_cmd service-panel systemctl is-active jupyterhub-panel.service
check_cmd socket-helper-listening sh -c 'systemctl is-active jupyterhub-panel-helper.socket && systemctl show -p Listen --value jupyterhub-panel-helper.socket && test -S /run/jupyterhub4family/helper.sock'
check_cmd panel-health panel_health
wait_for 120 hub_api
check_cmd hub-api hub_api
# Automatic updates (issue 26): Debian's timer runs unattended-upgrades at night
# (our drop-in: 03:00), and apt's configuration names the security archive only.
timer=$(systemctl is-enabled apt-daily-upgrade.timer 2>&1; systemctl show -p TimersCalendar --value apt-daily-upgrade.timer 2>&1)
if systemctl is-enabled -q apt-daily-upgrade.timer && printf '%s' "$timer" | grep -q '03:00'; then check updates-timer-at-night ok "$timer"
else check updates-timer-at-night fail "$timer"; fi
aptconf=$(apt-config dump 2>&1 | grep -E '^(APT::Periodic::Unattended-Upgrade|Unattended-Upgrade::Origins-Pattern::) ')
if printf '%s\n' "$aptconf" | grep -qx 'APT::Periodic::Unattended-Upgrade "1";' && printf '%s' "$aptconf" | grep -q 'label=Debian-Security' && \
  ! printf '%s' "$aptconf" | grep -q 'label=Debian";'; then check updates-security-origin ok "$aptconf"
else check updates-security-origin fail "$aptconf"; fi

# 2. A parent: a unix account in jupyterhub_adm, logs in through the panel's API.
adduser --disabled-password --comment 'Mum' "$PARENT" >/dev/null 2>&1 || adduser --disabled-password --gecos 'Mum' "$PARENT" >/dev/null
echo "$PARENT:$PARENT_PASSWORD" | chpasswd
adduser "$PARENT" jupyterhub_adm >/dev/null
r=$(login)
if [ "${r%% *}" = 200 ] && grep -q jh4f_session "$JAR"; then check parent-login ok "$r"; else check parent-login fail "$r"; fi
helper_before=$(systemctl show -p ExecMainStartTimestampMonotonic --value jupyterhub-panel-helper.service)

# 3. Kids: add an existing account, onboard a new one, remove the first.
adduser --disabled-password --comment 'Kid One' kidone >/dev/null 2>&1 || adduser --disabled-password --gecos 'Kid One' kidone >/dev/null
api_ok add-existing-kid 200 POST /api/members '{"username":"kidone"}'
kidone_was_in=no; in_group jupyterhub kidone && kidone_was_in=yes
if [ $kidone_was_in = yes ]; then check add-existing-kid-in-group ok "$(getent group jupyterhub)"; else check add-existing-kid-in-group fail "$(getent group jupyterhub)"; fi
api_ok onboard-kid 201 POST /api/onboard '{"username":"kidtwo","fullName":"Kid Two","password":"Pancake-River-77","installPackages":false}'
if id kidtwo >/dev/null 2>&1 && in_group jupyterhub kidtwo && [ -d /home/kidtwo ]; then check onboard-kid-account ok "$(id kidtwo)"; else check onboard-kid-account fail "$(id kidtwo 2>&1) $(getent group jupyterhub)"; fi
api_ok remove-kid 200 DELETE /api/members/kidone
if [ $kidone_was_in = yes ] && id kidone >/dev/null 2>&1 && ! in_group jupyterhub kidone; then check remove-kid-out-of-group ok "$(getent group jupyterhub)"; else check remove-kid-out-of-group fail "$(getent group jupyterhub)"; fi
# The helper ran as a service of its own, started by its socket (not a child of the panel).
helper_started=$(systemctl show -p ExecMainStartTimestampMonotonic --value jupyterhub-panel-helper.service)
helper_cgroup=$(systemctl show -p ControlGroup --value jupyterhub-panel-helper.service)
helper_log=$(journalctl -b -u jupyterhub-panel-helper.service --no-pager -o cat | tail -n 5)
helper_trigger=$(systemctl show -p TriggeredBy --value jupyterhub-panel-helper.service)
if [ "${helper_started:-0}" != 0 ] && [ "$helper_trigger" = jupyterhub-panel-helper.socket ]; then
  check helper-socket-activated ok "triggered by $helper_trigger, started at monotonic $helper_started; cgroup ${helper_cgroup:-none}; $helper_log"
else
  check helper-socket-activated fail "triggered by ${helper_trigger:-none}; ExecMainStartTimestampMonotonic before $helper_before after $helper_started; $helper_log"
fi
# Who may reach the helper (SECURITY-CASES.md 11): under systemd its socket unit sets
# the gate (root:jupyterhub-panel 0660). A kid and a parent at a terminal are refused
# by the kernel at connect(2); the panel account gets in (it made the changes above).
socket_connect() { # socket_connect USER: prints connected or refused
  runuser -u "$1" -- python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("/run/jupyterhub4family/helper.sock")
except PermissionError:
    print("refused")
else:
    print("connected")' 2>&1
}
gate="kidtwo $(socket_connect kidtwo); $PARENT $(socket_connect "$PARENT"); jupyterhub-panel $(socket_connect jupyterhub-panel); $(stat -c '%U:%G %a' /run/jupyterhub4family/helper.sock)"
if [ "$gate" = "kidtwo refused; $PARENT refused; jupyterhub-panel connected; root:jupyterhub-panel 660" ]; then
  check helper-socket-gate ok "$gate"
else
  check helper-socket-gate fail "$gate"
fi
r=$(api GET '/api/audit?limit=200')
body=${r#* }
n1=$(json_count "$body" kidone 2>&1); n2=$(json_count "$body" kidtwo 2>&1)
if [ "${r%% *}" = 200 ] && [ "${n1:-0}" -ge 2 ] 2>/dev/null && [ "${n2:-0}" -ge 1 ] 2>/dev/null; then
  check audit-has-changes ok "entries for kidone $n1, kidtwo $n2"
else
  check audit-has-changes fail "status ${r%% *}, entries for kidone $n1, kidtwo $n2: ${body:0:600}"
fi

# 3b. A kid's server spawns under the hardened jupyterhub.service (its drop-in,
#     system/hub/jupyterhub.service.d.conf): the kid logs in to the hub with the
#     password the panel set, starts their server, and it runs as the kid and writes
#     in the kid's home.
HUB=https://127.0.0.1:8000
HUBJAR=$DIR/hub-cookies.txt
hub_token=$(cat /etc/jupyterhub-panel/hub-token 2>/dev/null)
kid_ready() { curl -sS --max-time 3 --cacert "$HUB_CA" -H "Authorization: token $hub_token" "$HUB/hub/api/users/kidtwo" | grep -q '"ready": *true'; }
touch "$DIR/spawn-marker"
curl -sS --max-time 10 --cacert "$HUB_CA" -c "$HUBJAR" -b "$HUBJAR" -o /dev/null "$HUB/hub/login"
xsrf=$(awk '$6 == "_xsrf" { print $7 }' "$HUBJAR" | tail -n 1)
login_code=$(curl -sS --max-time 30 --cacert "$HUB_CA" -c "$HUBJAR" -b "$HUBJAR" -o /dev/null -w '%{http_code}' \
  --data-urlencode username=kidtwo --data-urlencode password=Pancake-River-77 --data-urlencode "_xsrf=$xsrf" "$HUB/hub/login")
# As a browser does: GET /hub/spawn starts the default server (no options form).
# (The REST API with the login cookie needs an _xsrf token bound to the session,
# which the hub only sets on a later request.)
spawn=$(curl -sS --max-time 60 --cacert "$HUB_CA" -c "$HUBJAR" -b "$HUBJAR" -o /dev/null -w '%{http_code} %{redirect_url}' "$HUB/hub/spawn" 2>&1)
if wait_for 150 kid_ready; then
  server_pid=$(pgrep -u kidtwo -f jupyterhub-singleuser | head -n 1)
  written=$(find /home/kidtwo -newer "$DIR/spawn-marker" -type f -user kidtwo 2>/dev/null | head -n 3 | tr '\n' ' ')
  caps=$(sed -n 's/^\(CapBnd\|Seccomp\|NoNewPrivs\):[[:space:]]*/\1=/p' "/proc/$server_pid/status" 2>/dev/null | tr '\n' ' ')
  if [ -n "$server_pid" ] && [ "$(ps -o user= -p "$server_pid")" = kidtwo ] && [ -n "$written" ]; then
    check kid-server-spawns-hardened ok "login $login_code, spawn $spawn; server pid $server_pid as kidtwo; $caps; wrote $written"
  else
    check kid-server-spawns-hardened fail "login $login_code, spawn $spawn; server pid ${server_pid:-none}; wrote ${written:-nothing}"
  fi
else
  check kid-server-spawns-hardened fail "login $login_code, spawn $spawn; not ready: $(journalctl -b -u jupyterhub.service --no-pager -o cat | tail -n 15)"
fi
curl -sS --max-time 60 --cacert "$HUB_CA" -H "Authorization: token $hub_token" -X DELETE -o /dev/null "$HUB/hub/api/users/kidtwo/server" || true

# 4. Restart the hub from the panel: a new main PID, and the hub answers again.
hub_pid=$(main_pid jupyterhub.service)
r=$(api POST /api/hub/restart '{}')
wait_for 120 hub_api
hub_pid2=$(main_pid jupyterhub.service)
if [ "${r%% *}" = 200 ] && [ "$hub_pid" != 0 ] && [ "$hub_pid2" != 0 ] && [ "$hub_pid" != "$hub_pid2" ]; then
  check hub-restart-new-pid ok "MainPID $hub_pid -> $hub_pid2; $r"
else
  check hub-restart-new-pid fail "MainPID $hub_pid -> $hub_pid2; $r"
fi
check_cmd hub-restart-answers hub_api

# Root leaves the family hub to systemd: the helper's restart-hub, asked over its
# socket as the panel would, refuses (conflict, exit code 6) and the hub runs on.
hub_pid=$(main_pid jupyterhub.service)
helper_answer=$(runuser -u jupyterhub-panel -- python3 -c 'import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect("/run/jupyterhub4family/helper.sock")
s.sendall(json.dumps({"argv": ["restart-hub", "--actor", sys.argv[1]]}).encode() + b"\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode().strip().splitlines()[-1])' "$PARENT" 2>&1)
hub_pid2=$(main_pid jupyterhub.service)
if [[ $helper_answer == *'"error":"conflict"'*'"exitCode":6'* ]] && [ "$hub_pid" != 0 ] && [ "$hub_pid" = "$hub_pid2" ]; then
  check helper-leaves-hub-to-systemd ok "$helper_answer; MainPID $hub_pid stays"
else
  check helper-leaves-hub-to-systemd fail "$helper_answer; MainPID $hub_pid -> $hub_pid2"
fi

# 5. Restarting the panel leaves the hub running (not in the panel's cgroup).
hub_pid=$(main_pid jupyterhub.service)
panel_pid=$(main_pid jupyterhub-panel.service)
systemctl restart jupyterhub-panel.service
wait_for 120 panel_health
hub_pid2=$(main_pid jupyterhub.service)
panel_pid2=$(main_pid jupyterhub-panel.service)
if [ "$hub_pid" != 0 ] && [ "$hub_pid" = "$hub_pid2" ] && systemctl is-active -q jupyterhub.service && [ "$panel_pid" != "$panel_pid2" ]; then
  check panel-restart-keeps-hub ok "hub MainPID $hub_pid stays; panel $panel_pid -> $panel_pid2; hub cgroup $(systemctl show -p ControlGroup --value jupyterhub.service)"
else
  check panel-restart-keeps-hub fail "hub MainPID $hub_pid -> $hub_pid2 ($(systemctl is-active jupyterhub.service)); panel $panel_pid -> $panel_pid2"
fi
check_cmd panel-health-after-restart panel_health

# 5b. The overview's Updates card under the hardened panel unit: apt-get -s runs as
#     the panel's account (ProtectSystem=strict, its system-call filter), the hub's
#     and the helper's starts come from `systemctl show` (ProtectProc=invisible hides
#     their processes). Both started after the package came, so neither runs old code.
updates_state() { # prints the report's summary; fails until a finished report says all is read
  local r; r=$(api GET /api/updates)
  node -e 'const j = JSON.parse(process.argv[1]); const r = j.report;
if (!r || j.refreshing) { console.log("still checking"); process.exit(1); }
const s = r.services.ok ? Object.fromEntries(r.services.list.map((x) => [x.service, x.state + (x.reason ? " (" + x.reason + ")" : "")])) : r.services.reason;
console.log(JSON.stringify({ pending: r.pending.ok ? { security: r.pending.security.length, other: r.pending.other.length } : r.pending.reason, lastUpgrade: r.lastUpgrade.ok, services: s, ms: r.ms }));
const ok = r.pending.ok && r.lastUpgrade.ok && r.reboot.ok && r.services.ok && s.hub === "current" && s.panel === "current" && ["current", "not_running"].includes(s.helper);
process.exit(ok ? 0 : 1);' "${r#* }" 2>&1
}
wait_for 120 updates_state || true
if out=$(updates_state); then check updates-read-under-systemd ok "$out"; else check updates-read-under-systemd fail "$out"; fi

# 6. The panel's privileges.
nnp=$(systemctl show -p NoNewPrivileges --value jupyterhub-panel.service)
if [ "$nnp" = yes ]; then check panel-unit-nonewprivileges ok "$nnp"; else check panel-unit-nonewprivileges fail "NoNewPrivileges=$nnp"; fi
panel_pid=$(main_pid jupyterhub-panel.service)
status_nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$panel_pid/status" 2>&1)
panel_user=$(ps -o user= -p "$panel_pid" 2>&1)
if [ "$status_nnp" = 1 ] && [ "$panel_user" = jupyterhub-panel ]; then check panel-process-nonewprivs ok "pid $panel_pid user $panel_user NoNewPrivs $status_nnp"
else check panel-process-nonewprivs fail "pid $panel_pid user $panel_user NoNewPrivs $status_nnp"; fi
exposure=$(security jupyterhub-panel.service)
figure exposure-jupyterhub-panel.service "${exposure:-none}"
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then check panel-exposure-at-most-2.0 ok "$exposure"
else check panel-exposure-at-most-2.0 fail "overall exposure ${exposure:-none} (goal <= 2.0)"; fi
figure exposure-jupyterhub-panel-helper.service "$(security jupyterhub-panel-helper.service)"
figure exposure-jupyterhub.service "$(security jupyterhub.service)"

# 7. Reinstall and upgrade keep the family's data.
touch /home/kidtwo/notebook.ipynb
rows=$(audit_rows)
figure audit-rows-before-reinstall "$rows"
keeps_data() { # keeps_data NAME: the parent still logs in, the audit rows and the hub's database are there
  local name=$1 r now
  wait_for 120 panel_health
  r=$(login)
  now=$(audit_rows)
  if [ "${r%% *}" = 200 ] && [ "$now" -ge "$rows" ] && [ "$rows" -gt 0 ] && [ -s /var/lib/jupyterhub/jupyterhub.sqlite ] && \
    systemctl is-active -q jupyterhub-panel.service && wait_for 120 hub_api; then
    check "$name" ok "audit rows $rows -> $now; $(ls -l /var/lib/jupyterhub/jupyterhub.sqlite); $(dpkg-query -W $PACKAGE)"
  else
    check "$name" fail "login ${r%% *}; audit rows $rows -> $now; $(ls -l /var/lib/jupyterhub/jupyterhub.sqlite 2>&1); panel $(systemctl is-active jupyterhub-panel.service)"
  fi
  rows=$now
}
check_cmd reinstall apt-get install -y -q --no-install-recommends --reinstall "$DEB"
keeps_data reinstall-keeps-data
check_cmd upgrade apt-get install -y -q --no-install-recommends "$UPGRADE_DEB"
keeps_data upgrade-keeps-data
figure upgraded-to "$(dpkg-query -W -f '${Version}' $PACKAGE)"

# 8. Purge: nothing of ours left; the kid's home stays.
check_cmd purge apt-get purge -y -q "$PACKAGE"
left=""
for p in /usr/lib/systemd/system/jupyterhub-panel.service /usr/lib/systemd/system/jupyterhub-panel-helper.service \
  /usr/lib/systemd/system/jupyterhub-panel-helper.socket /usr/lib/systemd/system/jupyterhub.service.d/jupyterhub4family.conf \
  /usr/lib/jupyterhub4family /etc/jupyterhub-panel /etc/jupyterhub4family /var/lib/jupyterhub-panel /run/jupyterhub4family/helper.sock \
  /etc/apt/apt.conf.d/52jupyterhub4family-updates /etc/systemd/system/apt-daily-upgrade.timer.d/jupyterhub4family.conf; do
  [ -e "$p" ] && left="$left $p"
done
getent passwd jupyterhub-panel >/dev/null && left="$left account:jupyterhub-panel"
for unit in jupyterhub-panel.service jupyterhub-panel-helper.service jupyterhub-panel-helper.socket; do
  state=$(systemctl show -p LoadState --value "$unit")
  [ "$state" = not-found ] || left="$left unit:$unit=$state"
done
if [ -z "$left" ]; then check purge-leaves-nothing ok "no unit, configuration, data or account left"; else check purge-leaves-nothing fail "left:$left"; fi
if [ -f /home/kidtwo/notebook.ipynb ]; then check purge-keeps-kid-home ok "$(ls -ld /home/kidtwo)"; else check purge-keeps-kid-home fail "$(ls -ld /home/kidtwo 2>&1)"; fi

section 'done'
journalctl -b --no-pager > "$DIR/journal.txt" 2>&1
sync
systemctl poweroff
