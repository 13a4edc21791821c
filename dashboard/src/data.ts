import {
  SCHEMA_VERSION,
  SECTION_SCHEMAS,
  type SectionData,
  type SectionName,
  sectionFile,
} from '../../pipeline/export/schema';

export type LoadFailure = { ok: false; kind: 'missing' | 'invalid' | 'version' | 'network'; message: string };
export type Loaded<N extends SectionName> = { ok: true; data: SectionData[N] } | LoadFailure;

/**
 * Fetches `data/<section>.json` and checks it against the same zod schema the exporter used.
 * Never throws: every failure becomes a message the section shows in place of its content.
 */
export async function loadSection<N extends SectionName>(name: N, base = 'data/'): Promise<Loaded<N>> {
  const url = `${base}${sectionFile(name)}`;
  let response: Response;
  try {
    // `as RequestInit`: Node's fetch types (this module is also type-checked by the tests) lack `cache`.
    response = await fetch(url, { cache: 'no-cache' } as RequestInit);
  } catch (error) {
    return { ok: false, kind: 'network', message: `could not fetch ${url}: ${(error as Error).message}` };
  }
  // Dev servers answer unknown paths with index.html; treat HTML as "not there".
  const type = response.headers.get('content-type') ?? '';
  if (response.status === 404 || type.includes('text/html')) {
    return {
      ok: false,
      kind: 'missing',
      message: `${url} is missing: run \`finsent export\` to write the dashboard data`,
    };
  }
  if (!response.ok) return { ok: false, kind: 'network', message: `${url} answered HTTP ${response.status}` };
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    return { ok: false, kind: 'invalid', message: `${url} is not valid JSON: re-run \`finsent export\`` };
  }
  const version = (raw as { schema_version?: unknown } | null)?.schema_version;
  if (version !== SCHEMA_VERSION) {
    return {
      ok: false,
      kind: 'version',
      message: `${url} has schema version ${String(version)}, this dashboard reads ${SCHEMA_VERSION}: re-run \`finsent export\` with the same finsent version as the site`,
    };
  }
  const parsed = SECTION_SCHEMAS[name].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      kind: 'invalid',
      message: `${url} does not match its schema (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown issue'}): re-run \`finsent export\``,
    };
  }
  return { ok: true, data: parsed.data as SectionData[N] };
}
