/**
 * Response schemas. Objects are loose (unknown fields pass through, so a new field Kustom
 * adds never breaks parsing); fields the API page documents are required, everything the
 * emulator adds or the documentation is silent about is optional. Amounts are integers in
 * minor units of `purchase_currency`.
 */
import { z } from "zod"
import { UNPAIRED_SURROGATE } from "../text"

const minorUnits = z.number().int()
const isoDateTime = z.string()
// Missing or null metadata reads as {} so callers (and device updates) never see null.
const metadata = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((value) => value ?? {})

export type Metadata = Record<string, unknown>

/** A zod issue path as it reads in the API docs: `["content", 0, "id"]` → `content[0].id`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out || "(root)"
}

/* ---------- paging ---------- */

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    content: z.array(item),
    total_elements: z.number().int(),
    total_pages: z.number().int(),
    page_number: z.number().int(),
    page_size: z.number().int(),
    first: z.boolean(),
    last: z.boolean(),
  })

export interface Page<T> {
  content: T[]
  total_elements: number
  total_pages: number
  page_number: number
  page_size: number
  first: boolean
  last: boolean
  [key: string]: unknown
}

/* ---------- enrollments ---------- */

export const ENROLLMENT_STATUSES = ["PENDING", "CONSUMED", "EXPIRED", "CANCELLED"] as const
export const enrollmentStatusSchema = z.enum(ENROLLMENT_STATUSES)
export type EnrollmentStatus = z.infer<typeof enrollmentStatusSchema>

export const enrollmentSchema = z.looseObject({
  enrollment_id: z.string(),
  enrollment_code: z.string(),
  expires_at: isoDateTime,
  status: enrollmentStatusSchema,
  metadata,
  location_id: z.string().nullish(),
})
export type Enrollment = z.output<typeof enrollmentSchema>

export const enrollmentPageSchema = pageSchema(enrollmentSchema)

/* ---------- locations ---------- */

export const locationSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  city: z.string().nullish(),
})
export type Location = z.output<typeof locationSchema>

export const locationPageSchema = pageSchema(locationSchema)

/* ---------- devices ---------- */

export const DEVICE_PLATFORMS = ["IOS", "ANDROID"] as const
export const devicePlatformSchema = z.enum(DEVICE_PLATFORMS)
export type DevicePlatform = z.infer<typeof devicePlatformSchema>

export const deviceSchema = z.looseObject({
  id: z.string(),
  hardware_id: z.string(),
  merchant_id: z.string(),
  location_id: z.string().nullish(),
  name: z.string(),
  platform: devicePlatformSchema,
  metadata,
  created_at: isoDateTime,
  /** Emulator only: the virtual device's last contact. Never required. */
  last_seen_at: isoDateTime.nullish(),
  /** Only at registration (and from the playground's device helper). */
  credentials: z.looseObject({ device_token: z.string().optional() }).nullish(),
})
export type Device = z.output<typeof deviceSchema>

export const devicePageSchema = pageSchema(deviceSchema)

/* ---------- sessions ---------- */

export const ORDER_ITEM_TYPES = ["physical", "discount", "digital", "shipping_fee", "surcharge"] as const
export const orderItemTypeSchema = z.enum(ORDER_ITEM_TYPES)
export type OrderItemType = z.infer<typeof orderItemTypeSchema>

export const sessionOrderItemSchema = z.looseObject({
  type: orderItemTypeSchema.optional(),
  reference: z.string().nullish(),
  name: z.string(),
  quantity: z.number().int(),
  unit_price: minorUnits,
  total_amount: minorUnits,
  total_discount_amount: minorUnits.optional(),
  /** Basis points: 2500 = 25 %. */
  tax_rate: z.number().int(),
  total_tax_amount: minorUnits,
})
export type SessionOrderItem = z.output<typeof sessionOrderItemSchema>

export const SESSION_STATUSES = ["CREATED", "ACTIVE", "FINALIZED", "CANCELLED", "EXPIRED", "FAILED"] as const
export const sessionStatusSchema = z.enum(SESSION_STATUSES)
export type SessionStatus = z.infer<typeof sessionStatusSchema>
export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = ["FINALIZED", "CANCELLED", "EXPIRED", "FAILED"]

