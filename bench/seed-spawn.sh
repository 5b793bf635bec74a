#!/bin/bash
# The seed's way (jupyterhub4family 1.0), for bench/first-spawn.ts: the spawner's
# command. When the kid's ~/.local has no server yet, pip installs it --user at this
# first spawn (as the seed's spawn wrapper did), here from the local wheelhouse
# given as $1; then the server runs from ~/.local. Runs as the kid (JupyterHub's
# local spawner). --ignore-installed: Debian's Jupyter is installed system-wide in
# the sandbox, which the seed's machine did not have; without it pip would install
# nothing.
set -euo pipefail
wheelhouse=$1
shift
if [ ! -x "$HOME/.local/bin/jupyterhub-singleuser" ] || [ ! -x "$HOME/.local/bin/jupyter-notebook" ]; then
  echo "seed-spawn: first spawn of $USER: pip install --user from $wheelhouse" >&2
  PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 /usr/bin/python3 -m pip install --user --ignore-installed \
    --no-index --find-links "$wheelhouse" --progress-bar off --no-input --no-warn-script-location -- jupyterhub notebook >&2
fi
exec "$HOME/.local/bin/jupyterhub-singleuser" "$@"
