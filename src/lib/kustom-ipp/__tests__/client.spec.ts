/**
 * The client over real HTTP against the playground emulator: every endpoint, error shapes,
 * paging, retries and their limits, and that the API key never leaks.
 */
import { once } from "node:events"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { startPlayground } from "kustom-ipp-playground"
import {
  collect,
  type CreateSessionInput,
  type Device,
  KustomIppApiError,
  KustomIppClient,
  type KustomIppClientOptions,
  KustomIppConfigError,
  KustomIppError,
  KustomIppInvalidRequestError,
  KustomIppNetworkError,
  KustomIppTimeoutError,
  KustomIppUnexpectedResponseError,
  SIMULATED_TAP_DECLINES,
  type Session,
  verifyKustomWebhook,
} from ".."

type Playground = Awaited<ReturnType<typeof startPlayground>>

const API_KEY = "kco_test_api_client_spec_7f3a9c2e5b"
const MERCHANT_ID = "DM11917000"
const SECRET_OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const SECRET_NEW = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

let pg: Playground
let receiver: CallbackReceiver
const logLines: string[] = []
const caught: unknown[] = []

interface ReceivedCallback {
  headers: IncomingHttpHeaders
  rawBody: Buffer
}

interface CallbackReceiver {
  url: string
  received: ReceivedCallback[]
  server: Server
}

