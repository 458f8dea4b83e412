import { ContainerRegistrationKeys, MedusaError, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { IPaymentModuleService, MedusaContainer } from "@medusajs/framework/types"
import { createStep, createWorkflow, StepResponse, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import {
  acquireLockStep,
  addOrderTransactionStep,
  authorizePaymentSessionStep,
  completeCartWorkflow,
  convertDraftOrderWorkflow,
  emitEventStep,
  releaseLockStep,
} from "@medusajs/medusa/core-flows"
import { KustomIppApiError, type Session, type SessionStatus } from "../lib/kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import type { RecordPaymentProblemInput } from "../modules/kustom-ipp/service"
import { loadSaleState, type SaleState } from "../lib/sales"
import { formatMinorUnits, toMinorUnits } from "../lib/session-mapping"
import {
  parseMerchantData,
  PROVIDER_ID_PREFIX,
  readPaymentData,
  type KustomIppMerchantData,
  type KustomIppPaymentData,
} from "../providers/pay-in-store/payment-data"
import { STATUS_SYNC_CONTEXT_KEY } from "../providers/pay-in-store/service"
import { fetchKustomSessionStep } from "./steps/fetch-kustom-session"

export const processKustomIppSessionWorkflowId = "kustom-ipp-process-session"

export const KUSTOM_IPP_EVENTS = {
  SESSION_FINALIZED: "kustom_ipp.session.finalized",
  SESSION_CANCELLED: "kustom_ipp.session.cancelled",
  SESSION_EXPIRED: "kustom_ipp.session.expired",
  SESSION_FAILED: "kustom_ipp.session.failed",
  PAYMENT_FAILED: "kustom_ipp.payment_failed",
  AMOUNT_MISMATCH: "kustom_ipp.session.amount_mismatch",
  UNMATCHED: "kustom_ipp.session.unmatched",
  ORDER_REFUSED: "kustom_ipp.session.order_refused",
} as const

export { PROVIDER_ID_PREFIX }

export type ProcessKustomIppSessionInput = {
  kustom_session_id: string
  /** The recorded callback that asked for this run; marked processed once the run succeeds. */
  callback_id?: string | null
  /**
   * Why Medusa refused, in the run before, to make the paid sale an order (its cart completion
   * or draft conversion threw): this run records it as a problem instead of trying again.
   */
  order_refusal?: string | null
}

export type SessionOutcome =
  | "order_created"
  | "payment_recorded"
  | "already_ordered"
  | "recorded"
  | "unchanged"
  | "amount_mismatch"
  | "unknown_session"
  | "not_ours"
  | "unmatched"
  | "orphan_cancelled"
  | "order_refused"

export type SessionPlan = {
  action: "none" | "complete_cart" | "convert_draft" | "record_payment_on_order" | "record" | "cancel_orphan"
  outcome: SessionOutcome
  kustom_session_id: string
  kustom_status: SessionStatus | null
  payment_session_id: string | null
  sale_kind: KustomIppMerchantData["sale_kind"] | null
  sale_id: string | null
  order_id: string | null
  /** For `record`: the status and data the payment session takes. */
  status?: PaymentSessionStatus
  data?: KustomIppPaymentData
  /** The custom event to emit, if any. */
  event?: string
  /**
   * Set when the provider's create timed out and Kustom's session is now known: the payment
   * session takes this data (the session id) before anything else is done.
   */
  adopt?: KustomIppPaymentData
  reason?: string
}

export type ProcessKustomIppSessionResult = Omit<SessionPlan, "action" | "status" | "data" | "event" | "adopt">

type Target = { merchant: KustomIppMerchantData | null; sale: SaleState | null }

/**
 * Decides what a Kustom session means for Medusa. Pure, so that every combination of session
 * state and sale state is tested without a server. The session's current status decides, never
 * the event that announced it: a late `cancelled` cannot undo a FINALIZED payment.
 */
export function planSessionOutcome(kustomSessionId: string, session: Session | null, target: Target, orderRefusal?: string | null): SessionPlan {
  const base: SessionPlan = {
    action: "none",
    outcome: "unchanged",
    kustom_session_id: kustomSessionId,
    kustom_status: session?.status ?? null,
    payment_session_id: target.merchant?.payment_session_id ?? null,
    sale_kind: target.merchant?.sale_kind ?? null,
    sale_id: target.merchant?.sale_id ?? null,
    order_id: null,
  }
  if (!session) return { ...base, outcome: "unknown_session" }
  if (!target.merchant) return { ...base, outcome: "not_ours" }
  const sale = target.sale
  const paymentSession = sale?.paymentSession
  const open = session.status === "CREATED" || session.status === "ACTIVE"
  // A session still on the device that no Medusa payment session stands for any more (its
  // create timed out and was given up, or the payment was sent again) is taken off the device,
  // so that one sale never has two payments waiting.
  const orphan: SessionPlan = { ...base, action: "cancel_orphan", outcome: "orphan_cancelled" }
  if (!sale || !paymentSession || !paymentSession.provider_id.startsWith(PROVIDER_ID_PREFIX)) {
    if (open) return orphan
    return session.status === "FINALIZED"
      ? {
          ...base,
          outcome: "unmatched",
          event: KUSTOM_IPP_EVENTS.UNMATCHED,
          reason: "The payment session this Kustom session was created for no longer exists; no order was created.",
        }
      : { ...base, outcome: "not_ours" }
  }
  let data = readPaymentData(paymentSession.data)
  let adopt: KustomIppPaymentData | undefined
  if (!data.kustom_session_id) {
    // No id yet: either the provider is storing it this very moment (leave it), or its create
    // timed out and this is the session that did reach Kustom (take it as this payment's).
    if (!data.create_unconfirmed_at) return base
    data = { ...data, kustom_session_id: session.session_id, kustom_status: session.status, create_unconfirmed_at: null }
    adopt = data
  }
  const plan = planForPaymentSession(base, session, sale, data, orderRefusal ?? null)
  return adopt ? { ...plan, adopt: plan.action === "record" && plan.data ? plan.data : adopt } : plan
}

/** How far a Kustom session has come: waiting, being collected, ended (paid or not). */
const SESSION_PROGRESS: Record<SessionStatus, number> = { CREATED: 0, ACTIVE: 1, FINALIZED: 2, CANCELLED: 2, EXPIRED: 2, FAILED: 2 }

/** What every payment problem asks a person to do with money no order records. */
const GIVE_BACK = "give the money back in Kustom (refund the payment, or cancel its authorization if nothing was captured)"

/** The end of a problem text: the Kustom order to look up, when the session has one. */
function kustomOrderOf(session: Session): string {
  return session.order_id ? `; its Kustom order is ${session.order_id}` : ""
}

function planForPaymentSession(base: SessionPlan, session: Session, sale: SaleState, data: KustomIppPaymentData, orderRefusal: string | null): SessionPlan {
  const paymentSession = sale.paymentSession
  const open = session.status === "CREATED" || session.status === "ACTIVE"
  if (data.kustom_session_id !== session.session_id) {
    if (open) return { ...base, action: "cancel_orphan", outcome: "orphan_cancelled" }
    return session.status === "FINALIZED"
      ? {
          ...base,
          outcome: "unmatched",
          event: KUSTOM_IPP_EVENTS.UNMATCHED,
          reason: `This Kustom session was replaced by ${data.kustom_session_id} before it was paid; no order was created from it.`,
        }
      : base
  }

  // Kustom's sessions only move forward. A look older than what is recorded (the session is
  // read before the sale's lock is taken, and another run may have recorded a later state, a
  // payment included, while this one waited for it) changes nothing.
  if (SESSION_PROGRESS[session.status] < SESSION_PROGRESS[data.kustom_status ?? "CREATED"]) return base

  const record = (status: PaymentSessionStatus, patch: Partial<KustomIppPaymentData>, extra: Partial<SessionPlan>): SessionPlan => {
    const next = { ...data, kustom_session_id: session.session_id, kustom_status: session.status, ...patch }
    const changed =
      paymentSession.status !== status ||
      data.kustom_status !== next.kustom_status ||
      (data.failure_reason ?? null) !== (next.failure_reason ?? null) ||
      (data.problem ?? null) !== (next.problem ?? null)
    return changed ? { ...base, action: "record", outcome: "recorded", status, data: next, ...extra } : base
  }
  // Money taken that no order shows: the problem is recorded on the payment session (once) for
  // the admin and the status route, and the event asks a person to act (on every look at it).
  const flag = (
    outcome: SessionOutcome,
    event: string,
    problem: string,
    extra: Partial<SessionPlan> = {},
    patch: Partial<KustomIppPaymentData> = {}
  ): SessionPlan => ({
    ...record(PaymentSessionStatus.ERROR, { problem, kustom_order_id: session.order_id ?? null, failure_reason: session.failure_reason ?? null, ...patch }, {}),
    ...extra,
    outcome,
    event,
    reason: problem,
  })

  const authorized = paymentSession.status === PaymentSessionStatus.AUTHORIZED || paymentSession.status === PaymentSessionStatus.CAPTURED
  if (open && sale.completed && sale.ref.kind === "cart" && !authorized) {
    // The cart became an order with another payment: this one must not be payable any more.
    // (A draft order converted in Medusa keeps its payment on the device: it is recorded on the order.)
    return { ...base, action: "cancel_orphan", outcome: "orphan_cancelled", order_id: sale.orderId }
  }

  switch (session.status) {
    case "CREATED":
      return record(PaymentSessionStatus.PENDING, {}, {})
    case "ACTIVE":
      return record(
        PaymentSessionStatus.PENDING,
        { failure_reason: session.failure_reason ?? data.failure_reason ?? null },
        session.failure_reason && session.failure_reason !== data.failure_reason
          ? { event: KUSTOM_IPP_EVENTS.PAYMENT_FAILED, reason: session.failure_reason }
          : {}
      )
    case "CANCELLED":
    case "EXPIRED":
      return record(
        PaymentSessionStatus.CANCELED,
        { failure_reason: session.failure_reason ?? session.status.toLowerCase() },
        { event: session.status === "CANCELLED" ? KUSTOM_IPP_EVENTS.SESSION_CANCELLED : KUSTOM_IPP_EVENTS.SESSION_EXPIRED }
      )
    case "FAILED":
      return record(
        PaymentSessionStatus.ERROR,
        { failure_reason: session.failure_reason ?? "failed" },
        { event: KUSTOM_IPP_EVENTS.SESSION_FAILED, reason: session.failure_reason ?? undefined }
      )
    case "FINALIZED":
      break
  }

  // Only this payment, authorized, means the sale was completed with it. A sale completed by
  // other means while the session was on the device still has this payment pending.
  if (sale.completed && authorized) return { ...base, outcome: "already_ordered", order_id: sale.orderId }
  // Named as a person finds it in the admin (#7), by its id when the number is not known.
  const orderName = sale.orderDisplayId ? `#${sale.orderDisplayId}` : (sale.orderId ?? "(unknown)")
  const paid = formatMinorUnits(session.order_amount, session.purchase_currency)
  if (sale.completed && sale.orderCancelled) {
    // Converted, then cancelled in Medusa while the payment waited on the device: nothing to
    // record it on (Medusa refuses payments on a cancelled order), so a person decides.
    const problem =
      `Paid ${paid} on the device after order ` +
      `${orderName} was cancelled in Medusa. Nothing was recorded on it: ${GIVE_BACK}${kustomOrderOf(session)}.`
    return flag("unmatched", KUSTOM_IPP_EVENTS.UNMATCHED, problem, { order_id: sale.orderId })
  }
  if (sale.completed && sale.ref.kind === "cart") {
    // The cart became an order with another payment: this money belongs to no order.
    const problem =
      `Paid ${paid} on the device after the cart became order ` +
      `${orderName} without this payment. Nothing was recorded on the order: ${GIVE_BACK}${kustomOrderOf(session)}.`
    return flag("unmatched", KUSTOM_IPP_EVENTS.UNMATCHED, problem, { order_id: sale.orderId })
  }

  const currency = paymentSession.currency_code
  const expected = toMinorUnits(paymentSession.amount as number, currency)
  const saleTotal = toMinorUnits(sale.total, currency)
  const paidAsSent = session.purchase_currency === currency.toUpperCase() && session.order_amount === expected
  if (!paidAsSent || saleTotal !== expected) {
    const total = formatMinorUnits(saleTotal, currency)
    // Said as it happened: usually the sale changed after its payment was sent, and the device
    // took what it was sent for.
    const what = paidAsSent
      ? `Paid ${paid} on the device, but the sale changed after the payment was sent: it now totals ${total}.`
      : `Paid ${paid} on the device for a payment of ${formatMinorUnits(expected, currency)}; the sale totals ${total}.`
    // No order records the money, so the whole of it goes back (a part refunded would still be
    // recorded nowhere), and the sale's total is taken anew.
    const next = sale.completed
      ? `The draft order was converted to order ${orderName} in Medusa meanwhile; the payment was not recorded on it: ${GIVE_BACK}, then collect the order's ${total} another way (a payment link, or Medusa's "Mark as paid" for money taken otherwise)`
      : `No order was created: ${GIVE_BACK}, then send the payment again for ${total}`
    const problem = `${what} ${next}${kustomOrderOf(session)}.`
    return flag("amount_mismatch", KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH, problem, sale.completed ? { order_id: sale.orderId } : {})
  }
  // Medusa refused to make the sale an order with this payment (its own validation, stock, a
  // store's validate hook): trying again changes nothing, so a person decides, as for any
  // money no order records. Once recorded, later runs keep to it.
  const refusal = orderRefusal ?? data.order_refusal ?? null
  if (refusal) {
    const what = sale.completed
      ? `to record it on order ${orderName}`
      : sale.ref.kind === "cart"
        ? `to make cart ${sale.ref.id} an order`
        : `to make draft order ${orderName} an order`
    const problem =
      `Paid ${paid} on the device, but Medusa refused ${what}: ` +
      `${refusal.replace(/\.$/, "")}. No order records this payment: ${GIVE_BACK}${kustomOrderOf(session)}.`
    return flag("order_refused", KUSTOM_IPP_EVENTS.ORDER_REFUSED, problem, sale.completed ? { order_id: sale.orderId } : {}, { order_refusal: refusal })
  }
  if (sale.completed) {
    // A draft order converted in Medusa while its payment was on the device: the draft is the
    // order (same id), so the money is recorded on it, as a conversion would have done.
    return {
      ...base,
      action: "record_payment_on_order",
      outcome: "payment_recorded",
      order_id: sale.orderId,
      event: KUSTOM_IPP_EVENTS.SESSION_FINALIZED,
    }
  }
  return {
    ...base,
    action: sale.ref.kind === "cart" ? "complete_cart" : "convert_draft",
    outcome: "order_created",
    event: KUSTOM_IPP_EVENTS.SESSION_FINALIZED,
  }
}

const loadTargetStep = createStep("kustom-ipp-load-target", async (session: Session | null, { container }) => {
  const merchant = parseMerchantData(session?.merchant_data) ?? null
  const sale = merchant ? await loadSaleState(container, merchant) : null
  return new StepResponse<Target>({ merchant, sale })
})

const recordPaymentOutcomeStep = createStep(
  "kustom-ipp-record-payment-outcome",
  async (input: { payment_session_id: string; status: PaymentSessionStatus; data: KustomIppPaymentData }, { container }) => {
    const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT)
    const current = await payments.retrievePaymentSession(input.payment_session_id, {
      select: ["id", "amount", "currency_code", "status", "data"],
    })
    await payments.updatePaymentSession({
      id: current.id,
      amount: current.amount,
      currency_code: current.currency_code,
      data: input.data as Record<string, unknown>,
      status: input.status,
      // Tells the provider this only records what Kustom reported: nothing is sent to the device.
      context: { [STATUS_SYNC_CONTEXT_KEY]: true } as never,
    })
    return new StepResponse(current.id)
  }
)

const cancelOrphanSessionStep = createStep("kustom-ipp-cancel-orphan-session", async (kustomSessionId: string, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  try {
    await kustomIpp.client.sessions.cancel(kustomSessionId)
  } catch (error) {
    // Ended meanwhile (paid, cancelled, expired): the next look at it decides.
    if (!(error instanceof KustomIppApiError && error.status === 409)) throw error
  }
  return new StepResponse(kustomSessionId)
})

/**
 * What a plan that flags money taken without a payment to show it leaves for a person to do,
 * or null. Kept in the plugin's module, since Medusa deletes the payment session it is noted on
 * when the payment is sent again.
 */
export function paymentProblemOf(plan: SessionPlan, session: Session | null): RecordPaymentProblemInput | null {
  const flagged =
    plan.event === KUSTOM_IPP_EVENTS.UNMATCHED || plan.event === KUSTOM_IPP_EVENTS.AMOUNT_MISMATCH || plan.event === KUSTOM_IPP_EVENTS.ORDER_REFUSED
  if (!flagged || !session || session.status !== "FINALIZED" || !plan.sale_kind || !plan.sale_id || !plan.reason) return null
  return {
    kustom_session_id: session.session_id,
    kustom_order_id: session.order_id ?? null,
    sale_kind: plan.sale_kind,
    sale_id: plan.sale_id,
    payment_session_id: plan.payment_session_id,
    device_id: session.device_id,
    currency_code: session.purchase_currency.toLowerCase(),
    paid_amount: session.order_amount,
    problem: plan.reason,
  }
}

const recordPaymentProblemStep = createStep("kustom-ipp-record-payment-problem", async (input: RecordPaymentProblemInput, { container }) => {
  await container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE).recordPaymentProblem(input)
  return new StepResponse(input.kustom_session_id)
})

