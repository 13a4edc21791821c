import { createHash } from 'node:crypto';
import type { NumericFeature } from '../../config/drift';
import { DataError, InputError } from '../../lib/errors';
import { LABELS, type Label, type Prediction, type SentimentModel } from '../../models/types';
import type { Db } from '../store/db';
import { compressValueCounts, meanSd, type ValueCounts, valueCounts } from './stats';
import { rowTickers, type TextStats, textStats, tokenize } from './text';

/** A numeric feature's reference distribution (at most `maxPoints` values, see compressValueCounts). */
export interface NumericReference extends ValueCounts {
  n: number;
  mean: number;
  sd: number;
}

/**
 * What the champion's data looked like, compared with every later window. Built from a labelled
 * (or unlabelled) dataset scored by the model, or from a reference window of the prediction log.
 */
export interface ReferenceSnapshot {
  model: string;
  version: string;
  source: { kind: 'dataset' | 'window'; name: string; fingerprint: string };
  createdAt: string;
  n: number;
  numeric: Record<NumericFeature, NumericReference>;
  labels: Record<Label, number>;
  /** Sorted word tokens of the training texts (tokenize()). */
  vocabulary: string[];
  /** Sorted upper-case tickers of the training texts. */
  tickers: string[];
  /** The reference rows' own OOV / unseen-ticker counts: held-out data is never 0% new. */
  text: Omit<TextStats, 'topOov' | 'topUnseenTickers'>;
  /** Disagreement between the two configured families on the reference texts, when scored by both. */
  disagreement?: { models: [string, string]; pairs: number; disagree: number };
}

export interface StoredReference {
  id: string;
  snapshot: ReferenceSnapshot;
}

export interface ReferenceRow {
  text: string;
  ticker?: string | null;
}

export interface BuildReferenceOptions {
  model: string;
  version: string;
  sourceName: string;
  rows: readonly ReferenceRow[];
  predictions: readonly Prediction[];
  /** Texts the champion was trained on (its vocabulary); defaults to the reference rows. */
  trainingTexts?: readonly string[];
  /** The training data fingerprint from the release manifest, when known. */
  fingerprint?: string;
  /** The other family's predictions on the same rows, for the disagreement baseline. */
  compare?: { models: [string, string]; predictions: readonly Prediction[] };
  maxPoints?: number;
  now?: Date;
}

/** A snapshot from rows already scored by the model (pure; see scoreReference to score them). */
export function buildReferenceSnapshot(options: BuildReferenceOptions): ReferenceSnapshot {
  const { rows, predictions } = options;
  if (rows.length === 0) throw new DataError('cannot build a drift reference from an empty dataset');
  if (predictions.length !== rows.length) {
    throw new InputError(
      `reference needs one prediction per row (${rows.length} rows, ${predictions.length} predictions)`,
    );
  }
  const maxPoints = options.maxPoints ?? 2000;
  const numeric = (values: number[]): NumericReference => {
    const vc = valueCounts(values);
    const { mean, sd } = meanSd(vc);
    return { ...compressValueCounts(vc, maxPoints), n: values.length, mean, sd };
  };
  const training = options.trainingTexts ?? rows.map((r) => r.text);
  const vocabulary = new Set<string>();
  const tickers = new Set<string>();
  for (const t of training) for (const w of tokenize(t)) vocabulary.add(w);
  for (const t of training) for (const k of rowTickers(t, null)) tickers.add(k);
  if (!options.trainingTexts)
    for (const r of rows) for (const k of rowTickers(r.text, r.ticker)) tickers.add(k);
  const labels = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const p of predictions) labels[p.label] += 1;
  const { topOov: _o, topUnseenTickers: _u, ...text } = textStats(rows, vocabulary, tickers);
  let disagreement: ReferenceSnapshot['disagreement'];
  if (options.compare) {
    const other = options.compare.predictions;
    if (other.length !== rows.length)
      throw new InputError('comparison predictions must match the rows one to one');
    const disagree = predictions.filter((p, i) => p.label !== other[i]!.label).length;
    disagreement = { models: options.compare.models, pairs: rows.length, disagree };
  }
  const fingerprint =
    options.fingerprint ?? `sha256:${sha256(training.map((t) => t.replace(/\n/g, ' ')).join('\n'))}`;
  return {
    model: options.model,
    version: options.version,
    source: { kind: 'dataset', name: options.sourceName, fingerprint },
    createdAt: (options.now ?? new Date()).toISOString(),
    n: rows.length,
    numeric: {
      sentiment: numeric(predictions.map((p) => p.sentiment)),
      confidence: numeric(predictions.map((p) => p.confidence)),
      text_length: numeric(rows.map((r) => r.text.length)),
    },
    labels,
    vocabulary: [...vocabulary].sort(),
    tickers: [...tickers].sort(),
    text,
    ...(disagreement ? { disagreement } : {}),
  };
}

