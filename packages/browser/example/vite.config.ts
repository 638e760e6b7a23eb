import { fileURLToPath } from 'node:url';
import { offloadWorkers } from '@offload/browser/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Lets `createExecutor(new URL('./tasks.ts', import.meta.url))` be bundled as a module worker in `vite build`.
  plugins: [offloadWorkers()],
  // Workers are ES modules (they import @offload/core/worker).
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
