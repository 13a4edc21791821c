import type { Band, DriftConfig, NumericFeature } from '../../config/drift';
import { LABELS } from '../../models/types';
import type { ReferenceSnapshot } from './reference';
import {
  chiSquaredTest,
  ksTest,
  oneProportionTest,
  type ProportionTest,
  psi,
  twoProportionTest,
} from './stats';
import { textStats } from './text';
import type { CurrentWindow } from './window';

export type Severity = 'ok' | 'warn' | 'alert' | 'insufficient';
export const SEVERITY_RANK: Record<Severity, number> = { insufficient: 0, ok: 1, warn: 2, alert: 3 };

/** One drift measurement: the effect size thresholds apply to, its p-value, and the verdict. */
export interface Signal {
  feature: string;
  metric: 'psi' | 'ks' | 'chi2' | 'proportion';
  /** The effect size (PSI, KS D, Cramér's V, rise of a proportion); null when not computable. */
  value: number | null;
  pValue: number | null;
  severity: Severity;
  threshold: Band;
  nReference: number;
  nCurrent: number;
  /** One line a person can read in a report or an issue. */
  summary: string;
  details: Record<string, unknown>;
}

/**
 * Effect first, p second: a signal is flagged only when its effect passes the band AND (where
 * it has a p-value) p < alpha. With a million predictions p is always tiny; with fifty the
 * effect is noisy. Requiring both keeps either from raising alerts alone.
 */
export function classify(value: number | null, pValue: number | null, band: Band, alpha: number): Severity {
  if (value === null || !Number.isFinite(value)) return 'insufficient';
  const significant = pValue === null || pValue < alpha;
  if (!significant) return 'ok';
  if (value >= band.alert) return 'alert';
  if (value >= band.warn) return 'warn';
  return 'ok';
}

export function worst(severities: Iterable<Severity>): Severity {
  let w: Severity = 'insufficient';
  for (const s of severities) if (SEVERITY_RANK[s] > SEVERITY_RANK[w]) w = s;
  return w;
}

/** All drift signals for one window against one reference (pure). */
export function evaluateDrift(
  reference: ReferenceSnapshot,
  current: CurrentWindow,
  config: DriftConfig,
): Signal[] {
  const enough = current.n >= config.min_samples;
  const signals: Signal[] = [];
  for (const feature of config.drift.features) {
    signals.push(...numericSignals(feature, reference, current, config, enough));
  }
  signals.push(labelSignal(reference, current, config, enough));
  signals.push(...textSignals(reference, current, config, enough));
  signals.push(disagreementSignal(reference, current, config));
  return signals;
}

function numericSignals(
  feature: NumericFeature,
  reference: ReferenceSnapshot,
  current: CurrentWindow,
  config: DriftConfig,
  enough: boolean,
): Signal[] {
  const ref = reference.numeric[feature];
  const cur = current.numeric[feature];
  const p = psi(ref, cur.ecdf, config.drift.psi.bins);
  const ks = ksTest(ref, cur.ecdf);
  // Standardised mean difference: the size of a shift in the units people think in.
  const pooledSd = Math.sqrt((ref.sd ** 2 + cur.sd ** 2) / 2);
  const smd = pooledSd > 0 ? (cur.mean - ref.mean) / pooledSd : 0;
  const common = {
    nReference: ref.n,
    nCurrent: current.n,
  };
  const sample = current.numericSample
    ? ` (hash sample of ${(current.numericSample.share * 100).toFixed(1)}%, ${current.numericSample.size} rows)`
    : '';
  const sampleDetail = current.numericSample ? { sample: current.numericSample } : {};
  const means = {
    referenceMean: ref.mean,
    currentMean: cur.mean,
    referenceSd: ref.sd,
    currentSd: cur.sd,
    smd,
  };
  const psiValue = enough ? p.psi : null;
  const ksValue = enough ? ks.statistic : null;
  return [
    {
      feature,
      metric: 'psi',
      value: psiValue,
      pValue: null,
      severity: classify(psiValue, null, config.drift.psi, config.alpha),
      threshold: { warn: config.drift.psi.warn, alert: config.drift.psi.alert },
      ...common,
      summary: `${feature}: PSI ${fmt(p.psi)} over ${p.bins} quantile bins; mean ${fmt(ref.mean)} → ${fmt(cur.mean)}${sample}`,
      details: {
        ...means,
        ...sampleDetail,
        edges: p.edges,
        reference: p.reference,
        current: p.current,
      },
    },
    {
      feature,
      metric: 'ks',
      value: ksValue,
      pValue: enough ? ks.pValue : null,
      severity: classify(ksValue, ks.pValue, config.drift.ks, config.alpha),
      threshold: config.drift.ks,
      ...common,
      summary: `${feature}: KS D ${fmt(ks.statistic)} (p ${fmtP(ks.pValue)}, ${ks.method}); SMD ${fmt(smd)}${sample}`,
      details: {
        ...means,
        ...sampleDetail,
        method: ks.method,
      },
    },
  ];
}

