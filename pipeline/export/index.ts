import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadModelsConfig, type ModelsConfig } from '../../config/models';
import { describeError, FinsentError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import type { Db } from '../store/db';
import { type ExportOptions, SectionContext, type TableState } from './context';
import {
  type Empty,
  SCHEMA_VERSION,
  SECTION_NAMES,
  SECTION_SCHEMAS,
  type SectionBody,
  type SectionData,
  type SectionName,
  type SourceTable,
  sectionFile,
} from './schema';
import { exportComparisons } from './sections/comparisons';
import { exportDrift } from './sections/drift';
import { loadEvaluations } from './sections/evaluations';
import { exportModels, loadTrainingRuns } from './sections/models';
import { buildOverview } from './sections/overview';
import { exportPredictions } from './sections/predictions';
import { exportPromotions } from './sections/promotions';
import { exportQuality } from './sections/quality';
import { exportTickers } from './sections/tickers';
import { exportTraffic } from './sections/traffic';

export { SCHEMA_VERSION, SECTION_NAMES, SECTION_SCHEMAS, type SectionData, type SectionName } from './schema';

/** Where the dashboard reads its data: Vite serves `public/` at `/`, so these are `/data/*.json`. */
export const DEFAULT_EXPORT_DIR = path.join(REPO_ROOT, 'dashboard', 'public', 'data');

export interface ExportSnapshotsOptions extends Partial<ExportOptions> {
  /** The serving config; default: config/models.yaml (an unreadable file is reported, not fatal). */
  config?: ModelsConfig | null;
}

export interface SectionOutcome {
  section: SectionName;
  /** `ok`: has data; `empty`: nothing to show (reason in `empty`); `failed`: its query failed. */
  status: 'ok' | 'empty' | 'failed';
  reason: string | null;
}

export interface ExportResult {
  snapshots: SectionData;
  outcomes: SectionOutcome[];
}

class SectionExportError extends FinsentError {
  constructor(section: string, cause: unknown) {
    super(
      'STORE_ERROR',
      `exporting ${section} failed: ${describeError(cause)}`,
      { action: `exporting ${section}` },
      { cause },
    );
  }
}

type Built<N extends SectionName> = {
  body: SectionBody<N>;
  empty: Empty | null;
  sources: SourceTable[];
  failed?: string;
};

/**
 * Reads the store and builds every section of the dashboard's data contract, each validated by
 * its zod schema. A missing table gives an empty section with the reason; a failing query gives
 * an empty section marked `failed` (the others still export). Nothing is written.
 *
 * @example
 * const { snapshots, outcomes } = await exportSnapshots(db);
 * snapshots.comparisons.evaluations[0].metrics // [{ name: 'accuracy', value: 0.59, ci_low: 0.5, ci_high: 0.68, ci_method: 'Wilson 95%' }, …]
 */
export async function exportSnapshots(db: Db, options: ExportSnapshotsOptions = {}): Promise<ExportResult> {
  const opts: ExportOptions = {
    now: options.now ?? new Date(),
    days: options.days ?? 30,
    recentLimit: options.recentLimit ?? 25,
    includeText: options.includeText ?? false,
  };
  let config: ModelsConfig | null = null;
  let configError: string | null = null;
  if (options.config !== undefined) config = options.config;
  else {
    try {
      config = loadModelsConfig();
    } catch (error) {
      configError = describeError(error);
    }
  }
  const cache = new Map<string, Promise<TableState>>();
  const context = () => new SectionContext(db, config, opts, cache);

  async function build<N extends SectionName>(
    name: N,
    fallback: SectionBody<N>,
    fn: (ctx: SectionContext) => Promise<{ body: SectionBody<N>; empty: Empty | null }>,
  ): Promise<Built<N>> {
    const ctx = context();
    try {
      return { ...(await fn(ctx)), sources: ctx.sources };
    } catch (error) {
      const failure = new SectionExportError(name, error);
      return {
        body: fallback,
        empty: { reason: failure.message, hint: 'check the store and re-run `finsent export`' },
        sources: ctx.sources,
        failed: failure.message,
      };
    }
  }

  let evaluations: Awaited<ReturnType<typeof loadEvaluations>> = [];
  const models = await build('models', { families: [] }, async (ctx) => {
    evaluations = await loadEvaluations(ctx);
    return exportModels(ctx, evaluations);
  });
  const comparisons = await build('comparisons', { evaluations: [], reports: [] }, (ctx) =>
    exportComparisons(ctx, evaluations),
  );
  const drift = await build(
    'drift',
    { series: [], summary: { ok: 0, warn: 0, alert: 0, latest_at: null } },
    exportDrift,
  );
  const quality = await build('quality', { reports: [] }, exportQuality);
  const promotions = await build('promotions', { events: [] }, exportPromotions);
  const traffic = await build(
    'traffic',
    { configured: config?.serving ?? null, window: null, arms: [], buckets: [], series: [] },
    exportTraffic,
  );
  const predictions = await build(
    'predictions',
    {
      window: null,
      total: 0,
      labels: { positive: 0, negative: 0, neutral: 0 },
      by_model: [],
      latency: null,
      cache_hit_rate: null,
      mean_confidence: null,
      volume: [],
      text_included: false,
      recent: [],
    },
    exportPredictions,
  );
  const tickers = await build('tickers', { source: null, window: null, tickers: [] }, exportTickers);

  const generated_at = opts.now.toISOString();
  const built = { models, comparisons, drift, quality, promotions, traffic, predictions, tickers };
  const finished = {} as Record<SectionName, unknown>;
  const outcomes: SectionOutcome[] = [];
  const finish = <N extends SectionName>(name: N, b: Built<N>) => {
    const candidate = {
      schema_version: SCHEMA_VERSION,
      section: name,
      generated_at,
      sources: b.sources,
      empty: b.empty,
      ...b.body,
    };
    // Validating here means a bug in an exporter fails the export, not the dashboard.
    const parsed = SECTION_SCHEMAS[name].safeParse(candidate);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ');
      throw new FinsentError(
        'DATA_ERROR',
        `the ${name} section does not match its schema (${issues}); this is a bug in pipeline/export`,
        { action: `exporting ${name}` },
      );
    }
    finished[name] = parsed.data;
    outcomes.push({
      section: name,
      status: b.failed ? 'failed' : b.empty ? 'empty' : 'ok',
      reason: b.failed ?? b.empty?.reason ?? null,
    });
  };
  for (const name of SECTION_NAMES) if (name !== 'overview') finish(name, built[name]);

  const overviewCtx = context();
  const partial = finished as Omit<SectionData, 'overview'>;
  let trainingRuns: Awaited<ReturnType<typeof loadTrainingRuns>> = [];
  try {
    trainingRuns = await loadTrainingRuns(overviewCtx);
  } catch {
    // The models section already reported a failing training_runs query.
  }
  const overview = buildOverview(overviewCtx, partial, trainingRuns, configError);
  const sources = new Map<string, SourceTable>();
  for (const b of Object.values(built)) for (const s of b.sources) sources.set(s.table, s);
  finish('overview', { ...overview, sources: [...sources.values()] });
  outcomes.unshift(outcomes.pop()!);
  return { snapshots: finished as unknown as SectionData, outcomes };
}

/**
 * Writes each section to `<dir>/<section>.json` atomically (a temporary file renamed into place),
 * so the dashboard never reads half a file while an export runs. Returns the written paths.
 */
export function writeSnapshots(dir: string, snapshots: SectionData): string[] {
  mkdirSync(dir, { recursive: true });
  return SECTION_NAMES.map((name) => {
    const file = path.join(dir, sectionFile(name));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(snapshots[name], null, 1)}\n`);
    renameSync(tmp, file);
    return file;
  });
}
