/**
 * The callback route under 10,000 generated requests: malformed JSON, wrong or missing headers,
 * forged and tampered signatures, replays outside the tolerance, bodies over the size limit,
 * unicode and control characters, over-long webhook-ids, any content type, and correctly
 * signed events for sessions nobody knows. Every request gets the documented answer for its
 * kind (401 unsigned, 400 signed but unreadable, 413 too large, 415 compressed, 200 for a
 * genuine event), none a 5xx; no order appears, the pending sale and its callbacks are
 * untouched, and the server stays healthy.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { webcrypto, randomBytes } from "node:crypto"
import fc from "fast-check"
import { Webhook } from "standardwebhooks"
import { seedStore } from "../../scripts/lib/seed-store"
import { KUSTOM_IPP_MODULE } from "../../src/modules/kustom-ipp"
import type KustomIppModuleService from "../../src/modules/kustom-ipp/service"
import { createDevice, kustomClient } from "../helpers/kustom"
import { newWebhookSecret, usePlayground } from "../helpers/playground"
import { createCart, ordersOfCart, payInStore, paymentSessionOf } from "../helpers/store-sale"

jest.setTimeout(600_000)
globalThis.crypto ??= webcrypto as Crypto

const REQUESTS = 10_000
const CONCURRENCY = 16
const fixture = usePlayground()

type FuzzRequest = { kind: string; body: string | Blob; headers: Record<string, string>; expected: number }

/** C0 control characters and DEL. */
const controlCharacter = fc.integer({ min: 0, max: 32 }).map((code) => String.fromCharCode(code === 32 ? 0x7f : code))

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
    text.map((body) => ({ kind: "malformed-json", body: `{${body}`, headers: { ...json, ...sign(genuine, `{${body}`) }, expected: 400 })),
    // Well-formed JSON, correctly signed, that is not a Kustom event.
    fc
      .constantFrom<unknown>([1, 2, 3], {}, "", null, "hello", 42, { type: 7 }, { id: "kevt_1", timestamp: "t", data: {} }, { id: "kevt_1", timestamp: 1e20, type: "ipp.session.finalized", data: { session_id: knownSessionId } })
      .chain((payload) =>
        fc.constantFrom<unknown>(payload, { ...JSON.parse(eventBody(knownSessionId)), data: { session_id: null } }, { ...JSON.parse(eventBody(knownSessionId)), data: { session_id: { id: knownSessionId } } }, { ...JSON.parse(eventBody(knownSessionId)), data: { session_id: 1 } })
      )
      .map((payload) => {
        const body = JSON.stringify(payload)
        return { kind: "signed-not-an-event", body, headers: { ...json, ...sign(genuine, body) }, expected: 400 }
      }),
    // A correctly signed event for the pending sale with a control character in one field.
    fc.tuple(fc.constantFrom("type", "session_id", "order_id", "failure_reason"), controlCharacter, fc.nat(20)).filter(([field, c]) => field !== "failure_reason" || !"\t\n\r".includes(c)).map(([field, c, at]) => {
      const event = JSON.parse(eventBody(knownSessionId, "ipp.payment.failed"))
      const insert = (value: string) => `${value.slice(0, at)}${c}${value.slice(at)}`
      if (field === "type") event.type = insert(event.type)
      else event.data[field] = insert(field === "session_id" ? knownSessionId : "DECLINED")
      const body = JSON.stringify(event)
      return { kind: "signed-control-character", body, headers: { ...json, ...sign(genuine, body) }, expected: 400 }
    }),
    // A correctly signed event under a webhook-id too long to be a key.
    fc.integer({ min: 257, max: 12_000 }).map((length) => {
      const body = eventBody(knownSessionId)
      return { kind: "long-webhook-id", body, headers: { ...json, ...sign(genuine, body, new Date(), "m".repeat(length)) }, expected: 400 }
    }),
    // Missing or partial headers.
    fc.subarray(["webhook-id", "webhook-timestamp", "webhook-signature"]).map((keep) => {
      const body = eventBody(knownSessionId)
      const all = sign(genuine, body) as Record<string, string>
      const headers: Record<string, string> = { ...json }
      for (const key of keep.slice(0, 2)) headers[key] = all[key]
      return { kind: "missing-headers", body, headers, expected: 401 }
    }),
    // Forged: signed with another secret, or a random signature.
    fc.constant(null).map(() => {
      const body = eventBody(knownSessionId)
      return { kind: "forged", body, headers: { ...json, ...sign(forger, body) }, expected: 401 }
    }),
    fc.base64String({ minLength: 4, maxLength: 88 }).map((signature) => {
      const body = eventBody(knownSessionId)
      return { kind: "random-signature", body, headers: { ...json, ...sign(genuine, body), "webhook-signature": `v1,${signature}` }, expected: 401 }
    }),
    // Tampered after signing: the type or the session changed.
    fc.constantFrom("ipp.session.cancelled", "ipp.payment.failed", "ipp.session.finalized").map((type) => {
      const body = eventBody(knownSessionId, "ipp.session.created")
      return { kind: "tampered", body: body.replace("ipp.session.created", type), headers: { ...json, ...sign(genuine, body) }, expected: 401 }
    }),
    // Replays outside the tolerance, both directions.
    fc.constantFrom(-3_600_000, -600_000, 600_000, 86_400_000).map((offset) => {
      const body = eventBody(knownSessionId)
      return { kind: "stale-or-future", body, headers: { ...json, ...sign(genuine, body, new Date(Date.now() + offset)) }, expected: 401 }
    }),
    // Over the 64 kB limit.
    fc.integer({ min: 65 * 1024, max: 300 * 1024 }).map((size) => {
      const body = eventBody(knownSessionId, "ipp.session.finalized", { padding: "x".repeat(size) })
      return { kind: "huge", body, headers: { ...json, ...sign(genuine, body) }, expected: 413 }
    }),
    // Unicode and control characters in the body, signed and unsigned.
    fc.tuple(fc.string({ unit: "grapheme", maxLength: 50 }), fc.string({ unit: "binary", maxLength: 50 }), fc.boolean()).map(([u, c, signed]) => {
      const body = JSON.stringify({ id: u, type: c, data: { session_id: `${u}${c}` } })
      return { kind: "unicode", body, headers: { ...json, ...(signed ? sign(genuine, body) : { "webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "v1,x" }) }, expected: signed ? 400 : 401 }
    }),
    // Any content type, or none: the signature decides, never the label.
    fc.tuple(fc.constantFrom("", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", "application/xml", "application/cloudevents+json", "application/json; charset=utf-8"), fc.boolean(), fc.uuid()).map(([type, genuineSigner, unknown]) => {
      const body = eventBody(unknown)
      const headers = { ...(type ? { "content-type": type } : {}), ...sign(genuineSigner ? genuine : forger, body) }
      // A Blob without a type makes fetch send no Content-Type of its own.
      return { kind: "content-type", body: new Blob([body]), headers, expected: genuineSigner ? 200 : 401 }
    }),
    // Compressed: the signed bytes are not what arrives.
    fc.constantFrom("gzip", "deflate", "br").map((encoding) => {
      const body = eventBody(knownSessionId)
      return { kind: "compressed", body, headers: { ...json, "content-encoding": encoding, ...sign(genuine, body) }, expected: 415 }
    }),
    // Genuinely signed events for sessions Kustom does not know.
    fc.uuid().map((unknown) => {
      const body = eventBody(unknown)
      return { kind: "unknown-session", body, headers: { ...json, ...sign(genuine, body) }, expected: 200 }
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
      const unexpected = new Map<string, number>()
      const url = `${api.defaults.baseURL}/hooks/kustom-ipp`
      let next = 0
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++]
          const response = await fetch(url, { method: "POST", headers: request.headers, body: request.body })
          await response.arrayBuffer()
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
          if (response.status !== request.expected) {
            const key = `${request.kind}: ${response.status} (expected ${request.expected})`
            unexpected.set(key, (unexpected.get(key) ?? 0) + 1)
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      process.stdout.write(`\n[fuzz] ${REQUESTS} requests, statuses: ${JSON.stringify(Object.fromEntries(statuses))}\n`)

      expect(Object.fromEntries(unexpected)).toEqual({})
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([])
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS)
      expect((await api.get("/health")).status).toBe(200)
      expect(await ordersOfCart(getContainer(), cartId)).toBe(0)
      const after = await paymentSessionOf(getContainer(), sale.paymentSessionId)
      expect(after.status).toBe(before.status)
      expect(after.data).toEqual(before.data)
      const kustomIpp = getContainer().resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
      // Only the playground's own deliveries (webhook-ids `kevt_…`) may be stored for the sale.
      const stored = await kustomIpp.listKustomIppCallbacks({ kustom_session_id: sale.kustomSessionId })
      expect(stored.filter((callback) => !callback.webhook_id.startsWith("kevt_"))).toEqual([])
      expect((await kustomClient(fixture).sessions.get(sale.kustomSessionId)).status).toBe("CREATED")
    })
  },
})
