import { TextDecoder } from 'node:util';
import { RateLimiter, sleep as realSleep, type Sleep } from './rate-limit';
import { RateLimitedError, SourceError } from './types';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Source name, for messages. */
  source: string;
  userAgent: string;
  timeoutMs: number;
  /** Attempts after the first one. */
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is not waited out: the call fails as rate-limited. */
  maxRetryAfterMs: number;
  maxBodyBytes: number;
  limiter?: RateLimiter;
  /** Requests this client may still send (a daily quota's remainder); unlimited when absent. */
  budget?: number;
  fetch?: FetchLike;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

export interface HttpRequest {
  url: string;
  headers?: Record<string, string>;
  accept?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Headers;
  contentType: string;
  bytes: Uint8Array;
  /** The body decoded with the charset the response (or its XML declaration) names. */
  text(): string;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const SECRET_PARAMS = /^(api_?key|apikey|token|access_token|key|secret)$/i;

/** The URL with key-like query parameters masked: safe for messages, logs and quarantine. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const name of [...u.searchParams.keys()]) {
      if (SECRET_PARAMS.test(name)) u.searchParams.set(name, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/([?&](?:api_?key|apikey|token|access_token|key|secret)=)[^&]*/gi, '$1***');
  }
}

/** Seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function charsetOf(contentType: string, bytes: Uint8Array): string {
  const m = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType);
  if (m?.[1]) return m[1];
  // An XML declaration names its own encoding (EDGAR's Atom says ISO-8859-1).
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  return decl?.[1] ?? 'utf-8';
}

export function decodeBody(bytes: Uint8Array, contentType: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charsetOf(contentType, bytes));
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const text = decoder.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The first few hundred characters of a body, on one line, for error messages. */
export function excerptOf(text: string, max = 300): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/**
 * GETs for one source: timeouts, retries with full-jitter exponential backoff, Retry-After,
 * the source's rate, a request budget, and a body-size cap enforced while streaming (a 20 MB
 * answer is cut off at the cap, never buffered whole).
 *
 * @example
 * const http = new HttpClient({ source: 'yahoo', userAgent: 'finsent/0.1 (ops@example.com)',
 *   timeoutMs: 15000, retries: 3, backoffMs: 500, maxBackoffMs: 20000, maxRetryAfterMs: 60000,
 *   maxBodyBytes: 5 << 20 });
 * const res = await http.get({ url: 'https://feeds.finance.yahoo.com/rss/2.0/headline?s=AAPL' });
 */
export class HttpClient {
  readonly options: HttpClientOptions;
  /** Requests actually sent (retries included): what a daily quota is charged. */
  requests = 0;
  readonly #fetch: FetchLike;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** The wait before retry number `attempt` (0-based): random(0, min(max, base * 2^attempt)). */
  backoff(attempt: number): number {
    const cap = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt);
    return Math.round(this.#random() * cap);
  }

