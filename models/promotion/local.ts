import type { Db } from '../../pipeline/store/db';
import type { ModelRegistry } from '../registry/types';
import { loadEffectiveModelsConfig, writeLocalChampion } from './effective-config';
import { promotionKind } from './merge';
import { recordPromotion } from './store';

export interface LocalPromotion {
  family: string;
  version: string;
  dataDir: string;
  registry: ModelRegistry;
  db?: Db;
  verdict?: string | null;
  reasons?: readonly string[];
  /** Force the kind (a rollback to a higher version is still a rollback). */
  kind?: 'promote' | 'rollback';
  repoModelsFile?: string;
  now?: Date;
}

export interface LocalPromotionResult {
  changed: boolean;
  previous: string | undefined;
  file: string;
  kind: 'promote' | 'rollback';
}

/**
 * Promotion without GitHub (npm start, `finsent promote` with no token): verify the version in
 * the registry, set it as champion in the data directory's copy of config/models.yaml and record
 * it. Re-running with the same champion changes and records nothing.
 */
export async function promoteLocally(p: LocalPromotion): Promise<LocalPromotionResult> {
  if (p.version !== 'builtin') await p.registry.fetch(p.family, p.version); // exists and matches its manifest
  const now = p.now ?? new Date();
  const date = now.toISOString().slice(0, 10);
  const repoFile = p.repoModelsFile ? [p.repoModelsFile] : [];
  const current = loadEffectiveModelsConfig(p.dataDir, ...repoFile).config.families[p.family]?.champion;
  const kind = p.kind ?? promotionKind(current, p.version);
  const { previous, changed, file } = writeLocalChampion(
    p.dataDir,
    p.family,
    p.version,
    `${kind === 'rollback' ? 'rolled back' : 'promoted'} locally ${date}${p.verdict ? ` (${p.verdict})` : ''}`,
    ...repoFile,
  );
  if (changed && p.db) {
    await recordPromotion(p.db, {
      family: p.family,
      fromVersion: previous ?? null,
      toVersion: p.version,
      kind,
      mode: 'local',
      status: 'applied',
      verdict: p.verdict ?? null,
      eventKey: `local:${p.family}:${previous ?? 'none'}->${p.version}:${now.toISOString()}`,
      reasons: p.reasons ?? [],
      detail: { file },
      at: now,
    });
  }
  return { changed, previous, file, kind };
}
