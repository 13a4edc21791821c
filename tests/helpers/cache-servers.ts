import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Test doubles for outages, in front of the REAL Redis (REDIS_URL). Everything listens on
 * 127.0.0.1 only.
 */

type Listening = { port: number };

async function listen(server: Server | ReturnType<typeof createHttpServer>, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as Listening).port;
}

/** Something that can be taken down and brought back on the same port. */
export interface Switchable {
  readonly port: number;
  readonly url: string;
  /** Closes the listener and cuts every open connection (an outage). */
  stop(): Promise<void>;
  /** Listens again on the same port (recovery). */
  start(): Promise<void>;
}

/**
 * A TCP proxy to Redis. `stop()` is a Redis outage as the client sees it; `blackhole = true`
 * accepts connections and never answers (a hung server or a broken network path).
 */
export async function startRedisProxy(redisUrl: string): Promise<Switchable & { blackhole: boolean }> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  const state = { blackhole: false };
  const make = () =>
    createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => {});
      if (state.blackhole) return;
      const upstream = createConnection(Number(target.port || 6379), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
  let server = make();
  const port = await listen(server);
  const path = target.pathname || '/0';
  const proxy = {
    port,
    url: `redis://127.0.0.1:${port}${path}`,
    get blackhole() {
      return state.blackhole;
    },
    set blackhole(v: boolean) {
      state.blackhole = v;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
    async start() {
      server = make();
      await listen(server, port);
    },
  };
  return proxy;
}

export interface UpstashServer extends Switchable {
  readonly token: string;
  /** Requests served, by path ('/', '/pipeline', '/multi-exec'); `total` counts them all. */
  readonly requests: Record<string, number>;
  /** When set, every request answers this HTTP status (e.g. 500) with an error body. */
  failWith: number | undefined;
  /** Delay before answering, ms. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A local Upstash-compatible REST endpoint in front of the real Redis: `POST /` (one command),
 * `/pipeline`, `/multi-exec`, bearer-token auth, and the `Upstash-Encoding: base64` response
 * encoding, with Upstash's body shapes ({ result } / { error }).
 */
export async function startUpstashServer(redisUrl: string, token = 'test-token'): Promise<UpstashServer> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const sockets = new Set<Socket>();
  const requests: Record<string, number> = {};
  const control = { failWith: undefined as number | undefined, delayMs: 0 };

  const run = async (command: unknown): Promise<{ result?: unknown; error?: string }> => {
    if (!Array.isArray(command) || command.length === 0) return { error: 'ERR malformed command' };
    const [name, ...args] = command.map((c) => String(c));
    try {
      return { result: await redis.call(name!, ...args) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests[path] = (requests[path] ?? 0) + 1;
    requests.total = (requests.total ?? 0) + 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (control.delayMs) await new Promise((r) => setTimeout(r, control.delayMs));
    const reply = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (control.failWith) return reply(control.failWith, { error: 'simulated outage' });
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { error: 'Unauthorized' });
    const base64 = req.headers['upstash-encoding'] === 'base64';
    const encode = (v: unknown): unknown =>
      typeof v === 'string' && base64
        ? Buffer.from(v).toString('base64')
        : Array.isArray(v)
          ? v.map(encode)
          : v;
    const out = (r: { result?: unknown; error?: string }) =>
      r.error ? { error: r.error } : { result: encode(r.result) };
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(400, { error: 'ERR failed to parse command' });
    }
    if (path === '/') {
      const r = await run(body);
      return reply(r.error ? 400 : 200, out(r));
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body)) return reply(400, { error: 'ERR expected an array of commands' });
      if (path === '/multi-exec') {
        const results = await redis.multi(body.map((c: unknown[]) => c.map(String))).exec();
        return reply(
          200,
          (results ?? []).map(([e, r]) => (e ? { error: e.message } : { result: encode(r) })),
        );
      }
      const results = [];
      for (const c of body) results.push(out(await run(c)));
      return reply(200, results);
    }
    return reply(404, { error: `ERR unknown path ${path}` });
  };
  const make = () => {
    const server = createHttpServer((req, res) => {
      handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500).end(JSON.stringify({ error: String(error) }));
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    return server;
  };
  let server = make();
  const port = await listen(server);
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    get failWith() {
      return control.failWith;
    },
    set failWith(v) {
      control.failWith = v;
    },
    get delayMs() {
      return control.delayMs;
    },
    set delayMs(v) {
      control.delayMs = v;
    },
    stop,
    async start() {
      server = make();
      await listen(server, port);
    },
    async close() {
      await stop().catch(() => {});
      redis.disconnect();
    },
  };
}

/** Deletes every key under `prefix` on the real Redis (never FLUSHDB: others share it). */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
