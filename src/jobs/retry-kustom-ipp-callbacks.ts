/**
 * Recorded callbacks whose processing did not finish (Kustom or the database was down, or the
 * process stopped right after answering Kustom) are processed again: a callback is never
 * acknowledged and then forgotten.
 */
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { Logger, MedusaContainer } from "@medusajs/framework/types"
import { withRunLock } from "../lib/locking"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { processKustomIppSession } from "../workflows/process-kustom-ipp-session"

const RETRY_LOCK = "kustom-ipp:retry-callbacks"

export type RetryReport = { processed: number; failed: number }

/** Processes recorded callbacks that are still waiting: never acknowledged and then forgotten. */
export async function retryPendingCallbacks(
  container: MedusaContainer,
  options: { limit?: number; receivedBeforeMs?: number; now?: Date } = {}
): Promise<RetryReport | undefined> {
  const limit = options.limit ?? 25
  const now = options.now ?? new Date()
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  return withRunLock(container, RETRY_LOCK, 300, async () => {
    const [stale, due] = await Promise.all([
      // Recorded but never processed (the process stopped between answering and processing).
      kustomIpp.listKustomIppCallbacks(
        { status: "received", created_at: { $lte: new Date(now.getTime() - (options.receivedBeforeMs ?? 30_000)) } },
        { select: ["id", "kustom_session_id"], take: limit, order: { created_at: "ASC" } }
      ),
      kustomIpp.listKustomIppCallbacks(
        { status: "failed", next_attempt_at: { $lte: now } },
        { select: ["id", "kustom_session_id"], take: limit, order: { next_attempt_at: "ASC" } }
      ),
    ])
    const report: RetryReport = { processed: 0, failed: 0 }
    for (const { id, kustom_session_id } of [...stale, ...due].slice(0, limit)) {
      try {
        if (kustom_session_id) {
          await processKustomIppSession(container, { kustom_session_id, callback_id: id })
        } else {
          // A delivery that names no session has nothing to process.
          await kustomIpp.markCallbackProcessed(id)
        }
        report.processed++
      } catch (error) {
        report.failed++
        await kustomIpp.markCallbackFailed(id, error)
        logger.warn(`Kustom In-Person Payments: callback ${id} failed again: ${(error as Error).message}`)
      }
    }
    return report
  })
}

export default async function retryKustomIppCallbacksJob(container: MedusaContainer): Promise<void> {
  await retryPendingCallbacks(container)
}

export const config = {
  name: "kustom-ipp-retry-callbacks",
  schedule: "* * * * *",
}
