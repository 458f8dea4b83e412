/** Request bodies and call options. Field names follow the API (snake_case); options are camelCase. */
import type { DevicePlatform, Metadata, OrderItemType } from "./schemas"

export interface RequestOptions {
  /** Aborts the call (and any pending retry). */
  signal?: AbortSignal
  /** Overrides the client's `timeoutMs` for this call, per attempt. */
  timeoutMs?: number
}

export interface IdempotentRequestOptions extends RequestOptions {
  /**
   * Sent as `Klarna-Idempotency-Key` (a UUID; Kustom keeps it 24 h). Generated when omitted.
   * Persist it and pass it again to repeat the same operation safely later.
   */
  idempotencyKey?: string
}

export interface PageParams {
  /** 0-based. */
  page_number?: number
  /** 1–100. */
  page_size?: number
}

/* ---------- enrollments ---------- */

export interface CreateEnrollmentInput {
  metadata?: Metadata
  /** Milliseconds; Kustom's default is 7 200 000 (2 h). */
  expires_in?: number
  /** Required unless the account has exactly one location. */
  location_id?: string
}

export type MetadataFilterValue = string | number | boolean

export interface ListEnrollmentsParams extends PageParams {
  location_id?: string
  /** Up to 5 `key: value` pairs, ANDed. Sent as repeated `metadata=key:value`. */
  metadata?: Record<string, MetadataFilterValue>
  /** Adds CONSUMED (and, on the playground, EXPIRED) enrollments; PENDING only otherwise. */
  include_consumed?: boolean
}

/* ---------- devices ---------- */

/** The full body of `PUT /devices/{id}`: whatever is omitted there is lost. */
export interface DeviceReplacement {
  name: string
  metadata: Metadata
  location_id: string | null
}

/**
 * Fields to change; omitted ones keep their current value. `metadata`, when given,
 * replaces the whole metadata object (it is not merged key by key). `location_id: null`
 * detaches the device from its location.
 */
export interface DeviceUpdate {
  name?: string
  metadata?: Metadata
  location_id?: string | null
}

/* ---------- sessions ---------- */

export interface SessionOrderItemInput {
  type?: OrderItemType
  reference?: string
  name: string
  quantity: number
  /** Minor units; negative for a `discount` line. */
  unit_price: number
  /** `unit_price * quantity - total_discount_amount`. */
  total_amount: number
  total_discount_amount?: number
  /** Basis points: 2500 = 25 %. */
  tax_rate: number
  /** `total_amount - total_amount * 10000 / (10000 + tax_rate)`, ±1 per line. */
  total_tax_amount: number
  [key: string]: unknown
}

export interface CreateSessionInput {
  device_id: string
  /** Minor units: the sum of the lines' `total_amount`. */
  order_amount: number
  order_tax_amount: number
  /** ISO 4217, e.g. "SEK". */
  purchase_currency: string
  /** ISO 8601. */
  purchase_started_at?: string
  merchant_reference1?: string
  merchant_reference2?: string
  merchant_data?: string
  order_items: SessionOrderItemInput[]
  [key: string]: unknown
}

export interface CreateSessionOptions extends RequestOptions {
  /** Sent as `?location_id=`. */
  locationId?: string
}

/* ---------- Order Management ---------- */

export interface CaptureInput {
  captured_amount: number
  description?: string
  [key: string]: unknown
}

export interface RefundInput {
  refunded_amount: number
  description?: string
  reference?: string
  [key: string]: unknown
}

/* ---------- playground helpers ---------- */

export interface CreateSimulatedDeviceInput {
  name: string
  location_id?: string
  metadata?: Metadata
  /** Emulator default: ANDROID. */
  platform?: DevicePlatform
}

export const SIMULATED_TAP_DECLINES = [
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
export const SIMULATED_TAP_OUTCOMES = ["SUCCESS", ...SIMULATED_TAP_DECLINES] as const
export type SimulatedTapDecline = (typeof SIMULATED_TAP_DECLINES)[number]
export type SimulatedTapOutcome = (typeof SIMULATED_TAP_OUTCOMES)[number]
