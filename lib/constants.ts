// Names shared by the server, the route handlers and the tests.
export const BASE_PATH = '/panel';
export const SESSION_COOKIE = 'jh4f_session';
/** Set by server/server.ts from the socket; any copy sent by a client is overwritten. */
export const CLIENT_ADDRESS_HEADER = 'x-jh4f-client-address';
/** JSON bodies are small; anything larger is refused with 413 before Next reads it. */
export const MAX_BODY_BYTES = 64 * 1024;
// The account and group names, one set for the helper and the panel.
export { PANEL_ACCOUNT, ACCESS_GROUP, ADMIN_GROUP } from './shared/names';
