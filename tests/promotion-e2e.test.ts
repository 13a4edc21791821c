import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_CONFIG_PATH } from '../config/models';
import { parsePromotionConfig } from '../config/promotion';
import { parseTrainingConfig } from '../config/training';
import { readEnv } from '../lib/env';
import { loadEffectiveModelsConfig } from '../models/promotion/effective-config';
import { promoteLocally } from '../models/promotion/local';
import { planRollback } from '../models/promotion/rollback';
import { runTrainingLoop } from '../models/promotion/stage';
import { listPromotions } from '../models/promotion/store';
import { LocalRegistry } from '../models/registry/local';
import { listRuns } from '../models/training/runs-store';
import { runTrainStage, type StageContext } from '../models/training/stage';
import { trainCandidate } from '../models/training/train';
import type { Db } from '../pipeline/store/db';
import { fakeFamilies, fakeVaderTrainer, syntheticHeadlines } from './fixtures/promotion/fake-models';
import { dbTargets } from './helpers/db';

const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeJsonl(file: string, rows: { text: string; label: string }[]) {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
}

describe.each(dbTargets())('train → compare → register → promote on the local registry ($name)', (target) => {
  let db: Db;
  let ctx: StageContext;
  const lines: string[] = [];
  const root = path.join(tmp, target.name);

  beforeAll(async () => {
    db = await target.open();
    mkdirSync(path.join(root, 'data'), { recursive: true });
    writeJsonl(path.join(root, 'data', 'train.jsonl'), syntheticHeadlines(600, 1));
    writeJsonl(path.join(root, 'data', 'validation.jsonl'), syntheticHeadlines(150, 2));
    writeJsonl(path.join(root, 'data', 'test.jsonl'), syntheticHeadlines(300, 3));
    copyFileSync(MODELS_CONFIG_PATH, path.join(root, 'models.yaml'));
    ctx = {
      env: readEnv({ FINSENT_DATA_DIR: path.join(root, 'state') }),
      db,
      registry: new LocalRegistry(path.join(root, 'state', 'registry')),
      families: fakeFamilies(),
      trainers: { vader: () => fakeVaderTrainer },
      log: (line) => lines.push(line),
      repoRoot: root,
      modelsConfigFile: path.join(root, 'models.yaml'),
      commit: 'f'.repeat(40),
      trigger: 'main-job',
      trainingConfig: parseTrainingConfig(`
datasets:
  synthetic: { train: data/train.jsonl, validation: data/validation.jsonl, test: data/test.jsonl }
families:
  vader: { dataset: synthetic, seed: 7 }
`),
      promotionConfig: parsePromotionConfig('bootstrap: { resamples: 1000, seed: 5 }'),
    };
  });
  afterAll(async () => {
    await db?.close();
  });

  it('trains, beats vader-base and the built-in champion, registers 1.0.0 and promotes it locally', async () => {
    const loop = await runTrainingLoop(ctx);
    expect(loop.trained.plan).toMatchObject({ version: '1.0.0', level: 'initial', existing: false });
    expect(loop.compared.comparisons.map((c) => [c.against, c.result.verdict.verdict])).toEqual([
      ['vader-base', 'superior'],
      ['vader', 'superior'],
    ]);
    expect(loop.promoted).toMatchObject({
      outcome: 'promoted-locally',
      version: '1.0.0',
      verdict: 'superior',
    });
    // The registry holds the release with held-out metrics, intervals and both comparisons.
    const manifest = await ctx.registry.getManifest('vader', '1.0.0');
    expect(manifest.metrics.test!.n).toBe(300);
    expect(manifest.metrics.test!.macroF1.lower).toBeLessThan(manifest.metrics.test!.macroF1.value);
    expect(manifest.metrics.comparisons.map((c) => c.against)).toEqual(['vader-base@3.3.1', 'vader@builtin']);
    expect(manifest.training).toMatchObject({
      dataset: 'synthetic',
      n: 600,
      seed: 7,
      runId: loop.trained.candidate.runId,
    });
    expect(manifest.code.commit).toBe('f'.repeat(40));
    // The champion changed in the data directory's copy, the repository file did not.
    expect(
      loadEffectiveModelsConfig(ctx.env.dataDir, ctx.modelsConfigFile).config.families.vader!.champion,
    ).toBe('1.0.0');
    expect(readFileSync(ctx.modelsConfigFile!, 'utf8')).toContain(
      'champion: builtin # until the first trained release',
    );
    const localCopy = readFileSync(path.join(ctx.env.dataDir, 'config', 'models.yaml'), 'utf8');
    expect(localCopy).toMatch(/champion: 1\.0\.0 # promoted locally \d{4}-\d\d-\d\d \(superior\)/);
    expect(localCopy).toContain('# A/B split: arms with traffic shares summing to 1');
    // Everything was recorded.
    const runs = await listRuns(db, { family: 'vader' });
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      version: '1.0.0',
      trigger: 'main-job',
      n_train: 600,
    });
    const promotions = await listPromotions(db, 'vader');
    expect(promotions).toHaveLength(1);
    expect(promotions[0]).toMatchObject({
      from_version: 'builtin',
      to_version: '1.0.0',
      mode: 'local',
      kind: 'promote',
    });
    const cmp = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM comparisons');
    expect(cmp[0]!.n).toBe(2);
    expect(lines.join('\n')).toMatch(/promoted vader@1\.0\.0 locally \(was builtin; verdict superior\)/);
    expect(lines.join('\n')).toMatch(/lower 95% CI bound of Δmacro-F1/);
  });

  it('re-running changes nothing: same artifacts, same version, already champion', async () => {
    const loop = await runTrainingLoop(ctx);
    expect(loop.trained.plan).toMatchObject({ version: '1.0.0', existing: true });
    expect(loop.registered.created).toBe(false);
    expect(loop.promoted.outcome).toBe('already-champion');
    expect(loop.compared.note).toBe('vader@1.0.0 already is the champion');
    expect((await ctx.registry.listVersions('vader')).map((v) => v.version)).toEqual(['1.0.0']);
    expect(await listPromotions(db, 'vader')).toHaveLength(1);
    expect(await listRuns(db, { family: 'vader' })).toHaveLength(2);
  });

  it('a retrain with other hyperparameters becomes 1.1.0 and is not promoted when it is no better', async () => {
    const trained = await runTrainStage(ctx, { params: { minCount: 6 } });
    expect(trained.plan).toMatchObject({ version: '1.1.0', level: 'minor', parent: '1.0.0' });
    const { runCompareStage } = await import('../models/compare/stage');
    const { runRegisterStage } = await import('../models/registry/stage');
    const { runPromoteStage } = await import('../models/promotion/stage');
    const compared = await runCompareStage(ctx, trained, { baselines: [] });
    const registered = await runRegisterStage(ctx, trained, compared);
    const promoted = await runPromoteStage(ctx, trained, compared, registered);
    expect(compared.decisive!.result.a.id).toBe('vader@1.0.0');
    // Same lexicon, other metadata: identical predictions, Δ = 0 exactly.
    expect(compared.decisive!.result.bootstrap.deltaMacroF1).toMatchObject({ lower: 0, upper: 0 });
    expect(promoted.verdict).toBe('non-inferior');
    expect(promoted.outcome).toBe('not-promoted');
    expect((await ctx.registry.getManifest('vader', '1.1.0')).parent).toBe('1.0.0');
    expect(
      loadEffectiveModelsConfig(ctx.env.dataDir, ctx.modelsConfigFile).config.families.vader!.champion,
    ).toBe('1.0.0');
  });

  it('rolls back to the previous champion from the audit trail, and records it', async () => {
    const plan = await planRollback({ family: 'vader', current: '1.0.0', registry: ctx.registry, db });
    expect(plan).toMatchObject({
      to: 'builtin',
      reason: 'the champion before 1.0.0 (promotions audit trail)',
    });
    const out = await promoteLocally({
      family: 'vader',
      version: plan.to,
      dataDir: ctx.env.dataDir,
      registry: ctx.registry,
      db,
      kind: 'rollback',
      repoModelsFile: ctx.modelsConfigFile!,
    });
    expect(out).toMatchObject({ changed: true, previous: '1.0.0', kind: 'rollback' });
    expect(
      loadEffectiveModelsConfig(ctx.env.dataDir, ctx.modelsConfigFile).config.families.vader!.champion,
    ).toBe('builtin');
    expect((await listPromotions(db, 'vader'))[0]).toMatchObject({ kind: 'rollback', to_version: 'builtin' });
    await expect(
      planRollback({ family: 'vader', current: '1.1.0', to: '7.0.0', registry: ctx.registry }),
    ).rejects.toThrow(/vader@7\.0\.0 is not in the registry .* versions there: 1\.1\.0, 1\.0\.0/);
  });

  it('is deterministic for a seed and records a failed run with its error', async () => {
    const data = (await runTrainStage(ctx)).candidate.data;
    const deps = { trainers: { vader: () => fakeVaderTrainer }, commit: 'x' };
    const a = await trainCandidate({ family: 'vader', data, seed: 11 }, deps);
    const b = await trainCandidate({ family: 'vader', data, seed: 11 }, deps);
    const c = await trainCandidate({ family: 'vader', data, seed: 12 }, deps);
    expect(a.artifactDigest).toBe(b.artifactDigest);
    expect(c.artifactDigest).not.toBe(a.artifactDigest);
    const empty = { ...data, train: { ...data.train, rows: [] } };
    await expect(trainCandidate({ family: 'vader', data: empty, seed: 1 }, { ...deps, db })).rejects.toThrow(
      /no training examples/,
    );
    expect((await listRuns(db, { family: 'vader' }))[0]).toMatchObject({
      status: 'failed',
      error: 'no training examples',
    });
    await expect(trainCandidate({ family: 'finbert', data, seed: 1 }, deps)).rejects.toThrow(
      /no trainer for "finbert": trainable families are vader/,
    );
  });
});
