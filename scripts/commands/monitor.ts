import type { Command } from 'commander';
import { loadDriftConfig, parseDuration } from '../../config/drift';
import { loadModelsConfig } from '../../config/models';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { createFamilyRegistry, parseModelId } from '../../models/families';
import { parseLabelMap, readDataset } from '../../pipeline/monitor/dataset';
import { importFeedback } from '../../pipeline/monitor/feedback';
import { type ReferenceSnapshot, saveReference, scoreReference } from '../../pipeline/monitor/reference';
import { referenceFromWindow } from '../../pipeline/monitor/reference-window';
import { formatReport } from '../../pipeline/monitor/report';
import { openMonitorStore, runMonitorStage } from '../../pipeline/monitor/stage';
import { action, printJsonLine } from '../cli/run';

interface MonitorFlags {
  window?: string;
  until?: string;
  model?: string;
  json?: boolean;
  alerts: boolean;
  store: boolean;
  config?: string;
}

interface ReferenceFlags {
  model?: string;
  data?: string;
  from?: string;
  to?: string;
  train?: string;
  compare?: string;
  fingerprint?: string;
  json?: boolean;
}

/**
 * `monitor` and `monitor reference` share --model and --json; commander hands those to the
 * parent when they follow the subcommand, so the subcommand reads both (its own win).
 */
function withParent<T extends object>(own: T, cmd: Command): T {
  return { ...(cmd.parent?.opts() ?? {}), ...own };
}

function report(json: boolean | undefined, id: string, snapshot: ReferenceSnapshot): void {
  if (json) {
    printJsonLine({
      id,
      model: snapshot.model,
      version: snapshot.version,
      source: snapshot.source,
      n: snapshot.n,
      vocabulary: snapshot.vocabulary.length,
      tickers: snapshot.tickers.length,
      labels: snapshot.labels,
    });
    return;
  }
  process.stdout.write(
    `stored reference ${id} for ${snapshot.model}@${snapshot.version} (${snapshot.source.kind} ${snapshot.source.name}): ` +
      `${snapshot.n} predictions, ${snapshot.vocabulary.length} vocabulary words, ${snapshot.tickers.length} tickers\n`,
  );
}

function parseUntil(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new InputError(`--until "${text}" is not a date: use ISO 8601, e.g. 2026-03-01T00:00:00Z`);
  return d;
}

