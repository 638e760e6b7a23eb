/**
 * The browser@chromium conformance cell: vitest browser mode on Debian's
 * Chromium through playwright (never a downloaded browser). Use it as a project
 * of the root config, or alone: vitest run --config packages/browser/vitest.config.ts
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = Boolean(process.env.CI || process.env.OFFLOAD_REQUIRE_RUNTIMES);
const present = existsSync(executablePath);
if (!present && !required) {
  console.log(
    `[offload] skipping conformance browser@chromium: no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH). Set OFFLOAD_REQUIRE_RUNTIMES=1 to make this a failure.`,
  );
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'browser',
    include: ['test/**/*.browser.test.ts'],
    testTimeout: 30_000,
    // Without Chromium (and not required), the test file runs in Node and registers every case as skipped.
    browser: {
      enabled: present || required,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
