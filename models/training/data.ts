import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataFile, TrainingConfig } from '../../config/training';
import { DataError, InputError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import { fingerprintRows } from '../datasets/fingerprint';
import { loadDataset } from '../datasets/load';
import { splitRows } from '../datasets/split';
import type { RowWarning } from '../datasets/types';
import type { Label } from '../types';
import type { LabelledText } from './types';

/**
 * Where training data comes from: a dataset named in config/training.yaml (local files or
 * sha256-pinned URLs) or a file given on the command line. URLs are downloaded once into
 * `$FINSENT_DATA_DIR/datasets/` and verified on every use.
 */
export interface DataContext {
  dataDir: string;
  /** Injected for tests; real runs use the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Base for relative paths in the config (the repository root). */
  root?: string;
  /** Download timeout in ms. */
  timeoutMs?: number;
}

export interface LabelledSet {
  /** Where the rows came from (a path, or `dataset/part`). */
  source: string;
  rows: LabelledText[];
  /** models/datasets' fingerprint: the same rows give the same value whatever the file format. */
  fingerprint: string;
  /** Rows of the file that could not be used (bad JSON, unknown label…), with their lines. */
  warnings: RowWarning[];
}

/** The Twitter Financial News Sentiment card: 0 bearish, 1 bullish, 2 neutral. */
export const TWITTER_FINANCIAL_LABELS: Record<string, Label> = {
  '0': 'negative',
  '1': 'positive',
  '2': 'neutral',
};

/**
 * Loads one labelled file (JSONL, CSV, TSV or Financial PhraseBank) with models/datasets.
 * Bad rows are kept out and listed in `warnings`; a file with no usable row is a DataError
 * naming the first bad line.
 *
 *   const set = await loadLabelledSet('models/data/finsent-headlines.test.jsonl');
 */
export async function loadLabelledSet(
  file: string,
  labelMap: Record<string, Label> = {},
): Promise<LabelledSet> {
  const dataset = await loadDataset(file, Object.keys(labelMap).length > 0 ? { labelMap } : {});
  return {
    source: file,
    rows: dataset.rows.map(({ text, label }) => ({ text, label })),
    fingerprint: dataset.fingerprint,
    warnings: dataset.warnings,
  };
}

/** A local path for a data file: the repository file, or the verified download of a URL. */
export async function resolveDataFile(file: DataFile, ctx: DataContext): Promise<string> {
  if (typeof file === 'string') {
    const local = path.resolve(ctx.root ?? REPO_ROOT, file);
    if (!existsSync(local)) {
      throw new DataError(
        `training data ${file} does not exist (looked at ${local}); check config/training.yaml or --data`,
        {
          input: file,
        },
      );
    }
    return local;
  }
  const name = file.fileName ?? (path.basename(new URL(file.url).pathname) || 'data');
  const target = path.join(ctx.dataDir, 'datasets', `${file.sha256.slice(0, 16)}-${name}`);
  if (existsSync(target)) {
    const digest = sha256File(target);
    if (digest === file.sha256) return target;
    // A corrupted cache entry is downloaded again rather than trusted.
  }
  const doFetch = ctx.fetch ?? globalThis.fetch;
  let body: Buffer;
  try {
    const res = await doFetch(file.url, {
      signal: AbortSignal.timeout(ctx.timeoutMs ?? 120_000),
      redirect: 'follow',
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new DataError(
      `could not download ${file.url} (${cause}). If this machine is offline, fetch the file elsewhere and put it at ` +
        `${target} (sha256 ${file.sha256}), or train on a local file with --data FILE`,
      { action: 'downloading training data', input: file.url },
      { cause: error },
    );
  }
  const digest = createHash('sha256').update(body).digest('hex');
  if (digest !== file.sha256) {
    throw new DataError(
      `${file.url} has sha256 ${digest}, but config/training.yaml pins ${file.sha256}: the file changed upstream or the ` +
        'download was altered; check it, then update the pin (nothing was cached)',
      { input: file.url, expected: file.sha256, actual: digest },
    );
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, target);
  return target;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface TrainingData {
  /** The dataset's name (config) or the file given. */
  name: string;
  train: LabelledSet;
  validation: LabelledSet;
  test: LabelledSet;
  /** Which parts were cut from the training file because the dataset has none of its own. */
  derived: { validation: boolean; test: boolean };
}

export interface DataRequest {
  /** A dataset name from config/training.yaml, or a path to a labelled file. */
  data: string;
  /** A separate validation file (overrides the dataset's). */
  validation?: string;
  /** A separate test file. */
  test?: string;
}

/**
 * Resolves training, validation and test parts. Parts the dataset does not provide are cut from
 * the training file with the config's stratified, seeded split — never overlapping.
 */
export async function loadTrainingData(
  req: DataRequest,
  config: TrainingConfig,
  ctx: DataContext,
): Promise<TrainingData> {
  const named = config.datasets[req.data];
  const looksLikeFile = /[/\\]|\.(jsonl|ndjson|csv|txt)$/i.test(req.data);
  if (!named && !looksLikeFile) {
    throw new InputError(
      `"${req.data}" is neither a dataset in config/training.yaml (${Object.keys(config.datasets).join(', ')}) nor a data file`,
      { input: req.data },
    );
  }
  const labelMap = named?.labelMap ?? {};
  const load = async (file: DataFile, part: string): Promise<LabelledSet> => {
    const local = await resolveDataFile(file, {
      ...ctx,
      root: named ? (ctx.root ?? REPO_ROOT) : process.cwd(),
    });
    const set = await loadLabelledSet(local, labelMap);
    return { ...set, source: named ? `${req.data}/${part}` : local };
  };
  const train = await load(named ? named.train : req.data, 'train');
  const valFile = req.validation ?? named?.validation;
  const testFile = req.test ?? named?.test;
  const validation = valFile ? await load(valFile, 'validation') : undefined;
  const test = testFile ? await load(testFile, 'test') : undefined;
  if (validation && test)
    return { name: req.data, train, validation, test, derived: { validation: false, test: false } };

  const split = splitRows(train.rows, {
    seed: config.split.seed,
    validation: validation ? 0 : config.split.validation,
    test: test ? 0 : config.split.test,
  });
  const part = (rows: LabelledText[], name: string): LabelledSet => ({
    source: `${train.source}#${name}`,
    rows,
    fingerprint: fingerprintRows(rows),
    warnings: name === 'train' ? train.warnings : [],
  });
  const out: TrainingData = {
    name: req.data,
    train: part(split.train, 'train'),
    validation: validation ?? part(split.validation, 'validation'),
    test: test ?? part(split.test, 'test'),
    derived: { validation: !validation, test: !test },
  };
  for (const [name, set] of [
    ['training', out.train],
    ['validation', out.validation],
  ] as const) {
    if (set.rows.length === 0) {
      throw new DataError(`${req.data}: the ${name} part is empty; the dataset is too small to split`, {
        input: req.data,
      });
    }
  }
  return out;
}
