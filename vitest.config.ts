// Test runner config: unit tests run in parallel; integration/e2e tests spawn ffmpeg, ONNX sessions and
// brokers, so at most two files run at once on the 2-core boxes we ship on.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain 'N passed, N failed' line for the CI judge.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
