import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so the CLI works from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `../shared` beside the checkout holds development data (parity sets, the Twitter financial set,
 * fixtures). The project never needs it: callers get `undefined` and skip visibly.
 */
export function sharedDir(...parts: string[]): string | undefined {
  const candidates = [process.env.FINSENT_SHARED_DIR, path.resolve(REPO_ROOT, '..', 'shared')];
  for (const c of candidates) {
    if (c && existsSync(path.join(c, ...parts))) return path.join(c, ...parts);
  }
  return undefined;
}
