// The panel's token for the hub and the files the root helper keeps it in: all
// the root helper needs of the hub's knowledge (lib/shared/hub-facts.ts, the rest, is
// the agent's and the panel's).

/** Where connect-hub leaves the token (root:jupyterhub-panel 0640) and a copy of the hub's certificate (0644) for the panel. */
export const PANEL_HUB_TOKEN_FILE = '/etc/jupyterhub-panel/hub-token';
export const PANEL_HUB_CERT_COPY = '/etc/jupyterhub-panel/hub-cert.pem';
/** The panel's service token: 64 lower-case hex digits. */
export const TOKEN_RE = /^[0-9a-f]{64}$/;
