import { describe, expect, it } from 'vitest';
import { PolicySchema, type PromotionPolicy } from '../config/promotion';
import { compareScored, type ScoredModel, type TestSet } from '../models/compare/compare';
import { createRng } from '../models/stats/prng';
import { LABELS, type Label, type Prediction } from '../models/types';

const policy = (over: Partial<PromotionPolicy> = {}): PromotionPolicy =>
  PolicySchema.parse({ bootstrap: { resamples: 1000, seed: 3 }, ...over });

function pred(label: Label, confidence = 0.8): Prediction {
  const rest = (1 - confidence) / 2;
  const scores = { positive: rest, negative: rest, neutral: rest, [label]: confidence };
  return {
    label,
    scores,
    sentiment: scores.positive - scores.negative,
    confidence,
    model: 'x',
    version: '1',
  };
}

/** A test set of n examples and a model right on a chosen share of them (seeded). */
function setup(n: number, seed = 1) {
  const rng = createRng(seed);
  const gold: Label[] = Array.from({ length: n }, () => LABELS[rng.int(3)]!);
  const testSet: TestSet = {
    name: 'synthetic',
    fingerprint: 'sha256:00',
    examples: gold.map((label, i) => ({ text: `t${i}`, label })),
  };
  const wrong = (l: Label) => LABELS[(LABELS.indexOf(l) + 1 + rng.int(2)) % 3]!;
  /** Right where `right(i)` says so. */
  const model = (id: string, right: (i: number) => boolean, latency = 1): ScoredModel => ({
    id,
    family: id.split('@')[0]!,
    version: id.split('@')[1] ?? '1.0.0',
    predictions: gold.map((g, i) => pred(right(i) ? g : wrong(g))),
    latencyMs: Array.from({ length: 50 }, (_, i) => latency * (1 + i / 100)),
  });
  return { gold, testSet, model, rng };
}

