import { loadQualityConfig, type QualityConfig } from '../../config/quality';
import { DataError } from '../../lib/errors';
import type { StageContext } from '../collect/stage';
import { type QualityReport, validateCollected } from './run';

/** The quality gate failed: the report is stored, and `report` says which rules failed. */
export class QualityGateError extends DataError {
  readonly report: QualityReport;
  constructor(report: QualityReport) {
    super(
      `data quality report ${report.id} failed the gate — ${report.summary}. ` +
        'Inspect the quarantine table and the failing sources, then re-run collect and validate.',
      { action: 'validating', reportId: report.id },
    );
    this.report = report;
  }
}

export interface ValidateStageOptions {
  quality?: QualityConfig;
  onProgress?(e: { checked: number; quarantined: number }): void;
  /** Return the failing report instead of throwing (the CLI prints it first). */
  noThrow?: boolean;
}

/**
 * The validate stage for the main job, the CLI and the action. Writes a report to
 * data_quality_reports every time; a `fail` verdict throws QualityGateError after writing.
 *
 * @example
 * const report = await runValidateStage({ db });
 * console.log(report.verdict, report.summary);
 */
export async function runValidateStage(
  ctx: StageContext,
  o: ValidateStageOptions = {},
): Promise<QualityReport> {
  const report = await validateCollected({
    db: ctx.db,
    quality: o.quality ?? loadQualityConfig(),
    now: ctx.now,
    onProgress: o.onProgress,
  });
  if (report.verdict === 'fail' && !o.noThrow) throw new QualityGateError(report);
  return report;
}
