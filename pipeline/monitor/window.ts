import { NUMERIC_FEATURES, type NumericFeature } from '../../config/drift';
import { LABELS, type Label } from '../../models/types';
import type { Db } from '../store/db';
import type { NumericReference, ReferenceSnapshot } from './reference';
import { type EcdfAtReference, ecdfAtReference } from './stats';

/** Which rows of the prediction log form a window: one family, optionally one version. */
export interface WindowFilter {
  model: string;
  version?: string;
  from: Date;
  to: Date;
}

/** A logged prediction as the monitor reads it (the in-memory twin of a `predictions` row). */
export interface LoggedPrediction {
  model: string;
  label: Label;
  sentiment: number;
  confidence: number;
  text_length: number;
  text: string | null;
  ticker: string | null;
  text_hash: string;
}

/** Everything drift needs from the current window, however it was computed. */
export interface CurrentWindow {
  n: number;
  labels: Record<Label, number>;
  numeric: Record<NumericFeature, { ecdf: EcdfAtReference; mean: number; sd: number }>;
  /** Up to `text.sample` rows with their text, for vocabulary and tickers. */
  textSample: Array<{ text: string | null; ticker: string | null }>;
  disagreement?: DisagreementCounts;
  /**
   * Present when the numeric distributions (KS, PSI, means) came from a hash sample of the
   * window rather than all of it: how many rows, and the share kept. `n` and the labels stay exact.
   */
  numericSample?: { size: number; share: number };
}

export interface DisagreementCounts {
  models: [string, string];
  pairs: number;
  disagree: number;
  /** `${labelA}>${labelB}` → count, for the evidence table. */
  matrix: Record<string, number>;
  /** Share of texts joined when the window was large (hash-based sample); absent when all were. */
  sampledShare?: number;
}

const COLUMN: Record<NumericFeature, string> = {
  sentiment: 'sentiment',
  confidence: 'confidence',
  text_length: 'text_length',
};

/** WHERE clause and parameters for a window; parameters start at $1. */
export function windowWhere(f: WindowFilter, alias = ''): { sql: string; params: unknown[] } {
  const a = alias ? `${alias}.` : '';
  const params: unknown[] = [f.model, f.from.toISOString(), f.to.toISOString()];
  let sql = `${a}model = $1 AND ${a}created_at >= $2 AND ${a}created_at < $3`;
  if (f.version) {
    params.push(f.version);
    sql += ` AND ${a}version = $4`;
  }
  return { sql, params };
}

/**
 * Runs one analytic query with settings for a batch scan: enough work_mem for the hash tables
 * and sorts of a million rows to stay in memory, and no JIT (Postgres spends more than a
 * second compiling these expressions, longer than it then saves). SET LOCAL ends with the
 * transaction, so the pool's connections keep their defaults.
 */