async function startReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) })
      res.writeHead(204).end()
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hooks/kustom-ipp`, received, server }
}

function client(options: Partial<KustomIppClientOptions> = {}): KustomIppClient {
  const push = (level: string) => (line: string) => logLines.push(`${level} ${line}`)
  return new KustomIppClient({
    apiKey: API_KEY,
    baseUrl: pg.url,
    merchantId: MERCHANT_ID,
    timeoutMs: 2_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 1_500 },
    logger: { debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") },
    ...options,
  })
}

/** The rejection of `promise`, remembered so the suite can check no error carries the key. */
async function failure<E = KustomIppError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise
  } catch (error) {
    caught.push(error)
    return error as E
  }
  throw new Error("expected the call to fail")
}

const requestsTo = (method: string, path: string) =>
  pg.requests().filter((r) => r.method === method && r.path === path)

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A basket that satisfies Kustom's arithmetic: 2 × 125.00 SEK at 25 % VAT. */
function basket(deviceId: string, overrides: Partial<CreateSessionInput> = {}): CreateSessionInput {
  return {
    device_id: deviceId,
    order_amount: 25_000,
    order_tax_amount: 5_000,
    purchase_currency: "SEK",
    purchase_started_at: "2026-11-27T12:00:00Z",
    merchant_reference1: "order_01",
    merchant_data: JSON.stringify({ cart_id: "cart_1" }),
    order_items: [
      {
        type: "physical",
        reference: "SKU-1",
        name: "Mug",
        quantity: 2,
        unit_price: 12_500,
        total_amount: 25_000,
        total_discount_amount: 0,
        tax_rate: 2_500,
        total_tax_amount: 5_000,
      },
    ],
    ...overrides,
  }
}

let storeA: string
let storeB: string

beforeAll(async () => {
  receiver = await startReceiver()
  pg = await startPlayground({
    apiKey: API_KEY,
    port: 0,
    merchantId: MERCHANT_ID,
    webhookSecrets: [SECRET_OLD, SECRET_NEW],
    callbackUrl: receiver.url,
    callbackRetry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 1_000 },
    locations: [
      { name: "Store A", city: "Stockholm" },
      { name: "Store B", city: "Göteborg" },
    ],
  })
  const locations = await client().locations.list()
  storeA = locations.content.find((l) => l.name === "Store A")!.id
  storeB = locations.content.find((l) => l.name === "Store B")!.id
})

beforeEach(() => {
  pg.clearFaults()
  pg.reset()
  pg.configure({ captureMode: "auto" })
})

/** Every error a test caught and every line it logged, checked after each test. */
afterEach(() => {
  const errors = caught.splice(0)
  const lines = logLines.splice(0)
  for (const error of errors) {
    expect(error).toBeInstanceOf(KustomIppError)
    for (const text of [
      (error as Error).message,
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      Object.values(error as object)
        .map((v) => JSON.stringify(v) ?? String(v))
        .join(" "),
    ]) {
      expect(text).not.toContain(API_KEY)
    }
  }
  for (const line of lines) {
    expect(line).not.toContain(API_KEY)
    expect(line.toLowerCase()).not.toContain("authorization")
    expect(line).not.toContain("Basic")
  }
})

afterAll(async () => {
  await pg?.stop()
  receiver?.server.close()
})

describe("locations", () => {
  it("lists with paging and iterates every page", async () => {
    const kustom = client()
    const first = await kustom.locations.list({ page_size: 1 })
    expect(first).toMatchObject({ total_elements: 2, total_pages: 2, page_number: 0, page_size: 1, first: true, last: false })
    const second = await kustom.locations.list({ page_size: 1, page_number: 1 })
    expect(second).toMatchObject({ page_number: 1, first: false, last: true })
    expect([...first.content, ...second.content].map((l) => l.name).sort()).toEqual(["Store A", "Store B"])
    expect((await collect(kustom.locations.listAll())).map((l) => l.city).sort()).toEqual(["Göteborg", "Stockholm"])
  })

  it("gets one, and answers a typed 404 problem for an unknown id", async () => {
    const kustom = client()
    await expect(kustom.locations.get(storeA)).resolves.toMatchObject({ id: storeA, name: "Store A", city: "Stockholm" })
    const error = await failure<KustomIppApiError>(kustom.locations.get("nope"))
    expect(error).toBeInstanceOf(KustomIppApiError)
    expect(error).toMatchObject({
      kind: "api",
      status: 404,
      title: "Not Found",
      method: "GET",
      path: "/ipp/v1/locations/nope",
      retryable: false,
      attempts: 1,
      fieldErrors: {},
    })
    expect(error.detail).toContain("nope")
    expect(requestsTo("GET", "/ipp/v1/locations/nope")).toHaveLength(1)
  })
})

describe("authentication and headers", () => {
  it("sends Basic auth, x-merchant-id and a User-Agent", async () => {
    await client().locations.list()
    const [request] = requestsTo("GET", "/ipp/v1/locations")
    expect(request.headers.authorization).toBe("[redacted]")
    expect(request.headers["x-merchant-id"]).toBe(MERCHANT_ID)
    expect(request.headers["user-agent"]).toMatch(/^medusa-plugin-kustom-ipp\//)
    expect(request.headers.accept).toBe("application/json")
  })

  it("omits x-merchant-id when none is configured", async () => {
    await client({ merchantId: undefined }).locations.list()
    expect(requestsTo("GET", "/ipp/v1/locations")[0].headers["x-merchant-id"]).toBeUndefined()
  })

  it("maps a wrong key to a 401 that does not contain either key", async () => {
    const wrongKey = "kco_test_api_wrong_key_0000"
    const error = await failure<KustomIppApiError>(client({ apiKey: wrongKey }).devices.list())
    expect(error).toMatchObject({ status: 401, title: "Unauthorized", retryable: false, attempts: 1 })
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain(wrongKey)
      expect(text).not.toContain(API_KEY)
    }
  })

  it("maps a merchant id of another merchant to a 403", async () => {
    const error = await failure<KustomIppApiError>(client({ merchantId: "SOMEONE_ELSE" }).devices.list())
    expect(error).toMatchObject({ status: 403, retryable: false })
  })
})

describe("enrollments", () => {
  it("creates a pairing code", async () => {
    const enrollment = await client().enrollments.create({ location_id: storeA, metadata: { till: "1" }, expires_in: 60_000 })
    expect(enrollment).toMatchObject({ status: "PENDING", metadata: { till: "1" }, location_id: storeA })
    expect(enrollment.enrollment_code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/)
    expect(Date.parse(enrollment.expires_at) - Date.now()).toBeLessThanOrEqual(60_000)
  })

  it("reports field errors: a location is required with two locations", async () => {
    const error = await failure<KustomIppApiError>(client().enrollments.create({ metadata: { till: "1" } }))
    expect(error).toMatchObject({ status: 400, retryable: false })
    expect(error.fieldErrors).toEqual({ location_id: expect.stringContaining("required") })
    expect(error.message).toContain("location_id")
  })

  it("lists with location, metadata and include_consumed filters and paging", async () => {
    const kustom = client()
    const a1 = await kustom.enrollments.create({ location_id: storeA, metadata: { till: "1", floor: "ground" } })
    const a2 = await kustom.enrollments.create({ location_id: storeA, metadata: { till: "2", floor: "ground" } })
    const b1 = await kustom.enrollments.create({ location_id: storeB, metadata: { till: "1", floor: "first" } })
    const consumed = await kustom.enrollments.create({ location_id: storeB, metadata: { till: "9" } })
    const register = await fetch(`${pg.url}/ipp/v1/devices/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enrollment_code: consumed.enrollment_code, name: "Till 9", platform: "IOS", hardware_id: "hw-9" }),
    })
    expect(register.status).toBe(201)

    const ids = (page: { content: { enrollment_id: string }[] }) => page.content.map((e) => e.enrollment_id).sort()
    expect(ids(await kustom.enrollments.list())).toEqual([a1, a2, b1].map((e) => e.enrollment_id).sort())
    expect(ids(await kustom.enrollments.list({ location_id: storeA }))).toEqual([a1, a2].map((e) => e.enrollment_id).sort())
    expect(ids(await kustom.enrollments.list({ metadata: { till: "1", floor: "ground" } }))).toEqual([a1.enrollment_id])
    expect(ids(await kustom.enrollments.list({ metadata: { till: 1 } }))).toEqual([a1, b1].map((e) => e.enrollment_id).sort())
    const withConsumed = await kustom.enrollments.list({ include_consumed: true })
    expect(withConsumed.content.find((e) => e.enrollment_id === consumed.enrollment_id)?.status).toBe("CONSUMED")

    const queries = requestsTo("GET", "/ipp/v1/enrollments").map((r) => r.query)
    expect(queries[1]).toEqual({ location_id: storeA })
    expect(queries[2]).toEqual({ metadata: ["till:1", "floor:ground"] })
    expect(queries[4]).toEqual({ include_consumed: "true" })

    const paged = await kustom.enrollments.list({ page_size: 2, page_number: 1 })
    expect(paged).toMatchObject({ total_elements: 3, total_pages: 2, page_number: 1, last: true })
    expect(paged.content).toHaveLength(1)
    expect(await collect(kustom.enrollments.listAll({ page_size: 1 }))).toHaveLength(3)
  })

  it("checks the metadata filters before sending", async () => {
    const kustom = client()
    const six = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((k) => [k, "1"]))
    const error = await failure(kustom.enrollments.list({ metadata: six }))
    expect(error).toBeInstanceOf(KustomIppInvalidRequestError)
    expect(error).toMatchObject({ kind: "invalid_request", field: "metadata" })
    await expect(kustom.enrollments.list({ metadata: { "a:b": "1" } })).rejects.toBeInstanceOf(KustomIppInvalidRequestError)
    const five = Object.fromEntries(["a", "b", "c", "d", "e"].map((k) => [k, "1"]))
    await expect(kustom.enrollments.list({ metadata: five })).resolves.toMatchObject({ total_elements: 0 })
    expect(requestsTo("GET", "/ipp/v1/enrollments")).toHaveLength(1)
  })

  it("needs merchantId to list, and says so before sending anything", async () => {
    const error = await failure(client({ merchantId: undefined }).enrollments.list())
    expect(error).toBeInstanceOf(KustomIppConfigError)
    expect(error.message).toContain("merchantId")
    expect(requestsTo("GET", "/ipp/v1/enrollments")).toHaveLength(0)
  })

  it("cancels a pending code, which then never appears; a second cancel is a 409", async () => {
    const kustom = client()
    const enrollment = await kustom.enrollments.create({ location_id: storeA })
    await expect(kustom.enrollments.cancel(enrollment.enrollment_id)).resolves.toBeUndefined()
    expect((await kustom.enrollments.list({ include_consumed: true })).content).toHaveLength(0)
    const error = await failure<KustomIppApiError>(kustom.enrollments.cancel(enrollment.enrollment_id))
    expect(error).toMatchObject({ status: 409, retryable: false, attempts: 1 })
    expect((await failure<KustomIppApiError>(kustom.enrollments.cancel("unknown"))).status).toBe(404)
  })

  it("counts a retried cancel answered 409 as done only when the code was cancelled, not when a device used it meanwhile", async () => {
    const setup = client()
    const cancelled = await setup.enrollments.create({ location_id: storeA })
    pg.injectFault({ method: "DELETE", path: `/ipp/v1/enrollments/${cancelled.enrollment_id}`, status: 502, when: "after", times: 1 })
    await expect(client().enrollments.cancel(cancelled.enrollment_id)).resolves.toBeUndefined()
    expect(requestsTo("DELETE", `/ipp/v1/enrollments/${cancelled.enrollment_id}`).map((r) => r.status)).toEqual([502, 409])

    // The first attempt fails before Kustom acts; before the retry a clerk types the code in.
    const used = await setup.enrollments.create({ location_id: storeA })
    pg.injectFault({ method: "DELETE", path: `/ipp/v1/enrollments/${used.enrollment_id}`, status: 503, times: 1 })
    const registerMeanwhile = async () => {
      const register = await fetch(`${pg.url}/ipp/v1/devices/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enrollment_code: used.enrollment_code, name: "Till 3", platform: "IOS", hardware_id: "hw-3" }),
      })
      expect(register.status).toBe(201)
    }
    const error = await failure<KustomIppApiError>(client({ sleep: registerMeanwhile }).enrollments.cancel(used.enrollment_id))
    expect(error).toMatchObject({ status: 409, attempts: 2 })
    expect((await setup.enrollments.list({ include_consumed: true })).content.find((e) => e.enrollment_id === used.enrollment_id)?.status).toBe(
      "CONSUMED"
    )
  })
})

describe("devices", () => {
  it("creates a simulated device and lists, gets and deletes it", async () => {
    const kustom = client()
    const device = await kustom.playground.createDevice({ name: "Till 1", location_id: storeA, metadata: { till: "1" } })
    expect(device).toMatchObject({
      name: "Till 1",
      location_id: storeA,
      metadata: { till: "1", simulated: true },
      merchant_id: MERCHANT_ID,
    })
    expect(["IOS", "ANDROID"]).toContain(device.platform)
    expect(device.credentials?.device_token).toEqual(expect.any(String))

    const listed = await kustom.devices.list()
    expect(listed.content.map((d) => d.id)).toEqual([device.id])
    expect(listed.content[0]).not.toHaveProperty("credentials")
    const fetched = await kustom.devices.get(device.id)
    expect(fetched).toMatchObject({ id: device.id, hardware_id: device.hardware_id, created_at: device.created_at })

    await expect(kustom.devices.delete(device.id)).resolves.toBeUndefined()
    expect((await failure<KustomIppApiError>(kustom.devices.get(device.id))).status).toBe(404)
    const again = await failure<KustomIppApiError>(kustom.devices.delete(device.id))
    expect(again).toMatchObject({ status: 404, attempts: 1 })
  })

  it("checks ids before sending", async () => {
    const kustom = client()
    await expect(kustom.devices.get("")).rejects.toMatchObject({ kind: "invalid_request", field: "deviceId" })
    await expect(kustom.sessions.cancel("  ")).rejects.toMatchObject({ kind: "invalid_request", field: "sessionId" })
    expect(pg.requests()).toHaveLength(0)
  })

  it("encodes ids into the path", async () => {
    expect((await failure<KustomIppApiError>(client().devices.get("a/b?c"))).path).toBe("/ipp/v1/devices/a%2Fb%3Fc")
    expect(pg.requests()[0].path).toBe("/ipp/v1/devices/a%2Fb%3Fc")
  })

  it("renames a device without losing its metadata or location", async () => {
    const kustom = client()
    const device = await kustom.playground.createDevice({ name: "Till 1", location_id: storeB, metadata: { till: "1", floor: "2" } })
    const renamed = await kustom.devices.update(device.id, { name: "Front till" })
    expect(renamed).toMatchObject({ name: "Front till", location_id: storeB, metadata: { till: "1", floor: "2", simulated: true } })
    const [put] = requestsTo("PUT", `/ipp/v1/devices/${device.id}`)
    expect(put.body).toEqual({ name: "Front till", location_id: storeB, metadata: { till: "1", floor: "2", simulated: true } })
    await expect(kustom.devices.get(device.id)).resolves.toMatchObject({ name: "Front till", location_id: storeB })
  })

  it("moves, detaches and re-labels a device, each time keeping the other fields", async () => {
    const kustom = client()
    const device = await kustom.playground.createDevice({ name: "Till 1", location_id: storeA, metadata: { till: "1" } })
    await expect(kustom.devices.update(device.id, { location_id: storeB })).resolves.toMatchObject({
      name: "Till 1",
      location_id: storeB,
      metadata: { till: "1", simulated: true },
    })
    await expect(kustom.devices.update(device.id, { metadata: { till: "7" } })).resolves.toMatchObject({
      name: "Till 1",
      location_id: storeB,
      metadata: { till: "7" },
    })
    const detached = await kustom.devices.update(device.id, { location_id: null })
    expect(detached.location_id).toBeNull()
    expect(detached.metadata).toEqual({ till: "7" })
  })

  it("replaces a device as is when asked to", async () => {
    const kustom = client()
    const device = await kustom.playground.createDevice({ name: "Till 1", location_id: storeA, metadata: { till: "1" } })
    const replaced = await kustom.devices.replace(device.id, { name: "Bare", metadata: {}, location_id: null })
    expect(replaced).toMatchObject({ name: "Bare", metadata: {}, location_id: null })
    await expect(kustom.devices.replace(device.id, { name: " ", metadata: {}, location_id: null })).rejects.toBeInstanceOf(
      KustomIppInvalidRequestError,
    )
    const error = await failure<KustomIppApiError>(
      kustom.devices.replace(device.id, { name: "X", metadata: {}, location_id: "no-such-location" }),
    )
    expect(error).toMatchObject({ status: 400, fieldErrors: { location_id: expect.any(String) } })
  })
})

describe("sessions", () => {
  let device: Device

  beforeEach(async () => {
    device = await client().playground.createDevice({ name: "Till", location_id: storeA })
  })

  it("creates, reads and cancels a session", async () => {
    const kustom = client()
    const created = await kustom.sessions.create(basket(device.id), { locationId: storeA })
    expect(created).toMatchObject({
      status: "CREATED",
      device_id: device.id,
      order_amount: 25_000,
      order_tax_amount: 5_000,
      purchase_currency: "SEK",
      merchant_reference1: "order_01",
      order_id: null,
    })
    expect(created.order_items[0]).toMatchObject({ name: "Mug", quantity: 2, tax_rate: 2_500 })
    expect(requestsTo("POST", "/ipp/v1/sessions")[0].query).toEqual({ location_id: storeA })

    await expect(kustom.sessions.get(created.session_id)).resolves.toMatchObject({ session_id: created.session_id, status: "CREATED" })
    const cancelled = await kustom.sessions.cancel(created.session_id)
    expect(cancelled.status).toBe("CANCELLED")
    const again = await failure<KustomIppApiError>(kustom.sessions.cancel(created.session_id))
    expect(again).toMatchObject({ status: 409, attempts: 1 })
  })

  it("reports the broken order line under its field path", async () => {
    const items = basket(device.id).order_items
    const error = await failure<KustomIppApiError>(
      client().sessions.create(
        basket(device.id, {
          order_amount: 35_000,
          order_tax_amount: 7_000,
          order_items: [items[0], { ...items[0], reference: "SKU-2", quantity: 1, total_amount: 10_000, total_tax_amount: 2_000 }],
        }),
      ),
    )
    expect(error).toMatchObject({ status: 400, retryable: false, attempts: 1 })
    expect(Object.keys(error.fieldErrors)).toContain("order_items[1].total_amount")
    expect(error.message).toContain("order_items[1].total_amount")
  })

  it("rejects an unknown device and a device of another location", async () => {
    const kustom = client()
    const unknown = await failure<KustomIppApiError>(kustom.sessions.create(basket("no-such-device")))
    expect(unknown.fieldErrors).toHaveProperty("device_id")
    const elsewhere = await failure<KustomIppApiError>(kustom.sessions.create(basket(device.id), { locationId: storeB }))
    expect(elsewhere.fieldErrors).toHaveProperty("device_id")
  })

  it("handles currencies without minor units", async () => {
    const session = await client().sessions.create(
      basket(device.id, {
        purchase_currency: "JPY",
        order_amount: 1_100,
        order_tax_amount: 100,
        order_items: [{ type: "physical", name: "Tea", quantity: 1, unit_price: 1_100, total_amount: 1_100, tax_rate: 1_000, total_tax_amount: 100 }],
      }),
    )
    expect(session).toMatchObject({ purchase_currency: "JPY", order_amount: 1_100 })
  })

  it("simulates a successful tap: FINALIZED with an order; cancelling it then is a 409", async () => {
    const kustom = client()
    const session = await kustom.sessions.create(basket(device.id))
    const finalized = await kustom.playground.simulateTap(session.session_id)
    expect(finalized).toMatchObject({ status: "FINALIZED", order_id: expect.any(String) })
    expect(requestsTo("POST", `/ipp/v1/dev/sessions/${session.session_id}/simulate-tap`)[0].query).toEqual({ outcome: "SUCCESS" })
    expect((await failure<KustomIppApiError>(kustom.sessions.cancel(session.session_id))).status).toBe(409)
    expect((await failure<KustomIppApiError>(kustom.playground.simulateTap(session.session_id))).status).toBe(409)
  })

  it("simulates every decline: the session stays ACTIVE with the reason", async () => {
    const kustom = client()
    const session = await kustom.sessions.create(basket(device.id))
    for (const outcome of SIMULATED_TAP_DECLINES) {
      const declined: Session = await kustom.playground.simulateTap(session.session_id, outcome)
      expect(declined.status).toBe("ACTIVE")
      expect(declined.failure_reason).toBe(outcome)
    }
    await expect(
      kustom.playground.simulateTap(session.session_id, "NOT_AN_OUTCOME" as "SUCCESS"),
    ).rejects.toBeInstanceOf(KustomIppInvalidRequestError)
  })

  it("404s an unknown session", async () => {
    expect((await failure<KustomIppApiError>(client().sessions.get("no-such-session"))).status).toBe(404)
  })
})

describe("Order Management", () => {
  async function finalizedOrder(kustom: KustomIppClient): Promise<string> {
    const device = await kustom.playground.createDevice({ name: "Till", location_id: storeA })
    const session = await kustom.sessions.create(basket(device.id))
    const finalized = await kustom.playground.simulateTap(session.session_id, "SUCCESS")
    return finalized.order_id!
  }

  it("reads an order captured at once (auto capture)", async () => {
    const kustom = client()
    const order = await kustom.orders.get(await finalizedOrder(kustom))
    expect(order).toMatchObject({ status: "CAPTURED", order_amount: 25_000, captured_amount: 25_000, remaining_authorized_amount: 0, purchase_currency: "SEK" })
    expect(order.captures).toHaveLength(1)
  })

  it("captures an authorized order in parts, with an idempotency key on each capture", async () => {
    pg.configure({ captureMode: "manual" })
    const kustom = client()
    const orderId = await finalizedOrder(kustom)
    expect((await kustom.orders.get(orderId)).status).toBe("AUTHORIZED")

    const first = await kustom.orders.capture(orderId, { captured_amount: 10_000, description: "first part" })
    expect(first.captureId).toEqual(expect.any(String))
    expect(first.capture).toMatchObject({ capture_id: first.captureId, captured_amount: 10_000, description: "first part" })
    expect(first.idempotencyKey).toMatch(UUID)
    expect(first.location).toContain(first.captureId)
    const [sent] = requestsTo("POST", `/ordermanagement/v1/orders/${orderId}/captures`)
    expect(sent.headers["klarna-idempotency-key"]).toBe(first.idempotencyKey)
    await expect(kustom.orders.get(orderId)).resolves.toMatchObject({ status: "PART_CAPTURED", captured_amount: 10_000 })

    const tooMuch = await failure<KustomIppApiError>(kustom.orders.capture(orderId, { captured_amount: 20_000 }))
    expect(tooMuch).toMatchObject({ status: 403, errorCode: "CAPTURE_NOT_ALLOWED", retryable: false, attempts: 1 })
    expect(tooMuch.correlationId).toMatch(UUID)
    expect(tooMuch.errorMessages[0]).toContain("remaining authorized amount")
    expect(tooMuch.message).toContain("CAPTURE_NOT_ALLOWED")

    const cancelRefused = await failure<KustomIppApiError>(kustom.orders.cancel(orderId))
    expect(cancelRefused).toMatchObject({ status: 403, errorCode: "CANCEL_NOT_ALLOWED" })
  })

  it("replays a capture with the same key instead of capturing twice", async () => {
    pg.configure({ captureMode: "manual" })
    const kustom = client()
    const orderId = await finalizedOrder(kustom)
    const first = await kustom.orders.capture(orderId, { captured_amount: 5_000 }, { idempotencyKey: "9b2f6d4e-1111-4a4a-8b8b-000000000001" })
    const replay = await kustom.orders.capture(orderId, { captured_amount: 5_000 }, { idempotencyKey: first.idempotencyKey })
    expect(replay.captureId).toBe(first.captureId)
    await expect(kustom.orders.get(orderId)).resolves.toMatchObject({ captured_amount: 5_000, captures: [expect.anything()] })

    const conflict = await failure<KustomIppApiError>(
      kustom.orders.capture(orderId, { captured_amount: 6_000 }, { idempotencyKey: first.idempotencyKey }),
    )
    expect(conflict).toMatchObject({ status: 409, errorCode: "IDEMPOTENCY_CONFLICT", attempts: 1 })
    expect(conflict.correlationId).toEqual(expect.any(String))
  })

  it("refunds with idempotency, never more than captured", async () => {
    const kustom = client()
    const orderId = await finalizedOrder(kustom)
    const refund = await kustom.orders.refund(orderId, { refunded_amount: 5_000, description: "broken mug", reference: "RMA-1" })
    expect(refund.refund).toMatchObject({ refund_id: refund.refundId, refunded_amount: 5_000, reference: "RMA-1" })
    const replay = await kustom.orders.refund(orderId, { refunded_amount: 5_000, description: "broken mug", reference: "RMA-1" }, { idempotencyKey: refund.idempotencyKey })
    expect(replay.refundId).toBe(refund.refundId)
    await expect(kustom.orders.get(orderId)).resolves.toMatchObject({ refunded_amount: 5_000, refunds: [expect.anything()] })

    const tooMuch = await failure<KustomIppApiError>(kustom.orders.refund(orderId, { refunded_amount: 25_000 }))
    expect(tooMuch).toMatchObject({ status: 403, errorCode: "REFUND_NOT_ALLOWED" })
    expect(tooMuch.correlationId).toEqual(expect.any(String))
  })

  it("cancels an order with nothing captured", async () => {
    pg.configure({ captureMode: "manual" })
    const kustom = client()
    const orderId = await finalizedOrder(kustom)
    const result = await kustom.orders.cancel(orderId, { idempotencyKey: "cancel-key-1" })
    expect(result).toEqual({ idempotencyKey: "cancel-key-1" })
    expect(requestsTo("POST", `/ordermanagement/v1/orders/${orderId}/cancel`)[0].headers["klarna-idempotency-key"]).toBe("cancel-key-1")
    await expect(kustom.orders.get(orderId)).resolves.toMatchObject({ status: "CANCELLED", remaining_authorized_amount: 0 })
    const capture = await failure<KustomIppApiError>(kustom.orders.capture(orderId, { captured_amount: 1 }))
    expect(capture).toMatchObject({ status: 403, errorCode: "CAPTURE_NOT_ALLOWED" })
  })

  it("answers an unknown order in the Checkout error shape", async () => {
    const error = await failure<KustomIppApiError>(client().orders.get("no-such-order"))
    expect(error).toMatchObject({ status: 404, errorCode: expect.any(String), correlationId: expect.any(String) })
    expect(error.title).toBeUndefined()
  })
})

describe("retries", () => {
  let device: Device

  beforeEach(async () => {
    device = await client().playground.createDevice({ name: "Till", location_id: storeA, metadata: { till: "1" } })
  })

  it.each([500, 502, 503, 504, 408, 429])("retries a GET answered %i", async (status) => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/devices/*", status, times: 2 })
    await expect(client().devices.get(device.id)).resolves.toMatchObject({ id: device.id })
    expect(requestsTo("GET", `/ipp/v1/devices/${device.id}`).map((r) => r.status)).toEqual([status, status, 200])
  })

  it("gives up after maxRetries with the last error, still marked retryable", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 503 })
    const error = await failure<KustomIppApiError>(client({ retry: { maxRetries: 2, baseDelayMs: 1 } }).locations.list())
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true })
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(3)
  })

  it.each([400, 401, 403, 404, 409, 422])("does not retry a %i", async (status) => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status, times: 1 })
    const error = await failure<KustomIppApiError>(client().locations.list())
    expect(error).toMatchObject({ status, attempts: 1, retryable: false })
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(1)
  })

  it("honours Retry-After on a 429", async () => {
    const waits: number[] = []
    const sleep = (ms: number) => {
      waits.push(ms)
      return delay(ms)
    }
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 429, retryAfterSeconds: 1, times: 1 })
    const started = Date.now()
    await client({ sleep }).locations.list()
    expect(waits).toEqual([1_000])
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(2)
  })

  it("does not wait longer than maxDelayMs: a longer Retry-After is returned to the caller", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 429, retryAfterSeconds: 30, times: 1 })
    const error = await failure<KustomIppApiError>(client({ retry: { maxDelayMs: 500 } }).locations.list())
    expect(error).toMatchObject({ status: 429, retryAfterMs: 30_000, retryable: true, attempts: 1 })
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(1)
  })

  it("uses exponential backoff with full jitter between attempts", async () => {
    const waits: number[] = []
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 500, times: 3 })
    await client({
      retry: { maxRetries: 3, baseDelayMs: 40, maxDelayMs: 100 },
      random: () => 0.5,
      sleep: (ms) => {
        waits.push(ms)
        return delay(ms)
      },
    }).locations.list()
    expect(waits).toEqual([20, 40, 50])
  })

  it("retries a GET that answers later than the timeout", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/devices/*", latencyMs: 1_000, times: 1 })
    const kustom = client({ timeoutMs: 200 })
    await expect(kustom.devices.get(device.id)).resolves.toMatchObject({ id: device.id })
    const lines = logLines.filter((l) => l.includes(`GET /ipp/v1/devices/${device.id}`))
    expect(lines.some((l) => l.startsWith("warn") && l.includes("timeout after 200 ms") && l.includes("retrying"))).toBe(true)
  })

  it("takes a per-call timeout, and checks it", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", latencyMs: 500, times: 1 })
    const kustom = client({ timeoutMs: 5_000, retry: { maxRetries: 0 } })
    expect(await failure(kustom.locations.list({}, { timeoutMs: 100 }))).toMatchObject({ kind: "timeout", timeoutMs: 100 })
    await expect(kustom.locations.list({}, { timeoutMs: 0 })).rejects.toBeInstanceOf(KustomIppInvalidRequestError)
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(1)
  })

  it("throws a timeout error once every attempt timed out", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", latencyMs: 600 })
    const error = await failure(client({ timeoutMs: 100, retry: { maxRetries: 1, baseDelayMs: 1 } }).locations.list())
    expect(error).toBeInstanceOf(KustomIppTimeoutError)
    expect(error).toMatchObject({ kind: "timeout", timeoutMs: 100, attempts: 2, retryable: true })
  })

  it("retries a PUT whose connection was dropped", async () => {
    pg.injectFault({ method: "PUT", path: `/ipp/v1/devices/${device.id}`, dropConnection: true, times: 1 })
    await expect(client().devices.update(device.id, { name: "Renamed" })).resolves.toMatchObject({ name: "Renamed", metadata: { till: "1", simulated: true } })
    expect(requestsTo("PUT", `/ipp/v1/devices/${device.id}`)).toHaveLength(2)
  })

  it("retries a DELETE; a 404 after a lost first answer counts as done", async () => {
    pg.injectFault({ method: "DELETE", path: `/ipp/v1/devices/${device.id}`, dropConnection: true, when: "after", times: 1 })
    await expect(client().devices.delete(device.id)).resolves.toBeUndefined()
    expect(requestsTo("DELETE", `/ipp/v1/devices/${device.id}`).map((r) => r.status)).toEqual([null, 404])
  })

  it("retries a session cancel whose answer was lost and returns the cancelled session", async () => {
    const kustom = client()
    const session = await kustom.sessions.create(basket(device.id))
    pg.injectFault({ method: "PUT", path: `/ipp/v1/sessions/${session.session_id}/cancel`, status: 502, when: "after", times: 1 })
    await expect(kustom.sessions.cancel(session.session_id)).resolves.toMatchObject({ status: "CANCELLED" })
  })

  it("retries an Order Management POST with the same idempotency key, capturing once", async () => {
    pg.configure({ captureMode: "manual" })
    const kustom = client({ timeoutMs: 300 })
    const session = await kustom.sessions.create(basket(device.id))
    const orderId = (await kustom.playground.simulateTap(session.session_id)).order_id!
    const path = `/ordermanagement/v1/orders/${orderId}/captures`
    pg.injectFault({ method: "POST", path, dropConnection: true, when: "after", times: 1 })
    pg.injectFault({ method: "POST", path, latencyMs: 1_000, when: "after", times: 1 })
    pg.injectFault({ method: "POST", path, status: 503, times: 1 })

    const capture = await kustom.orders.capture(orderId, { captured_amount: 25_000 })
    const attempts = requestsTo("POST", path)
    expect(attempts).toHaveLength(4)
    expect(new Set(attempts.map((r) => r.headers["klarna-idempotency-key"]))).toEqual(new Set([capture.idempotencyKey]))
    const order = await kustom.orders.get(orderId)
    expect(order).toMatchObject({ status: "CAPTURED", captured_amount: 25_000 })
    expect(order.captures).toEqual([expect.objectContaining({ capture_id: capture.captureId })])
  })

  it("retries refunds and cancels too", async () => {
    const kustom = client()
    const session = await kustom.sessions.create(basket(device.id))
    const orderId = (await kustom.playground.simulateTap(session.session_id)).order_id!
    pg.injectFault({ method: "POST", path: `/ordermanagement/v1/orders/${orderId}/refunds`, status: 500, when: "after", times: 1 })
    await kustom.orders.refund(orderId, { refunded_amount: 1_000 })
    await expect(kustom.orders.get(orderId)).resolves.toMatchObject({ refunded_amount: 1_000 })
    expect(requestsTo("POST", `/ordermanagement/v1/orders/${orderId}/refunds`)).toHaveLength(2)
  })

  describe("never for a session create", () => {
    it("times out once when the session was created but the answer is late", async () => {
      pg.injectFault({ method: "POST", path: "/ipp/v1/sessions", latencyMs: 800, when: "after", times: 1 })
      const error = await failure(client({ timeoutMs: 200 }).sessions.create(basket(device.id)))
      expect(error).toBeInstanceOf(KustomIppTimeoutError)
      expect(error).toMatchObject({ kind: "timeout", retryable: false, attempts: 1, method: "POST", path: "/ipp/v1/sessions" })
      await delay(900)
      expect(requestsTo("POST", "/ipp/v1/sessions")).toHaveLength(1)
      expect(pg.events().filter((e) => e.type === "ipp.session.created")).toHaveLength(1)
    })

    it("fails once with a network error when the connection drops after the create", async () => {
      pg.injectFault({ method: "POST", path: "/ipp/v1/sessions", dropConnection: true, when: "after", times: 1 })
      const error = await failure(client().sessions.create(basket(device.id)))
      expect(error).toBeInstanceOf(KustomIppNetworkError)
      expect(error).toMatchObject({ kind: "network", retryable: false, attempts: 1 })
      await delay(100)
      expect(requestsTo("POST", "/ipp/v1/sessions")).toHaveLength(1)
    })

    it("does not retry a 503 or a 429 either", async () => {
      pg.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 503, times: 1 })
      expect(await failure(client().sessions.create(basket(device.id)))).toMatchObject({ status: 503, retryable: false, attempts: 1 })
      pg.injectFault({ method: "POST", path: "/ipp/v1/sessions", status: 429, retryAfterSeconds: 0, times: 1 })
      expect(await failure(client().sessions.create(basket(device.id)))).toMatchObject({ status: 429, attempts: 1 })
      expect(requestsTo("POST", "/ipp/v1/sessions")).toHaveLength(2)
    })
  })

  it("does not retry enrollment creates or playground helpers", async () => {
    pg.injectFault({ method: "POST", path: "/ipp/v1/enrollments", status: 503, times: 1 })
    pg.injectFault({ method: "POST", path: "/ipp/v1/dev/*", status: 503, times: 2 })
    const kustom = client()
    expect(await failure(kustom.enrollments.create({ location_id: storeA }))).toMatchObject({ status: 503, attempts: 1 })
    expect(await failure(kustom.playground.createDevice({ name: "x" }))).toMatchObject({ status: 503, attempts: 1 })
    expect(await failure(kustom.playground.simulateTap("s"))).toMatchObject({ status: 503, attempts: 1 })
    expect(requestsTo("POST", "/ipp/v1/enrollments")).toHaveLength(1)
    expect(requestsTo("POST", "/ipp/v1/dev/devices").filter((r) => r.status === 503)).toHaveLength(1)
    expect(requestsTo("POST", "/ipp/v1/dev/sessions/s/simulate-tap")).toHaveLength(1)
  })
})

describe("unexpected responses", () => {
  it("names the bad field of a 2xx body that does not match the API", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/devices", status: 200, body: { content: [{ id: 42, name: "x" }] }, times: 1 })
    const error = await failure<KustomIppUnexpectedResponseError>(client().devices.list())
    expect(error).toBeInstanceOf(KustomIppUnexpectedResponseError)
    expect(error).toMatchObject({ kind: "unexpected_response", status: 200, retryable: false })
    const paths = error.issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(["content[0].id", "content[0].platform", "total_elements"]))
    expect(error.message).toContain("content[0].id")
  })

  it("reports a 2xx that is not JSON at the root", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 200, body: "<html>maintenance</html>", times: 1 })
    const error = await failure<KustomIppUnexpectedResponseError>(client().locations.list())
    expect(error.issues).toEqual([{ path: "(root)", message: "the body is not JSON" }])
  })

  it("keeps an excerpt of a proxy's text error page, and retries a GET on it", async () => {
    const page = "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 502, body: page })
    const error = await failure<KustomIppApiError>(client({ retry: { maxRetries: 2, baseDelayMs: 1 } }).locations.list())
    expect(error).toMatchObject({ kind: "api", status: 502, attempts: 3, retryable: true, fieldErrors: {}, body: page })
    expect(error.detail).toBe("<html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>")
    expect(requestsTo("GET", "/ipp/v1/locations")).toHaveLength(3)
  })

  it("keeps unknown fields of a valid body", async () => {
    const kustom = client()
    const location = await kustom.locations.get((await kustom.locations.list()).content[0].id)
    pg.injectFault({ method: "GET", path: `/ipp/v1/locations/${location.id}`, status: 200, body: { ...location, timezone: "Europe/Stockholm" }, times: 1 })
    await expect(kustom.locations.get(location.id)).resolves.toMatchObject({ timezone: "Europe/Stockholm" })
  })
})

describe("the API key never leaks", () => {
  it("is scrubbed from an error body that echoes it", async () => {
    pg.injectFault({
      method: "GET",
      path: "/ipp/v1/locations",
      status: 400,
      body: { title: "Bad key", detail: `Key Basic ${API_KEY} is not valid`, errors: { authorization: `Basic ${API_KEY}` } },
      times: 1,
    })
    const error = await failure<KustomIppApiError>(client().locations.list())
    expect(error.detail).toBe("Key Basic [REDACTED] is not valid")
    expect(error.fieldErrors.authorization).toBe("Basic [REDACTED]")
  })

  it("logs one line per attempt with method, path, status and duration, and no headers", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 503, times: 1 })
    const before = logLines.length
    await client().locations.list()
    const lines = logLines.slice(before)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^warn Kustom IPP GET \/ipp\/v1\/locations -> 503 in \d+ ms \(attempt 1\/4\); retrying in \d+ ms$/)
    expect(lines[1]).toMatch(/^debug Kustom IPP GET \/ipp\/v1\/locations -> 200 in \d+ ms \(attempt 2\/4\)$/)
  })

  it("does not count attempts on an answer that is final at once (no retry follows a 404)", async () => {
    pg.injectFault({ method: "GET", path: "/ipp/v1/locations", status: 404, times: 1 })
    const before = logLines.length
    await failure<KustomIppApiError>(client().locations.list())
    expect(logLines.slice(before)).toEqual([expect.stringMatching(/^warn Kustom IPP GET \/ipp\/v1\/locations -> 404 in \d+ ms$/)])
  })
})

describe("webhooks from the playground", () => {
  it("verifies the real lifecycle callbacks, signed with both secrets during a rotation", async () => {
    const kustom = client()
    const device = await kustom.playground.createDevice({ name: "Till", location_id: storeA })
    const session = await kustom.sessions.create(basket(device.id))
    await kustom.playground.simulateTap(session.session_id, "INSUFFICIENT_FUNDS")
    await kustom.playground.simulateTap(session.session_id, "SUCCESS")
    await pg.waitForDeliveries(
      (deliveries) => deliveries.filter((d) => d.session_id === session.session_id && d.status === 204).length >= 4,
      5_000,
    )
    const mine = receiver.received.filter((r) => r.rawBody.toString("utf8").includes(session.session_id))
    expect(mine.length).toBeGreaterThanOrEqual(4)

    const types: string[] = []
    for (const callback of mine) {
      expect(String(callback.headers["webhook-signature"]).split(" ")).toHaveLength(2)
      for (const secrets of [[SECRET_OLD], [SECRET_NEW], [SECRET_OLD, SECRET_NEW]]) {
        const result = verifyKustomWebhook({ rawBody: callback.rawBody, headers: callback.headers, secrets })
        expect(result).toMatchObject({ ok: true, known: true, webhookId: callback.headers["webhook-id"] })
      }
      const result = verifyKustomWebhook({ rawBody: callback.rawBody, headers: callback.headers, secrets: [SECRET_OLD] })
      if (!result.ok || !result.known) throw new Error("expected a verified known event")
      expect(result.event.data.session_id).toBe(session.session_id)
      expect(result.event.merchant_id).toBe(MERCHANT_ID)
      types.push(result.event.type)
      if (result.event.type === "ipp.payment.failed") expect(result.event.data.failure_reason).toBe("INSUFFICIENT_FUNDS")
      if (result.event.type === "ipp.session.finalized") expect(result.event.data.order_id).toEqual(expect.any(String))

      const wrong = verifyKustomWebhook({
        rawBody: callback.rawBody,
        headers: callback.headers,
        secrets: ["whsec_dGhpcyBpcyBub3QgdGhlIHJpZ2h0IHNlY3JldCE="],
      })
      expect(wrong).toMatchObject({ ok: false, reason: "invalid_signature" })
      const tampered = Buffer.from(callback.rawBody)
      tampered[tampered.length - 2] ^= 1
      expect(verifyKustomWebhook({ rawBody: tampered, headers: callback.headers, secrets: [SECRET_NEW] }).ok).toBe(false)
    }
    expect(types).toEqual(expect.arrayContaining(["ipp.session.created", "ipp.session.activated", "ipp.payment.failed", "ipp.session.finalized"]))
  })
})
