import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The client is served below any base path (PUBLIC_URL's path): the server
// writes <base href> into the page, so every asset URL here is relative.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
