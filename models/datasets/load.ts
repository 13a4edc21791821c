import { readFile } from 'node:fs/promises';
import { DataError, InputError } from '../../lib/errors';
import { assertFormat, formatFromPath, parseDataset } from './parse';
import { DATASET_FORMATS, type Dataset, type DatasetOptions } from './types';

/**
 * Reads a labelled dataset file: JSONL, CSV, TSV or Financial PhraseBank, told apart by the
 * extension unless `format` says otherwise.
 *
 * @example
 * const data = await loadDataset('models/data/finsent-headlines.test.jsonl');
 * data.rows.length; data.counts; data.fingerprint; data.warnings
 */
export async function loadDataset(file: string, options: DatasetOptions = {}): Promise<Dataset> {
  const format = options.format ? assertFormat(options.format) : formatFromPath(file);
  if (!format) {
    throw new InputError(
      `cannot tell the format of ${file} from its extension: pass --format ${DATASET_FORMATS.join('|')}`,
      { input: file },
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new DataError(
      `cannot read dataset ${file}: ${why}`,
      { action: 'reading dataset', input: file },
      { cause: error },
    );
  }
  return parseDataset(bytes, { ...options, source: file, format });
}
