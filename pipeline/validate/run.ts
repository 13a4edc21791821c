import {
  freshnessHoursFor,
  nullRatesFor,
  type QualityConfig,
  rowRulesFor,
  volumeCheckedFor,
} from '../../config/quality';
import { quarantineEntry, upsertQuarantine } from '../collect/quarantine';
import type { Candidate } from '../normalise/article';
import type { Db } from '../store/db';
import { freshnessRule, type RuleResult, skipped, upperLimit, verdictOf, volumeRule } from './rules';
import { checkCandidate } from './schema';

export interface SourceCounts {
  runs: number;
  statuses: string[];
  fetched: number;
  skippedOld: number;
  newArticles: number;
  merged: number;
  unchanged: number;
  quarantined: number;
  errors: string[];
}

export interface QualityReport {
  id: number;
  createdAt: Date;
  verdict: 'pass' | 'warn' | 'fail';
  runIds: number[];
  rowsChecked: number;
  rowsAccepted: number;
  rowsQuarantined: number;
  counts: Record<string, SourceCounts>;
  rules: RuleResult[];
  summary: string;
}

export interface ValidateOptions {
  db: Db;
  quality: QualityConfig;
  now?: () => Date;
  storyWindowHours?: number;
  /** Rows re-checked per round trip. */
  pageSize?: number;
  onProgress?(e: { checked: number; quarantined: number }): void;
}

interface RawRow {
  id: string;
  source: string;
  url: string | null;
  headline: string;
  summary: string | null;
  tickers: string[];
  published_at: Date | string;
  collected_at: Date | string;
  language: string;
  raw: unknown;
  item_key: string;
  headline_hash: string;
}

function candidateOf(r: RawRow): Candidate {
  return {
    id: r.id,
    source: r.source,
    itemKey: r.item_key,
    url: r.url,
    headline: r.headline,
    summary: r.summary,
    tickers: r.tickers,
    publishedAt: new Date(r.published_at),
    collectedAt: new Date(r.collected_at),
    language: r.language,
    headlineHash: r.headline_hash,
    raw: r.raw,
    problems: [],
  };
}

/** Re-applies the row rules to the window's stored rows; failures move to quarantine. */
async function recheckRows(o: ValidateOptions, runIds: number[]) {
  const pageSize = o.pageSize ?? 5000;
  const nulls = new Map<string, { n: number; summary: number; url: number; tickers: number }>();
  let checked = 0;
  let quarantined = 0;
  let after = '';
  for (;;) {
    const rows = await o.db.query<RawRow>(
      `SELECT id, source, url, headline, summary, tickers, published_at, collected_at, language, raw, item_key,
              headline_hash
       FROM raw_data WHERE run_id = ANY($1::bigint[]) AND id > $2 ORDER BY id LIMIT $3`,
      [runIds, after, pageSize],
    );
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as RawRow).id;
    const failing = new Map<string, { source: string; entry: ReturnType<typeof quarantineEntry> }[]>();
    for (const row of rows) {
      checked++;
      const c = candidateOf(row);
      const check = checkCandidate(c, rowRulesFor(o.quality, row.source));
      if (!check.ok) {
        const list = failing.get(row.source) ?? [];
        list.push({ source: row.source, entry: quarantineEntry(c, check.reasons) });
        failing.set(row.source, list);
        continue;
      }
      const s = nulls.get(row.source) ?? { n: 0, summary: 0, url: 0, tickers: 0 };
      s.n++;
      if (row.summary === null) s.summary++;
      if (row.url === null) s.url++;
      if (row.tickers.length === 0) s.tickers++;
      nulls.set(row.source, s);
    }
    for (const [source, list] of failing) {
      await o.db.transaction(async (tx) => {
        await upsertQuarantine(
          tx,
          source,
          'validate',
          null,
          list.map((f) => f.entry),
        );
        await tx.query('DELETE FROM raw_data WHERE id = ANY($1::text[])', [
          list.map((f) => f.entry.record.id),
        ]);
      });
      quarantined += list.length;
    }
    o.onProgress?.({ checked, quarantined });
  }
  return { checked, quarantined, nulls };
}

/**
 * Validates what was collected since the last report: re-checks the stored rows against the row
 * rules (moving any that now fail to quarantine), evaluates the dataset rules, writes one row to
 * data_quality_reports and marks the covered runs as reported. Returns the report; the verdict
 * decides whether the stage fails (see runValidateStage).
 *
 * @example
 * const report = await validateCollected({ db, quality: loadQualityConfig() });
 * report.verdict // 'warn'
 */