/**
 * Scores a dataset with the champion (and optionally the other family) and builds its snapshot.
 *
 * @example await scoreReference({ model: vader, rows, sourceName: 'sent_valid.csv', trainingTexts })
 */
export async function scoreReference(options: {
  model: SentimentModel;
  rows: readonly ReferenceRow[];
  sourceName: string;
  trainingTexts?: readonly string[];
  fingerprint?: string;
  compareWith?: SentimentModel;
  batchSize?: number;
}): Promise<ReferenceSnapshot> {
  const batch = options.batchSize ?? 256;
  const texts = options.rows.map((r) => r.text);
  const score = async (m: SentimentModel) => {
    const out: Prediction[] = [];
    for (let i = 0; i < texts.length; i += batch) out.push(...(await m.predict(texts.slice(i, i + batch))));
    return out;
  };
  const predictions = await score(options.model);
  const compare = options.compareWith
    ? {
        models: [options.model.family, options.compareWith.family] as [string, string],
        predictions: await score(options.compareWith),
      }
    : undefined;
  return buildReferenceSnapshot({
    model: options.model.family,
    version: options.model.version,
    sourceName: options.sourceName,
    rows: options.rows,
    predictions,
    ...(options.trainingTexts ? { trainingTexts: options.trainingTexts } : {}),
    ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
    ...(compare ? { compare } : {}),
  });
}

/** Content-addressed id: the same snapshot stored twice is one row. */
export function referenceId(snapshot: ReferenceSnapshot): string {
  const { createdAt: _c, ...content } = snapshot;
  return `ref-${sha256(JSON.stringify(content)).slice(0, 16)}`;
}

export async function saveReference(db: Db, snapshot: ReferenceSnapshot): Promise<StoredReference> {
  const id = referenceId(snapshot);
  await db.query(
    `INSERT INTO drift_references (id, model, version, source_kind, source_name, dataset_fingerprint, n, snapshot, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9)
     ON CONFLICT (id) DO NOTHING`,
    [
      id,
      snapshot.model,
      snapshot.version,
      snapshot.source.kind,
      snapshot.source.name,
      snapshot.source.fingerprint,
      snapshot.n,
      JSON.stringify(snapshot),
      snapshot.createdAt,
    ],
  );
  return { id, snapshot };
}

/**
 * The newest reference for a family, preferring one built for `version` (the serving champion).
 * Returns undefined when there is none; the caller says how to build one.
 */
export async function latestReference(
  db: Db,
  model: string,
  version?: string,
): Promise<StoredReference | undefined> {
  const rows = await db.query<{ id: string; snapshot: ReferenceSnapshot | string }>(
    `SELECT id, snapshot FROM drift_references WHERE model = $1
     ORDER BY (version = $2) DESC, created_at DESC, id LIMIT 1`,
    [model, version ?? ''],
  );
  const row = rows[0];
  if (!row) return undefined;
  const snapshot =
    typeof row.snapshot === 'string' ? (JSON.parse(row.snapshot) as ReferenceSnapshot) : row.snapshot;
  return { id: row.id, snapshot };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
