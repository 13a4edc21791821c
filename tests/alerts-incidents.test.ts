import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DriftConfig, loadDriftConfig } from '../config/drift';
import type { Severity, Signal } from '../pipeline/monitor/drift';
import { parseMarker, renderMarker } from '../pipeline/monitor/incident-body';
import { decideRetrain, handleIncidents, incidentFingerprint } from '../pipeline/monitor/incidents';
import type { ModelReport, MonitorReport } from '../pipeline/monitor/run';
import type { Db } from '../pipeline/store/db';
import { fakeGitHub } from './fixtures/monitor/fake-github';
import { dbTargets } from './helpers/db';

const config: DriftConfig = loadDriftConfig();
const NOW = new Date('2026-03-02T00:05:00Z');

function signal(feature: string, severity: Severity, value: number): Signal {
  return {
    feature,
    metric: 'psi',
    value,
    pValue: null,
    severity,
    threshold: { warn: 0.1, alert: 0.25 },
    nReference: 3000,
    nCurrent: 2500,
    summary: `${feature}: PSI ${value}`,
    details: {},
  };
}

function report(drift: Severity): MonitorReport {
  const model: ModelReport = {
    model: 'vader',
    version: '1.0.0',
    runId: 'mon-test',
    window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    reference: { id: 'ref-0123456789abcdef', source: 'dataset:sent_valid.csv', version: '1.0.0', n: 3000 },
    predictions: 2500,
    drift: {
      status: drift,
      signals: [
        signal('sentiment', drift, drift === 'alert' ? 0.41 : 0.02),
        signal('confidence', drift === 'insufficient' ? 'insufficient' : 'ok', 0.01),
      ],
    },
    performance: { status: 'insufficient', versions: [] },
    notes: [],
  };
  return { generatedAt: NOW.toISOString(), window: model.window, status: drift, models: [model] };
}

describe('incident fingerprints and markers', () => {
  it('keeps fingerprints stable across releases (the recorded issue #42 relies on it)', () => {
    expect(incidentFingerprint('drift', 'vader')).toBe('drift-vader-4377177426');
    expect(incidentFingerprint('degradation', 'vader')).not.toBe(incidentFingerprint('drift', 'vader'));
  });

  it('round-trips the state through the hidden marker and ignores bodies without one', () => {
    const state = {
      fingerprint: 'drift-vader-4377177426',
      kind: 'drift' as const,
      model: 'vader',
      severity: 'alert' as const,
      openedAt: NOW.toISOString(),
      okRuns: 1,
      lastRetrainAt: null,
    };
    expect(parseMarker(`text\n${renderMarker(state)}\nmore`)).toEqual(state);
    expect(parseMarker('no marker here')).toBeUndefined();
    expect(parseMarker('<!-- finsent-monitor:state {broken -->')).toBeUndefined();
  });

  it('applies the retraining cooldown and policy', () => {
    const last = new Date('2026-03-01T00:00:00Z');
    expect(decideRetrain(config, 'drift', 'alert', last, NOW).outcome).toBe('cooldown');
    expect(decideRetrain(config, 'drift', 'alert', new Date('2026-02-20T00:00:00Z'), NOW).outcome).toBe(
      'requested',
    );
    expect(decideRetrain(config, 'drift', 'warn', null, NOW).outcome).toBe('not-needed');
    expect(
      decideRetrain(
        { ...config, retrain: { ...config.retrain, enabled: false } },
        'drift',
        'alert',
        null,
        NOW,
      ).outcome,
    ).toBe('disabled');
  });
});

