// Lines of TypeScript that run as root: the sources the root
// helper's bundle is built from (esbuild's metafile of the same build
// scripts/build.mjs makes), counted per file. "Code" lines are those that are
// neither blank nor only a comment: comments do not run, and the count must not
// reward deleting the reasons next to the code. Next to it, the same count for
// the unprivileged agent (privileged-helper/agent/), which the root part starts
// as the hub account, the panel's account or a kid: code that left root.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { format, type Figure } from './lib';

const REPO = path.resolve(__dirname, '..');
export const ROOT_ENTRY = 'privileged-helper/root/main.ts';
export const AGENT_ENTRY = 'privileged-helper/agent/main.ts';

export interface FileLines {
  file: string;
  lines: number;
  code: number;
}

/** Lines that are neither blank nor only comment. Pure; good enough for this code base (no comment markers inside strings at line starts). */
export function codeLines(text: string): number {
  let n = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end === -1) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    while (line.startsWith('/*')) {
      const end = line.indexOf('*/', 2);
      if (end === -1) {
        inBlock = true;
        line = '';
        break;
      }
      line = line.slice(end + 2).trim();
    }
    if (line === '' || line.startsWith('//')) continue;
    n++;
  }
  return n;
}

/** The bundle's own source files (node: built-ins are external) with their line counts, largest first. */
export async function bundleLines(entry: string): Promise<FileLines[]> {
  const r = await build({
    entryPoints: [path.join(REPO, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: '/dev/null',
    logLevel: 'silent',
    absWorkingDir: REPO,
  });
  return Object.keys(r.metafile.inputs)
    .map((file) => {
      const text = fs.readFileSync(path.join(REPO, file), 'utf8');
      return { file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), code: codeLines(text) };
    })
    .sort((a, b) => b.code - a.code);
}

export async function benchRootLines(): Promise<Figure[]> {
  const root = await bundleLines(ROOT_ENTRY);
  const agent = fs.existsSync(path.join(REPO, AGENT_ENTRY)) ? await bundleLines(AGENT_ENTRY) : [];
  const sum = (files: FileLines[], key: 'lines' | 'code') => files.reduce((n, f) => n + f[key], 0);
  for (const [name, files] of [
    ['root helper (runs as root)', root],
    ['agent (runs as the hub account, the panel or a kid)', agent],
  ] as const) {
    if (files.length === 0) continue;
    console.log(`  ${name}: ${files.length} files, ${sum(files, 'code')} code lines, ${sum(files, 'lines')} lines`);
    for (const f of files) console.log(`    ${String(f.code).padStart(5)} ${String(f.lines).padStart(5)}  ${f.file}`);
  }
  return [
    { name: 'TypeScript run as root, code lines (goal < 1000)', unit: 'lines', median: sum(root, 'code'), runs: 1 },
    { name: 'TypeScript run as root, all lines with comments', unit: 'lines', median: sum(root, 'lines'), runs: 1 },
    ...(agent.length ? [{ name: 'TypeScript run unprivileged by the agent, code lines', unit: 'lines', median: sum(agent, 'code'), runs: 1 }] : []),
  ];
}

// `node --import tsx bench/root-lines.ts`: this figure alone, outside the sandbox.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  void benchRootLines().then((figures) => {
    for (const f of figures) console.log(`  ${format(f)}`);
  });
}
