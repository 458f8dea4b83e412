/**
 * Shapes shared across the playground: the public option/handle types, the records the
 * emulator keeps, and the wire shapes of Kustom's API objects.
 *
 * Wire objects use Kustom's snake_case field names so a record can be sent as-is after
 * dropping the internal fields (see the `to…View` functions of each module).
 */

export type CaptureMode = "auto" | "manual"

export type Metadata = Record<string, string | number | boolean | null>

export interface PlaygroundLogger {
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

export interface CallbackRetryOptions {
  /** Attempts in all, the first one included. */
  maxAttempts: number
  /** Delay before the 2nd attempt; doubles for each further attempt. */
  baseDelayMs: number
  /** Cap of the backoff delay (before jitter is applied it is capped, and after). */
  maxDelayMs: number
  /** An attempt without an answer within this time counts as failed. */
  timeoutMs: number
}

export interface LocationInput {
  id?: string
  name: string
  city?: string
}

export interface PlaygroundOptions {
  apiKey: string
  port?: number
  host?: string
  merchantId?: string
  callbackUrl?: string
  webhookSecrets?: string[]
  captureMode?: CaptureMode
  sessionLifetimeMs?: number
  callbackRetry?: Partial<CallbackRetryOptions>
  locations?: LocationInput[]
  stateFile?: string
  logger?: PlaygroundLogger
  /** Interval of the SSE keep-alive comment on `/pos/v1/events` (default 15 000 ms). */
  sseKeepAliveMs?: number
}

/** What `configure()` may change while the playground runs. `null` clears `callbackUrl`. */
export interface PlaygroundConfigurePatch {
  callbackUrl?: string | null
  webhookSecrets?: string[]
  captureMode?: CaptureMode
  sessionLifetimeMs?: number
  callbackRetry?: Partial<CallbackRetryOptions>
}

/** The options after validation and defaults. */
export interface ResolvedConfig {
  apiKey: string
  port: number
  host: string
  merchantId: string
  callbackUrl: string | undefined
  webhookSecrets: string[]
  captureMode: CaptureMode
  sessionLifetimeMs: number
  callbackRetry: CallbackRetryOptions
  locations: Location[]
  stateFile: string | undefined
  logger: PlaygroundLogger
  sseKeepAliveMs: number
}

// ---------------------------------------------------------------------------------------------
// Domain records
// ---------------------------------------------------------------------------------------------

export interface Location {
  id: string
  name: string
  city: string | null
}

export type EnrollmentStatus = "PENDING" | "CONSUMED" | "EXPIRED" | "CANCELLED"

export interface Enrollment {
  enrollment_id: string
  enrollment_code: string
  expires_at: string
  status: EnrollmentStatus
  metadata: Metadata
  location_id: string | null
  /** Internal: creation time, for listing order. */
  created_at: string
  /** Internal: the device that consumed the code. */
  device_id: string | null
}

export type Platform = "IOS" | "ANDROID"

export interface Device {
  id: string
  hardware_id: string
  merchant_id: string
  location_id: string | null
  name: string
  platform: Platform
  metadata: Metadata
  created_at: string
  last_seen_at: string | null
}

export type SessionStatus = "CREATED" | "ACTIVE" | "FINALIZED" | "CANCELLED" | "EXPIRED" | "FAILED"

export const OPEN_SESSION_STATUSES: readonly SessionStatus[] = ["CREATED", "ACTIVE"]

export type OrderItemType = "physical" | "discount" | "digital" | "shipping_fee" | "surcharge"

export interface OrderItem {
  type: OrderItemType
  reference?: string
  name: string
  quantity: number
  unit_price: number
  total_amount: number
  total_discount_amount: number
  tax_rate: number
  total_tax_amount: number
  /** Further Klarna order line fields (quantity_unit, image_url, …) are kept as sent. */
  [extra: string]: unknown
}

export interface Session {
  session_id: string
  status: SessionStatus
  device_id: string
  location_id: string | null
  order_id: string | null
  order_amount: number
  order_tax_amount: number
  purchase_currency: string
  purchase_started_at: string | null
  purchase_completed_at: string | null
  merchant_reference1: string | null
  merchant_reference2: string | null
  merchant_data: string | null
  order_items: OrderItem[]
  created_at: string
  expires_at: string
  failure_reason: string | null
  /** Internal: when the session reached a terminal status (the device shows the latest one). */
  ended_at: string | null
}

export type OrderStatus = "AUTHORIZED" | "PART_CAPTURED" | "CAPTURED" | "CANCELLED" | "CLOSED"

export interface Capture {
  capture_id: string
  captured_amount: number
  captured_at: string
  description: string | null
}

export interface Refund {
  refund_id: string
  refunded_amount: number
  refunded_at: string
  description: string | null
  reference: string | null
}

export interface Order {
  order_id: string
  status: OrderStatus
  order_amount: number
  captured_amount: number
  refunded_amount: number
  remaining_authorized_amount: number
  purchase_currency: string
  captures: Capture[]
  refunds: Refund[]
  /** Internal: the IPP session the order came from. */
  session_id: string
  /** Internal. */
  created_at: string
}

/** A stored Order Management response, replayed for a repeated `Klarna-Idempotency-Key`. */
export interface IdempotencyRecord {
  key: string
  fingerprint: string
  stored_at: string
  status: number
  headers: Record<string, string>
  body: unknown
}

// ---------------------------------------------------------------------------------------------
// Callbacks
// ---------------------------------------------------------------------------------------------

export type EventType =
  | "ipp.session.created"
  | "ipp.session.activated"
  | "ipp.session.finalized"
  | "ipp.session.cancelled"
  | "ipp.payment.failed"

export interface PlaygroundEvent {
  id: string
  merchant_id: string
  timestamp: string
  type: EventType
  data: { session_id: string; order_id: string | null; failure_reason: string | null }
}

export interface DeliveryRecord {
  event_id: string
  type: EventType
  session_id: string
  /** 1-based attempt number of this copy of the event. */
  attempt: number
  url: string
  /** When the attempt started. */
  at: string
  /** HTTP status of the receiver's answer; absent when there was none. */
  status?: number
  /** Why the attempt failed without an answer (connection error, timeout, dropped by a fault). */
  error?: string
  duration_ms: number
  /** The `v1,…` entries of the `webhook-signature` header sent (empty when nothing was sent). */
  signatures: string[]
  /** True when a callback fault made the attempt fail without sending anything. */
  dropped?: boolean
}

export interface CallbackFaults {
  duplicate?: number
  concurrent?: boolean
  outOfOrder?: boolean
  delayMs?: number
  dropFirst?: number
  dropAll?: boolean
  types?: string[]
}

// ---------------------------------------------------------------------------------------------
// API faults and the request log
// ---------------------------------------------------------------------------------------------

export interface ApiFault {
  method?: string
  path: string
  status?: number
  body?: unknown
  retryAfterSeconds?: number
  latencyMs?: number
  dropConnection?: boolean
  times?: number
  when?: "before" | "after"
}

export interface ApiFaultRecord extends ApiFault {
  id: string
  /** How many requests the fault has hit so far. */
  hits: number
}

export interface RequestLogEntry {
  at: string
  method: string
  path: string
  query: Record<string, string | string[]>
  headers: Record<string, string>
  body: unknown
  /** The status answered; `null` when the connection was dropped without an answer. */
  status: number | null
}

// ---------------------------------------------------------------------------------------------
// The handle
// ---------------------------------------------------------------------------------------------

export interface PlaygroundHandle {
  url: string
  devicePageUrl: string
  port: number
  stop(): Promise<void>
  requests(): RequestLogEntry[]
  deliveries(): DeliveryRecord[]
  events(): PlaygroundEvent[]
  waitForDeliveries(
    predicate: (deliveries: DeliveryRecord[]) => boolean,
    timeoutMs?: number
  ): Promise<DeliveryRecord[]>
  injectFault(fault: ApiFault): ApiFaultRecord
  clearFaults(): void
  setCallbackFaults(faults: CallbackFaults): void
  configure(patch: PlaygroundConfigurePatch): void
  reset(): void
}