const markCallbackProcessedStep = createStep("kustom-ipp-mark-callback-processed", async (id: string, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  await kustomIpp.markCallbackProcessed(id)
  return new StepResponse(id)
})

/**
 * Brings Medusa in line with a Kustom session: a FINALIZED session becomes exactly one order
 * (cart completed, or draft order converted; a draft order converted in Medusa while the payment
 * was on the device gets the payment recorded on it); a cancelled, expired or failed one is recorded on
 * the payment session so the sale can be paid again. Serialized per sale with a lock; every
 * branch is idempotent, so callbacks, redeliveries and the sweep job can all run it. Run for
 * a recorded callback (`callback_id`), it marks the callback processed at the end, in the same
 * run: one workflow from callback to order, with nothing read before Kustom is asked.
 */
export const processKustomIppSessionWorkflow = createWorkflow(
  processKustomIppSessionWorkflowId,
  (input: ProcessKustomIppSessionInput) => {
    const session = fetchKustomSessionStep({ kustom_session_id: input.kustom_session_id })
    // The same key Medusa's cart completion and draft conversion lock on, so that this also
    // excludes a storefront completing the cart at the same moment. Those workflows skip their
    // own lock when they run nested, as they do here.
    const lockKey = transform({ session, input }, ({ session, input }) => {
      return parseMerchantData(session?.merchant_data)?.sale_id ?? `kustom-ipp:${input.kustom_session_id}`
    })
    acquireLockStep({ key: lockKey, timeout: 30, ttl: 120, executeOnSubWorkflow: true })
    const target = loadTargetStep(session)
    const plan = transform({ input, session, target }, ({ input, session, target }) =>
      planSessionOutcome(input.kustom_session_id, session, target, input.order_refusal)
    )

    when("kustom-ipp-adopt-session", { plan }, ({ plan }) => Boolean(plan.adopt)).then(() => {
      recordPaymentOutcomeStep(
        transform({ plan }, ({ plan }) => ({
          payment_session_id: plan.payment_session_id as string,
          status: PaymentSessionStatus.PENDING,
          data: plan.adopt as KustomIppPaymentData,
        }))
      ).config({ name: "kustom-ipp-adopt-session-id" })
    })

    const cartOrder = when("kustom-ipp-complete-cart", { plan }, ({ plan }) => plan.action === "complete_cart").then(() => {
      const cartId = transform({ plan }, ({ plan }) => ({ id: plan.sale_id as string }))
      return completeCartWorkflow.runAsStep({ input: cartId })
    })

    // A paid draft order: its payment is authorized (captured per configuration) and recorded on
    // it, then it is converted. One converted in Medusa meanwhile only has its payment recorded.
    when("kustom-ipp-record-draft-payment", { plan }, ({ plan }) =>
      plan.action === "convert_draft" || plan.action === "record_payment_on_order"
    ).then(() => {
      const authorize = transform({ plan }, ({ plan }) => ({ id: plan.payment_session_id as string, context: {} }))
      const payment = authorizePaymentSessionStep(authorize)
      // As cart completion does: captured money becomes the order's transactions, so that the
      // order's summary shows it paid rather than outstanding.
      const transactions = transform({ payment, plan }, ({ payment, plan }) =>
        (payment?.captures ?? []).map((capture) => ({
          order_id: plan.sale_id as string,
          amount: capture.raw_amount ?? capture.amount,
          currency_code: payment!.currency_code,
          reference: "capture",
          reference_id: capture.id,
        }))
      )
      addOrderTransactionStep(transactions)
    })

    when("kustom-ipp-convert-draft", { plan }, ({ plan }) => plan.action === "convert_draft").then(() => {
      const draft = transform({ plan }, ({ plan }) => ({ id: plan.sale_id as string }))
      convertDraftOrderWorkflow.runAsStep({ input: draft })
    })

    when("kustom-ipp-record-outcome", { plan }, ({ plan }) => plan.action === "record").then(() => {
      const outcome = transform({ plan }, ({ plan }) => ({
        payment_session_id: plan.payment_session_id as string,
        status: plan.status as PaymentSessionStatus,
        data: plan.data as KustomIppPaymentData,
      }))
      recordPaymentOutcomeStep(outcome)
    })

    when("kustom-ipp-cancel-orphan", { plan }, ({ plan }) => plan.action === "cancel_orphan").then(() => {
      cancelOrphanSessionStep(transform({ plan }, ({ plan }) => plan.kustom_session_id))
    })

    const problem = transform({ plan, session }, ({ plan, session }) => paymentProblemOf(plan, session))
    when("kustom-ipp-payment-problem", { problem }, ({ problem }) => Boolean(problem)).then(() => {
      recordPaymentProblemStep(problem as unknown as RecordPaymentProblemInput)
    })

    releaseLockStep({ key: lockKey, executeOnSubWorkflow: true })

    when("kustom-ipp-callback-done", { input }, ({ input }) => Boolean(input.callback_id)).then(() => {
      markCallbackProcessedStep(transform({ input }, ({ input }) => input.callback_id as string))
    })

    const result = transform({ plan, cartOrder }, ({ plan, cartOrder }): ProcessKustomIppSessionResult => {
      const { action, status, data, event, adopt, ...rest } = plan
      const orderId =
        action === "complete_cart" ? (cartOrder as { id: string } | undefined)?.id ?? null : action === "convert_draft" ? plan.sale_id : plan.order_id
      return { ...rest, order_id: orderId }
    })

    when("kustom-ipp-emit-event", { plan }, ({ plan }) => Boolean(plan.event)).then(() => {
      const event = transform({ plan, result }, ({ plan, result }) => ({
        eventName: plan.event as string,
        data: result,
      }))
      emitEventStep(event)
    })

    return new WorkflowResponse(result)
  }
)

