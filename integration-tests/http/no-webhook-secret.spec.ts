import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { spawn } from "node:child_process"
import { webcrypto } from "node:crypto"
import { join, resolve } from "node:path"
import { Webhook } from "standardwebhooks"
import { freePort } from "../../scripts/lib/embedded-database"
import { captureOutput } from "../helpers/capture-output"
import { newWebhookSecret, usePlayground } from "../helpers/playground"

jest.setTimeout(240_000)
globalThis.crypto ??= webcrypto as Crypto

const ROOT = resolve(__dirname, "..", "..")
const MEDUSA_CLI = join(ROOT, "node_modules", ".bin", "medusa")

/**
 * `medusa start` as a store runs it, on the suite's database, until it exits; a start that is
 * still running after two minutes is stopped and reported with a null exit code.
 */
async function medusaStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MEDUSA_CLI, "start", "--port", String(await freePort())], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
  // Killed by the signal, it exits with a null code.
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 120_000)
  const code = await exited
  clearTimeout(timer)
  return { code, output }
}

// The store runs without any webhook secret.
usePlayground({}, { KUSTOM_IPP_WEBHOOK_SECRET: "" })
const output = captureOutput()
afterAll(() => output.restore())

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, dbConfig }) => {
    it("warns loudly at start-up and rejects every callback, even a correctly shaped and signed one", async () => {
      expect(output.text()).toMatch(/no webhookSecrets configured — every callback will be rejected/)
      const secret = newWebhookSecret()
      const now = new Date()
      const body = JSON.stringify({ id: "kevt_1", timestamp: now.toISOString(), type: "ipp.session.finalized", data: { session_id: "s" } })
      const response = await api.post("/hooks/kustom-ipp", body, {
        headers: { "content-type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign("msg_1", now, body) },
        validateStatus: () => true,
      })
      expect(response.status).toBe(401)
    })

    it.each([
      { name: "NODE_ENV is production", env: { NODE_ENV: "production" }, reason: /webhookSecrets: is required when NODE_ENV is production/ },
      {
        name: "the Kustom environment is production",
        env: { NODE_ENV: "development", KUSTOM_IPP_ENVIRONMENT: "production" },
        reason: /webhookSecrets: is required with Kustom's production environment/,
      },
    ])("refuses to start without a webhook secret when $name", async ({ env, reason }) => {
      const base: NodeJS.ProcessEnv = { ...process.env }
      for (const key of ["NODE_OPTIONS", "DB_HOST", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_NAME"]) delete base[key]
      const { code, output } = await medusaStart({
        ...base,
        ...env,
        DATABASE_URL: dbConfig.clientUrl,
        KUSTOM_IPP_WEBHOOK_SECRET: "",
        MEDUSA_ADMIN_DISABLED: "true",
        MEDUSA_DISABLE_TELEMETRY: "true",
      })
      expect(output).toMatch(reason)
      expect(code).not.toBe(0)
      expect(code).not.toBeNull()
    })
  },
})
