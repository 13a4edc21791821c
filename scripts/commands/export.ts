import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_EXPORT_DIR } from '../../pipeline/export/index';
import {
  type ExportStageOptions,
  type ExportStageResult,
  exportToDir,
  renderOutcomes,
} from '../../pipeline/export/stage';
import { openDb } from '../../pipeline/store/db';
import { migrate } from '../../pipeline/store/migrate';
import { action, EXIT_FAILURE } from '../cli/run';
import { type CommandDeps, defaultDeps, positiveInt } from './score';

export interface ExportCommandOptions extends ExportStageOptions {
  json?: boolean;
}

/**
 * `finsent export`: opens the store (DATABASE_URL, else the embedded PGlite under
 * FINSENT_DATA_DIR), writes one JSON file per dashboard section, and lists each section's state.
 */
export async function runExport(
  options: ExportCommandOptions,
  deps: CommandDeps,
): Promise<ExportStageResult> {
  const db = await openDb({
    databaseUrl: deps.env.databaseUrl,
    dataDir: path.join(deps.env.dataDir, 'pglite'),
  });
  try {
    await migrate(db);
    const { json, ...rest } = options;
    const result = await exportToDir(db, rest);
    if (json) {
      deps.stdout.write(
        `${JSON.stringify({ out: result.outDir, files: result.files, sections: result.outcomes }, null, 2)}\n`,
      );
    } else {
      deps.stdout.write(
        `wrote ${result.files.length} files to ${result.outDir}\n${renderOutcomes(result.outcomes)}\n`,
      );
    }
    return result;
  } finally {
    await db.close();
  }
}

const EXAMPLES = `
Each section (overview, models, comparisons, drift, quality, promotions, traffic, predictions,
tickers) becomes <section>.json with generated_at and schema_version; a section whose table does
not exist yet is exported empty with the reason. Files are replaced atomically. See docs/dashboard.md.

Examples:
  $ finsent export                                  # → dashboard/public/data
  $ finsent export --out /tmp/finsent-data --json
  $ DATABASE_URL=postgres://… finsent export --days 14 --include-text`;

export function registerExport(program: Command, overrides: Partial<CommandDeps> = {}): void {
  program
    .command('export')
    .description('write the dashboard JSON snapshots (one file per section) from the store')
    .option(
      '-o, --out <dir>',
      'folder to write the section files to',
      path.relative(process.cwd(), DEFAULT_EXPORT_DIR) || '.',
    )
    .option('--days <n>', 'days of predictions, drift and ticker history to include', '30')
    .option('--recent <n>', 'recent predictions to list', '25')
    .option('--include-text', 'include prediction texts (off: the dashboard may be public)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', EXAMPLES)
    .action(
      action(async (opts: Record<string, unknown>) => {
        const result = await runExport(
          {
            outDir: String(opts.out),
            days: positiveInt(opts.days, '--days'),
            recentLimit: positiveInt(opts.recent, '--recent'),
            includeText: opts.includeText === true,
            json: opts.json === true,
          },
          defaultDeps(overrides),
        );
        if (result.outcomes.some((o) => o.status === 'failed')) process.exitCode = EXIT_FAILURE;
      }),
    );
}
