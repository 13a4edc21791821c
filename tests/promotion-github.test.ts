import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS_CONFIG_PATH, parseModelsConfig } from '../config/models';
import { verifyMergedPromotion } from '../models/promotion/merge';
import { openOrUpdatePromotionPr } from '../models/promotion/pull-request';
import { planRollback } from '../models/promotion/rollback';
import { listPromotions } from '../models/promotion/store';
import { GitHubRegistry } from '../models/registry/github';
import { buildManifest } from '../models/registry/manifest';
import { renderModelCard } from '../models/registry/model-card';
import { createGitHubClient } from '../models/registry/octokit';
import type { Db } from '../pipeline/store/db';
import { FakeGitHub } from './fixtures/github/fake-github';
import { dbTargets } from './helpers/db';

const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-ghpromo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CONFIG = 'config/models.yaml';

async function publish(registry: GitHubRegistry, version: string) {
  const files = { 'lexicon.json': `{"beat":"positive","v":"${version}"}` };
  const manifest = buildManifest({
    family: 'vader',
    version,
    parent: null,
    bump: { level: 'initial', change: 'retrain', reason: 'test' },
    files,
    training: { dataset: 'finsent-headlines', fingerprint: 'sha256:ab', n: 360, seed: 7 },
    code: { commit: 'a'.repeat(40) },
  });
  await registry.publish({ manifest, files, modelCard: renderModelCard(manifest) });
}

