import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LABELS } from '../types';
import { RegistryError } from './errors';
import { CHANGE_KINDS, type ChangeKind, isSemver, tagOf } from './semver';

/**
 * manifest.json: what a model version is, byte for byte, and where it came from. Every release
 * (GitHub or local) carries one; downloads are verified against its sha256 digests.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MODEL_CARD_FILE = 'model-card.md';
export const RESERVED_FILES = [MANIFEST_FILE, MODEL_CARD_FILE] as const;
/** Asset names GitHub keeps as given (it rewrites other characters). */
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
const semver = z.string().refine(isSemver, 'a semver version such as 1.2.0');

const IntervalSchema = z.strictObject({ value: z.number(), lower: z.number(), upper: z.number() });

export const ManifestSchema = z.strictObject({
  schemaVersion: z.literal(1),
  family: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: semver,
  tag: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  parent: semver.nullable(),
  bump: z.strictObject({
    level: z.enum(['initial', 'patch', 'minor', 'major']),
    change: z.enum(CHANGE_KINDS as [ChangeKind, ...ChangeKind[]]),
    reason: z.string(),
  }),
  labels: z.array(z.string()).default([...LABELS]),
  artifacts: z
    .array(
      z.strictObject({
        name: z.string().regex(ASSET_NAME),
        sha256: sha256Hex,
        bytes: z.number().int().min(0),
      }),
    )
    .min(1),
  metrics: z.strictObject({
    /** What the trainer measured on its validation split. */
    validation: z.record(z.string(), z.number()).default({}),
    /** Held-out test metrics with bootstrap confidence intervals. */
    test: z
      .strictObject({
        dataset: z.string(),
        fingerprint: z.string(),
        n: z.number().int().min(0),
        confidence: z.number(),
        macroF1: IntervalSchema,
        accuracy: IntervalSchema,
        ece: z.number().nullable(),
        latencyP50Ms: z.number().nullable(),
        latencyP95Ms: z.number().nullable(),
      })
      .nullable()
      .default(null),
    /** Comparisons against other models on the test set. */
    comparisons: z
      .array(
        z.strictObject({
          against: z.string(),
          verdict: z.string(),
          deltaMacroF1: IntervalSchema,
          pValue: z.number(),
          test: z.string(),
        }),
      )
      .default([]),
  }),
  training: z.strictObject({
    dataset: z.string(),
    fingerprint: z.string(),
    n: z.number().int().min(0),
    validationFingerprint: z.string().nullable().default(null),
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int(),
    runId: z.string().nullable().default(null),
    durationMs: z.number().min(0).nullable().default(null),
  }),
  code: z.strictObject({ commit: z.string(), repository: z.string().nullable().default(null) }),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Artifact entries (name, sha256, bytes) for a set of files, sorted by name. */
export function describeArtifacts(files: Record<string, Buffer | string>): Manifest['artifacts'] {
  const names = Object.keys(files).sort();
  if (names.length === 0) throw new RegistryError('a model version needs at least one artifact file');
  return names.map((name) => {
    if (!ASSET_NAME.test(name) || (RESERVED_FILES as readonly string[]).includes(name)) {
      throw new RegistryError(
        `artifact name "${name}" is not allowed: use letters, digits, ".", "_" or "-" and not ${RESERVED_FILES.join(' or ')}`,
        { input: name },
      );
    }
    const buf = toBuffer(files[name]!);
    return { name, sha256: sha256(buf), bytes: buf.length };
  });
}

/** Validates a manifest object (e.g. parsed from a download); the message names the file and field. */
export function parseManifest(raw: unknown, source = MANIFEST_FILE): Manifest {
  const result = ManifestSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RegistryError(`${source} is not a valid finsent manifest: ${issues}`, { input: source });
  }
  const m = result.data;
  if (m.tag !== tagOf(m.family, m.version)) {
    throw new RegistryError(`${source}: tag "${m.tag}" does not match ${tagOf(m.family, m.version)}`, {
      input: source,
    });
  }
  return m;
}

export function parseManifestText(text: string, source = MANIFEST_FILE): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(`${source} is not valid JSON: ${(error as Error).message}`, { input: source });
  }
  return parseManifest(raw, source);
}

/** Stable, readable JSON (two-space indent, trailing newline). */
export function serialiseManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** True when two manifests describe byte-identical artifacts. */
export function sameArtifacts(a: Pick<Manifest, 'artifacts'>, b: Pick<Manifest, 'artifacts'>): boolean {
  if (a.artifacts.length !== b.artifacts.length) return false;
  const byName = new Map(a.artifacts.map((x) => [x.name, x.sha256]));
  return b.artifacts.every((x) => byName.get(x.name) === x.sha256);
}

/** Checks files against the manifest's digests; throws naming the first file that differs. */
export function verifyFiles(
  manifest: Manifest,
  read: (name: string) => Buffer | undefined,
  where: string,
): void {
  for (const a of manifest.artifacts) {
    const buf = read(a.name);
    if (!buf) {
      throw new RegistryError(
        `${where}: artifact ${a.name} is missing; delete ${where} and fetch the version again`,
        {
          input: a.name,
        },
      );
    }
    const digest = sha256(buf);
    if (digest !== a.sha256 || buf.length !== a.bytes) {
      throw new RegistryError(
        `${where}: ${a.name} has sha256 ${digest.slice(0, 12)}… (${buf.length} bytes) but the manifest says ` +
          `${a.sha256.slice(0, 12)}… (${a.bytes} bytes); the file is corrupt or was changed — delete it and fetch again`,
        { input: a.name, expected: a.sha256, actual: digest },
      );
    }
  }
}

export interface ManifestDraft {
  family: string;
  version: string;
  parent: string | null;
  bump: Manifest['bump'];
  files: Record<string, Buffer | string>;
  training: ManifestInput['training'];
  metrics?: ManifestInput['metrics'];
  code: ManifestInput['code'];
  createdAt?: Date;
}

/** Builds and validates a manifest for a set of artifact files. */
export function buildManifest(d: ManifestDraft): Manifest {
  return parseManifest(
    {
      schemaVersion: 1,
      family: d.family,
      version: d.version,
      tag: tagOf(d.family, d.version),
      createdAt: (d.createdAt ?? new Date()).toISOString(),
      parent: d.parent === 'builtin' ? null : d.parent,
      bump: d.bump,
      labels: [...LABELS],
      artifacts: describeArtifacts(d.files),
      metrics: d.metrics ?? {},
      training: d.training,
      code: d.code,
    },
    `manifest of ${tagOf(d.family, d.version)}`,
  );
}
