#!/usr/bin/env node
// Clean-install job: proves every package installs and works on its own, outside the workspace.
//
// 1. `pnpm pack` every publishable package (workspace: ranges become real versions).
// 2. Check each tarball holds only what it should (built JS, .d.ts, .wasm, README, LICENSE, package.json)
//    and that package.json has exports, types, engines, sideEffects and no workspace: range.
// 3. For each package alone, in a fresh temp project: `npm install` its tarball plus the tarballs of its
//    own workspace dependencies and nothing else, then run every README example marked as runnable
//    (fenced blocks whose info string is `ts example`, `js example` or `sh example`), compiled with
//    tsc (strict, moduleResolution NodeNext: type errors fail) where they are TypeScript.
//
// 4. Steps 3 runs on every Node line CI tests: the machine's Node and each of scripts/node-lines
//    (npm itself, the type check and the examples run on that line's node).
//
// Ends with a plain line `clean-install: N passed, N failed`.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { nodeLines } from './node-lines.mjs';

const root = resolve(import.meta.dirname, '..');
// What a package needs installed beside it: the facade's three, and the shipping stack on top.
const facade = ['packages/inotify', 'packages/syscall', 'packages/decoder'];
const shipping = [...facade, 'packages/record', 'packages/snapshot'];
const packages = [
  { dir: 'packages/syscall', deps: [] },
  { dir: 'packages/decoder', deps: [] },
  { dir: 'packages/inotify', deps: ['packages/syscall', 'packages/decoder'] },
  { dir: 'packages/record', deps: facade },
  { dir: 'packages/snapshot', deps: [] },
  { dir: 'packages/jetstream', deps: shipping },
  { dir: 'apps/demo', deps: [...shipping, 'packages/jetstream'] },
];
// Dev tools for the type check only; they are not the package's dependencies.
const typeTools = ['typescript@5.9.3', '@types/node@20'];

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`  ok    ${name}`);
  } catch (error) {
    failed++;
    console.log(`  FAIL  ${name}\n${indent(String(error?.stderr || error?.message || error))}`);
    if (error?.stdout) console.log(indent(String(error.stdout)));
  }
}
const indent = (s) =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
function run(cmd, args, cwd, extra = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...extra });
}

const work = mkdtempSync(join(tmpdir(), 'inotify-ts-clean-install-'));

// The type-check tools, installed once beside the projects (not into them: they are not the
// packages' dependencies).
const typeToolsDir = join(work, 'type-tools');
mkdirSync(typeToolsDir);
writeFileSync(join(typeToolsDir, 'package.json'), '{"private":true}');
check(`install ${typeTools.join(' and ')} for the type checks`, () => {
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...typeTools], typeToolsDir);
});

/** The machine's Node, then each pinned line (installed from the npm registry when missing). */
const lines = [{ version: process.version.slice(1), bin: dirname(process.execPath) }];
check('install the Node lines of scripts/node-lines', () => lines.push(...nodeLines()));
/** The environment that runs `node` (and npm, tsc) of `line`. */
const envOf = (line) => ({ ...process.env, PATH: `${line.bin}:${process.env.PATH}` });

const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
const tarballOf = new Map();

console.log(`clean-install: packing into ${tarDir}`);
for (const { dir } of packages) {
  check(`pack ${dir}`, () => {
    const before = new Set(readdirSync(tarDir));
    run('pnpm', ['pack', '--pack-destination', tarDir], join(root, dir));
    const made = readdirSync(tarDir).filter((f) => !before.has(f));
    if (made.length !== 1) throw new Error(`expected one tarball, got ${made.join(', ') || 'none'}`);
    tarballOf.set(dir, join(tarDir, made[0]));
  });
}

const allowed = [
  /^package\/package\.json$/,
  /^package\/README\.md$/,
  /^package\/LICENSE$/,
  /^package\/CHANGELOG\.md$/,
  /^package\/dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/,
  // The sources the maps point to (go-to-definition and stack traces land in them).
  /^package\/src\/.+\.ts$/,
  /^package\/build\/(release|debug)\.wasm$/,
  /^package\/schema\/[^/]+\.schema\.json$/,
];
for (const { dir } of packages) {
  const tarball = tarballOf.get(dir);
  if (!tarball) continue;
  check(`tarball of ${dir} holds only built files, README and LICENSE`, () => {
    const files = run('tar', ['-tzf', tarball], root).trim().split('\n');
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)) || /\.test\./.test(f));
    if (stray.length) throw new Error(`unexpected files: ${stray.join(', ')}`);
    for (const need of ['package/package.json', 'package/README.md', 'package/LICENSE']) {
      if (!files.includes(need)) throw new Error(`missing ${need}`);
    }
    if (!files.some((f) => f.startsWith('package/dist/') && f.endsWith('.d.ts'))) throw new Error('no .d.ts');
    if (dir === 'packages/decoder' && !files.includes('package/build/release.wasm')) {
      throw new Error('missing build/release.wasm');
    }
  });
  check(`every source map in the tarball of ${dir} points to files the tarball holds`, () => {
    const files = new Set(run('tar', ['-tzf', tarball], root).trim().split('\n'));
    const missing = [];
    for (const map of [...files].filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(run('tar', ['-xzOf', tarball, map], root));
      for (const source of sources) {
        const file = posix.normalize(posix.join(posix.dirname(map), source));
        if (!files.has(file)) missing.push(`${map} -> ${source}`);
      }
    }
    if (missing.length) throw new Error(`maps point outside the tarball: ${missing.slice(0, 5).join(', ')}`);
  });
  check(`package.json of ${dir} has exports, types, engines, sideEffects and real versions`, () => {
    const pkg = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], root));
    for (const key of ['exports', 'engines', 'files', 'repository', 'homepage', 'bugs'])
      if (!pkg[key]) throw new Error(`no "${key}"`);
    if (!pkg.types && !pkg.bin) throw new Error('no "types"');
    if (pkg.sideEffects !== false) throw new Error('"sideEffects" is not false');
    const ranges = Object.entries({
      ...pkg.dependencies,
      ...pkg.peerDependencies,
      ...pkg.optionalDependencies,
      ...pkg.devDependencies,
    });
    const bad = ranges.filter(([, v]) => /^(workspace|catalog):/.test(String(v)));
    if (bad.length) throw new Error(`unresolved ranges: ${bad.map(([k, v]) => `${k}@${v}`).join(', ')}`);
  });
}

