/** Where a headline's sentiment points the price: the `price_direction` of a prediction. */
export type PriceDirection = 'bullish' | 'bearish' | 'neutral';

/**
 * The dead band around zero inside which sentiment says nothing about direction. 0.05 is the
 * threshold VADER's authors use on `compound` for positive/negative, and for probability models
 * (sentiment = P(positive) − P(negative)) it means a five-point margin. See docs/adr/046.
 */
export const PRICE_DIRECTION_THRESHOLD = 0.05;

/**
 *   priceDirection(0.42)  // → 'bullish'
 *   priceDirection(-0.3)  // → 'bearish'
 *   priceDirection(0.01)  // → 'neutral'
 */
export function priceDirection(sentiment: number, threshold = PRICE_DIRECTION_THRESHOLD): PriceDirection {
  if (sentiment >= threshold) return 'bullish';
  if (sentiment <= -threshold) return 'bearish';
  return 'neutral';
}
