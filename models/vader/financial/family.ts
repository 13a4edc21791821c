import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelUnavailableError } from '../../../lib/errors';
import type { ModelFamily } from '../../families';
import { VaderModel } from '../model';
import { ARTIFACT_FORMAT_V2, type FinancialArtifact, readArtifactDir } from './artifact';

/** The committed default artifact, trained by `npx tsx bench/vader-financial.ts --seed 42 --write`. */
export const BUILTIN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');
export const BUILTIN_VERSION = 'builtin';

/**
 * A financial VADER model from an artifact: the stock engine with its overlay and thresholds, and
 * (format v2) its polarity gate, which then decides polar vs neutral.
 */
export function financialModel(artifact: FinancialArtifact, version: string): VaderModel {
  return new VaderModel('vader', version, {
    overlay: artifact.overlay,
    thresholds: artifact.thresholds,
    ...(artifact.format === ARTIFACT_FORMAT_V2 ? { gate: artifact.gate } : {}),
  });
}

/**
 * `vader`: VADER adapted to financial language (a trained lexicon overlay and thresholds).
 * `builtin` is the artifact committed under models/vader/data; a semver version is a release
 * fetched from the model registry. A bare `vader` means the champion in config/models.yaml.
 *
 *   await vaderFamily.load('1.2.0', { env, artifacts })   // reads <release dir>/vader-financial.json
 */
export const vaderFamily: ModelFamily = {
  name: 'vader',
  description:
    'VADER with a financial lexicon overlay, decision thresholds and a polarity gate learned from labelled data',
  async load(version, context) {
    const wanted = version ?? context.championOf?.('vader') ?? BUILTIN_VERSION;
    if (wanted === BUILTIN_VERSION) return financialModel(readArtifactDir(BUILTIN_DIR), BUILTIN_VERSION);
    if (!context.artifacts) {
      throw new ModelUnavailableError(
        `vader@${wanted} is a trained release but no model registry is available here: configure the registry (GITHUB_TOKEN + GITHUB_REPOSITORY, or the local registry under FINSENT_DATA_DIR) or use the builtin "vader"`,
        { action: 'loading a financial VADER release', input: `vader@${wanted}` },
      );
    }
    const dir = await context.artifacts.fetch('vader', wanted);
    return financialModel(readArtifactDir(dir), wanted);
  },
};
