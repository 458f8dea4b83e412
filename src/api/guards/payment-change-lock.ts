import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { waitForLock } from "../../lib/locking"

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
  let release: () => Promise<void>
  try {
    release = await waitForLock(req.scope, `kustom-ipp-payment-change:${paymentCollectionId}`, { waitSeconds: WAIT_SECONDS, expireSeconds: EXPIRE_SECONDS })
  } catch {
    throw new MedusaError(
      MedusaError.Types.UNEXPECTED_STATE,
      "Another change to this sale's payment is still going on. Try again in a moment."
    )
  }
  let released = false
  const releaseOnce = () => {
    if (released) return
    released = true
    void release()
  }
  res.once("finish", releaseOnce)
  res.once("close", releaseOnce)
}
