// The bundle's entry (ncc → dist/index.js): main.ts stays importable by tests without running.
import { run } from './main';

await run();
