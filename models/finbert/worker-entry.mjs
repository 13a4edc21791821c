// FinBERT's worker thread starts here (see ./worker-runtime.ts). Plain JavaScript, so it runs in a
// bare worker wherever the main thread got its TypeScript from (`node bin/finsent.js`, which
// registers tsx in-process only; `npx tsx`; vitest): it registers tsx in this thread, then loads
// the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
