import type { Db } from '../../pipeline/store/db';
import { buildManifest, describeArtifacts, type Manifest, sameArtifacts } from '../registry/manifest';
import { renderModelCard } from '../registry/model-card';
import { type ChangeKind, type NextVersion, nextVersion } from '../registry/semver';
import type { ModelRegistry, PublishResult } from '../registry/types';
import { setRunVersion } from './runs-store';
import type { TrainedCandidate } from './train';

export interface VersionPlan extends NextVersion {
  parent: string | null;
  /** Set when the newest registered version holds byte-identical artifacts (a re-run). */
  existing: boolean;
}

/**
 * The version a candidate gets: the newest registered version if it already holds the very same
 * artifacts (re-running a stage registers nothing new), else the semver bump from the newest
 * version by the kind of change.
 */
export async function planVersion(
  registry: ModelRegistry,
  candidate: TrainedCandidate,
  change: ChangeKind,
): Promise<VersionPlan> {
  const versions = await registry.listVersions(candidate.family);
  const newest = versions[0]?.version ?? null;
  if (newest) {
    const manifest = await registry.getManifest(candidate.family, newest);
    if (sameArtifacts(manifest, { artifacts: describeArtifacts(candidate.result.files) })) {
      return {
        version: newest,
        level: manifest.bump.level,
        reason: manifest.bump.reason,
        parent: manifest.parent,
        existing: true,
      };
    }
  }
  return {
    ...nextVersion(newest, change, `seed ${candidate.seed} on ${candidate.data.name}`),
    parent: newest,
    existing: false,
  };
}

export interface RegisterRequest {
  candidate: TrainedCandidate;
  plan: VersionPlan;
  change: ChangeKind;
  registry: ModelRegistry;
  metrics?: Pick<Manifest['metrics'], 'test' | 'comparisons'>;
  repository?: string | null;
  description?: string;
  db?: Db;
  now?: Date;
}

export interface Registered extends PublishResult {
  version: string;
  manifest: Manifest;
}

/** Publishes a candidate with its manifest and model card; idempotent for identical artifacts. */
export async function registerCandidate(req: RegisterRequest): Promise<Registered> {
  const { candidate: c, plan } = req;
  if (plan.existing) {
    const manifest = await req.registry.getManifest(c.family, plan.version);
    if (req.db) await setRunVersion(req.db, c.runId, plan.version);
    return { tag: manifest.tag, url: req.registry.location, created: false, version: plan.version, manifest };
  }
  const manifest = buildManifest({
    family: c.family,
    version: plan.version,
    parent: plan.parent,
    bump: { level: plan.level, change: req.change, reason: plan.reason },
    files: c.result.files,
    training: {
      dataset: c.data.name,
      fingerprint: c.data.train.fingerprint,
      n: c.data.train.rows.length,
      validationFingerprint: c.data.validation.fingerprint,
      params: c.result.params,
      seed: c.seed,
      runId: c.runId,
      durationMs: Math.round(c.durationMs),
    },
    metrics: {
      validation: c.result.validation,
      test: req.metrics?.test ?? null,
      comparisons: req.metrics?.comparisons ?? [],
    },
    code: { commit: c.commit, repository: req.repository ?? null },
    ...(req.now ? { createdAt: req.now } : {}),
  });
  const modelCard = renderModelCard(manifest, {
    ...(req.description ? { description: req.description } : {}),
    ...(c.result.notes ? { notes: c.result.notes } : {}),
  });
  const published = await req.registry.publish({ manifest, files: c.result.files, modelCard });
  if (req.db) await setRunVersion(req.db, c.runId, plan.version);
  return { ...published, version: plan.version, manifest };
}
