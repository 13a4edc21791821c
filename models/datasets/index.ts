/** Labelled dataset loading: JSONL, CSV/TSV, Financial PhraseBank; splits; fingerprints. */
export { readDelimited } from './csv';
export { fingerprintRows, normaliseText } from './fingerprint';
export { mapLabel, parseLabelMap } from './labels';
export { loadDataset } from './load';
export { assertFormat, formatFromPath, parseDataset } from './parse';
export {
  HEADLINES_PATH,
  HEADLINES_SPLIT_SEED,
  type HeadlineRecord,
  HeadlineRecordSchema,
  headlinesPath,
  loadProjectHeadlines,
  readHeadlineRecords,
  renderHeadlineSplits,
} from './project';
export { SPLIT_NAMES, type SplitName, type SplitOptions, type Splits, splitRows } from './split';
export * from './types';
