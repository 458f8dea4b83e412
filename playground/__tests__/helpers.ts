/**
 * Test helpers: start a playground on a free port, talk to it over real HTTP, receive its
 * callbacks on a tiny local server, and follow a device's event stream.
 */
import { randomBytes } from "node:crypto"
import http from "node:http"
import type { AddressInfo } from "node:net"
import { startPlayground } from "../src"
import type { PlaygroundHandle, PlaygroundOptions } from "../src"

export const API_KEY = "kco_test_api_playground_tests"
export const AUTH = `Basic ${API_KEY}`

export const newSecret = (): string => `whsec_${randomBytes(24).toString("base64")}`

/** Every playground a test starts is stopped after it, even when the test fails. */
const running = new Set<PlaygroundHandle>()
const cleanups = new Set<() => Promise<void>>()

afterEach(async () => {
  await Promise.all([...running].map((p) => p.stop()))
  running.clear()
  await Promise.all([...cleanups].map((c) => c()))
  cleanups.clear()
  jest.restoreAllMocks()
})

export async function start(options: Partial<PlaygroundOptions> = {}): Promise<PlaygroundHandle> {
  const playground = await startPlayground({ apiKey: API_KEY, port: 0, ...options })
  running.add(playground)
  return playground
}

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
  text: string
}

export interface RequestOptions {
  headers?: Record<string, string>
  /** Sent as JSON unless a string (sent as-is). */
  body?: unknown
  /** Send no Authorization header. */
  noAuth?: boolean
}

export async function call<T = any>(
  playground: { url: string },
  method: string,
  path: string,
  options: RequestOptions = {}
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(options.noAuth ? {} : { authorization: AUTH }), ...options.headers }
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
    headers["content-type"] ??= "application/json"
  }
  const response = await fetch(`${playground.url}${path}`, { method, headers, body })
  const text = await response.text()
  let parsed: unknown = undefined
  try {
    parsed = text === "" ? undefined : JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text }
}

export async function simulatedDevice(playground: PlaygroundHandle, body: Record<string, unknown> = { name: "Till 1" }) {
  const res = await call(playground, "POST", "/ipp/v1/dev/devices", { body })
  expect(res.status).toBe(201)
  return res.body as { id: string; location_id: string | null; credentials: { device_token: string } }
}

/** A valid 2 × 125.00 SEK mug at 25 % VAT, as in Kustom's documentation. */
export function sessionBody(deviceId: string, overrides: Record<string, unknown> = {}) {
  return {
    device_id: deviceId,
    order_amount: 25000,
    order_tax_amount: 5000,
    purchase_currency: "SEK",
    purchase_started_at: "2026-11-27T12:00:00Z",
    merchant_reference1: "order_123",
    merchant_data: '{"cart":"cart_1"}',
    order_items: [
      {
        type: "physical",
        reference: "SKU-1",
        name: "Mug",
        quantity: 2,
        unit_price: 12500,
        total_amount: 25000,
        total_discount_amount: 0,
        tax_rate: 2500,
        total_tax_amount: 5000,
      },
    ],
    ...overrides,
  }
}

export async function createSession(playground: PlaygroundHandle, deviceId: string, overrides: Record<string, unknown> = {}) {
  const res = await call(playground, "POST", "/ipp/v1/sessions", { body: sessionBody(deviceId, overrides) })
  expect(res.status).toBe(200)
  return res.body as { session_id: string; status: string; order_id: string | null }
}

export async function tap(playground: PlaygroundHandle, sessionId: string, outcome?: string) {
  const query = outcome ? `?outcome=${outcome}` : ""
  return call(playground, "POST", `/ipp/v1/dev/sessions/${sessionId}/simulate-tap${query}`)
}

/** A finalized session and its order id. */
export async function finalizedOrder(playground: PlaygroundHandle): Promise<string> {
  const device = await simulatedDevice(playground)
  const session = await createSession(playground, device.id)
  const res = await tap(playground, session.session_id)
  expect(res.body.status).toBe("FINALIZED")
  return res.body.order_id as string
}

