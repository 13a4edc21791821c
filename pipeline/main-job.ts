import type { FinsentEnv } from '../lib/env';
import { describeError } from '../lib/errors';
import { loadProjectHeadlines } from '../models/datasets/project';
import { evaluateModel } from '../models/evaluation/evaluate';
import { renderEvalReport } from '../models/evaluation/render';
import type { EvalReport } from '../models/evaluation/report';
import type { FamilyRegistry, LoadContext } from '../models/families';
import { recordEvaluation } from './export/record';
import { exportStage } from './export/stage';
import { collectStage, featurizeStage, monitorStage, validateStage } from './job-stages';
import type { Db } from './store/db';
import { openStore as openMigratedStore } from './store/open';
import { trainingLoopStages } from './training-loop';

/** Where the job writes its human-readable report (stdout in the CLI, a buffer in tests). */
export interface TextOut {
  write(text: string): unknown;
}

/** What every stage shares: configuration, models, the store (opened on first use), the output. */
export interface JobContext {
  env: FinsentEnv;
  registry: FamilyRegistry;
  loadContext: LoadContext;
  out: TextOut;
  /** The store, opened and migrated on first call; closed by runMainJob. */
  db(): Promise<Db>;
  /** Results of the stages that ran so far, by stage name (later stages read earlier ones). */
  results: Map<string, unknown>;
}

export interface StageOutcome<R = unknown> {
  /** One line for the job's closing summary, e.g. "macro-F1 0.62 on 111 headlines". */
  summary: string;
  /** What the stage prints under its heading (tables, lists); may be empty. */
  text?: string;
  result: R;
}

export interface Stage<R = unknown> {
  /** Short machine name: `collect`, `validate`, `evaluate`, … */
  name: string;
  /** What the heading says. */
  title: string;
  run(ctx: JobContext): Promise<StageOutcome<R>>;
}

export interface StageRecord {
  name: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  summary: string;
}

export interface JobResult {
  ok: boolean;
  stages: StageRecord[];
  /** The error of the failed stage, if one failed. */
  error?: unknown;
  results: Map<string, unknown>;
}

export interface JobOptions {
  env: FinsentEnv;
  registry: FamilyRegistry;
  loadContext?: LoadContext;
  out: TextOut;
  /** Replaces the default store opener (tests). */
  openStore?: () => Promise<Db>;
  clock?: () => number;
}

const RULE = '─';

