// The accounts and groups the family's JupyterHub is built from: one set of
// names for the root helper and the panel (lib/constants.ts re-exports them).
/** The hub's account (Debian's jupyterhub package); its primary group is ACCESS_GROUP. */
export const HUB_ACCOUNT = 'jupyterhub';
/** The panel's service account, and the group that may connect to the helper's socket. */
export const PANEL_ACCOUNT = 'jupyterhub-panel';
/** Its supplementary members may use JupyterHub (the hub's allowed_groups). */
export const ACCESS_GROUP = 'jupyterhub';
/** The parents: they may log in to the panel and act through the helper. */
export const ADMIN_GROUP = 'jupyterhub_adm';