/** The runnable examples of a README: fenced blocks whose info string is `<lang> example`. */
function examplesOf(readme) {
  const blocks = [];
  const re = /^```(ts|js|sh) example[^\n]*\n([\s\S]*?)^```/gm;
  for (let m = re.exec(readme); m; m = re.exec(readme)) blocks.push({ lang: m[1], code: m[2] });
  return blocks;
}

for (const { dir, deps } of packages) {
  const own = tarballOf.get(dir);
  if (!own) continue;
  const readme = join(root, dir, 'README.md');
  const examples = existsSync(readme) ? examplesOf(readFileSync(readme, 'utf8')) : [];
  check(`README of ${dir} has a runnable example`, () => {
    if (!existsSync(readme)) throw new Error(`no ${dir}/README.md`);
    if (examples.length === 0) throw new Error('no ```ts example / ```js example / ```sh example block');
  });
  for (const line of lines) checkOnLine(dir, deps, own, examples, line);
}

/** Installs `dir` alone into a fresh project with `line`'s npm, and runs its examples on `line`. */
function checkOnLine(dir, deps, own, examples, line) {
  const on = `on Node v${line.version}`;
  const env = envOf(line);
  const node = join(line.bin, 'node');
  const project = join(work, `${dir.replaceAll('/', '-')}-node${line.version}`);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'clean-install-check', private: true, type: 'module' }, null, 2),
  );
  const tarballs = [own, ...deps.map((d) => tarballOf.get(d))];
  let installed = false;
  check(
    `npm install ${dir} alone (with ${deps.length ? deps.join(', ') : 'no workspace deps'}) ${on}`,
    () => {
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], project, { env });
      installed = true;
    },
  );
  if (!installed) return;
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023', 'ESNext.Disposable'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmitOnError: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(typeToolsDir, 'node_modules/@types')],
        outDir: 'out',
      },
      include: ['*.ts'],
    }),
  );
  // Every package loads from plain ESM and type-checks from TypeScript (NodeNext, strict).
  const name = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name;
  writeFileSync(
    join(project, 'import-check.ts'),
    `import * as pkg from '${name}';\nconst names: string[] = Object.keys(pkg);\nconsole.log(names.length);\n`,
  );
  writeFileSync(
    join(project, 'import-check.mjs'),
    `const pkg = await import('${name}');\nconsole.log(Object.keys(pkg).length);\n`,
  );
  const tsc = join(typeToolsDir, 'node_modules/.bin/tsc');
  let compiled = false;
  check(
    `${name} imports from ESM and type-checks from TypeScript with moduleResolution NodeNext ${on}`,
    () => {
      const fromEsm = run(node, ['import-check.mjs'], project, { env }).trim();
      for (const [index, { lang, code }] of examples.entries()) {
        if (lang === 'ts') writeFileSync(join(project, `example-${index + 1}.ts`), code);
      }
      // One compile for the import check and every TypeScript example.
      run(tsc, ['-p', 'tsconfig.json'], project, { env });
      compiled = true;
      const fromTs = run(node, [join(project, 'out', 'import-check.js')], project, { env }).trim();
      if (fromEsm !== fromTs || Number(fromEsm) < 1)
        throw new Error(`exports seen: ESM ${fromEsm}, TS ${fromTs}`);
    },
  );
  examples.forEach(({ lang, code }, index) => {
    const file = join(project, `example-${index + 1}.${lang === 'sh' ? 'sh' : lang === 'ts' ? 'ts' : 'mjs'}`);
    writeFileSync(file, code);
    check(`README example ${index + 1} of ${dir} (${lang}) runs against the installed tarball ${on}`, () => {
      if (lang === 'ts') {
        if (!compiled) throw new Error('the TypeScript examples did not compile (see the import check)');
        return runExample(node, [join(project, 'out', `example-${index + 1}.js`)], project, { env });
      }
      if (lang === 'js') return runExample(node, [file], project, { env });
      return runExample('bash', ['-euo', 'pipefail', file], project, {
        env: { ...env, PATH: `${join(project, 'node_modules/.bin')}:${env.PATH}` },
      });
    });
  });
}

function runExample(cmd, args, cwd, extra = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, ...extra });
  if (r.status !== 0) {
    throw Object.assign(new Error(`exit ${r.status ?? r.signal}`), { stdout: r.stdout, stderr: r.stderr });
  }
  const lines = r.stdout.trimEnd().split('\n');
  console.log(indent(lines.slice(0, 8).join('\n') + (lines.length > 8 ? `\n… (${lines.length} lines)` : '')));
}

if (!process.env.KEEP_CLEAN_INSTALL) rmSync(work, { recursive: true, force: true });
console.log(`clean-install: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
