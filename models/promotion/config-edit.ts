import { isScalar, parseDocument } from 'yaml';
import { type ModelsConfig, parseModelsConfig } from '../../config/models';
import { ConfigError } from '../../lib/errors';

/**
 * Edits of config/models.yaml that keep it reviewable: the yaml Document API changes only the
 * champion's scalar (and its trailing comment), so every other line, comment and blank line of
 * the file stays as a person wrote it — the pull request's diff is one or two lines.
 */
export interface ChampionEdit {
  text: string;
  previous: string | undefined;
  changed: boolean;
}

export function setChampion(text: string, family: string, version: string, note?: string): ChampionEdit {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(`config/models.yaml is not valid YAML: ${doc.errors[0]!.message}`, {
      input: 'config/models.yaml',
    });
  }
  const path = ['families', family, 'champion'];
  const previous = doc.getIn(path);
  const prev =
    typeof previous === 'string' ? previous : previous === undefined ? undefined : String(previous);
  if (prev === version) return { text, previous: prev, changed: false };
  doc.setIn(path, version);
  const node = doc.getIn(path, true);
  // The old trailing comment described the old value ("until the first release…"): replace it.
  if (isScalar(node)) node.comment = note ? ` ${note}` : undefined;
  if (doc.getIn(['families', family, 'challenger']) === version)
    doc.setIn(['families', family, 'challenger'], null);
  const out = doc.toString();
  parseModelsConfig(out); // never hand back a file the schema rejects
  return { text: out, previous: prev, changed: true };
}

export interface ChampionChange {
  family: string;
  from: string | undefined;
  to: string;
}

/** Families whose champion differs between two versions of models.yaml. */
export function championChanges(before: ModelsConfig | undefined, after: ModelsConfig): ChampionChange[] {
  const out: ChampionChange[] = [];
  for (const [family, cfg] of Object.entries(after.families)) {
    const from = before?.families[family]?.champion;
    if (from !== cfg.champion) out.push({ family, from, to: cfg.champion });
  }
  return out;
}
