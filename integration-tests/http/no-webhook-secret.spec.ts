import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { webcrypto } from "node:crypto"
import { Webhook } from "standardwebhooks"
import { captureOutput } from "../helpers/capture-output"
import { newWebhookSecret, usePlayground } from "../helpers/playground"

jest.setTimeout(120_000)
globalThis.crypto ??= webcrypto as Crypto

// The store runs without any webhook secret.
usePlayground({}, { KUSTOM_IPP_WEBHOOK_SECRET: "" })
const output = captureOutput()
afterAll(() => output.restore())

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api }) => {
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
  },
})
