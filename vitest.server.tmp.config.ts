import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['apps/server/test/**/*.test.ts'], root: '/work/main' } });
