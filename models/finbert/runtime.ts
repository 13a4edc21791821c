import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env as hf,
  LogLevel,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  Tensor,
} from '@huggingface/transformers';
import { describeError, FinsentError } from '../../lib/errors';
import { type DownloadFetch, type DownloadProgress, downloadModelFiles } from './download';
import { exposePooledOutput, POOLED_OUTPUT } from './onnx/surgery';
import { DTYPE_FILE, type FinbertSettings } from './settings';
import { type FetchLike, hubCachePath, type ModelSource, resolveSource, unavailable } from './source';

/** What one session call returns, one row per text. */
export interface EncoderOutputs {
  logits?: Float32Array[];
  pooled?: Float32Array[];
}

export interface RuntimeInfo {
  source: ModelSource;
  /** The directory actually loaded (the source, or a derived copy with the pooled output exposed). */
  loadedFrom: string;
  dtype: string;
  device: string;
  maxTokens: number;
  /** config.json's id2label, index → label as the model names it. */
  id2label: Record<string, string> | undefined;
  hiddenSize: number | undefined;
  /** sha256 (16 hex) of config.json + tokenizer.json: which encoder a head was trained on. */
  fingerprint: string;
  outputs: string[];
}

/** A BERT-style model and its tokenizer, behind one batch call. */
export interface BertRuntime {
  readonly info: RuntimeInfo;
  run(texts: readonly string[]): Promise<EncoderOutputs>;
  dispose(): Promise<void>;
}

export interface LoadOptions {
  /** `encoder`: also return the pooled [CLS] vector (graph surgery on classifier exports). */
  variant?: 'classifier' | 'encoder';
  /** The reachability probe's fetch (tests). */
  fetch?: FetchLike;
  /** The downloader's fetch (tests). */
  download?: DownloadFetch;
  onDownload?: (progress: DownloadProgress) => void;
}

function rows(tensor: Tensor | undefined): Float32Array[] | undefined {
  if (!tensor) return undefined;
  const [batch, width] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: batch }, (_, b) => data.slice(b * width, (b + 1) * width));
}

