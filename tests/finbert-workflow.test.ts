import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../lib/paths';

/** The FinBERT GPU job handed to the training workflow lives in docs/finbert.md: it must stay valid. */
function jobSnippet(): Record<string, unknown> {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'finbert.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/finbert.md has no yaml block');
  return parse(block[1]!) as Record<string, unknown>;
}

interface Step {
  name?: string;
  if?: string;
  env?: Record<string, string>;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}

describe('the FinBERT training job snippet', () => {
  const job = jobSnippet().finbert as { 'runs-on': string; steps: Step[] };

  it('targets the self-hosted GPU runner with a hosted fallback', () => {
    expect(job['runs-on']).toContain('fromJSON(\'["self-hosted", "linux", "x64", "gpu"]\')');
    expect(job['runs-on']).toContain("'ubuntu-latest'");
  });

  it('installs the onnxruntime CUDA provider in the GPU path only', () => {
    const withCuda = job.steps.filter((s) => s.env?.ONNXRUNTIME_NODE_INSTALL !== undefined);
    expect(withCuda).toHaveLength(1);
    expect(withCuda[0]).toMatchObject({
      if: "steps.device.outputs.device == 'cuda'",
      run: 'npm rebuild onnxruntime-node',
    });
    expect(withCuda[0]!.env!.ONNXRUNTIME_NODE_INSTALL).toBe('cuda12');
  });

  it('caches the Hugging Face files keyed on model id and revision', () => {
    const cache = job.steps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect(cache?.with?.path).toBe('.finsent/hf-cache');
    // GitHub expressions, not template placeholders: built from parts to say so.
    const expr = (e: string) => `$\{{ ${e} }}`;
    expect(cache?.with?.key).toContain(
      `${expr('steps.finbert.outputs.id')}-${expr('steps.finbert.outputs.revision')}`,
    );
  });

  it('falls back to CPU training when CUDA fails', () => {
    const cpu = job.steps.find((s) => s.env?.FINBERT_DEVICE === 'cpu');
    expect(cpu?.if).toBe("steps.device.outputs.device == 'cpu' || steps.gpu.outcome == 'failure'");
    expect(job.steps.find((s) => s.env?.FINBERT_DEVICE === 'cuda')).toMatchObject({
      'continue-on-error': true,
    });
  });
});
