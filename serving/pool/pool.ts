import type { ModelsConfig } from '../../config/models';
import {
  describeError,
  InputError,
  isFinsentError,
  ModelUnavailableError,
  UnknownModelError,
} from '../../lib/errors';
import { type FamilyRegistry, type LoadContext, parseModelId } from '../../models/families';
import type { SentimentModel } from '../../models/types';
import { type Routing, routedKeys, routingFromConfig, slotKey } from './routing';
import { verifyModel } from './verify';

/** One loaded model version. Shared by every slot that wants the same family@version. */
interface Instance {
  readonly id: string;
  readonly family: string;
  /** What was asked for: `builtin` or a semver. */
  readonly spec: string;
  readonly model: SentimentModel;
  readonly loadedAt: Date;
  inFlight: number;
  refs: number;
  retired: boolean;
  closed: boolean;
  /** Settles once `model.close()` has finished (successfully or not). */
  readonly done: Promise<void>;
  markDone(): void;
}

/** A name requests are routed to: a family's champion (`vader`) or a pinned version (`vader@1.3.0`). */
interface Slot {
  readonly key: string;
  readonly family: string;
  readonly pinned: boolean;
  wanted: string;
  current?: Instance;
  loading?: { spec: string; since: Date };
  error?: { spec: string; message: string; at: Date };
}

/** A model borrowed for one request; `release()` lets a retired version close once drained. */
export interface Lease {
  readonly key: string;
  readonly family: string;
  readonly version: string;
  readonly model: SentimentModel;
  release(): void;
}

export type PoolEvent =
  | { type: 'loading'; id: string }
  | { type: 'loaded'; id: string; version: string; ms: number }
  | { type: 'load-failed'; id: string; error: string }
  | { type: 'swapped'; key: string; from: string | null; to: string }
  | { type: 'closed'; id: string; version: string }
  | { type: 'close-failed'; id: string; error: string }
  | { type: 'close-forced'; id: string; in_flight: number }
  | { type: 'routing-kept'; reason: string };

export interface PoolOptions {
  families: FamilyRegistry;
  context: LoadContext;
  /**
   * The only families this pool loads (champions and routed versions alike); default every
   * family of the config that the registry knows. A small instance sets it to leave FinBERT out.
   */
  serve?: readonly string[];
  /** A load (download + checksum + session start) that takes longer fails. */
  loadTimeoutMs?: number;
  smokeTexts?: readonly string[];
  /**
   * How long close() waits for leased models to be released before closing them anyway
   * (their remaining calls then fail with MODEL_UNAVAILABLE); default 10 s.
   */
  closeGraceMs?: number;
  onEvent?: (event: PoolEvent) => void;
}

export interface SlotStatus {
  key: string;
  family: string;
  pinned: boolean;
  state: 'active' | 'loading' | 'failed';
  version: string | null;
  wanted: string;
  override: string | null;
  loaded_at: string | null;
  in_flight: number;
  loading: { version: string; since: string } | null;
  error: { version: string; message: string; at: string } | null;
}

export interface PoolStatus {
  slots: SlotStatus[];
  retiring: { id: string; version: string; in_flight: number }[];
  routing: Routing | null;
  routing_error: string | null;
}

/**
 * The models the API serves, and the only place versions change. Every change (config poll,
 * admin select) is serialised through one queue: the new version loads in the background while
 * the old one keeps answering, is verified (checksums by the loader, a smoke prediction here),
 * then swapped in with one assignment, which is atomic on the event loop. The old version is
 * closed only when the last request holding it releases its lease. A failed load changes
 * nothing but the slot's `error`, which /models/status shows.
 *
 *   const pool = new ModelPool({ families, context: { env } });
 *   await pool.apply(loadModelsConfig());
 *   const lease = pool.acquire('vader');
 *   try { await lease.model.predict(['Apple beats estimates']); } finally { lease.release(); }
 */
