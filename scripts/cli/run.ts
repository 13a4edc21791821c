import { describeError, isFinsentError } from '../../lib/errors';

/** Exit code for anything the user can fix: bad input, unknown model, unreadable file. */
export const EXIT_USAGE = 2;
/** Exit code for a bug or an outage finsent could not handle. */
export const EXIT_FAILURE = 1;

/**
 * Wraps a command's action: a FinsentError becomes one readable line and exit code 2; anything
 * else is an internal error (exit 1) whose stack is shown only with FINSENT_DEBUG=1.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

export function reportError(error: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (isFinsentError(error)) {
    stream.write(`finsent: ${error.message}\n`);
    return EXIT_USAGE;
  }
  stream.write(`finsent: internal error: ${describeError(error)}\n`);
  if (process.env.FINSENT_DEBUG === '1' && error instanceof Error && error.stack) {
    stream.write(`${error.stack}\n`);
  } else {
    stream.write('finsent: set FINSENT_DEBUG=1 to see the stack trace, and please report it.\n');
  }
  return EXIT_FAILURE;
}

/** Writes one JSON value per line (JSON Lines). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
