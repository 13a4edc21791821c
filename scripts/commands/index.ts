import type { Command } from 'commander';
import { registerEval } from './eval';
import { registerExport } from './export';
import { registerScore } from './score';
import { registerStart } from './start';

/** Each command lives in its own file and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [registerScore, registerEval, registerStart, registerExport];
