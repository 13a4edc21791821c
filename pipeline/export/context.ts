import type { ModelsConfig } from '../../config/models';
import type { Db } from '../store/db';
import type { Empty, SourceTable } from './schema';

/**
 * The tables exporters read and the columns each one needs. Several of these tables come from
 * other parts of finsent (serving, monitoring, promotion); an exporter checks them first and
 * exports an empty section with the reason when one is missing, so `finsent export` works at
 * every stage of the project. Keep in step with docs/dashboard.md ("Tables read").
 */
export const TABLE_COLUMNS = {
  model_performance: ['id', 'model', 'version', 'dataset', 'context', 'n', 'metrics', 'created_at'],
  predictions: [
    'id',
    'created_at',
    'model',
    'version',
    'arm',
    'shadow',
    'label',
    'sentiment',
    'confidence',
    'latency_ms',
    'cache_hit',
    'ticker',
  ],
  // Columns both schemas have: the migrations' (pipeline/store/migrations) and the earlier
  // dashboard-demo tables (ASSUMED_TABLES_SQL). Sections pick the rest by what the table has.
  drift_metrics: ['id', 'model', 'version', 'metric', 'feature', 'value', 'p_value'],
  data_quality_reports: ['id', 'created_at', 'verdict', 'rules'],
  training_runs: ['id', 'started_at', 'finished_at', 'family', 'version', 'params', 'metrics', 'status'],
  promotions: ['id', 'created_at', 'family', 'from_version', 'to_version', 'kind', 'pr_url'],
  processed_features: ['article_id', 'model', 'version', 'label', 'sentiment'],
  raw_data: ['id', 'tickers', 'published_at'],
} as const satisfies Record<string, readonly string[]>;

export type KnownTable = keyof typeof TABLE_COLUMNS;

export interface TableState {
  available: boolean;
  rows: number | null;
  /** Columns the table has (empty when it is missing). */
  columns: ReadonlySet<string>;
  note: string | null;
}

/** Options every section shares. */
export interface ExportOptions {
  /** The export's timestamp (`generated_at`) and the reference for "how long ago". */
  now: Date;
  /** Days of predictions/drift history a section covers, ending at the newest row. Default 30. */
  days: number;
  /** How many recent predictions `predictions.json` lists. Default 25. */
  recentLimit: number;
  /** Put prediction texts into `predictions.json` (off by default: the site may be public). */
  includeText: boolean;
}

/**
 * What a section exporter gets: the store, the serving config, options, and a table probe that
 * remembers which tables the section looked at (they become its `sources`).
 */
export class SectionContext {
  readonly sources: SourceTable[] = [];

  constructor(
    readonly db: Db,
    readonly config: ModelsConfig | null,
    readonly options: ExportOptions,
    private readonly cache: Map<string, Promise<TableState>>,
  ) {}

  /**
   * Whether `table` exists in the current schema with every column the exporter needs. The
   * answer is cached for the whole export and recorded in this section's sources.
   */
  async table(table: KnownTable): Promise<TableState> {
    let state = this.cache.get(table);
    if (!state) {
      state = probeTable(this.db, table);
      this.cache.set(table, state);
    }
    const s = await state;
    if (!this.sources.some((x) => x.table === table)) {
      this.sources.push({ table, available: s.available, rows: s.rows, note: s.note });
    }
    return s;
  }
}

/** to_regclass honours search_path, so tests isolated in their own Postgres schema see theirs. */
async function probeTable(db: Db, table: KnownTable): Promise<TableState> {
  const [exists] = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    table,
  ]);
  if (!exists?.present) {
    return { available: false, rows: null, columns: new Set(), note: `table ${table} does not exist yet` };
  }
  const columns = new Set(
    (
      await db.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()',
        [table],
      )
    ).map((r) => r.column_name),
  );
  const missing = TABLE_COLUMNS[table].filter((c) => !columns.has(c));
  // The name comes from TABLE_COLUMNS' keys, never from input, so interpolating it is safe.
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  const rows = count?.n ?? 0;
  if (missing.length > 0) {
    return {
      available: false,
      rows,
      columns,
      note: `table ${table} lacks column(s) ${missing.join(', ')} that the exporter reads; update pipeline/export to its schema`,
    };
  }
  return { available: true, rows, columns, note: null };
}

/** An empty section's explanation, e.g. "no drift computed yet: table drift_metrics does not exist yet". */
export function emptyBecause(state: TableState, what: string, hint: string | null): Empty {
  return { reason: state.note ? `${what}: ${state.note}` : what, hint };
}

/** Timestamps come back as Date (both drivers) or, from JSON, as strings; the contract wants ISO. */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** A finite number or null (JSON has no NaN; drivers may hand back numeric as string). */
export function num(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** JSON columns arrive parsed from both drivers; tolerate a string just in case. */
export function json(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export function record(value: unknown): Record<string, unknown> {
  const v = json(value);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The numeric entries of an object (for metrics bags whose shape belongs to another module). */
export function numericEntries(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record(value))) {
    const n = typeof v === 'number' && Number.isFinite(v) ? v : null;
    if (n !== null) out[k] = n;
  }
  return out;
}
