import { main } from './cli/program';
import { reportError } from './cli/run';

main(process.argv).catch((error: unknown) => {
  process.exitCode = reportError(error);
});
