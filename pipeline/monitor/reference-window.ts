import { NUMERIC_FEATURES } from '../../config/drift';
import { DataError } from '../../lib/errors';
import { LABELS, type Label } from '../../models/types';
import type { Db } from '../store/db';
import type { NumericReference, ReferenceSnapshot } from './reference';
import { rowTickers, textStats, tokenize } from './text';
import { analytic, disagreementCounts, type WindowFilter, windowWhere } from './window';

/**
 * A reference built from a past window of the prediction log instead of a dataset ("last week
 * as it was"): the way to watch a model that has no labelled evaluation set, or to compare
 * with the period just after a promotion. Everything is aggregated in SQL: per feature,
 * `maxPoints` quantile cuts (percentile_disc) and the count and largest value between cuts,
 * which is exactly compressValueCounts' summary of the whole window.
 *
 * @example await referenceFromWindow(db, { model: 'vader', from: lastWeek, to: yesterday }, { version: '1.2.0' })
 */
function parseArray(v: number[] | string | null): number[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.map(Number).filter(Number.isFinite);
  return v
    .replace(/[{}]/g, '')
    .split(',')
    .filter((x) => x !== '' && x !== 'NULL')
    .map(Number);
}

export async function referenceFromWindow(
  db: Db,
  filter: WindowFilter,
  options: {
    version: string;
    maxPoints?: number;
    textSample?: number;
    disagreementModels?: [string, string];
  },
): Promise<ReferenceSnapshot> {
  const maxPoints = options.maxPoints ?? 2000;
  const where = windowWhere(filter);
  const k = where.params.length + 1;
  // maxPoints − 1 cuts make at most maxPoints buckets (width_bucket adds one below the first).
  const quantiles = `{${Array.from({ length: maxPoints - 1 }, (_, i) => (i + 1) / maxPoints).join(',')}}`;
  const numeric = {} as ReferenceSnapshot['numeric'];
  for (const f of NUMERIC_FEATURES) {
    // Two steps on purpose: cuts read from a CTE column would be de-toasted for every row; as a
    // typed parameter they are read once.
    const [q] = await analytic(db, (tx) =>
      tx.query<{ cuts: number[] | string | null }>(
        `SELECT percentile_disc($${k}::float8[]) WITHIN GROUP (ORDER BY ${f}::float8) AS cuts
         FROM predictions WHERE ${where.sql}`,
        [...where.params, quantiles],
      ),
    );
    const cuts = parseArray(q?.cuts ?? null);
    const rows =
      cuts.length === 0
        ? []
        : await analytic(db, (tx) =>
            tx.query<{ v: number; c: number; s: number; ss: number }>(
              `SELECT max(x) AS v, count(*)::int AS c, sum(x)::float8 AS s, sum(x * x)::float8 AS ss
               FROM (SELECT ${f}::float8 AS x FROM predictions WHERE ${where.sql}) w
               GROUP BY width_bucket(x, $${k}::float8[]) ORDER BY v`,
              [...where.params, `{${[...new Set(cuts)].join(',')}}`],
            ),
          );
    const n = rows.reduce((s, r) => s + Number(r.c), 0);
    if (n === 0) {
      throw new DataError(
        `no ${filter.model} predictions between ${filter.from.toISOString()} and ${filter.to.toISOString()}: pick a window with traffic`,
      );
    }
    const sum = rows.reduce((s, r) => s + Number(r.s), 0);
    const sumSq = rows.reduce((s, r) => s + Number(r.ss), 0);
    const mean = sum / n;
    const ref: NumericReference = {
      values: rows.map((r) => Number(r.v)),
      counts: rows.map((r) => Number(r.c)),
      n,
      mean,
      sd: n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1))) : 0,
    };
    numeric[f] = ref;
  }
  const labelRows = await db.query<{ label: string; c: number }>(
    `SELECT label, count(*)::int AS c FROM predictions WHERE ${where.sql} GROUP BY label`,
    where.params,
  );
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const r of labelRows)
    if ((LABELS as readonly string[]).includes(r.label)) labels[r.label as Label] = Number(r.c);
  const sample = await db.query<{ text: string | null; ticker: string | null }>(
    `SELECT text, ticker FROM predictions WHERE ${where.sql} AND text IS NOT NULL ORDER BY random() LIMIT $${k}`,
    [...where.params, options.textSample ?? 20_000],
  );
  const vocabulary = new Set<string>();
  const tickers = new Set<string>();
  for (const r of sample) {
    for (const t of tokenize(r.text ?? '')) vocabulary.add(t);
    for (const t of rowTickers(r.text, r.ticker)) tickers.add(t);
  }
  const { topOov: _o, topUnseenTickers: _u, ...text } = textStats(sample, vocabulary, tickers);
  const pairs = options.disagreementModels
    ? await disagreementCounts(db, filter, options.disagreementModels)
    : undefined;
  const n = numeric.sentiment.n;
  return {
    model: filter.model,
    version: options.version,
    source: {
      kind: 'window',
      name: `${filter.from.toISOString()}/${filter.to.toISOString()}`,
      fingerprint: `window:${filter.model}:${filter.from.toISOString()}:${filter.to.toISOString()}:${n}`,
    },
    createdAt: new Date().toISOString(),
    n,
    numeric,
    labels,
    vocabulary: [...vocabulary].sort(),
    tickers: [...tickers].sort(),
    text,
    ...(pairs && pairs.pairs > 0
      ? { disagreement: { models: pairs.models, pairs: pairs.pairs, disagree: pairs.disagree } }
      : {}),
  };
}
