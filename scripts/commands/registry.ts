import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { parseModelId } from '../../models/families';
import { diffManifests, renderDiff } from '../../models/registry/diff';
import { createRegistry } from '../../models/registry/index';
import type { ModelRegistry } from '../../models/registry/types';
import { action } from '../cli/run';

/** `vader@1.2.0` → parts; the registry needs an explicit version. */
export function versionedId(id: string): { family: string; version: string } {
  const parsed = parseModelId(id);
  if (!parsed.version)
    throw new InputError(`"${id}" needs a version, e.g. ${parsed.family}@1.0.0`, { input: id });
  if (parsed.version === 'builtin')
    throw new InputError(
      `"${id}" ships in the code and is not kept in the registry: name a released version, e.g. ${parsed.family}@1.0.0`,
      { input: id },
    );
  return { family: parsed.family, version: parsed.version };
}

function registry(): ModelRegistry {
  return createRegistry(readEnv(), process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {});
}

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

export function registerRegistryCommand(program: Command): void {
  const cmd = program
    .command('registry')
    .description(
      'model versions in the registry (GitHub Releases with GITHUB_TOKEN + GITHUB_REPOSITORY, else $FINSENT_DATA_DIR/registry)',
    );

  cmd
    .command('list [family]')
    .description('versions of a family (or of every family), newest first')
    .option('--json', 'JSON output')
    .action(
      action(async (family: string | undefined, o: { json?: boolean }) => {
        const reg = registry();
        const families = family ? [family] : await reg.listFamilies();
        const rows = (await Promise.all(families.map((f) => reg.listVersions(f)))).flat();
        if (o.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print(`no versions in the ${reg.kind} registry (${reg.location})`);
        for (const r of rows) print(`${r.tag.padEnd(24)} ${r.publishedAt ?? 'unpublished'}  ${r.url}`);
      }),
    );

  cmd
    .command('show <id>')
    .description('the manifest of a version, e.g. vader@1.2.0')
    .option('--json', 'the manifest as JSON')
    .action(
      action(async (id: string, o: { json?: boolean }) => {
        const { family, version } = versionedId(id);
        const m = await registry().getManifest(family, version);
        if (o.json) return print(JSON.stringify(m, null, 2));
        print(
          `${m.tag}  created ${m.createdAt}  parent ${m.parent ?? 'none'}  (${m.bump.level}: ${m.bump.reason})`,
        );
        print(
          `trained on ${m.training.dataset} (${m.training.n} examples, ${m.training.fingerprint}), seed ${m.training.seed}, commit ${m.code.commit}`,
        );
        const t = m.metrics.test;
        if (t) {
          print(
            `test ${t.dataset} (n=${t.n}): macro-F1 ${t.macroF1.value.toFixed(3)} [${t.macroF1.lower.toFixed(3)}, ${t.macroF1.upper.toFixed(3)}], ` +
              `accuracy ${t.accuracy.value.toFixed(3)} [${t.accuracy.lower.toFixed(3)}, ${t.accuracy.upper.toFixed(3)}]`,
          );
        }
        for (const c of m.metrics.comparisons)
          print(`vs ${c.against}: ${c.verdict}, Δmacro-F1 ${c.deltaMacroF1.value.toFixed(3)}`);
        for (const a of m.artifacts) print(`  ${a.name}  ${a.bytes} bytes  sha256 ${a.sha256}`);
      }),
    );

  cmd
    .command('download <id>')
    .description('download a version (sha256-verified) into a directory')
    .option('--out <dir>', 'target directory (default ./<family>-v<version>)')
    .action(
      action(async (id: string, o: { out?: string }) => {
        const { family, version } = versionedId(id);
        const dir = await registry().fetch(family, version);
        const out = path.resolve(o.out ?? `${family}-v${version}`);
        mkdirSync(out, { recursive: true });
        cpSync(dir, out, { recursive: true });
        print(`${family}@${version} verified and written to ${out}`);
      }),
    );

  cmd
    .command('diff <a> <b>')
    .description('what changed between two versions: artifacts, data, hyperparameters, metrics')
    .option('--json', 'JSON output')
    .action(
      action(async (a: string, b: string, o: { json?: boolean }) => {
        const reg = registry();
        const x = versionedId(a);
        const y = versionedId(b);
        const d = diffManifests(
          await reg.getManifest(x.family, x.version),
          await reg.getManifest(y.family, y.version),
        );
        print(o.json ? JSON.stringify(d) : renderDiff(d));
      }),
    );
}
