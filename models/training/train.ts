import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../pipeline/store/db';
import type { ArtifactSource } from '../families';
import { describeArtifacts, toBuffer } from '../registry/manifest';
import type { TrainingData } from './data';
import { finishRun, insertRun } from './runs-store';
import { resolveTrainer, type TrainerFactory } from './trainers';
import type { TrainResult } from './types';

export interface TrainRequest {
  family: string;
  data: TrainingData;
  seed: number;
  /** Hyperparameter overrides. */
  params?: Record<string, unknown>;
  /** What started the run: cli, main-job, schedule, dispatch, monitoring. */
  trigger?: string;
  unlabelled?: readonly string[];
}

export interface TrainDeps {
  trainers: Record<string, TrainerFactory>;
  /** Records the run in `training_runs` when given. */
  db?: Db;
  commit: string;
  now?: () => Date;
  onProgress?: (event: { step: number; total: number; message: string }) => void;
}

/** A trained, not yet registered, candidate. */
export interface TrainedCandidate {
  runId: string;
  family: string;
  seed: number;
  params: Record<string, unknown>;
  result: TrainResult;
  /** sha256 over the artifacts' names and sha256s: equal for byte-identical artifacts. */
  artifactDigest: string;
  data: TrainingData;
  commit: string;
  durationMs: number;
  startedAt: Date;
}

export function artifactDigest(files: Record<string, Buffer | string>): string {
  const h = createHash('sha256');
  for (const a of describeArtifacts(files)) h.update(`${a.name}\0${a.sha256}\n`);
  return h.digest('hex');
}

/**
 * Trains a candidate: resolves the family's trainer, records the run as 'running', trains with
 * the seed, and records the outcome ('succeeded' with metrics, or 'failed' with the error — then
 * rethrows). Deterministic for a seed as far as the trainer is.
 */
export async function trainCandidate(req: TrainRequest, deps: TrainDeps): Promise<TrainedCandidate> {
  const now = deps.now ?? (() => new Date());
  const trainer = await resolveTrainer(req.family, deps.trainers);
  const startedAt = now();
  const runId = `${req.family}-${startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const params = req.params ?? {};
  if (deps.db) {
    await insertRun(deps.db, {
      id: runId,
      family: req.family,
      trigger: req.trigger ?? 'cli',
      seed: req.seed,
      params,
      dataset: req.data.name,
      dataFingerprint: req.data.train.fingerprint,
      validationFingerprint: req.data.validation.fingerprint,
      nTrain: req.data.train.rows.length,
      nValidation: req.data.validation.rows.length,
      codeCommit: deps.commit,
      startedAt,
    });
  }
  const t0 = performance.now();
  let result: TrainResult;
  try {
    result = await trainer.train(req.data.train.rows, req.data.validation.rows, {
      seed: req.seed,
      params,
      ...(req.unlabelled ? { unlabelled: req.unlabelled } : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    });
    if (result.family !== req.family) throw new Error(`trainer returned a "${result.family}" artifact`);
    if (Object.keys(result.files).length === 0) throw new Error('trainer returned no artifact files');
  } catch (error) {
    if (deps.db) {
      await finishRun(deps.db, runId, {
        status: 'failed',
        error: (error as Error).message ?? String(error),
        finishedAt: now(),
        durationMs: performance.now() - t0,
      });
    }
    throw error;
  }
  const durationMs = performance.now() - t0;
  const digest = artifactDigest(result.files);
  if (deps.db) {
    await finishRun(deps.db, runId, {
      status: 'succeeded',
      metrics: result.validation,
      chosenParams: result.params,
      artifactDigest: digest,
      finishedAt: now(),
      durationMs,
    });
  }
  return {
    runId,
    family: req.family,
    seed: req.seed,
    params,
    result,
    artifactDigest: digest,
    data: req.data,
    commit: deps.commit,
    durationMs,
    startedAt,
  };
}

/**
 * Writes a candidate's files to `<stagingRoot>/<family>-<digest>/` so its family loader can load
 * it before it is registered (to compare it), and returns an ArtifactSource that serves that
 * directory for (family, version) and defers to `fallback` for everything else.
 */
export function stageCandidate(
  candidate: TrainedCandidate,
  version: string,
  stagingRoot: string,
  fallback?: ArtifactSource,
): { dir: string; source: ArtifactSource } {
  const dir = path.join(stagingRoot, `${candidate.family}-${candidate.artifactDigest.slice(0, 16)}`);
  if (!existsSync(dir)) {
    mkdirSync(stagingRoot, { recursive: true });
    const tmp = `${dir}.${randomBytes(4).toString('hex')}.tmp`;
    mkdirSync(tmp);
    for (const [name, data] of Object.entries(candidate.result.files))
      writeFileSync(path.join(tmp, name), toBuffer(data));
    try {
      renameSync(tmp, dir);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
  }
  const source: ArtifactSource = {
    fetch: async (family, v) => {
      if (family === candidate.family && v === version) return dir;
      if (!fallback) throw new Error(`no artifact source for ${family}@${v}`);
      return fallback.fetch(family, v);
    },
  };
  return { dir, source };
}
