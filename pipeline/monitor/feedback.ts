import { FinsentError, InputError } from '../../lib/errors';
import { isLabel, type Label } from '../../models/types';
import type { Db } from '../store/db';
import { textHash } from './text';

/** No logged prediction has the id the caller sent. */
export class NotFoundError extends FinsentError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('NOT_FOUND', message, context);
  }
}

export interface FeedbackInput {
  predictionId?: string;
  text?: string;
  label: Label;
  source?: string;
  submittedBy?: string;
}

export interface FeedbackRecord {
  id: number;
  predictionId: string | null;
  textHash: string;
  label: Label;
  source: string;
  /** Logged predictions this label now scores. */
  matchedPredictions: number;
  /** False when an earlier label for the same prediction (or text and source) was corrected. */
  created: boolean;
}

/**
 * Stores one label for a logged prediction or for a text. Sending it again corrects the label
 * rather than counting twice.
 *
 * @example await recordFeedback(db, { predictionId: 'req-1:0', label: 'negative', submittedBy: 'admin' })
 */
export async function recordFeedback(db: Db, input: FeedbackInput): Promise<FeedbackRecord> {
  if (!isLabel(input.label)) {
    throw new InputError(`label must be positive, negative or neutral (got ${JSON.stringify(input.label)})`);
  }
  const hasId = typeof input.predictionId === 'string' && input.predictionId !== '';
  const hasText = typeof input.text === 'string' && input.text.trim() !== '';
  if (hasId === hasText) {
    throw new InputError(
      'send exactly one of prediction_id (a logged prediction) or text (any text), with label',
    );
  }
  const source = input.source ?? 'api';
  if (hasId) {
    const [p] = await db.query<{ text_hash: string }>('SELECT text_hash FROM predictions WHERE id = $1', [
      input.predictionId,
    ]);
    if (!p) {
      throw new NotFoundError(
        `no logged prediction has id "${input.predictionId}": use the id from the prediction response, or send the text instead`,
        { input: input.predictionId },
      );
    }
    const [row] = await db.query<{ id: number; inserted: boolean }>(
      `INSERT INTO feedback (prediction_id, text_hash, label, source, submitted_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (prediction_id) WHERE prediction_id IS NOT NULL
       DO UPDATE SET label = EXCLUDED.label, submitted_by = EXCLUDED.submitted_by, updated_at = now()
       RETURNING id::int AS id, (xmax = 0) AS inserted`,
      [input.predictionId, p.text_hash, input.label, source, input.submittedBy ?? null],
    );
    return {
      id: Number(row!.id),
      predictionId: input.predictionId!,
      textHash: p.text_hash,
      label: input.label,
      source,
      matchedPredictions: 1,
      created: Boolean(row!.inserted),
    };
  }
  const hash = textHash(input.text!);
  const [row] = await db.query<{ id: number; inserted: boolean }>(
    `INSERT INTO feedback (prediction_id, text_hash, label, source, submitted_by) VALUES (NULL, $1, $2, $3, $4)
     ON CONFLICT (text_hash, source) WHERE prediction_id IS NULL
     DO UPDATE SET label = EXCLUDED.label, submitted_by = EXCLUDED.submitted_by, updated_at = now()
     RETURNING id::int AS id, (xmax = 0) AS inserted`,
    [hash, input.label, source, input.submittedBy ?? null],
  );
  const [m] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM predictions WHERE text_hash = $1',
    [hash],
  );
  return {
    id: Number(row!.id),
    predictionId: null,
    textHash: hash,
    label: input.label,
    source,
    matchedPredictions: Number(m?.n ?? 0),
    created: Boolean(row!.inserted),
  };
}

/**
 * Imports a labelled dataset as feedback in one statement per 5,000 rows (source
 * `dataset:<name>`), so rolling accuracy covers every logged prediction of those texts.
 * Later duplicates of a text win. Returns the number of distinct texts stored.
 */
export async function importFeedback(
  db: Db,
  rows: ReadonlyArray<{ text: string; label: string }>,
  name: string,
): Promise<number> {
  const byHash = new Map<string, { text_hash: string; label: Label }>();
  rows.forEach((r, i) => {
    if (!isLabel(r.label)) {
      throw new InputError(
        `row ${i + 1}: label must be positive, negative or neutral (got ${JSON.stringify(r.label)})`,
      );
    }
    if (r.text.trim() === '') return;
    const h = textHash(r.text);
    byHash.set(h, { text_hash: h, label: r.label });
  });
  const all = [...byHash.values()];
  for (let i = 0; i < all.length; i += 5000) {
    await db.query(
      `INSERT INTO feedback (prediction_id, text_hash, label, source, submitted_by)
       SELECT NULL, x.text_hash, x.label, $2, 'cli' FROM jsonb_to_recordset($1::text::jsonb) AS x(text_hash text, label text)
       ON CONFLICT (text_hash, source) WHERE prediction_id IS NULL
       DO UPDATE SET label = EXCLUDED.label, updated_at = now()`,
      [JSON.stringify(all.slice(i, i + 5000)), `dataset:${name}`],
    );
  }
  return all.length;
}