function labelSignal(
  reference: ReferenceSnapshot,
  current: CurrentWindow,
  config: DriftConfig,
  enough: boolean,
): Signal {
  const refRow = LABELS.map((l) => reference.labels[l]);
  const curRow = LABELS.map((l) => current.labels[l]);
  const test = chiSquaredTest([refRow, curRow]);
  const share = (row: number[]) => {
    const t = row.reduce((s, x) => s + x, 0) || 1;
    return Object.fromEntries(LABELS.map((l, i) => [l, row[i]! / t]));
  };
  const value = enough ? test.cramersV : null;
  const refShare = share(refRow);
  const curShare = share(curRow);
  return {
    feature: 'label',
    metric: 'chi2',
    value,
    pValue: enough ? test.pValue : null,
    severity: classify(value, test.pValue, config.drift.labels, config.alpha),
    threshold: config.drift.labels,
    nReference: reference.n,
    nCurrent: current.n,
    summary:
      `labels: Cramér's V ${fmt(test.cramersV)} (χ² ${fmt(test.statistic)}, df ${test.df}, p ${fmtP(test.pValue)}); ` +
      LABELS.map((l) => `${l} ${pct(refShare[l]!)} → ${pct(curShare[l]!)}`).join(', '),
    details: { chi2: test.statistic, df: test.df, reference: refShare, current: curShare },
  };
}

function textSignals(
  reference: ReferenceSnapshot,
  current: CurrentWindow,
  config: DriftConfig,
  enough: boolean,
): Signal[] {
  const stats = textStats(current.textSample, new Set(reference.vocabulary), new Set(reference.tickers));
  const oov = twoProportionTest(
    reference.text.oovTokens,
    reference.text.tokens,
    stats.oovTokens,
    stats.tokens,
  );
  const tick = twoProportionTest(
    reference.text.unseenTickerMentions,
    reference.text.tickerMentions,
    stats.unseenTickerMentions,
    stats.tickerMentions,
  );
  const oovOk = enough && stats.tokens > 0 && reference.text.tokens > 0;
  // A reference without a single ticker cannot say which are new; neither can a window without any.
  const tickOk = stats.tickerMentions >= Math.min(config.min_samples, 50) && reference.tickers.length > 0;
  return [
    proportionSignal(
      'oov_rate',
      oov,
      oovOk,
      config.text.oov_rate,
      config.alpha,
      reference.text.tokens,
      stats.tokens,
      {
        summary: `vocabulary: ${pct(oov.current)} of tokens unseen in training (reference ${pct(oov.reference)})`,
        details: { sampledTexts: stats.texts, topOov: stats.topOov },
      },
    ),
    proportionSignal(
      'unseen_tickers',
      tick,
      tickOk,
      config.text.unseen_tickers,
      config.alpha,
      reference.text.tickerMentions,
      stats.tickerMentions,
      {
        summary: `tickers: ${pct(tick.current)} of mentions are tickers never seen in training (reference ${pct(tick.reference)})`,
        details: { topUnseen: stats.topUnseenTickers, knownTickers: reference.tickers.length },
      },
    ),
  ];
}

function disagreementSignal(
  reference: ReferenceSnapshot,
  current: CurrentWindow,
  config: DriftConfig,
): Signal {
  const cur = current.disagreement ?? {
    pairs: 0,
    disagree: 0,
    matrix: {},
    models: config.disagreement.models,
  };
  const ref = reference.disagreement;
  let test: ProportionTest | undefined;
  if (ref && ref.pairs > 0) test = twoProportionTest(ref.disagree, ref.pairs, cur.disagree, cur.pairs);
  else if (config.disagreement.baseline !== null)
    test = oneProportionTest(cur.disagree, cur.pairs, config.disagreement.baseline);
  const ok = cur.pairs >= config.disagreement.min_pairs && test !== undefined;
  const rate = cur.pairs > 0 ? cur.disagree / cur.pairs : Number.NaN;
  const band = { warn: config.disagreement.warn, alert: config.disagreement.alert };
  const [a, b] = config.disagreement.models;
  const base = test ? pct(test.reference) : 'no baseline';
  return proportionSignal(
    'disagreement',
    test ?? {
      reference: Number.NaN,
      current: rate,
      difference: Number.NaN,
      cohensH: Number.NaN,
      pValue: Number.NaN,
    },
    ok,
    band,
    config.alpha,
    ref?.pairs ?? 0,
    cur.pairs,
    {
      summary:
        `${a} vs ${b}: disagree on ${pct(rate)} of ${cur.pairs} shared texts` +
        `${cur.sampledShare ? ` (hash sample of ${pct(cur.sampledShare)})` : ''} (reference ${base})`,
      details: {
        matrix: cur.matrix,
        models: config.disagreement.models,
        sampledShare: cur.sampledShare ?? 1,
      },
    },
  );
}

function proportionSignal(
  feature: string,
  test: ProportionTest,
  usable: boolean,
  band: Band,
  alpha: number,
  nReference: number,
  nCurrent: number,
  text: { summary: string; details: Record<string, unknown> },
): Signal {
  // Only a rise is drift: fewer unknown words or fewer disagreements is not a problem.
  const value = usable ? test.difference : null;
  return {
    feature,
    metric: 'proportion',
    value,
    pValue: usable ? test.pValue : null,
    severity: classify(value, usable ? test.pValue : null, band, alpha),
    threshold: band,
    nReference,
    nCurrent,
    summary: text.summary,
    details: { reference: test.reference, current: test.current, cohensH: test.cohensH, ...text.details },
  };
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3);
}

export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p === 0) return '< 1e-300';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a';
}
