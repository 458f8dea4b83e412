/**
 * The few behaviours the playground cannot produce: answers the real API may give but the
 * emulator does not (an HTTP-date Retry-After, an empty 201 capture), a caller's abort, and
 * a logger that throws. Everything else is tested over real HTTP in client.spec.ts.
 */
import { inspect } from "node:util"
import { type FetchLike, KustomIppClient, type KustomIppClientOptions } from ".."

const API_KEY = "kco_test_api_fake_fetch_secret_1234"

interface Call {
  url: string
  init: RequestInit
}

function fakeFetch(answers: Array<() => Response | Promise<Response>>): FetchLike & { calls: Call[] } {
  const calls: Call[] = []
  const fn = async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]
    return answer()
  }
  return Object.assign(fn, { calls })
}

function client(fetch: FetchLike, options: Partial<KustomIppClientOptions> = {}) {
  return new KustomIppClient({
    apiKey: API_KEY,
    baseUrl: "https://kustom.invalid",
    fetch,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 10_000 },
    ...options,
  })
}

const ORDER = {
  order_id: "ord-1",
  status: "CAPTURED",
  order_amount: 100,
  captured_amount: 100,
  refunded_amount: 0,
  remaining_authorized_amount: 0,
  purchase_currency: "SEK",
  captures: [],
  refunds: [],
}

describe("client against answers the playground does not give", () => {
  it("waits for an HTTP-date Retry-After", async () => {
    const waits: number[] = []
    const retryAt = new Date(Date.now() + 3_000).toUTCString()
    const fetch = fakeFetch([
      () => new Response("", { status: 429, headers: { "Retry-After": retryAt } }),
      () => Response.json(ORDER),
    ])
    const order = await client(fetch, { sleep: async (ms) => void waits.push(ms) }).orders.get("ord-1")
    expect(order.order_id).toBe("ord-1")
    expect(fetch.calls).toHaveLength(2)
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThan(1_000)
    expect(waits[0]).toBeLessThanOrEqual(3_000)
  })

  it("takes the capture id from the Capture-Id header of an empty 201", async () => {
    const fetch = fakeFetch([
      () => new Response(null, { status: 201, headers: { "Capture-Id": "cap-42", Location: "/x/captures/cap-42" } }),
    ])
    const result = await client(fetch).orders.capture("ord-1", { captured_amount: 100 }, { idempotencyKey: "k-1" })
    expect(result).toEqual({ captureId: "cap-42", idempotencyKey: "k-1", location: "/x/captures/cap-42" })
    expect(new Headers(fetch.calls[0].init.headers).get("klarna-idempotency-key")).toBe("k-1")
  })

  it("falls back to the Location header for a refund id", async () => {
    const fetch = fakeFetch([
      () => new Response("", { status: 201, headers: { Location: "https://k/ordermanagement/v1/orders/o/refunds/ref-7" } }),
    ])
    const result = await client(fetch).orders.refund("o", { refunded_amount: 5 })
    expect(result.refundId).toBe("ref-7")
    expect(result.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("reports a 201 that names no capture as an unexpected response", async () => {
    const fetch = fakeFetch([() => new Response(null, { status: 201 })])
    await expect(client(fetch).orders.capture("o", { captured_amount: 1 })).rejects.toMatchObject({
      kind: "unexpected_response",
      status: 201,
    })
  })

  it("stops at once when the caller aborts, without retrying", async () => {
    const controller = new AbortController()
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))
        setTimeout(() => controller.abort(), 10)
      })
    const calls = jest.fn(fetch)
    await expect(client(calls).orders.get("o", { signal: controller.signal })).rejects.toMatchObject({
      kind: "aborted",
      retryable: false,
    })
    expect(calls).toHaveBeenCalledTimes(1)
  })

  it("is not broken by a logger that throws", async () => {
    const fetch = fakeFetch([() => Response.json(ORDER)])
    const logger = {
      debug: () => {
        throw new Error("disk full")
      },
    }
    await expect(client(fetch, { logger }).orders.get("o")).resolves.toMatchObject({ order_id: "ord-1" })
  })

  it("wraps a failing fetch as a network error without leaking the key", async () => {
    const fetch: FetchLike = async (_url, init) => {
      const auth = new Headers(init.headers).get("authorization")
      throw Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error(`socket hang up while sending ${auth}`), { code: "ECONNRESET" }),
      })
    }
    const error = await client(fetch, { retry: { maxRetries: 0 } }).sessions.get("s").catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: "network", attempts: 1 })
    for (const text of [(error as Error).message, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain(API_KEY)
    }
    expect((error as Error).message).toContain("ECONNRESET")
  })
})
