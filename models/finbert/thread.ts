import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/errors';
import type { FinbertSettings } from './settings';

/**
 * Which thread FinBERT's inference runs on, and the health of the worker threads running it. Light
 * on purpose (no transformers.js, no worker started): status lines and the family import it.
 */

/**
 * The worker's bootstrap (plain JavaScript: it registers tsx inside the worker, then imports
 * worker.ts) and the module it loads.
 */
const ENTRY_FILE = 'worker-entry.mjs';
const WORKER_FILE = 'worker.ts';

/**
 * A file beside this module. A function of its argument on purpose: ncc's asset relocator reads
 * `new URL(<constant>, import.meta.url)` as an asset, copies the bootstrap alone into dist/ and
 * turns the URL into a path string; a bundle has no worker.ts to go with it (see workerEntry).
 */
function besideThisModule(file: string): URL {
  return new URL(file, import.meta.url);
}

/**
 * The worker's entry when it ships beside this module (the source tree), else undefined (the ncc
 * bundles of the GitHub Actions, where this module is part of one dist/index.js).
 */
export function workerEntry(): URL | undefined {
  let entry: URL;
  try {
    entry = besideThisModule(ENTRY_FILE);
  } catch {
    return undefined;
  }
  if (!(entry instanceof URL) || entry.protocol !== 'file:') return undefined;
  const ships = existsSync(fileURLToPath(entry)) && existsSync(fileURLToPath(new URL(WORKER_FILE, entry)));
  return ships ? entry : undefined;
}

/**
 * The thread a runtime for these settings runs on: `auto` is `worker` where the worker entry ships,
 * `main` where it does not; an explicit `worker` without the entry is a configuration error.
 *
 * @example
 *   resolveThread(finbertSettings(readEnv())) // 'worker' from the source tree, 'main' in an action bundle
 */
export function resolveThread(settings: Pick<FinbertSettings, 'thread'>): 'worker' | 'main' {
  if (settings.thread === 'main') return 'main';
  const entry = workerEntry();
  if (entry) return 'worker';
  if (settings.thread === 'auto') return 'main';
  throw new ConfigError(
    `FINBERT_THREAD=worker, but this build does not ship FinBERT's worker entry (models/finbert/${ENTRY_FILE} ` +
      `beside ${import.meta.url}); use FINBERT_THREAD=main (or auto), or run finsent from its sources`,
    { input: 'FINBERT_THREAD' },
  );
}

/** Loaded runtimes whose worker died, by runtime serial: cleared when the runtime is disposed. */
const failures = new Map<number, string>();

/** Called by the worker runtime when its thread dies (or by dispose, with undefined, to forget it). */
export function recordWorkerFailure(serial: number, message: string | undefined): void {
  if (message === undefined) failures.delete(serial);
  else failures.set(serial, message);
}

/** Why loaded FinBERT runtimes of this process cannot answer (their worker died); empty when none. */
export function workerFailures(): string[] {
  return [...failures.values()];
}
