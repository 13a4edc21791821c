import { ModelUnavailableError } from '../../lib/errors';
import { isLabel, type SentimentModel } from '../../models/types';

/** Three headlines every model must answer sensibly before it may serve. */
export const SMOKE_TEXTS = [
  'Shares surged after the company beat earnings expectations and raised its outlook.',
  'The lender warned of steep losses and cut its dividend.',
  'The annual general meeting will be held on Tuesday.',
] as const;

/**
 * The gate between "loaded" and "serving": the loader has already checked the artifact's
 * checksums (the registry verifies sha256 on fetch); this runs a smoke prediction and checks the
 * model is the family and version that was asked for and that its output keeps the contract.
 * Any failure throws, and the caller keeps the old version serving.
 */
export async function verifyModel(
  model: SentimentModel,
  expected: { family: string; spec: string },
  texts: readonly string[] = SMOKE_TEXTS,
): Promise<void> {
  const id = `${expected.family}@${expected.spec}`;
  const fail = (why: string): never => {
    throw new ModelUnavailableError(`${id} failed verification: ${why}`, {
      action: 'verifying model',
      input: id,
    });
  };
  if (model.family !== expected.family) fail(`the loader returned family "${model.family}"`);
  if (expected.spec !== 'builtin' && model.version !== expected.spec) {
    fail(`the loader returned version "${model.version}"`);
  }
  const predictions = await model.predict(texts);
  if (!Array.isArray(predictions) || predictions.length !== texts.length) {
    fail(
      `smoke prediction returned ${Array.isArray(predictions) ? predictions.length : 'no'} results for ${texts.length} texts`,
    );
  }
  predictions.forEach((p, i) => {
    const at = `smoke text ${i + 1}`;
    if (!isLabel(p.label)) fail(`${at}: label "${String(p.label)}" is not positive/negative/neutral`);
    const s = p.scores;
    const values = [s?.positive, s?.negative, s?.neutral];
    if (!values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1)) {
      fail(`${at}: scores are not three probabilities`);
    }
    const sum = values.reduce((a, b) => a! + b!, 0)!;
    if (Math.abs(sum - 1) > 1e-3) fail(`${at}: scores sum to ${sum.toFixed(4)}, not 1`);
    if (!(Math.abs(p.sentiment) <= 1)) fail(`${at}: sentiment ${p.sentiment} is outside [-1, 1]`);
    if (!(p.confidence >= 0 && p.confidence <= 1))
      fail(`${at}: confidence ${p.confidence} is outside [0, 1]`);
  });
}
