import type { Manifest } from './manifest';

/** What changed between two versions: artifacts, training inputs, hyperparameters, metrics. */
export interface ManifestDiff {
  a: string;
  b: string;
  artifacts: { name: string; change: 'added' | 'removed' | 'changed' | 'same' }[];
  training: { field: string; a: unknown; b: unknown }[];
  params: { key: string; a: unknown; b: unknown }[];
  metrics: { metric: string; a: number | null; b: number | null; delta: number | null }[];
}

export function diffManifests(a: Manifest, b: Manifest): ManifestDiff {
  const names = [...new Set([...a.artifacts, ...b.artifacts].map((x) => x.name))].sort();
  const artifacts = names.map((name) => {
    const x = a.artifacts.find((y) => y.name === name);
    const y = b.artifacts.find((z) => z.name === name);
    const change: ManifestDiff['artifacts'][number]['change'] = !x
      ? 'added'
      : !y
        ? 'removed'
        : x.sha256 === y.sha256
          ? 'same'
          : 'changed';
    return { name, change };
  });
  const training: ManifestDiff['training'] = [];
  for (const field of ['dataset', 'fingerprint', 'n', 'validationFingerprint', 'seed'] as const) {
    if (a.training[field] !== b.training[field])
      training.push({ field, a: a.training[field], b: b.training[field] });
  }
  if (a.code.commit !== b.code.commit)
    training.push({ field: 'code commit', a: a.code.commit, b: b.code.commit });
  const keys = [...new Set([...Object.keys(a.training.params), ...Object.keys(b.training.params)])].sort();
  const params = keys
    .filter((k) => JSON.stringify(a.training.params[k]) !== JSON.stringify(b.training.params[k]))
    .map((k) => ({ key: k, a: a.training.params[k], b: b.training.params[k] }));
  const metrics: ManifestDiff['metrics'] = [];
  const push = (metric: string, x: number | null | undefined, y: number | null | undefined) => {
    const ax = x ?? null;
    const by = y ?? null;
    if (ax === null && by === null) return;
    metrics.push({ metric, a: ax, b: by, delta: ax !== null && by !== null ? by - ax : null });
  };
  const vkeys = [
    ...new Set([...Object.keys(a.metrics.validation), ...Object.keys(b.metrics.validation)]),
  ].sort();
  for (const k of vkeys) push(`validation ${k}`, a.metrics.validation[k], b.metrics.validation[k]);
  const ta = a.metrics.test;
  const tb = b.metrics.test;
  // Test metrics are comparable only on the same test set.
  if (ta && tb && ta.fingerprint === tb.fingerprint) {
    push('test macro-F1', ta.macroF1.value, tb.macroF1.value);
    push('test accuracy', ta.accuracy.value, tb.accuracy.value);
    push('test ECE', ta.ece, tb.ece);
    push('latency p95 (ms)', ta.latencyP95Ms, tb.latencyP95Ms);
  }
  return { a: a.tag, b: b.tag, artifacts, training, params, metrics };
}

export function renderDiff(d: ManifestDiff): string {
  const lines = [`${d.a} → ${d.b}`];
  const changed = d.artifacts.filter((x) => x.change !== 'same');
  lines.push(
    changed.length
      ? `artifacts: ${changed.map((x) => `${x.name} ${x.change}`).join(', ')}`
      : 'artifacts: identical',
  );
  for (const t of d.training) lines.push(`${t.field}: ${String(t.a)} → ${String(t.b)}`);
  for (const p of d.params) lines.push(`param ${p.key}: ${JSON.stringify(p.a)} → ${JSON.stringify(p.b)}`);
  for (const m of d.metrics) {
    const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));
    lines.push(
      `${m.metric}: ${f(m.a)} → ${f(m.b)}${m.delta === null ? '' : ` (${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(4)})`}`,
    );
  }
  return lines.join('\n');
}
