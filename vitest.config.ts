import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Installs SIPp (Debian sip-tester) when it is missing, or fails the run at once naming the package.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests on real sockets share two cores with SIPp: keep the pool small.
    pool: "forks",
    maxWorkers: 2
  }
})
