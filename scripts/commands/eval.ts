import type { Command } from 'commander';
import { InputError } from '../../lib/errors';
import { loadDataset } from '../../models/datasets/load';
import { assertFormat } from '../../models/datasets/parse';
import { type DatasetOptions, ENCODINGS, type Encoding } from '../../models/datasets/types';
import { evaluateModel } from '../../models/evaluation/evaluate';
import { renderEvalReport } from '../../models/evaluation/render';
import type { EvalReport } from '../../models/evaluation/report';
import { action } from '../cli/run';
import { type CommandDeps, defaultDeps, modelLoadContext, nonNegativeInt, positiveInt } from './score';

export interface EvalOptions extends DatasetOptions {
  model: string;
  data: string;
  json?: boolean;
  batchSize?: number;
  latencySample?: number;
  warmupTexts?: number;
}

const SHOWN_WARNINGS = 10;

/**
 * Evaluates a model on a labelled file and prints the report (a table, or JSON with `json`).
 * Bad rows of the file are listed on stderr and counted in the report.
 */
export async function runEval(options: EvalOptions, deps: CommandDeps): Promise<EvalReport> {
  deps.registry.resolve(options.model); // unknown id: fail before reading anything
  const {
    model: modelId,
    data: file,
    json,
    batchSize,
    latencySample,
    warmupTexts,
    ...datasetOptions
  } = options;
  const dataset = await loadDataset(file, datasetOptions);
  if (dataset.warnings.length > 0) {
    const lines = dataset.warnings.slice(0, SHOWN_WARNINGS).map((w) => `  ${w.file}:${w.line}: ${w.message}`);
    const more = dataset.warnings.length - SHOWN_WARNINGS;
    deps.stderr.write(
      `finsent: skipped ${dataset.warnings.length} bad row(s) of ${file} (use --strict to fail instead):\n${lines.join('\n')}\n` +
        (more > 0 ? `  … and ${more} more (all are counted in the report; --json lists up to 50)\n` : ''),
    );
  }
  const model = await deps.registry.load(modelId, modelLoadContext(deps.env));
  try {
    const evaluateOptions: Parameters<typeof evaluateModel>[2] = { modelId, dataset };
    if (batchSize !== undefined) evaluateOptions.batchSize = batchSize;
    if (latencySample !== undefined) evaluateOptions.latencySample = latencySample;
    if (warmupTexts !== undefined) evaluateOptions.warmupTexts = warmupTexts;
    const report = await evaluateModel(model, dataset.rows, evaluateOptions);
    deps.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderEvalReport(report));
    return report;
  } finally {
    await model.close?.();
  }
}

function encoding(value: unknown): Encoding | undefined {
  if (value === undefined) return undefined;
  if (!(ENCODINGS as readonly unknown[]).includes(value)) {
    throw new InputError(`unknown encoding "${String(value)}": use ${ENCODINGS.join(', ')}`);
  }
  return value as Encoding;
}

/** Turns commander's option bag into EvalOptions, validating every value. */
export function parseEvalOptions(opts: Record<string, unknown>): EvalOptions {
  const out: EvalOptions = {
    model: String(opts.model),
    data: String(opts.data),
    json: opts.json === true,
    strict: opts.strict === true,
    batchSize: positiveInt(opts.batchSize ?? 64, '--batch-size'),
    latencySample: nonNegativeInt(opts.latencySample ?? 200, '--latency-sample'),
    warmupTexts: nonNegativeInt(opts.warmup ?? 256, '--warmup'),
  };
  if (typeof opts.format === 'string') out.format = assertFormat(opts.format);
  if (typeof opts.textColumn === 'string') out.textColumn = opts.textColumn;
  if (typeof opts.labelColumn === 'string') out.labelColumn = opts.labelColumn;
  if (typeof opts.labelMap === 'string') out.labelMap = opts.labelMap;
  const enc = encoding(opts.encoding);
  if (enc) out.encoding = enc;
  return out;
}

const EXAMPLES = `
Formats come from the extension (.jsonl/.ndjson, .csv, .tsv, .txt = Financial PhraseBank) unless
--format says otherwise. Labels may be positive/negative/neutral or bullish/bearish; numeric
labels need --label-map. Bad rows are listed on stderr and skipped (--strict fails instead).

Latency is wall-clock time inside model.predict: "batched" attributes each timed call of
--batch-size texts evenly to its texts; "single text" times predict([text]) on an evenly spaced
sample of --latency-sample texts. An untimed warm-up (up to 256 texts) runs first. See docs/evaluation.md.

Examples:
  $ finsent eval --model vader-base --data models/data/finsent-headlines.test.jsonl
  $ finsent eval -m vader-base -d sent_valid.csv --label-map 0=bearish,1=bullish,2=neutral --json > report.json
  $ finsent eval -m vader-base -d Sentences_AllAgree.txt             # Financial PhraseBank, latin-1
  $ finsent eval -m vader-base -d news.tsv --text-column headline --label-column sentiment`;

export function registerEval(program: Command, overrides: Partial<CommandDeps> = {}): void {
  program
    .command('eval')
    .description(
      'evaluate a model on a labelled file: accuracy, macro-F1, per-class, confusion, ECE, latency',
    )
    .requiredOption('-m, --model <id>', 'model id: a family (its champion), family@1.2.0 or family@builtin')
    .requiredOption('-d, --data <file>', 'labelled file: JSONL, CSV, TSV or Financial PhraseBank')
    .option('-f, --format <format>', 'jsonl | csv | tsv | phrasebank (default: from the extension)')
    .option('--text-column <name>', 'column (CSV/TSV) or field (JSONL) holding the text', 'text')
    .option('--label-column <name>', 'column (CSV/TSV) or field (JSONL) holding the label', 'label')
    .option('--label-map <map>', 'extra label names, e.g. 0=negative,1=positive,2=neutral')
    .option('--encoding <encoding>', 'utf8 | latin1 | auto (default: utf8; auto for PhraseBank)')
    .option('--strict', 'fail on the first bad row instead of skipping it')
    .option('--batch-size <n>', 'texts per timed predict call', '64')
    .option('--latency-sample <n>', 'texts timed one at a time (0 to skip)', '200')
    .option('--warmup <n>', 'texts scored untimed before measuring (0 to skip)', '256')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', EXAMPLES)
    .action(
      action(async (opts: Record<string, unknown>) => {
        await runEval(parseEvalOptions(opts), defaultDeps(overrides));
      }),
    );
}
