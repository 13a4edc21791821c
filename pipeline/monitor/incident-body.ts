import { fmt, fmtP, type Severity, type Signal } from './drift';
import type { ModelReport } from './run';

export type IncidentKind = 'drift' | 'degradation';

/** What an incident remembers between runs: kept in the issue's hidden marker and in the store. */
export interface IncidentState {
  fingerprint: string;
  kind: IncidentKind;
  model: string;
  severity: Severity;
  openedAt: string;
  okRuns: number;
  lastRetrainAt: string | null;
}

const MARKER = 'finsent-monitor:state';
const MARKER_RE = /<!--\s*finsent-monitor:state\s+(\{.*?\})\s*-->/s;

/** The hidden marker that makes an issue findable again and carries the incident's state. */
export function renderMarker(state: IncidentState): string {
  return `<!-- ${MARKER} ${JSON.stringify(state)} -->`;
}

/** The state in an issue body, or undefined when the body carries no (valid) marker. */
export function parseMarker(body: string | null | undefined): IncidentState | undefined {
  const m = body ? MARKER_RE.exec(body) : null;
  if (!m) return undefined;
  try {
    const s = JSON.parse(m[1]!) as Partial<IncidentState>;
    if (typeof s.fingerprint !== 'string' || (s.kind !== 'drift' && s.kind !== 'degradation') || !s.model)
      return undefined;
    return {
      fingerprint: s.fingerprint,
      kind: s.kind,
      model: s.model,
      severity: s.severity ?? 'alert',
      openedAt: s.openedAt ?? new Date(0).toISOString(),
      okRuns: Number(s.okRuns ?? 0),
      lastRetrainAt: s.lastRetrainAt ?? null,
    };
  } catch {
    return undefined;
  }
}

export function incidentTitle(kind: IncidentKind, model: string): string {
  return kind === 'drift'
    ? `Monitoring: input/output drift on ${model}`
    : `Monitoring: live performance degraded for ${model}`;
}

export interface BodyLinks {
  runUrl?: string;
  configUrl?: string;
  docsUrl?: string;
  retrainUrl?: string;
}

const ICON: Record<Severity, string> = {
  alert: '🔴 alert',
  warn: '🟠 warn',
  ok: '🟢 ok',
  insufficient: '⚪ n/a',
};

function cell(x: number | null): string {
  return x === null ? 'n/a' : fmt(x);
}

/** The evidence table: every signal, its effect beside its threshold, p, sizes and verdict. */
export function evidenceTable(signals: readonly Signal[]): string {
  const rows = [...signals].sort((a, b) => rank(b.severity) - rank(a.severity));
  return [
    '| signal | test | effect | warn / alert | p-value | n ref / cur | verdict |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map(
      (s) =>
        `| ${s.feature} | ${s.metric} | ${cell(s.value)} | ${fmt(s.threshold.warn)} / ${fmt(s.threshold.alert)} | ` +
        `${s.pValue === null ? '—' : fmtP(s.pValue)} | ${s.nReference} / ${s.nCurrent} | ${ICON[s.severity]} |`,
    ),
  ].join('\n');
}

function rank(s: Severity): number {
  return { insufficient: 0, ok: 1, warn: 2, alert: 3 }[s];
}

/** The whole issue body: marker, headline, evidence, what to do, links. */
export function renderIncidentBody(options: {
  state: IncidentState;
  report: ModelReport;
  signals: readonly Signal[];
  links: BodyLinks;
  retrainNote: string | null;
  closeAfter: number;
}): string {
  const { state, report, signals, links } = options;
  const flagged = signals.filter((s) => s.severity === 'warn' || s.severity === 'alert');
  const ref = report.reference;
  const what =
    state.kind === 'drift'
      ? 'The predictions of the current window no longer look like the reference (the champion’s evaluation data).'
      : 'Live quality or serving health of this model fell past the thresholds.';
  const linkLine = [
    links.runUrl && `[monitor run](${links.runUrl})`,
    links.configUrl && `[thresholds: config/drift.yaml](${links.configUrl})`,
    links.docsUrl && `[how to read this](${links.docsUrl})`,
    links.retrainUrl && `[training workflow](${links.retrainUrl})`,
  ]
    .filter(Boolean)
    .join(' · ');
  return [
    renderMarker(state),
    `## ${ICON[state.severity]}: ${state.kind} on \`${state.model}\``,
    '',
    what,
    '',
    `- **Window:** ${report.window.from} → ${report.window.to} (${report.predictions} predictions)`,
    `- **Reference:** ${ref ? `\`${ref.id}\` (${ref.source}, ${state.model}@${ref.version}, n = ${ref.n})` : 'none'}`,
    `- **Open since:** ${state.openedAt}`,
    ...(options.retrainNote ? [`- **Retraining:** ${options.retrainNote}`] : []),
    '',
    '### What moved',
    '',
    ...(flagged.length > 0 ? flagged.map((s) => `- ${s.summary}`) : ['- nothing flagged in this run']),
    '',
    '### Evidence',
    '',
    evidenceTable(signals),
    '',
    '_Effects are flagged only when they pass their threshold **and** p < alpha, so a large sample does not flag a tiny change._',
    ...(report.notes.length > 0 ? ['', ...report.notes.map((n) => `> ${n}`)] : []),
    '',
    ...(linkLine ? [linkLine, ''] : []),
    `<sub>Managed by finsent monitor: updated while the incident lasts, closed after ${options.closeAfter} healthy run(s) in a row. Fingerprint \`${state.fingerprint}\`.</sub>`,
  ].join('\n');
}
