import path from 'node:path';
import { type DriftConfig, loadDriftConfig } from '../../config/drift';
import { loadModelsConfig, type ModelsConfig } from '../../config/models';
import type { FinsentEnv } from '../../lib/env';
import { parseModelId } from '../../models/families';
import { type Db, openDb } from '../store/db';
import { loadMigrations, migrate } from '../store/migrate';
import { createOctokit, type GitHubContext, parseRepository } from './github';
import { handleIncidents, type IncidentOutcome } from './incidents';
import { latestReference, type ReferenceSnapshot, saveReference } from './reference';
import { type MonitorReport, runMonitor } from './run';

export interface MonitorStageContext {
  db: Db;
  env: FinsentEnv;
  config?: DriftConfig;
  modelsConfig?: ModelsConfig;
  /** Families to monitor; default config.models, else the serving default. */
  models?: string[];
  windowMs?: number;
  until?: Date;
  /** Open/update/close incidents and request retraining (default true). */
  alerts?: boolean;
  /** Store drift_metrics / model_performance (default true). */
  persist?: boolean;
  /** GitHub for incidents; default: built from GITHUB_TOKEN + GITHUB_REPOSITORY when both are set. */
  github?: GitHubContext | null;
  runUrl?: string;
  /**
   * Builds a reference for a model that has none yet (e.g. score the champion's evaluation set);
   * `npm start` passes one so the first run already compares something.
   */
  buildReference?: (model: string, version: string | undefined) => Promise<ReferenceSnapshot | undefined>;
}

export interface MonitorStageResult {
  report: MonitorReport;
  incidents: IncidentOutcome[];
}

/** The families monitored and their champion versions ('builtin' means no pinned version). */
export function monitorTargets(
  config: DriftConfig,
  models: ModelsConfig,
  only?: string[],
): Array<{ model: string; version?: string }> {
  const families =
    only && only.length > 0
      ? only
      : config.models.length > 0
        ? config.models
        : [parseModelId(models.serving.default).family];
  return families.map((f) => {
    const champion = models.families[f]?.champion;
    return champion && champion !== 'builtin' ? { model: f, version: champion } : { model: f };
  });
}

export function githubFromEnv(env: FinsentEnv): GitHubContext | undefined {
  if (!env.githubToken || !env.githubRepository) return undefined;
  return {
    client: createOctokit({ token: env.githubToken }),
    ...parseRepository(env.githubRepository),
    ...(process.env.GITHUB_SERVER_URL ? { serverUrl: process.env.GITHUB_SERVER_URL } : {}),
  };
}

/**
 * The monitoring stage of the main job: drift and live performance for each monitored model,
 * stored, then incidents and retraining requests.
 *
 * @example const { report } = await runMonitorStage({ db, env: readEnv() })
 */
export async function runMonitorStage(ctx: MonitorStageContext): Promise<MonitorStageResult> {
  const config = ctx.config ?? loadDriftConfig();
  const models = ctx.modelsConfig ?? loadModelsConfig();
  const targets = monitorTargets(config, models, ctx.models);
  if (ctx.buildReference) {
    for (const t of targets) {
      if (await latestReference(ctx.db, t.model, t.version)) continue;
      const snapshot = await ctx.buildReference(t.model, t.version);
      if (snapshot) await saveReference(ctx.db, snapshot);
    }
  }
  const report = await runMonitor({
    db: ctx.db,
    config,
    models: targets,
    ...(ctx.windowMs ? { windowMs: ctx.windowMs } : {}),
    ...(ctx.until ? { until: ctx.until } : {}),
    persist: ctx.persist !== false,
  });
  let incidents: IncidentOutcome[] = [];
  if (ctx.alerts !== false) {
    const github = ctx.github === null ? undefined : (ctx.github ?? githubFromEnv(ctx.env));
    incidents = await handleIncidents({
      db: ctx.db,
      report,
      config,
      ...(github ? { github } : {}),
      ...(ctx.runUrl ? { links: { runUrl: ctx.runUrl } } : {}),
    });
  }
  return { report, incidents };
}

/**
 * The store as the CLI and the action open it: Postgres when DATABASE_URL is set, else PGlite.
 * `migrationsDir` lets a bundled action point at the checkout's migrations.
 */
export async function openMonitorStore(
  env: FinsentEnv,
  options: { migrationsDir?: string } = {},
): Promise<Db> {
  const db = await openDb({
    ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}),
    dataDir: path.join(env.dataDir, 'pglite'),
    max: 4,
  });
  try {
    await migrate(db, options.migrationsDir ? loadMigrations(options.migrationsDir) : undefined);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
