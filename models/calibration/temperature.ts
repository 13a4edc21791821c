/**
 * Temperature scaling (Guo et al., 2017): divide the logits by one scalar T fitted to minimise
 * the negative log-likelihood on a validation split. T > 1 softens an over-confident model, T < 1
 * sharpens an under-confident one; the argmax, and so every label and the accuracy, never changes.
 */

/** softmax(z / T), stable. */
export function softmaxWithTemperature(logits: readonly number[], temperature: number): number[] {
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z / temperature);
  const e = logits.map((z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Mean NLL of the targets under softmax(z / T). */
export function temperatureNll(
  logits: readonly (readonly number[])[],
  targets: readonly number[],
  temperature: number,
): number {
  let total = 0;
  logits.forEach((z, i) => {
    let max = -Infinity;
    for (const v of z) max = Math.max(max, v / temperature);
    let sum = 0;
    for (const v of z) sum += Math.exp(v / temperature - max);
    total -= z[targets[i]!]! / temperature - max - Math.log(sum);
  });
  return total / Math.max(1, logits.length);
}

export interface TemperatureFit {
  temperature: number;
  nllBefore: number;
  nllAfter: number;
}

/** Search range for T: wide enough for any sane model, narrow enough to stay finite. */
export const MIN_TEMPERATURE = 0.05;
export const MAX_TEMPERATURE = 20;

/**
 * Fits T by golden-section search on log T. The NLL is convex in 1/T (a log-sum-exp of a linear
 * function minus a linear one), hence unimodal in log T, so golden-section finds the optimum.
 *
 * @example
 *   fitTemperature([[4, 0, 0], [4, 0, 0]], [0, 1]).temperature // ≈ 5.77 (4 / ln 2): right half the time, so p = 0.5
 */
export function fitTemperature(
  logits: readonly (readonly number[])[],
  targets: readonly number[],
): TemperatureFit {
  if (logits.length !== targets.length) throw new RangeError('logits and targets differ in length');
  if (logits.length === 0) throw new RangeError('cannot fit a temperature on an empty validation split');
  const f = (u: number) => temperatureNll(logits, targets, Math.exp(u));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(MIN_TEMPERATURE);
  let b = Math.log(MAX_TEMPERATURE);
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 80 && b - a > 1e-7; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: f(Math.log(temperature)) };
}
