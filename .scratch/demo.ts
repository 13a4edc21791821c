import { readEnv } from '../lib/env';
import { buildReferenceSnapshot, saveReference } from '../pipeline/monitor/reference';
import { openMonitorStore } from '../pipeline/monitor/stage';
import { logPredictions } from '../tests/fixtures/monitor/log';
import { asReferenceRows, companion, synthetic } from '../tests/fixtures/monitor/synthetic';

const db = await openMonitorStore(readEnv());
const ref = synthetic({ n: 3000, seed: 1 });
await saveReference(
  db,
  buildReferenceSnapshot({
    model: 'vader',
    version: 'builtin',
    sourceName: 'sent_valid.csv',
    rows: asReferenceRows(ref),
    predictions: ref.map((r) => r.prediction),
    compare: {
      models: ['vader', 'finbert'],
      predictions: companion(ref, 'finbert', 0.2, 2).map((r) => r.prediction),
    },
  }),
);
const cur = synthetic({ n: 4000, seed: 3, shift: 0.2, newWordShare: 0.15 });
await logPredictions(db, cur, {
  from: new Date('2026-03-01T00:00:00Z'),
  to: new Date('2026-03-02T00:00:00Z'),
  prefix: 'c',
  version: 'builtin',
  latency: (i) => 2 + (i % 50),
});
await logPredictions(db, companion(cur, 'finbert', 0.3, 4), {
  from: new Date('2026-03-01T00:00:00Z'),
  to: new Date('2026-03-02T00:00:00Z'),
  prefix: 'f',
  shadow: true,
});
await db.close();
