import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { isKustomIppError } from "../../../../lib/kustom-ipp"
import { kustomModule } from "../helpers"

/** A live check of the API key should not keep the settings page waiting for long. */
const CHECK_TIMEOUT_MS = 5_000

export type ConnectionResponse = {
  environment: "playground" | "production"
  base_url: string
  merchant_id: string | null
  capture: boolean
  api_key: { ok: boolean; message: string; checked_at: string }
  webhook_secrets_configured: number
  callback_url: string
  last_callback: {
    at: string | null
    signature_ok: boolean | null
    last_valid_at: string | null
    last_invalid_at: string | null
    last_invalid_reason: string | null
  }
}

/** What the API key check says, for a person: works, is refused, or Kustom cannot be reached. */
async function checkApiKey(kustom: ReturnType<typeof kustomModule>): Promise<{ ok: boolean; message: string }> {
  try {
    const page = await kustom.client.locations.list({ page_size: 1 }, { timeoutMs: CHECK_TIMEOUT_MS })
    const count = page.total_elements
    return { ok: true, message: `The API key works: Kustom answered with ${count} location${count === 1 ? "" : "s"}.` }
  } catch (error) {
    if (!isKustomIppError(error)) return { ok: false, message: "The API key could not be checked (unexpected error)." }
    switch (error.kind) {
      case "api":
        if (error.status === 401) {
          return {
            ok: false,
            message: `Kustom refused the API key (HTTP 401). Check the apiKey option: a ${kustom.options.environment} key starts with ${kustom.options.environment === "production" ? "kco_live_api_" : "kco_test_api_"} and must belong to an account with In-Person Payments.`,
          }
        }
        if (error.status === 403) {
          return {
            ok: false,
            message: "Kustom accepted the API key but refused access (HTTP 403): In-Person Payments may not be enabled for this account, or the merchantId option does not match the key.",
          }
        }
        return { ok: false, message: `Kustom answered HTTP ${error.status} to the key check${error.detail ? `: ${error.detail}` : ""}. Try again in a moment.` }
      case "timeout":
      case "network":
        return { ok: false, message: `Kustom could not be reached at ${publicUrl(kustom.options.baseUrl)} (${error.kind === "timeout" ? "no answer in time" : "connection failed"}). Check the server's network and the baseUrl/environment options.` }
      default:
        return { ok: false, message: `Kustom answered unexpectedly to the key check: ${error.message}` }
    }
  }
}

/** Where Kustom must send callbacks: this server's `/hooks/kustom-ipp`, as the admin reaches it. */
function callbackUrl(req: AuthenticatedMedusaRequest): string {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim()
  const proto = first(req.headers["x-forwarded-proto"]) || req.protocol || "http"
  const host = first(req.headers["x-forwarded-host"]) || req.get("host") || "localhost:9000"
  return `${proto}://${host}/hooks/kustom-ipp`
}

/** The base URL without any user info a store might have put in it. */
function publicUrl(value: string): string {
  try {
    const url = new URL(value)
    url.username = ""
    url.password = ""
    return url.toString().replace(/\/$/, "")
  } catch {
    return ""
  }
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null)

/** The connection to Kustom as the settings page shows it. Never includes the API key or secrets. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse<ConnectionResponse>) => {
  const kustom = kustomModule(req.scope)
  const [check, activity] = await Promise.all([checkApiKey(kustom), kustom.settings.activity()])
  res.json({
    environment: kustom.options.environment,
    base_url: publicUrl(kustom.options.baseUrl),
    merchant_id: kustom.options.merchantId ?? null,
    capture: kustom.options.capture,
    api_key: { ...check, checked_at: new Date().toISOString() },
    webhook_secrets_configured: kustom.options.webhookSecrets.length,
    callback_url: callbackUrl(req),
    last_callback: {
      at: iso(activity.last_callback_at),
      signature_ok: activity.last_callback_signature_ok,
      last_valid_at: iso(activity.last_valid_callback_at),
      last_invalid_at: iso(activity.last_invalid_callback_at),
      last_invalid_reason: activity.last_invalid_callback_reason,
    },
  })
}
