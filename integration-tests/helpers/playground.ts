/**
 * A Kustom playground for a Medusa integration suite. Call at the top of the spec file,
 * before `medusaIntegrationTestRunner`: its `beforeAll` then runs first and puts the
 * playground's URL, API key and webhook secret into the environment the development store's
 * medusa-config reads.
 */
import { randomBytes } from "node:crypto"
import { startPlayground, type PlaygroundHandle, type PlaygroundOptions } from "kustom-ipp-playground"

export const TEST_API_KEY = "kco_test_api_integration"

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`
}

export type PlaygroundFixture = {
  readonly playground: PlaygroundHandle
  readonly webhookSecret: string
  /** Points the playground's callbacks at the running store, with no faults left from before. */
  connect(storeUrl: string): void
}

export function usePlayground(
  options: Partial<PlaygroundOptions> = {},
  env: Record<string, string> = {}
): PlaygroundFixture {
  let playground: PlaygroundHandle | undefined
  const webhookSecret = newWebhookSecret()
  const saved: Record<string, string | undefined> = {}

  beforeAll(async () => {
    playground = await startPlayground({
      apiKey: TEST_API_KEY,
      port: 0,
      webhookSecrets: [webhookSecret],
      callbackRetry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 500, timeoutMs: 5_000 },
      ...options,
    })
    const vars: Record<string, string> = {
      KUSTOM_IPP_API_KEY: TEST_API_KEY,
      KUSTOM_IPP_BASE_URL: playground.url,
      KUSTOM_IPP_WEBHOOK_SECRET: webhookSecret,
      ...env,
    }
    for (const [key, value] of Object.entries(vars)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
  })

  afterAll(async () => {
    await playground?.stop()
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  return {
    get playground() {
      if (!playground) throw new Error("The playground starts in beforeAll")
      return playground
    },
    webhookSecret,
    connect(storeUrl: string) {
      this.playground.clearFaults()
      this.playground.setCallbackFaults({})
      this.playground.configure({ callbackUrl: `${storeUrl}/hooks/kustom-ipp` })
    },
  }
}