/** `finsent monitor`: drift, live performance, incidents; plus `reference` and `feedback` helpers. */
export function registerMonitor(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('compare the recent prediction log with the reference: drift, live performance, alerts')
    .option('--window <duration>', 'current window length, e.g. 1h, 24h, 7d (default: config/drift.yaml)')
    .option('--until <iso-date>', 'end of the window (default: now)')
    .option('--model <families>', 'comma-separated families (default: config, else the serving default)')
    .option('--config <file>', 'drift config file', undefined)
    .option('--no-alerts', 'do not open/update/close incidents or request retraining')
    .option('--no-store', 'do not write drift_metrics / model_performance (read-only run)')
    .option('--json', 'print the report as one JSON object')
    .action(
      action(async (flags: MonitorFlags) => {
        const config = loadDriftConfig(flags.config);
        const windowMs = flags.window ? parseDuration(flags.window) : undefined;
        const until = parseUntil(flags.until);
        const env = readEnv();
        const db = await openMonitorStore(env);
        try {
          const { report, incidents } = await runMonitorStage({
            db,
            env,
            config,
            ...(flags.model ? { models: flags.model.split(',').map((m) => m.trim()) } : {}),
            ...(windowMs ? { windowMs } : {}),
            ...(until ? { until } : {}),
            alerts: flags.alerts && flags.store,
            persist: flags.store,
          });
          if (flags.json) printJsonLine({ ...report, incidents });
          else process.stdout.write(`${formatReport(report, incidents)}\n`);
        } finally {
          await db.close();
        }
      }),
    );

  monitor
    .command('reference')
    .description("build the drift reference: score a dataset (the champion's evaluation data) with the model")
    .option('--model <id>', 'model id, e.g. vader or vader@1.2.0 (required)')
    .option('--data <file>', 'CSV (header with text[,label,ticker]) or JSONL of reference texts')
    .option('--from <iso-date>', 'instead of --data: start of a past window of the prediction log')
    .option('--to <iso-date>', 'with --from: end of that window')
    .option(
      '--train <file>',
      "the champion's training texts, for its vocabulary and tickers (default: --data)",
    )
    .option('--compare <id>', 'also score with this model, for the disagreement baseline (e.g. finbert)')
    .option('--fingerprint <sha>', 'training-data fingerprint from the release manifest')
    .option('--json', 'print the stored reference summary as JSON')
    .action(
      action(async (own: ReferenceFlags, cmd: Command) => {
        const flags = withParent(own, cmd);
        if (!flags.model || (!flags.data && !(flags.from && flags.to))) {
          throw new InputError(
            'monitor reference needs --model <id> and either --data <file> or --from/--to (a past window), e.g. --model vader --data eval.csv',
          );
        }
        const env = readEnv();
        if (!flags.data) {
          const id = parseModelId(flags.model);
          const champion = loadModelsConfig().families[id.family]?.champion ?? 'builtin';
          const db = await openMonitorStore(env);
          try {
            const snapshot = await referenceFromWindow(
              db,
              { model: id.family, from: parseUntil(flags.from)!, to: parseUntil(flags.to)! },
              { version: id.version ?? champion },
            );
            const stored = await saveReference(db, snapshot);
            report(flags.json, stored.id, snapshot);
          } finally {
            await db.close();
          }
          return;
        }
        const models = loadModelsConfig();
        const registry = createFamilyRegistry();
        const context = { env, championOf: (f: string) => models.families[f]?.champion };
        const model = await registry.load(flags.model, context);
        const compareWith = flags.compare ? await registry.load(flags.compare, context) : undefined;
        const rows = readDataset(flags.data).map((r) => ({ text: r.text, ticker: r.ticker ?? null }));
        const trainingTexts = flags.train ? readDataset(flags.train).map((r) => r.text) : undefined;
        const snapshot = await scoreReference({
          model,
          rows,
          sourceName: flags.data.split('/').pop() ?? flags.data,
          ...(trainingTexts ? { trainingTexts } : {}),
          ...(flags.fingerprint ? { fingerprint: flags.fingerprint } : {}),
          ...(compareWith ? { compareWith } : {}),
        });
        await model.close?.();
        await compareWith?.close?.();
        const db = await openMonitorStore(env);
        try {
          const stored = await saveReference(db, snapshot);
          report(flags.json, stored.id, snapshot);
        } finally {
          await db.close();
        }
      }),
    );

  monitor
    .command('feedback')
    .description(
      'import a labelled dataset as feedback, so live accuracy covers the logged predictions of its texts',
    )
    .option('--data <file>', 'CSV (header with text,label) or JSONL (required)')
    .option('--name <name>', 'dataset name recorded as the feedback source (default: file name)')
    .option('--label-map <map>', 'for numeric labels, e.g. 0=negative,1=positive,2=neutral')
    .action(
      action(async (flags: { data?: string; name?: string; labelMap?: string }) => {
        if (!flags.data)
          throw new InputError('monitor feedback needs --data <file> with text and label columns');
        const rows = readDataset(flags.data, flags.labelMap ? parseLabelMap(flags.labelMap) : {});
        const labelled = rows.filter((r): r is { text: string; label: string } => r.label !== undefined);
        if (labelled.length === 0)
          throw new InputError(`${flags.data} has no label column: feedback needs labels`);
        const db = await openMonitorStore(readEnv());
        try {
          const n = await importFeedback(
            db,
            labelled,
            flags.name ?? flags.data.split('/').pop() ?? 'dataset',
          );
          process.stdout.write(`imported ${n} labelled texts as feedback\n`);
        } finally {
          await db.close();
        }
      }),
    );
}
