import type { Db } from '../../pipeline/store/db';

/** A row of `training_runs` (migration 021). */
export interface TrainingRun {
  id: string;
  family: string;
  status: 'running' | 'succeeded' | 'failed';
  trigger: string;
  seed: number;
  params: Record<string, unknown>;
  chosen_params: Record<string, unknown> | null;
  dataset: string;
  data_fingerprint: string;
  validation_fingerprint: string | null;
  n_train: number;
  n_validation: number;
  metrics: Record<string, number>;
  artifact_digest: string | null;
  version: string | null;
  code_commit: string;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface RunStart {
  id: string;
  family: string;
  trigger: string;
  seed: number;
  params: Record<string, unknown>;
  dataset: string;
  dataFingerprint: string;
  validationFingerprint: string;
  nTrain: number;
  nValidation: number;
  codeCommit: string;
  startedAt: Date;
}

export async function insertRun(db: Db, r: RunStart): Promise<void> {
  await db.query(
    `INSERT INTO training_runs (id, family, status, trigger, seed, params, dataset, data_fingerprint,
       validation_fingerprint, n_train, n_validation, code_commit, started_at)
     VALUES ($1, $2, 'running', $3, $4, $5::text::jsonb, $6, $7, $8, $9, $10, $11, $12)`,
    [
      r.id,
      r.family,
      r.trigger,
      r.seed,
      JSON.stringify(r.params),
      r.dataset,
      r.dataFingerprint,
      r.validationFingerprint,
      r.nTrain,
      r.nValidation,
      r.codeCommit,
      r.startedAt.toISOString(),
    ],
  );
}

export interface RunFinish {
  status: 'succeeded' | 'failed';
  metrics?: Record<string, number>;
  chosenParams?: Record<string, unknown>;
  artifactDigest?: string;
  error?: string;
  finishedAt: Date;
  durationMs: number;
}

export async function finishRun(db: Db, id: string, f: RunFinish): Promise<void> {
  await db.query(
    `UPDATE training_runs SET status = $2, metrics = $3::text::jsonb, chosen_params = $4::text::jsonb, artifact_digest = $5,
       error = $6, finished_at = $7, duration_ms = $8 WHERE id = $1`,
    [
      id,
      f.status,
      JSON.stringify(f.metrics ?? {}),
      f.chosenParams ? JSON.stringify(f.chosenParams) : null,
      f.artifactDigest ?? null,
      f.error ?? null,
      f.finishedAt.toISOString(),
      f.durationMs,
    ],
  );
}

export async function setRunVersion(db: Db, id: string, version: string): Promise<void> {
  await db.query('UPDATE training_runs SET version = $2 WHERE id = $1', [id, version]);
}

export async function getRun(db: Db, id: string): Promise<TrainingRun | undefined> {
  const rows = await db.query<TrainingRun>('SELECT * FROM training_runs WHERE id = $1', [id]);
  return rows[0] ? normalise(rows[0]) : undefined;
}

export async function listRuns(
  db: Db,
  options: { family?: string; limit?: number } = {},
): Promise<TrainingRun[]> {
  const rows = await db.query<TrainingRun>(
    `SELECT * FROM training_runs WHERE ($1::text IS NULL OR family = $1) ORDER BY started_at DESC, id DESC LIMIT $2`,
    [options.family ?? null, options.limit ?? 50],
  );
  return rows.map(normalise);
}

/** postgres.js and PGlite agree on jsonb but not on timestamps: make them ISO strings. */
function normalise(r: TrainingRun): TrainingRun {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));
  return { ...r, started_at: iso(r.started_at)!, finished_at: iso(r.finished_at) };
}
