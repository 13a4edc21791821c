import type { LabelledText } from '../training/types';
import type { Label } from '../types';

export const DATASET_FORMATS = ['jsonl', 'csv', 'tsv', 'phrasebank'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const ENCODINGS = ['utf8', 'latin1', 'auto'] as const;
/** `auto`: UTF-8 when the file has a UTF-8 BOM or decodes as valid UTF-8, else latin-1. */
export type Encoding = (typeof ENCODINGS)[number];

/** One labelled example and where it came from. */
export interface DatasetRow extends LabelledText {
  /** 1-based physical line where the row starts (the header of a CSV is line 1). */
  line: number;
  /** The row's own id when the file has one (JSONL `id` field). */
  id?: string;
}

/** A row that could not be used, and why: reported, never silently dropped. */
export interface RowWarning {
  file: string;
  line: number;
  message: string;
}

export interface Dataset {
  /** The file path (or the name given to an in-memory parse). */
  source: string;
  format: DatasetFormat;
  rows: DatasetRow[];
  warnings: RowWarning[];
  /** `sha256:<hex>` over the normalised rows, in order; see fingerprintRows. */
  fingerprint: string;
  counts: Record<Label, number>;
}

export interface DatasetOptions {
  /** Overrides detection from the file extension. */
  format?: DatasetFormat;
  /** Column (CSV/TSV) or field (JSONL) holding the text. Default `text`. */
  textColumn?: string;
  /** Column (CSV/TSV) or field (JSONL) holding the label. Default `label`. */
  labelColumn?: string;
  /** Extra label names, e.g. `0=negative,1=positive,2=neutral` or `{ "0": "negative" }`. */
  labelMap?: string | Readonly<Record<string, string>>;
  /** Default `utf8` for JSONL/CSV/TSV and `auto` for Financial PhraseBank (distributed in latin-1). */
  encoding?: Encoding;
  /** Fail on the first bad row instead of collecting warnings. */
  strict?: boolean;
}
