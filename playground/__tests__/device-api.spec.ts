import http from "node:http"
import { devicePageFile, DEVICE_PAGE_DIR } from "../src/static-files"
import { call, createSession, openEvents, simulatedDevice, start } from "./helpers"

const bearer = (token: string) => ({ noAuth: true, headers: { authorization: `Bearer ${token}` } })

describe("device API", () => {
  it("streams the device's session as it changes (SSE)", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const token = device.credentials.device_token
    const stream = await openEvents(playground, token)
    expect(stream.status).toBe(200)
    expect(stream.contentType).toMatch(/^text\/event-stream/)

    // The current state comes first.
    await stream.next((m) => m.event === "device" && m.data.device?.id === device.id)
    await stream.next((m) => m.event === "session" && m.data.session === null)

    const session = await createSession(playground, device.id)
    const created = await stream.next((m) => m.event === "session" && m.data.session?.status === "CREATED")
    expect(created.data.session).toMatchObject({ session_id: session.session_id, order_amount: 25000, order_items: [expect.any(Object)] })

    const activated = await call(playground, "POST", `/pos/v1/sessions/${session.session_id}/payment-method`, {
      ...bearer(token),
      body: { method: "card" },
    })
    expect(activated.body.status).toBe("ACTIVE")
    await stream.next((m) => m.event === "session" && m.data.session?.status === "ACTIVE")

    const paid = await call(playground, "POST", `/pos/v1/sessions/${session.session_id}/tap`, { ...bearer(token), body: { outcome: "SUCCESS" } })
    expect(paid.body.status).toBe("FINALIZED")
    const finished = await stream.next((m) => m.event === "session" && m.data.last?.status === "FINALIZED")
    expect(finished.data).toMatchObject({ session: null, last: { session_id: session.session_id, order_id: paid.body.order_id } })

    // An event is sent only when its content changed: never the same snapshot twice in a row.
    const sessionEvents = stream.messages.filter((m) => m.event === "session").map((m) => JSON.stringify(m.data))
    expect(sessionEvents.every((data, i) => i === 0 || data !== sessionEvents[i - 1])).toBe(true)
    expect(playground.events().map((e) => e.type)).toEqual([
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.session.finalized",
    ])    // The stream's ?token= is a credential: redacted in the request log.
    const logged = playground.requests().find((r) => r.path === "/pos/v1/events")
    expect(logged).toMatchObject({ query: { token: "[redacted]" }, status: 200 })
    expect(JSON.stringify(playground.requests())).not.toContain(token)
  })

  it("sends keep-alive comments and counts an open stream as contact (last_seen_at)", async () => {
    const playground = await start({ sseKeepAliveMs: 30 })
    const device = await simulatedDevice(playground)
    expect((await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).body.last_seen_at).toBeNull()
    const stream = await openEvents(playground, device.credentials.device_token)
    expect(await stream.nextComment()).toBe("keep-alive")
    const seen = (await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).body.last_seen_at
    expect(Date.parse(seen)).toBeGreaterThan(Date.now() - 5000)
  })

  it("stops counting a stream as contact once the device page disconnects", async () => {
    const playground = await start({ sseKeepAliveMs: 30 })
    const device = await simulatedDevice(playground)
    const stream = await openEvents(playground, device.credentials.device_token)
    expect(await stream.nextComment()).toBe("keep-alive")
    stream.close()
    await stream.ended
    // Let the server notice the closed connection, then no keep-alive may touch the device again.
    await new Promise((resolve) => setTimeout(resolve, 150))
    const after = (await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).body.last_seen_at
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await call(playground, "GET", `/ipp/v1/devices/${device.id}`)).body.last_seen_at).toBe(after)
  })

  it("sends device changes, and a removal that ends the stream", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground, { name: "Before" })
    const stream = await openEvents(playground, device.credentials.device_token)
    await call(playground, "PUT", `/ipp/v1/devices/${device.id}`, { body: { name: "After" } })
    await stream.next((m) => m.event === "device" && m.data.device?.name === "After")
    await call(playground, "DELETE", `/ipp/v1/devices/${device.id}`)
    await stream.next((m) => m.event === "device" && m.data.device === null)
    await stream.ended
    const reconnect = await call(playground, "GET", `/pos/v1/events?token=${device.credentials.device_token}`, { noAuth: true })
    expect(reconnect.status).toBe(401)
  })

  it("authenticates with the device token (Bearer; ?token= only on the stream) and updates last_seen_at", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const token = device.credentials.device_token
    expect((await call(playground, "GET", "/pos/v1/me", { noAuth: true })).status).toBe(401)
    expect((await call(playground, "GET", "/pos/v1/me", bearer("kdt_nope"))).status).toBe(401)
    expect((await call(playground, "GET", `/pos/v1/me?token=${token}`, { noAuth: true })).status).toBe(401)
    // The API key is not a device token.
    expect((await call(playground, "GET", "/pos/v1/me")).status).toBe(401)

    const me = await call(playground, "GET", "/pos/v1/me", bearer(token))
    expect(me.status).toBe(200)
    expect(me.body.device).toMatchObject({ id: device.id, last_seen_at: expect.any(String) })
    expect(me.body.device.credentials).toBeUndefined()
    expect(me.body.location).toMatchObject({ id: device.location_id, name: "Playground Store", city: "Stockholm" })
    expect(playground.requests().at(-1)?.headers.authorization).toBe("[redacted]")
  })

  it("GET /pos/v1/session returns the open session and the last finished one", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const token = device.credentials.device_token
    expect((await call(playground, "GET", "/pos/v1/session", bearer(token))).body).toEqual({ session: null, last: null })
    const first = await createSession(playground, device.id)
    await call(playground, "PUT", `/ipp/v1/sessions/${first.session_id}/cancel`)
    const second = await createSession(playground, device.id)
    const state = await call(playground, "GET", "/pos/v1/session", bearer(token))
    expect(state.body.session).toMatchObject({ session_id: second.session_id, status: "CREATED" })
    expect(state.body.last).toMatchObject({ session_id: first.session_id, status: "CANCELLED" })
  })

  it("lets the device decline, cancel and pick a payment method, only on its own sessions", async () => {
    const playground = await start()
    const device = await simulatedDevice(playground)
    const other = await simulatedDevice(playground, { name: "Other" })
    const token = device.credentials.device_token
    const session = await createSession(playground, device.id)
    const path = (action: string) => `/pos/v1/sessions/${session.session_id}/${action}`

    const badMethod = await call(playground, "POST", path("payment-method"), { ...bearer(token), body: { method: "cash" } })
    expect(badMethod.status).toBe(400)
    expect(badMethod.body.errors).toEqual({ method: 'must be "card"' })
    expect((await call(playground, "POST", path("cancel"), bearer(other.credentials.device_token))).status).toBe(404)

    const declined = await call(playground, "POST", path("tap"), { ...bearer(token), body: { outcome: "STOLEN_CARD" } })
    expect(declined.body).toMatchObject({ status: "ACTIVE", failure_reason: "STOLEN_CARD" })
    const badOutcome = await call(playground, "POST", path("tap"), { ...bearer(token), body: { outcome: "NOPE" } })
    expect(badOutcome.status).toBe(400)
    const cancelled = await call(playground, "POST", path("cancel"), bearer(token))
    expect(cancelled.body.status).toBe("CANCELLED")
    expect((await call(playground, "POST", path("cancel"), bearer(token))).status).toBe(409)
    expect(playground.events().map((e) => e.type)).toEqual([
      "ipp.session.created",
      "ipp.session.activated",
      "ipp.payment.failed",
      "ipp.session.cancelled",
    ])
  })

  it("lists simulated devices with their tokens, without auth", async () => {
    const playground = await start()
    const simulated = await simulatedDevice(playground, { name: "Sim" })
    const enrollment = await call(playground, "POST", "/ipp/v1/enrollments", { body: {} })
    await call(playground, "POST", "/ipp/v1/devices/register", {
      noAuth: true,
      body: { enrollment_code: enrollment.body.enrollment_code, name: "Real", platform: "ANDROID", hardware_id: "h" },
    })
    const res = await call(playground, "GET", "/pos/v1/simulated-devices", { noAuth: true })
    expect(res.body).toEqual({
      devices: [{ device: expect.objectContaining({ id: simulated.id, name: "Sim" }), device_token: simulated.credentials.device_token }],
    })
  })
})

describe("device page", () => {
  function rawGet(url: string, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}${path}`, { method: "GET", path }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on("error", reject)
      req.end()
    })
  }

  it("serves /device as index.html and its files with content types", async () => {
    const playground = await start()
    const page = await fetch(playground.devicePageUrl)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(await page.text()).toMatch(/<html/i)
    const script = await fetch(`${playground.url}/device/app.js`)
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
    await script.text()
    const style = await fetch(`${playground.url}/device/style.css`)
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8")
    await style.text()
    expect((await fetch(`${playground.url}/device/nope.js`)).status).toBe(404)
    expect((await fetch(playground.devicePageUrl, { method: "POST" })).status).toBe(405)
  })

  it("never serves a file outside the page folder", async () => {
    const playground = await start()
    for (const path of ["/device/../index.ts", "/device/%2e%2e/index.ts", "/device/..%2f..%2fpackage.json", "/device//etc/passwd"]) {
      expect(await rawGet(playground.url, path)).toBe(404)
    }
    expect(devicePageFile("/device/../x")).toBeUndefined()
    expect(devicePageFile("/device/a%5C..%5Cb")).toBeUndefined()
    expect(devicePageFile("/device")).toBe(`${DEVICE_PAGE_DIR}/index.html`)
  })
})
