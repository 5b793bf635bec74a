"""The family hub's authenticator: PAM, the group jupyterhub, and the kid's Jupyter hours."""
from jupyterhub.auth import PAMAuthenticator
from jupyterhub.utils import maybe_future

from .hours import hours_allow


class FamilyPAMAuthenticator(PAMAuthenticator):
    """PAM, the group jupyterhub, and the kid's Jupyter hours at every login."""

    # The hours go into the "blocked" check: in JupyterHub 3.0 and 5.2 alike it is
    # called at every login and only there, and unlike check_allowed it is not
    # skipped when a local_config.py sets Authenticator.allow_all (5.x).
    async def check_blocked_users(self, username, authentication=None):
        passed = await maybe_future(super().check_blocked_users(username, authentication))
        if not passed:
            return False
        if not hours_allow(username, self.log):
            self.log.warning('Jupyter hours: %s is outside their hours: login refused', username)
            return False
        return True