export class ModelPool {
  readonly #opts: PoolOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #instances = new Map<string, Instance>();
  readonly #retiring = new Set<Instance>();
  /** Instances whose model.close() is running: close() waits for them too. */
  readonly #closing = new Set<Instance>();
  readonly #loads = new Map<string, Promise<Instance>>();
  readonly #overrides = new Map<string, string>();
  #config: ModelsConfig | null = null;
  #routing: Routing | null = null;
  #routingError: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: PoolOptions) {
    this.#opts = options;
  }

  get routing(): Routing | null {
    return this.#routing;
  }

  get config(): ModelsConfig | null {
    return this.#config;
  }

  /** Brings the loaded models and the routing in line with a config (serialised with select). */
  apply(config: ModelsConfig): Promise<void> {
    return this.#enqueue(() => this.#apply(config));
  }

  /**
   * Admin override of a family's champion: `vader@1.3.0` pins it, bare `vader` returns to the
   * config's champion. It lasts until the config's champion for that family changes (a merged
   * promotion wins). Throws, with the old version still serving, when the new one fails.
   */
  select(id: string): Promise<{ family: string; version: string; previous: string | null }> {
    return this.#enqueue(async () => {
      const { family, version } = parseModelId(id);
      this.#opts.families.resolve(family);
      const slot = this.#slots.get(family);
      if (!slot || !this.#config) {
        throw new InputError(
          `"${family}" is not served here: served families are ${this.#championFamilies().join(', ') || 'none'} (config/models.yaml)`,
          { input: id },
        );
      }
      const previous = slot.current?.model.version ?? null;
      const before = this.#overrides.get(family);
      if (version === undefined) this.#overrides.delete(family);
      else this.#overrides.set(family, version);
      await this.#apply(this.#config);
      const wanted = version ?? this.#config.families[family]?.champion ?? 'builtin';
      if (slot.current?.spec !== wanted) {
        if (before === undefined) this.#overrides.delete(family);
        else this.#overrides.set(family, before);
        if (slot.current) slot.wanted = slot.current.spec;
        const why = slot.error?.message ?? 'the load did not complete';
        throw new ModelUnavailableError(
          `could not switch ${family} to ${wanted}: ${why}; ${previous ? `${family}@${previous} keeps serving` : 'nothing is serving it'}`,
          { input: id },
        );
      }
      return { family, version: slot.current.model.version, previous };
    });
  }

  /** Borrows the model serving `key`; throws a 400-class error for unknown keys, 503-class while unavailable. */
  acquire(key: string): Lease {
    const slot = this.#slots.get(key);
    if (!slot && this.#routing && routedKeys(this.#routing).includes(key)) {
      throw new ModelUnavailableError(
        `${key} is routed to by config/models.yaml but not served by this server`,
        {
          input: key,
        },
      );
    }
    if (!slot) {
      throw new UnknownModelError(
        `model "${key}" is not served here: available models are ${[...this.#slots.keys()].join(', ') || 'none'}`,
        { input: key, valid: [...this.#slots.keys()] },
      );
    }
    const inst = slot.current;
    if (!inst) {
      const why = slot.error
        ? `its load failed: ${slot.error.message}`
        : slot.loading
          ? 'it is still loading; retry shortly'
          : 'it is not loaded';
      throw new ModelUnavailableError(`${key} is unavailable: ${why}`, { input: key });
    }
    inst.inFlight += 1;
    let released = false;
    return {
      key,
      family: inst.family,
      version: inst.model.version,
      model: inst.model,
      release: () => {
        if (released) return;
        released = true;
        inst.inFlight -= 1;
        this.#maybeClose(inst);
      },
    };
  }

  /** Whether a key has a version serving right now. */
  isReady(key: string): boolean {
    return this.#slots.get(key)?.current !== undefined;
  }

  /**
   * The slot serving a model id, if any: its own slot, or for a pinned id (`vader@1.2.0`) the
   * family's champion slot when that is the version it serves right now.
   */
  keyFor(id: string): string | undefined {
    const key = slotKey(id);
    if (this.#slots.has(key)) return key;
    const { family, version } = parseModelId(key);
    const champion = this.#slots.get(family);
    const current = champion?.current;
    if (version === undefined || !current) return undefined;
    // `vader@builtin` is the champion while the champion is the builtin (whatever version it reports).
    return (version === 'builtin' ? current.spec === 'builtin' : current.model.version === version)
      ? family
      : undefined;
  }

  keys(): string[] {
    return [...this.#slots.keys()];
  }

  /** The families this build can load (registered in the FamilyRegistry). */
  familyNames(): string[] {
    return this.#opts.families.names();
  }

  inFlight(): number {
    let n = 0;
    for (const inst of [...this.#instances.values(), ...this.#retiring]) n += inst.inFlight;
    return n;
  }

  status(): PoolStatus {
    const iso = (d: Date) => d.toISOString();
    return {
      slots: [...this.#slots.values()].map((s) => ({
        key: s.key,
        family: s.family,
        pinned: s.pinned,
        state: s.current ? 'active' : s.loading ? 'loading' : 'failed',
        version: s.current?.model.version ?? null,
        wanted: s.wanted,
        override: s.pinned ? null : (this.#overrides.get(s.family) ?? null),
        loaded_at: s.current ? iso(s.current.loadedAt) : null,
        in_flight: s.current?.inFlight ?? 0,
        loading: s.loading ? { version: s.loading.spec, since: iso(s.loading.since) } : null,
        error: s.error ? { version: s.error.spec, message: s.error.message, at: iso(s.error.at) } : null,
      })),
      retiring: [...this.#retiring].map((i) => ({
        id: i.id,
        version: i.model.version,
        in_flight: i.inFlight,
      })),
      routing: this.#routing,
      routing_error: this.#routingError,
    };
  }

  /**
   * Closes every model once its in-flight requests finish (call after the server stopped
   * accepting), and resolves only when every model has closed. Requests whose client has gone
   * still hold their lease; resolving earlier would let the process exit while a native runtime
   * (onnxruntime-node) is mid-call, which aborts it. A lease still held after `closeGraceMs` is
   * closed anyway so a stuck request cannot hang shutdown.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.catch(() => {});
    const all = [...this.#instances.values(), ...this.#retiring];
    this.#slots.clear();
    this.#instances.clear();
    for (const inst of all) {
      inst.retired = true;
      this.#retiring.add(inst);
      void this.#maybeClose(inst);
    }
    const drained = Promise.all([...all, ...this.#closing].map((inst) => inst.done)).then(() => {});
    const graceMs = this.#opts.closeGraceMs ?? 10_000;
    if (await settlesWithin(drained, graceMs)) return;
    for (const inst of all) {
      if (inst.closed) continue;
      this.#opts.onEvent?.({ type: 'close-forced', id: inst.id, in_flight: inst.inFlight });
      void this.#maybeClose(inst, true);
    }
    // A model whose own close() never returns must not hang shutdown either.
    await settlesWithin(drained, graceMs);
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ModelUnavailableError('the model pool is shutting down'));
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => {});
    return run;
  }

  #championFamilies(): string[] {
    return [...this.#slots.values()].filter((s) => !s.pinned).map((s) => s.family);
  }

  async #apply(config: ModelsConfig): Promise<void> {
    const previous = this.#config;
    // A new champion merged into the config supersedes an admin override of that family.
    for (const family of [...this.#overrides.keys()]) {
      if (previous && previous.families[family]?.champion !== config.families[family]?.champion) {
        this.#overrides.delete(family);
      }
    }
    this.#config = config;
    const routing = routingFromConfig(config);
    const wanted = this.#wantedSlots(config, routing);
    for (const [key, want] of wanted) {
      if (!this.#slots.has(key)) {
        this.#slots.set(key, { key, family: want.family, pinned: want.pinned, wanted: want.spec });
      }
    }
    await Promise.all(
      [...wanted].map(([key, want]) => {
        const slot = this.#slots.get(key)!;
        slot.wanted = want.spec;
        return slot.current?.spec === want.spec ? undefined : this.#loadInto(slot, want.spec);
      }),
    );
    const missing = routedKeys(routing).filter((k) => !this.#slots.get(k)?.current);
    if (missing.length > 0 && this.#routing) {
      this.#routingError = `routing from the new config was not applied because ${missing.join(', ')} could not be loaded; the previous routing stays`;
      this.#opts.onEvent?.({ type: 'routing-kept', reason: this.#routingError });
    } else {
      this.#routing = routing;
      this.#routingError = missing.length > 0 ? `not loaded: ${missing.join(', ')}` : null;
    }
    // Only now, with the new routing in place, may slots nothing refers to any more go.
    const active = new Set(routedKeys(this.#routing));
    for (const [key, slot] of this.#slots) {
      if (wanted.has(key) || active.has(key)) continue;
      this.#slots.delete(key);
      if (slot.current) this.#deref(slot.current);
    }
  }

  /** Every family champion (within `serve`) plus every id the routing names. */
  #wantedSlots(
    config: ModelsConfig,
    routing: Routing,
  ): Map<string, { family: string; pinned: boolean; spec: string }> {
    const known = new Set(this.#opts.families.names());
    const serve = this.#opts.serve ? new Set(this.#opts.serve) : undefined;
    const wanted = new Map<string, { family: string; pinned: boolean; spec: string }>();
    const champion = (family: string) =>
      this.#overrides.get(family) ?? config.families[family]?.champion ?? 'builtin';
    for (const family of Object.keys(config.families)) {
      if (known.has(family) && (!serve || serve.has(family))) {
        wanted.set(family, { family, pinned: false, spec: champion(family) });
      }
    }
    for (const key of routedKeys(routing)) {
      const { family, version } = parseModelId(key);
      // `serve` is a hard limit (a small instance): routes to other families stay unserved.
      if (serve && !serve.has(family)) continue;
      wanted.set(key, { family, pinned: version !== undefined, spec: version ?? champion(family) });
    }
    return wanted;
  }

  async #loadInto(slot: Slot, spec: string): Promise<void> {
    slot.loading = { spec, since: new Date() };
    try {
      const inst = await this.#obtain(slot.family, spec);
      const old = slot.current;
      if (old !== inst) {
        inst.refs += 1;
        this.#instances.set(inst.id, inst);
        slot.current = inst;
        this.#opts.onEvent?.({
          type: 'swapped',
          key: slot.key,
          from: old ? old.model.version : null,
          to: inst.model.version,
        });
        if (old) this.#deref(old);
      }
      slot.error = undefined;
    } catch (error) {
      slot.error = { spec, message: safeMessage(error), at: new Date() };
    } finally {
      slot.loading = undefined;
    }
  }

  /** A live instance of family@spec: reused, revived from retirement, or loaded (once) and verified. */
  #obtain(family: string, spec: string): Promise<Instance> {
    const id = `${family}@${spec}`;
    const live = this.#instances.get(id);
    if (live) return Promise.resolve(live);
    for (const inst of this.#retiring) {
      if (inst.id === id && !inst.closed) {
        this.#retiring.delete(inst);
        inst.retired = false;
        return Promise.resolve(inst);
      }
    }
    const pending = this.#loads.get(id);
    if (pending) return pending;
    const load = this.#load(family, spec).finally(() => this.#loads.delete(id));
    this.#loads.set(id, load);
    return load;
  }

  async #load(family: string, spec: string): Promise<Instance> {
    const id = `${family}@${spec}`;
    const started = Date.now();
    const timeoutMs = this.#opts.loadTimeoutMs ?? 10 * 60_000;
    this.#opts.onEvent?.({ type: 'loading', id });
    let loading: Promise<SentimentModel> | undefined;
    let model: SentimentModel | undefined;
    try {
      const { family: fam } = this.#opts.families.resolve(family);
      // The spec is always concrete (a semver or `builtin`, never undefined = "the champion"): the
      // pool itself resolves champions and overrides, so a pinned `vader@builtin` slot gets the builtin.
      loading = fam.load(spec, this.#opts.context);
      model = await withTimeout(
        loading,
        timeoutMs,
        `loading ${id} took longer than ${Math.round(timeoutMs / 1000)} s`,
      );
      await verifyModel(model, { family, spec }, this.#opts.smokeTexts);
    } catch (error) {
      // A model that failed verification, or that arrives after the timeout, is closed, never leaked.
      if (model) await model.close?.().catch(() => {});
      else loading?.then((late) => late.close?.()).catch(() => {});
      this.#opts.onEvent?.({ type: 'load-failed', id, error: describeError(error) });
      throw error;
    }
    this.#opts.onEvent?.({ type: 'loaded', id, version: model.version, ms: Date.now() - started });
    let markDone!: () => void;
    const done = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    return {
      id,
      family,
      spec,
      model,
      loadedAt: new Date(),
      inFlight: 0,
      refs: 0,
      retired: false,
      closed: false,
      done,
      markDone,
    };
  }

  #deref(inst: Instance): void {
    inst.refs -= 1;
    if (inst.refs > 0) return;
    inst.retired = true;
    this.#instances.delete(inst.id);
    this.#retiring.add(inst);
    void this.#maybeClose(inst);
  }

  async #maybeClose(inst: Instance, force = false): Promise<void> {
    if (!inst.retired || (inst.inFlight > 0 && !force) || inst.closed) return;
    inst.closed = true;
    this.#retiring.delete(inst);
    this.#closing.add(inst);
    try {
      await inst.model.close?.();
      this.#opts.onEvent?.({ type: 'closed', id: inst.id, version: inst.model.version });
    } catch (error) {
      this.#opts.onEvent?.({ type: 'close-failed', id: inst.id, error: describeError(error) });
    } finally {
      this.#closing.delete(inst);
      inst.markDone();
    }
  }
}

/**
 * Load errors are public (GET /models/status): FinsentErrors are written for people and say what
 * to do; anything else may hold paths or internals, so only its kind is shown (the server log
 * has the whole message, from the `load-failed` event).
 */
function safeMessage(error: unknown): string {
  if (isFinsentError(error)) return error.message;
  return `the loader failed with an internal ${error instanceof Error ? error.name : 'error'}; see the server log`;
}

/** Whether a promise that never rejects (the instances' `done`) settled within `ms`. */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return withTimeout(promise, ms, 'closing models timed out').then(
    () => true,
    () => false,
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ModelUnavailableError(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
