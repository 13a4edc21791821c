import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadQualityConfig } from '../../config/quality';
import { loadSourcesConfig } from '../../config/sources';
import { readEnv } from '../../lib/env';
import { openDataDb } from '../../pipeline/collect/open';
import type { CollectHooks, CollectResult, SourceRunResult } from '../../pipeline/collect/run';
import { parseSince } from '../../pipeline/collect/since';
import { runCollectStage } from '../../pipeline/collect/stage';
import { planSources } from '../../pipeline/sources/registry';
import { action, printJsonLine } from '../cli/run';

function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim())].filter(Boolean);
}

/**
 * Progress for long runs: live bars per source on a terminal, one plain line per stored batch
 * otherwise (CI logs). Always on stderr, so `--json` output on stdout stays parseable.
 */
export function progressHooks(stream: NodeJS.WriteStream = process.stderr): {
  hooks: CollectHooks;
  stop(): void;
} {
  if (!stream.isTTY) {
    return {
      hooks: {
        onBatch: ({ source, label, batch }) => {
          stream.write(
            `[collect] ${source}${label ? ` ${label}` : ''}: ${batch.newArticles} new, ${batch.merged} merged, ` +
              `${batch.unchanged} unchanged, ${batch.quarantined} quarantined\n`,
          );
        },
        onSourceEnd: (r) =>
          stream.write(`[collect] ${r.source}: ${r.status}${r.error ? ` — ${r.error}` : ''}\n`),
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: false,
      hideCursor: true,
      format: ' {source} {state} | {fetched} items · {new} new · {merged} merged · {quarantined} quarantined',
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const payload = (r: SourceRunResult, state: string) => ({
    source: r.source.padEnd(14),
    state: state.padEnd(12),
    fetched: r.fetched,
    new: r.newArticles,
    merged: r.merged,
    quarantined: r.quarantined,
  });
  return {
    hooks: {
      onSourceStart: ({ source }) => {
        bars.set(
          source,
          multi.create(0, 0, {
            source: source.padEnd(14),
            state: 'collecting',
            fetched: 0,
            new: 0,
            merged: 0,
            quarantined: 0,
          }),
        );
      },
      onBatch: ({ source, totals }) => bars.get(source)?.update(0, payload(totals, 'collecting')),
      onSourceEnd: (r) => {
        const bar = bars.get(r.source) ?? multi.create(0, 0, payload(r, r.status));
        bar.update(0, payload(r, r.status));
      },
    },
    stop: () => multi.stop(),
  };
}

function table(result: CollectResult): string {
  const head = ['source', 'status', 'items', 'new', 'merged', 'unchanged', 'quarantined', 'watermark'];
  const rows = result.sources.map((s) => [
    s.source,
    s.status,
    String(s.fetched),
    String(s.newArticles),
    String(s.merged),
    String(s.unchanged),
    String(s.quarantined),
    s.watermarkAfter?.toISOString() ?? '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  const notes = result.sources.filter((s) => s.error).map((s) => `  ${s.source}: ${s.error}`);
  return [
    `collection run ${result.runId}: ${result.status}`,
    line(head),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description('collect headlines from the configured sources into raw_data (bad items go to quarantine)')
    .option('-s, --source <name>', 'only this source; repeat or comma-separate for several', collectList, [])
    .option(
      '--since <time>',
      "collect from this time (ISO, or 6h / 3d back) instead of each source's watermark",
    )
    .option('--config <file>', 'sources configuration', 'config/sources.yaml')
    .option('--quality <file>', 'data-quality rules', 'config/quality.yaml')
    .option('--sample <file>', 'JSONL file for the sample source')
    .option('--json', 'print the run as one JSON object')
    .addHelpText(
      'after',
      '\nKeys come from FINNHUB_API_KEY, ALPHA_VANTAGE_API_KEY and POLYGON_API_KEY; a keyed source without its key is skipped.\n' +
        'Exit status: 0 when at least one source succeeded, 1 when every source that ran failed, 2 on bad input.',
    )
    .action(
      action(
        async (opts: {
          source: string[];
          since?: string;
          config: string;
          quality: string;
          sample?: string;
          json?: boolean;
        }) => {
          const since = opts.since ? parseSince(opts.since) : undefined;
          const sourcesConfig = loadSourcesConfig(path.resolve(opts.config));
          const quality = loadQualityConfig(path.resolve(opts.quality));
          // Unknown source names fail here, before the database is opened.
          planSources(sourcesConfig, { only: opts.source });
          const env = readEnv();
          const db = await openDataDb({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
          const progress = progressHooks();
          const abort = new AbortController();
          const onSignal = () => abort.abort(new Error('interrupted'));
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          let result: CollectResult;
          try {
            result = await runCollectStage(
              { db, signal: abort.signal },
              {
                sources: opts.source,
                since,
                sourcesConfig,
                quality,
                samplePath: opts.sample ? path.resolve(opts.sample) : undefined,
                trigger: 'cli',
                hooks: progress.hooks,
                failOn: 'never',
              },
            );
          } finally {
            progress.stop();
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            await db.close();
          }
          if (opts.json) printJsonLine(result);
          else process.stdout.write(`${table(result)}\n`);
          if (result.status === 'failed') {
            process.stderr.write('finsent: every source that ran failed; see the errors above\n');
            process.exitCode = 1;
          }
        },
      ),
    );
}