export async function validateCollected(o: ValidateOptions): Promise<QualityReport> {
  const now = (o.now ?? (() => new Date()))();
  const { db, quality } = o;
  const runIds = (
    await db.query<{ id: number }>(
      `SELECT id FROM collection_runs WHERE quality_report_id IS NULL AND status <> 'running' ORDER BY id`,
    )
  ).map((r) => Number(r.id));

  const perRun = await db.query<{
    run_id: number;
    source: string;
    status: string;
    fetched: number;
    skipped_old: number;
    new_articles: number;
    merged: number;
    unchanged: number;
    quarantined: number;
    error: string | null;
  }>(
    `SELECT run_id, source, status, fetched, skipped_old, new_articles, merged, unchanged, quarantined, error
     FROM collection_run_sources WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, source`,
    [runIds],
  );
  const counts: Record<string, SourceCounts> = {};
  for (const r of perRun) {
    const c = counts[r.source] ?? {
      runs: 0,
      statuses: [],
      fetched: 0,
      skippedOld: 0,
      newArticles: 0,
      merged: 0,
      unchanged: 0,
      quarantined: 0,
      errors: [],
    };
    counts[r.source] = c;
    c.runs++;
    c.statuses.push(r.status);
    c.fetched += Number(r.fetched);
    c.skippedOld += Number(r.skipped_old);
    c.newArticles += Number(r.new_articles);
    c.merged += Number(r.merged);
    c.unchanged += Number(r.unchanged);
    c.quarantined += Number(r.quarantined);
    if (r.error && r.status !== 'skipped') c.errors.push(r.error);
  }

  const recheck = await recheckRows(o, runIds);
  const rules: RuleResult[] = [];
  const sources = Object.keys(counts).sort();
  const ran = sources.filter((s) => counts[s]?.statuses.some((st) => st !== 'skipped'));
  const total = (k: keyof Omit<SourceCounts, 'statuses' | 'errors'>) =>
    Object.values(counts).reduce((s, c) => s + c[k], 0);
  const candidates = total('fetched') - total('skippedOld');
  const quarantinedItems = total('quarantined') + recheck.quarantined;
  const d = quality.dataset;

  if (runIds.length === 0) {
    rules.push(skipped('window', 'no collection run finished since the last report'));
  }
  rules.push(
    candidates > 0
      ? upperLimit(
          'quarantine_rate',
          quarantinedItems / candidates,
          d.quarantine_rate,
          `${quarantinedItems} of ${candidates} items quarantined`,
        )
      : skipped('quarantine_rate', 'no new items in this window'),
  );
  const firstSeen = total('newArticles') + total('merged');
  rules.push(
    firstSeen > 0
      ? upperLimit(
          'duplicate_rate',
          total('merged') / firstSeen,
          d.duplicate_rate,
          `${total('merged')} of ${firstSeen} new items merged into known stories`,
        )
      : skipped('duplicate_rate', 'no new items in this window'),
  );
  const windowSeconds = (o.storyWindowHours ?? 48) * 3600;
  const twins = await db.query<{ n: number }>(
    `SELECT count(DISTINCT a.id)::int AS n FROM raw_data a JOIN raw_data b
       ON a.headline_hash = b.headline_hash AND a.id <> b.id
     WHERE a.run_id = ANY($1::bigint[])
       AND abs(extract(epoch FROM a.published_at - b.published_at)) <= $2
       AND (cardinality(a.tickers) = 0 OR cardinality(b.tickers) = 0 OR a.tickers && b.tickers)`,
    [runIds, windowSeconds],
  );
  rules.push(
    upperLimit(
      'unmerged_duplicates',
      Number(twins[0]?.n ?? 0),
      d.unmerged_duplicates,
      'stored rows with an unmerged twin story',
    ),
  );

  for (const [source, s] of recheck.nulls) {
    for (const [column, ceiling] of Object.entries(nullRatesFor(quality, source))) {
      const nullsOf = s[column as 'summary' | 'url' | 'tickers'];
      rules.push(
        upperLimit(
          `null_rate.${column}`,
          nullsOf / s.n,
          { warn: ceiling },
          `${nullsOf} of ${s.n} rows without ${column}`,
          source,
        ),
      );
    }
  }

  const history = await db.query<{ source: string; run_id: number; n: number }>(
    `SELECT source, run_id, (fetched - skipped_old)::int AS n FROM (
       SELECT s.*, row_number() OVER (PARTITION BY s.source ORDER BY s.run_id DESC) AS k
       FROM collection_run_sources s
       WHERE s.status IN ('succeeded', 'partial') AND NOT (s.run_id = ANY($1::bigint[]))
         AND s.run_id < COALESCE((SELECT min(x) FROM unnest($1::bigint[]) AS x), 9223372036854775807)
     ) h WHERE k <= $2`,
    [runIds, d.volume.history_runs],
  );
  const marks = await db.query<{ source: string; watermark: Date | string | null }>(
    'SELECT source, watermark FROM source_watermarks WHERE source = ANY($1::text[])',
    [ran],
  );
  for (const source of ran) {
    if (volumeCheckedFor(quality, source)) {
      const current = perRun
        .filter((r) => r.source === source && (r.status === 'succeeded' || r.status === 'partial'))
        .map((r) => Number(r.fetched) - Number(r.skipped_old));
      const past = history.filter((h) => h.source === source).map((h) => Number(h.n));
      rules.push(
        volumeRule(source, current, past, { minHistory: d.volume.min_history, threshold: d.volume.robust_z }),
      );
    }
    const maxHours = freshnessHoursFor(quality, source);
    if (maxHours !== null) {
      const w = marks.find((m) => m.source === source)?.watermark;
      rules.push(freshnessRule(source, w ? new Date(w) : null, now, maxHours));
    }
  }

  const failed = ran.filter((s) =>
    counts[s]?.statuses.some((st) => ['failed', 'rate_limited', 'partial'].includes(st)),
  );
  if (ran.length > 0) {
    const allFailed = failed.length === ran.length && ran.every((s) => counts[s]?.newArticles === 0);
    rules.push({
      rule: 'failed_sources',
      status:
        allFailed && d.failed_sources.fail_all
          ? 'fail'
          : failed.length >= d.failed_sources.warn
            ? 'warn'
            : 'pass',
      value: failed.length,
      threshold: `warn >= ${d.failed_sources.warn}${d.failed_sources.fail_all ? ', fail when all fail' : ''}`,
      message: failed.length
        ? `${failed.length} of ${ran.length} sources had failures: ${failed.map((s) => `${s} (${counts[s]?.errors[0] ?? 'failed'})`).join('; ')}`
        : `all ${ran.length} sources succeeded`,
    });
  }

  const verdict = verdictOf(rules);
  const problems = rules.filter((r) => r.status === 'warn' || r.status === 'fail');
  const summary =
    `verdict ${verdict.toUpperCase()}: ${runIds.length} run(s), ${recheck.checked} rows checked, ` +
    `${recheck.checked - recheck.quarantined} accepted, ${quarantinedItems} quarantined` +
    (problems.length
      ? `; ${problems.map((r) => `${r.status} ${r.rule}${r.source ? `[${r.source}]` : ''}: ${r.message}`).join('; ')}`
      : '');

  const report = await db.transaction(async (tx) => {
    const rows = await tx.query<{ id: number }>(
      `INSERT INTO data_quality_reports (created_at, verdict, run_ids, rows_checked, rows_accepted, rows_quarantined,
                                         counts, rules, summary)
       VALUES ($1, $2, $3::bigint[], $4, $5, $6, $7::text::jsonb, $8::text::jsonb, $9) RETURNING id`,
      [
        now.toISOString(),
        verdict,
        runIds,
        recheck.checked,
        recheck.checked - recheck.quarantined,
        quarantinedItems,
        JSON.stringify(counts),
        JSON.stringify(rules),
        summary,
      ],
    );
    const id = Number(rows[0]?.id);
    await tx.query('UPDATE collection_runs SET quality_report_id = $1 WHERE id = ANY($2::bigint[])', [
      id,
      runIds,
    ]);
    return id;
  });
  return {
    id: report,
    createdAt: now,
    verdict,
    runIds,
    rowsChecked: recheck.checked,
    rowsAccepted: recheck.checked - recheck.quarantined,
    rowsQuarantined: quarantinedItems,
    counts,
    rules,
    summary,
  };
}
