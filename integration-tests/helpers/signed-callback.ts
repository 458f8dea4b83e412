/** Callbacks signed the way Kustom signs them, with the `standardwebhooks` library itself. */
import { randomUUID, webcrypto } from "node:crypto"
import { Webhook } from "standardwebhooks"

globalThis.crypto ??= webcrypto as Crypto

export async function postSignedCallback(
  url: string,
  secret: string,
  event: { type: string; session_id?: string; order_id?: string | null },
  id = `msg_${randomUUID()}`
): Promise<number> {
  const now = new Date()
  const body = JSON.stringify({
    id: `kevt_${randomUUID()}`,
    merchant_id: "PLAYGROUND",
    timestamp: now.toISOString(),
    type: event.type,
    data: event.session_id === undefined ? {} : { session_id: event.session_id, order_id: event.order_id ?? null, failure_reason: null },
  })
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, now, body),
    },
    body,
  })
  await response.arrayBuffer()
  return response.status
}
