"""jupyterhub4family's code for the family hub (Debian's JupyterHub).

Installed root:root as /usr/lib/jupyterhub4family/python/jupyterhub4family/ by the
set-up command (system/install.sh) and shipped there by the .deb; the family hub's
configuration (/etc/jupyterhub4family/jupyterhub_config.py) puts that folder first
on sys.path and takes from here:

- hours: the Jupyter-hours rule and the file it reads, /etc/jupyterhub4family/hours.json
- auth: FamilyPAMAuthenticator (PAM, and the hours at every login)
- spawner: how the hub starts a server (FamilySpawner: the user's umask, not the
  hub's) and what it asks first (the hours)

Written for Python 3.11 with JupyterHub 3.0 (Debian 12) and Python 3.13 with
JupyterHub 5.2 (Debian 13). Nothing here is imported at package import: hours
needs only the standard library, so its tests run without JupyterHub.
"""
