import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../lib/paths';
import { VaderEngine, type VaderScores } from '../models/vader/engine';

/**
 * Parity with the reference implementation, vaderSentiment 3.3.1 (commit 44fc044): every line of
 * ../shared/data/vader-parity/*.ref.jsonl must match neg, neu, pos and compound to 4 decimals.
 */
const dir = sharedDir('data', 'vader-parity');
if (!dir) {
  console.warn(
    'vader-parity: ../shared/data/vader-parity is absent, so the reference parity check is skipped',
  );
}
const files = dir ? readdirSync(dir).filter((f) => f.endsWith('.ref.jsonl')) : [];

interface Reference extends VaderScores {
  text: string;
}

const KEYS = ['neg', 'neu', 'pos', 'compound'] as const;
/** Half a unit in the 4th decimal, with room for binary noise: "equal to 4 decimals". */
const TOLERANCE = 0.5e-4 + 1e-12;

describe.skipIf(!dir)('VADER parity with vaderSentiment 3.3.1', () => {
  const engine = new VaderEngine();

  it('finds the reference files', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(`matches every line of ${file} to 4 decimals`, () => {
      const lines = readFileSync(path.join(dir!, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim());
      const mismatches: string[] = [];
      for (const [index, line] of lines.entries()) {
        const ref = JSON.parse(line) as Reference;
        const got = engine.polarityScores(ref.text);
        if (KEYS.some((k) => !(Math.abs(got[k] - ref[k]) <= TOLERANCE))) {
          mismatches.push(`line ${index + 1}: ${JSON.stringify(ref)} got ${JSON.stringify(got)}`);
        }
      }
      expect(lines.length).toBeGreaterThan(0);
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(mismatches.length).toBe(0);
    });
  }
});
