import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelUnavailableError } from '../../../lib/errors';
import type { LabelledText } from '../../training/types';

/** The one file of a financial VADER version: overlay, thresholds, gate and how they were obtained. */
export const ARTIFACT_FILE = 'vader-financial.json';
/** v1: overlay + thresholds on compound. */
export const ARTIFACT_FORMAT_V1 = 'finsent.vader-financial/v1';
/** v2: v1 plus a learned polarity gate (ADR 064). */
export const ARTIFACT_FORMAT_V2 = 'finsent.vader-financial/v2';
/** The format the trainer writes when it learns a gate. */
export const ARTIFACT_FORMAT = ARTIFACT_FORMAT_V2;

const Valence = z.number().finite().min(-4).max(4);
const GateWeight = z.number().finite().min(-20).max(20);

const OVERLAY_PARAMS = {
  lambda: z.number().positive(),
  minSupport: z.number().int().positive(),
  learningRate: z.number().positive(),
  steps: z.number().int().positive(),
  maxPhrases: z.number().int().nonnegative(),
  phraseMinSupport: z.number().int().positive(),
  prior: z.number().min(0).max(1),
};

const GATE_PARAMS = {
  gate: z.literal(1),
  gateL2: z.number().nonnegative(),
  gateMinSupport: z.number().int().positive(),
  gatePairs: z.number().int().min(0).max(1),
  gateFunctionWords: z.number().int().min(0).max(1),
  gateLearningRate: z.number().positive(),
  gateSteps: z.number().int().positive(),
};

const COMMON = {
  /** The VADER engine version the overlay is laid over. */
  engine: z.literal('vaderSentiment 3.3.1'),
  overlay: z.record(z.string().min(1), Valence),
  /** v1: the decision rule. v2: the no-gate fallback, kept for comparison (the gate decides). */
  thresholds: z
    .strictObject({ positive: z.number().min(-1).max(1), negative: z.number().min(-1).max(1) })
    .refine((t) => t.negative < t.positive, 'thresholds.negative must be below thresholds.positive'),
  training: z.strictObject({
    seed: z.number().int(),
    trainSize: z.number().int().nonnegative(),
    validationSize: z.number().int().nonnegative(),
    /** sha256 of the training (and validation) data as given, texts and labels in order. */
    trainFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    validationFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    validation: z.record(z.string(), z.number()),
    searched: z.number().int().positive(),
  }),
  /** Filled in by a calibrator that wraps this model, if any. */
  calibration: z.unknown().optional(),
};

export const FinancialArtifactV1Schema = z.strictObject({
  format: z.literal(ARTIFACT_FORMAT_V1),
  ...COMMON,
  params: z.strictObject(OVERLAY_PARAMS),
});

/** The polarity gate: P(polar) = σ(bias + intensity·|compound| + Σ weights[term]); see models/vader/gate.ts. */
export const GateSchema = z.strictObject({
  bias: z.number().finite(),
  intensity: z.number().finite(),
  threshold: z.number().gt(0).lt(1),
  midpoint: z.number().min(-1).max(1),
  weights: z.record(z.string().min(1), GateWeight),
});

export const FinancialArtifactV2Schema = z.strictObject({
  format: z.literal(ARTIFACT_FORMAT_V2),
  ...COMMON,
  gate: GateSchema,
  params: z.strictObject({ ...OVERLAY_PARAMS, ...GATE_PARAMS }),
});

export const FinancialArtifactSchema = z.discriminatedUnion('format', [
  FinancialArtifactV1Schema,
  FinancialArtifactV2Schema,
]);

export type FinancialArtifactV1 = z.infer<typeof FinancialArtifactV1Schema>;
export type FinancialArtifactV2 = z.infer<typeof FinancialArtifactV2Schema>;
export type FinancialArtifact = z.infer<typeof FinancialArtifactSchema>;

/** sha256 over `label<TAB>text<LF>` lines, in order: identifies the exact data a run saw. */
export function fingerprint(data: readonly LabelledText[]): string {
  const hash = createHash('sha256');
  for (const { text, label } of data) hash.update(`${label}\t${text}\n`);
  return hash.digest('hex');
}

const sortedKeys = (record: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Stable JSON: overlay (and gate weight) keys sorted, two-space indent, trailing newline. */
export function serializeArtifact(artifact: FinancialArtifact): string {
  const overlay = sortedKeys(artifact.overlay);
  const sorted =
    artifact.format === ARTIFACT_FORMAT_V2
      ? { ...artifact, overlay, gate: { ...artifact.gate, weights: sortedKeys(artifact.gate.weights) } }
      : { ...artifact, overlay };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Parses and validates an artifact; the error names the file, what is wrong and the fix. */
export function parseArtifact(text: string, source: string): FinancialArtifact {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelUnavailableError(
      `${source} is not valid JSON (${(error as Error).message}): re-download the release or retrain with "finsent train --model vader"`,
      { action: 'loading the financial VADER artifact', input: source },
      { cause: error },
    );
  }
  const parsed = FinancialArtifactSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelUnavailableError(
      `${source} is not a financial VADER artifact: ${issue.path.join('.') || '(root)'}: ${issue.message}; re-download the release or retrain with "finsent train --model vader"`,
      { action: 'loading the financial VADER artifact', input: source },
    );
  }
  return parsed.data;
}

/** Reads `vader-financial.json` from a release directory. */
export function readArtifactDir(dir: string): FinancialArtifact {
  const file = path.join(dir, ARTIFACT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelUnavailableError(
      `cannot read ${file}: the release must contain ${ARTIFACT_FILE}; re-download it or retrain with "finsent train --model vader"`,
      { action: 'loading the financial VADER artifact', input: file },
      { cause: error },
    );
  }
  return parseArtifact(text, file);
}