  async get(req: HttpRequest): Promise<HttpResponse> {
    const o = this.options;
    const shown = redactUrl(req.url);
    const ctx = { action: `fetching ${o.source}`, input: shown, source: o.source };
    let lastProblem = '';
    for (let attempt = 0; attempt <= o.retries; attempt++) {
      if (o.budget !== undefined && this.requests >= o.budget) {
        throw new RateLimitedError(
          `${o.source}: its request budget (${o.budget}) is spent for today; the next run after 00:00 UTC continues`,
          ctx,
        );
      }
      await o.limiter?.acquire(req.signal);
      this.requests++;
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await this.#fetch(req.url, {
          headers: {
            'user-agent': o.userAgent,
            accept: req.accept ?? '*/*',
            'accept-encoding': 'gzip, deflate',
            ...req.headers,
          },
          redirect: 'follow',
          signal,
        });
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason;
        lastProblem = timeout.aborted
          ? `no answer within ${o.timeoutMs} ms`
          : `network error: ${(error as Error).message}`;
        if (attempt < o.retries) {
          await this.#sleep(this.backoff(attempt), req.signal);
          continue;
        }
        throw new SourceError(
          `${o.source}: ${shown} failed after ${attempt + 1} attempts (${lastProblem})`,
          ctx,
          {
            cause: error,
            retryable: true,
          },
        );
      }

      if (RETRYABLE_STATUS.has(res.status)) {
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'), this.#now());
        const excerpt = excerptOf(await this.#readExcerpt(res));
        lastProblem = `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`;
        const statusCtx = { ...ctx, status: res.status };
        if (retryAfter !== undefined && retryAfter > o.maxRetryAfterMs) {
          throw new RateLimitedError(
            `${o.source}: ${shown} answered HTTP ${res.status} with Retry-After ${Math.round(retryAfter / 1000)} s, ` +
              `longer than max_retry_after_ms (${o.maxRetryAfterMs} ms); the next run retries`,
            statusCtx,
            retryAfter,
            excerpt,
          );
        }
        if (attempt < o.retries) {
          await this.#sleep(Math.max(retryAfter ?? 0, this.backoff(attempt)), req.signal);
          continue;
        }
        const message = `${o.source}: ${shown} still answered ${lastProblem} after ${attempt + 1} attempts`;
        if (res.status === 429) throw new RateLimitedError(message, statusCtx, retryAfter, excerpt);
        throw new SourceError(message, statusCtx, { excerpt, retryable: true });
      }

      if (res.status < 200 || res.status >= 300) {
        const excerpt = excerptOf(await this.#readExcerpt(res));
        const hint =
          res.status === 401 || res.status === 403
            ? ' (check the API key, the User-Agent and the plan)'
            : res.status === 404
              ? ' (check the URL in config/sources.yaml)'
              : '';
        throw new SourceError(
          `${o.source}: ${shown} answered HTTP ${res.status}${hint}${excerpt ? `: ${excerpt}` : ''}`,
          { ...ctx, status: res.status },
          { excerpt },
        );
      }

      let bytes: Uint8Array;
      try {
        bytes = await this.#readBody(res, shown);
      } catch (error) {
        if (error instanceof SourceError) throw error;
        if (req.signal?.aborted) throw req.signal.reason;
        lastProblem = timeout.aborted
          ? `body not complete within ${o.timeoutMs} ms`
          : `body read failed: ${(error as Error).message}`;
        if (attempt < o.retries) {
          await this.#sleep(this.backoff(attempt), req.signal);
          continue;
        }
        throw new SourceError(
          `${o.source}: ${shown} failed after ${attempt + 1} attempts (${lastProblem})`,
          ctx,
          {
            cause: error,
            retryable: true,
          },
        );
      }
      const contentType = res.headers.get('content-type') ?? '';
      return {
        status: res.status,
        url: res.url || req.url,
        headers: res.headers,
        contentType,
        bytes,
        text: () => decodeBody(bytes, contentType),
      };
    }
    // The loop always returns or throws; this satisfies the compiler.
    throw new SourceError(`${o.source}: ${shown} failed (${lastProblem})`, ctx);
  }

  async #readBody(res: Response, shown: string): Promise<Uint8Array> {
    const max = this.options.maxBodyBytes;
    const tooLarge = (seen: string) =>
      new SourceError(
        `${this.options.source}: ${shown} sent a body larger than max_body_bytes (${max} bytes; ${seen}); ` +
          'rejected unread — raise max_body_bytes for this source if the feed is really that large',
        { action: `fetching ${this.options.source}`, input: shown, source: this.options.source },
      );
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > max) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge(`Content-Length ${declared}`);
    }
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`more than ${max} bytes streamed`);
      }
      chunks.push(value);
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }

  /** Reads at most 4 KiB of an error body, then lets the rest go. */
  async #readExcerpt(res: Response): Promise<string> {
    if (!res.body) return '';
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      while (total < 4096) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
      }
    } catch {
      // An error body that cannot be read adds nothing to the message.
    } finally {
      await reader.cancel().catch(() => {});
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    return decodeBody(bytes.subarray(0, 4096), res.headers.get('content-type') ?? '');
  }
}

/** Builds a limiter from a `{ requests, per_seconds }` rate. */
export function limiterFor(rate: { requests: number; per_seconds: number }, sleep?: Sleep): RateLimiter {
  return new RateLimiter({ requests: rate.requests, perSeconds: rate.per_seconds, sleep });
}
