import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS_CONFIG_PATH, parseModelsConfig } from '../config/models';
import { championChanges, setChampion } from '../models/promotion/config-edit';
import { callDeployHook, redactHookUrl } from '../models/promotion/deploy-hook';
import { loadEffectiveModelsConfig, writeLocalChampion } from '../models/promotion/effective-config';
import { promotionKind } from '../models/promotion/merge';

const repoText = readFileSync(MODELS_CONFIG_PATH, 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-pcfg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('editing config/models.yaml', () => {
  it('changes only the champion line and keeps every comment', () => {
    const edit = setChampion(repoText, 'vader', '1.2.0', 'promoted 2025-06-02 (superior)');
    expect(edit).toMatchObject({ changed: true, previous: 'builtin' });
    const before = repoText.split('\n');
    const after = edit.text.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual([
      '    champion: 1.2.0 # promoted 2025-06-02 (superior)',
    ]);
  });

  it('clears the challenger when the challenger is promoted, and is a no-op for the current champion', () => {
    const text = repoText.replace(/(vader:\n\s+champion: builtin[^\n]*\n\s+challenger: )null/, '$11.3.0');
    expect(parseModelsConfig(text).families.vader!.challenger).toBe('1.3.0');
    const edit = setChampion(text, 'vader', '1.3.0');
    expect(parseModelsConfig(edit.text).families.vader).toEqual({ champion: '1.3.0', challenger: null });
    expect(setChampion(edit.text, 'vader', '1.3.0').changed).toBe(false);
  });

  it('refuses to produce a file the schema rejects', () => {
    expect(() => setChampion(repoText, 'vader', 'latest')).toThrow(/families\.vader\.champion/);
    expect(() => setChampion('families: [unclosed', 'vader', '1.0.0')).toThrow(/not valid YAML/);
  });

  it('lists champion changes and tells promotions from rollbacks', () => {
    const a = parseModelsConfig(repoText);
    const b = parseModelsConfig(setChampion(repoText, 'vader', '1.2.0').text);
    expect(championChanges(a, b)).toEqual([{ family: 'vader', from: 'builtin', to: '1.2.0' }]);
    expect(championChanges(a, a)).toEqual([]);
    expect(promotionKind('builtin', '1.0.0')).toBe('promote');
    expect(promotionKind('1.2.0', '1.10.0')).toBe('promote');
    expect(promotionKind('1.10.0', '1.2.0')).toBe('rollback');
    expect(promotionKind('1.0.0', 'builtin')).toBe('rollback');
  });
});

describe('local promotion config (data directory copy)', () => {
  it('overlays local champions on the repository file, which keeps its own later edits', () => {
    const repoFile = path.join(tmp, 'models.yaml');
    writeFileSync(repoFile, repoText);
    const dataDir = path.join(tmp, 'data');
    expect(loadEffectiveModelsConfig(dataDir, repoFile).localOverrides).toEqual([]);
    expect(writeLocalChampion(dataDir, 'vader', '1.0.0', 'promoted locally', repoFile)).toMatchObject({
      changed: true,
      previous: 'builtin',
    });
    expect(writeLocalChampion(dataDir, 'vader', '1.0.0', 'again', repoFile).changed).toBe(false);
    // The repository's file changes later (a new default model): both show through.
    writeFileSync(repoFile, repoText.replace('default: vader', 'default: finbert'));
    const eff = loadEffectiveModelsConfig(dataDir, repoFile);
    expect(eff.config.families.vader!.champion).toBe('1.0.0');
    expect(eff.config.serving.default).toBe('finbert');
    expect(eff.localOverrides).toEqual(['vader']);
  });
});

describe('deploy hook', () => {
  it('posts once, returns the deploy id and never shows the key', async () => {
    const seen: string[] = [];
    const out = await callDeployHook('https://api.render.com/deploy/srv-abc?key=SECRET', {
      fetch: async (url, init) => {
        seen.push(`${init?.method} ${url}`);
        return new Response('{"deploy":{"id":"dep-1"}}', { status: 200 });
      },
    });
    expect(out).toEqual({ status: 200, deployId: 'dep-1' });
    expect(seen).toEqual(['POST https://api.render.com/deploy/srv-abc?key=SECRET']);
    expect(redactHookUrl('https://api.render.com/deploy/srv-abc?key=SECRET')).toBe(
      'https://api.render.com/deploy/srv-abc',
    );
  });

  it('retries a 5xx, gives up on a 4xx, and names the fix without the secret', async () => {
    let n = 0;
    const flaky: typeof fetch = async () => new Response('', { status: ++n === 1 ? 503 : 200 });
    expect(
      (await callDeployHook('https://api.render.com/deploy/srv-x?key=K', { fetch: flaky, backoffMs: 1 }))
        .status,
    ).toBe(200);
    const gone: typeof fetch = async () => new Response('Not Found', { status: 404 });
    const error = await callDeployHook('https://api.render.com/deploy/srv-x?key=K', {
      fetch: gone,
      backoffMs: 1,
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /deploy hook https:\/\/api\.render\.com\/deploy\/srv-x failed \(HTTP 404\); check RENDER_DEPLOY_HOOK_URL/,
    );
    expect((error as Error).message).not.toContain('key=K');
  });
});
