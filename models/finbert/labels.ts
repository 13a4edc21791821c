import type { Label } from '../types';

const SYNONYMS: Record<string, Label> = {
  positive: 'positive',
  pos: 'positive',
  bullish: 'positive',
  negative: 'negative',
  neg: 'negative',
  bearish: 'negative',
  neutral: 'neutral',
  neu: 'neutral',
};

/**
 * Maps a model's id2label (config.json) onto finsent's labels, by name, never by position:
 * ProsusAI/finbert is 0 positive, 1 negative, 2 neutral; other exports order them differently.
 * Returns the label of each output index, or a reason the mapping is impossible.
 *
 * @example
 *   labelOrder({ 0: 'positive', 1: 'negative', 2: 'neutral' }) // { labels: ['positive', 'negative', 'neutral'] }
 */
export function labelOrder(
  id2label: Record<string, string> | undefined,
): { labels: Label[] } | { error: string } {
  if (!id2label) return { error: 'config.json has no id2label' };
  const entries = Object.entries(id2label)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  if (entries.length !== 3 || entries.some(([k], i) => k !== i)) {
    return {
      error: `config.json id2label must name outputs 0, 1 and 2 (it has ${JSON.stringify(id2label)})`,
    };
  }
  const labels = entries.map(([, name]) => SYNONYMS[name.trim().toLowerCase()]);
  if (labels.some((l) => l === undefined) || new Set(labels).size !== 3) {
    return {
      error: `config.json id2label ${JSON.stringify(id2label)} does not map one-to-one onto positive, negative, neutral`,
    };
  }
  return { labels: labels as Label[] };
}
