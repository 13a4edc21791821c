import type { Label } from '../types';

/** One labelled example. */
export interface LabelledText {
  text: string;
  label: Label;
}

export interface TrainOptions {
  /** Every random choice (splits, initialisation, bootstrap) derives from this seed. */
  seed: number;
  /** Extra family-specific hyperparameters (overrides of the trainer's defaults). */
  params?: Record<string, unknown>;
  /** Unlabelled texts a method may use (vocabulary statistics, for instance). */
  unlabelled?: readonly string[];
  /** Progress callback for long runs (epochs, search steps). */
  onProgress?: (event: { step: number; total: number; message: string }) => void;
}

/** What a training run produces: the artifact files and what the run learned about itself. */
export interface TrainResult {
  family: string;
  /** Files of the candidate artifact, by file name (written to the registry as release assets). */
  files: Record<string, Buffer | string>;
  /** Hyperparameters actually used (after search). */
  params: Record<string, unknown>;
  /** Validation metrics of the candidate (macro-F1, accuracy, ECE…). */
  validation: Record<string, number>;
  /** Free-form notes for the model card. */
  notes?: string[];
}

/**
 * A family that can be trained: `finsent train --model <family>` calls this with training and
 * validation data, then records the run and registers the files as a candidate version.
 */
export interface Trainer {
  readonly family: string;
  train(
    train: readonly LabelledText[],
    validation: readonly LabelledText[],
    options: TrainOptions,
  ): Promise<TrainResult>;
}
