/**
 * The published package: what `npm pack` ships, and a store configured as the README shows
 * (plugin + provider entry, resolved through the package's `exports`) booting from the build.
 * Builds the package first when `.medusa/server` is missing.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { usePlayground } from "../helpers/playground"

jest.setTimeout(300_000)

const ROOT = resolve(__dirname, "..", "..")
const APP = join(__dirname, "app")

if (!existsSync(join(ROOT, ".medusa", "server", "src", "providers", "pay-in-store", "index.js"))) {
  execFileSync(join(ROOT, "node_modules", ".bin", "medusa"), ["plugin:build"], { cwd: ROOT, stdio: "inherit" })
}

describe("the published package", () => {
  it("ships the built plugin and nothing of the playground, tests or sources", () => {
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" }))
    const files: string[] = packed.files.map((file: { path: string }) => file.path)
    for (const expected of [
      "package.json",
      ".medusa/server/src/providers/pay-in-store/index.js",
      ".medusa/server/src/modules/kustom-ipp/index.js",
      ".medusa/server/src/workflows/index.js",
      ".medusa/server/src/api/hooks/kustom-ipp/route.js",
      ".medusa/server/src/admin/index.mjs",
      "LICENSE",
      "README.md",
      "CHANGELOG.md",
      "docs/admin.md",
      "docs/architecture.md",
      "docs/demo.md",
      "docs/playground.md",
      "docs/benchmarks.md",
    ]) {
      expect(files).toContain(expected)
    }
    // The playground's code stays out; its page in docs/ (which the README links to) ships.
    const unwanted = files.filter((file) => /(^|\/)playground\/|__tests__|integration-tests|e2e\/|\.ts$|\.env/.test(file) && !file.endsWith(".d.ts"))
    expect(unwanted).toEqual([])
  })

  it("accepts a store on the tested Medusa version and its later patches, as the README says", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))
    const peers = Object.entries(manifest.peerDependencies as Record<string, string>).filter(([name]) => name.startsWith("@medusajs/"))
    expect(peers.length).toBeGreaterThan(0)
    for (const [name, range] of peers) {
      // `~x.y.z`: from the version the tests run on (the exact development dependency), any patch
      // of that minor; `^` for @medusajs/ui, which has its own major version.
      const tested = manifest.devDependencies[name]
      expect(`${name}@${range}`).toBe(`${name}@${name === "@medusajs/ui" ? "^" : "~"}${tested}`)
    }
  })

  it("resolves every entry the README uses through the package's exports", () => {
    const provider = require("medusa-plugin-kustom-ipp/providers/pay-in-store")
    expect(provider.default.services[0].identifier).toBe("pay-in-store")
    expect(require("medusa-plugin-kustom-ipp/modules/kustom-ipp").default.service).toBeDefined()
    expect(require("medusa-plugin-kustom-ipp/workflows").processKustomIppSessionWorkflow).toBeDefined()
  })
})

usePlayground()

medusaIntegrationTestRunner({
  inApp: true,
  cwd: APP,
  medusaConfigFile: APP,
  testSuite: ({ api, getContainer }) => {
    it("boots a store configured as the README shows, with the provider, module and routes of the built package", async () => {
      const providers = await getContainer().resolve(Modules.PAYMENT).listPaymentProviders({ id: "pp_pay-in-store_kustom" })
      expect(providers).toHaveLength(1)
      expect(getContainer().resolve<{ options: { baseUrl: string } }>("kustom_ipp").options.baseUrl).toBe(process.env.KUSTOM_IPP_BASE_URL)
      const hook = await api.post("/hooks/kustom-ipp", {}, { validateStatus: () => true })
      expect(hook.status).toBe(401)
    })
  },
})
