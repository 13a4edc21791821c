import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../lib/paths';
import { readServingSettings } from '../serving/settings';
import { type SpawnedCli, spawnCli } from './helpers/spawn-cli';

// render.yaml is deployment code nobody runs here: these checks hold it to the code it deploys
// (the routes, the CLI, the environment the server reads), and one test runs its start command.

interface EnvVar {
  key: string;
  value?: string;
  sync?: boolean;
  generateValue?: boolean;
  fromService?: { type: string; name: string; property: string };
}
interface Service {
  type: string;
  name: string;
  runtime?: string;
  buildCommand?: string;
  startCommand?: string;
  healthCheckPath?: string;
  autoDeployTrigger?: string;
  maxShutdownDelaySeconds?: number;
  envVars?: EnvVar[];
}

const blueprint = parse(readFileSync(path.join(REPO_ROOT, 'render.yaml'), 'utf8')) as { services: Service[] };
const web = blueprint.services.find((s) => s.type === 'web');
const envVars = web?.envVars ?? [];
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
/** Render's own settings, read by Render and not by finsent. */
const RENDER_OWN = new Set(['NODE_VERSION']);
/** Values that must never be committed. */
const SECRETS = ['FINSENT_ADMIN_TOKEN', 'DATABASE_URL', 'GITHUB_TOKEN', 'FINSENT_FEEDBACK_TOKEN'];

/** Every TypeScript source the server may read its environment from. */
function sourceText(): string {
  return ['lib', 'serving', 'scripts', 'models', 'pipeline', 'config']
    .flatMap((d) =>
      readdirSync(path.join(REPO_ROOT, d), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(path.join(REPO_ROOT, d, f), 'utf8')),
    )
    .join('\n');
}

describe('render.yaml', () => {
  it('declares one node web service that builds from the lockfile and deploys only after CI passes', () => {
    expect(web, 'render.yaml has no web service').toBeDefined();
    expect(web!.runtime).toBe('node');
    expect(web!.buildCommand).toBe('npm ci');
    expect(existsSync(path.join(REPO_ROOT, 'package-lock.json'))).toBe(true);
    expect(web!.autoDeployTrigger).toBe('checksPass');
    // The server's own grace (10 s for requests, then up to 10 s for models to close) fits.
    expect(web!.maxShutdownDelaySeconds).toBeGreaterThanOrEqual(20);
  });

  it('starts `finsent serve` through the committed bin, bound to every interface', () => {
    const [node, bin, command, ...flags] = web!.startCommand!.split(/\s+/);
    expect(node).toBe('node');
    expect(existsSync(path.join(REPO_ROOT, bin!))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(Object.values(pkg.bin)).toContain(bin);
    expect(command).toBe('serve');
    expect(flags).toEqual(['--host', '0.0.0.0']);
  });

  it('names only environment variables finsent reads and documents, and commits no secret', () => {
    const code = sourceText();
    for (const v of envVars) {
      if (RENDER_OWN.has(v.key)) continue;
      expect(code.includes(v.key), `${v.key} is set in render.yaml but no source reads it`).toBe(true);
      expect(readme.includes(`\`${v.key}\``), `${v.key} is not in the README's environment table`).toBe(true);
    }
    for (const key of SECRETS) {
      const v = envVars.find((e) => e.key === key);
      if (!v) continue;
      expect(v.value, `${key} must not have a committed value`).toBeUndefined();
      expect(v.sync === false || v.generateValue === true, `${key}: use sync: false or generateValue`).toBe(
        true,
      );
    }
    expect(envVars.find((e) => e.key === 'FINSENT_ADMIN_TOKEN')?.generateValue).toBe(true);
  });

  it('gives the API settings values the server accepts', () => {
    const values = Object.fromEntries(
      envVars.filter((v) => v.value !== undefined).map((v) => [v.key, String(v.value)]),
    );
    const settings = readServingSettings(values);
    expect(settings.app.trustProxy).toBe(true);
    expect(settings.app.configPollMs).toBe(Number(values.FINSENT_CONFIG_POLL_MS));
  });

  it('takes REDIS_URL from a Key Value service the Blueprint declares', () => {
    for (const v of envVars.filter((e) => e.fromService)) {
      const target = blueprint.services.find(
        (s) => s.type === v.fromService!.type && s.name === v.fromService!.name,
      );
      expect(
        target,
        `${v.key} refers to ${v.fromService!.name}, which render.yaml does not declare`,
      ).toBeDefined();
    }
    expect(envVars.find((e) => e.key === 'REDIS_URL')?.fromService?.type).toBe('keyvalue');
  });
});

describe("render.yaml's start command", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finsent-render-'));
  let child: SpawnedCli | undefined;
  afterAll(() => {
    child?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves healthCheckPath with 200 under the Blueprint environment, then stops on SIGTERM in time', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HF_HUB_OFFLINE: '1' };
    for (const v of envVars) {
      if (v.value !== undefined) env[v.key] = String(v.value);
      else if (v.generateValue) env[v.key] = 'generated-by-render-0123456789abcdef';
      else delete env[v.key]; // sync: false secrets and other services: unset, as before they are filled in
    }
    env.FINSENT_DATA_DIR = dataDir; // /opt/render/project/src does not exist here
    env.FINSENT_LOG_LEVEL = 'warn';
    const [, bin, ...args] = web!.startCommand!.split(/\s+/);
    const cli = spawnCli(args, env, path.join(REPO_ROOT, bin!));
    child = cli;
    const url = (await cli.waitFor(/finsent API on (http:\/\/[\d.]+:\d+)/, 60_000))[1]!;
    // Readiness can lag the banner while VADER loads; Render retries its health check too.
    let health: Response | undefined;
    for (let i = 0; i < 50; i++) {
      health = await fetch(`${url}${web!.healthCheckPath}`);
      if (health.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health!.status, cli.output()).toBe(200);
    expect(((await health!.json()) as { ready: boolean }).ready).toBe(true);

    const started = Date.now();
    cli.proc.kill('SIGTERM');
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(web!.maxShutdownDelaySeconds! * 1000);
  }, 90_000);
});
