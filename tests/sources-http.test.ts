import { afterEach, describe, expect, it } from 'vitest';
import { decodeBody, HttpClient, type HttpClientOptions, redactUrl } from '../pipeline/sources/http';
import { RateLimiter } from '../pipeline/sources/rate-limit';
import { RateLimitedError, SourceError } from '../pipeline/sources/types';
import { type FixtureServer, loopbackFetch, type Reply, serveFixtures } from './fixtures/sources/server';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = [];
  const http = new HttpClient({
    source: 'test',
    userAgent: 'finsent-tests/1.0 (tests@example.com)',
    timeoutMs: 2000,
    retries: 3,
    backoffMs: 500,
    maxBackoffMs: 20_000,
    maxRetryAfterMs: 60_000,
    maxBodyBytes: 5 * 1024 * 1024,
    fetch: loopbackFetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { http, sleeps };
}

async function serve(route: Reply | Reply[]) {
  server = await serveFixtures({ '/feed': route });
  return `${server.url}/feed`;
}

describe('HttpClient', () => {
  it('retries 5xx answers with exponential full-jitter backoff, then returns the body', async () => {
    const url = await serve([{ status: 503 }, { status: 502 }, { status: 200, body: 'ok' }]);
    const { http, sleeps } = client();
    const res = await http.get({ url });
    expect(res.text()).toBe('ok');
    expect(http.requests).toBe(3);
    // random() = 0.5 → half of min(max, 500 · 2^attempt)
    expect(sleeps).toEqual([250, 500]);
  });

  it('waits out a 429 Retry-After before asking again', async () => {
    const url = await serve([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 200, body: 'fine' },
    ]);
    const { http, sleeps } = client();
    expect((await http.get({ url })).text()).toBe('fine');
    expect(sleeps).toEqual([2000]);
  });

  it('ends as rate-limited at once when Retry-After is longer than the cap', async () => {
    const url = await serve({ status: 429, headers: { 'retry-after': '3600' }, body: 'slow down' });
    const { http, sleeps } = client();
    const error = await http.get({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(3_600_000);
    expect((error as Error).message).toContain('Retry-After 3600 s');
    expect(sleeps).toEqual([]);
    expect(http.requests).toBe(1);
  });

  it('gives up after the configured retries with the URL and the last status in the message', async () => {
    const url = await serve({ status: 500, body: 'Internal Server Error' });
    const { http } = client({ retries: 2 });
    await expect(http.get({ url })).rejects.toThrow(/HTTP 500: Internal Server Error after 3 attempts/);
    expect(http.requests).toBe(3);
  });

  it('does not retry a 404 and says where to fix the URL', async () => {
    const url = await serve({ status: 404, body: 'Not Found' });
    const { http } = client();
    await expect(http.get({ url })).rejects.toThrow(/HTTP 404 \(check the URL in config\/sources.yaml\)/);
    expect(http.requests).toBe(1);
  });

  it('rejects a 20 MB body while streaming it, without reading it all', async () => {
    const url = await serve({ streamBytes: 20 * 1024 * 1024 });
    const { http } = client({ retries: 0 });
    const error = await http.get({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(
      /larger than max_body_bytes \(5242880 bytes; more than 5242880 bytes streamed\)/,
    );
  });

  it('rejects a body whose Content-Length is over the cap before reading it', async () => {
    const url = await serve({ body: Buffer.alloc(20 * 1024 * 1024, 0x20) });
    const { http } = client({ retries: 0 });
    await expect(http.get({ url })).rejects.toThrow(/Content-Length 20971520/);
  });

  it('times out a server that does not answer and reports how long it waited', async () => {
    const url = await serve({ delayMs: 1500, body: 'late' });
    const { http } = client({ timeoutMs: 150, retries: 1 });
    await expect(http.get({ url })).rejects.toThrow(/failed after 2 attempts \(no answer within 150 ms\)/);
  });

  it('declares the configured User-Agent on every request', async () => {
    const url = await serve({ body: 'x' });
    const { http } = client();
    await http.get({ url });
    expect(server?.requests[0]?.headers['user-agent']).toBe('finsent-tests/1.0 (tests@example.com)');
  });

  it('stops when the daily request budget is spent', async () => {
    const url = await serve([{ status: 503 }, { status: 200, body: 'never reached' }]);
    const { http } = client({ budget: 1 });
    await expect(http.get({ url })).rejects.toThrow(/request budget \(1\) is spent/);
    expect(http.requests).toBe(1);
  });

  it('never puts an API key in a message', async () => {
    const url = await serve({ status: 401, body: '{"error":"Invalid API key."}' });
    const { http } = client();
    const error = (await http
      .get({ url: `${url}?symbol=AAPL&apikey=SECRET123&token=T0K3N` })
      .catch((e) => e)) as Error;
    expect(error.message).toContain('HTTP 401 (check the API key');
    expect(error.message).not.toMatch(/SECRET123|T0K3N/);
    expect(redactUrl('https://x.test/q?function=NEWS&apikey=abc&limit=5')).toBe(
      'https://x.test/q?function=NEWS&apikey=***&limit=5',
    );
  });

  it('refuses to leave the loopback interface in tests', async () => {
    const { http } = client({ retries: 0 });
    await expect(http.get({ url: 'https://www.sec.gov/cgi-bin/browse-edgar' })).rejects.toThrow(
      /network is disabled in tests/,
    );
  });
});

describe('RateLimiter', () => {
  it('spaces requests evenly at the configured rate', async () => {
    let now = 1_000;
    const waits: number[] = [];
    const limiter = new RateLimiter({
      requests: 10,
      perSeconds: 1,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 4; i++) await limiter.acquire();
    expect(waits).toEqual([100, 100, 100]);
    now += 5_000; // idle time is not banked as a burst
    await limiter.acquire();
    await limiter.acquire();
    expect(waits).toEqual([100, 100, 100, 100]);
  });
});

describe('decodeBody', () => {
  it('reads the charset from the XML declaration when the header has none', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><t>Telef\xf3nica</t>', 'latin1');
    expect(decodeBody(latin1, 'application/atom+xml')).toContain('Telefónica');
    expect(decodeBody(Buffer.from('\ufeff{"a":1}', 'utf8'), 'application/json')).toBe('{"a":1}');
  });
});