/**
 * Medusa's refusal to make a paid sale an order, from the error a run of the workflow threw: its
 * own validation, stock, a store's `validate` hook (invalid data, not allowed, not found). Null
 * for what may pass on a later try: Kustom unreachable or refusing, a lock, the database.
 */
export function orderRefusalOf(error: unknown): string | null {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown }
  if (typeof message !== "string" || !message.trim()) return null
  const refused = [MedusaError.Types.INVALID_DATA, MedusaError.Types.NOT_ALLOWED, MedusaError.Types.NOT_FOUND] as unknown[]
  if (!refused.includes(type)) return null
  // Kustom's answers (see the provider's errors) are retried: only Medusa's own refusals are
  // final. Nor is Medusa's "was not authorized with the provider": the provider read the
  // session as not (yet) paid, which the next look settles.
  if (message.startsWith("Kustom ") || message.includes("was not authorized with the provider")) return null
  return message.trim()
}

/**
 * Runs `processKustomIppSessionWorkflow` as the callback subscriber, the retry job and the sweep
 * do. When Medusa refuses to make the paid sale an order, the run rolled back and a second run
 * records the refusal as a payment problem (money no order records), so that a person sees it and
 * the callback is not retried for ever; anything else is thrown for a later try.
 */
export async function processKustomIppSession(
  container: MedusaContainer,
  input: ProcessKustomIppSessionInput
): Promise<ProcessKustomIppSessionResult> {
  let result: ProcessKustomIppSessionResult
  try {
    result = (await processKustomIppSessionWorkflow(container).run({ input })).result
  } catch (error) {
    const refusal = orderRefusalOf(error)
    if (!refusal) throw error
    return (await processKustomIppSessionWorkflow(container).run({ input: { ...input, order_refusal: refusal } })).result
  }
  if (result.outcome === "unknown_session") {
    // Kustom answered 404: a callback for a session of another system, or a test. Done with,
    // not retried; said once so that the client's 404 line is not read as a retry to come.
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .warn(
        `Kustom In-Person Payments: Kustom does not know session ${input.kustom_session_id}` +
          `${input.callback_id ? ` (named by callback ${input.callback_id})` : ""}; nothing was done and it is not retried.`
      )
  }
  return result
}
