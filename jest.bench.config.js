// `npm run bench`: benchmarks on the development store (real PostgreSQL, playground over HTTP).
// They print tables and write JSON to bench-results/; they never fail on a timing.
const base = require("./jest.config.js")

module.exports = {
  ...base,
  testMatch: ["<rootDir>/bench/**/*.bench.ts"],
  globalSetup: "./integration-tests/database/global-setup.ts",
  globalTeardown: "./integration-tests/database/global-teardown.ts",
  testTimeout: 1_800_000,
}
