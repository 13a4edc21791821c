import type { Manifest } from './manifest';

/**
 * model-card.md for a release, generated from its manifest (after Mitchell et al., "Model Cards
 * for Model Reporting"): what the model is, what it was trained on, how well it does with
 * uncertainty, how to load it, and its limits.
 */
export interface ModelCardExtras {
  /** One paragraph on what the family is. */
  description?: string;
  /** The trainer's own notes (search results, caveats). */
  notes?: readonly string[];
}

const f3 = (x: number) => x.toFixed(3);
const ci = (i: { value: number; lower: number; upper: number }) =>
  `${f3(i.value)} (${f3(i.lower)} – ${f3(i.upper)})`;

export function renderModelCard(m: Manifest, extras: ModelCardExtras = {}): string {
  const lines: string[] = [];
  lines.push(`# Model card: ${m.family} ${m.version}`, '');
  if (extras.description) lines.push(extras.description, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| release | \`${m.tag}\` |`);
  lines.push(`| created | ${m.createdAt} |`);
  lines.push(`| parent | ${m.parent ? `\`${m.family}@${m.parent}\`` : 'none (first trained release)'} |`);
  lines.push(`| change | ${m.bump.level} — ${m.bump.reason} |`);
  lines.push(`| labels | ${m.labels.join(', ')} |`);
  lines.push(`| code commit | \`${m.code.commit}\`${m.code.repository ? ` (${m.code.repository})` : ''} |`);
  lines.push('');
  lines.push('## Training data', '');
  lines.push(
    `- dataset: \`${m.training.dataset}\`, ${m.training.n} examples, fingerprint \`${m.training.fingerprint}\``,
  );
  if (m.training.validationFingerprint)
    lines.push(`- validation fingerprint: \`${m.training.validationFingerprint}\``);
  lines.push(`- seed: ${m.training.seed}${m.training.runId ? `, training run \`${m.training.runId}\`` : ''}`);
  if (m.training.durationMs !== null)
    lines.push(`- training time: ${(m.training.durationMs / 1000).toFixed(1)} s`);
  const params = Object.entries(m.training.params);
  if (params.length > 0) {
    lines.push('', '<details><summary>Hyperparameters</summary>', '', '```json');
    lines.push(JSON.stringify(m.training.params, null, 2), '```', '', '</details>');
  }
  lines.push('', '## Evaluation', '');
  const val = Object.entries(m.metrics.validation);
  if (val.length > 0) {
    lines.push(
      `Validation (used to choose hyperparameters): ${val.map(([k, v]) => `${k} ${f3(v)}`).join(', ')}.`,
      '',
    );
  }
  const t = m.metrics.test;
  if (t) {
    const level = `${Math.round(t.confidence * 100)}%`;
    lines.push(
      `Held-out test set \`${t.dataset}\` (${t.n} examples, never used in training), ${level} bootstrap intervals:`,
      '',
    );
    lines.push('| metric | value |', '|---|---|');
    lines.push(`| macro-F1 | ${ci(t.macroF1)} |`, `| accuracy | ${ci(t.accuracy)} |`);
    if (t.ece !== null) lines.push(`| ECE | ${f3(t.ece)} |`);
    if (t.latencyP50Ms !== null)
      lines.push(
        `| latency p50 / p95 (ms, one text) | ${t.latencyP50Ms.toFixed(3)} / ${(t.latencyP95Ms ?? 0).toFixed(3)} |`,
      );
    lines.push('');
  } else {
    lines.push('No held-out test metrics were recorded for this version.', '');
  }
  if (m.metrics.comparisons.length > 0) {
    lines.push('| compared with | verdict | Δmacro-F1 (CI) | McNemar p |', '|---|---|---|---|');
    for (const c of m.metrics.comparisons) {
      lines.push(
        `| \`${c.against}\` | ${c.verdict} | ${ci(c.deltaMacroF1)} | ${c.pValue.toPrecision(3)} (${c.test}) |`,
      );
    }
    lines.push('');
  }
  lines.push('## Artifacts', '', '| file | bytes | sha256 |', '|---|---:|---|');
  for (const a of m.artifacts) lines.push(`| ${a.name} | ${a.bytes} | \`${a.sha256}\` |`);
  lines.push('');
  lines.push('## Use', '');
  lines.push(
    '```sh',
    `npx finsent score --model ${m.family}@${m.version} "Shares rose after the earnings beat"`,
  );
  lines.push(`npx finsent registry download ${m.family}@${m.version}`, '```', '');
  if (extras.notes && extras.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of extras.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  lines.push('## Limitations', '');
  lines.push(
    '- Trained and measured on English financial headlines and short news sentences; longer texts, other',
    '  domains and other languages are out of scope and were not measured.',
    '- Metrics come from one test set; the interval says how much they could move on another sample of',
    '  the same kind of data, not on different data.',
    '- Sentiment is not a price forecast.',
    '',
  );
  return lines.join('\n');
}
