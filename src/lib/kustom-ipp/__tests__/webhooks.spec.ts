import { createHmac, randomBytes } from "node:crypto"
import fc from "fast-check"
import { Webhook } from "standardwebhooks"
import { kustomWebhookEventFields, verifyKustomWebhook, type VerifyKustomWebhookInput } from "../webhooks"

const newSecret = () => `whsec_${randomBytes(24).toString("base64")}`

const SECRET = newSecret()
const OTHER_SECRET = newSecret()
// Far from the real clock, so only an injected `now` can accept these deliveries.
const NOW = new Date("2021-06-01T12:00:05Z")
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000)

const event = (overrides: Record<string, unknown> = {}) => ({
  id: "kevt_01HXYZ",
  merchant_id: "DM11917000",
  timestamp: "2026-11-27T12:00:05Z",
  type: "ipp.session.finalized",
  data: { session_id: "8a1f3c5e-0000-4000-8000-000000000001", order_id: "ord-1", failure_reason: null },
  ...overrides,
})

function signed(
  body: string,
  options: { secrets?: string[]; id?: string; timestamp?: number } = {},
): { rawBody: string; headers: Record<string, string> } {
  const id = options.id ?? "kevt_01HXYZ"
  const timestamp = options.timestamp ?? NOW_SECONDS
  const signatures = (options.secrets ?? [SECRET]).map((s) => new Webhook(s).sign(id, new Date(timestamp * 1000), body))
  return {
    rawBody: body,
    headers: {
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatures.join(" "),
    },
  }
}

function verify(input: Partial<VerifyKustomWebhookInput> & Pick<VerifyKustomWebhookInput, "rawBody" | "headers">) {
  return verifyKustomWebhook({ secrets: [SECRET], now: NOW, ...input })
}

