import { isRecord, parseJsonBody, shapeOf } from './content';
import { redactUrl } from './http';
import { type FetchContext, type NewsSource, type RawItem, SourceError, type SourcePage } from './types';

export interface PolygonOptions {
  name?: string;
  apiKey: string;
  baseUrl?: string;
  lookbackDays: number;
  limit: number;
  maxPages: number;
}

const DAY_MS = 86_400_000;

export function polygonItem(row: unknown): RawItem {
  const r = isRecord(row) ? row : {};
  return {
    itemKey: typeof r.id === 'string' ? r.id : undefined,
    url: r.article_url,
    headline: r.title,
    summary: r.description,
    publishedAt: r.published_utc,
    tickers: Array.isArray(r.tickers) ? r.tickers : [],
    raw: row,
  };
}

/**
 * Polygon.io `GET /v2/reference/news`, oldest first from the watermark
 * (`published_utc.gt`, `order=asc`), following `next_url` for at most `maxPages` pages. Because
 * pages run oldest-first, each stored page is a safe checkpoint for the watermark. The key goes
 * in an `Authorization: Bearer` header, and `next_url` is only followed on the API's own host.
 */
export class PolygonSource implements NewsSource {
  readonly kind = 'polygon';
  readonly name: string;
  readonly #o: PolygonOptions;

  constructor(options: PolygonOptions) {
    this.name = options.name ?? 'polygon';
    this.#o = options;
  }

  async *fetch(ctx: FetchContext): AsyncIterable<SourcePage> {
    const base = new URL(this.#o.baseUrl ?? 'https://api.polygon.io');
    const from = ctx.since ?? new Date(ctx.now.getTime() - this.#o.lookbackDays * DAY_MS);
    const first = new URL('/v2/reference/news', base);
    first.searchParams.set('published_utc.gt', from.toISOString());
    first.searchParams.set('order', 'asc');
    first.searchParams.set('sort', 'published_utc');
    first.searchParams.set('limit', String(this.#o.limit));
    let next: string | undefined = first.toString();
    for (let page = 1; next !== undefined; page++) {
      const shown = redactUrl(next);
      const info = { source: this.name, input: shown };
      const res = await ctx.http.get({
        url: next,
        accept: 'application/json',
        headers: { authorization: `Bearer ${this.#o.apiKey}` },
        signal: ctx.signal,
      });
      const body = parseJsonBody(this.name, res);
      if (!isRecord(body)) {
        throw new SourceError(
          `${this.name}: ${shown} should return a JSON object, got ${shapeOf(body)}`,
          info,
        );
      }
      if (body.status !== undefined && body.status !== 'OK' && body.status !== 'DELAYED') {
        const why = typeof body.message === 'string' ? body.message : (body.error ?? body.status);
        throw new SourceError(
          `${this.name}: ${shown} answered status ${String(body.status)}: ${String(why)} (check POLYGON_API_KEY and the plan)`,
          info,
        );
      }
      if (!Array.isArray(body.results)) {
        throw new SourceError(
          `${this.name}: ${shown} should return {"results": [...]}, got ${shapeOf(body)}`,
          info,
          { excerpt: JSON.stringify(body).slice(0, 300) },
        );
      }
      const items = body.results.map(polygonItem);
      const times = items
        .map((i) => (typeof i.publishedAt === 'string' ? Date.parse(i.publishedAt) : Number.NaN))
        .filter((t) => Number.isFinite(t) && t <= ctx.now.getTime());
      const checkpoint = times.length ? new Date(Math.max(...times)) : undefined;

      next = typeof body.next_url === 'string' && body.next_url ? body.next_url : undefined;
      if (next !== undefined) {
        const nextUrl = new URL(next, base);
        if (nextUrl.host !== base.host) {
          throw new SourceError(
            `${this.name}: next_url points at ${nextUrl.host}, not ${base.host}; refusing to send the key there`,
            info,
          );
        }
        next = nextUrl.toString();
      }
      const truncated = next !== undefined && page >= this.#o.maxPages;
      yield { items, checkpoint, label: `page ${page}`, truncated };
      if (truncated) return;
    }
  }
}
