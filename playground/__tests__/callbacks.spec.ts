import http from "node:http"
import type { AddressInfo } from "node:net"
import { Webhook } from "standardwebhooks"
import { backoffDelay } from "../src/callbacks"
import type { PlaygroundHandle } from "../src"
import { call, createSession, newSecret, simulatedDevice, start, startReceiver, tap } from "./helpers"

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5, timeoutMs: 2000 }

async function paidSession(playground: PlaygroundHandle) {
  const device = await simulatedDevice(playground)
  const session = await createSession(playground, device.id)
  await tap(playground, session.session_id)
  return session.session_id
}

describe("callbacks", () => {
  it("POSTs the slim event body, signed with Standard Webhooks and verifiable", async () => {
    const secret = newSecret()
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, webhookSecrets: [secret], merchantId: "DM1" })
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    const [callback] = await receiver.waitFor((r) => r.length === 1)

    const verified = new Webhook(secret).verify(callback.body, callback.headers)
    expect(verified).toEqual({
      id: callback.headers["webhook-id"],
      merchant_id: "DM1",
      timestamp: expect.any(String),
      type: "ipp.session.created",
      data: { session_id: session.session_id, order_id: null, failure_reason: null },
    })
    expect(callback.headers["content-type"]).toBe("application/json")
    expect(callback.headers["webhook-id"]).toBe(playground.events()[0].id)
    expect(Math.abs(Number(callback.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5)
    expect(callback.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/)
    expect(() => new Webhook(newSecret()).verify(callback.body, callback.headers)).toThrow()

    const [delivery] = await playground.waitForDeliveries((d) => d.length === 1)
    expect(delivery).toEqual({
      event_id: callback.json.id,
      type: "ipp.session.created",
      session_id: session.session_id,
      attempt: 1,
      url: receiver.url,
      at: expect.any(String),
      status: 200,
      duration_ms: expect.any(Number),
      signatures: [callback.headers["webhook-signature"]],
    })
  })

  it("signs once per secret during a rotation; each signature verifies on its own", async () => {
    const [oldSecret, newSecretValue] = [newSecret(), newSecret()]
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, webhookSecrets: [oldSecret, newSecretValue] })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const [callback] = await receiver.waitFor((r) => r.length === 1)
    const signatures = callback.headers["webhook-signature"].split(" ")
    expect(signatures).toHaveLength(2)
    for (const secret of [oldSecret, newSecretValue]) {
      expect(new Webhook(secret).verify(callback.body, callback.headers)).toMatchObject({ type: "ipp.session.created" })
    }
    const only = (signature: string) => ({ ...callback.headers, "webhook-signature": signature })
    expect(() => new Webhook(oldSecret).verify(callback.body, only(signatures[0]))).not.toThrow()
    expect(() => new Webhook(newSecretValue).verify(callback.body, only(signatures[1]))).not.toThrow()
    expect(() => new Webhook(newSecretValue).verify(callback.body, only(signatures[0]))).toThrow()
  })

  it("retries a non-2xx answer until 2xx, with the same webhook-id and body", async () => {
    const secret = newSecret()
    const receiver = await startReceiver((_c, i) => (i < 2 ? 500 : 204))
    const playground = await start({ callbackUrl: receiver.url, webhookSecrets: [secret], callbackRetry: FAST_RETRY })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const deliveries = await playground.waitForDeliveries((d) => d.some((x) => x.status === 204))
    expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ])
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1)
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1)
    for (const r of receiver.received) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow()
  })

  it("gives up after maxAttempts; the session's next event goes out after that", async () => {
    const receiver = await startReceiver((c) => (c.json.type === "ipp.session.created" ? 503 : 200))
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: { ...FAST_RETRY, maxAttempts: 3 } })
    const device = await simulatedDevice(playground)
    const session = await createSession(playground, device.id)
    await call(playground, "PUT", `/ipp/v1/sessions/${session.session_id}/cancel`)
    const deliveries = await playground.waitForDeliveries((d) => d.some((x) => x.type === "ipp.session.cancelled"))
    expect(deliveries.map((d) => `${d.type}#${d.attempt}:${d.status}`)).toEqual([
      "ipp.session.created#1:503",
      "ipp.session.created#2:503",
      "ipp.session.created#3:503",
      "ipp.session.cancelled#1:200",
    ])
  })

  it("counts no answer within timeoutMs as a failed attempt", async () => {
    const receiver = await startReceiver((_c, i) => (i === 0 ? "hang" : 200))
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: { ...FAST_RETRY, timeoutMs: 100 } })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const deliveries = await playground.waitForDeliveries((d) => d.some((x) => x.status === 200))
    expect(deliveries[0]).toMatchObject({ attempt: 1, error: "no answer within 100 ms" })
    expect(deliveries[0].status).toBeUndefined()
    expect(deliveries[0].duration_ms).toBeGreaterThanOrEqual(95)
    expect(deliveries[1]).toMatchObject({ attempt: 2, status: 200 })
  })

  it("retries a connection error, following a callback URL changed with configure()", async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve))
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hooks`
    await new Promise<void>((resolve) => closed.close(() => resolve()))

    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: deadUrl, callbackRetry: FAST_RETRY })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    await playground.waitForDeliveries((d) => d.length >= 1)
    playground.configure({ callbackUrl: receiver.url })
    const deliveries = await playground.waitForDeliveries((d) => d.some((x) => x.status === 200))
    expect(deliveries[0]).toMatchObject({ url: deadUrl, error: expect.stringMatching(/ECONNREFUSED/) })
    expect(deliveries.at(-1)).toMatchObject({ url: receiver.url, status: 200 })
  })

  it("delivers a session's events in order even when one needs retries", async () => {
    let failures = 0
    const receiver = await startReceiver((c) => (c.json.type === "ipp.session.created" && failures++ < 2 ? 500 : 200))
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: FAST_RETRY })
    const sessionId = await paidSession(playground)
    await receiver.waitFor((r) => r.some((c) => c.json.type === "ipp.session.finalized"))
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      "ipp.session.created",
      "ipp.session.created",
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.session.finalized",
    ])
    expect(receiver.received.every((r) => r.json.data.session_id === sessionId)).toBe(true)
  })

  it("records events without delivering when no callback URL is configured", async () => {
    const playground = await start()
    const sessionId = await paidSession(playground)
    expect(playground.events().map((e) => e.type)).toEqual([
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.session.finalized",
    ])
    expect(playground.events().every((e) => e.data.session_id === sessionId)).toBe(true)
    expect(playground.deliveries()).toEqual([])
  })

  it("rejects waitForDeliveries after its timeout, naming what it saw", async () => {
    const playground = await start()
    await expect(playground.waitForDeliveries(() => false, 20)).rejects.toThrow(/not satisfied within 20 ms/)
  })
})

describe("callback faults", () => {
  it("duplicate: delivers each event n times with the same webhook-id", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: FAST_RETRY })
    playground.setCallbackFaults({ duplicate: 3 })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    await receiver.waitFor((r) => r.length === 3)
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1)
    expect(playground.events()).toHaveLength(1)
    const deliveries = await playground.waitForDeliveries((d) => d.length === 3)
    expect(deliveries.every((d) => d.attempt === 1 && d.status === 200)).toBe(true)
  })

  it("concurrent: the copies are in flight at the same time", async () => {
    // The receiver answers nothing until all three copies arrived: sequential copies would time out.
    let release: (status: number) => void = () => {}
    const allArrived = new Promise<number>((resolve) => (release = resolve))
    const receiver = await startReceiver((_c, i) => {
      if (i === 2) release(200)
      return allArrived
    })
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: { ...FAST_RETRY, timeoutMs: 2000 } })
    playground.setCallbackFaults({ duplicate: 3, concurrent: true })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const deliveries = await playground.waitForDeliveries((d) => d.length === 3)
    expect(deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 200],
      [1, 200],
      [1, 200],
    ])
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1)
  })

  it("outOfOrder: a session's events arrive in reverse order once it ends", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url })
    playground.setCallbackFaults({ outOfOrder: true })
    await paidSession(playground)
    await receiver.waitFor((r) => r.length === 3)
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      "ipp.session.finalized",
      "ipp.session.activated",
      "ipp.session.created",
    ])
    expect(playground.events().map((e) => e.type)).toEqual([
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.session.finalized",
    ])
  })

  it("outOfOrder with types: only those events are held back, after the others", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url })
    playground.setCallbackFaults({ outOfOrder: true, types: ["ipp.session.created"] })
    await paidSession(playground)
    await receiver.waitFor((r) => r.length === 3)
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      "ipp.session.activated",
      "ipp.session.finalized",
      "ipp.session.created",
    ])
  })

  it("delayMs: each delivery waits that long", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url })
    playground.setCallbackFaults({ delayMs: 120 })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const [delivery] = await playground.waitForDeliveries((d) => d.length === 1)
    const [event] = playground.events()
    expect(Date.parse(delivery.at) - Date.parse(event.timestamp)).toBeGreaterThanOrEqual(115)
    expect(delivery.status).toBe(200)
  })

  it("dropFirst: the first n attempts fail without sending, then the retry arrives", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: FAST_RETRY })
    playground.setCallbackFaults({ dropFirst: 2 })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    const deliveries = await playground.waitForDeliveries((d) => d.some((x) => x.status === 200))
    expect(deliveries.map((d) => [d.attempt, d.dropped ?? false, d.status ?? d.error])).toEqual([
      [1, true, "dropped by callback fault (dropFirst)"],
      [2, true, "dropped by callback fault (dropFirst)"],
      [3, false, 200],
    ])
    expect(receiver.received).toHaveLength(1)
  })

  it("dropAll with types: those events are never sent, the others are", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, callbackRetry: FAST_RETRY })
    playground.setCallbackFaults({ dropAll: true, types: ["ipp.session.created", "ipp.session.activated"] })
    await paidSession(playground)
    await receiver.waitFor((r) => r.some((c) => c.json.type === "ipp.session.finalized"))
    expect(receiver.received.map((r) => r.json.type)).toEqual(["ipp.session.finalized"])
    const dropped = playground.deliveries().filter((d) => d.dropped)
    expect(dropped.map((d) => d.type)).toEqual(["ipp.session.created", "ipp.session.activated"])
    expect(playground.events()).toHaveLength(3)
  })

  it("types limits duplicate to the named event types", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url })
    playground.setCallbackFaults({ duplicate: 2, types: ["ipp.session.finalized"] })
    await paidSession(playground)
    await receiver.waitFor((r) => r.filter((c) => c.json.type === "ipp.session.finalized").length === 2)
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.session.finalized",
      "ipp.session.finalized",
    ])
  })

  it("validates callback faults, through the handle and over HTTP", async () => {
    const playground = await start()
    expect(() => playground.setCallbackFaults({ duplicate: 0 })).toThrow(/duplicate/)
    expect(() => playground.setCallbackFaults({ types: ["ipp.session.nope"] })).toThrow(/types/)
    const bad = await call(playground, "POST", "/_playground/callback-faults", { body: { dropFirst: -1 } })
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.errors)).toEqual(["dropFirst"])
    const set = await call(playground, "POST", "/_playground/callback-faults", { body: { duplicate: 2 } })
    expect(set.body).toEqual({ duplicate: 2 })
    expect((await call(playground, "GET", "/_playground/callback-faults")).body).toEqual({ duplicate: 2 })
    expect((await call(playground, "DELETE", "/_playground/callback-faults")).status).toBe(204)
    expect((await call(playground, "GET", "/_playground/callback-faults")).body).toEqual({})
  })
})

describe("backoffDelay", () => {
  const retry = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000 }

  it("doubles from baseDelayMs, with ±25 % jitter", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, retry, () => 0.5))).toEqual([1000, 2000, 4000, 8000])
    expect(backoffDelay(3, retry, () => 0)).toBe(3000)
    expect(backoffDelay(3, retry, () => 0.999999)).toBe(5000)
  })

  it("is capped at maxDelayMs, jitter included", () => {
    expect(backoffDelay(10, retry, () => 0.999999)).toBe(60_000)
    expect(backoffDelay(30, retry, () => 0)).toBe(45_000)
  })
})
