import { type DriftConfig, parseDuration } from '../../config/drift';
import type { Db } from '../store/db';
import { SEVERITY_RANK, type Severity, type Signal, worst } from './drift';
import {
  commentOnIssue,
  createIssue,
  dispatchRetrain,
  type GitHubContext,
  GitHubError,
  type IssueSummary,
  listOpenIssues,
  repoUrl,
  updateIssue,
} from './github';
import {
  type BodyLinks,
  evidenceTable,
  type IncidentKind,
  type IncidentState,
  incidentTitle,
  parseMarker,
  renderIncidentBody,
} from './incident-body';
import { sha256 } from './reference';
import type { ModelReport, MonitorReport } from './run';

export type IncidentAction = 'opened' | 'updated' | 'recovering' | 'closed' | 'none';
export type RetrainOutcome = 'requested' | 'cooldown' | 'not-needed' | 'disabled' | 'recorded' | 'failed';

export interface IncidentOutcome {
  fingerprint: string;
  kind: IncidentKind;
  model: string;
  severity: Severity;
  action: IncidentAction;
  issue: { number: number; url: string } | null;
  retrain: RetrainOutcome;
  retrainDetail: string | null;
}

export interface IncidentOptions {
  db: Db;
  report: MonitorReport;
  config: DriftConfig;
  /** When given (and config.alerts.github), incidents are GitHub issues; else the store alone. */
  github?: GitHubContext;
  links?: { runUrl?: string };
  now?: Date;
}

/** Stable per kind and model: the same incident is found again run after run. */
export function incidentFingerprint(kind: IncidentKind, model: string): string {
  return `${kind}-${model}-${sha256(`finsent-monitor|v1|${kind}|${model}`).slice(0, 10)}`;
}

/**
 * Opens, updates or closes one incident per (kind, model) from a monitoring report, and asks for
 * retraining when the policy says so (with a per-model cooldown). Idempotent for a given report:
 * a second call finds the open incident through its fingerprint and only refreshes it.
 *
 * @example await handleIncidents({ db, report, config, github: { client: octokit, owner, repo } })
 */
export async function handleIncidents(options: IncidentOptions): Promise<IncidentOutcome[]> {
  const { report, config } = options;
  const now = options.now ?? new Date();
  const gh = config.alerts.github ? options.github : undefined;
  const label = config.alerts.labels[0]!;
  const openIssues = gh ? await listOpenIssues(gh, label) : [];
  const byFingerprint = new Map<string, { issue: IssueSummary; state: IncidentState }>();
  for (const issue of openIssues) {
    const state = parseMarker(issue.body);
    if (state && !byFingerprint.has(state.fingerprint))
      byFingerprint.set(state.fingerprint, { issue, state });
  }
  const links: BodyLinks = {
    ...(options.links?.runUrl ? { runUrl: options.links.runUrl } : {}),
    ...(gh
      ? {
          configUrl: repoUrl(gh, '/blob/HEAD/config/drift.yaml'),
          docsUrl: repoUrl(gh, '/blob/HEAD/docs/monitoring.md'),
          retrainUrl: repoUrl(gh, `/actions/workflows/${config.retrain.workflow}`),
        }
      : {}),
  };
  const outcomes: IncidentOutcome[] = [];
  for (const model of report.models) {
    for (const kind of ['drift', 'degradation'] as const) {
      const signals =
        kind === 'drift' ? model.drift.signals : model.performance.versions.flatMap((v) => v.signals);
      outcomes.push(await handleOne({ ...options, now, gh, links, model, kind, signals, byFingerprint }));
    }
  }
  return outcomes;
}

