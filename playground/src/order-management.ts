/**
 * The Klarna-compatible Order Management API for orders of finalized sessions: read, capture,
 * refund, cancel, with `Klarna-Idempotency-Key` replay. Errors use the Checkout error shape
 * (the server renders them so for every `/ordermanagement` route).
 */
import { z } from "zod"
import { type Core, nowIso } from "./core"
import { newId } from "./ids"
import { HttpError, notFound, parseOrThrow, renderError } from "./problems"
import { jsonObject, noContent, ok, type Reply, type RequestContext, type Route } from "./router"
import type { Capture, IdempotencyRecord, Order, Refund, Session } from "./types"
import { integer } from "./validation"

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

const captureSchema = z.object({
  captured_amount: integer(1),
  description: z.string().max(255, { error: "must be at most 255 characters" }).nullable().optional(),
})

const refundSchema = z.object({
  refunded_amount: integer(1),
  description: z.string().max(255, { error: "must be at most 255 characters" }).nullable().optional(),
  reference: z.string().max(255, { error: "must be at most 255 characters" }).nullable().optional(),
})

const forbidden = (code: string, detail: string) => new HttpError({ status: 403, code, detail })

/** The public shape (internal `session_id`/`created_at` left out). */
export function toOrderView(o: Order) {
  return {
    order_id: o.order_id,
    status: o.status,
    order_amount: o.order_amount,
    captured_amount: o.captured_amount,
    refunded_amount: o.refunded_amount,
    remaining_authorized_amount: o.remaining_authorized_amount,
    purchase_currency: o.purchase_currency,
    captures: o.captures.map((c) => ({ ...c })),
    refunds: o.refunds.map((r) => ({ ...r })),
  }
}

function applyCapture(order: Order, amount: number, description: string | null): Capture {
  const capture: Capture = { capture_id: newId(), captured_amount: amount, captured_at: nowIso(), description }
  order.captures.push(capture)
  order.captured_amount += amount
  order.remaining_authorized_amount -= amount
  order.status = order.remaining_authorized_amount === 0 ? "CAPTURED" : "PART_CAPTURED"
  return capture
}

/** A finalized session's order: captured in full (`auto`) or only authorized (`manual`). */
export function createOrderForSession(core: Core, session: Session): Order {
  const order: Order = {
    order_id: newId(),
    status: "AUTHORIZED",
    order_amount: session.order_amount,
    captured_amount: 0,
    refunded_amount: 0,
    remaining_authorized_amount: session.order_amount,
    purchase_currency: session.purchase_currency,
    captures: [],
    refunds: [],
    session_id: session.session_id,
    created_at: nowIso(),
  }
  if (core.config.captureMode === "auto") applyCapture(order, order.order_amount, null)
  core.store.orders.set(order.order_id, order)
  core.store.changed()
  return order
}

export function getOrder(core: Core, id: string): Order {
  const order = core.store.orders.get(id)
  if (!order) throw notFound(`No order with id ${id}`, "NO_SUCH_ORDER")
  return order
}

export function captureOrder(core: Core, order: Order, body: unknown): Capture {
  const input = parseOrThrow(captureSchema, body)
  if (order.status === "CANCELLED" || order.status === "CLOSED") {
    throw forbidden("CAPTURE_NOT_ALLOWED", `Order ${order.order_id} is ${order.status}; it cannot be captured`)
  }
  if (input.captured_amount > order.remaining_authorized_amount) {
    throw forbidden(
      "CAPTURE_NOT_ALLOWED",
      `Captured amount ${input.captured_amount} is higher than the remaining authorized amount ${order.remaining_authorized_amount}`
    )
  }
  const capture = applyCapture(order, input.captured_amount, input.description ?? null)
  core.store.changed()
  return capture
}

export function refundOrder(core: Core, order: Order, body: unknown): Refund {
  const input = parseOrThrow(refundSchema, body)
  const refundable = order.captured_amount - order.refunded_amount
  if (input.refunded_amount > refundable) {
    throw forbidden(
      "REFUND_NOT_ALLOWED",
      `Refunded amount ${input.refunded_amount} is higher than the captured amount not yet refunded (${refundable})`
    )
  }
  const refund: Refund = {
    refund_id: newId(),
    refunded_amount: input.refunded_amount,
    refunded_at: nowIso(),
    description: input.description ?? null,
    reference: input.reference ?? null,
  }
  order.refunds.push(refund)
  order.refunded_amount += refund.refunded_amount
  core.store.changed()
  return refund
}

/** Only an order with nothing captured can be cancelled (cancelling it again is a no-op). */
export function cancelOrder(core: Core, order: Order): void {
  if (order.captured_amount > 0) {
    throw forbidden("CANCEL_NOT_ALLOWED", `Order ${order.order_id} has captures; refund it instead of cancelling`)
  }
  order.status = "CANCELLED"
  order.remaining_authorized_amount = 0
  core.store.changed()
}

