import { type QualityConfig, rowRulesFor } from '../../config/quality';
import { describeError } from '../../lib/errors';
import { type Article, normaliseItem } from '../normalise/article';
import { HttpClient, limiterFor } from '../sources/http';
import type { PlannedSource } from '../sources/registry';
import { RateLimitedError, SourceError, type SourcePage } from '../sources/types';
import type { Db } from '../store/db';
import { checkCandidate } from '../validate/schema';
import { type QuarantineEntry, quarantineEntry, upsertQuarantine } from './quarantine';
import {
  finishRun,
  finishSourceRun,
  type RunStatus,
  readSourceState,
  remainingQuota,
  type SourceStatus,
  startRun,
  startSourceRun,
} from './runs';
import { analyzeCollectionTables, type BatchCounts, storeBatch } from './store';

export interface SourceRunResult {
  source: string;
  status: SourceStatus;
  error?: string;
  requests: number;
  pages: number;
  fetched: number;
  skippedOld: number;
  newArticles: number;
  merged: number;
  unchanged: number;
  quarantined: number;
  watermarkBefore: Date | null;
  watermarkAfter: Date | null;
  durationMs: number;
}

export interface CollectResult {
  runId: number;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date;
  sources: SourceRunResult[];
}

export interface CollectHooks {
  onSourceStart?(e: { source: string; since: Date | undefined }): void;
  /** Awaited after each stored batch (progress output; tests use it to kill a run midway). */
  onBatch?(e: {
    source: string;
    label?: string;
    batch: BatchCounts;
    totals: SourceRunResult;
  }): void | Promise<void>;
  onSourceEnd?(result: SourceRunResult): void;
}

export interface CollectOptions {
  db: Db;
  sources: readonly PlannedSource[];
  quality: QualityConfig;
  /** Collect from this instant instead of each source's watermark (a backfill). */
  since?: Date;
  trigger?: string;
  batchSize?: number;
  /** Sources collected at the same time. */
  concurrency?: number;
  storyWindowHours?: number;
  now?: () => Date;
  signal?: AbortSignal;
  hooks?: CollectHooks;
}

const HOUR = 3_600_000;

function emptyResult(source: string, watermark: Date | null): SourceRunResult {
  return {
    source,
    status: 'running',
    requests: 0,
    pages: 0,
    fetched: 0,
    skippedOld: 0,
    newArticles: 0,
    merged: 0,
    unchanged: 0,
    quarantined: 0,
    watermarkBefore: watermark,
    watermarkAfter: watermark,
    durationMs: 0,
  };
}

/** A rejected response kept in quarantine under `response:<url>` with what came back. */
function responseEntry(error: SourceError): QuarantineEntry {
  const input = typeof error.context.input === 'string' ? error.context.input : 'unknown';
  return {
    itemKey: `response:${input}`.slice(0, 512),
    reasons: [`response: ${error.message}`],
    record: { url: input, status: error.context.status ?? null },
    raw: error.excerpt === undefined ? null : { excerpt: error.excerpt },
  };
}

