import { UnknownModelError } from '../../lib/errors';
import type { Trainer } from './types';

export type TrainerFactory = () => Trainer | Promise<Trainer>;

/**
 * The trainable families. Each family's trainer lives with the family and is imported lazily,
 * so loading the CLI does not load a family's dependencies (ONNX Runtime for FinBERT).
 */
export const TRAINERS: Record<string, TrainerFactory> = {
  vader: async () => (await import('../vader/financial/trainer')).vaderTrainer,
  finbert: async () => (await import('../finbert/trainer')).finbertTrainer(),
};

export async function resolveTrainer(
  family: string,
  trainers: Record<string, TrainerFactory> = TRAINERS,
): Promise<Trainer> {
  const factory = trainers[family];
  if (!factory) {
    const known = Object.keys(trainers);
    throw new UnknownModelError(
      `no trainer for "${family}": ${known.length ? `trainable families are ${known.join(', ')}` : 'no trainable family is registered in models/training/trainers.ts'}`,
      { input: family, valid: known },
    );
  }
  const trainer = await factory();
  if (trainer.family !== family) {
    throw new UnknownModelError(`the trainer registered for "${family}" trains "${trainer.family}"`, {
      input: family,
    });
  }
  return trainer;
}