export const sessionSchema = z.looseObject({
  session_id: z.string(),
  status: sessionStatusSchema,
  device_id: z.string(),
  /** Set once FINALIZED: the order in Order Management. */
  order_id: z.string().nullish(),
  order_amount: minorUnits,
  order_tax_amount: minorUnits,
  purchase_currency: z.string(),
  purchase_started_at: isoDateTime.nullish(),
  purchase_completed_at: isoDateTime.nullish(),
  merchant_reference1: z.string().nullish(),
  merchant_reference2: z.string().nullish(),
  merchant_data: z.string().nullish(),
  order_items: z.array(sessionOrderItemSchema),
  // Emulator only (or undocumented):
  location_id: z.string().nullish(),
  created_at: isoDateTime.nullish(),
  expires_at: isoDateTime.nullish(),
  failure_reason: z.string().nullish(),
})
export type Session = z.output<typeof sessionSchema>

/* ---------- Order Management ---------- */

// EXPIRED is not on Kustom's page but is a status of Klarna's Order Management API, which
// Kustom's is compatible with; accepting it costs nothing.
export const ORDER_STATUSES = ["AUTHORIZED", "PART_CAPTURED", "CAPTURED", "CANCELLED", "EXPIRED", "CLOSED"] as const
export const orderStatusSchema = z.enum(ORDER_STATUSES)
export type OrderStatus = z.infer<typeof orderStatusSchema>

export const captureSchema = z.looseObject({
  capture_id: z.string(),
  captured_amount: minorUnits,
  captured_at: isoDateTime.nullish(),
  description: z.string().nullish(),
})
export type Capture = z.output<typeof captureSchema>

export const refundSchema = z.looseObject({
  refund_id: z.string(),
  refunded_amount: minorUnits,
  refunded_at: isoDateTime.nullish(),
  description: z.string().nullish(),
  reference: z.string().nullish(),
})
export type Refund = z.output<typeof refundSchema>

export const orderSchema = z.looseObject({
  order_id: z.string(),
  status: orderStatusSchema,
  order_amount: minorUnits,
  captured_amount: minorUnits,
  refunded_amount: minorUnits,
  remaining_authorized_amount: minorUnits,
  purchase_currency: z.string(),
  captures: z.array(captureSchema),
  refunds: z.array(refundSchema),
})
export type Order = z.output<typeof orderSchema>

/* ---------- webhooks ---------- */

export const KUSTOM_WEBHOOK_EVENT_TYPES = [
  "ipp.session.created",
  "ipp.session.activated",
  "ipp.session.finalized",
  "ipp.session.cancelled",
  "ipp.payment.failed",
] as const
export type KustomWebhookEventType = (typeof KUSTOM_WEBHOOK_EVENT_TYPES)[number]

export function isKnownKustomWebhookEventType(type: string): type is KustomWebhookEventType {
  return (KUSTOM_WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)
}

/**
 * Identifiers in an event (ids, types): visible text without control characters, short enough
 * to be stored and indexed. PostgreSQL cannot store a NUL in text at all.
 */
export const webhookIdentifierSchema = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
  .refine((value) => !UNPAIRED_SURROGATE.test(value), "must not contain half of a character (an unpaired surrogate)")

/** Free text in an event (a decline reason): tabs and line breaks allowed, other control characters not. */
const webhookTextSchema = z
  .string()
  .max(1000)
  .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, "must not contain control characters")
  .refine((value) => !UNPAIRED_SURROGATE.test(value), "must not contain half of a character (an unpaired surrogate)")

const webhookEnvelope = {
  id: webhookIdentifierSchema,
  merchant_id: webhookIdentifierSchema.nullish(),
  timestamp: z.string().max(64),
}

export const kustomWebhookEventSchema = z.looseObject({
  ...webhookEnvelope,
  type: z.enum(KUSTOM_WEBHOOK_EVENT_TYPES),
  data: z.looseObject({
    session_id: webhookIdentifierSchema,
    order_id: webhookIdentifierSchema.nullish(),
    /** For `ipp.payment.failed`: the decline reason, e.g. `INSUFFICIENT_FUNDS`. */
    failure_reason: webhookTextSchema.nullish(),
  }),
})
export type KustomWebhookEvent = z.output<typeof kustomWebhookEventSchema>

/** An event type this client does not know yet: only the envelope is checked. */
export const unknownKustomWebhookEventSchema = z.looseObject({
  ...webhookEnvelope,
  type: webhookIdentifierSchema,
  data: z.record(z.string(), z.unknown()).nullish(),
})
export type UnknownKustomWebhookEvent = z.output<typeof unknownKustomWebhookEventSchema>
