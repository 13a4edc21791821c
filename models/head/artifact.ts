import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DataError, ModelUnavailableError } from '../../lib/errors';
import { LABELS } from '../types';
import type { SoftmaxHead } from './softmax';

export const HEAD_FILE = 'head.json';
export const HEAD_FORMAT = 'finsent-head/1';

/** The encoder a head was trained on: a head is meaningless on any other encoder's features. */
export const EncoderRefSchema = z.strictObject({
  /** Hub id, or `dir:<basename>` for a local directory. */
  model: z.string().min(1),
  /** Hub revision, or `local` for a directory. */
  revision: z.string().min(1),
  /** sha256 (16 hex) of the encoder's config.json + tokenizer.json. */
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  hiddenSize: z.number().int().positive(),
  dtype: z.string(),
  maxTokens: z.number().int().positive(),
});
export type EncoderRef = z.infer<typeof EncoderRefSchema>;

export const HeadArtifactSchema = z
  .strictObject({
    format: z.literal(HEAD_FORMAT),
    /** Output order of `weights` and `bias`. */
    labels: z.array(z.enum(LABELS)).length(3),
    weights: z.array(z.array(z.number())).length(3),
    bias: z.array(z.number()).length(3),
    mean: z.array(z.number()),
    std: z.array(z.number().positive()),
    encoder: EncoderRefSchema,
    training: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((h, ctx) => {
    const dim = h.encoder.hiddenSize;
    const bad = [...h.weights, h.mean, h.std].some((row) => row.length !== dim);
    if (bad)
      ctx.addIssue({
        code: 'custom',
        message: `weights, mean and std rows must have ${dim} entries (hiddenSize)`,
      });
    if (new Set(h.labels).size !== 3)
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'labels must be distinct' });
  });
export type HeadArtifact = z.infer<typeof HeadArtifactSchema>;

export function headArtifact(
  head: SoftmaxHead,
  encoder: EncoderRef,
  training: Record<string, unknown>,
): HeadArtifact {
  return { format: HEAD_FORMAT, labels: [...LABELS], ...head, encoder, training };
}

export function parseHead(json: unknown, source = HEAD_FILE): HeadArtifact {
  const result = HeadArtifactSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DataError(`${source} is not a valid FinBERT head: ${issues}`, { input: source });
  }
  return result.data;
}

/** Reads `head.json` from a model version's directory (as fetched from the registry). */
export async function readHead(dir: string): Promise<HeadArtifact> {
  const file = path.join(dir, HEAD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ModelUnavailableError(
      `${file} cannot be read: a FinBERT version needs its head.json artifact`,
      { input: file },
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataError(`${file} is not JSON: ${(error as Error).message}`, { input: file });
  }
  return parseHead(json, file);
}