async function collectSource(o: CollectOptions, p: PlannedSource, runId: number): Promise<SourceRunResult> {
  const now = o.now ?? (() => new Date());
  const started = now();
  const { db } = o;
  const state = await readSourceState(db, p.name);
  const r = emptyResult(p.name, state.watermark);
  const finish = async (status: SourceStatus, error?: string, advanceTo?: Date) => {
    r.status = status;
    r.error = error;
    r.watermarkAfter = await finishSourceRun(db, {
      runId,
      source: p.name,
      status,
      error,
      requests: r.requests,
      advanceTo,
      now: now(),
    });
    r.durationMs = now().getTime() - started.getTime();
    o.hooks?.onSourceEnd?.(r);
    return r;
  };

  let skip = p.skip;
  const budget = remainingQuota(state, p.dailyRequests, started);
  if (!skip && p.minIntervalMinutes && state.lastAttemptAt) {
    const nextAt = state.lastAttemptAt.getTime() + p.minIntervalMinutes * 60_000;
    if (nextAt > started.getTime()) {
      skip = `ran at ${state.lastAttemptAt.toISOString()}; min_interval_minutes (${p.minIntervalMinutes}) allows the next run after ${new Date(nextAt).toISOString()}`;
    }
  }
  await startSourceRun(db, {
    runId,
    source: p.name,
    watermarkBefore: state.watermark,
    now: started,
    attempt: !skip,
  });
  if (skip || !p.source) return finish('skipped', skip ?? 'not runnable');
  if (budget === 0) return finish('rate_limited', `daily_requests (${p.dailyRequests}) are spent for today`);

  const overlap = p.transport.overlap_minutes * 60_000;
  const since = o.since ?? (state.watermark ? new Date(state.watermark.getTime() - overlap) : undefined);
  o.hooks?.onSourceStart?.({ source: p.name, since });
  const http = new HttpClient({
    source: p.name,
    userAgent: p.userAgent,
    timeoutMs: p.transport.timeout_ms,
    retries: p.transport.retries,
    backoffMs: p.transport.backoff_ms,
    maxBackoffMs: p.transport.max_backoff_ms,
    maxRetryAfterMs: p.transport.max_retry_after_ms,
    maxBodyBytes: p.transport.max_body_bytes,
    limiter: limiterFor(p.transport.rate),
    budget,
    fetch: p.fetch,
  });
  const rules = rowRulesFor(o.quality, p.name);
  const batchSize = o.batchSize ?? 1000;
  const windowMs = (o.storyWindowHours ?? 48) * HOUR;
  let newest = Number.NEGATIVE_INFINITY;
  let analyzeAt = 5000;
  let okPages = 0;
  let truncated = false;
  const failures: SourceError[] = [];

  /** CPU work of a page: normalise and check every item (synchronous). */
  const preparePage = (page: SourcePage) => {
    const collectedAt = now();
    const accepted: Article[] = [];
    const rejected: QuarantineEntry[] = (page.rejected ?? []).map((x) => ({
      itemKey: x.itemKey,
      reasons: [`parse: ${x.reason}`],
      record: {},
      raw: x.raw,
    }));
    let skippedOld = 0;
    for (const item of page.items) {
      const c = normaliseItem(item, p.name, collectedAt);
      if (since && c.publishedAt && c.publishedAt.getTime() <= since.getTime()) {
        skippedOld++;
        continue;
      }
      const check = checkCandidate(c, rules);
      if (check.ok) {
        accepted.push(check.article);
        newest = Math.max(newest, check.article.publishedAt.getTime());
      } else {
        rejected.push(quarantineEntry(c, check.reasons));
      }
    }
    return { page, accepted, rejected, skippedOld };
  };

  /** I/O of a page: its batches, stored one after the other, in order. */
  const storePage = async ({ page, accepted, rejected, skippedOld }: ReturnType<typeof preparePage>) => {
    const fetched = page.items.length + (page.rejected?.length ?? 0);
    const total = Math.max(accepted.length, rejected.length, 1);
    for (let i = 0, first = true; i < total; i += batchSize, first = false) {
      const last = i + batchSize >= total;
      const batch = await storeBatch(db, {
        runId,
        source: p.name,
        accepted: accepted.slice(i, i + batchSize),
        rejected: rejected.slice(i, i + batchSize),
        fetched: first ? fetched : 0,
        skippedOld: first ? skippedOld : 0,
        pages: first ? 1 : 0,
        checkpoint: last ? page.checkpoint : undefined,
        storyWindowMs: windowMs,
      });
      if (first) {
        r.pages++;
        r.fetched += fetched;
        r.skippedOld += skippedOld;
      }
      r.newArticles += batch.newArticles;
      r.merged += batch.merged;
      r.unchanged += batch.unchanged;
      r.quarantined += batch.quarantined;
      r.requests = http.requests;
      await o.hooks?.onBatch?.({ source: p.name, label: page.label, batch, totals: r });
    }
    if (r.newArticles >= analyzeAt) {
      // A bulk load: give the planner statistics before the table outgrows its estimates.
      await analyzeCollectionTables(db);
      analyzeAt *= 4;
    }
  };

  // While one page is being stored, the next is fetched and normalised: CPU and database work
  // overlap. Stores still run strictly one after another, so batches and checkpoints keep order.
  let storing: Promise<void> = Promise.resolve();
  try {
    for await (const page of p.source.fetch({ since, now: started, http, signal: o.signal })) {
      r.requests = http.requests;
      if (page.error) {
        failures.push(page.error);
        r.pages++;
        // The response is kept for inspection; it is not an item, so no item counter moves.
        await upsertQuarantine(db, p.name, 'fetch', runId, [responseEntry(page.error)]);
        continue;
      }
      okPages++;
      truncated ||= page.truncated === true;
      const prepared = preparePage(page);
      await storing;
      storing = storePage(prepared);
      // Handled here so a failure waits for the next `await storing` instead of going unhandled.
      storing.catch(() => {});
    }
    await storing;
  } catch (error) {
    await storing.catch(() => {});
    r.requests = http.requests;
    if (error instanceof SourceError) {
      await upsertQuarantine(db, p.name, 'fetch', runId, [responseEntry(error)]);
    }
    const status: SourceStatus = error instanceof RateLimitedError ? 'rate_limited' : 'failed';
    return finish(
      status,
      o.signal?.aborted ? `aborted: ${describeError(o.signal.reason)}` : describeError(error),
    );
  }
  r.requests = http.requests;
  if (failures.length > 0) {
    const message = failures.map((f) => f.message).join(' | ');
    return finish(okPages > 0 ? 'partial' : 'failed', message);
  }
  // Complete: every item up to the newest accepted one is stored, so the watermark may move there.
  // Pagination cut short (max_pages) leaves older-first checkpoints as the only advance.
  const advanceTo =
    !truncated && Number.isFinite(newest) ? new Date(Math.min(newest, started.getTime())) : undefined;
  return finish(
    'succeeded',
    truncated ? 'stopped at max_pages; the next run continues' : undefined,
    advanceTo,
  );
}

