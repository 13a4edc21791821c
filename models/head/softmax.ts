import { macroF1 } from './metrics';
import { SeededRandom } from './random';

/**
 * A softmax (multinomial logistic) classification head trained in TypeScript on fixed features:
 * weighted cross-entropy + L2, Adam on seeded mini-batches, early stopping on validation
 * macro-F1 (the best epoch's weights are kept). Features are standardised with the training
 * split's mean and standard deviation, stored with the head so inference applies the same.
 */
export interface SoftmaxHeadParams {
  /** L2 penalty on the weights (not the bias). */
  l2: number;
  learningRate: number;
  maxEpochs: number;
  /** Epochs without a better validation macro-F1 before stopping. */
  patience: number;
  batchSize: number;
  /** `balanced`: weight class c by N / (K · n_c), so a rare class counts as much as a common one. */
  classWeights: 'balanced' | 'none';
}

export const DEFAULT_HEAD_PARAMS: SoftmaxHeadParams = {
  l2: 1e-3,
  learningRate: 0.01,
  maxEpochs: 200,
  patience: 15,
  batchSize: 64,
  classWeights: 'balanced',
};

export interface SoftmaxHead {
  /** [classes][dim] */
  weights: number[][];
  bias: number[];
  mean: number[];
  std: number[];
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationMacroF1: number;
}

export interface HeadTrainingResult {
  head: SoftmaxHead;
  bestEpoch: number;
  epochsRun: number;
  bestValidationMacroF1: number;
  history: EpochRecord[];
  classWeights: number[];
}

/** Logits of one feature vector. */
export function headLogits(head: SoftmaxHead, x: ArrayLike<number>): number[] {
  return head.weights.map((w, c) => {
    let z = head.bias[c]!;
    for (let d = 0; d < w.length; d++) z += w[d]! * ((x[d]! - head.mean[d]!) / head.std[d]!);
    return z;
  });
}

