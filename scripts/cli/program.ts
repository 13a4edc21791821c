import { Command, CommanderError } from 'commander';
import { COMMANDS } from '../commands/index';
import { EXIT_USAGE } from './run';

const VERSION = '0.1.0';

/** Builds the `finsent` program; every command registers itself from scripts/commands/. */
export function buildProgram(): Command {
  const program = new Command('finsent')
    .description(
      'GitOps MLOps for financial-news sentiment: score, evaluate, train, compare, promote, serve.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; usage errors exit 2 like other bad input.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw error;
  }
}