function runStatus(results: readonly SourceRunResult[]): RunStatus {
  const ran = results.filter((r) => r.status !== 'skipped');
  if (ran.length === 0) return 'succeeded';
  if (ran.every((r) => r.status === 'succeeded')) return 'succeeded';
  if (ran.every((r) => r.status === 'failed' || r.status === 'rate_limited')) return 'failed';
  return 'partial';
}

/**
 * Collects from every planned source into raw_data (accepted rows) and quarantine (the rest),
 * batch by batch. A source that throws is recorded as failed and the others go on; the result
 * lists what each did. Safe to kill at any moment and re-run: stored batches stay stored, the
 * watermark has not moved past anything unstored, and re-stored items are counted as unchanged.
 *
 * @example
 * const result = await runCollect({ db, quality: loadQualityConfig(),
 *   sources: planSources(loadSourcesConfig(), { only: ['sample'] }) });
 * result.sources[0] // { source: 'sample', status: 'succeeded', newArticles: 412, ... }
 */
export async function runCollect(o: CollectOptions): Promise<CollectResult> {
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const runId = await startRun(o.db, {
    trigger: o.trigger ?? 'cli',
    sources: o.sources.map((s) => s.name),
    since: o.since,
    now: startedAt,
    staleAfterMs: 6 * HOUR,
  });
  const results: SourceRunResult[] = new Array(o.sources.length);
  let next = 0;
  const worker = async () => {
    while (next < o.sources.length) {
      const i = next++;
      const p = o.sources[i] as PlannedSource;
      try {
        results[i] = await collectSource(o, p, runId);
      } catch (error) {
        // Storage failed under this source (the database went away): record what we can.
        results[i] = { ...emptyResult(p.name, null), status: 'failed', error: describeError(error) };
      }
    }
  };
  const lanes = Math.max(1, Math.min(o.concurrency ?? 2, o.sources.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  if (results.reduce((n, r) => n + r.newArticles + r.merged, 0) >= 1000) await analyzeCollectionTables(o.db);
  const status = runStatus(results);
  const finishedAt = now();
  await finishRun(o.db, runId, status, finishedAt);
  return { runId, status, startedAt, finishedAt, sources: results };
}
