/**
 * Every Kustom route the plugin calls, against every fault the playground injects: a 5xx before
 * Kustom acts and after it acted (the answer lost), a 429 with Retry-After, an answer later than
 * the timeout, and a connection dropped before and after. A route that can be retried safely
 * ends with its effect made exactly once; a route that must not be retried (a session create
 * would push a second payment to the phone) is tried once and fails with a typed error.
 */
import { type ApiFault, startPlayground } from "kustom-ipp-playground"
import { type CreateSessionInput, KustomIppClient, type KustomIppClientOptions, KustomIppError } from ".."

type Playground = Awaited<ReturnType<typeof startPlayground>>

const API_KEY = "kco_test_api_faults_spec_4c1d"
const MERCHANT_ID = "DM11917000"
const TIMEOUT_MS = 250
const RETRY_AFTER_SECONDS = 1

let pg: Playground
let storeA: string

function client(options: Partial<KustomIppClientOptions> = {}): KustomIppClient {
  return new KustomIppClient({
    apiKey: API_KEY,
    baseUrl: pg.url,
    merchantId: MERCHANT_ID,
    timeoutMs: TIMEOUT_MS,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 1_500 },
    ...options,
  })
}

function basket(deviceId: string): CreateSessionInput {
  return {
    device_id: deviceId,
    order_amount: 25_000,
    order_tax_amount: 5_000,
    purchase_currency: "SEK",
    merchant_reference1: "order_01",
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
  }
}

/** What one route needs: its fixture, the call, and what exactly one effect looks like. */
type Route = {
  name: string
  method: string
  /** Whether the client retries it; a route that is not retried is tried exactly once. */
  retried: boolean
  prepare(kustom: KustomIppClient): Promise<Record<string, string>>
  path(fixture: Record<string, string>): string
  call(kustom: KustomIppClient, fixture: Record<string, string>): Promise<unknown>
  /** After a successful call: its result and Kustom's state show the effect exactly once. */
  verify(kustom: KustomIppClient, fixture: Record<string, string>, result: unknown): Promise<void>
  /** For a route that is not retried: how many of its effects exist (0 or 1, never 2). */
  effects?(kustom: KustomIppClient, fixture: Record<string, string>): Promise<number>
}

const device = (kustom: KustomIppClient) => kustom.playground.createDevice({ name: "Till", location_id: storeA, metadata: { till: "1" } })

async function openSession(kustom: KustomIppClient) {
  const till = await device(kustom)
  const session = await kustom.sessions.create(basket(till.id))
  return { deviceId: till.id, sessionId: session.session_id }
}

async function paidOrder(kustom: KustomIppClient, captureMode: "auto" | "manual") {
  pg.configure({ captureMode })
  const { deviceId, sessionId } = await openSession(kustom)
  const orderId = (await kustom.playground.simulateTap(sessionId)).order_id as string
  return { deviceId, sessionId, orderId }
}