describe('comparison verdicts', () => {
  it('calls a clearly better candidate superior and allows promotion', () => {
    const { testSet, model } = setup(500);
    // A right on 60%, B on the same plus another 20% (B never loses an example A gets right).
    const a = model('vader-base@3.3.1', (i) => i % 10 < 6);
    const b = model('vader@1.1.0', (i) => i % 10 < 8);
    const r = compareScored(testSet, a, b, policy());
    expect(r.verdict.verdict).toBe('superior');
    expect(r.verdict.promote).toBe(true);
    expect(r.mcnemar.b).toBe(0);
    expect(r.mcnemar.c).toBe(100);
    expect(r.bootstrap.deltaMacroF1.lower).toBeGreaterThan(0.01);
    expect(r.verdict.reasons.join('\n')).toMatch(/lower 95% CI bound of Δmacro-F1 \+0\.\d+ > margin 0\.01/);
    expect(r.verdict.reasons.join('\n')).toMatch(/promotion allowed/);
  });

  it('calls a practically identical candidate non-inferior, which the default policy does not promote', () => {
    const { testSet, model } = setup(2000);
    const a = model('vader@1.0.0', (i) => i % 10 < 7);
    // B differs from A on 8 examples, 4 each way.
    const b = model('vader@1.1.0', (i) => (i < 4 ? false : i >= 3 && i < 10 ? true : i % 10 < 7));
    const r = compareScored(testSet, a, b, policy());
    expect(r.verdict.verdict).toBe('non-inferior');
    expect(r.verdict.promote).toBe(false);
    expect(r.verdict.reasons.join('\n')).toMatch(/not superior/);
    expect(r.verdict.reasons.join('\n')).toMatch(/promotes only on superior/);
  });

  it('promotes a non-inferior candidate only when the policy says so and its weighted score is not lower', () => {
    const { testSet, model } = setup(2000);
    const a = model('finbert@1.0.0', (i) => i % 10 < 7, 20);
    const same = (i: number) => i % 10 < 7;
    const faster = compareScored(
      testSet,
      a,
      model('vader@1.1.0', same, 1),
      policy({ promoteOn: ['superior', 'non-inferior'] }),
    );
    expect(faster.verdict.verdict).toBe('non-inferior');
    expect(faster.verdict.promote).toBe(true);
    const slower = compareScored(
      testSet,
      model('vader@1.0.0', same, 1),
      model('vader@1.1.0', same, 20),
      policy({ promoteOn: ['superior', 'non-inferior'] }),
    );
    expect(slower.verdict.verdict).toBe('non-inferior');
    expect(slower.verdict.promote).toBe(false);
    expect(slower.verdict.reasons.join('\n')).toMatch(/not promoted: non-inferior but weighted score B/);
  });

  it('calls a clearly worse candidate inferior', () => {
    const { testSet, model } = setup(500);
    const a = model('vader@1.0.0', (i) => i % 10 < 8);
    const b = model('vader@1.1.0', (i) => i % 10 < 5);
    const r = compareScored(testSet, a, b, policy());
    expect(r.verdict.verdict).toBe('inferior');
    expect(r.verdict.promote).toBe(false);
    expect(r.bootstrap.deltaMacroF1.upper).toBeLessThan(0);
    expect(r.mcnemar.favours).toBe('a');
  });

  it('calls a more accurate candidate inferior when its p95 latency breaks the budget', () => {
    const { testSet, model } = setup(500);
    const a = model('vader@1.0.0', (i) => i % 10 < 6, 0.05);
    const b = model('finbert@1.0.0', (i) => i % 10 < 9, 80);
    const r = compareScored(testSet, a, b, policy({ latency: { p95BudgetMs: 50, maxP95Ratio: null } }));
    expect(r.verdict.verdict).toBe('inferior');
    expect(r.verdict.reasons[0]).toMatch(
      /latency gate failed: candidate p95 latency 11\d\.\d+ ms > budget 50 ms/,
    );
    expect(r.latencyRatio!.p95).toBeGreaterThan(1000);
  });

  it('applies the optional p95 latency ratio bound against the baseline', () => {
    const { testSet, model } = setup(500);
    const a = model('vader@1.0.0', (i) => i % 10 < 6, 1);
    const b = model('vader@1.1.0', (i) => i % 10 < 9, 5);
    const r = compareScored(testSet, a, b, policy({ latency: { p95BudgetMs: 50, maxP95Ratio: 2 } }));
    expect(r.verdict.verdict).toBe('inferior');
    expect(r.verdict.checks.find((c) => c.name === 'latency-ratio')).toMatchObject({ passed: false });
  });

  it('calls a small test set inconclusive whatever the numbers say', () => {
    const { testSet, model } = setup(60);
    const r = compareScored(
      testSet,
      model('a@1.0.0', (i) => i % 10 < 5),
      model('b@1.0.0', (i) => i % 10 < 9),
      policy(),
    );
    expect(r.verdict.verdict).toBe('inconclusive');
    expect(r.verdict.reasons[0]).toMatch(/too few test examples: 60 test examples < minimum 100/);
  });

  it('calls a noisy, wide-interval comparison inconclusive', () => {
    const { testSet, model, rng } = setup(150, 7);
    // Independent models of similar accuracy: many discordant pairs both ways, wide interval.
    const ra = Array.from({ length: 150 }, () => rng.next() < 0.6);
    const rb = Array.from({ length: 150 }, () => rng.next() < 0.62);
    const r = compareScored(
      testSet,
      model('a@1.0.0', (i) => ra[i]!),
      model('b@1.0.0', (i) => rb[i]!),
      policy(),
    );
    expect(r.verdict.verdict).toBe('inconclusive');
    expect(r.bootstrap.deltaMacroF1.lower).toBeLessThan(-0.02);
    expect(r.bootstrap.deltaMacroF1.upper).toBeGreaterThan(0);
    expect(r.verdict.promote).toBe(false);
  });

  it('uses the exact McNemar p when the policy asks for it', () => {
    const { testSet, model } = setup(500);
    const a = model('a@1.0.0', (i) => i % 10 < 6);
    const b = model('b@1.0.0', (i) => i % 10 < 8);
    expect(compareScored(testSet, a, b, policy({ test: 'exact' })).pValue).toBe(
      compareScored(testSet, a, b, policy()).mcnemar.exactP,
    );
  });

  it('fails clearly when a model returned the wrong number of predictions', () => {
    const { testSet, model } = setup(120);
    const b = model('b@1.0.0', () => true);
    b.predictions.pop();
    expect(() =>
      compareScored(
        testSet,
        model('a@1.0.0', () => true),
        b,
        policy(),
      ),
    ).toThrow(/returned 119 predictions for 120 texts/);
  });
});
