import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadPromotionConfig, policyFor, VERDICTS } from '../../config/promotion';
import { loadTrainingConfig } from '../../config/training';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { renderComparisonSvg } from '../../models/compare/chart';
import { type ComparisonResult, compareModels, type TestSet } from '../../models/compare/compare';
import { renderMarkdownReport, summaryLine } from '../../models/compare/report';
import { recordComparison } from '../../models/compare/store';
import { parseModelId } from '../../models/families';
import { modelLoadContext } from '../../models/load-context';
import { loadLabelledSet, loadTrainingData } from '../../models/training/data';
import { openRuntime, type Runtime } from '../../models/training/runtime';
import { action } from '../cli/run';

export interface CompareOptions {
  a: string;
  b: string;
  data: string;
  json?: boolean;
  out?: string;
  policy?: string;
  latencySamples?: string;
  failOn?: string;
  record?: boolean;
}

/** A labelled file, or the held-out test part of a dataset named in config/training.yaml. */
export async function loadTestSet(data: string, dataDir: string): Promise<TestSet> {
  const cfg = loadTrainingConfig();
  if (cfg.datasets[data]) {
    const parts = await loadTrainingData({ data }, cfg, { dataDir });
    return { name: parts.test.source, fingerprint: parts.test.fingerprint, examples: parts.test.rows };
  }
  const set = await loadLabelledSet(path.resolve(data));
  return { name: path.basename(data), fingerprint: set.fingerprint, examples: set.rows };
}

/** Compares two models on one test set; writes report.md, comparison.json and comparison.svg to `out`. */
export async function runCompare(o: CompareOptions, rt: Runtime): Promise<ComparisonResult> {
  const failOn = (o.failOn ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of failOn) {
    if (!(VERDICTS as readonly string[]).includes(v)) {
      throw new InputError(`--fail-on: "${v}" is not a verdict (${VERDICTS.join(', ')})`, { input: v });
    }
  }
  const samples = o.latencySamples === undefined ? 200 : Number(o.latencySamples);
  if (!Number.isInteger(samples) || samples < 0) {
    throw new InputError(`--latency-samples must be a whole number ≥ 0, got "${o.latencySamples}"`);
  }
  const policy = policyFor(
    loadPromotionConfig(o.policy ? path.resolve(o.policy) : undefined),
    parseModelId(o.b).family,
  );
  const testSet = await loadTestSet(o.data, rt.env.dataDir);
  const ctx = modelLoadContext(rt.env, { artifacts: rt.registry });
  const a = await rt.families.load(o.a, ctx);
  try {
    const b = await rt.families.load(o.b, ctx);
    try {
      const result = await compareModels(a, b, testSet, policy, { latencySamples: samples });
      if (rt.db && o.record !== false) await recordComparison(rt.db, result);
      return result;
    } finally {
      await b.close?.();
    }
  } finally {
    await a.close?.();
  }
}

export function writeComparisonFiles(result: ComparisonResult, out: string): string[] {
  mkdirSync(out, { recursive: true });
  const files = {
    'report.md': renderMarkdownReport(result, { chartUrl: 'comparison.svg (next to this report)' }),
    'comparison.json': `${JSON.stringify(result, null, 2)}\n`,
    'comparison.svg': renderComparisonSvg(result),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(out, name), text);
  return Object.keys(files).map((f) => path.join(out, f));
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(
      "compare two models on one test set: metrics, McNemar's test, paired bootstrap CIs, latency, and the promotion verdict",
    )
    .requiredOption('--a <model>', 'baseline model id, e.g. vader-base or vader (the champion)')
    .requiredOption('--b <model>', 'candidate model id, e.g. vader@1.2.0')
    .requiredOption(
      '--data <file|dataset>',
      'labelled test file (.jsonl/.csv), or a dataset in config/training.yaml (its test part)',
    )
    .option('--json', 'print the whole result as JSON')
    .option('--out <dir>', 'write report.md, comparison.json and comparison.svg here')
    .option('--policy <file>', 'promotion policy (default config/promotion.yaml)')
    .option('--latency-samples <n>', 'single-text calls to time per model (0 skips timing)', '200')
    .option('--fail-on <verdicts>', 'exit 1 when the verdict is one of these, e.g. inferior,inconclusive')
    .option('--no-record', 'do not record the comparison in the store')
    .action(
      action(async (o: CompareOptions) => {
        const rt = await openRuntime(readEnv(), { store: o.record !== false });
        try {
          const result = await runCompare(o, rt);
          const files = o.out ? writeComparisonFiles(result, path.resolve(o.out)) : [];
          if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
          else {
            process.stdout.write(`${summaryLine(result)}\n`);
            for (const r of result.verdict.reasons) process.stdout.write(`  - ${r}\n`);
            for (const f of files) process.stdout.write(`wrote ${f}\n`);
          }
          const failOn = (o.failOn ?? '').split(',').map((s) => s.trim());
          if (failOn.includes(result.verdict.verdict)) process.exitCode = 1;
        } finally {
          await rt.close();
        }
      }),
    );
}
