import { MedusaService } from "@medusajs/framework/utils"
import type { Logger } from "@medusajs/framework/types"
import { verifyKustomWebhook, type KustomIppClient, type VerifyKustomWebhookResult, type WebhookHeaders } from "../../lib/kustom-ipp"
import { createKustomClient, parsePluginOptions, type PluginOptions } from "../../lib/options"
import { KustomIppCallback } from "./models/callback"
import { KustomIppActivity } from "./models/activity"
import { KustomIppDeviceDefault } from "./models/device-default"
import { KustomIppEnrollmentCode } from "./models/enrollment-code"
import { KustomIppLocationLink } from "./models/location-link"
import { KustomIppPaymentProblem } from "./models/payment-problem"
import { AdminSettings, type CallbackAttempt } from "./admin-settings"

type InjectedDependencies = {
  logger: Logger
  /** The module's MikroORM entity manager (registered by Medusa's module loader). */
  manager?: unknown
}

export type RecordCallbackInput = {
  webhook_id: string
  event_type: string
  kustom_session_id?: string | null
  kustom_order_id?: string | null
  failure_reason?: string | null
  event_timestamp?: Date | null
}

export type RecordedCallback = {
  callbackId: string
  /** The `webhook-id` was recorded before: nothing more is done with this delivery. */
  duplicate: boolean
  /** The session to process; null when the delivery names none (recorded as processed). */
  kustomSessionId: string | null
}

export type RecordPaymentProblemInput = {
  kustom_session_id: string
  kustom_order_id: string | null
  sale_kind: "cart" | "draft_order"
  sale_id: string
  payment_session_id: string | null
  device_id: string | null
  currency_code: string
  /** Minor units. */
  paid_amount: number
  problem: string
}

/** Workflow failures arrive as plain objects with a message, not always as Error instances. */
function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message
  }
  return String(error)
}

/** How long to wait before processing a failed callback again: 5 s, 10 s, … capped at 10 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(600_000, 5_000 * 2 ** Math.max(0, attempts - 1))
}

/**
 * The plugin's own module: the Kustom connection for everything outside the payment provider
 * (callback route, workflows, admin routes, jobs) and the record of callbacks received.
 */
class KustomIppModuleService extends MedusaService({
  KustomIppCallback,
  KustomIppActivity,
  KustomIppDeviceDefault,
  KustomIppEnrollmentCode,
  KustomIppLocationLink,
  KustomIppPaymentProblem,
}) {
  readonly options: PluginOptions
  readonly client: KustomIppClient
  /** What the admin edits and shows: device defaults, location links, codes, last activity. */
  readonly settings: AdminSettings

  constructor(container: InjectedDependencies, rawOptions: unknown) {
    // eslint-disable-next-line prefer-rest-params
    super(...arguments)
    this.options = parsePluginOptions(rawOptions)
    this.client = createKustomClient(this.options, container.logger)
    this.settings = new AdminSettings(this, container)
    if (!this.options.webhookSecrets.length) {
      container.logger.warn(
        "Kustom In-Person Payments: no webhookSecrets configured — every callback will be rejected and paid sessions will only be found by the sweep job. Set webhookSecrets to the secret shown in the Kustom portal."
      )
    }
  }

  /** Checks a callback's Standard Webhooks signature against every configured secret. */
  verifyCallback(rawBody: string | Buffer, headers: WebhookHeaders): VerifyKustomWebhookResult {
    return verifyKustomWebhook({ rawBody, headers, secrets: this.options.webhookSecrets })
  }

  /**
   * Stores a verified delivery once. A `webhook-id` seen before is reported as a duplicate,
   * also when two deliveries race (the unique index decides). A delivery that names no
   * session (an event type this plugin does not act on) is stored as already processed.
   */
  async recordCallback(input: RecordCallbackInput): Promise<RecordedCallback> {
    const kustomSessionId = input.kustom_session_id ?? null
    try {
      // Insert first: a new delivery (the usual case) costs one statement.
      const created = await this.createKustomIppCallbacks(
        kustomSessionId ? input : { ...input, status: "processed" as const, processed_at: new Date() }
      )
      return { callbackId: created.id, duplicate: false, kustomSessionId }
    } catch (error) {
      const [existing] = await this.listKustomIppCallbacks({ webhook_id: input.webhook_id }, { select: ["id"] })
      if (existing) return { callbackId: existing.id, duplicate: true, kustomSessionId }
      throw error
    }
  }

  /**
   * Notes that a callback arrived at the callback route and whether its signature verified,
   * for the admin's connection status. One row updated in place; never throws.
   */
  async noteCallbackAttempt(attempt: CallbackAttempt): Promise<void> {
    await this.settings.noteCallbackAttempt(attempt)
  }

  /**
   * Keeps money taken that no payment records, once per Kustom session. The first description
   * stands: it is written while the payment session still exists and says most; a later look
   * (after Medusa deleted that session) knows less. Callers hold the sale's lock.
   */
  async recordPaymentProblem(input: RecordPaymentProblemInput): Promise<void> {
    const [existing] = await this.listKustomIppPaymentProblems({ kustom_session_id: input.kustom_session_id }, { select: ["id"] })
    if (!existing) await this.createKustomIppPaymentProblems(input)
  }

  async markCallbackProcessed(id: string): Promise<void> {
    await this.updateKustomIppCallbacks({ id, status: "processed", processed_at: new Date(), last_error: null, next_attempt_at: null })
  }

  async markCallbackFailed(id: string, error: unknown): Promise<void> {
    const [callback] = await this.listKustomIppCallbacks({ id }, { select: ["id", "attempts"] })
    if (!callback) return
    const attempts = callback.attempts + 1
    await this.updateKustomIppCallbacks({
      id,
      status: "failed",
      attempts,
      last_error: errorMessage(error).slice(0, 1000),
      next_attempt_at: new Date(Date.now() + retryDelayMs(attempts)),
    })
  }
}

export default KustomIppModuleService