function heading(index: number, total: number, stage: Stage): string {
  const text = `── [${index}/${total}] ${stage.name} · ${stage.title} `;
  return `\n${text}${RULE.repeat(Math.max(4, 96 - text.length))}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * Runs the stages in order, each under a heading, and prints a closing summary. A failing stage
 * stops the job (later stages depend on earlier results) and is reported, not thrown: the caller
 * decides the exit code from `ok` and `error`. Closes the store if a stage opened it.
 *
 * @example
 * const job = await runMainJob(mainJobStages(), { env: readEnv(), registry: createFamilyRegistry(), out: process.stdout, loadContext: modelLoadContext(env) });
 * job.ok // true
 */
export async function runMainJob(stages: readonly Stage[], options: JobOptions): Promise<JobResult> {
  const clock = options.clock ?? (() => performance.now());
  let store: Promise<Db> | undefined;
  const openStore = options.openStore ?? (() => openMigratedStore(options.env));
  const ctx: JobContext = {
    env: options.env,
    registry: options.registry,
    loadContext: options.loadContext ?? { env: options.env },
    out: options.out,
    db: () => {
      store ??= openStore();
      return store;
    },
    results: new Map(),
  };
  const records: StageRecord[] = [];
  let error: unknown;
  const jobStart = clock();
  options.out.write(`finsent main job: ${stages.map((s) => s.name).join(' → ')}\n`);
  try {
    for (const [i, stage] of stages.entries()) {
      if (error !== undefined) {
        records.push({
          name: stage.name,
          title: stage.title,
          status: 'skipped',
          ms: 0,
          summary: 'skipped (an earlier stage failed)',
        });
        continue;
      }
      options.out.write(heading(i + 1, stages.length, stage));
      const start = clock();
      try {
        const outcome = await stage.run(ctx);
        const ms = clock() - start;
        ctx.results.set(stage.name, outcome.result);
        if (outcome.text) options.out.write(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
        options.out.write(`✓ ${stage.name} done in ${seconds(ms)}: ${outcome.summary}\n`);
        records.push({ name: stage.name, title: stage.title, status: 'ok', ms, summary: outcome.summary });
      } catch (caught) {
        error = caught;
        const ms = clock() - start;
        options.out.write(`✗ ${stage.name} failed after ${seconds(ms)}: ${describeError(caught)}\n`);
        records.push({
          name: stage.name,
          title: stage.title,
          status: 'failed',
          ms,
          summary: describeError(caught),
        });
      }
    }
  } finally {
    if (store) await (await store.catch(() => undefined))?.close();
  }
  const ok = error === undefined;
  const failed = records.filter((r) => r.status === 'failed').length;
  const done = records.filter((r) => r.status === 'ok').length;
  options.out.write(
    `\nmain job ${ok ? 'finished' : 'FAILED'} in ${seconds(clock() - jobStart)}: ${done} stage(s) ok, ${failed} failed, ${records.length - done - failed} skipped\n`,
  );
  return ok
    ? { ok, stages: records, results: ctx.results }
    : { ok, stages: records, error, results: ctx.results };
}

export interface EvaluateStageOptions {
  /** Model id to evaluate. Default `vader-base`. */
  model?: string;
  /** Batch size for the timed pass. */
  batchSize?: number;
  /** Store the report in model_performance (context `eval`); the main job does. */
  record?: boolean;
}

/**
 * Evaluates a model on the held-out test split of the project's headline set
 * (models/data/finsent-headlines.test.jsonl) and prints the eval table. Result: the EvalReport.
 */
export function evaluateStage(options: EvaluateStageOptions = {}): Stage<EvalReport> {
  const modelId = options.model ?? 'vader-base';
  return {
    name: 'evaluate',
    title: `${modelId} on the held-out headlines`,
    async run(ctx) {
      const dataset = await loadProjectHeadlines('test');
      const model = await ctx.registry.load(modelId, ctx.loadContext);
      try {
        const report = await evaluateModel(model, dataset.rows, {
          modelId,
          dataset,
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        });
        // model_performance keeps every evaluation (context 'eval'); the dashboard charts them.
        if (options.record) await recordEvaluation(await ctx.db(), report, 'eval');
        const m = report.metrics;
        return {
          result: report,
          text: renderEvalReport(report),
          summary: `${report.model.family}@${report.model.version}: accuracy ${m.accuracy.toFixed(4)}, macro-F1 ${m.macroF1.toFixed(4)}, ECE ${report.calibration.ece.toFixed(4)} on ${m.n} held-out headlines`,
        };
      } finally {
        await model.close?.();
      }
    },
  };
}

/**
 * The main job's stages, in order, all on embedded defaults (PGlite, the bundled headlines, the
 * local registry): collect the sample source, validate it, featurize it with vader-base and the
 * vader champion, evaluate stock VADER on the held-out set (recorded in model_performance), the
 * training loop (train the financial vader, compare it with vader-base and the champion — also
 * recorded —, register it locally, promote it when the policy allows), monitor the champions'
 * drift (building a first reference from the evaluation set), and export the dashboard's data.
 */
export function mainJobStages(): Stage[] {
  return [
    collectStage(),
    validateStage(),
    featurizeStage(),
    evaluateStage({ record: true }),
    ...trainingLoopStages(),
    monitorStage(),
    exportStage(),
  ];
}
