// Entry point of the root helper, bundled to dist/helper/helper.js and
// installed as /usr/libexec/jupyterhub-panel/helper (root:root 0755).
//   helper --serve [SOCKET]   the panel's requests over a socket (serve.ts)
//   helper COMMAND ARGS...    one command, for a person at a terminal (pkexec)
import { main } from './execute';
import { serve } from './serve';

const argv = process.argv.slice(2);
if (argv[0] === '--serve' && argv.length <= 2) {
  serve(argv);
} else {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
