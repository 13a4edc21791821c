import type { Command } from 'commander';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { startProductionServer } from '../../serving/wire';
import { action, printJsonLine } from '../cli/run';

interface ServeFlags {
  port?: string;
  host?: string;
  json?: boolean;
}

/**
 * `finsent serve [--port 3000] [--host 127.0.0.1] [--json]`: serves the API until Ctrl-C or
 * SIGTERM, then shuts down gracefully (in-flight requests finish, the prediction log is flushed).
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the prediction API (POST /predict, /models/*, /health, /metrics, /docs) until Ctrl-C')
    .option('-p, --port <port>', 'TCP port (default: $PORT, else 3000; 0 = any free port)')
    .option(
      '--host <host>',
      'interface to bind (default: $FINSENT_HOST, else 127.0.0.1; 0.0.0.0 in containers)',
    )
    .option('--json', 'print the address as one JSON line instead of the banner')
    .addHelpText(
      'after',
      '\nEnvironment: DATABASE_URL, REDIS_URL, FINSENT_ADMIN_TOKEN, FINSENT_CORS_ORIGINS, FINSENT_RATE_LIMIT,\n' +
        'FINSENT_MAX_BATCH, FINSENT_MAX_TEXT_LENGTH, FINSENT_CONFIG_POLL_MS, FINSENT_LOG_TEXT (see docs/api.md).',
    )
    .action(
      action(async (flags: ServeFlags) => {
        const env = readEnv();
        let port: number | undefined;
        if (flags.port !== undefined) {
          if (!/^\d+$/.test(flags.port))
            throw new InputError(`--port ${flags.port} is not a number: use e.g. --port 3000`);
          port = Number(flags.port);
        }
        const server = await startProductionServer(env, {
          ...(port !== undefined ? { port } : {}),
          ...(flags.host ? { host: flags.host } : {}),
          ...(flags.json ? { print: () => {} } : {}),
        });
        if (flags.json) printJsonLine({ url: server.url });
        await server.closed;
      }),
    );
}
