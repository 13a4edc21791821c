/**
 * Number and date formatting shared by every section. Pure functions (no DOM), so the node test
 * suite checks them directly.
 */
const nf = (digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** 0.6576 → "0.658"; null → "—". */
export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : nf(digits).format(value);
}

/** 0.6576 → "65.8%". */
export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : `${nf(digits).format(value * 100)}%`;
}

/** 1234567 → "1,234,567". */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : new Intl.NumberFormat('en-US').format(value);
}

/** Milliseconds with sensible precision: 0.0071 → "7.1 µs", 3.14159 → "3.14 ms", 1234 → "1.23 s". */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 1) return `${(value * 1000).toPrecision(value * 1000 < 10 ? 2 : 3)} µs`;
  if (value < 1000) return `${value.toPrecision(3)} ms`;
  return `${(value / 1000).toPrecision(3)} s`;
}

/** Signed, for deltas: 0.189 → "+0.189". */
export function signed(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${nf(digits).format(Math.abs(value))}`;
}

/** p-values: below 0.001 as "< 0.001", else two significant digits. */
export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value < 0.001 ? '< 0.001' : value.toPrecision(2);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11-20T22:08:47Z" → "20 Nov 2026, 22:08 UTC" (UTC: the data's buckets are UTC days). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** "2026-11-20T…" → "20 Nov". */
export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** How long before `now`: "5 min ago", "3 h ago", "4 days ago". */
export function ago(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const h = (now.getTime() - Date.parse(iso)) / 3_600_000;
  if (!Number.isFinite(h)) return '—';
  if (h < 0) return 'just now';
  if (h < 1) return `${Math.round(h * 60)} min ago`;
  if (h < 48) return `${Math.round(h)} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** Metric names as people read them: macro_f1 → "macro-F1". */
export function metricName(name: string): string {
  const known: Record<string, string> = {
    accuracy: 'accuracy',
    macro_f1: 'macro-F1',
    weighted_f1: 'weighted F1',
    ece: 'ECE',
    psi: 'PSI',
    chi2: 'χ²',
  };
  return known[name] ?? name.replace(/_/g, ' ');
}

/** A file path shortened to its last two segments for narrow tables. */
export function shortPath(p: string): string {
  const parts = p.split('/');
  return parts.length <= 2 ? p : `…/${parts.slice(-2).join('/')}`;
}

/** Status words of other modules folded onto four display tones. */
export function tone(status: string | null | undefined): 'ok' | 'warn' | 'fail' | 'unknown' {
  const v = (status ?? '').toLowerCase();
  if (['ok', 'pass', 'passed', 'promote', 'promoted', 'accepted', 'stable', 'success', 'merged'].includes(v))
    return 'ok';
  if (['warn', 'warning', 'keep', 'hold', 'inconclusive', 'watch', 'pending', 'open'].includes(v))
    return 'warn';
  if (['fail', 'failed', 'alert', 'reject', 'rejected', 'drift', 'error', 'critical', 'rollback'].includes(v))
    return 'fail';
  return 'unknown';
}
