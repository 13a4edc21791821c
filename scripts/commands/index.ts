import type { Command } from 'commander';
import { registerCollect } from './collect';
import { registerCompareCommand } from './compare';
import { registerConfigCommand } from './config';
import { registerEval } from './eval';
import { registerExport } from './export';
import { registerMonitor } from './monitor';
import { registerPromoteCommand } from './promote';
import { registerRegistryCommand } from './registry';
import { registerScore } from './score';
import { registerServe } from './serve';
import { registerStart } from './start';
import { registerTrainCommand } from './train';
import { registerValidate } from './validate';

/** Each command lives in its own file and adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  registerScore,
  registerEval,
  registerCollect,
  registerValidate,
  registerTrainCommand,
  registerCompareCommand,
  registerRegistryCommand,
  registerPromoteCommand,
  registerConfigCommand,
  registerMonitor,
  registerExport,
  registerServe,
  registerStart,
];