const ROUTES: Route[] = [
  {
    name: "list locations",
    method: "GET",
    retried: true,
    prepare: async () => ({}),
    path: () => "/ipp/v1/locations",
    call: (kustom) => kustom.locations.list(),
    verify: async (_kustom, _fixture, result) => expect((result as { content: unknown[] }).content).toHaveLength(2),
  },
  {
    name: "get a location",
    method: "GET",
    retried: true,
    prepare: async () => ({ locationId: storeA }),
    path: (f) => `/ipp/v1/locations/${f.locationId}`,
    call: (kustom, f) => kustom.locations.get(f.locationId),
    verify: async (_kustom, f, result) => expect(result).toMatchObject({ id: f.locationId }),
  },
  {
    name: "list devices",
    method: "GET",
    retried: true,
    prepare: async (kustom) => ({ deviceId: (await device(kustom)).id }),
    path: () => "/ipp/v1/devices",
    call: (kustom) => kustom.devices.list(),
    verify: async (_kustom, f, result) =>
      expect((result as { content: { id: string }[] }).content.map((d) => d.id)).toContain(f.deviceId),
  },
  {
    name: "get a device",
    method: "GET",
    retried: true,
    prepare: async (kustom) => ({ deviceId: (await device(kustom)).id }),
    path: (f) => `/ipp/v1/devices/${f.deviceId}`,
    call: (kustom, f) => kustom.devices.get(f.deviceId),
    verify: async (_kustom, f, result) => expect(result).toMatchObject({ id: f.deviceId }),
  },
  {
    name: "rename a device",
    method: "PUT",
    retried: true,
    prepare: async (kustom) => ({ deviceId: (await device(kustom)).id }),
    path: (f) => `/ipp/v1/devices/${f.deviceId}`,
    call: (kustom, f) => kustom.devices.update(f.deviceId, { name: "Renamed" }),
    verify: async (kustom, f) =>
      expect(await kustom.devices.get(f.deviceId)).toMatchObject({ name: "Renamed", location_id: storeA, metadata: { till: "1" } }),
  },
  {
    name: "remove a device",
    method: "DELETE",
    retried: true,
    prepare: async (kustom) => ({ deviceId: (await device(kustom)).id }),
    path: (f) => `/ipp/v1/devices/${f.deviceId}`,
    call: (kustom, f) => kustom.devices.delete(f.deviceId),
    verify: async (kustom, f) => {
      const devices = await kustom.devices.list()
      expect(devices.content.map((d) => d.id)).not.toContain(f.deviceId)
    },
  },
  {
    name: "list enrollment codes",
    method: "GET",
    retried: true,
    prepare: async (kustom) => ({ enrollmentId: (await kustom.enrollments.create({ location_id: storeA })).enrollment_id }),
    path: () => "/ipp/v1/enrollments",
    call: (kustom) => kustom.enrollments.list(),
    verify: async (_kustom, f, result) =>
      expect((result as { content: { enrollment_id: string }[] }).content.map((e) => e.enrollment_id)).toContain(f.enrollmentId),
  },
  {
    name: "cancel an enrollment code",
    method: "DELETE",
    retried: true,
    prepare: async (kustom) => ({ enrollmentId: (await kustom.enrollments.create({ location_id: storeA })).enrollment_id }),
    path: (f) => `/ipp/v1/enrollments/${f.enrollmentId}`,
    call: (kustom, f) => kustom.enrollments.cancel(f.enrollmentId),
    verify: async (kustom, f) => {
      const codes = await kustom.enrollments.list({ include_consumed: true })
      expect(codes.content.find((e) => e.enrollment_id === f.enrollmentId)?.status ?? "CANCELLED").toBe("CANCELLED")
    },
  },
  {
    name: "get a session",
    method: "GET",
    retried: true,
    prepare: openSession,
    path: (f) => `/ipp/v1/sessions/${f.sessionId}`,
    call: (kustom, f) => kustom.sessions.get(f.sessionId),
    verify: async (_kustom, f, result) => expect(result).toMatchObject({ session_id: f.sessionId, status: "CREATED" }),
  },
  {
    name: "cancel a session",
    method: "PUT",
    retried: true,
    prepare: openSession,
    path: (f) => `/ipp/v1/sessions/${f.sessionId}/cancel`,
    call: (kustom, f) => kustom.sessions.cancel(f.sessionId),
    verify: async (kustom, f, result) => {
      expect(result).toMatchObject({ session_id: f.sessionId, status: "CANCELLED" })
      expect(pg.events().filter((e) => e.type === "ipp.session.cancelled" && e.data.session_id === f.sessionId)).toHaveLength(1)
    },
  },
  {
    name: "get an order",
    method: "GET",
    retried: true,
    prepare: (kustom) => paidOrder(kustom, "auto"),
    path: (f) => `/ordermanagement/v1/orders/${f.orderId}`,
    call: (kustom, f) => kustom.orders.get(f.orderId),
    verify: async (_kustom, f, result) => expect(result).toMatchObject({ order_id: f.orderId, status: "CAPTURED" }),
  },
  {
    name: "capture an order",
    method: "POST",
    retried: true,
    prepare: (kustom) => paidOrder(kustom, "manual"),
    path: (f) => `/ordermanagement/v1/orders/${f.orderId}/captures`,
    call: (kustom, f) => kustom.orders.capture(f.orderId, { captured_amount: 25_000 }),
    verify: async (kustom, f) => {
      const order = await kustom.orders.get(f.orderId)
      expect(order).toMatchObject({ status: "CAPTURED", captured_amount: 25_000 })
      expect(order.captures).toHaveLength(1)
    },
  },
  {
    name: "refund an order",
    method: "POST",
    retried: true,
    prepare: (kustom) => paidOrder(kustom, "auto"),
    path: (f) => `/ordermanagement/v1/orders/${f.orderId}/refunds`,
    call: (kustom, f) => kustom.orders.refund(f.orderId, { refunded_amount: 1_000 }),
    verify: async (kustom, f) => {
      const order = await kustom.orders.get(f.orderId)
      expect(order).toMatchObject({ refunded_amount: 1_000 })
      expect(order.refunds).toHaveLength(1)
    },
  },
  {
    name: "cancel an order",
    method: "POST",
    retried: true,
    prepare: (kustom) => paidOrder(kustom, "manual"),
    path: (f) => `/ordermanagement/v1/orders/${f.orderId}/cancel`,
    call: (kustom, f) => kustom.orders.cancel(f.orderId),
    verify: async (kustom, f) => expect(await kustom.orders.get(f.orderId)).toMatchObject({ status: "CANCELLED", captured_amount: 0 }),
  },
  {
    name: "create a session",
    method: "POST",
    retried: false,
    prepare: async (kustom) => ({ deviceId: (await device(kustom)).id }),
    path: () => "/ipp/v1/sessions",
    call: (kustom, f) => kustom.sessions.create(basket(f.deviceId)),
    verify: async (_kustom, f, result) => expect(result).toMatchObject({ device_id: f.deviceId, status: "CREATED" }),
    effects: async () => pg.events().filter((e) => e.type === "ipp.session.created").length,
  },
  {
    name: "create an enrollment code",
    method: "POST",
    retried: false,
    prepare: async () => ({}),
    path: () => "/ipp/v1/enrollments",
    call: (kustom) => kustom.enrollments.create({ location_id: storeA }),
    verify: async (_kustom, _f, result) => expect(result).toMatchObject({ status: "PENDING" }),
    effects: async (kustom) => (await kustom.enrollments.list()).content.length,
  },
]

