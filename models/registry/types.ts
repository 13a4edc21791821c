import type { ArtifactSource } from '../families';
import type { Manifest } from './manifest';

/** One published version as a registry lists it. */
export interface VersionInfo {
  family: string;
  version: string;
  tag: string;
  /** When the release was published (or the directory written). */
  publishedAt: string | null;
  /** A link a person can open (release page or directory path). */
  url: string;
}

export interface PublishInput {
  manifest: Manifest;
  /** Artifact files by name, exactly as described by manifest.artifacts. */
  files: Record<string, Buffer | string>;
  modelCard: string;
}

export interface PublishResult {
  tag: string;
  url: string;
  /** False when the identical version already existed (re-runs are no-ops). */
  created: boolean;
}

/**
 * The model registry: one interface, two backends (a local directory and GitHub Releases).
 * Versions are immutable: publishing the same artifacts again is a no-op, publishing different
 * ones under an existing version is a conflict. Implements ArtifactSource so model families can
 * load any version by `fetch(family, version)`.
 */
export interface ModelRegistry extends ArtifactSource {
  readonly kind: 'local' | 'github';
  /** Where it lives: a directory or `owner/repo`. */
  readonly location: string;
  /** Families that have at least one version. */
  listFamilies(): Promise<string[]>;
  /** Versions of a family, newest (highest semver) first. Never relies on a "latest" marker. */
  listVersions(family: string): Promise<VersionInfo[]>;
  /** Throws NotFoundError when the version does not exist. */
  getManifest(family: string, version: string): Promise<Manifest>;
  exists(family: string, version: string): Promise<boolean>;
  publish(input: PublishInput): Promise<PublishResult>;
  /** A local directory with the version's files, each verified against the manifest's sha256. */
  fetch(family: string, version: string): Promise<string>;
}

/** The highest published version of a family, or null when it has none. */
export async function latestVersion(registry: ModelRegistry, family: string): Promise<string | null> {
  const versions = await registry.listVersions(family);
  return versions[0]?.version ?? null;
}
