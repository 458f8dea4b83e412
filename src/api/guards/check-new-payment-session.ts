import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { findCollectionPaymentSessions, withdrawWaitingSessions } from "../../lib/in-store-payments/collecting"
import { firstBrokenRule, refusedCharacterMessage, UNPAIRED_SURROGATE, type CharacterRule } from "../../lib/text"
import { PROVIDER_ID_PREFIX, PROVIDER_PAYMENT_DATA_KEYS } from "../../providers/pay-in-store/payment-data"
import { assertDeviceRegistered } from "../admin/kustom-ipp/helpers"
import { describeValue } from "../admin/kustom-ipp/request-body"
import { passOnGuardError } from "./guard-error"
import { holdPaymentChangeLock } from "./payment-change-lock"

/** A payment session that records money taken. */
const PAID_STATUSES: readonly string[] = ["authorized", "captured"]

/** As long as any id the admin takes (`src/api/admin/kustom-ipp/validators.ts`). */
const MAX_DEVICE_ID_LENGTH = 200

/** Characters PostgreSQL cannot keep in a payment session's `data` (jsonb), each with what to tell the sender. */
const UNSTORABLE_CHARACTERS: ReadonlyArray<CharacterRule> = [
  { pattern: /\u0000/, reason: "NUL characters" },
  { pattern: UNPAIRED_SURROGATE, reason: "half of a character (an unpaired surrogate)" },
]

function invalid(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

function unstorableCharacterMessage(value: string): string | null {
  return firstBrokenRule(value, UNSTORABLE_CHARACTERS)
}

/**
 * Why `data.device_id` cannot name a device, or null when it is absent (the provider then picks
 * the default device) or well formed. Whether Kustom knows the device is asked separately.
 */
export function deviceIdProblem(deviceId: unknown): string | null {
  if (deviceId === undefined || deviceId === null) return null
  if (typeof deviceId !== "string") return `must be a device id (text), got ${describeValue(deviceId)}`
  if (!deviceId.trim()) return "must not be empty: leave it out to use the default device"
  if (deviceId.length > MAX_DEVICE_ID_LENGTH) return `must be at most ${MAX_DEVICE_ID_LENGTH} characters`
  return refusedCharacterMessage(deviceId)
}

/**
 * The first key of `data` that the provider keeps there (a Kustom session id, an amount, a
 * status), as `data.key: reason`; or null. Named by a caller, another sale's paid session could
 * stand for this one's payment.
 */
export function keptByThePluginProblem(data: object): string | null {
  const kept = Object.keys(data).find((key) => PROVIDER_PAYMENT_DATA_KEYS.includes(key))
  return kept ? `data.${kept}: is set by the plugin, not by the caller: send data.device_id only (or nothing, for the default device)` : null
}

/** How deep `data` may nest; a storefront's own fields need a few levels. */
const MAX_DATA_DEPTH = 32

/** `hasOwnProperty`, `toString`, `__proto__`…: names an object's own field must not shadow. */
const OBJECT_METHOD_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

/** A path as long as data nested deep would make it is shortened: the start says where to look. */
const MAX_SHOWN_PATH_LENGTH = 100

function shownPath(path: string): string {
  return path.length > MAX_SHOWN_PATH_LENGTH ? `${path.slice(0, MAX_SHOWN_PATH_LENGTH)}…` : path
}

/**
 * The first thing in `data` that cannot be stored, as `data.path: reason`; or null: text
 * PostgreSQL cannot store (a value or a field name), a field Medusa would take for an object's
 * method, nesting deeper than Medusa copies. Walked without recursion: a body may nest deeper
 * than the stack allows.
 */
export function unstorableDataProblem(data: unknown): string | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: data, path: "data", depth: 0 }]
  // Breadth first, in the order the fields were sent.
  for (let next = 0; next < pending.length; next++) {
    const { value, path, depth } = pending[next]
    if (typeof value === "string") {
      const message = unstorableCharacterMessage(value)
      if (message) return `${shownPath(path)}: ${message}`
    } else if (value && typeof value === "object") {
      // Medusa copies `data` recursively: nested deeper, it runs out of stack (a 500).
      if (depth >= MAX_DATA_DEPTH) return `${shownPath(path)}: must not nest more than ${MAX_DATA_DEPTH} levels deep`
      if (Array.isArray(value)) {
        value.forEach((item, index) => pending.push({ value: item, path: `${path}.${index}`, depth: depth + 1 }))
        continue
      }
      for (const [key, item] of Object.entries(value)) {
        const message = unstorableCharacterMessage(key)
        if (message) return `${shownPath(path)}: a field name ${message}`
        // Medusa reads such a field as the object's own method and fails (a 500).
        if (OBJECT_METHOD_NAMES.has(key)) return `${shownPath(path)}: a field must not be named ${JSON.stringify(key)}, the name of a method every object has`
        pending.push({ value: item, path: `${path}.${key}`, depth: depth + 1 })
      }
    }
  }
  return null
}

