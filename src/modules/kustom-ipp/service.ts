import { MedusaService } from "@medusajs/framework/utils"
import type { Logger } from "@medusajs/framework/types"
import { verifyKustomWebhook, type KustomIppClient, type VerifyKustomWebhookResult, type WebhookHeaders } from "../../lib/kustom-ipp"
import { createKustomClient, parsePluginOptions, type PluginOptions } from "../../lib/options"
import { KustomIppCallback } from "./models/callback"

type InjectedDependencies = {
  logger: Logger
}

export type RecordCallbackInput = {
  webhook_id: string
  event_type: string
  kustom_session_id?: string | null
  kustom_order_id?: string | null
  failure_reason?: string | null
  event_timestamp?: Date | null
}

/** How long to wait before processing a failed callback again: 5 s, 10 s, … capped at 10 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(600_000, 5_000 * 2 ** Math.max(0, attempts - 1))
}

/**
 * The plugin's own module: the Kustom connection for everything outside the payment provider
 * (callback route, workflows, admin routes, jobs) and the record of callbacks received.
 */
class KustomIppModuleService extends MedusaService({ KustomIppCallback }) {
  readonly options: PluginOptions
  readonly client: KustomIppClient

  constructor(container: InjectedDependencies, rawOptions: unknown) {
    // eslint-disable-next-line prefer-rest-params
    super(...arguments)
    this.options = parsePluginOptions(rawOptions)
    this.client = createKustomClient(this.options, container.logger)
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
   * also when two deliveries race (the unique index decides).
   */
  async recordCallback(input: RecordCallbackInput): Promise<{ callbackId: string; duplicate: boolean }> {
    const [existing] = await this.listKustomIppCallbacks({ webhook_id: input.webhook_id }, { select: ["id"] })
    if (existing) return { callbackId: existing.id, duplicate: true }
    try {
      const created = await this.createKustomIppCallbacks(input)
      return { callbackId: created.id, duplicate: false }
    } catch (error) {
      const [raced] = await this.listKustomIppCallbacks({ webhook_id: input.webhook_id }, { select: ["id"] })
      if (raced) return { callbackId: raced.id, duplicate: true }
      throw error
    }
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
      last_error: error instanceof Error ? error.message.slice(0, 1000) : String(error).slice(0, 1000),
      next_attempt_at: new Date(Date.now() + retryDelayMs(attempts)),
    })
  }
}

export default KustomIppModuleService
