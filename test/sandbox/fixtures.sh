# shellcheck shell=bash
# Fixture accounts and the family's JupyterHub, for test/sandbox/run.sh.
# Sourced inside the sandbox only: everything here edits the throwaway /etc and /home.
# The same names and passwords are exported to tests by test/sandbox/fixtures.ts.

# name:password:groups:full name
FIXTURE_PARENTS=(
  "mama:mama-pass-1:jupyterhub_adm:Maria Mustermann"
  "papa:papa-pass-1:jupyterhub_adm:Peter Mustermann"
)
FIXTURE_KIDS=(
  "anna:anna-pass-1:jupyterhub:Anna Mustermann"
  "ben:ben-pass-1:jupyterhub:Ben Mustermann"
)
FIXTURE_OTHERS=(
  "kim:kim-pass-1::Kim Nachbar"
  "sudoer:sudoer-pass-1:sudo:Sam Sudo"
  "locked:locked-pass-1::Lou Locked"
  "expired:expired-pass-1::Eve Expired"
)

make_groups() {
  getent group jupyterhub >/dev/null || groupadd jupyterhub
  getent group jupyterhub_adm >/dev/null || groupadd jupyterhub_adm
}

make_hub_account() {
  # As jupyterhub4family's package does: the hub account with the access group as
  # its primary group, in shadow for PAM, and the parents' group.
  getent group jupyterhub >/dev/null || groupadd jupyterhub
  getent group jupyterhub_adm >/dev/null || groupadd jupyterhub_adm
  useradd --create-home --home-dir /home/jupyterhub --gid jupyterhub --groups shadow \
    --shell /bin/bash --comment "JupyterHub service" jupyterhub
}

make_fixture_accounts() {
  local entry name password groups full
  for entry in "${FIXTURE_PARENTS[@]}" "${FIXTURE_KIDS[@]}" "${FIXTURE_OTHERS[@]}"; do
    IFS=: read -r name password groups full <<<"$entry"
    useradd --create-home --shell /bin/bash --user-group --comment "$full" ${groups:+--groups "$groups"} -- "$name"
    printf '%s:%s\n' "$name" "$password" | chpasswd
  done
  usermod --lock locked
  chage --expiredate 0 expired
  # A system account (uid below UID_MIN) that must never be handed to the hub.
  useradd --system --shell /usr/sbin/nologin --no-create-home svcacct
}

fixture_credentials() {
  local -n list="FIXTURE_${1^^}"
  local entry out=""
  for entry in "${list[@]}"; do
    out+="$(cut -d: -f1 <<<"$entry")/$(cut -d: -f2 <<<"$entry")  "
  done
  echo "$out"
}

HUB_SERVICE_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The family hub is set up by the set-up command itself; the tests get a service
# token of their own (more scopes than the panel's) through the hub's local
# configuration, which the set-up loads and keeps.
add_family_hub_test_token() {
  install -d -m 0755 /etc/jupyterhub4family
  # It holds a token: root's alone, as the hub (root) is the only reader.
  install -o root -g root -m 0600 /dev/null /etc/jupyterhub4family/local_config.py
  cat > /etc/jupyterhub4family/local_config.py <<EOF
# Test sandbox only: a service token for the tests.
c.JupyterHub.services.append({'name': 'jh4f-sandbox', 'api_token': '$HUB_SERVICE_TOKEN'})
c.JupyterHub.load_roles.append({
    'name': 'jh4f-sandbox',
    'scopes': ['read:hub', 'read:users', 'read:servers', 'servers', 'admin:users', 'admin:servers', 'tokens'],
    'services': ['jh4f-sandbox'],
})
EOF
}

# The seed hub (jupyterhub4family 1.0): Debian's jupyterhub 3.0 as the account
# jupyterhub, https on 127.0.0.1:8000 with a self-signed certificate without
# subjectAltName, PAM login for the group jupyterhub, a service token for the
# tests, started the way its crontab starts it: inside screen session jupyterhub_serve.
start_seed_hub() {
  local home=/home/jupyterhub
  install -d -o jupyterhub -g jupyterhub -m 0750 "$home/etc"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=jupyterhub \
    -keyout "$home/etc/cert.key" -out "$home/etc/cert.crt" 2>/dev/null
  chown jupyterhub:jupyterhub "$home/etc/cert.key" "$home/etc/cert.crt"
  chmod 0600 "$home/etc/cert.key"
  cat > "$home/etc/jupyterhub_config.py" <<EOF
# jupyterhub4family hub configuration (test sandbox)
c.JupyterHub.bind_url = 'https://127.0.0.1:8000'
c.JupyterHub.ssl_cert = '$home/etc/cert.crt'
c.JupyterHub.ssl_key = '$home/etc/cert.key'
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = 8081
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:8001'
c.JupyterHub.db_url = 'sqlite:///$home/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '$home/jupyterhub_cookie_secret'
c.JupyterHub.authenticator_class = 'pam'
c.PAMAuthenticator.allowed_groups = {'jupyterhub'}
c.PAMAuthenticator.open_sessions = False
c.JupyterHub.spawner_class = 'jupyterhub.spawner.SimpleLocalProcessSpawner'
c.JupyterHub.services = [{'name': 'jh4f-sandbox', 'api_token': '$HUB_SERVICE_TOKEN'}]
c.JupyterHub.load_roles = [{
    'name': 'jh4f-sandbox',
    'scopes': ['read:hub', 'read:users', 'read:servers', 'servers', 'admin:users'],
    'services': ['jh4f-sandbox'],
}]
EOF
  chown jupyterhub:jupyterhub "$home/etc/jupyterhub_config.py"
  cat > "$home/start-hub.sh" <<'EOF'
#!/bin/bash
# What the hub account's crontab runs every minute (#jupyterhub-service#).
cd "$HOME" || exit 1
screen -ls jupyterhub_serve 2>/dev/null | grep -q jupyterhub_serve && exit 0
export NODE_PATH=/usr/share/nodejs
exec screen -dmS jupyterhub_serve bash -c 'echo $$ > "$HOME/hub.pid"; exec jupyterhub -f "$HOME/etc/jupyterhub_config.py" >> "$HOME/bootstrap.log" 2>&1'
EOF
  chown jupyterhub:jupyterhub "$home/start-hub.sh"
  chmod 0755 "$home/start-hub.sh"
  echo "* * * * * $home/start-hub.sh #jupyterhub-service#" | crontab -u jupyterhub -
  runuser -u jupyterhub -- "$home/start-hub.sh"
  for _ in $(seq 120); do
    curl -fsS --max-time 2 --cacert "$home/etc/cert.crt" --resolve jupyterhub:8000:127.0.0.1 \
      https://jupyterhub:8000/hub/health >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! curl -fsS --max-time 2 -k https://127.0.0.1:8000/hub/health >/dev/null 2>&1; then
    echo "[sandbox] JupyterHub did not come up; its log:" >&2
    tail -n 40 "$home/bootstrap.log" >&2
    return 1
  fi
  cp "$home/hub.pid" "$STATE/hub.pid"
}
