import path from 'node:path';

/**
 * Every environment variable finsent reads, in one place, so the README's table and the code
 * cannot drift apart. Unset (or empty) means "use the embedded default".
 */
export interface FinsentEnv {
  /** Postgres connection string; unset → PGlite under the data directory. */
  databaseUrl?: string;
  /** Redis over TCP; unset (and no Upstash) → in-process cache. */
  redisUrl?: string;
  upstashUrl?: string;
  upstashToken?: string;
  /** GitHub token and owner/repo; unset → the local registry directory. */
  githubToken?: string;
  githubRepository?: string;
  /** Where embedded state lives (PGlite, local registry, exports). */
  dataDir: string;
  adminToken?: string;
  finbertModel?: string;
  finbertModelDir?: string;
  port?: number;
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function readEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): FinsentEnv {
  const port = value(env, 'PORT');
  return {
    databaseUrl: value(env, 'DATABASE_URL'),
    redisUrl: value(env, 'REDIS_URL'),
    upstashUrl: value(env, 'UPSTASH_REDIS_REST_URL'),
    upstashToken: value(env, 'UPSTASH_REDIS_REST_TOKEN'),
    githubToken: value(env, 'GITHUB_TOKEN'),
    githubRepository: value(env, 'GITHUB_REPOSITORY'),
    dataDir: path.resolve(cwd, value(env, 'FINSENT_DATA_DIR') ?? '.finsent'),
    adminToken: value(env, 'FINSENT_ADMIN_TOKEN'),
    finbertModel: value(env, 'FINBERT_MODEL'),
    finbertModelDir: value(env, 'FINBERT_MODEL_DIR'),
    port: port === undefined ? undefined : Number.parseInt(port, 10),
  };
}
