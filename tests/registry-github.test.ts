import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitHubRegistry } from '../models/registry/github';
import { buildManifest } from '../models/registry/manifest';
import { renderModelCard } from '../models/registry/model-card';
import { createGitHubClient } from '../models/registry/octokit';
import { FakeGitHub, recorded } from './fixtures/github/fake-github';

const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-ghreg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function release(version: string, overlay = `{"beat": 1.8}`) {
  const files = { 'overlay.json': overlay, 'thresholds.json': '{"pos":0.1,"neg":-0.12}' };
  const manifest = buildManifest({
    family: 'vader',
    version,
    parent: null,
    bump: { level: 'initial', change: 'retrain', reason: 'first trained release' },
    files,
    training: { dataset: 'finsent-headlines', fingerprint: 'sha256:ab', n: 900, seed: 7 },
    code: { commit: 'c0ffee'.padEnd(40, '0') },
    createdAt: new Date('2025-06-01T12:00:00Z'),
  });
  return { manifest, files, modelCard: renderModelCard(manifest) };
}

function setup() {
  const fake = new FakeGitHub();
  const octokit = createGitHubClient({
    token: 'ghs_test',
    fetch: fake.fetch,
    retryBaseMs: 1,
    throttle: false,
  });
  const registry = new GitHubRegistry({
    octokit,
    repository: 'acme/finsent',
    cacheDir: mkdtempSync(path.join(tmp, 'cache-')),
    uploadBackoffMs: 1,
  });
  return { fake, registry };
}

const calls = (fake: FakeGitHub, method: string, re: RegExp, from = 0) =>
  fake.log.slice(from).filter((l) => l.method === method && re.test(l.path)).length;

/** Another party's release (the app's own, a sibling family, a crashed run's draft). */
function seedRelease(fake: FakeGitHub, tag_name: string, draft = false) {
  fake.handle({
    method: 'POST',
    path: '/repos/acme/finsent/releases',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(JSON.stringify({ tag_name, draft })),
  });
  return fake.releases[0]!;
}

