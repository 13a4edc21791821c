/**
 * Deterministic generator of realistic financial-news sentences (about 20–25 words) for benchmarks:
 * a seeded PRNG over templates and vocabularies, so every run scores the very same text.
 *
 *   financialSentences(3, 42)[0]
 *   // → 'Shares of Northwind Logistics fell 4.2% in early trading after the company cut its full-year …'
 */
const COMPANIES = [
  'Acme Corp',
  'Northwind Logistics',
  'Globex',
  'Initech',
  'Umbrella Pharma',
  'Stark Industries',
  'Wayne Enterprises',
  'Hooli',
  'Vandelay Imports',
  'Cyberdyne Systems',
  'Soylent Foods',
  'Tyrell Motors',
  'Wonka Brands',
  'Oscorp',
  'Massive Dynamic',
  'Aperture Labs',
  'Gringotts Bank',
  'Blue Sun Energy',
];
const SECTORS = ['chipmaker', 'retailer', 'lender', 'drugmaker', 'automaker', 'insurer', 'airline', 'miner'];
const UP = ['rose', 'jumped', 'climbed', 'surged', 'gained', 'rallied', 'advanced', 'soared'];
const DOWN = ['fell', 'dropped', 'slid', 'plunged', 'tumbled', 'declined', 'sank', 'slumped'];
const SESSIONS = ['early', 'afternoon', 'premarket', 'after-hours', 'late', 'heavy'];
const METRICS = [
  'revenue',
  'earnings per share',
  'net income',
  'operating margin',
  'same-store sales',
  'free cash flow',
];
const QUARTERS = ['first-quarter', 'second-quarter', 'third-quarter', 'fourth-quarter', 'full-year'];
const BEAT = [
  'beat analyst estimates',
  'topped expectations',
  'came in ahead of forecasts',
  'exceeded guidance',
];
const MISS = [
  'missed analyst estimates',
  'fell short of expectations',
  'disappointed investors',
  'lagged forecasts',
];
const ANALYSTS = ['Goldman Sachs', 'Morgan Stanley', 'JPMorgan', 'Barclays', 'UBS', 'Jefferies', 'Citi'];
const RATINGS = [
  'upgraded the stock to buy',
  'downgraded the shares to sell',
  'reiterated a neutral rating',
  'cut its price target',
  'raised its price target',
];
const CLOSERS = [
  'citing strong demand in its cloud division',
  'amid concerns about weak consumer spending',
  'as management warned of rising input costs',
  'while the board approved a new share buyback',
  'despite a lawsuit over its accounting practices',
  'and said it would lay off about 5% of staff',
  'noting a record backlog of orders',
  'after regulators opened an investigation into the deal',
];

type Rng = () => number;

/** mulberry32: tiny, fast, good enough for picking words. */
function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const pct = (r: Rng) => (0.5 + r() * 14).toFixed(1);

const TEMPLATES: ((r: Rng) => string)[] = [
  (r) =>
    `Shares of ${pick(r, COMPANIES)} ${pick(r, r() < 0.5 ? UP : DOWN)} ${pct(r)}% in ${pick(r, SESSIONS)} trading after the company reported ${pick(r, QUARTERS)} ${pick(r, METRICS)} that ${pick(r, r() < 0.5 ? BEAT : MISS)}.`,
  (r) =>
    `${pick(r, ANALYSTS)} ${pick(r, RATINGS)} on ${pick(r, COMPANIES)}, the ${pick(r, SECTORS)} whose shares ${pick(r, r() < 0.5 ? UP : DOWN)} ${pct(r)}% this week, ${pick(r, CLOSERS)}.`,
  (r) =>
    `${pick(r, COMPANIES)} said ${pick(r, QUARTERS)} ${pick(r, METRICS)} ${pick(r, r() < 0.5 ? BEAT : MISS)}, and the ${pick(r, SECTORS)} ${r() < 0.5 ? 'raised' : 'cut'} its outlook for the rest of the year, ${pick(r, CLOSERS)}.`,
  (r) =>
    `The ${pick(r, SECTORS)} ${pick(r, COMPANIES)} posted a net ${r() < 0.5 ? 'loss' : 'profit'} of $${Math.floor(r() * 900 + 10)} million, and its stock ${pick(r, r() < 0.5 ? UP : DOWN)} ${pct(r)}% ${pick(r, CLOSERS)}.`,
  (r) =>
    `Investors were not impressed by ${pick(r, COMPANIES)}'s guidance, but analysts at ${pick(r, ANALYSTS)} said the ${pick(r, SECTORS)} remains very well positioned for growth next year.`,
  (r) =>
    `${pick(r, COMPANIES)} will report ${pick(r, QUARTERS)} results on Tuesday, and analysts expect ${pick(r, METRICS)} of about $${(r() * 5).toFixed(2)} a share, according to a survey.`,
];

export function financialSentences(count: number, seed = 20240601): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(r, TEMPLATES)(r));
  return out;
}
