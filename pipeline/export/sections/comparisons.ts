import { emptyBecause, type SectionContext } from '../context';
import type { Empty, Evaluation, SectionBody } from '../schema';
import { loadComparisonReports } from './promotions';

/**
 * Evaluations (metrics with confidence intervals, per-class scores, confusion matrices,
 * reliability bins, latency percentiles) and the champion-vs-challenger reports of promotions
 * (deltas with CIs, McNemar's test, the verdict).
 */
export async function exportComparisons(
  ctx: SectionContext,
  evaluations: Evaluation[],
): Promise<{ body: SectionBody<'comparisons'>; empty: Empty | null }> {
  const perf = await ctx.table('model_performance');
  const reports = await loadComparisonReports(ctx);
  const body = { evaluations, reports };
  return {
    body,
    empty:
      evaluations.length > 0 || reports.length > 0
        ? null
        : emptyBecause(
            perf,
            'no evaluation recorded yet',
            'run `npm start` to evaluate vader-base on the held-out headlines',
          ),
  };
}
