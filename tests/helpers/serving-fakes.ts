import type { FastifyInstance } from 'fastify';
import type { ModelFamily } from '../../models/families';
import { FamilyRegistry } from '../../models/families';
import { predictionFromScores } from '../../models/prediction';
import type { Prediction, SentimentModel } from '../../models/types';
import { buildApp } from '../../serving/app';
import type { AppOptions } from '../../serving/options';
import { staticConfigSource } from '../../serving/pool/watch';

const POSITIVE = /\b(beat|beats|surge|surged|jump|jumped|rise|rises|gain|gains|record|raised)\b/i;
const NEGATIVE = /\b(loss|losses|cut|cuts|fall|falls|warn|warned|drop|drops|plunge|plunged|miss|missed)\b/i;

/** A deterministic keyword model: positive/negative words decide the label. */
export class FakeModel implements SentimentModel {
  readonly family: string;
  readonly version: string;
  closed = false;
  calls = 0;
  texts = 0;
  inFlight = 0;
  /** When set, predict() waits for it: lets a test hold a request inside the model. */
  gate: Promise<void> | null = null;
  readonly #delay: () => number;
  readonly #bad: boolean;

  constructor(family: string, version: string, delay: () => number, bad = false) {
    this.family = family;
    this.version = version;
    this.#delay = delay;
    this.#bad = bad;
  }

  async predict(texts: readonly string[]): Promise<Prediction[]> {
    if (this.closed) throw new Error(`${this.family}@${this.version} used after close()`);
    this.calls += 1;
    this.texts += texts.length;
    this.inFlight += 1;
    try {
      const ms = this.#delay();
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      if (this.gate) await this.gate;
      if (this.closed) throw new Error(`${this.family}@${this.version} closed while a request was inside it`);
      return texts.map((t) => {
        if (this.#bad)
          return {
            ...predictionFromScores(
              { positive: 0.9, negative: 0.9, neutral: 0.9 },
              this.family,
              this.version,
            ),
          };
        const pos = POSITIVE.test(t);
        const neg = NEGATIVE.test(t);
        const scores =
          pos && !neg
            ? { positive: 0.8, negative: 0.05, neutral: 0.15 }
            : neg && !pos
              ? { positive: 0.05, negative: 0.85, neutral: 0.1 }
              : { positive: 0.1, negative: 0.1, neutral: 0.8 };
        return predictionFromScores(scores, this.family, this.version);
      });
    } finally {
      this.inFlight -= 1;
    }
  }

  async close(): Promise<void> {
    if (this.inFlight > 0)
      throw new Error(`${this.family}@${this.version} closed with ${this.inFlight} requests inside`);
    this.closed = true;
  }
}

export interface FakeFamilyOptions {
  name: string;
  /** The version a `builtin` champion loads as. */
  builtin?: string;
  /** Versions whose load throws this message (a checksum mismatch, a missing release). */
  failLoad?: Record<string, string>;
  /** Versions that load but answer garbage (fail the smoke prediction). */
  badOutput?: readonly string[];
  delayMs?: number | (() => number);
  /** Synchronous work (ms) in load, as creating an ONNX session blocks the event loop. */
  blockLoadMs?: number;
}

export type FakeFamily = ModelFamily & { loaded: FakeModel[]; loadCalls: string[] };

export function fakeFamily(opts: FakeFamilyOptions): FakeFamily {
  const delay =
    typeof opts.delayMs === 'function' ? opts.delayMs : () => (opts.delayMs as number | undefined) ?? 0;
  const loaded: FakeModel[] = [];
  const loadCalls: string[] = [];
  return {
    name: opts.name,
    description: `fake ${opts.name}`,
    loaded,
    loadCalls,
    async load(version) {
      const v = version === undefined || version === 'builtin' ? (opts.builtin ?? '1.0.0') : version;
      loadCalls.push(v);
      await new Promise((r) => setTimeout(r, 5));
      const until = Date.now() + (opts.blockLoadMs ?? 0);
      while (Date.now() < until) {
        /* a blocking model load */
      }
      const failure = opts.failLoad?.[v];
      if (failure) {
        const { ModelUnavailableError } = await import('../../lib/errors');
        throw new ModelUnavailableError(failure);
      }
      const model = new FakeModel(opts.name, v, delay, opts.badOutput?.includes(v) ?? false);
      loaded.push(model);
      return model;
    },
  };
}

export function registryOf(...families: ModelFamily[]): FamilyRegistry {
  const r = new FamilyRegistry();
  for (const f of families) r.register(f);
  return r;
}

export interface ConfigShape {
  families?: Record<string, { champion: string; challenger?: string | null }>;
  default?: string;
  split?: { arm: string; model: string; share: number }[];
  shadow?: string[];
}

/** A models.yaml text (JSON is YAML) for tests. */
export function configText(c: ConfigShape = {}): string {
  return JSON.stringify({
    families: c.families ?? { vader: { champion: 'builtin' }, finbert: { champion: 'builtin' } },
    serving: { default: c.default ?? 'vader', split: c.split ?? [], shadow: c.shadow ?? [] },
  });
}

/** A test app: fake vader + finbert, inline config, no polling, quiet, no rate limit unless asked. */
export async function testApp(overrides: Partial<AppOptions> & { config?: ConfigShape } = {}): Promise<{
  app: FastifyInstance;
  vader: FakeFamily;
  finbert: FakeFamily;
  source: ReturnType<typeof staticConfigSource>;
}> {
  const vader = fakeFamily({ name: 'vader', builtin: '1.0.0' });
  const finbert = fakeFamily({ name: 'finbert', builtin: '2.0.0' });
  const source = staticConfigSource(configText(overrides.config));
  const { config: _config, ...rest } = overrides;
  const app = await buildApp({
    env: { dataDir: '.finsent-test' },
    families: registryOf(vader, finbert),
    configSource: source,
    configPollMs: 0,
    logger: false,
    defaultMetrics: false,
    underPressure: false,
    rateLimit: false,
    ...rest,
  });
  return { app, vader, finbert, source };
}
