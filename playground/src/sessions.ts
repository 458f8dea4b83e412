/**
 * Payment sessions: creation with Kustom's validation rules, and the state machine
 *
 *   CREATED → ACTIVE → FINALIZED
 *   CREATED | ACTIVE → CANCELLED | EXPIRED | FAILED
 *
 * Every change goes through `sessionChanged`, which persists it, pushes it to the device's
 * event stream and, for a terminal status, stops the expiry timer and releases callbacks held
 * back by an out-of-order fault.
 */
import { z } from "zod"
import { type Core, nowIso } from "./core"
import { newId } from "./ids"
import { findLocation } from "./locations"
import { createOrderForSession } from "./order-management"
import { badRequest, conflict, describeFieldErrors, type FieldErrors, fieldError, notFound, parseOrThrow } from "./problems"
import { jsonObject, ok, type Route } from "./router"
import { OPEN_SESSION_STATUSES, type OrderItem, type Session } from "./types"
import { integer, nonEmptyString } from "./validation"

export const ITEM_TYPES = ["physical", "discount", "digital", "shipping_fee", "surcharge"] as const

export const DECLINE_OUTCOMES = [
  "DECLINED_GENERIC",
  "INSUFFICIENT_FUNDS",
  "LOST_CARD",
  "STOLEN_CARD",
  "EXPIRED_CARD",
  "INCORRECT_CVC",
  "PROCESSING_ERROR",
  "INCORRECT_NUMBER",
  "CARD_VELOCITY_EXCEEDED",
] as const
export const TAP_OUTCOMES = ["SUCCESS", ...DECLINE_OUTCOMES] as const
export type TapOutcome = (typeof TAP_OUTCOMES)[number]

/** Kustom's basis points: 10000 = 100 %. */
const BASIS = 10_000

const orderItemSchema = z.looseObject({
  type: z.enum(ITEM_TYPES).optional(),
  reference: z.string().max(255, { error: "must be at most 255 characters" }).optional(),
  name: nonEmptyString(),
  quantity: integer(1),
  unit_price: integer(),
  total_amount: integer(),
  total_discount_amount: integer(0).optional(),
  tax_rate: integer(0, BASIS),
  total_tax_amount: integer(),
})

const optionalText = (max: number) =>
  z.string().max(max, { error: `must be at most ${max} characters` }).nullable().optional()

const createSchema = z.object({
  device_id: nonEmptyString(),
  // A card payment of nothing is not possible; Kustom's amounts are positive.
  order_amount: integer(1),
  order_tax_amount: integer(),
  purchase_currency: z.string().regex(/^[A-Za-z]{3}$/, { error: "must be a 3-letter ISO 4217 currency code" }),
  purchase_started_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullable().optional(),
  merchant_reference1: optionalText(255),
  merchant_reference2: optionalText(255),
  merchant_data: optionalText(10_000),
  order_items: z
    .array(orderItemSchema)
    .min(1, { error: "must contain at least one item" })
    .max(1_000, { error: "must contain at most 1000 items" }),
})

type CreateInput = z.infer<typeof createSchema>

export const isOpen = (s: Session): boolean => OPEN_SESSION_STATUSES.includes(s.status)
const isPastExpiry = (s: Session): boolean => Date.parse(s.expires_at) <= Date.now()