// ---------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------

/** JSON with sorted keys, so the same body with other whitespace or key order is "the same". */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

function requestFingerprint(ctx: RequestContext): string {
  const text = ctx.rawBody.toString("utf8")
  let body: string
  try {
    body = text.trim() === "" ? "" : canonicalJson(JSON.parse(text))
  } catch {
    body = text
  }
  return `${ctx.method} ${ctx.path} ${body}`
}

function pruneIdempotency(core: Core): void {
  const cutoff = Date.now() - IDEMPOTENCY_TTL_MS
  for (const [key, record] of core.store.idempotency) {
    if (Date.parse(record.stored_at) < cutoff) core.store.idempotency.delete(key)
  }
}

/**
 * With a `Klarna-Idempotency-Key`, the first answer (success or refusal) is stored and replayed
 * for the same key and request; the same key with another request is a conflict.
 */
function idempotent(core: Core, ctx: RequestContext, run: () => Reply): Reply {
  const raw = ctx.headers["klarna-idempotency-key"]
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim()
  if (!key) return run()

  pruneIdempotency(core)
  const fingerprint = requestFingerprint(ctx)
  const existing = core.store.idempotency.get(key)
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      throw new HttpError({
        status: 409,
        code: "IDEMPOTENCY_CONFLICT",
        detail: `Klarna-Idempotency-Key ${key} was already used for a different request`,
      })
    }
    return { status: existing.status, headers: { ...existing.headers }, body: existing.body }
  }

  let reply: Reply
  try {
    reply = run()
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    const rendered = renderError(error, "order-management")
    reply = { status: rendered.status, headers: rendered.headers, body: rendered.body }
  }
  const record: IdempotencyRecord = {
    key,
    fingerprint,
    stored_at: nowIso(),
    status: reply.status,
    headers: { ...(reply.headers ?? {}) },
    body: reply.body ?? null,
  }
  core.store.idempotency.set(key, record)
  core.store.changed()
  return reply
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const ORDERS = "/ordermanagement/v1/orders"

export function orderManagementRoutes(core: Core): Route[] {
  const orderUrl = (id: string) => `${core.baseUrl}${ORDERS}/${id}`
  return [
    {
      method: "GET",
      pattern: `${ORDERS}/:order_id`,
      auth: "api",
      handler: (ctx) => ok(toOrderView(getOrder(core, ctx.params.order_id))),
    },
    {
      method: "POST",
      pattern: `${ORDERS}/:order_id/captures`,
      auth: "api",
      handler: (ctx) =>
        idempotent(core, ctx, () => {
          const order = getOrder(core, ctx.params.order_id)
          const capture = captureOrder(core, order, jsonObject(ctx))
          return ok(capture, 201, {
            "capture-id": capture.capture_id,
            location: `${orderUrl(order.order_id)}/captures/${capture.capture_id}`,
          })
        }),
    },
    {
      method: "GET",
      pattern: `${ORDERS}/:order_id/captures/:capture_id`,
      auth: "api",
      handler: (ctx) => {
        const capture = getOrder(core, ctx.params.order_id).captures.find((c) => c.capture_id === ctx.params.capture_id)
        if (!capture) throw notFound(`No capture with id ${ctx.params.capture_id}`, "NO_SUCH_CAPTURE")
        return ok(capture)
      },
    },
    {
      method: "POST",
      pattern: `${ORDERS}/:order_id/refunds`,
      auth: "api",
      handler: (ctx) =>
        idempotent(core, ctx, () => {
          const order = getOrder(core, ctx.params.order_id)
          const refund = refundOrder(core, order, jsonObject(ctx))
          return ok(refund, 201, {
            "refund-id": refund.refund_id,
            location: `${orderUrl(order.order_id)}/refunds/${refund.refund_id}`,
          })
        }),
    },
    {
      method: "GET",
      pattern: `${ORDERS}/:order_id/refunds/:refund_id`,
      auth: "api",
      handler: (ctx) => {
        const refund = getOrder(core, ctx.params.order_id).refunds.find((r) => r.refund_id === ctx.params.refund_id)
        if (!refund) throw notFound(`No refund with id ${ctx.params.refund_id}`, "NO_SUCH_REFUND")
        return ok(refund)
      },
    },
    {
      method: "POST",
      pattern: `${ORDERS}/:order_id/cancel`,
      auth: "api",
      handler: (ctx) =>
        idempotent(core, ctx, () => {
          cancelOrder(core, getOrder(core, ctx.params.order_id))
          return noContent()
        }),
    },
  ]
}
