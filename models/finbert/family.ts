import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError, ModelUnavailableError } from '../../lib/errors';
import type { Calibrator } from '../calibration/calibrator';
import type { LoadContext, ModelFamily } from '../families';
import type { SentimentModel } from '../types';
import { finbertSettings } from './settings';

export const CALIBRATION_FILE = 'calibration.json';

async function readOptionalCalibrator(dir: string): Promise<Calibrator | undefined> {
  const file = path.join(dir, CALIBRATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const { parseCalibrator } = await import('../calibration/calibrator');
  try {
    return parseCalibrator(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new DataError(`${file} is not JSON: ${error.message}`, { input: file });
    throw error;
  }
}

/**
 * The `finbert` family. `builtin` is the pinned hub revision of Xenova/finbert (or the local
 * directory in FINBERT_MODEL_DIR); a semver version is a head trained on the frozen encoder, read
 * from the registry (`head.json`, optional `calibration.json`), applied after the encoder recorded
 * in head.json (hub id + revision; its fingerprint is checked). The transformers.js stack is
 * imported on first load only, so registering the family costs nothing.
 *
 * @example
 *   const model = await createFamilyRegistry().load('finbert', { env: readEnv() });
 *   (await model.predict(['Profit warning sends shares lower']))[0].label // 'negative'
 */
export const finbertFamily: ModelFamily = {
  name: 'finbert',
  description:
    'FinBERT (ProsusAI/finbert as Xenova/finbert ONNX) via transformers.js; versions are trained heads',
  async load(version: string | undefined, context: LoadContext): Promise<SentimentModel> {
    const resolved = version ?? context.championOf?.('finbert') ?? 'builtin';
    const settings = finbertSettings(context.env);
    const { loadFinbertModel } = await import('./model');
    if (resolved === 'builtin') return loadFinbertModel(settings, { version: 'builtin' });
    if (!context.artifacts) {
      throw new ModelUnavailableError(
        `finbert@${resolved} is a trained head kept in the model registry, and no registry is available here; use finbert@builtin or configure the registry`,
        { input: `finbert@${resolved}` },
      );
    }
    const dir = await context.artifacts.fetch('finbert', resolved);
    const { readHead } = await import('../head/artifact');
    const head = await readHead(dir);
    const calibrator = await readOptionalCalibrator(dir);
    // A version is its head *and* the encoder it was trained on: unless a local directory is
    // configured, load that hub model at that revision, with the head's truncation length.
    const fromHub = !settings.modelDir && !head.encoder.model.startsWith('dir:');
    const versionSettings = {
      ...settings,
      ...(fromHub ? { modelId: head.encoder.model, revision: head.encoder.revision } : {}),
      maxTokens: head.encoder.maxTokens,
    };
    return loadFinbertModel(versionSettings, {
      version: resolved,
      head,
      ...(calibrator ? { calibrator } : {}),
    });
  },
};