/** A Render deploy hook stand-in: counts calls, answers like Render does. */
function deployHook() {
  const calls: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    calls.push(String(input));
    return new Response(JSON.stringify({ deploy: { id: 'dep-d0nt5n2dbo4c73b0q9tg' } }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch };
}

describe.each(dbTargets().slice(0, 1))(
  'GitOps promotion against recorded GitHub responses ($name)',
  (target) => {
    const fake = new FakeGitHub({ files: { [CONFIG]: readFileSync(MODELS_CONFIG_PATH, 'utf8') } });
    const octokit = createGitHubClient({
      token: 'ghs_app_installation_token',
      fetch: fake.fetch,
      retryBaseMs: 1,
      throttle: false,
    });
    const registry = new GitHubRegistry({
      octokit,
      repository: 'acme/finsent',
      cacheDir: path.join(tmp, 'cache'),
      uploadBackoffMs: 1,
    });
    const hook = deployHook();
    const hookUrl = 'https://api.render.com/deploy/srv-cq2ab3c1d2e3f4?key=s3cr3tKey';
    let db: Db;
    beforeAll(async () => {
      db = await target.open();
      await publish(registry, '1.0.0');
      await publish(registry, '1.1.0');
    });
    afterAll(async () => {
      await db?.close();
    });

    it('opens one pull request per family that edits only the champion line, with the report and labels', async () => {
      const pr = await openOrUpdatePromotionPr(
        {
          family: 'vader',
          version: '1.1.0',
          kind: 'promote',
          report: '<!-- finsent:comparison -->\n**Verdict: SUPERIOR**',
          verdict: 'superior',
        },
        { octokit, repository: 'acme/finsent', now: new Date('2025-06-02T09:00:00Z') },
      );
      expect(pr).toMatchObject({
        status: 'created',
        number: 1,
        branch: 'finsent/promote-vader',
        base: 'main',
        previous: 'builtin',
      });
      const onBranch = fake.fileAt('finsent/promote-vader', CONFIG)!;
      const onMain = fake.fileAt('main', CONFIG)!;
      const changed = onBranch.split('\n').filter((line, i) => line !== onMain.split('\n')[i]);
      expect(changed).toEqual(['    champion: 1.1.0 # promoted 2025-06-02 (superior)']);
      const p = fake.pulls[0]!;
      expect(p.title).toBe('Promote vader 1.1.0 to champion (superior)');
      expect(p.body).toContain('**Verdict: SUPERIOR**');
      expect((p.labels as { name: string }[]).map((l) => l.name)).toEqual([
        'finsent:promotion',
        'model:vader',
        'verdict:superior',
      ]);
    });

    it('updates the open pull request on a re-run instead of opening another', async () => {
      const commitsBefore = fake.commits.size;
      const pr = await openOrUpdatePromotionPr(
        {
          family: 'vader',
          version: '1.1.0',
          kind: 'promote',
          report: 'updated report',
          verdict: 'non-inferior',
        },
        { octokit, repository: 'acme/finsent' },
      );
      expect(pr).toMatchObject({ status: 'updated', number: 1 });
      expect(fake.pulls).toHaveLength(1);
      expect(fake.commits.size).toBe(commitsBefore); // the branch already carries this edit
      expect(fake.pulls[0]!.body).toContain('updated report');
      expect((fake.pulls[0]!.labels as { name: string }[]).map((l) => l.name)).toEqual([
        'finsent:promotion',
        'model:vader',
        'verdict:non-inferior',
      ]);
    });

    it('on merge: verifies the release against its manifest, records the promotion and calls the deploy hook once', async () => {
      const before = fake.fileAt('main', CONFIG)!;
      const sha = fake.mergePull(1);
      const after = fake.fileAt('main', CONFIG)!;
      expect(parseModelsConfig(after).families.vader!.champion).toBe('1.1.0');
      const out = await verifyMergedPromotion({
        before,
        after,
        registry,
        commit: sha,
        db,
        deployHookUrl: hookUrl,
        deployHook: { fetch: hook.fetch },
      });
      expect(out.changes).toEqual([
        expect.objectContaining({ family: 'vader', from: 'builtin', to: '1.1.0', kind: 'promote' }),
      ]);
      expect(out.deploy).toEqual({ status: 200, deployId: 'dep-d0nt5n2dbo4c73b0q9tg' });
      expect(out.recorded).toBe(1);
      expect(hook.calls).toEqual([hookUrl]);
      const again = await verifyMergedPromotion({ before, after, registry, commit: sha, db });
      expect(again.recorded).toBe(0);
      expect((await listPromotions(db, 'vader'))[0]).toMatchObject({
        mode: 'merge',
        status: 'deployed',
        to_version: '1.1.0',
        commit_sha: sha,
      });
    });

    it('rolls back through a new pull request on the same branch, then records the rollback on merge', async () => {
      const plan = await planRollback({ family: 'vader', current: '1.1.0', registry, db });
      expect(plan).toMatchObject({ to: 'builtin' });
      const explicit = await planRollback({ family: 'vader', current: '1.1.0', to: '1.0.0', registry, db });
      const pr = await openOrUpdatePromotionPr(
        { family: 'vader', version: explicit.to, kind: 'rollback', report: `Rollback: ${explicit.reason}` },
        { octokit, repository: 'acme/finsent', now: new Date('2025-06-03T09:00:00Z') },
      );
      // The old branch was merged (an ancestor of main by now): it is reset, and a new PR opened.
      expect(pr).toMatchObject({ status: 'created', number: 2, previous: '1.1.0' });
      expect(fake.pulls[1]!.title).toBe('Roll back vader to 1.0.0');
      expect((fake.pulls[1]!.labels as { name: string }[]).map((l) => l.name)).toEqual([
        'finsent:rollback',
        'model:vader',
      ]);
      const before = fake.fileAt('main', CONFIG)!;
      const sha = fake.mergePull(2);
      const out = await verifyMergedPromotion({
        before,
        after: fake.fileAt('main', CONFIG)!,
        registry,
        commit: sha,
        db,
      });
      expect(out.changes[0]).toMatchObject({ from: '1.1.0', to: '1.0.0', kind: 'rollback' });
      expect(out.deploy).toBe('not-configured');
      expect((await listPromotions(db, 'vader'))[0]).toMatchObject({ kind: 'rollback', status: 'applied' });
    });

    it('fails the merge check, and records the failure, when the config names a release that does not exist', async () => {
      const before = fake.fileAt('main', CONFIG)!;
      const after = before.replace(/champion: 1\.0\.0[^\n]*/, 'champion: 9.9.9');
      await expect(
        verifyMergedPromotion({ before, after, registry, commit: 'b'.repeat(40), db }),
      ).rejects.toThrow(
        /revert the merge or fix the release: vader@9\.9\.9: vader@9\.9\.9 has no published release/,
      );
      expect((await listPromotions(db, 'vader'))[0]).toMatchObject({ status: 'failed', to_version: '9.9.9' });
    });

    it('answers "unchanged" when the champion is already the asked version', async () => {
      const pr = await openOrUpdatePromotionPr(
        { family: 'vader', version: '1.0.0', kind: 'promote', report: '' },
        { octokit, repository: 'acme/finsent' },
      );
      expect(pr.status).toBe('unchanged');
      expect(fake.pulls.filter((p) => p.state === 'open')).toHaveLength(0);
    });
  },
);
