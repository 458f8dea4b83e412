import { call, createSession, finalizedOrder, sessionBody, simulatedDevice, start, startReceiver } from "./helpers"

describe("API faults", () => {
  it("before (default): answers instead of the handler, with status, Retry-After and no effect", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 503, retryAfterSeconds: 7, times: 1 })
    const faulted = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id) })
    expect(faulted.status).toBe(503)
    expect(faulted.headers.get("retry-after")).toBe("7")
    expect(faulted.headers.get("content-type")).toBe("application/problem+json")
    expect(faulted.body).toMatchObject({ status: 503, title: "Service Unavailable" })
    expect(playground.events()).toEqual([])
    expect((await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id) })).status).toBe(200)
    expect(playground.events()).toHaveLength(1)
  })

  it("answers with the fault's own body when given", async () => {
    const playground = await start()
    playground.injectFault({ path: "/ipp/v1/locations", status: 500, body: { oops: true } })
    const res = await call(playground, "GET", "/ipp/v1/locations")
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ oops: true })
    playground.injectFault({ path: "/ipp/v1/devices", status: 502, body: "<html>bad gateway</html>" })
    const text = await call(playground, "GET", "/ipp/v1/devices")
    expect(text.text).toBe("<html>bad gateway</html>")
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/)
  })

  it("uses the Checkout error shape on Order Management routes", async () => {
    const playground = await start()
    const orderId = await finalizedOrder(playground)
    playground.injectFault({ path: "/ordermanagement/*", status: 429, retryAfterSeconds: 1 })
    const res = await call(playground, "GET", `/ordermanagement/v1/orders/${orderId}`)
    expect(res.status).toBe(429)
    expect(res.body).toEqual({ error_code: "TOO_MANY_REQUESTS", error_messages: [expect.any(String)], correlation_id: expect.any(String) })
  })

  it("after: the handler runs (the effect happens) and then the answer is replaced", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    playground.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 504, when: "after" })
    const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(device.id) })
    expect(res.status).toBe(504)
    expect(playground.events().map((e) => e.type)).toEqual(["ipp.session.created"])
    const state = await call(playground, "GET", "/pos/v1/session", {
      noAuth: true,
      headers: { authorization: `Bearer ${device.credentials.device_token}` },
    })
    expect(state.body.session).toMatchObject({ session_id: playground.events()[0].data.session_id, status: "CREATED" })
  })

  it("after + dropConnection: the caller gets no answer but the effect happened", async () => {
    const playground = await start()
    playground.injectFault({ method: "POST", path: "/ipp/v1/enrollments", dropConnection: true, when: "after", times: 1 })
    await expect(fetch(`${playground.url}/ipp/v1/enrollments`, {
      method: "POST",
      headers: { authorization: "Basic kco_test_api_playground_tests", "content-type": "application/json" },
      body: "{}",
    })).rejects.toThrow()
    const listed = await call(playground, "GET", "/ipp/v1/enrollments", { headers: { "x-merchant-id": "PLAYGROUND" } })
    expect(listed.body.content).toHaveLength(1)
    expect(playground.requests()[0]).toMatchObject({ method: "POST", path: "/ipp/v1/enrollments", status: null })
  })

  it("after + dropConnection on a capture: the retry with the same idempotency key learns the outcome", async () => {
    const playground = await start({ captureMode: "manual" })
    const orderId = await finalizedOrder(playground)
    const path = `/ordermanagement/v1/orders/${orderId}/captures`
    playground.injectFault({ method: "POST", path, dropConnection: true, when: "after", times: 1 })
    const headers = { authorization: "Basic kco_test_api_playground_tests", "content-type": "application/json", "klarna-idempotency-key": "k-1" }
    const body = JSON.stringify({ captured_amount: 700 })
    await expect(fetch(`${playground.url}${path}`, { method: "POST", headers, body })).rejects.toThrow()
    const retry = await fetch(`${playground.url}${path}`, { method: "POST", headers, body })
    expect(retry.status).toBe(201)
    const order = await call(playground, "GET", `/ordermanagement/v1/orders/${orderId}`)
    expect(order.body.captures).toEqual([expect.objectContaining({ capture_id: retry.headers.get("capture-id"), captured_amount: 700 })])
  })

  it("before + dropConnection: no answer and no effect", async () => {
    const playground = await start()
    playground.injectFault({ path: "/ipp/v1/enrollments", method: "POST", dropConnection: true })
    await expect(
      fetch(`${playground.url}/ipp/v1/enrollments`, { method: "POST", headers: { authorization: "Basic kco_test_api_playground_tests" } })
    ).rejects.toThrow()
    playground.clearFaults()
    const listed = await call(playground, "GET", "/ipp/v1/enrollments", { headers: { "x-merchant-id": "PLAYGROUND" } })
    expect(listed.body.content).toEqual([])
  })

  it("latencyMs delays the real answer (before) or the replaced one (after)", async () => {
    const playground = await start()
    playground.injectFault({ path: "/ipp/v1/locations", latencyMs: 150, times: 1 })
    let started = Date.now()
    const slow = await call(playground, "GET", "/ipp/v1/locations")
    expect(slow.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)

    playground.injectFault({ path: "/ipp/v1/enrollments", method: "POST", latencyMs: 150, status: 500, when: "after", times: 1 })
    started = Date.now()
    const late = await call(playground, "POST", "/ipp/v1/enrollments", { body: {} })
    expect(late.status).toBe(500)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const listed = await call(playground, "GET", "/ipp/v1/enrollments", { headers: { "x-merchant-id": "PLAYGROUND" } })
    expect(listed.body.content).toHaveLength(1)
  })

  it("times limits how many requests a fault hits; prefix paths and method filters match", async () => {
    const playground = await start()
    const fault = playground.injectFault({ method: "GET", path: "/ipp/v1/devices*", status: 500, times: 2 })
    expect(fault).toMatchObject({ id: expect.any(String), hits: 0, times: 2, method: "GET" })
    expect((await call(playground, "GET", "/ipp/v1/devices/abc")).status).toBe(500)
    // Another method is not matched (and does not use up the fault).
    expect((await call(playground, "POST", "/ipp/v1/dev/devices", { body: { name: "x" } })).status).toBe(201)
    expect((await call(playground, "GET", "/ipp/v1/devices")).status).toBe(500)
    expect((await call(playground, "GET", "/ipp/v1/devices")).status).toBe(200)
    expect((await call(playground, "GET", "/_playground/faults")).body.faults).toEqual([expect.objectContaining({ hits: 2 })])
  })

  it("an exact path does not match longer paths", async () => {
    const playground = await start()
    playground.injectFault({ path: "/ipp/v1/devices", status: 500 })
    expect((await call(playground, "GET", "/ipp/v1/devices/x")).status).toBe(404)
  })

  it("never applies to the control routes", async () => {
    const playground = await start()
    playground.injectFault({ path: "/*", status: 500 })
    expect((await call(playground, "GET", "/_playground/faults")).status).toBe(200)
    expect((await call(playground, "GET", "/ipp/v1/locations")).status).toBe(500)
  })

  it("is managed over HTTP too: POST (validated), GET, DELETE; API key required", async () => {
    const playground = await start()
    const created = await call(playground, "POST", "/_playground/faults", { body: { path: "/ipp/v1/locations", status: 418 } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ id: expect.any(String), path: "/ipp/v1/locations", status: 418, hits: 0 })
    expect((await call(playground, "GET", "/ipp/v1/locations")).status).toBe(418)
    expect((await call(playground, "GET", "/_playground/faults")).body.faults).toHaveLength(1)
    expect((await call(playground, "DELETE", "/_playground/faults")).status).toBe(204)
    expect((await call(playground, "GET", "/ipp/v1/locations")).status).toBe(200)

    const invalid = await call(playground, "POST", "/_playground/faults", { body: { path: "no-slash", status: 1000 } })
    expect(invalid.status).toBe(400)
    expect(Object.keys(invalid.body.errors).sort()).toEqual(["path", "status"])
    const noop = await call(playground, "POST", "/_playground/faults", { body: { path: "/x" } })
    expect(noop.status).toBe(400)
    expect((await call(playground, "GET", "/_playground/faults", { noAuth: true })).status).toBe(401)
    expect(() => playground.injectFault({ path: "/x", when: "later" as "after", status: 500 })).toThrow(/when/)
  })
})

