import type { Command } from 'commander';
import { registerCollect } from './collect';
import { registerValidate } from './validate';

/** Each command lives in its own file and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [registerCollect, registerValidate];
