/**
 * The callback route under 10,000 generated requests: malformed JSON, wrong or missing headers,
 * forged and tampered signatures, replays outside the tolerance, bodies over the size limit,
 * unicode and control characters, wrong content types, and correctly signed events for sessions
 * nobody knows. No answer may be a 5xx, no order may appear, the pending sale must be untouched,
 * and the server must stay healthy.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { webcrypto, randomBytes } from "node:crypto"
import fc from "fast-check"
import { Webhook } from "standardwebhooks"
import { seedStore } from "../../scripts/lib/seed-store"
import { createDevice, kustomClient } from "../helpers/kustom"
import { newWebhookSecret, usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, payInStore, paymentSessionOf } from "../helpers/store-sale"

jest.setTimeout(600_000)
globalThis.crypto ??= webcrypto as Crypto

const REQUESTS = 10_000
const CONCURRENCY = 16
const fixture = usePlayground()

type FuzzRequest = { kind: string; body: string; headers: Record<string, string> }

function eventBody(sessionId: string, type = "ipp.session.finalized", extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id: `kevt_${randomBytes(6).toString("hex")}`, merchant_id: "PLAYGROUND", timestamp: new Date().toISOString(), type, data: { session_id: sessionId, order_id: null, failure_reason: null }, ...extra })
}

function requestArbitrary(secret: string, knownSessionId: string): fc.Arbitrary<FuzzRequest> {
  const genuine = new Webhook(secret)
  const forger = new Webhook(newWebhookSecret())
  const sign = (signer: Webhook, body: string, at = new Date(), id = `msg_${randomBytes(8).toString("hex")}`) => ({
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signer.sign(id, at, body),
  })
  const json = { "content-type": "application/json" }
  const text = fc.string({ unit: "binary", maxLength: 300 })
  return fc.oneof(
    // Malformed JSON, even correctly signed.
    text.map((body) => ({ kind: "malformed-json", body: `{${body}`, headers: { ...json, ...sign(genuine, `{${body}`) } })),
    // Missing or partial headers.
    fc.subarray(["webhook-id", "webhook-timestamp", "webhook-signature"]).map((keep) => {
      const body = eventBody(knownSessionId)
      const all = sign(genuine, body) as Record<string, string>
      const headers: Record<string, string> = { ...json }
      for (const key of keep.slice(0, 2)) headers[key] = all[key]
      return { kind: "missing-headers", body, headers }
    }),
    // Forged: signed with another secret, or a random signature.
    fc.constant(null).map(() => {
      const body = eventBody(knownSessionId)
      return { kind: "forged", body, headers: { ...json, ...sign(forger, body) } }
    }),
    fc.base64String({ minLength: 4, maxLength: 88 }).map((signature) => {
      const body = eventBody(knownSessionId)
      return { kind: "random-signature", body, headers: { ...json, ...sign(genuine, body), "webhook-signature": `v1,${signature}` } }
    }),
    // Tampered after signing: the type or the session changed.
    fc.constantFrom("ipp.session.cancelled", "ipp.payment.failed", "ipp.session.finalized").map((type) => {
      const body = eventBody(knownSessionId, "ipp.session.created")
      return { kind: "tampered", body: body.replace("ipp.session.created", type), headers: { ...json, ...sign(genuine, body) } }
    }),
    // Replays outside the tolerance, both directions.
    fc.constantFrom(-3_600_000, -600_000, 600_000, 86_400_000).map((offset) => {
      const body = eventBody(knownSessionId)
      return { kind: "stale-or-future", body, headers: { ...json, ...sign(genuine, body, new Date(Date.now() + offset)) } }
    }),
    // Over the 64 kB limit.
    fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((size) => {
      const body = eventBody(knownSessionId, "ipp.session.finalized", { padding: "x".repeat(size) })
      return { kind: "huge", body, headers: { ...json, ...sign(genuine, body) } }
    }),
    // Unicode and control characters in the body, signed and unsigned.
    fc.tuple(fc.string({ unit: "grapheme", maxLength: 50 }), fc.string({ unit: "binary", maxLength: 50 }), fc.boolean()).map(([u, c, signed]) => {
      const body = JSON.stringify({ id: u, type: c, data: { session_id: `${u}${c}` } })
      return { kind: "unicode", body, headers: { ...json, ...(signed ? sign(genuine, body) : { "webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "v1,x" }) } }
    }),
    // Wrong content types.
    fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "application/xml").map((type) => {
      const body = eventBody(knownSessionId)
      return { kind: "content-type", body, headers: { "content-type": type, ...sign(forger, body) } }
    }),
    // Genuinely signed events for sessions Kustom does not know.
    fc.uuid().map((unknown) => {
      const body = eventBody(unknown)
      return { kind: "unknown-session", body, headers: { ...json, ...sign(genuine, body) } }
    })
  )
}

medusaIntegrationTestRunner({
  inApp: true,
  testSuite: ({ api, getContainer }) => {
    it(`answers ${REQUESTS} hostile requests without a 5xx, an order, or a change to the sale`, async () => {
      fixture.connect(api.defaults.baseURL as string)
      const store = await seedStore(getContainer())
      const device = await createDevice(fixture)
      const cartId = await createCart(api, store)
      const sale = await payInStore(api, store, cartId, { device_id: device.id })
      const before = await paymentSessionOf(getContainer(), sale.paymentSessionId)

      const requests = fc.sample(requestArbitrary(fixture.webhookSecret, sale.kustomSessionId), { numRuns: REQUESTS, seed: 20261127 })
      const statuses = new Map<number, number>()
      const fiveHundreds: string[] = []
      const url = `${api.defaults.baseURL}/hooks/kustom-ipp`
      let next = 0
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++]
          const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body })
          await response.arrayBuffer()
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
          if (response.status >= 500) fiveHundreds.push(`${request.kind}: ${response.status}`)
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      process.stdout.write(`\n[fuzz] ${REQUESTS} requests, statuses: ${JSON.stringify(Object.fromEntries(statuses))}\n`)

      expect(fiveHundreds).toEqual([])
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS)
      expect((await api.get("/health")).status).toBe(200)
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)
      const after = await paymentSessionOf(getContainer(), sale.paymentSessionId)
      expect(after.status).toBe(before.status)
      expect(after.data).toEqual(before.data)
      expect((await kustomClient(fixture).sessions.get(sale.kustomSessionId)).status).toBe("CREATED")
    })
  },
})