describe("control routes", () => {
  it("serves the request and delivery logs", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url })
    const device = await simulatedDevice(playground)
    await createSession(playground, device.id)
    await playground.waitForDeliveries((d) => d.length === 1)
    const requests = await call(playground, "GET", "/_playground/requests")
    expect(requests.body.requests.map((r: { path: string }) => r.path)).toEqual(["/ipp/v1/dev/devices", "/ipp/v1/sessions"])
    const deliveries = await call(playground, "GET", "/_playground/deliveries")
    expect(deliveries.body.deliveries).toEqual([expect.objectContaining({ type: "ipp.session.created", status: 200 })])
    const events = await call(playground, "GET", "/_playground/events")
    expect(events.body.events).toEqual([expect.objectContaining({ type: "ipp.session.created" })])
  })

  it("reset forgets all state but keeps locations and configuration", async () => {
    const receiver = await startReceiver()
    const playground = await start({ callbackUrl: receiver.url, captureMode: "manual", locations: [{ id: "l1", name: "One" }] })
    await finalizedOrder(playground)
    playground.injectFault({ path: "/nothing", status: 500 })
    await playground.waitForDeliveries((d) => d.length === 3)
    expect((await call(playground, "POST", "/_playground/reset")).status).toBe(204)

    expect((await call(playground, "GET", "/ipp/v1/devices")).body.total_elements).toBe(0)
    expect(playground.events()).toEqual([])
    expect(playground.deliveries()).toEqual([])
    expect(playground.requests()).toHaveLength(1)
    expect((await call(playground, "GET", "/_playground/faults")).body.faults).toEqual([])
    expect((await call(playground, "GET", "/ipp/v1/locations")).body.content).toEqual([{ id: "l1", name: "One", city: null }])

    const orderId = await finalizedOrder(playground)
    expect((await call(playground, "GET", `/ordermanagement/v1/orders/${orderId}`)).body.status).toBe("AUTHORIZED")
    await playground.waitForDeliveries((d) => d.length === 3)
    playground.reset()
    expect(playground.events()).toEqual([])
  })

  it("shows and changes the configuration without echoing secrets", async () => {
    const playground = await start({ webhookSecrets: ["whsec_c2VjcmV0"] })
    const shown = await call(playground, "GET", "/_playground/config")
    expect(shown.body).toMatchObject({ capture_mode: "auto", webhook_secrets: 1, callback_url: null })
    expect(shown.text).not.toContain("whsec_")
    const changed = await call(playground, "PATCH", "/_playground/config", { body: { capture_mode: "manual" } })
    expect(changed.body.capture_mode).toBe("manual")
    const bad = await call(playground, "PATCH", "/_playground/config", { body: { capture_mode: "later" } })
    expect(bad.status).toBe(400)
    expect(bad.body.detail).toMatch(/"capture_mode": must be "auto" or "manual"/)
    const camel = await call(playground, "PATCH", "/_playground/config", { body: { captureMode: "auto" } })
    expect(camel.status).toBe(400)
    expect(camel.body.detail).toMatch(/"captureMode": unknown option/)
  })

  it("takes back over PATCH the names GET shows, nested ones included", async () => {
    const playground = await start({ callbackUrl: "http://127.0.0.1:1/hooks" })
    const { body: shown } = await call(playground, "GET", "/_playground/config")
    const patch = {
      callback_url: null,
      webhook_secrets: ["whsec_bmV3LXNlY3JldA=="],
      session_lifetime_ms: 60_000,
      callback_retry: { ...shown.callback_retry, max_attempts: 2, timeout_ms: 500 },
    }
    const changed = await call(playground, "PATCH", "/_playground/config", { body: patch })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({
      callback_url: null,
      webhook_secrets: 1,
      session_lifetime_ms: 60_000,
      callback_retry: { ...shown.callback_retry, max_attempts: 2, timeout_ms: 500 },
    })
    const bad = await call(playground, "PATCH", "/_playground/config", { body: { callback_retry: { max_attempts: 0 } } })
    expect(bad.status).toBe(400)
    expect(bad.body.detail).toMatch(/"callback_retry.max_attempts": must be at least 1/)
    expect((await call(playground, "GET", "/_playground/config")).body.callback_retry.max_attempts).toBe(2)
  })
})
