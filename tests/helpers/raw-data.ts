import { predictionFromScores } from '../../models/prediction';
import type { Prediction, SentimentModel } from '../../models/types';
import type { Db } from '../../pipeline/store/types';

/**
 * raw_data belongs to the sources/validation work (its own migrations). Store and feature tests
 * need articles to read, so they create the table with the agreed columns when it is missing.
 */
export async function ensureRawData(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS raw_data (
    id text PRIMARY KEY,
    source text NOT NULL,
    url text,
    headline text NOT NULL,
    summary text,
    tickers text[] NOT NULL DEFAULT '{}',
    published_at timestamptz NOT NULL,
    collected_at timestamptz NOT NULL DEFAULT now(),
    language text,
    raw jsonb
  )`);
}

export interface TestArticle {
  id: string;
  headline: string;
  tickers: string[];
  publishedAt: Date;
  summary?: string;
  language?: string;
}

export async function insertArticles(db: Db, articles: readonly TestArticle[]): Promise<void> {
  for (let i = 0; i < articles.length; i += 5000) {
    const json = JSON.stringify(
      articles.slice(i, i + 5000).map((a) => ({
        id: a.id,
        source: 'test',
        url: `https://example.test/${a.id}`,
        headline: a.headline,
        summary: a.summary ?? null,
        tickers: a.tickers,
        published_at: a.publishedAt.toISOString(),
        language: a.language ?? 'en',
      })),
    );
    await db.query(
      `INSERT INTO raw_data (id, source, url, headline, summary, tickers, published_at, language)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, source text, url text, headline text,
         summary text, tickers text[], published_at timestamptz, language text)
       ON CONFLICT (id) DO NOTHING`,
      [json],
    );
  }
}

const GOOD = ['beats estimates', 'raises guidance', 'record profit', 'upgraded to buy'];
const BAD = ['misses estimates', 'cuts guidance', 'posts loss', 'downgraded to sell'];
const FLAT = ['schedules earnings call', 'names new CFO', 'files 10-Q'];

/** `n` articles, one every `everyMinutes` back from `end`, cycling through tickers and tones. */
export function makeArticles(
  n: number,
  options: { end?: Date; everyMinutes?: number; tickers?: string[][]; prefix?: string } = {},
): TestArticle[] {
  const end = options.end ?? new Date('2026-01-15T12:00:00Z');
  const every = options.everyMinutes ?? 10;
  const tickers = options.tickers ?? [['AAPL'], ['MSFT'], ['AAPL', 'MSFT'], ['TSLA']];
  const tones = [GOOD, BAD, FLAT];
  return Array.from({ length: n }, (_, i) => {
    const tone = tones[i % 3]!;
    const t = tickers[i % tickers.length]!;
    return {
      id: `${options.prefix ?? 'a'}${String(i).padStart(6, '0')}`,
      headline: `${t[0]} ${tone[i % tone.length]}`,
      tickers: t,
      publishedAt: new Date(end.getTime() - i * every * 60_000),
    };
  });
}

/**
 * A deterministic keyword model: positive on GOOD phrases, negative on BAD ones, neutral
 * otherwise. `failOnBatch` makes the n-th predict() call throw (a crash mid-run).
 */
export function keywordModel(
  family = 'kw',
  version = '1.0.0',
  options: { failOnBatch?: number; delayMs?: number; bias?: number } = {},
): SentimentModel & { calls: number; texts: number } {
  const state = { calls: 0, texts: 0 };
  return {
    family,
    version,
    get calls() {
      return state.calls;
    },
    get texts() {
      return state.texts;
    },
    async predict(texts: readonly string[]): Promise<Prediction[]> {
      state.calls++;
      if (options.failOnBatch !== undefined && state.calls === options.failOnBatch) {
        throw new Error(`simulated crash on batch ${state.calls}`);
      }
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      state.texts += texts.length;
      return texts.map((t) => {
        const good = GOOD.some((p) => t.includes(p));
        const bad = BAD.some((p) => t.includes(p));
        const pos = good ? 0.8 : bad ? 0.05 : 0.15;
        const neg = bad ? 0.8 : good ? 0.05 : 0.15;
        const b = options.bias ?? 0;
        return predictionFromScores(
          { positive: pos - b, negative: neg + b, neutral: 1 - pos - neg },
          family,
          version,
        );
      });
    },
  };
}
