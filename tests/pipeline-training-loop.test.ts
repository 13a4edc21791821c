import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFamilyRegistry } from '../models/families';
import { modelLoadContext } from '../models/load-context';
import { writeLocalChampion } from '../models/promotion/effective-config';
import type { PromoteStageResult } from '../models/promotion/stage';
import type { Registered } from '../models/training/register';
import { runMainJob } from '../pipeline/main-job';
import type { Db } from '../pipeline/store/db';
import { openStore } from '../pipeline/store/open';
import { trainingLoopStages } from '../pipeline/training-loop';

const dataDir = mkdtempSync(path.join(tmpdir(), 'finsent-loop-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { dataDir };
const families = createFamilyRegistry();
let db: Db;
beforeAll(async () => {
  db = await openStore(env, { inMemory: true });
});
afterAll(() => db?.close());

async function runLoop() {
  let text = '';
  // One store for both runs (the job closes what it opens; this one outlives it). A one-point
  // hyperparameter grid keeps the test fast; the main job searches the configured grid.
  const shared: Db = { ...db, close: async () => {} };
  const job = await runMainJob(trainingLoopStages({ params: { lambda: 1, maxPhrases: 0 } }), {
    env,
    registry: families,
    loadContext: modelLoadContext(env),
    out: { write: (s: string) => (text += s) },
    openStore: async () => shared,
  });
  return { job, text };
}

describe('the main job training loop', () => {
  it('trains, compares, registers locally and reports the verdict; a re-run registers nothing new', async () => {
    const first = await runLoop();
    expect(first.job.ok).toBe(true);
    expect(first.text).toMatch(
      /training vader on finsent-headlines: 360 train \/ 84 validation \/ 111 held-out test/,
    );
    expect(first.text).toMatch(/vs baseline: vader@1\.0\.0 vs vader-base@3\.3\.1: \w+/);
    expect(first.text).toMatch(/vs champion: vader@1\.0\.0 vs vader@builtin: \w+/);
    expect((first.job.results.get('register') as Registered).created).toBe(true);
    expect(readdirSync(path.join(dataDir, 'registry'))).toEqual(['vader-v1.0.0']);
    const promoted = first.job.results.get('promote') as PromoteStageResult;
    expect(promoted.reasons.length).toBeGreaterThan(0);

    const second = await runLoop();
    expect(second.job.ok).toBe(true);
    expect(second.text).toMatch(/vader-v1\.0\.0 is already registered with identical artifacts/);
    expect((second.job.results.get('register') as Registered).created).toBe(false);
    expect(readdirSync(path.join(dataDir, 'registry'))).toEqual(['vader-v1.0.0']);
  }, 60_000);

  it('loads a pinned version from the local registry and a bare id as the effective champion', async () => {
    const pinned = await families.load('vader@1.0.0', modelLoadContext(env));
    expect([pinned.family, pinned.version]).toEqual(['vader', '1.0.0']);
    expect((await families.load('vader', modelLoadContext(env))).version).toBe('builtin');
    writeLocalChampion(dataDir, 'vader', '1.0.0', 'test');
    expect((await families.load('vader', modelLoadContext(env))).version).toBe('1.0.0');
    await expect(families.load('vader@9.9.9', modelLoadContext(env))).rejects.toThrow(/9\.9\.9/);
  });
});
