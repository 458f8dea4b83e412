import { startPlayground } from "../src"
import type { PlaygroundOptions } from "../src"
import { API_KEY, call, createSession, openEvents, simulatedDevice, start, startReceiver } from "./helpers"

describe("startPlayground options", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a missing apiKey", { apiKey: undefined }, /"apiKey": is required/],
    ["an empty apiKey", { apiKey: " " }, /"apiKey": must not be empty/],
    ["a port out of range", { port: 70000 }, /"port": must be at most 65535/],
    ["a fractional port", { port: 1.5 }, /"port": must be an integer/],
    ["an unknown capture mode", { captureMode: "later" }, /"captureMode": must be "auto" or "manual"/],
    ["a relative callback URL", { callbackUrl: "/hooks" }, /"callbackUrl": must be an absolute URL/],
    ["a non-http callback URL", { callbackUrl: "ftp://x/y" }, /"callbackUrl": must be an http/],
    ["a secret without whsec_", { webhookSecrets: ["abc"] }, /"webhookSecrets\[0\]": must start with "whsec_"/],
    ["a zero session lifetime", { sessionLifetimeMs: 0 }, /"sessionLifetimeMs": must be at least 1/],
    ["zero callback attempts", { callbackRetry: { maxAttempts: 0 } }, /"callbackRetry.maxAttempts": must be at least 1/],
    ["an unknown retry option", { callbackRetry: { tries: 3 } }, /"callbackRetry.tries": unknown option/],
    ["a misspelt option", { callbackURL: "http://x" }, /"callbackURL": unknown option/],
    ["no locations", { locations: [] }, /"locations": must contain at least one location/],
    ["a nameless location", { locations: [{ id: "x" }] }, /"locations\[0\].name": is required/],
    ["duplicate location ids", { locations: [{ id: "x", name: "A" }, { id: "x", name: "B" }] }, /"locations\[1\].id": duplicate/],
    ["a bad logger", { logger: { info() {} } }, /"logger": must have info, warn and error functions/],
  ])("rejects %s, naming the option", async (_label, options, message) => {
    await expect(startPlayground({ apiKey: API_KEY, ...options } as PlaygroundOptions)).rejects.toThrow(message)
  })

  it("reports a port in use", async () => {
    const first = await start()
    await expect(startPlayground({ apiKey: API_KEY, port: first.port })).rejects.toThrow(/EADDRINUSE/)
  })

  it("listens where asked and reports it", async () => {
    const playground = await start({ host: "127.0.0.1" })
    expect(playground.url).toBe(`http://127.0.0.1:${playground.port}`)
    expect(playground.devicePageUrl).toBe(`${playground.url}/device`)
    expect(playground.port).toBeGreaterThan(0)
  })

  it("logs through the given logger", async () => {
    const lines: string[] = []
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    const playground = await start({ logger })
    await call(playground, "GET", "/ipp/v1/locations")
    expect(lines).toContain("GET /ipp/v1/locations → 200")
  })

  it("stops promptly with an open SSE stream, a hanging callback and a pending retry", async () => {
    const hanging = await startReceiver(() => "hang")
    const failing = await startReceiver(() => 500)
    const playground = await start({
      callbackUrl: failing.url,
      callbackRetry: { baseDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 60_000 },
    })
    const device = await simulatedDevice(playground)
    const stream = await openEvents(playground, device.credentials.device_token)
    await createSession(playground, device.id)
    await playground.waitForDeliveries((d) => d.length === 1) // the retry is now pending (60 s away)
    playground.configure({ callbackUrl: hanging.url })
    await createSession(playground, device.id)
    await hanging.waitFor((r) => r.length === 1) // this one is in flight, unanswered
    const started = Date.now()
    await playground.stop()
    await stream.ended
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it("stops promptly and only once; waiting for deliveries after stop fails", async () => {
    const playground = await start()
    await Promise.all([playground.stop(), playground.stop()])
    await expect(fetch(`${playground.url}/ipp/v1/locations`)).rejects.toThrow()
    await expect(playground.waitForDeliveries(() => true)).rejects.toThrow(/stopped/)
  })
})

describe("configure", () => {
  it("validates what it changes", async () => {
    const playground = await start()
    expect(() => playground.configure({ captureMode: "x" as "auto" })).toThrow(/"captureMode"/)
    expect(() => playground.configure({ callbackRetry: { timeoutMs: 0 } })).toThrow(/"callbackRetry.timeoutMs"/)
    expect(() => playground.configure({ apiKey: "x" } as never)).toThrow(/"apiKey": unknown option/)
  })

  it("merges callbackRetry and clears callbackUrl with null", async () => {
    const playground = await start({ callbackUrl: "http://127.0.0.1:1/x", callbackRetry: { maxAttempts: 3 } })
    playground.configure({ callbackRetry: { baseDelayMs: 7 }, callbackUrl: null })
    const config = (await call(playground, "GET", "/_playground/config")).body
    expect(config.callback_retry).toEqual({ max_attempts: 3, base_delay_ms: 7, max_delay_ms: 60_000, timeout_ms: 10_000 })
    expect(config.callback_url).toBeNull()
  })
})
