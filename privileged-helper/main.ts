// Entry point of the root helper, bundled to dist/helper/helper.js and
// installed as /usr/libexec/jupyterhub-panel/helper (root:root 0755).
import { main } from './helper';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
