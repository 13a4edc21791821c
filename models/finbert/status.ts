import type { FinsentEnv } from '../../lib/env';
import { describeError, isFinsentError } from '../../lib/errors';
import { describeSource, type FinbertSettings, finbertSettings } from './settings';
import { type FetchLike, resolveSource } from './source';
import { resolveThread, workerFailures } from './thread';

export interface FinbertStatus {
  family: 'finbert';
  /** ready: weights on disk; downloadable: the hub answered (or was not asked) and will be used on first load; unavailable: neither. */
  state: 'ready' | 'downloadable' | 'unavailable';
  source: string;
  dtype: string;
  device: string;
  /** Where inference runs (FINBERT_THREAD resolved): `worker` or `main`; `?` when the setting is invalid. */
  thread: string;
  /** The ModelUnavailableError message when unavailable (a dead worker thread's included). */
  reason?: string;
}

/**
 * FinBERT's availability without loading it, for `GET /models/status` and CLI status lines.
 * Touches the network only with `probe: true` (a HEAD request bounded by FINBERT_HUB_TIMEOUT_MS).
 *
 * @example
 *   await finbertStatus(readEnv(), { probe: false })
 *   // { family: 'finbert', state: 'unavailable', source: 'Xenova/finbert@cd48a16 (q8, cpu)', thread: 'worker',
 *   //   reason: 'FinBERT unavailable: … not in the cache … offline mode is on; set FINBERT_MODEL_DIR or allow network access' }
 */
export async function finbertStatus(
  env: FinsentEnv,
  options: { probe?: boolean; fetch?: FetchLike; raw?: NodeJS.ProcessEnv } = {},
): Promise<FinbertStatus> {
  let settings: FinbertSettings;
  try {
    settings = finbertSettings(env, options.raw);
  } catch (error) {
    return {
      family: 'finbert',
      state: 'unavailable',
      source: 'finbert',
      dtype: '?',
      device: '?',
      thread: '?',
      reason: describeError(error),
    };
  }
  let thread: string;
  try {
    thread = resolveThread(settings);
  } catch (error) {
    thread = '?';
    if (!isFinsentError(error)) throw error;
    return {
      family: 'finbert',
      state: 'unavailable',
      source: describeSource(settings),
      dtype: settings.dtype,
      device: settings.device,
      thread,
      reason: error.message,
    };
  }
  const base = {
    family: 'finbert' as const,
    source: describeSource(settings),
    dtype: settings.dtype,
    device: settings.device,
    thread,
  };
  // A loaded runtime whose worker thread died answers nothing until it is loaded again.
  const dead = workerFailures();
  if (dead.length > 0) return { ...base, state: 'unavailable', reason: dead.join('; ') };
  try {
    const source = await resolveSource(settings, {
      probe: options.probe ?? false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return { ...base, state: source.kind === 'dir' || source.cached ? 'ready' : 'downloadable' };
  } catch (error) {
    if (!isFinsentError(error)) throw error;
    return { ...base, state: 'unavailable', reason: error.message };
  }
}
