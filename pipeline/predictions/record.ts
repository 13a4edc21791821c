import { createHash } from 'node:crypto';
import type { Label, Prediction } from '../../models/types';

/**
 * One served (or shadow) prediction as the `predictions` table keeps it
 * (pipeline/store/migrations/040-predictions.sql).
 */
export interface PredictionRecord {
  /** Unique per text: `<request id>.<index>` for served predictions, `…:shadow:<family>` for shadows. */
  id: string;
  createdAt: Date;
  model: string;
  version: string;
  /** The A/B arm, `shadow`, `direct` (a model route) or `compare`. */
  arm: string | null;
  shadow: boolean;
  label: Label;
  sentiment: number;
  confidence: number;
  scores: Prediction['scores'];
  latencyMs: number;
  cacheHit: boolean;
  ticker: string | null;
  textHash: string;
  textLength: number;
  /** Null when the deployment keeps no text (FINSENT_LOG_TEXT=0). */
  text: string | null;
}

/**
 * The form a text is scored and cached in: Unicode NFKC, runs of whitespace collapsed to one
 * space, trimmed. Case and punctuation are kept because VADER reads them ("GREAT!!!" ≠ "great").
 *
 *   normaliseText('  Apple\u00a0beats\n estimates ') // → 'Apple beats estimates'
 */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** sha256 (hex) of an already normalised text: the join key for feedback and the cache key. */
export function textHash(normalised: string): string {
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
