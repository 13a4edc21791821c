import { emptyBecause, isoOrNull, numericEntries, record, type SectionContext, str } from '../context';
import type { Empty, EvalSummary, Evaluation, SectionBody } from '../schema';
import { evaluationStats, summarise } from './evaluations';

type Training = NonNullable<SectionBody<'models'>['families'][number]['versions'][number]['training']>;

export interface TrainingRun extends Training {
  family: string;
  version: string;
}

/** Training runs, newest first (at most 200). */
export async function loadTrainingRuns(ctx: SectionContext): Promise<TrainingRun[]> {
  const state = await ctx.table('training_runs');
  if (!state.available) return [];
  const fp = state.columns.has('data_fingerprint') ? 'data_fingerprint' : 'NULL::text AS data_fingerprint';
  const rows = await ctx.db.query<Record<string, unknown>>(
    `SELECT family, version, started_at, finished_at, status, ${fp}, params, metrics
     FROM training_runs ORDER BY started_at DESC NULLS LAST, id DESC LIMIT 200`,
  );
  return rows.map((r) => ({
    family: String(r.family),
    version: String(r.version ?? '?'),
    started_at: isoOrNull(r.started_at),
    finished_at: isoOrNull(r.finished_at),
    status: str(r.status),
    data_fingerprint: str(r.data_fingerprint),
    params: record(r.params),
    metrics: numericEntries(r.metrics),
  }));
}

/**
 * Every model family finsent knows of (config/models.yaml, evaluations, training runs) with its
 * versions: role, how often and when evaluated, best macro-F1, latest figures, training facts.
 */
export async function exportModels(
  ctx: SectionContext,
  evaluations: readonly Evaluation[],
): Promise<{ body: SectionBody<'models'>; empty: Empty | null }> {
  const perf = await ctx.table('model_performance');
  const stats = await evaluationStats(ctx);
  const runs = await loadTrainingRuns(ctx);
  const families = new Map<string, SectionBody<'models'>['families'][number]>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      const cfg = ctx.config?.families[name];
      f = {
        family: name,
        champion: cfg?.champion ?? null,
        challenger: cfg?.challenger ?? null,
        versions: [],
      };
      families.set(name, f);
    }
    return f;
  };
  for (const name of Object.keys(ctx.config?.families ?? {})) family(name);
  const version = (fam: string, v: string) => {
    const f = family(fam);
    let entry = f.versions.find((x) => x.version === v);
    if (!entry) {
      entry = {
        version: v,
        role: f.champion === v ? 'champion' : f.challenger === v ? 'challenger' : null,
        evaluations: 0,
        first_seen: null,
        last_evaluated: null,
        best_macro_f1: null,
        latest: null,
        training: null,
      };
      f.versions.push(entry);
    }
    return entry;
  };
  for (const s of stats) {
    const v = version(s.model, s.version);
    Object.assign(v, {
      evaluations: s.n,
      first_seen: s.first,
      last_evaluated: s.last,
      best_macro_f1: s.best,
    });
  }
  const latest = new Map<string, EvalSummary>();
  for (const e of evaluations) {
    const key = `${e.model}@${e.version}`;
    if (!latest.has(key)) latest.set(key, summarise(e)); // evaluations come newest first
  }
  for (const summary of latest.values()) version(summary.model, summary.version).latest = summary;
  for (const run of [...runs].reverse()) {
    const v = version(run.family, run.version);
    const { family: _f, version: _v, ...training } = run;
    v.training = training; // oldest first, so the newest run wins
    if (run.started_at && (v.first_seen === null || run.started_at < v.first_seen))
      v.first_seen = run.started_at;
  }
  for (const f of families.values()) {
    f.versions.sort((a, b) =>
      (b.last_evaluated ?? b.first_seen ?? '').localeCompare(a.last_evaluated ?? a.first_seen ?? ''),
    );
  }
  const body = { families: [...families.values()].sort((a, b) => a.family.localeCompare(b.family)) };
  const anyVersion = body.families.some((f) => f.versions.length > 0);
  return {
    body,
    empty: anyVersion
      ? null
      : emptyBecause(
          perf,
          'no model evaluated yet',
          'run `npm start` or `finsent eval --model vader-base --data …`',
        ),
  };
}
