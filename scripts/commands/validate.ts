import path from 'node:path';
import type { Command } from 'commander';
import { loadQualityConfig } from '../../config/quality';
import { readEnv } from '../../lib/env';
import { openDataDb } from '../../pipeline/collect/open';
import type { QualityReport } from '../../pipeline/validate/run';
import { runValidateStage } from '../../pipeline/validate/stage';
import { action, printJsonLine } from '../cli/run';

function render(report: QualityReport): string {
  const rows = report.rules.map((r) => [
    r.status.toUpperCase(),
    `${r.rule}${r.source ? `[${r.source}]` : ''}`,
    r.threshold ?? '',
    r.message,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length), 4));
  const lines = rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i] as number) : c)).join('  '));
  const counts = Object.entries(report.counts).map(
    ([s, c]) =>
      `  ${s}: ${c.runs} run(s), ${c.fetched} items, ${c.newArticles} new, ${c.merged} merged, ${c.quarantined} quarantined` +
      `${c.errors.length ? ` — ${c.errors[0]}` : ''}`,
  );
  return [
    `data quality report ${report.id}: ${report.verdict.toUpperCase()}`,
    ...counts,
    '',
    ...lines,
    '',
    report.summary,
  ].join('\n');
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check what was collected since the last report, quarantine bad rows, write a quality report',
    )
    .option('--quality <file>', 'data-quality rules', 'config/quality.yaml')
    .option('--json', 'print the report as one JSON object')
    .addHelpText('after', '\nExit status: 0 for pass or warn, 1 when the verdict is fail, 2 on bad input.')
    .action(
      action(async (opts: { quality: string; json?: boolean }) => {
        const quality = loadQualityConfig(path.resolve(opts.quality));
        const env = readEnv();
        const db = await openDataDb({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
        const tty = process.stderr.isTTY;
        let report: QualityReport;
        try {
          report = await runValidateStage(
            { db },
            {
              quality,
              noThrow: true,
              onProgress: ({ checked, quarantined }) =>
                process.stderr.write(
                  `${tty ? '\r' : ''}[validate] ${checked} rows checked, ${quarantined} quarantined${tty ? '' : '\n'}`,
                ),
            },
          );
        } finally {
          if (tty) process.stderr.write('\n');
          await db.close();
        }
        if (opts.json) printJsonLine(report);
        else process.stdout.write(`${render(report)}\n`);
        if (report.verdict === 'fail') {
          process.stderr.write(
            `finsent: the quality gate failed (report ${report.id}); see the failing rules above\n`,
          );
          process.exitCode = 1;
        }
      }),
    );
}
