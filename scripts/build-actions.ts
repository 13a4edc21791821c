/**
 * Bundles every custom action (`actions/<name>/main.ts`) into `actions/<name>/dist/` with ncc,
 * per docs/adr/025-action-bundles.md. With `--check`, builds into a temporary folder and exits 1
 * when a committed dist differs from a fresh build (CI runs this).
 *
 *   npx tsx scripts/build-actions.ts            # rebuild all
 *   npx tsx scripts/build-actions.ts collect    # rebuild one
 *   npx tsx scripts/build-actions.ts --check    # are the committed bundles current?
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../lib/paths';

// PGlite stays outside the bundle: webpack mangles its `import('node:module')` (createRequire
// comes back undefined) and its WebAssembly assets are 15 MB. Actions load it from the
// checkout's node_modules, and only need it when no DATABASE_URL is given (see the ADR).
// The model-stage actions (train, evaluate, promote) also keep ONNX Runtime and transformers.js
// outside: their workflows run `npm ci` anyway, and those packages ship native binaries.
const EXTERNALS = ['@electric-sql/pglite', 'onnxruntime-node', '@huggingface/transformers'];

/**
 * ncc turns an external into a static top-level `import * as X from "pkg"`, which would make the
 * bundle fail at start-up wherever the package is absent — even when Postgres is used and PGlite
 * never would be. This rewrites it into a tolerant dynamic import: when the package is missing,
 * any use of it rethrows the original ERR_MODULE_NOT_FOUND, which openDataDb turns into advice.
 */
function lazyExternals(file: string): void {
  let code = readFileSync(file, 'utf8');
  for (const name of EXTERNALS) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const re = new RegExp(`^import \\* as (\\w+) from "${escaped}";$`, 'm');
    code = code.replace(
      re,
      (_all, id: string) =>
        `const ${id} = await import("${name}").catch((error) => new Proxy({}, ` +
        `{ get(_t, key) { if (key === "then") return undefined; throw error; } }));`,
    );
    if (new RegExp(`^import [^;]* from "${escaped}";$`, 'm').test(code)) {
      throw new Error(`${file}: could not make the external ${name} lazy; ncc's output format changed`);
    }
  }
  writeFileSync(file, code);
}

/** An action's bundle entry: `index.ts` when it has one (main.ts then only exports `run`), else `main.ts`. */
function entryOf(name: string): string | undefined {
  for (const file of ['index.ts', 'main.ts']) {
    const p = path.join(REPO_ROOT, 'actions', name, file);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.filter((a) => !a.startsWith('--'));
const actionsDir = path.join(REPO_ROOT, 'actions');
const names = readdirSync(actionsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && entryOf(d.name) !== undefined)
  .map((d) => d.name)
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

function build(name: string, out: string): void {
  const ncc = path.join(REPO_ROOT, 'node_modules', '.bin', 'ncc');
  const res = spawnSync(
    ncc,
    ['build', entryOf(name)!, '-o', out, '-t', '-q', ...EXTERNALS.flatMap((e) => ['-e', e])],
    { stdio: ['ignore', 'inherit', 'inherit'], cwd: REPO_ROOT },
  );
  if (res.status !== 0) throw new Error(`ncc failed for actions/${name} (exit ${res.status})`);
  lazyExternals(path.join(out, 'index.js'));
}

/** Actions whose `dist/` is git-ignored are built by their workflow instead (ADR 025, amended). */
function builtInWorkflow(name: string): boolean {
  const ignore = path.join(actionsDir, name, '.gitignore');
  return existsSync(ignore) && /^\/?dist\/?$/m.test(readFileSync(ignore, 'utf8'));
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

let stale = 0;
for (const name of names) {
  const dist = path.join(actionsDir, name, 'dist');
  if (!check) {
    rmSync(dist, { recursive: true, force: true });
    build(name, dist);
    process.stdout.write(`built actions/${name}/dist\n`);
    continue;
  }
  if (builtInWorkflow(name)) {
    process.stdout.write(`actions/${name}/dist is built in its workflow (not committed)\n`);
    continue;
  }
  const tmp = mkdtempSync(path.join(tmpdir(), `finsent-dist-${name}-`));
  try {
    build(name, tmp);
    const fresh = files(tmp);
    const committed = files(dist);
    const same =
      fresh.join() === committed.join() &&
      fresh.every((f) => readFileSync(path.join(tmp, f)).equals(readFileSync(path.join(dist, f))));
    if (!same) {
      stale++;
      process.stderr.write(
        `actions/${name}/dist is stale: run \`npm run build:actions\` and commit the result\n`,
      );
    } else {
      process.stdout.write(`actions/${name}/dist is current\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
if (stale > 0) process.exitCode = 1;