describe("verifyKustomWebhook", () => {
  describe("valid deliveries", () => {
    it("accepts a body signed by the standardwebhooks library and returns the typed event", () => {
      const result = verify(signed(JSON.stringify(event())))
      expect(result).toEqual({
        ok: true,
        known: true,
        event: event(),
        webhookId: "kevt_01HXYZ",
        signedAt: new Date(NOW_SECONDS * 1000),
      })
    })

    it("accepts a delivery signed from the Standard Webhooks spec alone, without the library", () => {
      // What any other implementation does: HMAC-SHA256 over "{id}.{timestamp}.{body}" with the
      // base64-decoded part of the secret after `whsec_`, sent as `v1,<base64>`.
      const body = JSON.stringify(event())
      const key = Buffer.from(SECRET.slice("whsec_".length), "base64")
      const signature = createHmac("sha256", key).update(`msg_2Kx.${NOW_SECONDS}.${body}`).digest("base64")
      const headers = { "Webhook-Id": "msg_2Kx", "Webhook-Timestamp": String(NOW_SECONDS), "Webhook-Signature": `v1,${signature}` }
      expect(verify({ rawBody: body, headers })).toMatchObject({ ok: true, known: true, webhookId: "msg_2Kx" })
      expect(verify({ rawBody: body, headers: { ...headers, "Webhook-Signature": `v1,${signature.replace(/^./, (c) => (c === "A" ? "B" : "A"))}` } }).ok).toBe(false)
    })

    it("accepts a Buffer body", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      expect(verify({ rawBody: Buffer.from(rawBody), headers }).ok).toBe(true)
    })

    it("verifies non-ASCII bodies byte for byte", () => {
      const body = JSON.stringify(event({ data: { session_id: "s-1", note: "Smörgås ☕ 日本" } }))
      const { headers } = signed(body)
      expect(verify({ rawBody: Buffer.from(body, "utf8"), headers }).ok).toBe(true)
    })

    it("reads headers in any case, as arrays (IncomingHttpHeaders) or as a Fetch Headers object", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      const mixedCase = {
        "Webhook-Id": headers["webhook-id"],
        "WEBHOOK-TIMESTAMP": headers["webhook-timestamp"],
        "Webhook-Signature": headers["webhook-signature"],
      }
      expect(verify({ rawBody, headers: mixedCase }).ok).toBe(true)

      const arrays = {
        "webhook-id": [headers["webhook-id"]],
        "webhook-timestamp": headers["webhook-timestamp"],
        "webhook-signature": ["v1,bm90LXRoZS1zaWduYXR1cmU=", headers["webhook-signature"]],
        host: "localhost",
      }
      expect(verify({ rawBody, headers: arrays }).ok).toBe(true)

      expect(verify({ rawBody, headers: new Headers(headers) }).ok).toBe(true)
    })

    it("accepts every known event type", () => {
      for (const type of [
        "ipp.session.created",
        "ipp.session.activated",
        "ipp.session.finalized",
        "ipp.session.cancelled",
        "ipp.payment.failed",
      ]) {
        const result = verify(signed(JSON.stringify(event({ type }))))
        expect(result).toMatchObject({ ok: true, known: true, event: { type } })
      }
    })

    it("keeps unknown fields and allows the optional ones to be missing", () => {
      const body = JSON.stringify({
        id: "kevt_2",
        timestamp: "2026-11-27T12:00:05Z",
        type: "ipp.payment.failed",
        data: { session_id: "s-2", failure_reason: "INSUFFICIENT_FUNDS", attempt: 2 },
        api_version: "2026-01",
      })
      const result = verify(signed(body))
      expect(result.ok && result.event).toEqual(JSON.parse(body))
    })

    it("accepts an authentic event of an unknown type, flagged known: false, so the route can ack it", () => {
      const body = JSON.stringify({ id: "kevt_3", timestamp: "2026-11-27T12:00:05Z", type: "ipp.device.removed", data: { device_id: "d" } })
      const result = verify(signed(body))
      expect(result).toMatchObject({ ok: true, known: false, event: { type: "ipp.device.removed" } })
    })
  })

  describe("authenticity", () => {
    it("rejects a tampered body", () => {
      const { headers } = signed(JSON.stringify(event()))
      const tampered = JSON.stringify(event({ data: { session_id: "someone-else" } }))
      expect(verify({ rawBody: tampered, headers })).toMatchObject({ ok: false, reason: "invalid_signature" })
    })

    it("rejects a tampered id or timestamp header", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      expect(verify({ rawBody, headers: { ...headers, "webhook-id": "kevt_other" } })).toMatchObject({
        ok: false,
        reason: "invalid_signature",
      })
      expect(
        verify({ rawBody, headers: { ...headers, "webhook-timestamp": String(NOW_SECONDS - 1) } }),
      ).toMatchObject({ ok: false, reason: "invalid_signature" })
    })

    it("rejects a signature made with another secret", () => {
      const result = verify({ ...signed(JSON.stringify(event()), { secrets: [OTHER_SECRET] }) })
      expect(result).toMatchObject({ ok: false, reason: "invalid_signature" })
    })

    it("ignores signature versions other than v1", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      const v2 = headers["webhook-signature"].replace(/^v1,/, "v2,")
      expect(verify({ rawBody, headers: { ...headers, "webhook-signature": v2 } })).toMatchObject({
        ok: false,
        reason: "invalid_signature",
      })
    })

    it("rejects a body that is not UTF-8 even if the lossy text would match", () => {
      const body = JSON.stringify(event({ data: { session_id: "s\uFFFD" } }))
      const { headers } = signed(body)
      const bytes = Buffer.from(body, "utf8")
      const at = bytes.indexOf(Buffer.from("\uFFFD", "utf8"))
      const invalid = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)])
      expect(invalid.toString("utf8")).toBe(body)
      expect(verify({ rawBody: invalid, headers })).toMatchObject({ ok: false, reason: "invalid_signature" })
    })
  })

  describe("secret rotation", () => {
    const body = JSON.stringify(event())
    const both = signed(body, { secrets: [SECRET, OTHER_SECRET] })

    it.each([
      ["the old secret", [SECRET]],
      ["the new secret", [OTHER_SECRET]],
      ["old and new", [SECRET, OTHER_SECRET]],
      ["new and old", [OTHER_SECRET, SECRET]],
    ])("accepts two signatures with %s configured", (_label, secrets) => {
      expect(verify({ ...both, secrets }).ok).toBe(true)
    })

    it("accepts a delivery signed only with the new secret while old and new are configured", () => {
      expect(verify({ ...signed(body, { secrets: [OTHER_SECRET] }), secrets: [SECRET, OTHER_SECRET] }).ok).toBe(true)
    })

    it("rejects two signatures when neither secret is configured", () => {
      expect(verify({ ...both, secrets: [newSecret()] })).toMatchObject({ ok: false, reason: "invalid_signature" })
    })

    it("skips a malformed secret instead of failing the rotation", () => {
      expect(verify({ ...both, secrets: ["whsec_***not-base64***", OTHER_SECRET] }).ok).toBe(true)
    })
  })

  describe("timestamps", () => {
    const body = JSON.stringify(event())

    it("rejects a timestamp older than the default 300 s tolerance", () => {
      expect(verify(signed(body, { timestamp: NOW_SECONDS - 301 }))).toMatchObject({
        ok: false,
        reason: "timestamp_too_old",
      })
      expect(verify(signed(body, { timestamp: NOW_SECONDS - 300 })).ok).toBe(true)
    })

    it("rejects a timestamp further in the future than the tolerance", () => {
      expect(verify(signed(body, { timestamp: NOW_SECONDS + 301 }))).toMatchObject({
        ok: false,
        reason: "timestamp_in_future",
      })
      expect(verify(signed(body, { timestamp: NOW_SECONDS + 300 })).ok).toBe(true)
    })

    it("applies a configurable tolerance both ways", () => {
      const old = signed(body, { timestamp: NOW_SECONDS - 900 })
      expect(verify({ ...old, toleranceSeconds: 600 })).toMatchObject({ ok: false, reason: "timestamp_too_old" })
      expect(verify({ ...old, toleranceSeconds: 1200 }).ok).toBe(true)

      const late = signed(body, { timestamp: NOW_SECONDS - 10 })
      expect(verify({ ...late, toleranceSeconds: 5 })).toMatchObject({ ok: false, reason: "timestamp_too_old" })
      const early = signed(body, { timestamp: NOW_SECONDS + 10 })
      expect(verify({ ...early, toleranceSeconds: 5 })).toMatchObject({ ok: false, reason: "timestamp_in_future" })
      expect(verify({ ...signed(body), toleranceSeconds: 0 }).ok).toBe(true)
    })

    it("uses the injected clock, where the library's own verify() would use the real one", () => {
      const delivery = signed(body)
      expect(() => new Webhook(SECRET).verify(delivery.rawBody, delivery.headers)).toThrow(/too old/)
      expect(verify(delivery).ok).toBe(true)

      const realNowSigned = signed(body, { timestamp: Math.floor(Date.now() / 1000) })
      expect(verify(realNowSigned)).toMatchObject({ ok: false, reason: "timestamp_in_future" })
      expect(verifyKustomWebhook({ ...realNowSigned, secrets: [SECRET] }).ok).toBe(true)
    })

    it.each(["abc", "1.5", "-5", "1e9", ""])("rejects the timestamp %p", (value) => {
      const { rawBody, headers } = signed(body)
      const result = verify({ rawBody, headers: { ...headers, "webhook-timestamp": value } })
      expect(result).toMatchObject({ ok: false, reason: value === "" ? "missing_headers" : "invalid_timestamp" })
    })
  })

  describe("missing input", () => {
    const { rawBody, headers } = signed(JSON.stringify(event()))

    it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])("reports a missing %s header", (name) => {
      const rest = Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name))
      const result = verify({ rawBody, headers: rest })
      expect(result).toMatchObject({ ok: false, reason: "missing_headers" })
      expect(!result.ok && result.message).toContain(name)
    })

    it("reports missing secrets before anything else", () => {
      expect(verify({ rawBody, headers, secrets: [] })).toMatchObject({ ok: false, reason: "no_secrets_configured" })
      expect(verify({ rawBody, headers: {}, secrets: ["", "  "] })).toMatchObject({
        ok: false,
        reason: "no_secrets_configured",
      })
      expect(verify({ rawBody, headers, secrets: ["whsec_%%%"] })).toMatchObject({
        ok: false,
        reason: "no_secrets_configured",
      })
    })

    it("never throws on nonsense input", () => {
      const nonsense: unknown[] = [
        { rawBody: undefined, headers: undefined, secrets: undefined },
        { rawBody: 42, headers: headers, secrets: [SECRET] },
        { rawBody, headers: null, secrets: [SECRET] },
        { rawBody, headers: "webhook-id: x", secrets: [SECRET] },
        { rawBody, headers, secrets: "whsec_x" },
        { rawBody, headers, secrets: [SECRET], toleranceSeconds: Number.NaN, now: new Date("nope") },
      ]
      for (const input of nonsense) {
        const result = verifyKustomWebhook(input as VerifyKustomWebhookInput)
        expect(result.ok).toBe(false)
      }
    })
  })

  describe("body", () => {
    it("reports malformed JSON with a valid signature as malformed_body", () => {
      expect(verify(signed('{"id": "kevt_1", "type": '))).toMatchObject({ ok: false, reason: "malformed_body" })
    })

    it("reports an empty body with a valid signature as malformed_body", () => {
      expect(verify(signed(""))).toMatchObject({ ok: false, reason: "malformed_body" })
    })

    it("checks the signature before the body: malformed and unsigned is invalid_signature", () => {
      const { headers } = signed("{}")
      expect(verify({ rawBody: "{not json", headers })).toMatchObject({ ok: false, reason: "invalid_signature" })
    })

    it.each([
      ["a known type without data.session_id", event({ data: { order_id: "o" } })],
      ["a known type without id", { ...event(), id: undefined }],
      ["a numeric session_id", event({ data: { session_id: 42 } })],
      ["an unknown type without id", { type: "ipp.future", timestamp: "t", data: {} }],
      ["no type", { id: "kevt_1", timestamp: "t", data: { session_id: "s" } }],
      ["a numeric type", event({ type: 7 })],
      ["a NUL in data.session_id", event({ data: { session_id: "s\u0000" } })],
      ["a NUL in data.order_id", event({ data: { session_id: "s", order_id: "\u0000" } })],
      ["a NUL in data.failure_reason", event({ type: "ipp.payment.failed", data: { session_id: "s", failure_reason: "DECLINED\u0000" } })],
      ["a control character in an unknown type", event({ type: "ipp.\u0001future" })],
      ["half a character (an unpaired surrogate) in data.session_id", event({ data: { session_id: "s\ud83d" } })],
      ["half a character in data.failure_reason", event({ type: "ipp.payment.failed", data: { session_id: "s", failure_reason: "\ude00 declined" } })],
      ["a session_id longer than 255 characters", event({ data: { session_id: "s".repeat(256) } })],
      ["a failure_reason longer than 1000 characters", event({ data: { session_id: "s", failure_reason: "x".repeat(1001) } })],
    ])("reports %s as invalid_event naming the field", (_label, payload) => {
      const result = verify(signed(JSON.stringify(payload)))
      expect(result).toMatchObject({ ok: false, authentic: true, reason: "invalid_event" })
    })

    it("allows line breaks and tabs in a failure_reason", () => {
      const payload = event({ type: "ipp.payment.failed", data: { session_id: "s", failure_reason: "DECLINED\n\tby issuer" } })
      expect(verify(signed(JSON.stringify(payload))).ok).toBe(true)
    })

    it.each([
      ["a JSON array", [event()]],
      ["a JSON string", "ipp.session.finalized"],
      ["null", null],
      ["a number", 42],
    ])("reports %s with a valid signature as malformed_body", (_label, payload) => {
      const result = verify(signed(JSON.stringify(payload)))
      expect(result).toMatchObject({ ok: false, authentic: true, reason: "malformed_body", message: "the body is not a JSON object" })
    })

    it("marks failures found before the signature verified as not authentic", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      expect(verify({ rawBody: "{not json", headers })).toMatchObject({ authentic: false })
      expect(verify({ rawBody, headers: { ...headers, "webhook-timestamp": "1" } })).toMatchObject({ authentic: false, reason: "timestamp_too_old" })
      expect(verify({ rawBody, headers, secrets: [OTHER_SECRET] })).toMatchObject({ authentic: false, reason: "invalid_signature" })
    })

    it("names the bad field in the message", () => {
      const result = verify(signed(JSON.stringify(event({ data: { order_id: "o" } }))))
      expect(!result.ok && result.message).toContain("data.session_id")
      const half = verify(signed(JSON.stringify(event({ data: { session_id: "s\ud83d" } }))))
      expect(!half.ok && half.message).toBe("data.session_id: must not contain half of a character (an unpaired surrogate)")
      // An empty id is only too short: it has no control characters to speak of.
      const empty = verify(signed(JSON.stringify(event({ data: { session_id: "" } }))))
      expect(!empty.ok && empty.message).toBe("data.session_id: must not be empty")
    })
  })

  describe("webhook-id", () => {
    it("accepts up to 256 visible ASCII characters", () => {
      const id = `msg_${"a".repeat(252)}`
      expect(verify(signed(JSON.stringify(event()), { id }))).toMatchObject({ ok: true, webhookId: id })
    })

    it.each([
      ["257 characters", `msg_${"a".repeat(253)}`],
      ["3,001 characters", "m".repeat(3001)],
      ["an inner space", "msg 1"],
      ["a non-ASCII character", "msg_ö"],
    ])("refuses a signed webhook-id of %s as invalid_webhook_id", (_label, id) => {
      const result = verify(signed(JSON.stringify(event()), { id }))
      expect(result).toMatchObject({ ok: false, authentic: true, reason: "invalid_webhook_id" })
    })

    it("checks the signature first: an unsigned long webhook-id is invalid_signature", () => {
      const { rawBody, headers } = signed(JSON.stringify(event()))
      const result = verify({ rawBody, headers: { ...headers, "webhook-id": "m".repeat(3001) } })
      expect(result).toMatchObject({ ok: false, authentic: false, reason: "invalid_signature" })
    })
  })

  describe("kustomWebhookEventFields", () => {
    it("flattens a known event", () => {
      const result = verify(signed(JSON.stringify(event({ type: "ipp.payment.failed", data: { session_id: "s-1", order_id: null, failure_reason: "DECLINED" } }))))
      expect(result.ok && kustomWebhookEventFields(result.event)).toEqual({
        type: "ipp.payment.failed",
        sessionId: "s-1",
        orderId: null,
        failureReason: "DECLINED",
        occurredAt: new Date("2026-11-27T12:00:05Z"),
      })
    })

    it("keeps only a well-formed session id from an event of an unknown type", () => {
      const fields = (data: Record<string, unknown>) => {
        const result = verify(signed(JSON.stringify(event({ type: "ipp.future", timestamp: "not a date", data }))))
        if (!result.ok) throw new Error(result.message)
        return kustomWebhookEventFields(result.event)
      }
      expect(fields({ session_id: "s-1", order_id: "o", failure_reason: "x" })).toEqual({ type: "ipp.future", sessionId: "s-1", orderId: null, failureReason: null, occurredAt: null })
      expect(fields({ session_id: "s\u0000" }).sessionId).toBeNull()
      expect(fields({ session_id: { nested: true } }).sessionId).toBeNull()
      expect(fields({ session_id: "s".repeat(300) }).sessionId).toBeNull()
    })
  })

  it("never puts a secret in a failure message", () => {
    const { rawBody, headers } = signed(JSON.stringify(event()))
    const failures = [
      verify({ rawBody: `${rawBody} `, headers }),
      verify({ rawBody, headers: {}, secrets: [SECRET] }),
      verify({ rawBody, headers, secrets: [] }),
    ]
    for (const failure of failures) {
      expect(JSON.stringify(failure)).not.toContain(SECRET.slice(6))
    }
  })

  it("property: any single-byte change to the body fails verification", () => {
    fc.assert(
      fc.property(
        fc.record({
          session_id: fc.uuid(),
          order_id: fc.option(fc.uuid(), { nil: null }),
          note: fc.string({ unit: "grapheme", maxLength: 20 }),
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (data, position, delta) => {
          const body = JSON.stringify(event({ data }))
          const { headers } = signed(body)
          const bytes = Buffer.from(body, "utf8")
          const index = position % bytes.length
          const mutated = Buffer.from(bytes)
          mutated[index] = (mutated[index] + delta) % 256
          expect(verify({ rawBody: bytes, headers }).ok).toBe(true)
          const result = verify({ rawBody: mutated, headers })
          expect(result.ok).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })
})
