import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ModelUnavailableError } from '../../lib/errors';
import { DTYPE_FILE, describeSource, type FinbertDtype, type FinbertSettings } from './settings';

/** Where the weights will be read from, once resolveSource has found them. */
export type ModelSource =
  | { kind: 'dir'; dir: string }
  | { kind: 'hub'; id: string; revision: string; cached: boolean; cacheDir: string };

export type FetchLike = (
  url: string,
  init: { method: string; signal: AbortSignal; headers: Record<string, string> },
) => Promise<{
  status: number;
}>;

/** The files a BERT classifier needs in the Hugging Face layout, for a dtype. */
export function requiredFiles(dtype: FinbertDtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/${DTYPE_FILE[dtype]}`];
}

/** The one message shape for "no weights here", so status output and errors read the same. */
export function unavailable(
  reason: string,
  settings: FinbertSettings,
  cause?: unknown,
): ModelUnavailableError {
  return new ModelUnavailableError(
    `FinBERT unavailable: ${reason}; set FINBERT_MODEL_DIR or allow network access`,
    { action: 'loading FinBERT', input: describeSource(settings), reason },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Where transformers.js's file cache keeps a hub file: `<cacheDir>/<id>/<revision>/<file>` for a
 * pinned revision, `<cacheDir>/<id>/<file>` for "main" (see its hub.js buildResourcePaths).
 */
export function hubCachePath(cacheDir: string, id: string, revision: string, file: string): string {
  return revision === 'main' ? path.join(cacheDir, id, file) : path.join(cacheDir, id, revision, file);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function checkDir(settings: FinbertSettings, dir: string): ModelSource {
  if (!existsSync(dir)) throw unavailable(`FINBERT_MODEL_DIR=${dir} does not exist`, settings);
  const missing = requiredFiles(settings.dtype).filter((f) => !isFile(path.join(dir, f)));
  if (missing.length > 0) {
    const present = Object.entries(DTYPE_FILE)
      .filter(([, file]) => isFile(path.join(dir, 'onnx', file)))
      .map(([dtype]) => dtype);
    const hint =
      present.length > 0 && missing.some((f) => f.startsWith('onnx/'))
        ? ` (dtypes present: ${present.join(', ')}; set FINBERT_DTYPE)`
        : '';
    throw unavailable(
      `FINBERT_MODEL_DIR=${dir} lacks ${missing.join(', ')} for dtype ${settings.dtype}${hint}`,
      settings,
    );
  }
  return { kind: 'dir', dir };
}

async function probeHub(settings: FinbertSettings, fetchImpl: FetchLike): Promise<string | undefined> {
  const url = `${settings.hubEndpoint}/${settings.modelId}/resolve/${encodeURIComponent(settings.revision)}/config.json`;
  const headers: Record<string, string> = {};
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetchImpl(url, {
      method: 'HEAD',
      signal: AbortSignal.timeout(settings.hubTimeoutMs),
      headers,
    });
    if (response.status >= 200 && response.status < 400) return undefined;
    if (response.status === 404)
      return `${settings.modelId} has no revision ${settings.revision} on ${settings.hubEndpoint} (HTTP 404)`;
    if (response.status === 401 || response.status === 403) {
      return `${settings.hubEndpoint} refused ${settings.modelId} (HTTP ${response.status}; a gated or private model needs HF_TOKEN)`;
    }
    return `${settings.hubEndpoint} answered HTTP ${response.status} for ${settings.modelId}`;
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return `no answer from ${settings.hubEndpoint} within ${settings.hubTimeoutMs} ms`;
    }
    const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
    return `cannot reach ${settings.hubEndpoint} (${detail})`;
  }
}

/**
 * Finds the weights without loading them: a local directory, the hub cache, or (after a quick
 * reachability probe) the hub itself. Fails fast with ModelUnavailableError instead of letting a
 * download hang on DNS: offline mode is honoured and the probe has a timeout.
 *
 * @example
 *   await resolveSource(finbertSettings(readEnv()))
 *   // { kind: 'hub', id: 'Xenova/finbert', revision: 'cd48a16…', cached: true, cacheDir: '.finsent/hf-cache' }
 */
export async function resolveSource(
  settings: FinbertSettings,
  options: { fetch?: FetchLike; probe?: boolean } = {},
): Promise<ModelSource> {
  if (settings.modelDir) return checkDir(settings, settings.modelDir);
  const { modelId: id, revision, cacheDir } = settings;
  const missing = requiredFiles(settings.dtype).filter(
    (f) => !isFile(hubCachePath(cacheDir, id, revision, f)),
  );
  if (missing.length === 0) return { kind: 'hub', id, revision, cached: true, cacheDir };
  if (settings.offline) {
    throw unavailable(
      `${id}@${revision.slice(0, 7)} (${settings.dtype}) is not in the cache at ${cacheDir} and offline mode is on`,
      settings,
    );
  }
  if (options.probe !== false) {
    const problem = await probeHub(settings, options.fetch ?? (globalThis.fetch as unknown as FetchLike));
    if (problem) throw unavailable(problem, settings);
  }
  return { kind: 'hub', id, revision, cached: false, cacheDir };
}
