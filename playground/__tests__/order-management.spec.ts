import { randomUUID } from "node:crypto"
import { advanceClock, call, finalizedOrder, start } from "./helpers"

const orders = "/ordermanagement/v1/orders"

describe("Order Management", () => {
  it("auto capture mode: a finalized session's order is CAPTURED with one full capture", async () => {
    const playground = await start({ captureMode: "auto" })
    const orderId = await finalizedOrder(playground)
    const res = await call(playground, "GET", `${orders}/${orderId}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      order_id: orderId,
      status: "CAPTURED",
      order_amount: 25000,
      captured_amount: 25000,
      refunded_amount: 0,
      remaining_authorized_amount: 0,
      purchase_currency: "SEK",
      captures: [{ capture_id: expect.any(String), captured_amount: 25000, captured_at: expect.any(String), description: null }],
      refunds: [],
    })
  })

  it("manual capture mode: AUTHORIZED, partial captures up to the remaining amount", async () => {
    const playground = await start({ captureMode: "manual" })
    const orderId = await finalizedOrder(playground)
    expect((await call(playground, "GET", `${orders}/${orderId}`)).body).toMatchObject({
      status: "AUTHORIZED",
      captured_amount: 0,
      remaining_authorized_amount: 25000,
    })

    const first = await call(playground, "POST", `${orders}/${orderId}/captures`, { body: { captured_amount: 10000, description: "part" } })
    expect(first.status).toBe(201)
    const captureId = first.headers.get("capture-id")
    expect(first.body).toEqual({ capture_id: captureId, captured_amount: 10000, captured_at: expect.any(String), description: "part" })
    expect(first.headers.get("location")).toBe(`${playground.url}${orders}/${orderId}/captures/${captureId}`)
    expect((await call(playground, "GET", `${orders}/${orderId}/captures/${captureId}`)).body.captured_amount).toBe(10000)
    expect((await call(playground, "GET", `${orders}/${orderId}`)).body).toMatchObject({
      status: "PART_CAPTURED",
      captured_amount: 10000,
      remaining_authorized_amount: 15000,
    })

    const tooMuch = await call(playground, "POST", `${orders}/${orderId}/captures`, { body: { captured_amount: 15001 } })
    expect(tooMuch.status).toBe(403)
    expect(tooMuch.headers.get("content-type")).toBe("application/json")
    expect(tooMuch.body).toEqual({ error_code: "CAPTURE_NOT_ALLOWED", error_messages: [expect.any(String)], correlation_id: expect.any(String) })

    await call(playground, "POST", `${orders}/${orderId}/captures`, { body: { captured_amount: 15000 } })
    expect((await call(playground, "GET", `${orders}/${orderId}`)).body).toMatchObject({ status: "CAPTURED", remaining_authorized_amount: 0 })
  })

  it("refunds up to captured minus refunded (403 REFUND_NOT_ALLOWED beyond)", async () => {
    const playground = await start()
    const orderId = await finalizedOrder(playground)
    const partial = await call(playground, "POST", `${orders}/${orderId}/refunds`, {
      body: { refunded_amount: 20000, description: "returned mug", reference: "RMA-1" },
    })
    expect(partial.status).toBe(201)
    const refundId = partial.headers.get("refund-id")
    expect(partial.body).toEqual({
      refund_id: refundId,
      refunded_amount: 20000,
      refunded_at: expect.any(String),
      description: "returned mug",
      reference: "RMA-1",
    })
    expect((await call(playground, "GET", `${orders}/${orderId}/refunds/${refundId}`)).body.reference).toBe("RMA-1")
    const tooMuch = await call(playground, "POST", `${orders}/${orderId}/refunds`, { body: { refunded_amount: 5001 } })
    expect(tooMuch.status).toBe(403)
    expect(tooMuch.body.error_code).toBe("REFUND_NOT_ALLOWED")
    expect((await call(playground, "POST", `${orders}/${orderId}/refunds`, { body: { refunded_amount: 5000 } })).status).toBe(201)
    expect((await call(playground, "GET", `${orders}/${orderId}`)).body).toMatchObject({ refunded_amount: 25000, captured_amount: 25000 })
  })

  it("cancels only when nothing is captured; a cancelled order cannot be captured", async () => {
    const playground = await start({ captureMode: "manual" })
    const open = await finalizedOrder(playground)
    expect((await call(playground, "POST", `${orders}/${open}/cancel`)).status).toBe(204)
    expect((await call(playground, "GET", `${orders}/${open}`)).body).toMatchObject({ status: "CANCELLED", remaining_authorized_amount: 0 })
    const capture = await call(playground, "POST", `${orders}/${open}/captures`, { body: { captured_amount: 1 } })
    expect(capture.status).toBe(403)
    expect(capture.body.error_code).toBe("CAPTURE_NOT_ALLOWED")

    const partly = await finalizedOrder(playground)
    await call(playground, "POST", `${orders}/${partly}/captures`, { body: { captured_amount: 100 } })
    const refused = await call(playground, "POST", `${orders}/${partly}/cancel`)
    expect(refused.status).toBe(403)
    expect(refused.body.error_code).toBe("CANCEL_NOT_ALLOWED")
  })

  it("answers unknown orders and bad bodies in the Checkout error shape", async () => {
    const playground = await start()
    const missing = await call(playground, "GET", `${orders}/nope`)
    expect(missing.status).toBe(404)
    expect(missing.body.error_code).toBe("NO_SUCH_ORDER")
    const orderId = await finalizedOrder(playground)
    const bad = await call(playground, "POST", `${orders}/${orderId}/refunds`, { body: { refunded_amount: -5 } })
    expect(bad.status).toBe(400)
    expect(bad.body.error_code).toBe("BAD_VALUE")
    expect(bad.body.error_messages.join(" ")).toMatch(/refunded_amount/)
  })

  describe("Klarna-Idempotency-Key", () => {
    it("replays the first response for the same key and body, without a second effect", async () => {
      const playground = await start({ captureMode: "manual" })
      const orderId = await finalizedOrder(playground)
      const key = randomUUID()
      const headers = { "klarna-idempotency-key": key }
      const first = await call(playground, "POST", `${orders}/${orderId}/captures`, { headers, body: { captured_amount: 500 } })
      // Same body, other key order and whitespace: still the same request.
      const second = await call(playground, "POST", `${orders}/${orderId}/captures`, {
        headers,
        body: '{ "captured_amount" : 500 }',
      })
      expect(second.status).toBe(201)
      expect(second.body).toEqual(first.body)
      expect(second.headers.get("capture-id")).toBe(first.headers.get("capture-id"))
      expect((await call(playground, "GET", `${orders}/${orderId}`)).body.captures).toHaveLength(1)
    })

    it("answers 409 IDEMPOTENCY_CONFLICT for the same key with a different body", async () => {
      const playground = await start()
      const orderId = await finalizedOrder(playground)
      const headers = { "klarna-idempotency-key": randomUUID() }
      await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 100 } })
      const conflict = await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 200 } })
      expect(conflict.status).toBe(409)
      expect(conflict.body.error_code).toBe("IDEMPOTENCY_CONFLICT")
      expect((await call(playground, "GET", `${orders}/${orderId}`)).body.refunded_amount).toBe(100)
    })

    it("replays a refusal too, and works on cancel", async () => {
      const playground = await start({ captureMode: "manual" })
      const orderId = await finalizedOrder(playground)
      const headers = { "klarna-idempotency-key": randomUUID() }
      const refused = await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 1 } })
      expect(refused.status).toBe(403)
      const replay = await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 1 } })
      expect(replay.status).toBe(403)
      expect(replay.body.correlation_id).toBe(refused.body.correlation_id)

      const cancelKey = { "klarna-idempotency-key": randomUUID() }
      expect((await call(playground, "POST", `${orders}/${orderId}/cancel`, { headers: cancelKey })).status).toBe(204)
      expect((await call(playground, "POST", `${orders}/${orderId}/cancel`, { headers: cancelKey })).status).toBe(204)
    })

    it("forgets a key after 24 h", async () => {
      const playground = await start()
      const orderId = await finalizedOrder(playground)
      const headers = { "klarna-idempotency-key": randomUUID() }
      await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 100 } })
      advanceClock(24 * 60 * 60 * 1000 + 1)
      const later = await call(playground, "POST", `${orders}/${orderId}/refunds`, { headers, body: { refunded_amount: 200 } })
      expect(later.status).toBe(201)
      expect((await call(playground, "GET", `${orders}/${orderId}`)).body.refunded_amount).toBe(300)
    })
  })
})
