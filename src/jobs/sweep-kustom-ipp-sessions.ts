/**
 * Sessions still open in Medusa long after they were sent to a device: a callback was lost, or
 * the session EXPIRED (Kustom never calls back about that). Each is read from Kustom and handled
 * through the same workflow a callback runs. Bounded per run, spaced out per session, and safe on
 * several instances: the locking module decides who works on what.
 */
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { ILockingModule, IPaymentModuleService, Logger, MedusaContainer } from "@medusajs/framework/types"
import { withRunLock } from "../lib/locking"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { readPaymentData, type KustomIppPaymentData } from "../providers/pay-in-store/payment-data"
import { STATUS_SYNC_CONTEXT_KEY } from "../providers/pay-in-store/service"
import { processKustomIppSession, PROVIDER_ID_PREFIX, type ProcessKustomIppSessionResult } from "../workflows/process-kustom-ipp-session"

export type SweepOptions = {
  /** Sessions younger than this are left to their callbacks. Default 2 minutes. */
  minAgeMs?: number
  /** At most this many sessions per run. Default 50. */
  limit?: number
  now?: Date
}

export type SweepReport = {
  checked: number
  skipped: number
  failed: number
  results: ProcessKustomIppSessionResult[]
}

const RUN_LOCK = "kustom-ipp:sweep"

/**
 * How long to leave a session before looking again: a quarter of its age, between 30 s and
 * 10 min. Derived from the age so that no per-session state has to be stored.
 */
export function sweepBackoffSeconds(ageMs: number): number {
  return Math.round(Math.min(600, Math.max(30, ageMs / 4 / 1000)))
}

/**
 * What a run found, for the log. Payments still waiting on a device are counted apart from the
 * paid ones the sweep found: only those mean callbacks are not arriving.
 */
export function sweepSummary(report: Pick<SweepReport, "checked" | "failed" | "results">): string {
  const count = (test: (result: SweepReport["results"][number]) => boolean) => report.results.filter(test).length
  const open = count((result) => result.kustom_status === "CREATED" || result.kustom_status === "ACTIVE")
  const paid = count((result) => result.outcome === "order_created" || result.outcome === "payment_recorded")
  // EXPIRED has no callback at all: the sweep is how it is ever found.
  const ended = count((result) => result.kustom_status === "CANCELLED" || result.kustom_status === "EXPIRED" || result.kustom_status === "FAILED")
  const problems = count((result) => result.outcome === "amount_mismatch" || result.outcome === "unmatched" || result.outcome === "order_refused")
  return (
    `sweep checked ${report.checked} open session(s): ${open} still waiting on a device, ${paid} paid (found by the sweep, not by a callback), ` +
    `${ended} ended unpaid (cancelled, expired or failed), ` +
    (problems ? `${problems} paid but needing attention (Settings → Payments needing attention), ` : "") +
    `${report.failed} failed`
  )
}

export async function sweepOpenSessions(container: MedusaContainer, options: SweepOptions = {}): Promise<SweepReport | undefined> {
  const minAgeMs = options.minAgeMs ?? 120_000
  const limit = options.limit ?? 50
  const now = options.now ?? new Date()
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const locking = container.resolve<ILockingModule>(Modules.LOCKING)
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)

  return withRunLock(container, RUN_LOCK, 300, async () => {
    const providers = (await payments.listPaymentProviders({}, { select: ["id"] }))
      .map((provider) => provider.id)
      .filter((id) => id.startsWith(PROVIDER_ID_PREFIX))
    if (!providers.length) return { checked: 0, skipped: 0, failed: 0, results: [] }
    // `status` is a column Medusa's filter type does not list; the module filters on it all the same.
    const openFilter = { status: ["pending", "requires_more"] } as object
    const candidates = await payments.listPaymentSessions(
      {
        provider_id: providers,
        created_at: { $lte: new Date(now.getTime() - minAgeMs).toISOString() },
        ...openFilter,
      },
      { select: ["id", "data", "created_at"], order: { created_at: "ASC" }, take: limit * 4 }
    )
    const report: SweepReport = { checked: 0, skipped: 0, failed: 0, results: [] }
    for (const candidate of candidates) {
      if (report.checked >= limit) break
      const data = readPaymentData(candidate.data)
      const sessionId = data.kustom_session_id
      if (!sessionId) {
        if (data.create_unconfirmed_at) {
          await markUnconfirmedDispatchFailed(payments, candidate.id, data)
          report.checked++
        }
        continue
      }
      // Taken for its backoff period: by this run now, or by another instance or run before.
      const ageMs = now.getTime() - new Date(candidate.created_at as unknown as string).getTime()
      const free = await locking
        .acquire(`kustom-ipp:sweep:${sessionId}`, { ownerId: `sweep-${now.getTime()}-${Math.random()}`, expire: sweepBackoffSeconds(ageMs) })
        .then(
          () => true,
          () => false
        )
      if (!free) {
        report.skipped++
        continue
      }
      report.checked++
      try {
        let result = await processKustomIppSession(container, { kustom_session_id: sessionId })
        // Still waiting on the device, untouched, past the configured lifetime: withdraw it so
        // the sale can be sent again. A session the clerk is collecting (ACTIVE) is left alone.
        if (result.kustom_status === "CREATED" && ageMs > kustomIpp.options.sessionLifetimeMs) {
          await kustomIpp.client.sessions.cancel(sessionId).catch(() => undefined)
          result = await processKustomIppSession(container, { kustom_session_id: sessionId })
        }
        report.results.push(result)
      } catch (error) {
        report.failed++
        logger.warn(`Kustom In-Person Payments: sweep could not check session ${sessionId}: ${(error as Error).message}`)
      }
    }
    if (report.checked) logger.info(`Kustom In-Person Payments: ${sweepSummary(report)}`)
    return report
  })
}

/**
 * A dispatch Kustom never confirmed, and no `created` callback claimed since: it did not reach
 * a device. The payment session says so, and the sale can be sent again.
 */
async function markUnconfirmedDispatchFailed(payments: IPaymentModuleService, paymentSessionId: string, data: KustomIppPaymentData) {
  const current = await payments.retrievePaymentSession(paymentSessionId, { select: ["id", "amount", "currency_code"] })
  await payments.updatePaymentSession({
    id: current.id,
    amount: current.amount,
    currency_code: current.currency_code,
    status: PaymentSessionStatus.ERROR,
    data: {
      ...data,
      create_unconfirmed_at: null,
      problem: "Kustom never confirmed that the payment reached the device. Send it again.",
    },
    context: { [STATUS_SYNC_CONTEXT_KEY]: true } as never,
  })
}

export default async function sweepKustomIppSessionsJob(container: MedusaContainer): Promise<void> {
  await sweepOpenSessions(container)
}

export const config = {
  name: "kustom-ipp-sweep-open-sessions",
  schedule: "* * * * *",
}