describe('GitHub Releases registry (recorded API, no network)', () => {
  it('publishes a draft, uploads every asset, then publishes it without marking it latest', async () => {
    const { fake, registry } = setup();
    const out = await registry.publish(release('1.0.0'));
    expect(out).toEqual({
      tag: 'vader-v1.0.0',
      url: 'https://github.com/acme/finsent/releases/tag/vader-v1.0.0',
      created: true,
    });
    const r = fake.releases[0]!;
    expect(r).toMatchObject({
      tag_name: 'vader-v1.0.0',
      draft: false,
      target_commitish: 'c0ffee'.padEnd(40, '0'),
    });
    expect((r.assets as { name: string }[]).map((a) => a.name)).toEqual([
      'overlay.json',
      'thresholds.json',
      'model-card.md',
      'manifest.json',
    ]);
    expect(r.body).toContain('# Model card: vader 1.0.0');
    expect(calls(fake, 'GET', /releases\/latest/)).toBe(0);
  });

  it('finds versions by tag prefix across pages, ignoring drafts and other families', async () => {
    const { fake, registry } = setup();
    for (const v of ['1.0.0', '1.1.0', '1.10.0', '1.2.0']) await registry.publish(release(v, `{"v":"${v}"}`));
    fake.pageSize = 2;
    // Other releases in the same repository: the app itself, a sibling family, a stale draft.
    seedRelease(fake, 'v2.0.0');
    seedRelease(fake, 'vader-base-v3.3.1');
    seedRelease(fake, 'vader-v9.0.0', true);
    const before = calls(fake, 'GET', /\/releases$/);
    const versions = await registry.listVersions('vader');
    expect(versions.map((v) => v.version)).toEqual(['1.10.0', '1.2.0', '1.1.0', '1.0.0']);
    expect(calls(fake, 'GET', /\/releases$/) - before).toBe(4); // 7 releases, pages of 2
    expect(await registry.listFamilies()).toEqual(['vader', 'vader-base']);
  });

  it('is a no-op for an identical re-publish and a conflict for different artifacts', async () => {
    const { fake, registry } = setup();
    await registry.publish(release('1.0.0'));
    expect((await registry.publish(release('1.0.0'))).created).toBe(false);
    expect(calls(fake, 'POST', /\/releases$/)).toBe(1);
    await expect(registry.publish(release('1.0.0', '{"beat": 0}'))).rejects.toThrow(
      /already exists .* with different artifacts/,
    );
  });

  it('retries a 502 that left a half-uploaded asset: deletes the starter asset and uploads again', async () => {
    const { fake, registry } = setup();
    fake.inject('POST', /\/releases\/\d+\/assets$/, (req, f) => {
      // The uploads host dropped the connection after GitHub had registered the asset.
      const id = Number(/releases\/(\d+)\//.exec(req.path)![1]);
      f.addAsset(f.releases.find((r) => r.id === id)!, req.query.get('name')!, Buffer.alloc(0), 'starter');
      return { status: 502, body: recorded.badGateway() };
    });
    await registry.publish(release('1.0.0'));
    const assets = fake.releases[0]!.assets as { name: string; state: string }[];
    expect(assets.filter((a) => a.name === 'overlay.json')).toHaveLength(1);
    expect(assets.every((a) => a.state === 'uploaded')).toBe(true);
    expect(calls(fake, 'DELETE', /releases\/assets\/\d+$/)).toBe(1);
    expect(fake.log.some((l) => l.status === 422)).toBe(true); // the plugin's retry hit already_exists
  });

  it('resumes a draft left by a crashed run, keeping complete assets and replacing broken ones', async () => {
    const { fake, registry } = setup();
    const r = release('1.1.0');
    const draft = seedRelease(fake, 'vader-v1.1.0', true);
    fake.addAsset(draft, 'overlay.json', Buffer.from(r.files['overlay.json']), 'uploaded');
    fake.addAsset(draft, 'thresholds.json', Buffer.alloc(0), 'starter');
    const from = fake.log.length;
    await registry.publish(r);
    expect(calls(fake, 'POST', /\/releases$/, from)).toBe(0);
    expect(calls(fake, 'DELETE', /\/assets\/\d+$/, from)).toBe(1); // the starter thresholds.json
    expect(calls(fake, 'POST', /\/assets$/, from)).toBe(3); // thresholds, card, manifest; overlay kept
    expect(fake.releases[0]).toMatchObject({ id: draft.id, draft: false });
  });

  it('downloads a version, verifies every sha256 and serves the cached copy next time', async () => {
    const { fake, registry } = setup();
    const r = release('1.0.0');
    await registry.publish(r);
    const dir = await registry.fetch('vader', '1.0.0');
    expect(readFileSync(path.join(dir, 'overlay.json'), 'utf8')).toBe(r.files['overlay.json']);
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).version).toBe('1.0.0');
    const downloads = calls(fake, 'GET', /releases\/assets\/\d+$/);
    expect(await registry.fetch('vader', '1.0.0')).toBe(dir);
    expect(calls(fake, 'GET', /releases\/assets\/\d+$/)).toBe(downloads);
  });

  it('refuses a release whose asset does not match the manifest digest', async () => {
    const { fake, registry } = setup();
    await registry.publish(release('1.0.0'));
    const overlay = (fake.releases[0]!.assets as { id: number; name: string }[]).find(
      (a) => a.name === 'overlay.json',
    )!;
    fake.assetData.set(overlay.id, Buffer.from('{"beat": -9}'));
    await expect(registry.fetch('vader', '1.0.0')).rejects.toThrow(
      /overlay\.json has sha256 .* but the manifest says/,
    );
  });

  it('names the missing version and explains authentication failures', async () => {
    const { fake, registry } = setup();
    await expect(registry.getManifest('vader', '4.0.0')).rejects.toThrow(
      /no published release vader-v4\.0\.0 in acme\/finsent/,
    );
    fake.inject('GET', /\/releases$/, () => ({
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
    }));
    await expect(registry.listVersions('vader')).rejects.toThrow(/HTTP 401.*token is invalid or expired/);
  });

  it('uses the existing draft when another run created the release first (422 already_exists)', async () => {
    const { fake, registry } = setup();
    fake.inject('POST', /\/releases$/, (req, f) => {
      // The other run's draft appears just before ours, and our create is refused.
      seedRelease(f, (JSON.parse(req.body.toString()) as { tag_name: string }).tag_name, true);
      return { status: 422, body: recorded.releaseExists() };
    });
    await registry.publish(release('2.0.0'));
    expect(fake.releases.filter((r) => r.tag_name === 'vader-v2.0.0')).toHaveLength(1);
    expect(fake.releases[0]!.draft).toBe(false);
  });
});
