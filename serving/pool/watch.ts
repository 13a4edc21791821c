import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MODELS_CONFIG_PATH, type ModelsConfig, parseModelsConfig } from '../../config/models';
import { ConfigError, describeError, isFinsentError } from '../../lib/errors';
import type { ModelPool } from './pool';

/**
 * Where the serving config comes from. The default is the checked-out config/models.yaml; a
 * deployment that should follow promotions without a redeploy hands in a source that reads the
 * promoted config from the registry (a release asset, or the file on the default branch).
 */
export interface ConfigSource {
  /** Shown in /models/status and logs, e.g. the file path. */
  readonly name: string;
  /** The YAML text as it is now. */
  read(): Promise<string>;
}

export function fileConfigSource(file: string = MODELS_CONFIG_PATH): ConfigSource {
  return {
    name: file,
    read: async () => {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new ConfigError(`cannot read ${file}: ${describeError(error)}`, { input: file });
      }
    },
  };
}

/** A fixed config (tests, embedded runs); `set()` changes what the next poll sees. */
export function staticConfigSource(
  text: string,
  name = 'inline config',
): ConfigSource & { set(text: string): void } {
  let current = text;
  return {
    name,
    read: async () => current,
    set: (t: string) => {
      current = t;
    },
  };
}

export interface WatchStatus {
  source: string;
  poll_interval_ms: number;
  last_checked_at: string | null;
  last_changed_at: string | null;
  /** sha256 prefix of the applied config text. */
  applied: string | null;
  error: string | null;
}

export type WatchEvent =
  | { type: 'config-changed'; source: string; hash: string }
  | { type: 'config-invalid'; source: string; error: string };

/**
 * Polls a ConfigSource and hands every changed, valid config to the pool. An unreadable or
 * invalid config is reported (status + event) and ignored: the running models keep serving.
 */
export class ConfigWatcher {
  readonly #source: ConfigSource;
  readonly #pool: ModelPool;
  readonly #pollMs: number;
  readonly #onEvent: ((e: WatchEvent) => void) | undefined;
  #timer: NodeJS.Timeout | null = null;
  #hash: string | null = null;
  #checking: Promise<boolean> | null = null;
  #lastChecked: Date | null = null;
  #lastChanged: Date | null = null;
  #error: string | null = null;

  constructor(
    source: ConfigSource,
    pool: ModelPool,
    options: { pollMs: number; onEvent?: (e: WatchEvent) => void },
  ) {
    this.#source = source;
    this.#pool = pool;
    this.#pollMs = options.pollMs;
    this.#onEvent = options.onEvent;
  }

  /** First read: an invalid config at start-up is an error (there is nothing to fall back to). */
  async start(): Promise<ModelsConfig> {
    const text = await this.#source.read();
    const config = parseModelsConfig(text, this.#source.name);
    this.#hash = hashOf(text);
    this.#lastChecked = this.#lastChanged = new Date();
    await this.#pool.apply(config);
    if (this.#pollMs > 0) {
      this.#timer = setInterval(() => void this.check(), this.#pollMs);
      this.#timer.unref();
    }
    return config;
  }

  /** One poll; resolves true when a changed config was applied. Overlapping calls share one check. */
  check(): Promise<boolean> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  status(): WatchStatus {
    return {
      source: this.#source.name,
      poll_interval_ms: this.#pollMs,
      last_checked_at: this.#lastChecked?.toISOString() ?? null,
      last_changed_at: this.#lastChanged?.toISOString() ?? null,
      applied: this.#hash?.slice(0, 12) ?? null,
      error: this.#error,
    };
  }

  async #check(): Promise<boolean> {
    let text: string;
    let config: ModelsConfig;
    try {
      text = await this.#source.read();
      this.#lastChecked = new Date();
      const hash = hashOf(text);
      if (hash === this.#hash) return false;
      config = parseModelsConfig(text, this.#source.name);
      this.#hash = hash;
    } catch (error) {
      const message = isFinsentError(error)
        ? error.message
        : `reading ${this.#source.name} failed: ${describeError(error)}`;
      if (message !== this.#error)
        this.#onEvent?.({ type: 'config-invalid', source: this.#source.name, error: message });
      this.#error = message;
      return false;
    }
    this.#error = null;
    this.#lastChanged = new Date();
    this.#onEvent?.({ type: 'config-changed', source: this.#source.name, hash: this.#hash.slice(0, 12) });
    await this.#pool.apply(config).catch(() => {});
    return true;
  }
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
