import path from 'node:path';
import type { JobContext, Stage, StageOutcome } from '../main-job';
import { type Db, StoreError } from '../store/db';
import {
  DEFAULT_EXPORT_DIR,
  type ExportSnapshotsOptions,
  exportSnapshots,
  type SectionOutcome,
  writeSnapshots,
} from './index';

export interface ExportStageOptions extends ExportSnapshotsOptions {
  /** Folder the section files go to. Default: dashboard/public/data. */
  outDir?: string;
}

export interface ExportStageResult {
  outDir: string;
  files: string[];
  outcomes: SectionOutcome[];
}

/** The per-section lines `finsent export` and the main job print. */
export function renderOutcomes(outcomes: readonly SectionOutcome[]): string {
  const width = Math.max(...outcomes.map((o) => o.section.length));
  const mark = { ok: '✓', empty: '·', failed: '✗' } as const;
  return outcomes
    .map(
      (o) =>
        `  ${mark[o.status]} ${o.section.padEnd(width)}  ${o.status === 'ok' ? 'data' : `${o.status}: ${o.reason ?? ''}`}`,
    )
    .join('\n');
}

/**
 * Exports every dashboard section from `db` into `outDir`. Shared by the CLI and the main job.
 *
 * @example const r = await exportToDir(db, { outDir: 'dashboard/public/data' }); r.files.length // 9
 */
export async function exportToDir(db: Db, options: ExportStageOptions = {}): Promise<ExportStageResult> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_EXPORT_DIR);
  const { outDir: _o, ...snapshotOptions } = options;
  const { snapshots, outcomes } = await exportSnapshots(db, snapshotOptions);
  return { outDir, files: writeSnapshots(outDir, snapshots), outcomes };
}

/**
 * The main job's export stage: writes the dashboard's JSON snapshots from the job's store.
 * A section whose query failed fails the stage (after every file is written).
 *
 * @example const outcome = await runExportStage(ctx); outcome.summary // "9 sections → dashboard/public/data (4 with data, 5 empty)"
 */
export async function runExportStage(
  ctx: JobContext,
  options: ExportStageOptions = {},
): Promise<StageOutcome<ExportStageResult>> {
  const result = await exportToDir(await ctx.db(), options);
  const count = (s: SectionOutcome['status']) => result.outcomes.filter((o) => o.status === s).length;
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) {
    throw new StoreError(
      `${failed.length} dashboard section(s) failed to export: ${failed.map((f) => f.reason ?? f.section).join('; ')}`,
      {
        action: 'exporting dashboard data',
      },
    );
  }
  return {
    result,
    text: renderOutcomes(result.outcomes),
    summary: `${result.outcomes.length} sections → ${path.relative(process.cwd(), result.outDir) || '.'} (${count('ok')} with data, ${count('empty')} empty)`,
  };
}

export function exportStage(options: ExportStageOptions = {}): Stage<ExportStageResult> {
  return { name: 'export', title: 'dashboard data snapshots', run: (ctx) => runExportStage(ctx, options) };
}
