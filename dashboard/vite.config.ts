import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard is a static site: `public/data/*.json` (written by `finsent export`) is copied
 * as is, everything else is bundled into `dist/` with hashed names (see vercel.json's caching).
 */
export default defineConfig({
  root,
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The data files change on every export; the build must not depend on them.
    copyPublicDir: true,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod 4 ships /*#__PURE__*/ notes in places Rollup cannot use; harmless, and noisy.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules/zod')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
