#!/usr/bin/env node
// finsent ships TypeScript sources and runs them through tsx (see docs/adr/001-typescript-runtime.md):
// no build step stands between `npm install` and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/finsent.ts');