/** The public shape (internal `ended_at` left out). */
export function toSessionView(s: Session) {
  const { ended_at: _ended, ...view } = s
  return { ...view, order_items: s.order_items.map((i) => ({ ...i })) }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Kustom's tax rule: the tax included in a gross amount at `taxRate` basis points. */
export function expectedTax(totalAmount: number, taxRate: number): number {
  return totalAmount - Math.round((totalAmount * BASIS) / (BASIS + taxRate))
}

/** The line arithmetic Kustom enforces; every broken rule is reported under its field path. */
export function orderArithmeticErrors(input: CreateInput): FieldErrors {
  const errors: FieldErrors = {}
  let sum = 0
  let taxSum = 0
  input.order_items.forEach((item, i) => {
    const at = (field: string) => `order_items[${i}].${field}`
    const discount = item.total_discount_amount ?? 0
    if (item.type === "discount") {
      if (item.unit_price > 0) errors[at("unit_price")] = "must be negative for a discount line"
      if (item.total_amount > 0) errors[at("total_amount")] = "must be negative for a discount line"
    } else {
      if (item.unit_price < 0) errors[at("unit_price")] = "must not be negative (use a discount line for reductions)"
      if (item.total_amount < 0) errors[at("total_amount")] = "must not be negative (use a discount line for reductions)"
    }
    const expectedTotal = item.unit_price * item.quantity - discount
    if (expectedTotal !== item.total_amount && !errors[at("total_amount")]) {
      errors[at("total_amount")] =
        `must equal unit_price * quantity - total_discount_amount = ${item.unit_price} * ${item.quantity} - ${discount} = ${expectedTotal}`
    }
    const tax = expectedTax(item.total_amount, item.tax_rate)
    if (Math.abs(item.total_tax_amount - tax) > 1) {
      errors[at("total_tax_amount")] =
        `must be total_amount - round(total_amount * 10000 / (10000 + tax_rate)) = ${tax} (±1)`
    }
    sum += item.total_amount
    taxSum += item.total_tax_amount
  })
  if (sum !== input.order_amount) {
    errors.order_amount = `must equal the sum of order_items[].total_amount (${sum})`
  }
  if (taxSum !== input.order_tax_amount) {
    errors.order_tax_amount = `must equal the sum of order_items[].total_tax_amount (${taxSum})`
  }
  return errors
}

/** The target device must exist, and be in the location when both name one. */
function deviceErrors(core: Core, deviceId: string, locationId: string | undefined): FieldErrors {
  const errors: FieldErrors = {}
  if (locationId !== undefined && !findLocation(core, locationId)) errors.location_id = `unknown location ${locationId}`
  const device = core.store.devices.get(deviceId)
  if (!device) errors.device_id = "is not a registered device"
  else if (locationId !== undefined && device.location_id !== null && device.location_id !== locationId) {
    errors.device_id = `belongs to location ${device.location_id}, not ${locationId}`
  }
  return errors
}

// ---------------------------------------------------------------------------------------------
// State changes
// ---------------------------------------------------------------------------------------------

function sessionChanged(core: Core, session: Session): void {
  core.store.changed()
  if (!isOpen(session)) {
    core.expiryTimers.clear(core.expiry.get(session.session_id))
    core.expiry.delete(session.session_id)
    core.callbacks.sessionEnded(session.session_id)
  }
  core.hub.sessionChanged(session.device_id)
}

/** Expire at `expires_at` even when nobody reads the session (the device must see it go). */
export function armExpiry(core: Core, session: Session): void {
  core.expiryTimers.clear(core.expiry.get(session.session_id))
  const handle = core.expiryTimers.timeout(() => {
    core.expiry.delete(session.session_id)
    const current = core.store.sessions.get(session.session_id)
    if (current && isOpen(current)) expireSession(core, current)
  }, Date.parse(session.expires_at) - Date.now())
  if (handle) core.expiry.set(session.session_id, handle)
}

/** Reads check expiry too, so a session is never reported open past `expires_at`. */
function refreshExpiry(core: Core, session: Session): Session {
  if (isOpen(session) && isPastExpiry(session)) expireSession(core, session)
  return session
}

function end(session: Session, status: Session["status"]): void {
  session.status = status
  session.ended_at = nowIso()
}

/** EXPIRED has no callback in Kustom: only polling finds it. */
export function expireSession(core: Core, session: Session): Session {
  assertOpen(session, "expire")
  end(session, "EXPIRED")
  sessionChanged(core, session)
  return session
}

function assertOpen(session: Session, action: string): void {
  if (!isOpen(session)) {
    throw conflict(`Session ${session.session_id} is ${session.status}; it cannot ${action}`)
  }
}

export function getSession(core: Core, id: string): Session {
  const session = core.store.sessions.get(id)
  if (!session) throw notFound(`No session with id ${id}`)
  return refreshExpiry(core, session)
}

export function createSession(core: Core, body: unknown, locationId: string | undefined): Session {
  const input = parseOrThrow(createSchema, body)
  const errors = { ...deviceErrors(core, input.device_id, locationId), ...orderArithmeticErrors(input) }
  if (Object.keys(errors).length > 0) throw badRequest(`Invalid session: ${describeFieldErrors(errors)}`, errors)

  const device = core.store.devices.get(input.device_id)!
  const now = Date.now()
  const session: Session = {
    session_id: newId(),
    status: "CREATED",
    device_id: device.id,
    location_id: locationId ?? device.location_id,
    order_id: null,
    order_amount: input.order_amount,
    order_tax_amount: input.order_tax_amount,
    purchase_currency: input.purchase_currency.toUpperCase(),
    purchase_started_at: input.purchase_started_at ?? null,
    purchase_completed_at: null,
    merchant_reference1: input.merchant_reference1 ?? null,
    merchant_reference2: input.merchant_reference2 ?? null,
    merchant_data: input.merchant_data ?? null,
    order_items: input.order_items.map(
      (item): OrderItem => ({ ...item, type: item.type ?? "physical", total_discount_amount: item.total_discount_amount ?? 0 })
    ),
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + core.config.sessionLifetimeMs).toISOString(),
    failure_reason: null,
    ended_at: null,
  }
  core.store.sessions.set(session.session_id, session)
  armExpiry(core, session)
  sessionChanged(core, session) // the push to the device
  core.callbacks.publish("ipp.session.created", session)
  return session
}