async function handleOne(
  o: IncidentOptions & {
    now: Date;
    gh: GitHubContext | undefined;
    links: BodyLinks;
    model: ModelReport;
    kind: IncidentKind;
    signals: Signal[];
    byFingerprint: Map<string, { issue: IssueSummary; state: IncidentState }>;
  },
): Promise<IncidentOutcome> {
  const { db, config, gh, model, kind, signals, now } = o;
  const fingerprint = incidentFingerprint(kind, model.model);
  const severity = worst(signals.map((s) => s.severity));
  const failing = SEVERITY_RANK[severity] >= SEVERITY_RANK[config.alerts.min_severity];
  const healthy = !failing && severity !== 'insufficient';
  const onGitHub = gh ? o.byFingerprint.get(fingerprint) : undefined;
  const local = await loadLocal(db, fingerprint);
  const existing: IncidentState | undefined = gh
    ? onGitHub?.state
    : local?.status === 'open'
      ? local.state
      : undefined;
  const base: IncidentOutcome = {
    fingerprint,
    kind,
    model: model.model,
    severity,
    action: 'none',
    issue: onGitHub ? { number: onGitHub.issue.number, url: onGitHub.issue.html_url } : null,
    retrain: 'not-needed',
    retrainDetail: null,
  };
  if (!failing && !existing) return base;

  if (!failing && existing) {
    if (!healthy) return base; // no data: neither worse nor recovered
    const state = { ...existing, okRuns: existing.okRuns + 1, severity };
    const close = state.okRuns >= config.alerts.close_after_ok_runs;
    const body = renderIncidentBody({
      state,
      report: model,
      signals,
      links: o.links,
      retrainNote: null,
      closeAfter: config.alerts.close_after_ok_runs,
    });
    if (gh && onGitHub) {
      if (close) {
        await commentOnIssue(
          gh,
          onGitHub.issue.number,
          `✅ Recovered: ${state.okRuns} healthy run(s) in a row (window ${model.window.from} → ${model.window.to}). Closing.\n\n${evidenceTable(signals)}`,
        );
        await updateIssue(gh, onGitHub.issue.number, { body, state: 'closed', state_reason: 'completed' });
      } else {
        await updateIssue(gh, onGitHub.issue.number, { body });
      }
    }
    await saveLocal(db, state, close ? 'closed' : 'open', base.issue, signals, now);
    await logEvent(db, state, close ? 'closed' : 'recovering', {
      okRuns: state.okRuns,
      window: model.window,
    });
    return { ...base, action: close ? 'closed' : 'recovering' };
  }

  // Failing: open or refresh, then maybe retrain.
  const state: IncidentState = existing
    ? { ...existing, severity, okRuns: 0 }
    : {
        fingerprint,
        kind,
        model: model.model,
        severity,
        openedAt: now.toISOString(),
        okRuns: 0,
        lastRetrainAt: null,
      };
  const lastRetrain = await lastRetrainAt(
    db,
    model.model,
    [...o.byFingerprint.values()].map((x) => x.state),
  );
  const retrain = decideRetrain(config, kind, severity, lastRetrain, now);
  let retrainDetail: string | null = retrain.detail;
  let retrainOutcome: RetrainOutcome = retrain.outcome;
  if (retrain.outcome === 'requested') {
    if (gh) {
      try {
        retrainDetail = await dispatchRetrain(gh, {
          method: config.retrain.method,
          workflow: config.retrain.workflow,
          ref: config.retrain.ref,
          eventType: config.retrain.event_type,
          model: model.model,
          payload: { reason: `${kind} ${severity}`, fingerprint, run: o.links.runUrl ?? null },
        });
      } catch (error) {
        // The incident must still be opened; the failed request is shown in it and to the caller.
        if (!(error instanceof GitHubError)) throw error;
        retrainOutcome = 'failed';
        retrainDetail = error.message;
      }
    } else {
      retrainOutcome = 'recorded';
      retrainDetail = `no GitHub configured: run \`finsent train --model ${model.model}\` (recorded, cooldown applies)`;
    }
    if (retrainOutcome === 'failed') {
      await logEvent(db, state, 'retrain_failed', { detail: retrainDetail });
    } else {
      state.lastRetrainAt = now.toISOString();
      await logEvent(db, state, 'retrain_requested', { detail: retrainDetail, dispatched: Boolean(gh) });
    }
  } else if (retrain.outcome === 'cooldown') {
    await logEvent(db, state, 'retrain_skipped', { detail: retrain.detail });
  }
  const body = renderIncidentBody({
    state,
    report: model,
    signals,
    links: o.links,
    retrainNote: retrainDetail ? `${retrainOutcome}: ${retrainDetail}` : null,
    closeAfter: config.alerts.close_after_ok_runs,
  });
  const title = incidentTitle(kind, model.model);
  let issue = base.issue;
  if (gh) {
    if (onGitHub) {
      await updateIssue(gh, onGitHub.issue.number, { title, body });
      if (onGitHub.state.severity !== severity || retrainOutcome === 'requested') {
        await commentOnIssue(
          gh,
          onGitHub.issue.number,
          `Severity now **${severity}** (was ${onGitHub.state.severity}).${retrainOutcome === 'requested' ? ` Retraining requested: ${retrainDetail}.` : ''}`,
        );
      }
    } else {
      const created = await createIssue(gh, { title, body, labels: config.alerts.labels });
      issue = { number: created.number, url: created.html_url };
      // Later models in the same run must see it, so one incident never gets two issues.
      o.byFingerprint.set(fingerprint, { issue: created, state });
    }
  }
  const action: IncidentAction = existing ? 'updated' : 'opened';
  await saveLocal(db, state, 'open', issue, signals, now);
  await logEvent(db, state, action, { severity, issue });
  return { ...base, action, issue, retrain: retrainOutcome, retrainDetail };
}