function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function standardisation(
  features: readonly ArrayLike<number>[],
  dim: number,
): { mean: number[]; std: number[] } {
  const mean = new Array<number>(dim).fill(0);
  const sq = new Array<number>(dim).fill(0);
  for (const x of features) for (let d = 0; d < dim; d++) mean[d]! += x[d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= features.length;
  for (const x of features) for (let d = 0; d < dim; d++) sq[d]! += (x[d]! - mean[d]!) ** 2;
  // A constant feature keeps scale 1 rather than dividing by ~0.
  const std = sq.map((s) => Math.sqrt(s / features.length)).map((s) => (s > 1e-6 ? s : 1));
  return { mean, std };
}

/**
 * @example
 *   const r = trainSoftmaxHead({ train: { x, y }, validation: { x: vx, y: vy }, classes: 3, seed: 7 });
 *   r.bestEpoch // 23, r.bestValidationMacroF1 // 0.61
 */
export function trainSoftmaxHead(input: {
  train: { x: readonly ArrayLike<number>[]; y: readonly number[] };
  validation: { x: readonly ArrayLike<number>[]; y: readonly number[] };
  classes: number;
  seed: number;
  params?: Partial<SoftmaxHeadParams>;
  onEpoch?: (record: EpochRecord) => void;
}): HeadTrainingResult {
  const p = { ...DEFAULT_HEAD_PARAMS, ...input.params };
  const { x, y } = input.train;
  const K = input.classes;
  if (x.length === 0 || x.length !== y.length)
    throw new RangeError('training features and labels must be non-empty and aligned');
  if (input.validation.x.length === 0)
    throw new RangeError('early stopping needs a non-empty validation split');
  const dim = x[0]!.length;
  const { mean, std } = standardisation(x, dim);
  const z = x.map((row) => Float64Array.from({ length: dim }, (_, d) => (row[d]! - mean[d]!) / std[d]!));

  const counts = new Array<number>(K).fill(0);
  for (const label of y) counts[label]!++;
  const classWeights = counts.map((n) => (p.classWeights === 'balanced' && n > 0 ? x.length / (K * n) : 1));

  const rng = new SeededRandom(input.seed);
  // Small random initialisation (seeded) so classes start apart but no feature dominates.
  const W = Array.from({ length: K }, () => Float64Array.from({ length: dim }, () => rng.normal() * 0.01));
  const b = new Float64Array(K);
  const mW = W.map(() => new Float64Array(dim));
  const vW = W.map(() => new Float64Array(dim));
  const mb = new Float64Array(K);
  const vb = new Float64Array(K);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;

  const snapshot = (): SoftmaxHead => ({
    weights: W.map((w) => Array.from(w)),
    bias: Array.from(b),
    mean,
    std,
  });
  const validate = (head: SoftmaxHead) =>
    macroF1(
      input.validation.y,
      input.validation.x.map((v) => argmax(headLogits(head, v))),
      K,
    );

  let best = { f1: -1, epoch: 0, head: snapshot() };
  const history: EpochRecord[] = [];
  const order = Array.from({ length: z.length }, (_, i) => i);
  const logits = new Float64Array(K);
  const gW = W.map(() => new Float64Array(dim));
  const gb = new Float64Array(K);
  let epoch = 0;
  for (epoch = 1; epoch <= p.maxEpochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += p.batchSize) {
      const batch = order.slice(start, start + p.batchSize);
      for (let c = 0; c < K; c++) {
        gW[c]!.fill(0);
        gb[c] = 0;
      }
      let weightSum = 0;
      for (const i of batch) {
        const row = z[i]!;
        let max = -Infinity;
        for (let c = 0; c < K; c++) {
          let s = b[c]!;
          const w = W[c]!;
          for (let d = 0; d < dim; d++) s += w[d]! * row[d]!;
          logits[c] = s;
          max = Math.max(max, s);
        }
        let sum = 0;
        for (let c = 0; c < K; c++) sum += Math.exp(logits[c]! - max);
        const cw = classWeights[y[i]!]!;
        weightSum += cw;
        lossSum += cw * -(logits[y[i]!]! - max - Math.log(sum));
        for (let c = 0; c < K; c++) {
          const g = cw * (Math.exp(logits[c]! - max) / sum - (c === y[i] ? 1 : 0));
          gb[c]! += g;
          const gw = gW[c]!;
          for (let d = 0; d < dim; d++) gw[d]! += g * row[d]!;
        }
      }
      step++;
      const lrT = (p.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      for (let c = 0; c < K; c++) {
        const w = W[c]!;
        const gw = gW[c]!;
        for (let d = 0; d < dim; d++) {
          const g = gw[d]! / weightSum + p.l2 * w[d]!;
          mW[c]![d] = beta1 * mW[c]![d]! + (1 - beta1) * g;
          vW[c]![d] = beta2 * vW[c]![d]! + (1 - beta2) * g * g;
          w[d]! -= (lrT * mW[c]![d]!) / (Math.sqrt(vW[c]![d]!) + 1e-8);
        }
        const g = gb[c]! / weightSum;
        mb[c] = beta1 * mb[c]! + (1 - beta1) * g;
        vb[c] = beta2 * vb[c]! + (1 - beta2) * g * g;
        b[c]! -= (lrT * mb[c]!) / (Math.sqrt(vb[c]!) + 1e-8);
      }
    }
    const head = snapshot();
    const f1 = validate(head);
    const record = { epoch, trainLoss: lossSum / z.length, validationMacroF1: f1 };
    history.push(record);
    input.onEpoch?.(record);
    if (f1 > best.f1) best = { f1, epoch, head };
    else if (epoch - best.epoch >= p.patience) break;
  }
  return {
    head: best.head,
    bestEpoch: best.epoch,
    epochsRun: Math.min(epoch, p.maxEpochs),
    bestValidationMacroF1: best.f1,
    history,
    classWeights,
  };
}
