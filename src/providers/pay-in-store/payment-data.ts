/**
 * What the provider keeps in a Medusa payment session's (and payment's) `data`. Everything
 * needed to find the Kustom session, its Order Management order and the Medusa sale again.
 */
import { createHash } from "node:crypto"
import type { SessionStatus } from "../../lib/kustom-ipp"
import type { SaleKind } from "../../lib/sales"

/** Medusa names a registered provider `pp_<identifier>_<id>`: every "Pay in store" provider starts so. */
export const PROVIDER_ID_PREFIX = "pp_pay-in-store_"

export type KustomIppPaymentData = {
  /** The Medusa payment session id (set by Medusa's payment module). */
  session_id?: string
  /** The device the payment was sent to; a caller may set it when creating the session. */
  device_id?: string
  kustom_session_id?: string
  kustom_status?: SessionStatus
  kustom_order_id?: string | null
  location_id?: string | null
  /** Minor units of `purchase_currency`. */
  order_amount?: number
  purchase_currency?: string
  merchant_reference1?: string
  sale_kind?: SaleKind
  sale_id?: string
  dispatched_at?: string
  /**
   * Set when Kustom did not answer the create in time: the session may or may not have reached
   * the device. Its `ipp.session.created` callback (or the sweep) settles it; it is never
   * created a second time.
   */
  create_unconfirmed_at?: string | null
  captured_amount?: number
  refunded_amount?: number
  /** Why the last card attempt failed, or why the session ended (decline reason, expiry). */
  failure_reason?: string | null
  /** A problem that stopped the order, e.g. an amount mismatch; shown to the admin. */
  problem?: string | null
  /** Why Medusa refused to make the paid sale an order (Medusa's own message), once it did. */
  order_refusal?: string | null
}

/** The `merchant_data` sent with each session: the Medusa ids, so a session leads back to its sale. */
export type KustomIppMerchantData = {
  payment_session_id: string
  payment_collection_id: string
  sale_kind: SaleKind
  sale_id: string
}

/**
 * Every key of `KustomIppPaymentData`. Medusa's payment module stores a new session's data as
 * `{ ...the caller's data, ...the provider's }`, so the provider answers with all of them (null
 * when unset): nothing a caller puts in `data` can stand for what the provider keeps there.
 */
const PAYMENT_DATA_KEYS: Record<keyof KustomIppPaymentData, true> = {
  session_id: true,
  device_id: true,
  kustom_session_id: true,
  kustom_status: true,
  kustom_order_id: true,
  location_id: true,
  order_amount: true,
  purchase_currency: true,
  merchant_reference1: true,
  sale_kind: true,
  sale_id: true,
  dispatched_at: true,
  create_unconfirmed_at: true,
  captured_amount: true,
  refunded_amount: true,
  failure_reason: true,
  problem: true,
  order_refusal: true,
}

/** The keys of `data` a caller may set when sending a payment: the device. Medusa sets `session_id`. */
export const CALLER_PAYMENT_DATA_KEYS: readonly string[] = ["device_id"]

/** The keys of `data` only the provider (or Medusa, for `session_id`) sets. */
export const PROVIDER_PAYMENT_DATA_KEYS: readonly string[] = Object.keys(PAYMENT_DATA_KEYS).filter(
  (key) => !CALLER_PAYMENT_DATA_KEYS.includes(key)
)

/** `data` as the provider answers it: every key present, null when unset (see `PAYMENT_DATA_KEYS`). */
export function providerPaymentData(data: KustomIppPaymentData): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(PAYMENT_DATA_KEYS).map((key) => [key, data[key as keyof KustomIppPaymentData] ?? null])
  )
}

export function readPaymentData(data: Record<string, unknown> | undefined | null): KustomIppPaymentData {
  return (data ?? {}) as KustomIppPaymentData
}

export function parseMerchantData(value: string | null | undefined): KustomIppMerchantData | undefined {
  if (!value) return undefined
  try {
    const parsed = JSON.parse(value) as Partial<KustomIppMerchantData>
    if (
      typeof parsed.payment_session_id === "string" &&
      typeof parsed.payment_collection_id === "string" &&
      (parsed.sale_kind === "cart" || parsed.sale_kind === "draft_order") &&
      typeof parsed.sale_id === "string"
    ) {
      return parsed as KustomIppMerchantData
    }
  } catch {
    // Not ours: a session created outside this plugin.
  }
  return undefined
}

/**
 * A `Klarna-Idempotency-Key` (a UUID) derived from the Medusa operation, so that any retry of
 * the same capture or refund — by the client, by Medusa or by a person — sends the same key.
 */
export function idempotencyKeyFor(...parts: string[]): string {
  const hex = createHash("sha256").update(["medusa-plugin-kustom-ipp", ...parts].join("\u0000")).digest("hex")
  // Shaped as a version 5-style UUID (name-based), variant RFC 4122.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
