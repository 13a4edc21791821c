import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadDriftConfig } from '../config/drift';
import { REPO_ROOT } from '../lib/paths';
import { API_METRICS, DRIFT_METRICS, registerDriftGauges } from '../pipeline/monitor/prometheus';

const RuleSchema = z.strictObject({
  alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
  expr: z.string().min(1),
  for: z.string().regex(/^\d+[smhdwy]$/),
  labels: z.strictObject({ severity: z.enum(['info', 'warning', 'critical']) }),
  annotations: z.strictObject({ summary: z.string().min(1), description: z.string().min(1) }),
});
const RulesFileSchema = z.strictObject({
  groups: z.array(z.strictObject({ name: z.string(), rules: z.array(RuleSchema).min(1) })).min(1),
});

const text = readFileSync(`${REPO_ROOT}/config/prometheus/alerts.yml`, 'utf8');
const rules = RulesFileSchema.parse(parse(text)).groups.flatMap((g) => g.rules);
const drift = loadDriftConfig();

/** Series names in a PromQL expression: identifiers followed by `{`, `[` or used bare, minus functions and keywords. */
function seriesIn(expr: string): string[] {
  const words = new Set(
    'histogram_quantile sum by rate max clamp_min time and or unless on ignoring without le route model feature metric'.split(
      ' ',
    ),
  );
  const noStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  return [...noStrings.matchAll(/\b([a-z_][a-z0-9_]*)\b/g)].map((m) => m[1]!).filter((w) => !words.has(w));
}

describe('config/prometheus/alerts.yml', () => {
  it('parses as a Prometheus rules file with unique alert names', () => {
    expect(rules.length).toBeGreaterThanOrEqual(6);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('has balanced brackets in every expression', () => {
    for (const r of rules) {
      const stack: string[] = [];
      const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
      for (const ch of r.expr.replace(/"[^"]*"/g, '')) {
        if ('([{'.includes(ch)) stack.push(ch);
        else if (ch in pairs) expect(stack.pop(), r.alert).toBe(pairs[ch]);
      }
      expect(stack, r.alert).toEqual([]);
    }
  });

  it('uses only series the API and the drift gauges export', () => {
    const known = new Set<string>([...API_METRICS, ...Object.values(DRIFT_METRICS)]);
    for (const r of rules) for (const s of seriesIn(r.expr)) expect(known, `${r.alert}: ${s}`).toContain(s);
  });

  it('keeps its thresholds in step with config/drift.yaml', () => {
    const expr = (name: string) => rules.find((r) => r.alert === name)!.expr;
    expect(expr('FinsentPsiMajorShift')).toContain(`>= ${drift.drift.psi.alert}`);
    expect(expr('FinsentPredictLatencyP95High')).toMatch(
      new RegExp(`> ${drift.performance.latency_p95_ms.alert / 1000}\\s*$`),
    );
    expect(expr('FinsentErrorRateHigh')).toMatch(new RegExp(`> ${drift.performance.error_rate.alert}\\s*$`));
    expect(expr('FinsentErrorRateElevated')).toMatch(
      new RegExp(`> ${drift.performance.error_rate.warn}\\s*$`),
    );
  });
});

describe('drift gauges', () => {
  it('export the latest drift rows at scrape time with one store query per scrape', async () => {
    const registry = new Registry();
    const load = vi.fn(async () => [
      {
        model: 'vader',
        feature: 'sentiment',
        metric: 'psi',
        value: 0.31,
        severity: 'alert',
        window_end: '2026-03-02 00:00:00+00',
      },
      {
        model: 'vader',
        feature: 'label',
        metric: 'chi2',
        value: null,
        severity: 'insufficient',
        window_end: '2026-03-02 00:00:00+00',
      },
    ]);
    registerDriftGauges(registry, load);
    const out = await registry.metrics();
    expect(out).toContain('finsent_drift_value{model="vader",feature="sentiment",metric="psi"} 0.31');
    expect(out).toContain('finsent_drift_severity{model="vader",feature="sentiment",metric="psi"} 2');
    expect(out).toContain('finsent_drift_severity{model="vader",feature="label",metric="chi2"} -1');
    expect(out).not.toContain('finsent_drift_value{model="vader",feature="label"');
    expect(out).toContain(
      `finsent_drift_last_run_timestamp_seconds{model="vader"} ${Date.parse('2026-03-02T00:00:00Z') / 1000}`,
    );
    expect(load).toHaveBeenCalledTimes(1);
  });
});
