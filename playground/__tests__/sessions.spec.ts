import {
  advanceClock,
  call,
  createSession,
  openEvents,
  sessionBody,
  simulatedDevice,
  start,
  startReceiver,
  tap,
} from "./helpers"

const item = (overrides: Record<string, unknown> = {}) => ({
  type: "physical",
  reference: "SKU-1",
  name: "Mug",
  quantity: 2,
  unit_price: 12500,
  total_amount: 25000,
  total_discount_amount: 0,
  tax_rate: 2500,
  total_tax_amount: 5000,
  ...overrides,
})

describe("session creation", () => {
  it("creates a CREATED session with every field, and sends ipp.session.created", async () => {
    const playground = await start({ sessionLifetimeMs: 60_000 })
    const device = await simulatedDevice(playground)
    const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id) })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      session_id: expect.any(String),
      status: "CREATED",
      device_id: device.id,
      location_id: device.location_id,
      order_id: null,
      order_amount: 25000,
      order_tax_amount: 5000,
      purchase_currency: "SEK",
      purchase_started_at: "2026-11-27T12:00:00Z",
      purchase_completed_at: null,
      merchant_reference1: "order_123",
      merchant_reference2: null,
      merchant_data: '{"cart":"cart_1"}',
      order_items: [item()],
      created_at: expect.any(String),
      expires_at: expect.any(String),
      failure_reason: null,
    })
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(60_000)
    expect(playground.events()).toEqual([
      {
        id: expect.stringMatching(/^kevt_[0-9A-HJKMNP-TV-Z]{26}$/),
        merchant_id: "PLAYGROUND",
        timestamp: expect.any(String),
        type: "ipp.session.created",
        data: { session_id: res.body.session_id, order_id: null, failure_reason: null },
      },
    ])
    const fetched = await call(playground, "GET", `/ipp/v1/sessions/${res.body.session_id}`)
    expect(fetched.body).toEqual(res.body)
  })

  it("accepts a discount line, defaulted fields and extra Klarna line fields", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const res = await call(playground, "POST", "/ipp/v1/sessions", {
      body: sessionBody(device.id, {
        order_amount: 22000,
        order_tax_amount: 4400,
        order_items: [
          { name: "Mug", quantity: 2, unit_price: 12500, total_amount: 25000, tax_rate: 2500, total_tax_amount: 5000, quantity_unit: "pcs" },
          { type: "discount", name: "Coupon", quantity: 1, unit_price: -3000, total_amount: -3000, tax_rate: 2500, total_tax_amount: -600 },
        ],
      }),
    })
    expect(res.status).toBe(200)
    expect(res.body.order_items[0]).toMatchObject({ type: "physical", total_discount_amount: 0, quantity_unit: "pcs" })
    expect(res.body.order_items[1]).toMatchObject({ type: "discount", total_amount: -3000 })
  })

  it("accepts a tax within ±1 of Kustom's rule and currencies with other decimals", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    // 999 at 25 %: 999 - round(999 * 10000 / 12500) = 999 - 799 = 200; 199 and 201 are within ±1.
    for (const tax of [199, 201]) {
      const res = await call(playground, "POST", "/ipp/v1/sessions", {
        body: sessionBody(device.id, {
          purchase_currency: "JPY",
          order_amount: 999,
          order_tax_amount: tax,
          order_items: [item({ quantity: 1, unit_price: 999, total_amount: 999, total_tax_amount: tax })],
        }),
      })
      expect(res.status).toBe(200)
    }
  })

  it.each<[string, Record<string, unknown>, Record<string, string | RegExp>]>([
    ["an unknown device", { device_id: "nope" }, { device_id: "is not a registered device" }],
    ["a missing device_id", { device_id: undefined }, { device_id: "is required" }],
    ["a bad currency", { purchase_currency: "SE" }, { purchase_currency: /3-letter/ }],
    ["a non-integer amount", { order_amount: 250.5 }, { order_amount: "must be an integer" }],
    ["a string amount", { order_tax_amount: "5000" }, { order_tax_amount: "must be a number" }],
    ["no items", { order_items: [] }, { order_items: /at least one/ }],
    ["a zero quantity", { order_items: [item({ quantity: 0 })] }, { "order_items[0].quantity": /at least 1/ }],
    ["a fractional quantity", { order_items: [item({ quantity: 1.5 })] }, { "order_items[0].quantity": "must be an integer" }],
    ["a tax_rate over 10000", { order_items: [item({ tax_rate: 10001 })] }, { "order_items[0].tax_rate": /at most 10000/ }],
    ["an unknown item type", { order_items: [item({ type: "gift" })] }, { "order_items[0].type": /must be one of/ }],
    ["an item without name", { order_items: [item({ name: undefined })] }, { "order_items[0].name": "is required" }],
    ["a bad purchase_started_at", { purchase_started_at: "yesterday" }, { purchase_started_at: /ISO 8601/ }],
    ["merchant_data not a string", { merchant_data: { a: 1 } }, { merchant_data: "must be a string" }],
  ])("rejects %s with the field path", async (_label, overrides, expected) => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id, overrides) })
    expect(res.status).toBe(400)
    expect(res.headers.get("content-type")).toBe("application/problem+json")
    expect(Object.keys(res.body.errors)).toEqual(Object.keys(expected))
    for (const [field, message] of Object.entries(expected)) {
      if (typeof message === "string") expect(res.body.errors[field]).toBe(message)
      else expect(res.body.errors[field]).toMatch(message)
    }
    expect(playground.events()).toEqual([])
  })

  describe("line arithmetic", () => {
    async function rejected(overrides: Record<string, unknown>) {
      const playground = await start()
      const device = await simulatedDevice(playground)
      const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id, overrides) })
      expect(res.status).toBe(400)
      return res.body.errors as Record<string, string>
    }

    it("unit_price * quantity - total_discount_amount must equal total_amount", async () => {
      const errors = await rejected({
        order_amount: 50000,
        order_tax_amount: 10000,
        order_items: [item(), item({ total_discount_amount: 100 })],
      })
      expect(errors).toEqual({
        "order_items[1].total_amount": "must equal unit_price * quantity - total_discount_amount = 12500 * 2 - 100 = 24900",
      })
    })

    it("the lines must sum to order_amount", async () => {
      const errors = await rejected({ order_amount: 25001 })
      expect(errors).toEqual({ order_amount: "must equal the sum of order_items[].total_amount (25000)" })
    })

    it("each line's tax must follow Kustom's rule within ±1", async () => {
      const errors = await rejected({ order_tax_amount: 4998, order_items: [item({ total_tax_amount: 4998 })] })
      expect(errors).toEqual({
        "order_items[0].total_tax_amount": "must be total_amount - round(total_amount * 10000 / (10000 + tax_rate)) = 5000 (±1)",
      })
    })

    it("order_tax_amount must equal the sum of the lines' tax", async () => {
      const errors = await rejected({ order_tax_amount: 5001 })
      expect(errors).toEqual({ order_tax_amount: "must equal the sum of order_items[].total_tax_amount (5000)" })
    })

    it("a discount line must be negative, other lines not", async () => {
      const errors = await rejected({
        order_amount: 28000,
        order_tax_amount: 5600,
        order_items: [item(), item({ type: "discount", quantity: 1, unit_price: 3000, total_amount: 3000, total_tax_amount: 600 })],
      })
      expect(errors).toEqual({
        "order_items[1].unit_price": "must be negative for a discount line",
        "order_items[1].total_amount": "must be negative for a discount line",
      })
      const negative = await rejected({
        order_amount: 22000,
        order_tax_amount: 4400,
        order_items: [item(), item({ quantity: 1, unit_price: -3000, total_amount: -3000, total_tax_amount: -600 })],
      })
      expect(Object.keys(negative)).toEqual(["order_items[1].unit_price", "order_items[1].total_amount"])
    })

    it("reports every broken rule at once", async () => {
      const errors = await rejected({
        order_amount: 1,
        order_tax_amount: 2,
        order_items: [item({ total_amount: 24000, total_tax_amount: 1 })],
      })
      expect(Object.keys(errors).sort()).toEqual(
        ["order_amount", "order_items[0].total_amount", "order_items[0].total_tax_amount", "order_tax_amount"].sort()
      )
    })
  })

  it("checks location_id: known, and the device's when both are set", async () => {
    const playground = await start({ locations: [{ id: "a", name: "A" }, { id: "b", name: "B" }] })
    const inA = await simulatedDevice(playground, { name: "A1", location_id: "a" })
    const nowhere = await simulatedDevice(playground, { name: "N" })
    const wrong = await call(playground, "POST", "/ipp/v1/sessions?location_id=b", { body: sessionBody(inA.id) })
    expect(wrong.status).toBe(400)
    expect(wrong.body.errors).toEqual({ device_id: "belongs to location a, not b" })
    const unknown = await call(playground, "POST", "/ipp/v1/sessions?location_id=zzz", { body: sessionBody(inA.id) })
    expect(unknown.body.errors.location_id).toBe("unknown location zzz")
    const right = await call(playground, "POST", "/ipp/v1/sessions?location_id=a", { body: sessionBody(inA.id) })
    expect(right.body.location_id).toBe("a")
    const given = await call(playground, "POST", "/ipp/v1/sessions?location_id=b", { body: sessionBody(nowhere.id) })
    expect(given.body.location_id).toBe("b")
  })
})

