import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadModelsConfig,
  MODELS_CONFIG_PATH,
  type ModelsConfig,
  parseModelsConfig,
} from '../../config/models';
import { setChampion } from './config-edit';

/**
 * Local mode (no GitHub): a promotion cannot open a pull request, and editing the checked-out
 * config/models.yaml would leave a developer's working tree dirty. So a local promotion writes a
 * copy at `$FINSENT_DATA_DIR/config/models.yaml` (comments kept), and the effective config is the
 * repository's file with the copy's champions and challengers laid over it — so later edits to
 * the repository's file (a new family, the serving split) still show through. See ADR 038.
 */
export function localModelsConfigPath(dataDir: string): string {
  return path.join(dataDir, 'config', 'models.yaml');
}

export interface EffectiveConfig {
  config: ModelsConfig;
  /** Families whose champion comes from the local copy. */
  localOverrides: string[];
  localPath: string | undefined;
}

/** The models config serving and the stages should use. */
export function loadEffectiveModelsConfig(
  dataDir: string,
  repoFile: string = MODELS_CONFIG_PATH,
): EffectiveConfig {
  const base = loadModelsConfig(repoFile);
  const localPath = localModelsConfigPath(dataDir);
  if (!existsSync(localPath)) return { config: base, localOverrides: [], localPath: undefined };
  const local = parseModelsConfig(readFileSync(localPath, 'utf8'), localPath);
  const families = { ...base.families };
  const localOverrides: string[] = [];
  for (const [family, cfg] of Object.entries(local.families)) {
    if (!families[family]) continue; // a family the repository dropped stays dropped
    if (families[family]!.champion !== cfg.champion || families[family]!.challenger !== cfg.challenger) {
      localOverrides.push(family);
      families[family] = { champion: cfg.champion, challenger: cfg.challenger };
    }
  }
  return { config: { ...base, families }, localOverrides, localPath };
}

/** Sets a family's champion in the local copy (creating it from the repository's file). */
export function writeLocalChampion(
  dataDir: string,
  family: string,
  version: string,
  note: string,
  repoFile: string = MODELS_CONFIG_PATH,
): { previous: string | undefined; changed: boolean; file: string } {
  const file = localModelsConfigPath(dataDir);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : readFileSync(repoFile, 'utf8');
  const { config } = loadEffectiveModelsConfig(dataDir, repoFile);
  const previous = config.families[family]?.champion;
  if (previous === version) return { previous, changed: false, file };
  const edit = setChampion(current, family, version, note);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, edit.text);
  renameSync(tmp, file);
  return { previous, changed: true, file };
}
