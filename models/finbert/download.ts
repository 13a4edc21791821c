import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FinbertSettings } from './settings';
import { hubCachePath, requiredFiles, unavailable } from './source';

/** Files that help but are not needed (a 404 is fine). */
const OPTIONAL_FILES = ['special_tokens_map.json'];
/** A download that delivers no byte for this long is abandoned. */
export const STALL_TIMEOUT_MS = 60_000;

export type DownloadFetch = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string> },
) => Promise<Response>;

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number | undefined;
}

function authHeaders(): Record<string, string> {
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The hub's ETag of an LFS file is its sha256; small files carry a git blob id instead. */
function expectedSha256(response: Response): string | undefined {
  for (const header of ['x-linked-etag', 'etag']) {
    const value = response.headers.get(header)?.replace(/^W\//, '').replaceAll('"', '');
    if (value && /^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

async function downloadFile(
  settings: FinbertSettings,
  file: string,
  fetchImpl: DownloadFetch,
  onProgress?: (p: DownloadProgress) => void,
): Promise<'done' | 'absent'> {
  const target = hubCachePath(settings.cacheDir, settings.modelId, settings.revision, file);
  const url = `${settings.hubEndpoint}/${settings.modelId}/resolve/${encodeURIComponent(settings.revision)}/${file}`;
  const controller = new AbortController();
  // Until the headers arrive the budget is the probe's; afterwards, a stall timer per chunk.
  let timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${settings.hubTimeoutMs} ms`)),
    settings.hubTimeoutMs,
  );
  const tmp = `${target}.download-${process.pid}`;
  try {
    const response = await fetchImpl(url, { signal: controller.signal, headers: authHeaders() });
    if (response.status === 404 && OPTIONAL_FILES.includes(file)) return 'absent';
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${url}`);
    const total = Number(response.headers.get('content-length')) || undefined;
    const sha = expectedSha256(response);
    await mkdir(path.dirname(target), { recursive: true });
    const out = createWriteStream(tmp);
    const hash = createHash('sha256');
    let loaded = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      clearTimeout(timer);
      timer = setTimeout(
        () => controller.abort(new Error(`download stalled for ${STALL_TIMEOUT_MS} ms`)),
        STALL_TIMEOUT_MS,
      );
      hash.update(chunk);
      loaded += chunk.byteLength;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      onProgress?.({ file, loaded, total });
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (total !== undefined && loaded !== total) throw new Error(`${file}: got ${loaded} of ${total} bytes`);
    const digest = hash.digest('hex');
    if (sha && digest !== sha) throw new Error(`${file}: sha256 ${digest} does not match the hub's ${sha}`);
    await rename(tmp, target);
    return 'done';
  } finally {
    clearTimeout(timer);
    await rm(tmp, { force: true });
  }
}

/**
 * Downloads the pinned revision's files into the cache, in transformers.js's own layout
 * (`<cacheDir>/<id>/<revision>/<file>`), each written to a temporary name and renamed when complete
 * (and sha256-checked when the hub gives one), so an interrupted download is never mistaken for a
 * cached file. Files already there are kept.
 */
export async function downloadModelFiles(
  settings: FinbertSettings,
  options: { fetch?: DownloadFetch; onProgress?: (p: DownloadProgress) => void } = {},
): Promise<string> {
  const fetchImpl = options.fetch ?? (globalThis.fetch as DownloadFetch);
  for (const file of [...requiredFiles(settings.dtype), ...OPTIONAL_FILES]) {
    const target = hubCachePath(settings.cacheDir, settings.modelId, settings.revision, file);
    const present = await stat(target).then(
      (s) => s.isFile(),
      () => false,
    );
    if (present) continue;
    try {
      await downloadFile(settings, file, fetchImpl, options.onProgress);
    } catch (error) {
      const reason =
        (error as Error).name === 'AbortError' ? String((error as Error).message) : (error as Error).message;
      throw unavailable(
        `downloading ${settings.modelId}@${settings.revision.slice(0, 7)} ${file} failed (${reason})`,
        settings,
        error,
      );
    }
  }
  return path.dirname(hubCachePath(settings.cacheDir, settings.modelId, settings.revision, 'config.json'));
}
