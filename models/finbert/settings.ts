import path from 'node:path';
import type { FinsentEnv } from '../../lib/env';
import { ConfigError } from '../../lib/errors';

/**
 * Where FinBERT comes from and how it runs. The hub id and revision are pinned here: bumping the
 * revision is a reviewed code change (docs/finbert.md, "Bumping the pinned revision"), never a
 * silent "main" that changes scores under a released model version.
 */
export const DEFAULT_MODEL_ID = 'Xenova/finbert';
/**
 * Xenova/finbert commit "Upload fp16 ONNX weights" (cd48a16): onnx/model.onnx (fp32, 438 MB),
 * onnx/model_quantized.onnx (q8, 111 MB), onnx/model_fp16.onnx (219 MB), config.json and the
 * tokenizer files of the original upload.
 */
export const PINNED_REVISION = 'cd48a1669a8bee89178c53d4dbd934899d0fa281';
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export const DTYPES = ['q8', 'fp32', 'fp16', 'int8', 'uint8', 'q4'] as const;
export type FinbertDtype = (typeof DTYPES)[number];
export const DEVICES = ['cpu', 'cuda'] as const;
export type FinbertDevice = (typeof DEVICES)[number];
/**
 * Where inference runs: `worker`, a worker thread of its own (the event loop stays free while a
 * batch runs); `main`, the calling thread (onnxruntime-node's session.run is synchronous
 * underneath its promise, so a batch blocks everything else); `auto`, `worker` wherever the
 * worker's entry file ships (the source tree: `npm start`, the CLI, tests) and `main` where it
 * does not (the ncc bundles of the GitHub Actions). See docs/adr/065.
 */
export const THREADS = ['auto', 'worker', 'main'] as const;
export type FinbertThread = (typeof THREADS)[number];

/** The ONNX file transformers.js loads for a dtype (its own suffix table). */
export const DTYPE_FILE: Record<FinbertDtype, string> = {
  q8: 'model_quantized.onnx',
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
};

export interface BatchSettings {
  /** Off: every predict() call runs its own session call. */
  enabled: boolean;
  maxBatchSize: number;
  /** How long the first request of a batch may wait for company. */
  maxWaitMs: number;
  /** Requests allowed to wait; beyond it callers get OVERLOADED. */
  maxQueue: number;
}

export interface FinbertSettings {
  /** Hub id (`FINBERT_MODEL`), used when no local directory is set. */
  modelId: string;
  revision: string;
  /** A local directory in the Hugging Face layout (`FINBERT_MODEL_DIR`); wins over the hub. */
  modelDir?: string;
  dtype: FinbertDtype;
  device: FinbertDevice;
  /** Downloaded hub files, outside node_modules so reinstalls keep them. */
  cacheDir: string;
  /** HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE / FINSENT_OFFLINE: never touch the network. */
  offline: boolean;
  hubEndpoint: string;
  /** Budget of the reachability probe before a download (DNS + TLS + first byte). */
  hubTimeoutMs: number;
  /** Tokens per text after [CLS]/[SEP]; longer texts are truncated. */
  maxTokens: number;
  batch: BatchSettings;
  /** `FINBERT_THREAD`: the thread inference runs on (see THREADS). */
  thread: FinbertThread;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function intVar(raw: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = raw[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${value} is invalid: use an integer from ${min} to ${max}`, {
      input: name,
    });
  }
  return n;
}

function choice<T extends string>(
  raw: NodeJS.ProcessEnv,
  name: string,
  options: readonly T[],
  fallback: T,
): T {
  const value = raw[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (!(options as readonly string[]).includes(value)) {
    throw new ConfigError(`${name}=${value} is invalid: use one of ${options.join(', ')}`, { input: name });
  }
  return value as T;
}

/**
 * Settings from the environment. `env` carries what lib/env.ts reads (FINBERT_MODEL,
 * FINBERT_MODEL_DIR, FINSENT_DATA_DIR); the FinBERT-only knobs come from `raw`:
 * FINBERT_REVISION, FINBERT_DTYPE, FINBERT_DEVICE, FINBERT_CACHE_DIR, FINBERT_MAX_TOKENS,
 * FINBERT_BATCH (on|off), FINBERT_BATCH_SIZE, FINBERT_BATCH_WAIT_MS, FINBERT_MAX_QUEUE,
 * FINBERT_HUB_TIMEOUT_MS, FINBERT_THREAD (auto|worker|main), HF_ENDPOINT and the offline switches.
 *
 * @example
 *   finbertSettings(readEnv(), { FINBERT_DTYPE: 'fp32' }).dtype // 'fp32'
 */
export function finbertSettings(env: FinsentEnv, raw: NodeJS.ProcessEnv = process.env): FinbertSettings {
  const device = choice(raw, 'FINBERT_DEVICE', DEVICES, 'cpu');
  const dtype = choice(raw, 'FINBERT_DTYPE', DTYPES, device === 'cuda' ? 'fp16' : 'q8');
  const cacheDir = raw.FINBERT_CACHE_DIR?.trim() || path.join(env.dataDir, 'hf-cache');
  const maxBatchSize = intVar(raw, 'FINBERT_BATCH_SIZE', 32, 1, 1024);
  const maxQueue = intVar(raw, 'FINBERT_MAX_QUEUE', 1024, 1, 1_000_000);
  if (maxQueue < maxBatchSize) {
    throw new ConfigError(
      `FINBERT_MAX_QUEUE (${maxQueue}) must be at least FINBERT_BATCH_SIZE (${maxBatchSize})`,
    );
  }
  const batchMode = choice(raw, 'FINBERT_BATCH', ['on', 'off'] as const, 'on');
  const thread = choice(raw, 'FINBERT_THREAD', THREADS, 'auto');
  return {
    modelId: env.finbertModel ?? DEFAULT_MODEL_ID,
    // A different hub id has its own history: the pin applies to the default model only.
    revision: raw.FINBERT_REVISION?.trim() || (env.finbertModel ? 'main' : PINNED_REVISION),
    ...(env.finbertModelDir ? { modelDir: path.resolve(env.finbertModelDir) } : {}),
    dtype,
    device,
    cacheDir: path.resolve(cacheDir),
    offline: truthy(raw.HF_HUB_OFFLINE) || truthy(raw.TRANSFORMERS_OFFLINE) || truthy(raw.FINSENT_OFFLINE),
    hubEndpoint: (raw.HF_ENDPOINT?.trim() || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, ''),
    hubTimeoutMs: intVar(raw, 'FINBERT_HUB_TIMEOUT_MS', 5000, 100, 120_000),
    maxTokens: intVar(raw, 'FINBERT_MAX_TOKENS', 128, 8, 512),
    batch: {
      enabled: batchMode === 'on',
      maxBatchSize,
      maxWaitMs: intVar(raw, 'FINBERT_BATCH_WAIT_MS', 5, 0, 1000),
      maxQueue,
    },
    thread,
  };
}

/** "Xenova/finbert@cd48a16 (q8, cpu)" or "/models/finbert (q8, cpu)", for messages and status. */
export function describeSource(s: FinbertSettings): string {
  const where =
    s.modelDir ?? `${s.modelId}@${s.revision.length === 40 ? s.revision.slice(0, 7) : s.revision}`;
  return `${where} (${s.dtype}, ${s.device})`;
}
