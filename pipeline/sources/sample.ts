import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isRecord } from './content';
import type { FetchContext, NewsSource, RawItem, RejectedItem, SourcePage } from './types';
import { SourceError } from './types';

export interface SampleSourceOptions {
  name?: string;
  /** JSONL, one `{id, text, tickers, published_at, ...}` object a line. */
  path: string;
  /** Lines per page: each page is stored before the next is read. */
  pageSize?: number;
}

/** One sample line as an item: `text` is the headline, the whole object is the raw payload. */
export function sampleItem(row: Record<string, unknown>, line: number): RawItem {
  const id = row.id;
  return {
    itemKey: typeof id === 'string' || typeof id === 'number' ? String(id) : `line-${line}`,
    url: row.url ?? null,
    headline: row.text ?? row.headline,
    summary: row.summary ?? null,
    tickers: row.tickers ?? [],
    publishedAt: row.published_at,
    language: row.language,
    raw: row,
  };
}

/**
 * The bundled offline source: headlines written for the project, read from a JSONL file in pages.
 * A line that is not a JSON object is quarantined with its line number, never skipped silently.
 *
 * @example
 * new SampleSource({ path: 'models/data/finsent-headlines.jsonl' })
 */
export class SampleSource implements NewsSource {
  readonly kind = 'sample';
  readonly name: string;
  readonly #o: SampleSourceOptions;

  constructor(options: SampleSourceOptions) {
    this.name = options.name ?? 'sample';
    this.#o = options;
  }

  async *fetch(ctx: FetchContext): AsyncIterable<SourcePage> {
    const file = this.#o.path;
    if (!existsSync(file)) {
      throw new SourceError(
        `${this.name}: the sample file ${file} does not exist; set sources.${this.name}.path in config/sources.yaml`,
        { source: this.name, input: file },
      );
    }
    const pageSize = this.#o.pageSize ?? 1000;
    const lines = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let items: RawItem[] = [];
    let rejected: RejectedItem[] = [];
    let n = 0;
    for await (const line of lines) {
      n++;
      if (ctx.signal?.aborted) throw ctx.signal.reason;
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (error) {
        rejected.push({
          itemKey: `line-${n}`,
          reason: `line ${n} of ${file} is not valid JSON (${(error as Error).message})`,
          raw: line.slice(0, 2000),
        });
        continue;
      }
      if (!isRecord(row)) {
        rejected.push({
          itemKey: `line-${n}`,
          reason: `line ${n} of ${file} is not a JSON object`,
          raw: row,
        });
        continue;
      }
      items.push(sampleItem(row, n));
      if (items.length + rejected.length >= pageSize) {
        yield { items, rejected, label: `lines ..${n}` };
        items = [];
        rejected = [];
      }
    }
    if (items.length || rejected.length) yield { items, rejected, label: `lines ..${n}` };
  }
}
