import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRegistry } from '../models/registry/local';
import { buildManifest, describeArtifacts, parseManifest } from '../models/registry/manifest';
import { renderModelCard } from '../models/registry/model-card';
import { compareSemver, nextVersion, parseTag, sortVersionsDesc } from '../models/registry/semver';
import { latestVersion } from '../models/registry/types';

const root = mkdtempSync(path.join(tmpdir(), 'finsent-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function release(version: string, overlay = `{"beat": 1.8, "v": "${version}"}`) {
  const files = { 'overlay.json': overlay, 'thresholds.json': '{"pos":0.1,"neg":-0.12}' };
  const manifest = buildManifest({
    family: 'vader',
    version,
    parent: null,
    bump: { level: 'initial', change: 'retrain', reason: 'first trained release' },
    files,
    training: { dataset: 'finsent-headlines', fingerprint: 'sha256:ab', n: 900, seed: 7 },
    metrics: {
      validation: { macroF1: 0.71 },
      test: {
        dataset: 'finsent-headlines/test',
        fingerprint: 'sha256:cd',
        n: 200,
        confidence: 0.95,
        macroF1: { value: 0.72, lower: 0.66, upper: 0.78 },
        accuracy: { value: 0.75, lower: 0.69, upper: 0.81 },
        ece: 0.04,
        latencyP50Ms: 0.02,
        latencyP95Ms: 0.05,
      },
    },
    code: { commit: 'a'.repeat(40) },
    createdAt: new Date('2025-06-01T12:00:00Z'),
  });
  return { manifest, files, modelCard: renderModelCard(manifest) };
}

describe('semver rules', () => {
  it('bumps patch for recalibration, minor for retrain, major for architecture or labels', () => {
    expect(nextVersion('1.2.3', 'recalibration').version).toBe('1.2.4');
    expect(nextVersion('1.2.3', 'retrain')).toMatchObject({ version: '1.3.0', level: 'minor' });
    expect(nextVersion('1.2.3', 'architecture')).toMatchObject({ version: '2.0.0', level: 'major' });
    expect(nextVersion('1.2.3', 'labels').reason).toMatch(/label-set change from 1\.2\.3/);
    expect(nextVersion(null, 'retrain')).toMatchObject({ version: '1.0.0', level: 'initial' });
    expect(nextVersion('builtin', 'recalibration').version).toBe('1.0.0');
    expect(nextVersion('1.3.0-rc.1', 'recalibration').version).toBe('1.3.0');
  });

  it('orders versions by semver precedence, not as strings', () => {
    expect(sortVersionsDesc(['1.9.0', '1.10.0', '1.10.0-rc.1', '0.9.9', '1.10.0-rc.2'])).toEqual([
      '1.10.0',
      '1.10.0-rc.2',
      '1.10.0-rc.1',
      '1.9.0',
      '0.9.9',
    ]);
    expect(compareSemver('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(() => nextVersion('one', 'retrain')).toThrow(/not a semver version/);
  });

  it('parses release tags with hyphenated family names', () => {
    expect(parseTag('vader-base-v1.0.0')).toEqual({ family: 'vader-base', version: '1.0.0' });
    expect(parseTag('vader-v2.1.0-rc.1')).toEqual({ family: 'vader', version: '2.1.0-rc.1' });
    expect(parseTag('v1.0.0')).toBeUndefined();
    expect(parseTag('vader-latest')).toBeUndefined();
  });
});

describe('manifest', () => {
  it('records sha256 and size of every artifact and rejects reserved or unsafe names', () => {
    const { manifest, files } = release('1.0.0');
    expect(manifest.artifacts.map((a) => a.name)).toEqual(['overlay.json', 'thresholds.json']);
    expect(manifest.artifacts[1]).toEqual({
      name: 'thresholds.json',
      sha256: createHash('sha256').update(files['thresholds.json']).digest('hex'),
      bytes: Buffer.byteLength(files['thresholds.json']),
    });
    expect(() => describeArtifacts({ 'manifest.json': '{}' })).toThrow(/"manifest\.json" is not allowed/);
    expect(() => describeArtifacts({ '../x.json': '{}' })).toThrow(/not allowed/);
    expect(() => describeArtifacts({})).toThrow(/at least one artifact/);
  });

  it('rejects a manifest whose tag does not match family and version', () => {
    const { manifest } = release('1.0.0');
    expect(() => parseManifest({ ...manifest, tag: 'vader-v9.9.9' })).toThrow(
      /does not match vader-v1\.0\.0/,
    );
    expect(() => parseManifest({ ...manifest, version: 'latest' })).toThrow(/version: a semver version/);
  });

  it('renders a model card with metrics, intervals, provenance and artifacts', () => {
    const card = release('1.0.0').modelCard;
    expect(card).toContain('# Model card: vader 1.0.0');
    expect(card).toContain('| macro-F1 | 0.720 (0.660 – 0.780) |');
    expect(card).toContain('fingerprint `sha256:ab`');
    expect(card).toMatch(/\| overlay\.json \| \d+ \| `[0-9a-f]{64}` \|/);
  });
});

describe('local registry', () => {
  const registry = new LocalRegistry(root);

  it('publishes a version as a directory with the files of a release', async () => {
    const r = release('1.0.0');
    const out = await registry.publish(r);
    expect(out).toMatchObject({ tag: 'vader-v1.0.0', created: true });
    const dir = path.join(root, 'vader-v1.0.0');
    expect(readFileSync(path.join(dir, 'overlay.json'), 'utf8')).toBe(r.files['overlay.json']);
    expect(readFileSync(path.join(dir, 'model-card.md'), 'utf8')).toBe(r.modelCard);
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).tag).toBe('vader-v1.0.0');
  });

  it('treats publishing identical artifacts again as a no-op and different ones as a conflict', async () => {
    expect((await registry.publish(release('1.0.0'))).created).toBe(false);
    await expect(registry.publish(release('1.0.0', '{"beat": 2}'))).rejects.toThrow(
      /already exists .* versions are immutable/,
    );
  });

  it('lists versions newest first by semver and ignores directories without a manifest', async () => {
    await registry.publish(release('1.10.0'));
    await registry.publish(release('1.2.0'));
    // An aborted hand copy: a directory without a manifest is not a version.
    mkdirSync(path.join(root, 'vader-v9.0.0'));
    expect((await registry.listVersions('vader')).map((v) => v.version)).toEqual([
      '1.10.0',
      '1.2.0',
      '1.0.0',
    ]);
    expect(await latestVersion(registry, 'vader')).toBe('1.10.0');
    expect(await registry.listFamilies()).toEqual(['vader']);
    expect(await registry.listVersions('finbert')).toEqual([]);
  });

  it('fetches a verified directory and refuses a tampered artifact, naming the file', async () => {
    expect(await registry.fetch('vader', '1.2.0')).toBe(path.join(root, 'vader-v1.2.0'));
    writeFileSync(path.join(root, 'vader-v1.2.0', 'overlay.json'), '{"beat": -5}');
    await expect(registry.fetch('vader', '1.2.0')).rejects.toThrow(
      /overlay\.json has sha256 .* corrupt or was changed/,
    );
  });

  it('says which versions exist when asked for a missing one', async () => {
    await expect(registry.getManifest('vader', '3.0.0')).rejects.toThrow(
      /vader@3\.0\.0 is not in the local registry/,
    );
    expect(await registry.exists('vader', '3.0.0')).toBe(false);
  });
});
