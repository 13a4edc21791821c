// The action's entry: ncc bundles this file into dist/index.js (see README.md).
import { run } from './run';

await run();
