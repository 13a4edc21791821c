/**
 * Dataset rules over a validation window, as pure functions of counts, so each can be tested
 * with plain numbers. Each returns one RuleResult; the report's verdict is the worst status.
 */

export type RuleStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export interface RuleResult {
  rule: string;
  /** The source the rule was evaluated for, when it is per source. */
  source?: string;
  status: RuleStatus;
  value: number | null;
  threshold: string | null;
  message: string;
}

export interface Limits {
  warn?: number;
  fail?: number;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** `value` against upper limits: above `fail` fails, above `warn` warns. */
export function upperLimit(
  rule: string,
  value: number,
  limits: Limits,
  describe: string,
  source?: string,
): RuleResult {
  const threshold = [
    limits.warn !== undefined && `warn > ${fmt(limits.warn)}`,
    limits.fail !== undefined && `fail > ${fmt(limits.fail)}`,
  ]
    .filter(Boolean)
    .join(', ');
  let status: RuleStatus = 'pass';
  if (limits.fail !== undefined && value > limits.fail) status = 'fail';
  else if (limits.warn !== undefined && value > limits.warn) status = 'warn';
  return {
    rule,
    source,
    status,
    value,
    threshold: threshold || null,
    message: `${describe} (${fmt(value)})`,
  };
}

export function skipped(rule: string, why: string, source?: string): RuleResult {
  return { rule, source, status: 'skipped', value: null, threshold: null, message: why };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Robust z-score of `x` against `history` (Iglewicz & Hoaglin's modified z):
 * 0.6745 · (x − median) / MAD. When the MAD is 0 (most runs identical) the mean absolute
 * deviation · 1.2533 stands in; when that is 0 too, any departure is infinitely unusual.
 *
 * @example
 * robustZ(120, [30, 28, 35, 31, 29, 33]) // ≈ 30.5: a volume spike
 */
export function robustZ(x: number, history: readonly number[]): number {
  const m = median(history);
  const mad = median(history.map((v) => Math.abs(v - m)));
  if (mad > 0) return (0.6745 * (x - m)) / mad;
  const meanAd = history.reduce((s, v) => s + Math.abs(v - m), 0) / history.length;
  if (meanAd > 0) return (x - m) / (1.2533 * meanAd);
  return x === m ? 0 : x > m ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

export function volumeRule(
  source: string,
  current: readonly number[],
  history: readonly number[],
  o: { minHistory: number; threshold: number },
): RuleResult {
  if (current.length === 0) return skipped('volume', 'the source did not run in this window', source);
  if (history.length < o.minHistory) {
    return skipped('volume', `${history.length} earlier runs, ${o.minHistory} needed for a baseline`, source);
  }
  let worst = 0;
  let worstX = current[0] as number;
  for (const x of current) {
    const z = robustZ(x, history);
    if (Math.abs(z) >= Math.abs(worst)) {
      worst = z;
      worstX = x;
    }
  }
  const anomalous = Math.abs(worst) > o.threshold;
  const z = Number.isFinite(worst) ? worst.toFixed(2) : worst > 0 ? '+inf' : '-inf';
  return {
    rule: 'volume',
    source,
    status: anomalous ? 'warn' : 'pass',
    value: Number.isFinite(worst) ? worst : null,
    threshold: `|robust z| > ${o.threshold}`,
    message: `${worstX} items against a median of ${median(history)} over ${history.length} runs (robust z ${z})`,
  };
}

export function freshnessRule(source: string, newest: Date | null, now: Date, maxHours: number): RuleResult {
  if (newest === null) {
    return {
      rule: 'freshness',
      source,
      status: 'warn',
      value: null,
      threshold: `warn > ${maxHours} h`,
      message: 'no article stored yet',
    };
  }
  const hours = (now.getTime() - newest.getTime()) / 3_600_000;
  return {
    rule: 'freshness',
    source,
    status: hours > maxHours ? 'warn' : 'pass',
    value: Math.round(hours * 10) / 10,
    threshold: `warn > ${maxHours} h`,
    message: `newest article published ${hours.toFixed(1)} h ago (${newest.toISOString()})`,
  };
}

export function verdictOf(results: readonly RuleResult[]): 'pass' | 'warn' | 'fail' {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'warn')) return 'warn';
  return 'pass';
}
