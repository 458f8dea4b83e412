/** Test-side access to the playground: the typed client, device actions and control routes. */
import { KustomIppClient } from "../../src/lib/kustom-ipp"
import { TEST_API_KEY, type PlaygroundFixture } from "./playground"

export function kustomClient(fixture: PlaygroundFixture): KustomIppClient {
  return new KustomIppClient({ apiKey: TEST_API_KEY, baseUrl: fixture.playground.url })
}

/** A simulated device and its token, so tests can act as the clerk on the device itself. */
export async function createDevice(fixture: PlaygroundFixture, name = "Counter"): Promise<{ id: string; token: string }> {
  const device = await kustomClient(fixture).playground.createDevice({ name })
  const token = (device as { credentials?: { device_token?: string } }).credentials?.device_token
  if (!token) throw new Error("The playground returned no device token")
  return { id: device.id, token }
}

/** What the clerk does on the phone: tap with an outcome, or cancel. */
export async function onDevice(fixture: PlaygroundFixture, token: string, sessionId: string, action: "cancel" | { outcome: string }) {
  const path = action === "cancel" ? "cancel" : "tap"
  const response = await fetch(`${fixture.playground.url}/pos/v1/sessions/${sessionId}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(action === "cancel" ? {} : action),
  })
  if (!response.ok) throw new Error(`Device ${path} failed: ${response.status} ${await response.text()}`)
  return response.json()
}

/** Expires a session now, as the session lifetime would (Kustom sends no callback for it). */
export async function expireSession(fixture: PlaygroundFixture, sessionId: string) {
  const response = await fetch(`${fixture.playground.url}/_playground/sessions/${sessionId}/expire`, {
    method: "POST",
    headers: { authorization: `Basic ${TEST_API_KEY}` },
  })
  if (!response.ok) throw new Error(`Expire failed: ${response.status} ${await response.text()}`)
}

/** The clerk picks card on the phone: the session becomes ACTIVE (Kustom's `ipp.session.activated`). */
export async function choosePaymentMethod(fixture: PlaygroundFixture, token: string, sessionId: string) {
  const response = await fetch(`${fixture.playground.url}/pos/v1/sessions/${sessionId}/payment-method`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ method: "card" }),
  })
  if (!response.ok) throw new Error(`Choosing the payment method failed: ${response.status} ${await response.text()}`)
}

/** How many sessions the store has asked Kustom to create so far (each one is pushed to a device). */
export function sessionCreates(fixture: PlaygroundFixture): number {
  return fixture.playground.requests().filter((request) => request.method === "POST" && request.path === "/ipp/v1/sessions").length
}
