import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { waitForLock } from "../../lib/locking"
import { passOnGuardError } from "./guard-error"

/** How long a change waits for the one before it on the same payment, and how long a lock can outlive a crashed holder. */
const WAIT_SECONDS = 30
const EXPIRE_SECONDS = 120

/**
 * Holds the lock on a payment collection's changes until the response is sent, so that two
 * changes of one sale's payment (two sends at once, a send and a cart change) run one after the
 * other: the second then finds the first's session on the device and takes it off, instead of
 * both leaving one there. Taken before the payment sessions are read.
 */
export async function holdPaymentChangeLock(req: MedusaRequest, res: MedusaResponse, paymentCollectionId: string): Promise<void> {
  await holdLockUntilAnswered(req, res, `kustom-ipp-payment-change:${paymentCollectionId}`)
}

/**
 * `POST /store/payment-collections` for a cart: Medusa looks for the cart's collection and
 * creates one when there is none, so two requests at once (a storefront's
 * `initiatePaymentSession` sent twice, a double click) both create, and the second fails with
 * 500 "Cart … already has a payment collection". Held per cart, the second finds the first's
 * collection and answers it. Bodies without a cart id are left to Medusa's validation.
 */
export async function serializePaymentCollectionCreation(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): Promise<void> {
  try {
    const cartId = (req.body as { cart_id?: unknown } | undefined)?.cart_id
    if (typeof cartId === "string" && cartId) await holdCartPaymentLock(req, res, cartId)
    next()
  } catch (error) {
    passOnGuardError(error, res, next)
  }
}

/**
 * Holds a cart's lock on its payment collection being created until the response is sent. A
 * cart change holds it too, taken before it looks for the collection: a change begun while the
 * cart had none must not run on after a collection and a payment on a device appear (the
 * device would take the old total). Taken before `holdPaymentChangeLock`, never after.
 */
export async function holdCartPaymentLock(req: MedusaRequest, res: MedusaResponse, cartId: string): Promise<void> {
  await holdLockUntilAnswered(req, res, `kustom-ipp-cart-payment-collection:${cartId}`)
}

async function holdLockUntilAnswered(req: MedusaRequest, res: MedusaResponse, key: string): Promise<void> {
  let release: () => Promise<void>
  try {
    release = await waitForLock(req.scope, key, { waitSeconds: WAIT_SECONDS, expireSeconds: EXPIRE_SECONDS })
  } catch {
    throw new MedusaError(
      MedusaError.Types.UNEXPECTED_STATE,
      "Another change to this sale's payment is still going on. Try again in a moment."
    )
  }
  // Released when the route has answered (it ends the response once its work is done, whether
  // or not the client is still there), not when the connection closes: a client dropping the
  // request must not let the next change run alongside the work still going on. A route that
  // never answers leaves the lock to expire.
  const end = res.end.bind(res) as (...args: unknown[]) => MedusaResponse
  let released = false
  res.end = ((...args: unknown[]) => {
    if (!released) {
      released = true
      void release()
    }
    return end(...args)
  }) as MedusaResponse["end"]
}