type Fault = {
  name: string
  fault: Omit<ApiFault, "method" | "path">
  /** Whether Kustom made the effect before the fault hid its answer. */
  acted: boolean
}

const FAULTS: Fault[] = [
  { name: "a 503 before Kustom acts", fault: { status: 503, when: "before" }, acted: false },
  { name: "a 502 after Kustom acted (the answer is lost)", fault: { status: 502, when: "after" }, acted: true },
  { name: `a 429 with Retry-After: ${RETRY_AFTER_SECONDS}`, fault: { status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, when: "before" }, acted: false },
  { name: "an answer later than the timeout", fault: { latencyMs: TIMEOUT_MS + 400, when: "after" }, acted: true },
  { name: "a connection dropped before Kustom acts", fault: { dropConnection: true, when: "before" }, acted: false },
  { name: "a connection dropped after Kustom acted", fault: { dropConnection: true, when: "after" }, acted: true },
]

const CASES = ROUTES.flatMap((route) => FAULTS.map((fault) => ({ route, fault, title: `${route.name}: ${fault.name}` })))

beforeAll(async () => {
  pg = await startPlayground({
    apiKey: API_KEY,
    port: 0,
    merchantId: MERCHANT_ID,
    locations: [
      { name: "Store A", city: "Stockholm" },
      { name: "Store B", city: "Göteborg" },
    ],
  })
  storeA = (await client().locations.list()).content.find((l) => l.name === "Store A")!.id
})

beforeEach(() => {
  pg.clearFaults()
  pg.reset()
  pg.configure({ captureMode: "auto" })
})

afterAll(async () => {
  await pg?.stop()
})

describe.each(CASES)("$title", ({ route, fault }) => {
  it(route.retried ? "is retried and takes effect exactly once" : "is tried once and fails with a typed error, never doubled", async () => {
    const setup = client()
    const fixture = await route.prepare(setup)
    const path = route.path(fixture)
    const waits: number[] = []
    // Waits are recorded, not slept: Retry-After is checked without slowing the suite.
    const kustom = client({ sleep: async (ms) => void waits.push(ms) })
    const before = pg.requests().filter((r) => r.method === route.method && r.path === path).length
    pg.injectFault({ method: route.method, path, times: 1, ...fault.fault })

    const outcome = await route.call(kustom, fixture).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error })
    )
    // A late answer the client gave up on still arrives at the playground; let it land.
    if (fault.fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.fault.latencyMs! + 50))
    const attempts = pg.requests().filter((r) => r.method === route.method && r.path === path).length - before

    if (route.retried) {
      if (!outcome.ok) throw outcome.error
      expect(attempts).toBeGreaterThanOrEqual(2)
      await route.verify(setup, fixture, outcome.result)
      if (fault.fault.retryAfterSeconds) expect(waits).toContain(fault.fault.retryAfterSeconds * 1_000)
    } else {
      expect(outcome.ok).toBe(false)
      expect((outcome as { error: unknown }).error).toBeInstanceOf(KustomIppError)
      expect((outcome as { error: KustomIppError }).error).toMatchObject({ retryable: false, attempts: 1 })
      expect(attempts).toBe(1)
      expect(await route.effects!(setup, fixture)).toBe(fault.acted ? 1 : 0)
    }
  })
})
