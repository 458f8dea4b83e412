import { randomUUID } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startPlayground } from "../src"
import { advanceClock, API_KEY, call, createSession, simulatedDevice, start, tap } from "./helpers"

let dir: string
let stateFile: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kustom-ipp-playground-"))
  stateFile = join(dir, "nested", "state.json")
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** One event-loop turn: the state write scheduled while the request was handled has run. */
const afterWrite = () => new Promise((resolve) => setImmediate(resolve))

describe("state file", () => {
  it("keeps enrollments, devices, tokens, sessions, orders and idempotency keys across a restart", async () => {
    const first = await start({ stateFile, captureMode: "manual" })
    const enrollment = (await call(first, "POST", "/ipp/v1/enrollments", { body: { metadata: { a: "1" } } })).body
    const device = await simulatedDevice(first)
    const open = await createSession(first, device.id)
    const paid = await createSession(first, device.id)
    const orderId = (await tap(first, paid.session_id)).body.order_id
    const key = { "klarna-idempotency-key": randomUUID() }
    const capture = await call(first, "POST", `/ordermanagement/v1/orders/${orderId}/captures`, { headers: key, body: { captured_amount: 100 } })
    await first.stop()

    const saved = JSON.parse(readFileSync(stateFile, "utf8"))
    expect(saved).toMatchObject({ version: 1 })
    expect(saved.sessions).toHaveLength(2)
    expect(readdirSync(join(dir, "nested"))).toEqual(["state.json"])

    const second = await start({ stateFile, captureMode: "manual" })
    expect((await call(second, "GET", `/ipp/v1/devices/${device.id}`)).status).toBe(200)
    const me = await call(second, "GET", "/pos/v1/me", { noAuth: true, headers: { authorization: `Bearer ${device.credentials.device_token}` } })
    expect(me.body.device.id).toBe(device.id)
    expect((await call(second, "GET", `/ipp/v1/sessions/${open.session_id}`)).body.status).toBe("CREATED")
    expect((await call(second, "GET", `/ordermanagement/v1/orders/${orderId}`)).body).toMatchObject({ captured_amount: 100 })
    const replay = await call(second, "POST", `/ordermanagement/v1/orders/${orderId}/captures`, { headers: key, body: { captured_amount: 100 } })
    expect(replay.body).toEqual(capture.body)
    const listed = await call(second, "GET", "/ipp/v1/enrollments", { headers: { "x-merchant-id": "PLAYGROUND" } })
    expect(listed.body.content).toEqual([expect.objectContaining({ enrollment_id: enrollment.enrollment_id, status: "PENDING" })])
    expect((await tap(second, open.session_id)).body.status).toBe("FINALIZED")
  })

  it("writes on change, atomically, without waiting for stop", async () => {
    const playground = await start({ stateFile })
    const device = await simulatedDevice(playground)
    await afterWrite()
    const saved = JSON.parse(readFileSync(stateFile, "utf8"))
    expect(saved.devices.map((d: { id: string }) => d.id)).toEqual([device.id])
    expect(readdirSync(join(dir, "nested")).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })

  it("expires, at start, a session whose lifetime ended while the playground was stopped", async () => {
    const first = await start({ stateFile, sessionLifetimeMs: 60_000 })
    const device = await simulatedDevice(first)
    const session = await createSession(first, device.id)
    await first.stop()
    advanceClock(60_001)
    const second = await start({ stateFile })
    expect((await call(second, "GET", `/ipp/v1/sessions/${session.session_id}`)).body.status).toBe("EXPIRED")
    expect(second.events()).toEqual([])
  })

  it("refuses to start on a file that is not a playground state file", async () => {
    writeFileSync(join(dir, "bad.json"), "{ nope")
    await expect(startPlayground({ apiKey: API_KEY, stateFile: join(dir, "bad.json") })).rejects.toThrow(/"stateFile".*not JSON/)
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: "world" }))
    await expect(startPlayground({ apiKey: API_KEY, stateFile: join(dir, "other.json") })).rejects.toThrow(
      /"stateFile".*not a playground state file/
    )
  })

  it("reset empties the state file too", async () => {
    const playground = await start({ stateFile })
    await simulatedDevice(playground)
    playground.reset()
    await afterWrite()
    expect(JSON.parse(readFileSync(stateFile, "utf8")).devices).toEqual([])
  })
})
