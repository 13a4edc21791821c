import { createWriteStream } from 'node:fs';
import { readEnv } from '../lib/env';
import { FamilyRegistry } from '../models/families';
import { MemoryCache } from '../pipeline/cache/memory';
import { buildApp } from '../serving/app';
import { staticConfigSource } from '../serving/pool/watch';

const fam = {
  name: 'vader',
  description: 'x',
  load: async () => ({
    family: 'vader',
    version: '1.0.0',
    predict: async (ts: readonly string[]) =>
      ts.map(() => ({
        label: 'neutral' as const,
        scores: { positive: 0.2, negative: 0.2, neutral: 0.6 },
        sentiment: 0,
        confidence: 0.6,
        model: 'vader',
        version: '1.0.0',
      })),
  }),
};
const app = await buildApp({
  env: readEnv(),
  families: new FamilyRegistry().register(fam),
  configSource: staticConfigSource(
    '{"families":{"vader":{"champion":"builtin"}},"serving":{"default":"vader"}}',
  ),
  configPollMs: 0,
  cache: new MemoryCache(),
  rateLimit: { max: 1e9, timeWindowMs: 60000, adminMax: 20 },
  logger: { level: process.env.LVL ?? 'info', stream: createWriteStream('/dev/null') },
});
await app.listen({ port: 3999, host: '127.0.0.1' });
setTimeout(() => app.close().then(() => process.exit(0)), Number(process.env.SECS ?? 14) * 1000);