describe("session state machine", () => {
  it("SUCCESS: CREATED → ACTIVE → FINALIZED with an order, activated and finalized events", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const res = await tap(playground, session.session_id)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: "FINALIZED", order_id: expect.any(String), purchase_completed_at: expect.any(String) })
    expect(playground.events().map((e) => [e.type, e.data.order_id])).toEqual([
      ["ipp.session.created", null],
      ["ipp.session.activated", null],
      ["ipp.session.finalized", res.body.order_id],
    ])
  })

  it("a decline leaves the session ACTIVE with ipp.payment.failed; another card can still succeed", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const declined = await tap(playground, session.session_id, "INSUFFICIENT_FUNDS")
    expect(declined.body).toMatchObject({ status: "ACTIVE", failure_reason: "INSUFFICIENT_FUNDS", order_id: null })
    const again = await tap(playground, session.session_id, "LOST_CARD")
    expect(again.body.status).toBe("ACTIVE")
    const paid = await tap(playground, session.session_id, "SUCCESS")
    expect(paid.body).toMatchObject({ status: "FINALIZED", failure_reason: null })
    expect(playground.events().map((e) => [e.type, e.data.failure_reason])).toEqual([
      ["ipp.session.created", null],
      ["ipp.session.activated", null],
      ["ipp.payment.failed", "INSUFFICIENT_FUNDS"],
      ["ipp.payment.failed", "LOST_CARD"],
      ["ipp.session.finalized", null],
    ])
  })

  it.each([
    "DECLINED_GENERIC",
    "INSUFFICIENT_FUNDS",
    "LOST_CARD",
    "STOLEN_CARD",
    "EXPIRED_CARD",
    "INCORRECT_CVC",
    "PROCESSING_ERROR",
    "INCORRECT_NUMBER",
    "CARD_VELOCITY_EXCEEDED",
  ])("accepts the decline outcome %s", async (outcome) => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const res = await tap(playground, session.session_id, outcome)
    expect(res.body).toMatchObject({ status: "ACTIVE", failure_reason: outcome })
    expect(playground.events().at(-1)).toMatchObject({ type: "ipp.payment.failed", data: { failure_reason: outcome } })
  })

  it("rejects an unknown outcome (400) and taps on a terminal session (409)", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const unknown = await tap(playground, session.session_id, "MAGIC")
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.errors)).toEqual(["outcome"])
    await tap(playground, session.session_id)
    const again = await tap(playground, session.session_id)
    expect(again.status).toBe(409)
    expect(again.headers.get("content-type")).toBe("application/problem+json")
    expect((await tap(playground, "no-such-session")).status).toBe(404)
  })

  it("cancel: CANCELLED with ipp.session.cancelled; cancelling FINALIZED or terminal sessions is 409", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const open = await createSession(playground, device.id)
    const cancelled = await call(playground, "PUT", `/ipp/v1/sessions/${open.session_id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.status).toBe("CANCELLED")
    expect(playground.events().at(-1)?.type).toBe("ipp.session.cancelled")
    expect((await call(playground, "PUT", `/ipp/v1/sessions/${open.session_id}/cancel`)).status).toBe(409)

    const paid = await createSession(playground, device.id)
    await tap(playground, paid.session_id)
    const refused = await call(playground, "PUT", `/ipp/v1/sessions/${paid.session_id}/cancel`)
    expect(refused.status).toBe(409)
    expect(refused.body.detail).toMatch(/FINALIZED/)
    expect((await call(playground, "PUT", "/ipp/v1/sessions/nope/cancel")).status).toBe(404)
  })

  it("FAILED via the control route sends ipp.payment.failed; a FAILED session is terminal", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const failed = await call(playground, "POST", `/_playground/sessions/${session.session_id}/fail`, {
      body: { failure_reason: "TERMINAL_ERROR" },
    })
    expect(failed.body).toMatchObject({ status: "FAILED", failure_reason: "TERMINAL_ERROR" })
    expect(playground.events().at(-1)).toMatchObject({ type: "ipp.payment.failed", data: { failure_reason: "TERMINAL_ERROR" } })
    expect((await call(playground, "PUT", `/ipp/v1/sessions/${session.session_id}/cancel`)).status).toBe(409)
    expect((await tap(playground, session.session_id)).status).toBe(409)
  })
})

describe("session expiry", () => {
  it("expires after the lifetime on its own (timer), pushed to the device, without a callback", async () => {
    const receiver = await startReceiver()
    const playground = await start({ sessionLifetimeMs: 150, callbackUrl: receiver.url })
    const device = await simulatedDevice(playground)
    const stream = await openEvents(playground, device.credentials.device_token)
    const session = await createSession(playground, device.id)
    await stream.next((m) => m.event === "session" && m.data.last?.session_id === session.session_id)
    const expired = stream.messages.find((m) => m.data.last?.session_id === session.session_id)!
    expect(expired.data).toMatchObject({ session: null, last: { status: "EXPIRED" } })
    expect((await call(playground, "GET", `/ipp/v1/sessions/${session.session_id}`)).body.status).toBe("EXPIRED")
    await playground.waitForDeliveries((d) => d.length === 1)
    expect(playground.events().map((e) => e.type)).toEqual(["ipp.session.created"])
    expect(receiver.received.map((r) => r.json.type)).toEqual(["ipp.session.created"])
    expect((await tap(playground, session.session_id)).status).toBe(409)
    expect((await call(playground, "PUT", `/ipp/v1/sessions/${session.session_id}/cancel`)).status).toBe(409)
  })

  it("is also checked on read, so a session is never reported open past expires_at", async () => {
    const playground = await start({ sessionLifetimeMs: 60_000 })
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    advanceClock(60_001)
    expect((await call(playground, "GET", `/ipp/v1/sessions/${session.session_id}`)).body.status).toBe("EXPIRED")
    expect(playground.events().map((e) => e.type)).toEqual(["ipp.session.created"])
  })

  it("can be forced through /_playground/sessions/{id}/expire (409 when already terminal)", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    await tap(playground, session.session_id, "DECLINED_GENERIC")
    const res = await call(playground, "POST", `/_playground/sessions/${session.session_id}/expire`)
    expect(res.body.status).toBe("EXPIRED")
    expect(playground.events().map((e) => e.type)).not.toContain("ipp.session.expired")
    expect((await call(playground, "POST", `/_playground/sessions/${session.session_id}/expire`)).status).toBe(409)
  })

  it("applies a lifetime changed with configure() to new sessions", async () => {
    const playground = await start({ sessionLifetimeMs: 60_000 })
    const device = await simulatedDevice(playground)
    playground.configure({ sessionLifetimeMs: 5_000 })
    const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id) })
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(5_000)
  })
})
