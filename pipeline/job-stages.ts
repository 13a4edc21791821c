import path from 'node:path';
import { loadProjectHeadlines } from '../models/datasets/project';
import { loadEffectiveModelsConfig } from '../models/promotion/effective-config';
import type { SentimentModel } from '../models/types';
import type { CollectResult } from './collect/run';
import { runCollectStage } from './collect/stage';
import { type FeaturizeResult, runFeaturizeStage } from './features/featurize';
import type { Stage } from './main-job';
import { scoreReference } from './monitor/reference';
import { type MonitorStageResult, runMonitorStage } from './monitor/stage';
import type { QualityReport } from './validate/run';
import { runValidateStage } from './validate/stage';

/**
 * Collects the bundled sample (models/data/finsent-headlines.jsonl, configured as source
 * `sample` in config/sources.yaml) into the job's store. Offline by design: `npm start` runs on
 * a fresh clone with no keys; the collect workflow is where the keyed sources run.
 */
export function collectStage(sources: readonly string[] = ['sample']): Stage<CollectResult> {
  return {
    name: 'collect',
    title: `collect headlines from ${sources.join(', ')}`,
    async run(ctx) {
      const result = await runCollectStage({ db: await ctx.db() }, { sources, trigger: 'main' });
      const lines = result.sources.map(
        (s) =>
          `  ${s.source}: ${s.status}, ${s.fetched} fetched, ${s.newArticles} new, ${s.merged} merged, ` +
          `${s.unchanged} unchanged, ${s.quarantined} quarantined${s.error ? ` (${s.error})` : ''}`,
      );
      const n = (k: 'newArticles' | 'quarantined') => result.sources.reduce((t, s) => t + s[k], 0);
      return {
        result,
        text: lines.join('\n'),
        summary: `run ${result.runId} ${result.status}: ${n('newArticles')} new article(s), ${n('quarantined')} quarantined`,
      };
    },
  };
}

/**
 * The data-quality gate over what was collected. The sample's timestamps are historical
 * (2026-10-05..2026-11-20): config/quality.yaml turns freshness, age and volume checks off for
 * source `sample` because it is a fixed bundled dataset, not a live feed; its row rules still apply.
 */
export function validateStage(): Stage<QualityReport> {
  return {
    name: 'validate',
    title: 'data-quality gate over the collected articles',
    async run(ctx) {
      const report = await runValidateStage({ db: await ctx.db() });
      const flagged = report.rules.filter((r) => r.status === 'warn' || r.status === 'fail');
      return {
        result: report,
        ...(flagged.length > 0
          ? {
              text: flagged
                .map((r) => `  ${r.status}: ${r.rule}${r.source ? ` [${r.source}]` : ''} ${r.message}`)
                .join('\n'),
            }
          : {}),
        summary: `report ${report.id} ${report.verdict}: ${report.summary}`,
      };
    },
  };
}

/** Scores every stored article not yet scored by each model (stock VADER and the financial vader champion). */
export function featurizeStage(
  modelIds: readonly string[] = ['vader-base', 'vader'],
): Stage<FeaturizeResult> {
  return {
    name: 'featurize',
    title: `score the stored articles with ${modelIds.join(', ')}`,
    async run(ctx) {
      const models: SentimentModel[] = [];
      try {
        for (const id of modelIds) models.push(await ctx.registry.load(id, ctx.loadContext));
        const result = await runFeaturizeStage({ db: await ctx.db(), models });
        const failed = result.models.filter((m) => m.error);
        if (failed.length > 0) {
          throw new Error(
            `featurize failed for ${failed.map((m) => `${m.model}@${m.version}: ${m.error}`).join('; ')}`,
          );
        }
        return {
          result,
          text: result.models
            .map((m) => `  ${m.model}@${m.version}: ${m.featurized} article(s) scored`)
            .join('\n'),
          summary: `${result.featurized} article-model score(s) written`,
        };
      } finally {
        for (const m of models) await m.close?.();
      }
    },
  };
}

/**
 * Drift and live performance of the served champions. A champion without a drift reference gets
 * one built from its evaluation set (the project's held-out headlines), so the first run already
 * has something to compare with. Alerts are off: the main job runs locally, without GitHub.
 */
export function monitorStage(): Stage<MonitorStageResult> {
  return {
    name: 'monitor',
    title: 'drift and live performance of the champions',
    async run(ctx) {
      const modelsConfig = loadEffectiveModelsConfig(ctx.env.dataDir).config;
      const result = await runMonitorStage({
        db: await ctx.db(),
        env: ctx.env,
        modelsConfig,
        alerts: false,
        github: null,
        buildReference: async (family, version) => {
          const model = await ctx.registry.load(version ? `${family}@${version}` : family, ctx.loadContext);
          try {
            const [test, train] = await Promise.all([
              loadProjectHeadlines('test'),
              loadProjectHeadlines('train'),
            ]);
            return await scoreReference({
              model,
              rows: test.rows.map((r) => ({ text: r.text })),
              sourceName: path.basename(test.source),
              trainingTexts: train.rows.map((r) => r.text),
            });
          } finally {
            await model.close?.();
          }
        },
      });
      const lines = result.report.models.map(
        (m) =>
          `  ${m.model}@${m.version ?? 'builtin'}: drift ${m.drift.status}, performance ${m.performance.status}, ` +
          `${m.predictions} prediction(s) in the window, reference ${m.reference ? `${m.reference.source} (n=${m.reference.n})` : 'none'}` +
          (m.notes.length > 0 ? `\n    ${m.notes.join('\n    ')}` : ''),
      );
      return {
        result,
        text: lines.join('\n'),
        summary: `status ${result.report.status} over ${result.report.models.length} model(s)`,
      };
    },
  };
}
