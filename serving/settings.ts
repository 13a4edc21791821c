import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import type { AppOptions } from './options';
import { DEFAULT_LIMITS, DEFAULT_RATE_LIMIT } from './options';

/**
 * The serving knobs a deployment sets through its environment (render.yaml, a shell). Each one
 * is optional; an invalid value fails start-up with a message naming the variable.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | FINSENT_HOST | interface to bind | 127.0.0.1 (`serve --host 0.0.0.0` in containers) |
 * | FINSENT_CORS_ORIGINS | comma-separated origins allowed by CORS | none |
 * | FINSENT_MAX_BATCH | texts per request | 64 |
 * | FINSENT_MAX_TEXT_LENGTH | characters per text | 5000 |
 * | FINSENT_RATE_LIMIT | requests per minute per client IP (0 = off) | 1200 |
 * | FINSENT_CONFIG_POLL_MS | how often config/models.yaml is re-read (0 = never) | 30000 |
 * | FINSENT_LOG_TEXT | `0` keeps texts out of the prediction log (hash and length only) | 1 |
 * | FINSENT_TRUST_PROXY | `true` behind a load balancer (Render) so rate limits see client IPs | false |
 * | FINSENT_SERVE_FAMILIES | comma-separated families to load (e.g. `vader-base,vader` on a small instance) | every family in config/models.yaml |
 * | FINSENT_LOG_LEVEL | pino level | info |
 * | FINSENT_PGLITE_THREAD | where the embedded database runs without DATABASE_URL: `worker` (its own thread) or `main` | worker |
 */
export interface ServingSettings {
  host: string;
  /** The embedded store's thread (docs/adr/066): off the event loop unless asked otherwise. */
  pgliteThread: 'main' | 'worker';
  app: Partial<AppOptions>;
}

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const bool = (name: string) =>
  z
    .enum(['0', '1', 'true', 'false'], { message: `${name} must be 1/0 or true/false` })
    .transform((v) => v === '1' || v === 'true');

const Schema = z.object({
  FINSENT_HOST: z.string().min(1).optional(),
  FINSENT_CORS_ORIGINS: z.string().optional(),
  FINSENT_MAX_BATCH: int('FINSENT_MAX_BATCH', 1, 1024).optional(),
  FINSENT_MAX_TEXT_LENGTH: int('FINSENT_MAX_TEXT_LENGTH', 16, 100_000).optional(),
  FINSENT_RATE_LIMIT: int('FINSENT_RATE_LIMIT', 0, 10_000_000).optional(),
  FINSENT_CONFIG_POLL_MS: int('FINSENT_CONFIG_POLL_MS', 0, 86_400_000).optional(),
  FINSENT_LOG_TEXT: bool('FINSENT_LOG_TEXT').optional(),
  FINSENT_TRUST_PROXY: bool('FINSENT_TRUST_PROXY').optional(),
  FINSENT_SERVE_FAMILIES: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]*(\s*,\s*[a-z][a-z0-9-]*)*$/,
      'FINSENT_SERVE_FAMILIES must list family names, e.g. vader-base,vader',
    )
    .optional(),
  FINSENT_PGLITE_THREAD: z
    .enum(['main', 'worker'], { message: 'FINSENT_PGLITE_THREAD must be main or worker' })
    .optional(),
});

export function readServingSettings(env: NodeJS.ProcessEnv = process.env): ServingSettings {
  const raw = Object.fromEntries(
    Object.keys(Schema.shape)
      .map((k) => [k, env[k]?.trim()])
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = Schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid serving settings: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  const s = parsed.data;
  const origins = (s.FINSENT_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new ConfigError(
        `FINSENT_CORS_ORIGINS: "${o}" is not an origin like https://dashboard.example.com (no path, no trailing slash)`,
      );
    }
  }
  const maxBatch = s.FINSENT_MAX_BATCH ?? DEFAULT_LIMITS.maxBatch;
  const maxTextLength = s.FINSENT_MAX_TEXT_LENGTH ?? DEFAULT_LIMITS.maxTextLength;
  return {
    host: s.FINSENT_HOST ?? '127.0.0.1',
    pgliteThread: s.FINSENT_PGLITE_THREAD ?? 'worker',
    app: {
      corsOrigins: origins,
      limits: {
        maxBatch,
        maxTextLength,
        // Room for the largest valid batch (4 bytes per character at worst in UTF-8, plus JSON).
        bodyLimit: Math.max(DEFAULT_LIMITS.bodyLimit, maxBatch * maxTextLength * 4 + 64 * 1024),
      },
      rateLimit:
        s.FINSENT_RATE_LIMIT === 0
          ? false
          : { ...DEFAULT_RATE_LIMIT, max: s.FINSENT_RATE_LIMIT ?? DEFAULT_RATE_LIMIT.max },
      ...(s.FINSENT_CONFIG_POLL_MS !== undefined ? { configPollMs: s.FINSENT_CONFIG_POLL_MS } : {}),
      ...(s.FINSENT_LOG_TEXT !== undefined ? { logText: s.FINSENT_LOG_TEXT } : {}),
      ...(s.FINSENT_TRUST_PROXY !== undefined ? { trustProxy: s.FINSENT_TRUST_PROXY } : {}),
      ...(s.FINSENT_SERVE_FAMILIES
        ? { serveFamilies: s.FINSENT_SERVE_FAMILIES.split(',').map((f) => f.trim()) }
        : {}),
    },
  };
}