/**
 * Checks a new payment session (`POST /store/payment-collections/:id/payment-sessions`) before
 * Medusa acts on it. Medusa deletes the collection's sessions (the provider takes them off their
 * device) while it creates the new one, and when the new one fails it re-creates the old ones,
 * which sends them to the device again as new Kustom sessions. So, before anything changes:
 * - while a clerk is taking the collection's payment, any new session (any provider, any
 *   device) is refused with the `clerkIsCollecting` message; a session waiting on a device is
 *   taken off it first, and when Kustom cannot be asked or does not take the cancel the new
 *   session is refused (503, try again), so that no two sessions can be paid for one sale;
 * - on a collection paid in store, any new session is refused (Medusa would delete the
 *   session recording the payment first); an unknown collection is 404;
 * - for a "Pay in store" session, what cannot be stored anywhere in `data` (a NUL would fail
 *   the insert as a 500; see `unstorableDataProblem`), a malformed `data.device_id` and any key
 *   the provider keeps in `data` (another sale's paid session must not be named) are 400
 *   `invalid_data` naming the field; and when the session would replace one on a device, the device is looked
 *   up in Kustom, so that an unknown one is refused instead of churning the one waiting. A first
 *   payment session is not looked up here: nothing would be replaced, and Kustom's own refusal
 *   of the create says the same without an extra round trip.
 * Other providers' data, and bodies Medusa's own validator refuses, are left to Medusa.
 */
export async function checkNewPaymentSession(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  try {
    const body = req.body as { provider_id?: unknown; data?: unknown } | undefined
    const data = body?.data
    const inStore =
      typeof body?.provider_id === "string" && body.provider_id.startsWith(PROVIDER_ID_PREFIX) && Boolean(data) && typeof data === "object" && !Array.isArray(data)
    const deviceId = inStore ? (data as { device_id?: unknown }).device_id : undefined
    if (inStore) {
      const problem = deviceIdProblem(deviceId)
      if (problem) throw invalid(`data.device_id: ${problem}`)
      const kept = keptByThePluginProblem(data as object)
      if (kept) throw invalid(kept)
      const unstorable = unstorableDataProblem(data)
      if (unstorable) throw invalid(unstorable)
    }
    await holdPaymentChangeLock(req, res, req.params.id)
    const sessions = await findCollectionPaymentSessions(req.scope, req.params.id)
    // Medusa would fail on an unknown collection with a 500.
    if (!sessions) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment collection ${req.params.id} was not found`)
    // Medusa deletes the collection's sessions first, the one recording a payment taken in
    // store included: the sale would show unpaid, and the money as taken for nothing.
    const paid = sessions.find((session) => session.provider_id?.startsWith(PROVIDER_ID_PREFIX) && PAID_STATUSES.includes(session.status))
    if (paid) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `This payment collection is already paid in store (payment session ${paid.id}): a new payment session would replace the payment it records. Nothing was changed.`
      )
    }
    const replacesOneOnADevice = sessions.some((session) => session?.provider_id?.startsWith(PROVIDER_ID_PREFIX) && session.status === "pending")
    if (typeof deviceId === "string" && replacesOneOnADevice) await assertDeviceRegistered(req.scope, deviceId, "data.device_id")
    // Last: only a session that can replace them takes the waiting ones off their device.
    await withdrawWaitingSessions(req.scope, sessions)
    next()
  } catch (error) {
    passOnGuardError(error, res, next)
  }
}
