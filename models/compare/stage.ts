import { policyFor } from '../../config/promotion';
import { UnknownModelError } from '../../lib/errors';
import { formatModelId, parseModelId } from '../families';
import {
  championOf,
  loadContext,
  promotionConfigOf,
  type StageContext,
  type TrainStageResult,
} from '../training/stage';
import type { SentimentModel } from '../types';
import { type ComparisonResult, compareModels, type ScoreOptions } from './compare';
import { renderMarkdownReport, summaryLine } from './report';
import { recordComparison } from './store';

export interface CompareStageOptions {
  /** Baselines besides the champion, e.g. `vader-base` (default for the vader family). */
  baselines?: readonly string[];
  score?: ScoreOptions;
}

export interface StageComparison {
  /** The baseline's id as asked for (`vader-base`, or `vader` for the champion). */
  against: string;
  role: 'champion' | 'baseline';
  result: ComparisonResult;
  report: string;
}

export interface CompareStageResult {
  comparisons: StageComparison[];
  /** The comparison against the current champion: the one the promotion decision uses. */
  decisive: StageComparison | undefined;
  /** Why there is no decisive comparison (e.g. the candidate already is the champion). */
  note?: string;
}

/**
 * Compares the trained candidate with each baseline and with the family's current champion on
 * the held-out test part, records every comparison, and logs verdicts with their reasons.
 */
export async function runCompareStage(
  ctx: StageContext,
  trained: TrainStageResult,
  options: CompareStageOptions = {},
): Promise<CompareStageResult> {
  const { family } = trained.candidate;
  const candidateId = `${family}@${trained.plan.version}`;
  const policy = policyFor(promotionConfigOf(ctx), family);
  const lc = loadContext(ctx, trained.artifacts);
  const testSet = {
    name: trained.candidate.data.test.source,
    fingerprint: trained.candidate.data.test.fingerprint,
    examples: trained.candidate.data.test.rows,
  };
  if (testSet.examples.length === 0) {
    return { comparisons: [], decisive: undefined, note: 'the dataset has no held-out test part' };
  }
  const champion = championOf(ctx)(family);
  const baselines = options.baselines ?? (family === 'vader' ? ['vader-base'] : []);
  const plan: { id: string; role: 'champion' | 'baseline' }[] = baselines.map((id) => ({
    id,
    role: 'baseline',
  }));
  let note: string | undefined;
  if (champion === trained.plan.version) {
    note = `${candidateId} already is the champion`;
  } else {
    plan.push({ id: family, role: 'champion' });
  }
  const candidate = await ctx.families.load(candidateId, lc);
  const comparisons: StageComparison[] = [];
  try {
    for (const { id, role } of plan) {
      let baseline: SentimentModel;
      try {
        baseline = await ctx.families.load(id, lc);
      } catch (error) {
        if (role === 'baseline' && error instanceof UnknownModelError) {
          ctx.log(`skipped the comparison with ${id}: ${error.message}`);
          continue;
        }
        throw error;
      }
      try {
        const result = await compareModels(baseline, candidate, testSet, policy, options.score);
        const label = role === 'champion' ? `${family} champion` : id;
        const report = renderMarkdownReport(result, { title: `${candidateId} vs ${label}` });
        if (ctx.db) await recordComparison(ctx.db, result);
        ctx.log(`${role === 'champion' ? 'vs champion' : 'vs baseline'}: ${summaryLine(result)}`);
        for (const reason of result.verdict.reasons) ctx.log(`  - ${reason}`);
        comparisons.push({ against: formatModelId(parseModelId(id)), role, result, report });
      } finally {
        await baseline.close?.();
      }
    }
  } finally {
    await candidate.close?.();
  }
  const decisive = comparisons.find((c) => c.role === 'champion');
  return { comparisons, decisive, ...(note ? { note } : {}) };
}
