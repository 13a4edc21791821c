import { InputError } from '../../lib/errors';

/**
 * Versions of trained models follow semver with finsent's meaning of each part:
 * - patch: recalibration (same weights/lexicon, new calibration or thresholds);
 * - minor: retrain (same architecture and labels, new data or hyperparameters);
 * - major: architecture or label-set change (outputs are not comparable with the parent's).
 */
export type ChangeKind = 'recalibration' | 'retrain' | 'architecture' | 'labels';
export const CHANGE_KINDS: readonly ChangeKind[] = ['recalibration', 'retrain', 'architecture', 'labels'];
export type BumpLevel = 'initial' | 'patch' | 'minor' | 'major';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const PATTERN =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseSemver(v: string): SemVer | undefined {
  const m = PATTERN.exec(v.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.') : [],
  };
}

export function isSemver(v: string): boolean {
  return parseSemver(v) !== undefined;
}

export function requireSemver(v: string, what = 'version'): SemVer {
  const parsed = parseSemver(v);
  if (!parsed) throw new InputError(`${what} "${v}" is not a semver version such as 1.2.0`, { input: v });
  return parsed;
}

export function formatSemver(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}`;
}

/** Semver precedence: negative when a < b. Build metadata is ignored, prereleases sort first. */
export function compareSemver(a: string, b: string): number {
  const x = requireSemver(a);
  const y = requireSemver(b);
  for (const k of ['major', 'minor', 'patch'] as const) if (x[k] !== y[k]) return x[k] - y[k];
  if (x.prerelease.length === 0 || y.prerelease.length === 0)
    return y.prerelease.length - x.prerelease.length;
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** Newest first. */
export function sortVersionsDesc(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => compareSemver(b, a));
}

export interface NextVersion {
  version: string;
  level: BumpLevel;
  reason: string;
}

/**
 * The version a new artifact gets from its parent and the kind of change.
 *
 * ```ts
 * nextVersion('1.2.3', 'retrain');       // { version: '1.3.0', level: 'minor', reason: 'retrain of 1.2.3: …' }
 * nextVersion(null, 'retrain');          // { version: '1.0.0', level: 'initial', … }
 * ```
 */
export function nextVersion(parent: string | null, change: ChangeKind, detail?: string): NextVersion {
  const why = detail ? `: ${detail}` : '';
  if (parent === null || parent === 'builtin') {
    return { version: '1.0.0', level: 'initial', reason: `first trained release (${change})${why}` };
  }
  const p = requireSemver(parent, 'parent version');
  // A prerelease parent (1.3.0-rc.1) is released by the same bump rather than skipped past.
  switch (change) {
    case 'recalibration':
      return {
        version: formatSemver({ ...p, patch: p.prerelease.length ? p.patch : p.patch + 1, prerelease: [] }),
        level: 'patch',
        reason: `recalibration of ${parent}${why}`,
      };
    case 'retrain':
      return {
        version: formatSemver({ major: p.major, minor: p.minor + 1, patch: 0, prerelease: [] }),
        level: 'minor',
        reason: `retrain of ${parent}${why}`,
      };
    case 'architecture':
    case 'labels':
      return {
        version: formatSemver({ major: p.major + 1, minor: 0, patch: 0, prerelease: [] }),
        level: 'major',
        reason: `${change === 'labels' ? 'label-set' : 'architecture'} change from ${parent}${why}`,
      };
  }
}

export function tagOf(family: string, version: string): string {
  return `${family}-v${version}`;
}

/** `vader-v1.2.0` → { family: 'vader', version: '1.2.0' }; undefined for tags of other shapes. */
export function parseTag(tag: string): { family: string; version: string } | undefined {
  const m = /^([a-z][a-z0-9-]*?)-v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
  if (!m || !isSemver(m[2]!)) return undefined;
  return { family: m[1]!, version: m[2]! };
}
