import type { DriftConfig } from '../../config/drift';
import { parseDuration } from '../../config/drift';
import type { Db } from '../store/db';
import { evaluateDrift, type Severity, type Signal, worst } from './drift';
import { loadPerformance, type VersionPerformance } from './performance';
import { latestReference, type StoredReference, sha256 } from './reference';
import { saveDriftMetrics, saveLivePerformance } from './store';
import { loadCurrentWindow } from './window';

export interface MonitorOptions {
  db: Db;
  config: DriftConfig;
  /** Families to monitor (each with its champion version, when known). */
  models: Array<{ model: string; version?: string }>;
  /** Window length in ms; default config.window. */
  windowMs?: number;
  /** End of the window; default now. */
  until?: Date;
  /** Use this reference instead of the newest stored one for every model. */
  reference?: StoredReference;
  /** Store results (drift_metrics, model_performance); default true. */
  persist?: boolean;
}

export interface ModelReport {
  model: string;
  version: string | null;
  runId: string;
  window: { from: string; to: string };
  reference: { id: string; source: string; version: string; n: number } | null;
  predictions: number;
  drift: { status: Severity; signals: Signal[] };
  performance: { status: Severity; versions: VersionPerformance[] };
  notes: string[];
}

export interface MonitorReport {
  generatedAt: string;
  window: { from: string; to: string };
  status: Severity;
  models: ModelReport[];
}

/**
 * One monitoring pass: for each model, the current window against its reference (drift) and
 * its live performance, stored in drift_metrics and model_performance. Alerts are separate
 * (see incidents.ts) so this can run read-only from the CLI with persist: false.
 *
 * @example await runMonitor({ db, config: loadDriftConfig(), models: [{ model: 'vader' }] })
 */
export async function runMonitor(options: MonitorOptions): Promise<MonitorReport> {
  const { db, config } = options;
  const to = options.until ?? new Date();
  const from = new Date(to.getTime() - (options.windowMs ?? parseDuration(config.window)));
  const feedbackFrom = new Date(to.getTime() - parseDuration(config.performance.window));
  const reports: ModelReport[] = [];
  for (const target of options.models) {
    const notes: string[] = [];
    const stored = options.reference ?? (await latestReference(db, target.model, target.version));
    const filter = { model: target.model, from, to };
    let signals: Signal[] = [];
    let predictions = 0;
    if (!stored) {
      notes.push(
        `no drift reference for ${target.model}: build one with \`finsent monitor reference --model ${target.model} --data <dataset.csv>\``,
      );
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM predictions WHERE model = $1 AND created_at >= $2 AND created_at < $3',
        [target.model, from.toISOString(), to.toISOString()],
      );
      predictions = Number(row?.n ?? 0);
    } else {
      if (target.version && stored.snapshot.version !== target.version) {
        notes.push(
          `reference ${stored.id} was built for ${target.model}@${stored.snapshot.version}, the champion is ${target.version}: rebuild it after a promotion`,
        );
      }
      const current = await loadCurrentWindow(db, filter, stored.snapshot, {
        textSample: config.text.sample,
        disagreementModels: config.disagreement.models,
        numericSample: config.drift.numeric_sample,
      });
      predictions = current.n;
      if (current.n < config.min_samples) {
        notes.push(
          `only ${current.n} predictions in the window (min_samples ${config.min_samples}): drift not judged`,
        );
      }
      signals = evaluateDrift(stored.snapshot, current, config);
    }
    const versions = await loadPerformance(db, filter, { from: feedbackFrom, to }, config);
    const runId = `mon-${sha256([target.model, stored?.id ?? '-', from.toISOString(), to.toISOString()].join('|')).slice(0, 20)}`;
    if (options.persist !== false) {
      await saveDriftMetrics(
        db,
        {
          runId,
          model: target.model,
          version: target.version ?? null,
          referenceId: stored?.id ?? null,
          from,
          to,
        },
        signals,
      );
      await saveLivePerformance(db, runId, { from, to }, versions);
    }
    reports.push({
      model: target.model,
      version: target.version ?? null,
      runId,
      window: { from: from.toISOString(), to: to.toISOString() },
      reference: stored
        ? {
            id: stored.id,
            source: `${stored.snapshot.source.kind}:${stored.snapshot.source.name}`,
            version: stored.snapshot.version,
            n: stored.snapshot.n,
          }
        : null,
      predictions,
      drift: { status: worst(signals.map((s) => s.severity)), signals },
      performance: {
        status: worst(versions.flatMap((v) => v.signals.map((s) => s.severity))),
        versions,
      },
      notes,
    });
  }
  return {
    generatedAt: new Date().toISOString(),
    window: { from: from.toISOString(), to: to.toISOString() },
    status: worst(reports.flatMap((r) => [r.drift.status, r.performance.status])),
    models: reports,
  };
}