// ---------------------------------------------------------------------------------------------
// Callback receiver
// ---------------------------------------------------------------------------------------------

export interface ReceivedCallback {
  headers: Record<string, string>
  body: string
  json: { id: string; type: string; data: { session_id: string; order_id: string | null; failure_reason: string | null } }
}

/** What the receiver answers to the n-th (0-based) callback: a status, or "hang" (never answer). */
export type Responder = (callback: ReceivedCallback, index: number) => number | "hang" | Promise<number>

export interface Receiver {
  url: string
  received: ReceivedCallback[]
  respond(responder: Responder): void
  waitFor(predicate: (received: ReceivedCallback[]) => boolean, timeoutMs?: number): Promise<ReceivedCallback[]>
}

export async function startReceiver(responder: Responder = () => 200): Promise<Receiver> {
  const received: ReceivedCallback[] = []
  const waiters = new Set<() => void>()
  let respond = responder
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v
      const callback: ReceivedCallback = { headers, body, json: JSON.parse(body) }
      const index = received.push(callback) - 1
      for (const w of [...waiters]) w()
      const status = respond(callback, index)
      if (status === "hang") return
      void Promise.resolve(status).then((code) => {
        if (!res.destroyed) res.writeHead(code).end()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  cleanups.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  )
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    respond: (r) => {
      respond = r
    },
    waitFor: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return false
          waiters.delete(check)
          clearTimeout(timer)
          resolve([...received])
          return true
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`receiver: not satisfied within ${timeoutMs} ms; got ${received.map((r) => r.json.type).join(", ")}`))
        }, timeoutMs)
        if (!check()) waiters.add(check)
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// Server-sent events
// ---------------------------------------------------------------------------------------------

export interface SseMessage {
  event: string
  data: any
}

export interface SseClient {
  status: number
  contentType: string | null
  messages: SseMessage[]
  comments: string[]
  next(predicate: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>
  nextComment(timeoutMs?: number): Promise<string>
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  close(): void
}

export async function openEvents(playground: { url: string }, token: string): Promise<SseClient> {
  const controller = new AbortController()
  const response = await fetch(`${playground.url}/pos/v1/events?token=${encodeURIComponent(token)}`, {
    signal: controller.signal,
  })
  const messages: SseMessage[] = []
  const comments: string[] = []
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const l of [...listeners]) l()
  }
  let buffer = ""
  const ended = (async () => {
    if (!response.body) return
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let sep: number
        while ((sep = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, sep)
          buffer = buffer.slice(sep + 2)
          let event = "message"
          const data: string[] = []
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim())
            else if (line.startsWith("event: ")) event = line.slice(7)
            else if (line.startsWith("data: ")) data.push(line.slice(6))
          }
          if (data.length > 0) messages.push({ event, data: JSON.parse(data.join("\n")) })
          notify()
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  const client: SseClient = {
    status: response.status,
    contentType: response.headers.get("content-type"),
    messages,
    comments,
    ended,
    next: (predicate, timeoutMs = 5000) =>
      waitUntil(listeners, () => messages.find(predicate), timeoutMs, () => `SSE messages: ${JSON.stringify(messages)}`),
    nextComment: (timeoutMs = 5000) =>
      waitUntil(listeners, () => comments[0], timeoutMs, () => "no SSE comment"),
    close: () => controller.abort(),
  }
  cleanups.add(async () => {
    controller.abort()
    await ended
  })
  return client
}

function waitUntil<T>(listeners: Set<() => void>, find: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = find()
      if (found === undefined) return false
      listeners.delete(check)
      clearTimeout(timer)
      resolve(found)
      return true
    }
    const timer = setTimeout(() => {
      listeners.delete(check)
      reject(new Error(`not seen within ${timeoutMs} ms; ${describe()}`))
    }, timeoutMs)
    if (!check()) listeners.add(check)
  })
}

/** Move `Date.now()` forward (the playground's expiry checks read it), without waiting. */
export function advanceClock(ms: number): void {
  const realNow = Date.now.bind(Date)
  const offset = ms
  jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset)
}