export async function analytic<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL work_mem = '64MB'`);
    await tx.query('SET LOCAL jit = off');
    return fn(tx);
  });
}

/** A Postgres array literal of doubles, sent as the text form of a float8[] parameter (same on both engines). */
export function float8ArrayLiteral(values: readonly number[]): string {
  return `{${values.map((v) => String(v)).join(',')}}`;
}

/**
 * Reads the current window from the store. The heavy lifting stays in SQL: the exact row and
 * label counts, then per numeric feature the counts in each `width_bucket` of the reference's
 * values (which fixes both empirical CDFs exactly at the reference's jumps, so KS and PSI need
 * no rows in JS) with sums for the means, all features from one scan. Above `numericSample`
 * rows the distributions come from a hash sample of that size (ADR 063 gives the error bound).
 * Then a bounded text sample and the (hash-sampled) disagreement join.
 */
export async function loadCurrentWindow(
  db: Db,
  filter: WindowFilter,
  reference: ReferenceSnapshot,
  options: {
    textSample: number;
    disagreementModels?: [string, string];
    disagreementTexts?: number;
    /** Rows the numeric distributions are computed from at most (hash sample beyond); default all. */
    numericSample?: number;
  },
): Promise<CurrentWindow> {
  const where = windowWhere(filter, 'p');
  const k = where.params.length + 1;
  // Exact counts first (n and the label mix for chi-squared): one scan, no grouping.
  const [counts] = await analytic(db, (tx) =>
    tx.query<Record<string, number>>(
      `SELECT count(*)::int AS n, ${LABELS.map((l) => `count(*) FILTER (WHERE p.label = '${l}')::int AS "l_${l}"`).join(', ')}
       FROM predictions p WHERE ${where.sql}`,
      where.params,
    ),
  );
  const n = Number(counts?.n ?? 0);
  const labels = Object.fromEntries(LABELS.map((l) => [l, Number(counts?.[`l_${l}`] ?? 0)])) as Record<
    Label,
    number
  >;
  // Then ONE scan for the three numeric distributions: the window's rows (or, above
  // `numericSample`, a deterministic pseudo-random subset chosen by a hash of the prediction id)
  // are read once into a narrow CTE, and each feature is bucketed from it (ADR 063). The cuts
  // travel as typed float8[] parameters: a text cast per row would re-parse them.
  const share = options.numericSample && n > options.numericSample ? options.numericSample / n : 1;
  const cut = Math.max(1, Math.ceil(share * HASH_RANGE));
  const sampled = cut < HASH_RANGE;
  const params = [
    ...where.params,
    ...NUMERIC_FEATURES.map((f) => float8ArrayLiteral(reference.numeric[f].values)),
    ...(sampled ? [cut] : []),
  ];
  const cutsParam = (i: number) => `$${k + i}::float8[]`;
  // The numeric pass, the text sample and the disagreement join need only n: run them together
  // (separate pooled connections on Postgres).
  const numericRows =
    n === 0
      ? Promise.resolve([])
      : analytic(db, (tx) =>
          tx.query<{ f: number; b: number; c: number; e: number; sx: number | null; sxx: number | null }>(
            `WITH s AS MATERIALIZED (
               SELECT ${NUMERIC_FEATURES.map((f, i) => `p.${COLUMN[f]}::float8 AS x${i}`).join(', ')}
               FROM predictions p WHERE ${where.sql}${sampled ? ` AND (hashtext(p.id) & ${HASH_RANGE - 1}) < $${k + NUMERIC_FEATURES.length}::int` : ''})
             ${NUMERIC_FEATURES.map(
               (_f, i) =>
                 `SELECT ${i} AS f, b, count(*)::int AS c, count(*) FILTER (WHERE x = (${cutsParam(i)})[b])::int AS e,
                    sum(x)::float8 AS sx, sum(x * x)::float8 AS sxx
                  FROM (SELECT width_bucket(x${i}, ${cutsParam(i)}) AS b, x${i} AS x FROM s OFFSET 0) q GROUP BY b`,
             ).join('\n             UNION ALL ')}`,
            params,
          ),
        );
  const [rows, textSample, disagreement] = await Promise.all([
    numericRows,
    n === 0 ? [] : sampleTexts(db, filter, n, options.textSample),
    options.disagreementModels
      ? disagreementCounts(db, filter, options.disagreementModels, {
          share: Math.min(1, (options.disagreementTexts ?? 50_000) / Math.max(n, 1)),
        })
      : undefined,
  ]);
  const numeric = Object.fromEntries(
    NUMERIC_FEATURES.map((f, i) => {
      const mine = rows.filter((r) => Number(r.f) === i);
      const m = mine.reduce((s, r) => s + Number(r.c), 0);
      const sx = mine.reduce((s, r) => s + Number(r.sx ?? 0), 0);
      const sxx = mine.reduce((s, r) => s + Number(r.sxx ?? 0), 0);
      const mean = m > 0 ? sx / m : Number.NaN;
      const variance = m > 1 ? Math.max(0, (sxx - m * mean * mean) / (m - 1)) : 0;
      const buckets = mine.map((r) => ({ b: Number(r.b), c: Number(r.c), e: Number(r.e) }));
      return [
        f,
        {
          ecdf: ecdfFromBuckets(reference.numeric[f], buckets),
          mean,
          sd: m > 0 ? Math.sqrt(variance) : Number.NaN,
        },
      ];
    }),
  ) as CurrentWindow['numeric'];
  return {
    n,
    labels,
    numeric,
    textSample,
    ...(sampled ? { numericSample: { size: numeric.sentiment.ecdf.total, share: cut / HASH_RANGE } } : {}),
    ...(disagreement ? { disagreement } : {}),
  };
}

/** The hash sample keeps rows whose `hashtext(id) & (HASH_RANGE - 1)` falls below a cut. */
const HASH_RANGE = 65536;

/** Bucket b holds values in [v_b, v_{b+1}) (bucket 0: below v_1); `e` counts those equal to v_b. */
export function ecdfFromBuckets(
  ref: NumericReference,
  buckets: ReadonlyArray<{ b: number; c: number; e: number }>,
): EcdfAtReference {
  const K = ref.values.length;
  const inBucket = new Array<number>(K + 1).fill(0);
  const eq = new Array<number>(K).fill(0);
  let total = 0;
  for (const { b, c, e } of buckets) {
    inBucket[b] = c;
    if (b >= 1) eq[b - 1] = e;
    total += c;
  }
  const lt: number[] = [];
  let below = 0;
  for (let i = 0; i < K; i++) {
    below += inBucket[i]!;
    lt.push(below);
  }
  return { total, lt, eq };
}

/**
 * About `size` rows with text, spread over the whole window: when the window holds more, 250
 * random instants (one per equal slice of time) each contribute the next few predictions
 * through the time index. That costs a few index probes instead of a scan of the window, and
 * a stratified sample covers every hour where a "most recent N" would see only the last one.
 */
async function sampleTexts(
  db: Db,
  filter: WindowFilter,
  n: number,
  size: number,
): Promise<CurrentWindow['textSample']> {
  const withText = '(text IS NOT NULL OR ticker IS NOT NULL)';
  if (n <= size) {
    const where = windowWhere(filter);
    return db.query<{ text: string | null; ticker: string | null }>(
      `SELECT text, ticker FROM predictions WHERE ${where.sql} AND ${withText} LIMIT $${where.params.length + 1}`,
      [...where.params, size],
    );
  }
  const strata = Math.min(250, size);
  const span = filter.to.getTime() - filter.from.getTime();
  const instants = Array.from({ length: strata }, (_, j) =>
    new Date(filter.from.getTime() + ((j + Math.random()) / strata) * span).toISOString(),
  );
  const params: unknown[] = [
    filter.model,
    filter.to.toISOString(),
    `{${instants.join(',')}}`,
    Math.ceil(size / strata),
  ];
  if (filter.version) params.push(filter.version);
  return db.query<{ text: string | null; ticker: string | null }>(
    `SELECT s.text, s.ticker FROM unnest($3::timestamptz[]) AS t(at)
     CROSS JOIN LATERAL (
       SELECT text, ticker FROM predictions
       WHERE model = $1 AND created_at >= t.at AND created_at < $2 AND ${withText}${filter.version ? ' AND version = $5' : ''}
       ORDER BY created_at LIMIT $4) s`,
    params,
  );
}

/**
 * How often two families labelled the same text differently within the window. On a large
 * window only texts whose sha256 falls below a cut are joined (`share` of them): the same
 * random subset for both families, so pairs stay pairs, and the rate's standard error stays
 * under half a point while the GROUP BY shrinks twentyfold.
 */
export async function disagreementCounts(
  db: Db,
  filter: WindowFilter,
  models: [string, string],
  options: { share?: number } = {},
): Promise<DisagreementCounts> {
  const share = options.share ?? 1;
  const params: unknown[] = [models[0], models[1], filter.from.toISOString(), filter.to.toISOString()];
  let sample = '';
  if (share < 1) {
    params.push(
      Math.max(1, Math.floor(share * 16 ** 6))
        .toString(16)
        .padStart(6, '0'),
    );
    // Any deterministic cut on the hash is a pseudo-random subset, the same for both families,
    // and in the column's own collation the text_hash index can serve it.
    sample = ' AND text_hash < $5';
  }
  const rows = await analytic(db, (tx) =>
    tx.query<{ la: string; lb: string; c: number }>(
      `SELECT la, lb, count(*)::int AS c FROM (
       SELECT text_hash, min(label) FILTER (WHERE model = $1) AS la, min(label) FILTER (WHERE model = $2) AS lb
       FROM predictions WHERE model IN ($1, $2) AND created_at >= $3 AND created_at < $4${sample}
       GROUP BY text_hash) t
     WHERE la IS NOT NULL AND lb IS NOT NULL GROUP BY la, lb`,
      params,
    ),
  );
  const counts = summariseDisagreement(
    models,
    rows.map((r) => [r.la, r.lb, Number(r.c)]),
  );
  return share < 1 ? { ...counts, sampledShare: share } : counts;
}

function summariseDisagreement(
  models: [string, string],
  cells: Array<[string, string, number]>,
): DisagreementCounts {
  let pairs = 0;
  let disagree = 0;
  const matrix: Record<string, number> = {};
  for (const [a, b, c] of cells) {
    pairs += c;
    if (a !== b) disagree += c;
    matrix[`${a}>${b}`] = (matrix[`${a}>${b}`] ?? 0) + c;
  }
  return { models, pairs, disagree, matrix };
}

/** The same window computed from rows in memory (tests, and small logs read from files). */
export function currentWindowFromRows(
  rows: readonly LoggedPrediction[],
  reference: ReferenceSnapshot,
  options: { textSample: number; disagreementModels?: [string, string] },
): CurrentWindow {
  const own = rows.filter((r) => r.model === reference.model);
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const r of own) labels[r.label] += 1;
  const numeric = Object.fromEntries(
    NUMERIC_FEATURES.map((f) => {
      const xs = own.map((r) => r[f]);
      const mean = xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(xs.length - 1, 1));
      return [
        f,
        { ecdf: ecdfAtReference(reference.numeric[f], xs), mean: xs.length ? mean : Number.NaN, sd },
      ];
    }),
  ) as CurrentWindow['numeric'];
  const textSample = own
    .filter((r) => r.text !== null || r.ticker !== null)
    .slice(0, options.textSample)
    .map((r) => ({ text: r.text, ticker: r.ticker }));
  let disagreement: DisagreementCounts | undefined;
  if (options.disagreementModels) {
    const [a, b] = options.disagreementModels;
    const byHash = new Map<string, { a?: string; b?: string }>();
    for (const r of rows) {
      if (r.model !== a && r.model !== b) continue;
      const e = byHash.get(r.text_hash) ?? {};
      const key = r.model === a ? 'a' : 'b';
      if (e[key] === undefined || r.label < e[key]!) e[key] = r.label;
      byHash.set(r.text_hash, e);
    }
    const cells = new Map<string, number>();
    for (const e of byHash.values()) {
      if (e.a && e.b) cells.set(`${e.a}|${e.b}`, (cells.get(`${e.a}|${e.b}`) ?? 0) + 1);
    }
    disagreement = summariseDisagreement(
      options.disagreementModels,
      [...cells.entries()].map(([k, c]) => [...(k.split('|') as [string, string]), c]),
    );
  }
  return { n: own.length, labels, numeric, textSample, ...(disagreement ? { disagreement } : {}) };
}