async function fingerprintOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['config.json', 'tokenizer.json']) hash.update(await readFile(path.join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** A graph with a pooled output already: `pooler_output`, or a lone rank-2 output beside no logits (tribuo-style). */
function pooledOutputName(model: PreTrainedModel): string | undefined {
  const session = model.sessions.model as {
    outputNames: string[];
    outputMetadata?: { name: string; shape?: unknown[] }[];
  };
  if (session.outputNames.includes(POOLED_OUTPUT)) return POOLED_OUTPUT;
  if (session.outputNames.includes('logits')) return undefined;
  const rank2 = (session.outputMetadata ?? []).filter((m) => Array.isArray(m.shape) && m.shape.length === 2);
  return rank2.length === 1 ? rank2[0]!.name : undefined;
}

/**
 * Copies a model directory's small files and writes its ONNX file with the pooled output exposed,
 * under the cache, keyed by the source file's identity. Reused when already there.
 */
async function derivePooledDir(sourceDir: string, settings: FinbertSettings): Promise<string> {
  const onnxFile = DTYPE_FILE[settings.dtype];
  const sourceOnnx = path.join(sourceDir, 'onnx', onnxFile);
  const st = await stat(sourceOnnx);
  const key = createHash('sha256')
    .update(`${path.resolve(sourceOnnx)}:${st.size}:${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(settings.cacheDir, 'finsent-derived', key);
  const target = path.join(dir, 'onnx', onnxFile);
  try {
    if ((await stat(target)).isFile()) return dir;
  } catch {
    // Not derived yet.
  }
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    await copyFile(path.join(sourceDir, file), path.join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT' || file !== 'special_tokens_map.json') throw error;
    });
  }
  const bytes = exposePooledOutput(await readFile(sourceOnnx));
  const tmp = `${target}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, target);
  return dir;
}

function configureTransformers(settings: FinbertSettings): void {
  // transformers.js keeps these on one global object; finsent is its only user in the process.
  // Every load reads a local directory (downloads are finsent's, see ./download.ts), so remote
  // access stays off and nothing is fetched behind the offline switch's back.
  hf.cacheDir = settings.cacheDir;
  hf.allowLocalModels = true;
  hf.allowRemoteModels = false;
  // Library code never prints: the library's own notes stay quiet.
  hf.logLevel = LogLevel.ERROR;
}

async function loadPair(
  dir: string,
  settings: FinbertSettings,
): Promise<{ tokenizer: PreTrainedTokenizer; model: PreTrainedModel }> {
  const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  const model = await AutoModelForSequenceClassification.from_pretrained(dir, {
    local_files_only: true,
    dtype: settings.dtype,
    device: settings.device,
  });
  return { tokenizer, model };
}

function loadFailure(error: unknown, settings: FinbertSettings): FinsentError {
  if (error instanceof FinsentError) return error;
  const message = describeError(error);
  if (settings.device === 'cuda' && /cuda|provider|execution/i.test(message)) {
    return unavailable(
      `device cuda requested but onnxruntime-node has no working CUDA provider (${message}); reinstall it with ONNXRUNTIME_NODE_INSTALL=cuda12 or use FINBERT_DEVICE=cpu`,
      settings,
      error,
    );
  }
  return unavailable(`loading failed (${message})`, settings, error);
}

/**
 * Token ids with BERT's truncation: the first maxTokens − 1 ids, then the closing special token.
 * (transformers.js 4.3's own `truncation: true` cuts the trailing [SEP] off, unlike Python's.)
 */
export function encodeBatch(
  tokenizer: PreTrainedTokenizer,
  texts: readonly string[],
  maxTokens: number,
): { input_ids: Tensor; attention_mask: Tensor; token_type_ids: Tensor } {
  const ids = texts.map((text) => {
    const full = tokenizer.encode(text);
    return full.length <= maxTokens ? full : [...full.slice(0, maxTokens - 1), full[full.length - 1]!];
  });
  const longest = Math.max(1, ...ids.map((r) => r.length));
  const pad = (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;
  const inputIds = new BigInt64Array(texts.length * longest).fill(BigInt(pad));
  const mask = new BigInt64Array(texts.length * longest);
  ids.forEach((row, b) => {
    row.forEach((id, t) => {
      inputIds[b * longest + t] = BigInt(id);
      mask[b * longest + t] = 1n;
    });
  });
  const dims = [texts.length, longest];
  return {
    input_ids: new Tensor('int64', inputIds, dims),
    attention_mask: new Tensor('int64', mask, dims),
    token_type_ids: new Tensor('int64', new BigInt64Array(texts.length * longest), dims),
  };
}

/**
 * Loads tokenizer and model through @huggingface/transformers (onnxruntime-node underneath) from
 * a local directory or the hub (pinned revision, cached outside node_modules).
 *
 * @example
 *   const rt = await loadBertRuntime(finbertSettings(readEnv()));
 *   (await rt.run(['Shares rose 5% after earnings'])).logits // [Float32Array [2.1, -1.3, 0.4]]
 */
export async function loadBertRuntime(
  settings: FinbertSettings,
  options: LoadOptions = {},
): Promise<BertRuntime> {
  const source = await resolveSource(settings, options.fetch ? { fetch: options.fetch } : {});
  let sourceDir: string;
  if (source.kind === 'dir') {
    sourceDir = source.dir;
  } else {
    sourceDir = source.cached
      ? path.dirname(hubCachePath(source.cacheDir, source.id, source.revision, 'config.json'))
      : await downloadModelFiles(settings, {
          ...(options.download ? { fetch: options.download } : {}),
          ...(options.onDownload ? { onProgress: options.onDownload } : {}),
        });
  }
  configureTransformers(settings);
  let pair: { tokenizer: PreTrainedTokenizer; model: PreTrainedModel };
  try {
    pair = await loadPair(sourceDir, settings);
  } catch (error) {
    throw loadFailure(error, settings);
  }

  let loadedFrom = sourceDir;
  let pooledName = pooledOutputName(pair.model);
  if (options.variant === 'encoder' && !pooledName) {
    await pair.model.dispose();
    try {
      loadedFrom = await derivePooledDir(sourceDir, settings);
      pair = await loadPair(loadedFrom, settings);
    } catch (error) {
      throw loadFailure(error, settings);
    }
    pooledName = POOLED_OUTPUT;
  }

  const { tokenizer, model } = pair;
  const config = model.config as unknown as { id2label?: Record<string, string>; hidden_size?: number };
  const info: RuntimeInfo = {
    source,
    loadedFrom,
    dtype: settings.dtype,
    device: settings.device,
    maxTokens: settings.maxTokens,
    id2label: config.id2label,
    hiddenSize: config.hidden_size,
    fingerprint: await fingerprintOf(sourceDir),
    outputs: [...(model.sessions.model as { outputNames: string[] }).outputNames],
  };
  let disposed = false;
  return {
    info,
    async run(texts) {
      if (disposed) throw new FinsentError('MODEL_UNAVAILABLE', 'FinBERT was closed; load it again');
      // Pads to the longest text of this batch only, and truncates at maxTokens ([CLS]/[SEP] included).
      const inputs = encodeBatch(tokenizer, texts, settings.maxTokens);
      const out = (await model.forward(inputs)) as Record<string, Tensor>;
      return {
        ...(out.logits ? { logits: rows(out.logits)! } : {}),
        ...(pooledName && out[pooledName] ? { pooled: rows(out[pooledName])! } : {}),
      };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await model.dispose();
    },
  };
}