/** The clerk picked a payment method: CREATED → ACTIVE (already ACTIVE: nothing to do). */
export function activateSession(core: Core, session: Session): Session {
  refreshExpiry(core, session)
  assertOpen(session, "be activated")
  if (session.status === "CREATED") {
    session.status = "ACTIVE"
    sessionChanged(core, session)
    core.callbacks.publish("ipp.session.activated", session)
  }
  return session
}

export function parseOutcome(raw: unknown): TapOutcome {
  if (raw === undefined || raw === null || raw === "") return "SUCCESS"
  const outcome = String(raw).toUpperCase()
  if (!(TAP_OUTCOMES as readonly string[]).includes(outcome)) {
    throw fieldError("outcome", `must be one of: ${TAP_OUTCOMES.join(", ")}`)
  }
  return outcome as TapOutcome
}

/**
 * A card tap. SUCCESS finalizes the session and creates its order; a decline leaves the session
 * ACTIVE (the clerk may try another card) and sends `ipp.payment.failed`.
 */
export function tapSession(core: Core, session: Session, outcome: TapOutcome): Session {
  refreshExpiry(core, session)
  assertOpen(session, "take a payment")
  activateSession(core, session)
  if (outcome === "SUCCESS") {
    const order = createOrderForSession(core, session)
    session.order_id = order.order_id
    session.purchase_completed_at = nowIso()
    session.failure_reason = null
    end(session, "FINALIZED")
    core.callbacks.publish("ipp.session.finalized", session)
    sessionChanged(core, session)
  } else {
    session.failure_reason = outcome
    sessionChanged(core, session)
    core.callbacks.publish("ipp.payment.failed", session, outcome)
  }
  return session
}

export function cancelSession(core: Core, session: Session): Session {
  refreshExpiry(core, session)
  if (session.status === "FINALIZED") {
    throw conflict(`Session ${session.session_id} is FINALIZED and cannot be cancelled; refund its order instead`)
  }
  assertOpen(session, "be cancelled")
  end(session, "CANCELLED")
  // The terminal event goes out before held-back (out-of-order) ones are released.
  core.callbacks.publish("ipp.session.cancelled", session)
  sessionChanged(core, session)
  return session
}

/**
 * Emulator only: make an open session FAILED (Kustom documents the status but no trigger).
 * `ipp.payment.failed` is the only failure event Kustom documents, so it is sent.
 */
export function failSession(core: Core, session: Session, reason: string): Session {
  refreshExpiry(core, session)
  assertOpen(session, "fail")
  session.failure_reason = reason
  end(session, "FAILED")
  core.callbacks.publish("ipp.payment.failed", session, reason)
  sessionChanged(core, session)
  return session
}

export function cancelOpenSessionsOfDevice(core: Core, deviceId: string): void {
  for (const session of core.store.sessions.values()) {
    if (session.device_id === deviceId && isOpen(session)) {
      refreshExpiry(core, session)
      if (isOpen(session)) cancelSession(core, session)
    }
  }
}

/** What the device shows: its newest open session, and its most recently finished one. */
export function deviceSessionState(core: Core, deviceId: string) {
  let open: Session | undefined
  let last: Session | undefined
  for (const s of core.store.sessions.values()) {
    if (s.device_id !== deviceId) continue
    if (isOpen(s)) {
      if (!isPastExpiry(s)) open = s
    } else if (!last || (s.ended_at ?? s.created_at) >= (last.ended_at ?? last.created_at)) {
      last = s
    }
  }
  return { session: open ? toSessionView(open) : null, last: last ? toSessionView(last) : null }
}

/** Re-arm expiry timers after loading a state file (and expire what expired while stopped). */
export function restoreSessionTimers(core: Core): void {
  for (const session of core.store.sessions.values()) {
    if (!isOpen(session)) continue
    if (isPastExpiry(session)) expireSession(core, session)
    else armExpiry(core, session)
  }
}

export function sessionRoutes(core: Core): Route[] {
  return [
    {
      method: "POST",
      pattern: "/ipp/v1/sessions",
      auth: "api",
      handler: (ctx) =>
        ok(toSessionView(createSession(core, jsonObject(ctx), ctx.query.get("location_id") ?? undefined))),
    },
    {
      method: "GET",
      pattern: "/ipp/v1/sessions/:id",
      auth: "api",
      handler: (ctx) => ok(toSessionView(getSession(core, ctx.params.id))),
    },
    {
      method: "PUT",
      pattern: "/ipp/v1/sessions/:id/cancel",
      auth: "api",
      handler: (ctx) => ok(toSessionView(cancelSession(core, getSession(core, ctx.params.id)))),
    },
    {
      method: "POST",
      pattern: "/ipp/v1/dev/sessions/:id/simulate-tap",
      auth: "api",
      handler: (ctx) => {
        const outcome = parseOutcome(ctx.query.get("outcome"))
        return ok(toSessionView(tapSession(core, getSession(core, ctx.params.id), outcome)))
      },
    },
  ]
}