export function decideRetrain(
  config: DriftConfig,
  kind: IncidentKind,
  severity: Severity,
  last: Date | null,
  now: Date,
): { outcome: RetrainOutcome; detail: string | null } {
  const policy = config.retrain;
  if (!policy.enabled) return { outcome: 'disabled', detail: null };
  if (!policy.on.includes(kind) || SEVERITY_RANK[severity] < SEVERITY_RANK[policy.min_severity]) {
    return { outcome: 'not-needed', detail: null };
  }
  const cooldown = parseDuration(policy.cooldown);
  if (last && now.getTime() - last.getTime() < cooldown) {
    const until = new Date(last.getTime() + cooldown).toISOString();
    return {
      outcome: 'cooldown',
      detail: `last requested ${last.toISOString()}; cooldown ${policy.cooldown} until ${until}`,
    };
  }
  return { outcome: 'requested', detail: null };
}

async function lastRetrainAt(db: Db, model: string, states: IncidentState[]): Promise<Date | null> {
  const [row] = await db.query<{ t: string | null }>(
    `SELECT max(created_at)::text AS t FROM monitor_events WHERE model = $1 AND event = 'retrain_requested'`,
    [model],
  );
  const times = [row?.t, ...states.filter((s) => s.model === model).map((s) => s.lastRetrainAt)]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => new Date(t).getTime())
    .filter(Number.isFinite);
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

type LocalRow = { state: IncidentState; status: 'open' | 'closed' };

async function loadLocal(db: Db, fingerprint: string): Promise<LocalRow | undefined> {
  const rows = await db.query<{
    kind: IncidentKind;
    model: string;
    status: 'open' | 'closed';
    severity: Severity;
    opened_at: string;
    ok_runs: number;
    last_retrain_at: string | null;
  }>(
    `SELECT kind, model, status, severity, opened_at::text AS opened_at, ok_runs, last_retrain_at::text AS last_retrain_at
     FROM monitor_incidents WHERE fingerprint = $1`,
    [fingerprint],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    status: r.status,
    state: {
      fingerprint,
      kind: r.kind,
      model: r.model,
      severity: r.severity,
      openedAt: new Date(r.opened_at).toISOString(),
      okRuns: Number(r.ok_runs),
      lastRetrainAt: r.last_retrain_at ? new Date(r.last_retrain_at).toISOString() : null,
    },
  };
}

async function saveLocal(
  db: Db,
  state: IncidentState,
  status: 'open' | 'closed',
  issue: { number: number; url: string } | null,
  signals: readonly Signal[],
  now: Date,
): Promise<void> {
  const evidence = signals.map((s) => ({
    feature: s.feature,
    metric: s.metric,
    value: s.value,
    p: s.pValue,
    severity: s.severity,
  }));
  await db.query(
    `INSERT INTO monitor_incidents (fingerprint, kind, model, status, severity, title, opened_at, updated_at, closed_at,
        ok_runs, issue_number, issue_url, last_retrain_at, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 = 'closed' THEN $8::timestamptz END, $9, $10, $11, $12, $13::text::jsonb)
     ON CONFLICT (fingerprint) DO UPDATE SET
        status = EXCLUDED.status, severity = EXCLUDED.severity, title = EXCLUDED.title,
        opened_at = CASE WHEN monitor_incidents.status = 'closed' AND EXCLUDED.status = 'open'
                         THEN EXCLUDED.opened_at ELSE monitor_incidents.opened_at END,
        updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at, ok_runs = EXCLUDED.ok_runs,
        issue_number = coalesce(EXCLUDED.issue_number, monitor_incidents.issue_number),
        issue_url = coalesce(EXCLUDED.issue_url, monitor_incidents.issue_url),
        last_retrain_at = coalesce(EXCLUDED.last_retrain_at, monitor_incidents.last_retrain_at),
        evidence = EXCLUDED.evidence`,
    [
      state.fingerprint,
      state.kind,
      state.model,
      status,
      state.severity,
      incidentTitle(state.kind, state.model),
      state.openedAt,
      now.toISOString(),
      state.okRuns,
      issue?.number ?? null,
      issue?.url ?? null,
      state.lastRetrainAt,
      JSON.stringify(evidence, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
    ],
  );
}

async function logEvent(
  db: Db,
  state: IncidentState,
  event: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await db.query(
    'INSERT INTO monitor_events (fingerprint, model, event, detail) VALUES ($1, $2, $3, $4::text::jsonb)',
    [state.fingerprint, state.model, event, JSON.stringify(detail)],
  );
}
