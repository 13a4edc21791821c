/** 'an array', 'an object', 'a number'…: what a value is, for messages. */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' || t === 'undefined' ? `an ${t}` : `a ${t}`;
}

export type ParsedTime = { ok: true; date: Date } | { ok: false; problem: string };

const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/**
 * A source timestamp as a UTC instant. Numbers (and digit strings) are Unix seconds — the unit
 * of every API here — so a milliseconds value lands tens of thousands of years ahead and is
 * quarantined as a future date instead of being guessed at. ISO 8601 without a zone is read as
 * UTC (never as the machine's local time); RFC 822 dates from RSS carry their own zone.
 *
 * @example
 * parseTimestamp('Thu, 02 May 2024 16:30:00 EDT') // { ok: true, date: 2024-05-02T20:30:00.000Z }
 * parseTimestamp(1714681800) // { ok: true, date: 2024-05-02T20:30:00.000Z }
 */
export function parseTimestamp(value: unknown): ParsedTime {
  if (value === undefined || value === null || value === '') {
    return { ok: false, problem: 'published_at is missing' };
  }
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'number') {
    ms = value * 1000;
  } else if (typeof value === 'string') {
    const v = value.trim();
    if (/^\d{9,}$/.test(v)) ms = Number(v) * 1000;
    else ms = Date.parse(NAIVE_ISO.test(v) ? `${v.replace(' ', 'T')}Z` : v);
  } else {
    return { ok: false, problem: `published_at is ${kindOf(value)}, not a date` };
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    return {
      ok: false,
      problem: `published_at ${JSON.stringify(value).slice(0, 60)} is not a readable date`,
    };
  }
  return { ok: true, date: new Date(ms) };
}
