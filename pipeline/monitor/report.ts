import { fmt, pct, type Severity, type Signal } from './drift';
import { evidenceTable } from './incident-body';
import type { IncidentOutcome } from './incidents';
import type { MonitorReport } from './run';

const MARK: Record<Severity, string> = { alert: 'ALERT', warn: 'warn ', ok: 'ok   ', insufficient: 'n/a  ' };

function line(s: Signal): string {
  return `  ${MARK[s.severity]} ${s.summary}`;
}

/** The terminal report of `finsent monitor`: verdict first, then each model's signals. */
export function formatReport(report: MonitorReport, incidents: readonly IncidentOutcome[] = []): string {
  const out: string[] = [];
  out.push(
    `finsent monitor — window ${report.window.from} → ${report.window.to}: ${report.status.toUpperCase()}`,
  );
  for (const m of report.models) {
    out.push('');
    out.push(
      `${m.model}${m.version ? `@${m.version}` : ''}: ${m.predictions} predictions; ` +
        `reference ${m.reference ? `${m.reference.id} (${m.reference.source}, n=${m.reference.n})` : 'none'}`,
    );
    out.push(` drift: ${m.drift.status}`);
    for (const s of m.drift.signals) out.push(line(s));
    out.push(` performance: ${m.performance.status}`);
    for (const v of m.performance.versions) {
      out.push(
        `  version ${v.version}: ${v.predictions} served, ${fmt(v.throughputPerMinute)}/min, ` +
          `cache hits ${v.cacheHitRate === null ? 'n/a' : pct(v.cacheHitRate)}`,
      );
      for (const s of v.signals) out.push(`  ${line(s)}`);
    }
    if (m.performance.versions.length === 0) out.push('  no served predictions or feedback in the window');
    for (const n of m.notes) out.push(` note: ${n}`);
  }
  const acted = incidents.filter((i) => i.action !== 'none' || i.retrain !== 'not-needed');
  if (acted.length > 0) {
    out.push('');
    out.push('incidents:');
    for (const i of acted) {
      out.push(
        `  ${i.kind} ${i.model}: ${i.action}${i.issue ? ` (${i.issue.url})` : ''}; retrain ${i.retrain}` +
          (i.retrainDetail ? ` — ${i.retrainDetail}` : ''),
      );
    }
  }
  return out.join('\n');
}

/** Markdown for a job summary or a dashboard: verdicts, evidence tables, incidents. */
export function formatMarkdown(report: MonitorReport, incidents: readonly IncidentOutcome[] = []): string {
  const out: string[] = [
    `## finsent monitor: ${report.status}`,
    '',
    `Window ${report.window.from} → ${report.window.to}`,
  ];
  for (const m of report.models) {
    out.push('', `### ${m.model} — drift ${m.drift.status}, performance ${m.performance.status}`, '');
    out.push(
      `${m.predictions} predictions; reference ${m.reference ? `\`${m.reference.id}\` (${m.reference.source})` : 'none'}`,
      '',
    );
    if (m.drift.signals.length > 0) out.push(evidenceTable(m.drift.signals), '');
    const perf = m.performance.versions.flatMap((v) => v.signals);
    if (perf.length > 0) out.push(evidenceTable(perf), '');
    for (const n of m.notes) out.push(`> ${n}`);
  }
  if (incidents.length > 0) {
    out.push('', '### Incidents', '', '| incident | action | issue | retraining |', '|---|---|---|---|');
    for (const i of incidents) {
      out.push(
        `| ${i.kind} ${i.model} (${i.severity}) | ${i.action} | ${i.issue ? `[#${i.issue.number}](${i.issue.url})` : '—'} | ${i.retrain}${i.retrainDetail ? `: ${i.retrainDetail}` : ''} |`,
      );
    }
  }
  return out.join('\n');
}
