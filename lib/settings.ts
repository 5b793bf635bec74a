import 'server-only';
// The process's settings, loaded once (lib/config.ts reads panel.env and the
// environment). A restart picks up changes, as panel.env documents.
import { loadConfig, type PanelConfig } from './config';

const KEY = Symbol.for('jh4f.settings');
type Holder = { [KEY]?: PanelConfig };
const holder = globalThis as Holder;

export function settings(): PanelConfig {
  return (holder[KEY] ??= loadConfig());
}
