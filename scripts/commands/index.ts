import type { Command } from 'commander';
import { registerMonitor } from './monitor';

/** Each command lives in its own file and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [registerMonitor];
