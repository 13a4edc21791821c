import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/paths';

export const BIN = path.join(REPO_ROOT, 'bin', 'finsent.js');

export interface SpawnedCli {
  proc: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Settles when the process exits. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first match of `re` in the output; rejects if the process exits or `ms` pass first. */
  waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** SIGKILL if still running (for afterAll). */
  kill(): void;
}

/** Runs `node <bin> ...args` from the repository root, collecting its output. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, bin = BIN): SpawnedCli {
  const proc = spawn(process.execPath, [bin, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    proc,
    output: () => out,
    exit,
    waitFor: (re, ms) => {
      const until = Date.now() + ms;
      return new Promise((resolve, reject) => {
        const tick = () => {
          const m = out.match(re);
          if (m) return resolve(m);
          if (exited() || Date.now() > until) return reject(new Error(`no ${re} in output:\n${out}`));
          setTimeout(tick, 100);
        };
        tick();
      });
    },
    kill: () => {
      if (!exited()) proc.kill('SIGKILL');
    },
  };
}
