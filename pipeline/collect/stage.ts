import { loadQualityConfig, type QualityConfig } from '../../config/quality';
import { loadSourcesConfig, type SourcesConfig } from '../../config/sources';
import { DataError } from '../../lib/errors';
import type { FetchLike } from '../sources/http';
import { planSources } from '../sources/registry';
import type { Db } from '../store/db';
import { type CollectHooks, type CollectResult, runCollect } from './run';

/** What every data-platform stage needs; the main job builds one and passes it along. */
export interface StageContext {
  db: Db;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface CollectStageOptions {
  /** Source names; all enabled ones when absent or empty. */
  sources?: readonly string[];
  since?: Date;
  sourcesConfig?: SourcesConfig;
  quality?: QualityConfig;
  /** Replaces the sample source's file (the main job points it at the bundled headlines). */
  samplePath?: string;
  /** Where relative paths in sources.yaml are resolved (the repository root by default). */
  baseDir?: string;
  fetch?: FetchLike;
  trigger?: string;
  batchSize?: number;
  hooks?: CollectHooks;
  /** When the stage throws: every source failed (default), any source failed, or never. */
  failOn?: 'all' | 'any' | 'never';
}

/** The run ended in a way the caller asked to treat as a failure; `result` says what happened. */
export class CollectFailedError extends DataError {
  readonly result: CollectResult;
  constructor(result: CollectResult) {
    const bad = result.sources.filter(
      (s) => s.status === 'failed' || s.status === 'rate_limited' || s.status === 'partial',
    );
    super(
      `collection run ${result.runId} ${result.status}: ${bad.map((s) => `${s.source}: ${s.error ?? s.status}`).join(' | ')}`,
      { action: 'collecting', runId: result.runId },
    );
    this.result = result;
  }
}

/**
 * The collect stage for the main job, the CLI and the action: plans the configured sources,
 * collects, and throws CollectFailedError according to `failOn`.
 *
 * @example
 * // npm start: the bundled sample only, into the embedded store
 * const result = await runCollectStage({ db }, { sources: ['sample'], trigger: 'main' });
 * result.sources[0].newArticles // 412 on the first run, 0 on the next
 */
export async function runCollectStage(
  ctx: StageContext,
  o: CollectStageOptions = {},
): Promise<CollectResult> {
  const config = o.sourcesConfig ?? loadSourcesConfig();
  const planned = planSources(config, {
    only: o.sources,
    env: ctx.env,
    fetch: o.fetch,
    samplePath: o.samplePath,
    baseDir: o.baseDir,
  });
  const result = await runCollect({
    db: ctx.db,
    sources: planned,
    quality: o.quality ?? loadQualityConfig(),
    since: o.since,
    trigger: o.trigger ?? 'stage',
    batchSize: o.batchSize,
    now: ctx.now,
    signal: ctx.signal,
    hooks: o.hooks,
  });
  const failOn = o.failOn ?? 'all';
  if (failOn === 'all' && result.status === 'failed') throw new CollectFailedError(result);
  if (failOn === 'any' && result.status !== 'succeeded') throw new CollectFailedError(result);
  return result;
}
