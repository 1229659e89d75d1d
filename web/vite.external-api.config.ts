import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// external_api.js: one classic script defining window.JitsiMeetExternalAPI,
// as platforms load Jitsi's (no modules, no hashed name).
export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: false,
    target: 'es2020',
    sourcemap: true,
    lib: {
      entry: fileURLToPath(new URL('./external-api/external_api.ts', import.meta.url)),
      name: 'JitsiMeetExternalAPI',
      formats: ['iife'],
      fileName: () => 'external_api.js',
    },
    rollupOptions: { output: { exports: 'default' } },
  },
});