describe.each(dbTargets())('incidents on GitHub and in the store ($name)', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('opens one issue with the marker and evidence, and dispatches the training workflow', async () => {
    await db.exec('DELETE FROM monitor_incidents; DELETE FROM monitor_events;');
    const fake = fakeGitHub({ issues: 'issues-open-none.json' });
    const [drift, degradation] = await handleIncidents({
      db,
      report: report('alert'),
      config,
      github: fake.gh,
      now: NOW,
      links: { runUrl: 'https://github.com/octo-org/finsent/actions/runs/1' },
    });
    expect(drift?.action).toBe('opened');
    expect(drift?.issue?.number).toBe(43);
    expect(drift?.retrain).toBe('requested');
    expect(degradation?.action).toBe('none');
    const create = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/issues'))!;
    expect(create.body?.labels).toEqual(['finsent-monitor']);
    const body = String(create.body?.body);
    expect(parseMarker(body)?.fingerprint).toBe('drift-vader-4377177426');
    expect(body).toContain('| sentiment | psi | 0.410 | 0.100 / 0.250 |');
    expect(body).toContain('[monitor run](https://github.com/octo-org/finsent/actions/runs/1)');
    const dispatch = fake.calls.find((c) => c.path.endsWith('/train.yml/dispatches'))!;
    expect(dispatch.body).toEqual({ ref: 'main', inputs: { model: 'vader' } });
    const [row] = await db.query<{ status: string; issue_number: number }>(
      'SELECT status, issue_number FROM monitor_incidents WHERE fingerprint = $1',
      ['drift-vader-4377177426'],
    );
    expect(row).toEqual({ status: 'open', issue_number: 43 });
  });

  it('updates the open issue instead of opening a second, and respects the cooldown in its marker', async () => {
    await db.exec('DELETE FROM monitor_incidents; DELETE FROM monitor_events;');
    const fake = fakeGitHub({ issues: 'issues-open-with-incident.json' });
    const [drift] = await handleIncidents({ db, report: report('alert'), config, github: fake.gh, now: NOW });
    expect(drift?.action).toBe('updated');
    expect(drift?.issue?.number).toBe(42);
    expect(drift?.retrain).toBe('cooldown');
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/issues'))).toHaveLength(0);
    expect(fake.calls.some((c) => c.path.includes('dispatches'))).toBe(false);
    const comment = fake.calls.find((c) => c.path.endsWith('/42/comments'))!;
    expect(String(comment.body?.body)).toMatch(/Severity now \*\*alert\*\* \(was warn\)/);
    expect(parseMarker(String(fake.issues.get(42)?.body))?.severity).toBe('alert');
  });

  it('closes the issue only after the configured number of healthy runs', async () => {
    const fake = fakeGitHub({ issues: 'issues-open-with-incident.json' });
    const first = await handleIncidents({ db, report: report('ok'), config, github: fake.gh, now: NOW });
    expect(first[0]?.action).toBe('recovering');
    expect(fake.issues.get(42)?.state).toBe('open');
    const second = await handleIncidents({ db, report: report('ok'), config, github: fake.gh, now: NOW });
    expect(second[0]?.action).toBe('closed');
    expect(fake.issues.get(42)?.state).toBe('closed');
    expect(fake.issues.get(42)?.state_reason).toBe('completed');
    expect(
      fake.calls.some(
        (c) => c.path.endsWith('/42/comments') && String(c.body?.body).startsWith('✅ Recovered'),
      ),
    ).toBe(true);
  });

  it('does nothing when the window had too little data to judge', async () => {
    const fake = fakeGitHub({ issues: 'issues-open-with-incident.json' });
    const out = await handleIncidents({
      db,
      report: report('insufficient'),
      config,
      github: fake.gh,
      now: NOW,
    });
    expect(out.map((o) => o.action)).toEqual(['none', 'none']);
    expect(fake.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('still opens the incident when the dispatch is refused, and says which permission is missing', async () => {
    await db.exec('DELETE FROM monitor_incidents; DELETE FROM monitor_events;');
    const fake = fakeGitHub({ issues: 'issues-open-none.json', dispatchStatus: 403 });
    const [drift] = await handleIncidents({ db, report: report('alert'), config, github: fake.gh, now: NOW });
    expect(drift?.action).toBe('opened');
    expect(drift?.retrain).toBe('failed');
    expect(drift?.retrainDetail).toMatch(/actions: write/);
    expect(String(fake.issues.get(43)?.body)).toMatch(
      /Retraining:\*\* failed: GitHub: dispatching train.yml failed \(403\)/,
    );
    // A failed request does not start the cooldown: the next run tries again.
    const again = fakeGitHub({ issues: 'issues-open-none.json' });
    const [retry] = await handleIncidents({
      db,
      report: report('alert'),
      config,
      github: again.gh,
      now: NOW,
    });
    expect(retry?.retrain).toBe('requested');
  });

  it('tracks incidents in the store alone when GitHub is not configured', async () => {
    await db.exec('DELETE FROM monitor_incidents; DELETE FROM monitor_events;');
    const a = await handleIncidents({ db, report: report('alert'), config, now: NOW });
    const b = await handleIncidents({
      db,
      report: report('alert'),
      config,
      now: new Date(NOW.getTime() + 3_600_000),
    });
    expect(a[0]).toMatchObject({ action: 'opened', retrain: 'recorded', issue: null });
    expect(b[0]).toMatchObject({ action: 'updated', retrain: 'cooldown' });
    const events = await db.query<{ event: string }>('SELECT event FROM monitor_events ORDER BY id');
    expect(events.map((e) => e.event)).toEqual(['retrain_requested', 'opened', 'retrain_skipped', 'updated']);
    const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM monitor_incidents');
    expect(count?.n).toBe(1);
  });
});
