import { randomUUID } from "node:crypto"
import { container as appContainer } from "@medusajs/framework"
import { AbstractPaymentProvider, MathBN, MedusaError, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  BigNumberInput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import {
  isKustomIppError,
  KustomIppApiError,
  kustomWebhookEventFields,
  verifyKustomWebhook,
  type KustomIppClient,
  type Order,
  type Session,
  type SessionStatus,
} from "../../lib/kustom-ipp"
import { createKustomClient, parsePluginOptions, type PluginOptions } from "../../lib/options"
import { chooseDefaultDevice } from "../../lib/device-defaults"
import { loadPaymentSessionSale, loadSaleTotal, whyCartCannotBecomeOrder, type PaymentSessionSale } from "../../lib/sales"
import { refundAllKustomHolds } from "../../lib/in-store-payments/settlement"
import { exactMinorUnits, formatMinorUnits, fromMinorUnits, mapSaleToKustomOrder, toMinorUnits } from "../../lib/session-mapping"
import { KUSTOM_IPP_MODULE } from "../../modules/kustom-ipp"
import type KustomIppModuleService from "../../modules/kustom-ipp/service"
import { clerkIsCollecting, toMedusaError } from "./errors"
import { readCaptureBooks, readPaymentBooks, readRefundBooks } from "./medusa-books"
import {
  idempotencyKeyFor,
  parseMerchantData,
  providerPaymentData,
  readPaymentData,
  type KustomIppMerchantData,
  type KustomIppPaymentData,
} from "./payment-data"

type Cradle = { logger: Logger }

/** Set in an update's context when a workflow only records what Kustom reported. */
export const STATUS_SYNC_CONTEXT_KEY = "kustom_ipp_status_sync"

const OPEN_STATUSES: readonly SessionStatus[] = ["CREATED", "ACTIVE"]

/**
 * "Pay in store": sends a Medusa cart or draft order to a clerk's phone as a Kustom In-Person
 * Payments session, and captures, refunds and cancels through Kustom's Order Management API.
 */
class KustomIppPaymentProviderService extends AbstractPaymentProvider<PluginOptions> {
  static override identifier = "pay-in-store"

  protected readonly options_: PluginOptions
  protected readonly client_: KustomIppClient
  protected readonly logger_: Logger

  static override validateOptions(options: Record<string, unknown>): void {
    parsePluginOptions(options)
  }

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, options as unknown as PluginOptions)
    this.options_ = parsePluginOptions(options)
    this.logger_ = cradle.logger
    this.client_ = createKustomClient(this.options_, cradle.logger)
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const data = readPaymentData(input.data)
    if (data.kustom_session_id) return this.restore_(data, input.amount, input.currency_code)
    const sale = await this.loadSale_(data)
    return this.dispatch_(sale, input.amount, input.currency_code, data.device_id)
  }

  /**
   * A payment session Medusa re-creates with the data of one it removed: when a change that
   * removed the collection's sessions fails (a new payment session, a cart refresh), Medusa puts
   * them back by creating them again. The Kustom session was taken off its device when it was
   * removed, so nothing is sent again (that would put a second payment on the phone): it comes
   * back cancelled, and the sale is sent again when wanted. A session that was paid meanwhile
   * comes back pending, so that completing the sale authorizes it as usual.
   *
   * The data comes from the caller, so only the session id in it is taken, and only for a
   * session Kustom says was sent for this very sale: what it records is read from Kustom and
   * the sale, not from the data, but for a problem noted on it, which only keeps the payment
   * from being taken. A storefront naming another sale's paid session gets a 400.
   */
  private async restore_(data: KustomIppPaymentData, amount: InitiatePaymentInput["amount"], currencyCode: string): Promise<InitiatePaymentOutput> {
    const kustomSessionId = data.kustom_session_id as string
    const sale = await this.loadSale_(data)
    let session = await this.client_.sessions.get(kustomSessionId).catch((error: unknown) => {
      if (error instanceof KustomIppApiError && error.status === 404) return undefined
      throw toMedusaError(error, "reading the payment session")
    })
    const merchant = parseMerchantData(session?.merchant_data)
    if (
      !session ||
      merchant?.payment_collection_id !== sale.paymentSession.payment_collection_id ||
      merchant.sale_kind !== sale.ref.kind ||
      merchant.sale_id !== sale.ref.id
    ) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `data.kustom_session_id: ${JSON.stringify(kustomSessionId)} is not a Kustom session sent for this ${sale.ref.kind === "cart" ? "cart" : "draft order"}. ` +
          `The plugin sets it; send the payment with data.device_id only (or nothing, for the default device).`
      )
    }
    if (session.status === "CREATED") session = (await this.cancelOpenSession_(kustomSessionId).catch(() => undefined)) ?? session
    // Medusa puts the session back with the data it had: a payment recorded as a problem (money
    // no order may record) stays one, and is never made payable again by being put back.
    const problem = data.problem ?? null
    const paid = session.status === "FINALIZED"
    const restored: KustomIppPaymentData = {
      session_id: sale.paymentSession.id,
      device_id: session.device_id,
      kustom_session_id: session.session_id,
      kustom_status: session.status,
      kustom_order_id: session.order_id ?? null,
      location_id: session.location_id ?? null,
      // What this payment is for, so that authorizing it compares Kustom's amount with it.
      order_amount: toMinorUnits(amount, currencyCode),
      purchase_currency: currencyCode.toUpperCase(),
      merchant_reference1: sale.reference,
      sale_kind: sale.ref.kind,
      sale_id: sale.ref.id,
      dispatched_at: session.purchase_started_at ?? session.created_at ?? undefined,
      failure_reason: paid ? (session.failure_reason ?? null) : (session.failure_reason ?? "cancelled"),
      problem,
      order_refusal: data.order_refusal ?? null,
    }
    return {
      id: kustomSessionId,
      status: problem ? PaymentSessionStatus.ERROR : paid ? PaymentSessionStatus.PENDING : PaymentSessionStatus.CANCELED,
      data: providerPaymentData(restored),
    }
  }

  /**
   * The sale changed (or the caller chose another device). A session still waiting on the
   * device is replaced; one the clerk is already collecting is never changed under them.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = readPaymentData(input.data)
    if (input.context?.[STATUS_SYNC_CONTEXT_KEY as keyof typeof input.context]) {
      return { data: input.data ?? {} }
    }
    if (!data.kustom_session_id) {
      if (data.create_unconfirmed_at) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          "Kustom has not yet confirmed the payment sent to the device. Wait a moment: it is either confirmed or marked as failed shortly."
        )
      }
      const sale = await this.loadSale_(data)
      return this.dispatch_(sale, input.amount, input.currency_code, data.device_id)
    }
    const session = await this.getSession_(data.kustom_session_id)
    if (session.status === "ACTIVE") throw clerkIsCollecting()
    if (session.status === "FINALIZED") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This payment was already made on the device; it cannot be changed.")
    }
    const sale = await this.loadSale_(data)
    const unchanged =
      session.status === "CREATED" &&
      session.order_amount === toMinorUnits(input.amount, input.currency_code) &&
      session.purchase_currency === input.currency_code.toUpperCase() &&
      (!data.device_id || data.device_id === session.device_id)
    if (unchanged) return { data: input.data ?? {}, status: PaymentSessionStatus.PENDING }
    if (session.status === "CREATED") await this.cancelOpenSession_(session.session_id)
    return this.dispatch_(sale, input.amount, input.currency_code, data.device_id ?? session.device_id)
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.readStatus_(readPaymentData(input.data), { captureIfConfigured: true })
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return this.readStatus_(readPaymentData(input.data), { captureIfConfigured: false })
  }

  /**
   * Captures what Medusa captures. Medusa records each capture before it asks and names it (the
   * idempotency key is the capture's id), so its amount is read back: a partial capture in
   * Medusa is the same partial capture in Kustom. Without a capture id, all that is authorized.
   * Money Kustom captured that Medusa does not record (an earlier capture whose answer was lost,
   * so Medusa deleted it) counts toward this one instead of being captured twice.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const data = readPaymentData(input.data)
    const orderId = await this.requireOrderId_(data)
    const captureId = input.context?.idempotency_key ? String(input.context.idempotency_key) : undefined
    if (!captureId) return { data: { ...data, ...orderAmounts(await this.captureRemaining_(orderId, idempotencyKeyFor("capture", orderId, "full"))) } }

    // Kustom first, then Medusa: a capture in flight has its Medusa record before it reaches
    // Kustom, so whatever Kustom holds beyond Medusa's records is truly unrecorded.
    const order = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    const books = await readCaptureBooks(captureId)
    if (books.order?.status === "canceled") {
      // Medusa takes captures on a cancelled order; the customer must not pay for it.
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Order ${books.order.display_id ? `#${books.order.display_id}` : books.order.id} is cancelled, so its in-store payment is not captured any more. Nothing was captured.`
      )
    }
    const currency = order.purchase_currency
    const exact = exactMinorUnits(books.amount, books.currency_code)
    const amount = exact ?? toExactMinorUnits("capture", books.amount, books.currency_code, books.completes)
    const counted = this.countUnrecorded_("capture", amount, order.captured_amount - books.recorded_elsewhere, currency, orderId)
    const toCapture = completingRemainder(counted, order.remaining_authorized_amount, exact === null && books.completes)
    if (toCapture > order.remaining_authorized_amount) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Cannot capture ${formatMinorUnits(toCapture, currency)}: Kustom holds ${formatMinorUnits(order.remaining_authorized_amount, currency)} authorized and not yet captured. Nothing was captured.`
      )
    }
    if (toCapture === 0) return { data: { ...data, ...orderAmounts(order) } }
    // Named by what it is (see medusa-books), not by Medusa's record id: a retry after lost answers sends the same key.
    const key = idempotencyKeyFor("capture", orderId, `${books.recorded_before}`, `${amount}`)
    await this.call_("capturing the payment", () => this.client_.orders.capture(orderId, { captured_amount: toCapture }, { idempotencyKey: key }))
    const updated = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    return { data: { ...data, ...orderAmounts(updated) } }
  }

  /**
   * Refunds part or all of what was captured, never more; a retry sends the same key. Money
   * Kustom refunded that Medusa does not record (an earlier refund whose answer was lost, so
   * Medusa deleted it) counts toward this one instead of being refunded twice.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readPaymentData(input.data)
    const orderId = await this.requireOrderId_(data)
    const refundId = input.context?.idempotency_key ? String(input.context.idempotency_key) : undefined
    // Kustom first, then Medusa (see capturePayment).
    const order = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    const books = refundId ? await readRefundBooks(refundId) : null
    const currency = order.purchase_currency
    const exact = exactMinorUnits(input.amount, currency)
    const amount = exact ?? toExactMinorUnits("refund", input.amount, currency, books?.completes ?? false)
    const refundable = order.captured_amount - order.refunded_amount
    const counted = books ? this.countUnrecorded_("refund", amount, order.refunded_amount - books.recorded_elsewhere, currency, orderId) : amount
    const toRefund = completingRemainder(counted, refundable, exact === null && Boolean(books?.completes))
    if (toRefund > refundable) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Cannot refund ${formatMinorUnits(toRefund, currency)}: ${formatMinorUnits(refundable, currency)} was captured and not yet refunded in Kustom. Nothing was refunded.`
      )
    }
    if (toRefund === 0) return { data: { ...data, ...orderAmounts(order) } }
    // Named by what it is (see medusa-books): a retry after lost answers sends the same key, and
    // the same body (no Medusa id in it), so Kustom replays it rather than refunding again.
    // Without Medusa's books, two equal refunds must stay two.
    const key = books ? idempotencyKeyFor("refund", orderId, `${books.recorded_before}`, `${amount}`) : idempotencyKeyFor("refund", orderId, randomUUID())
    await this.call_("refunding the payment", () => this.client_.orders.refund(orderId, { refunded_amount: toRefund }, { idempotencyKey: key }))
    const updated = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    return { data: { ...data, ...orderAmounts(updated) } }
  }

  /**
   * What is left to move of `amount` once the money Kustom already moved without a Medusa
   * record (`unrecorded`, minor units) is counted toward it. Less than that is refused: Medusa
   * would record less than the customer was charged or given back.
   */
  private countUnrecorded_(doing: "capture" | "refund", amount: number, unrecorded: number, currency: string, orderId: string): number {
    if (unrecorded <= 0) return amount
    const done = doing === "capture" ? "captured" : "refunded"
    if (amount < unrecorded) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Kustom has already ${done} ${formatMinorUnits(unrecorded, currency)} of this payment that Medusa does not record (an earlier ${doing} whose answer was lost, or one made outside Medusa). ` +
          `${doing === "capture" ? "Capture" : "Refund"} at least ${formatMinorUnits(unrecorded, currency)} here to record it. Nothing was ${done}.`
      )
    }
    this.logger_.warn(
      `Kustom In-Person Payments: Kustom order ${orderId} had ${formatMinorUnits(unrecorded, currency)} ${done} that Medusa did not record; ` +
        `counted toward this ${doing} of ${formatMinorUnits(amount, currency)}, so ${formatMinorUnits(amount - unrecorded, currency)} is ${done} now`
    )
    return amount - unrecorded
  }

  /**
   * Cancels the session while it is open, or releases an authorization nothing was captured
   * from. Medusa cancels only payments it records nothing captured on; money Kustom captured all
   * the same (a capture whose answer was lost, or one made in Kustom's portal) is refunded, since
   * the order is being cancelled and Medusa could no longer record or refund it.
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = readPaymentData(input.data)
    if (!data.kustom_session_id) return { data: input.data ?? {} }
    const session = await this.getSession_(data.kustom_session_id)
    if (OPEN_STATUSES.includes(session.status)) {
      const cancelled = await this.cancelOpenSession_(session.session_id)
      return { data: { ...data, kustom_status: cancelled?.status ?? "CANCELLED" } }
    }
    if (session.status === "FINALIZED" && session.order_id) {
      const orderId = session.order_id
      const order = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
      if (order.captured_amount > 0) {
        const paymentId = input.context?.idempotency_key ? String(input.context.idempotency_key) : undefined
        const books = paymentId ? await readPaymentBooks(paymentId) : null
        if (!books || books.captured > 0) {
          throw new MedusaError(
            MedusaError.Types.NOT_ALLOWED,
            "This in-store payment is already captured in Kustom; refund it instead of cancelling."
          )
        }
        const unrecorded = order.captured_amount - order.refunded_amount
        if (unrecorded > 0) {
          this.logger_.warn(
            `Kustom In-Person Payments: Kustom order ${orderId} had ${formatMinorUnits(unrecorded, order.purchase_currency)} captured that Medusa did not record; ` +
              `refunded as the payment is cancelled`
          )
          await this.call_("refunding the payment", () => refundAllKustomHolds(this.client_, orderId, order))
        }
        const updated = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
        return { data: { ...data, kustom_order_id: orderId, ...orderAmounts(updated) } }
      }
      if (order.status !== "CANCELLED") {
        await this.call_("cancelling the Kustom order", () =>
          this.client_.orders.cancel(orderId, { idempotencyKey: idempotencyKeyFor("cancel", orderId) })
        )
      }
      return { data: { ...data, kustom_order_id: orderId, ...orderAmounts({ ...order, status: "CANCELLED" }) } }
    }
    return { data: { ...data, kustom_status: session.status } }
  }

  /**
   * Medusa drops the payment session (the cart changed, the payment is sent again, another
   * provider was chosen): a session still waiting on the device is taken off it, so that no
   * stale amount can be paid. One the clerk is already collecting is never pulled from under
   * them: the store and admin routes refuse such changes first with a clear message
   * (`refuseWhileCollecting`), and this refusal covers every other way in (Medusa then keeps
   * the payment session and undoes the change).
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = readPaymentData(input.data)
    if (data.kustom_session_id) {
      const session = await this.getSession_(data.kustom_session_id).catch(() => undefined)
      if (session?.status === "ACTIVE") throw clerkIsCollecting()
      if (session?.status === "CREATED") await this.cancelOpenSession_(session.session_id)
    }
    return { data: input.data ?? {} }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = readPaymentData(input.data)
    if (!data.kustom_session_id) return { data: input.data ?? {} }
    const session = await this.getSession_(data.kustom_session_id)
    return { data: { ...data, kustom_status: session.status, kustom_order_id: session.order_id ?? null } }
  }

  /**
   * Supports Medusa's generic `/hooks/payment/pay-in-store_<id>` route too. The plugin's own
   * `/hooks/kustom-ipp` route is the one to configure: it records each delivery and answers
   * only once it is safe.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const verified = verifyKustomWebhook({
      rawBody: payload.rawData,
      headers: payload.headers as Record<string, string | string[] | undefined>,
      secrets: this.options_.webhookSecrets,
    })
    // Told as the plugin's own route tells it (the log, the admin's last callback): Medusa's
    // route has already answered 200, so nothing else would show a wrong secret.
    await this.noteCallbackAttempt_(verified.ok ? { ok: true, reason: null } : { ok: false, reason: verified.reason })
    if (!verified.ok) this.logger_.warn(`Kustom In-Person Payments: rejected a callback on Medusa's /hooks/payment route (${verified.reason})`)
    const sessionId = verified.ok ? kustomWebhookEventFields(verified.event).sessionId : null
    if (!sessionId) return { action: PaymentActions.NOT_SUPPORTED }
    const session = await this.getSession_(sessionId)
    const merchant = parseMerchantData(session.merchant_data)
    if (!merchant) return { action: PaymentActions.NOT_SUPPORTED }
    const result = { session_id: merchant.payment_session_id, amount: fromMinorUnits(session.order_amount, session.purchase_currency) }
    switch (session.status) {
      case "FINALIZED":
        return { action: this.options_.capture ? PaymentActions.SUCCESSFUL : PaymentActions.AUTHORIZED, data: result }
      case "CANCELLED":
      case "EXPIRED":
        return { action: PaymentActions.CANCELED, data: result }
      case "FAILED":
        return { action: PaymentActions.FAILED, data: result }
      default:
        return { action: PaymentActions.PENDING, data: result }
    }
  }

  /* ---------- internals ---------- */

  /** For the admin's "last callback"; never fails the webhook (the log line is what stays). */
  private async noteCallbackAttempt_(attempt: { ok: boolean; reason: string | null }): Promise<void> {
    const kustomIpp = appContainer.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE, { allowUnregistered: true })
    await kustomIpp?.noteCallbackAttempt(attempt).catch(() => undefined)
  }

  private async loadSale_(data: KustomIppPaymentData): Promise<PaymentSessionSale> {
    if (!data.session_id) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "Pay in store needs the Medusa payment session id in data.session_id")
    }
    return loadPaymentSessionSale(appContainer, data.session_id)
  }

  /** The device named by the caller, else the store's default for this sale (`chooseDefaultDevice`). */
  private async chooseDevice_(sale: PaymentSessionSale, requested: string | undefined): Promise<string> {
    if (requested) return requested
    const device = await chooseDefaultDevice(
      appContainer,
      { kind: sale.ref.kind, id: sale.ref.id, salesChannelId: sale.salesChannelId },
      this.options_
    )
    if (!device) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        "Choose a device for this payment: pass data.device_id when creating the payment session, or set a default device for this sales channel or location (Settings → In-Person Payments)."
      )
    }
    return device.device_id
  }

  /** Creates the Kustom session for the sale and pushes it to the device. */
  private async dispatch_(
    sale: PaymentSessionSale,
    amount: InitiatePaymentInput["amount"],
    currencyCode: string,
    requestedDevice: string | undefined
  ): Promise<InitiatePaymentOutput> {
    if (sale.completed && sale.ref.kind === "draft_order") {
      // Paid or converted, or an order that never was a draft: what is due on an order after
      // an edit, exchange or claim is a new payment collection of the order, not a sale to map.
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Order #${sale.displayId ?? sale.ref.id} is already an order: Pay in store takes the payment of a cart or a draft order. ` +
          `What is still due on an order (after an order edit, exchange or claim) has to be collected with another payment method.`
      )
    }
    if (sale.completed) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${sale.reference} is already paid and has become an order.`)
    }
    if (sale.ref.kind === "cart") {
      // A cart Medusa would not complete must not be paid for: the money would belong to no order.
      const refusal = await whyCartCannotBecomeOrder(appContainer, sale.sale as unknown as Parameters<typeof whyCartCannotBecomeOrder>[1])
      if (refusal) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          `This cart cannot become an order yet, so nothing was sent to the device: ${refusal.replace(/\.$/, "")}. Fix the cart, then send the payment again.`
        )
      }
    }
    const deviceId = await this.chooseDevice_(sale, requestedDevice)
    const order = mapSaleToKustomOrder(sale.sale)
    const amountMinor = toMinorUnits(amount, currencyCode)
    if (order.purchase_currency !== currencyCode.toUpperCase() || order.order_amount !== amountMinor) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `The sale's total (${formatMinorUnits(order.order_amount, order.purchase_currency)}) differs from the payment amount (${formatMinorUnits(amountMinor, currencyCode)}). Refresh the payment collection and try again.`
      )
    }
    const merchantData: KustomIppMerchantData = {
      payment_session_id: sale.paymentSession.id,
      payment_collection_id: sale.paymentSession.payment_collection_id,
      sale_kind: sale.ref.kind,
      sale_id: sale.ref.id,
    }
    const dispatchedAt = new Date().toISOString()
    const base: KustomIppPaymentData = {
      session_id: sale.paymentSession.id,
      device_id: deviceId,
      kustom_order_id: null,
      order_amount: order.order_amount,
      purchase_currency: order.purchase_currency,
      merchant_reference1: sale.reference,
      sale_kind: sale.ref.kind,
      sale_id: sale.ref.id,
      dispatched_at: dispatchedAt,
      failure_reason: null,
      problem: null,
    }
    let session: Session
    try {
      session = await this.client_.sessions.create(
        {
          device_id: deviceId,
          ...order,
          purchase_started_at: new Date().toISOString(),
          merchant_reference1: sale.reference,
          merchant_reference2: sale.paymentSession.id,
          merchant_data: JSON.stringify(merchantData),
        },
        { locationId: this.options_.locationId }
      )
    } catch (error) {
      if (isKustomIppError(error) && (error.kind === "timeout" || error.kind === "network")) {
        // The session may have reached the device. Creating it again could put two payments
        // on one phone, so look for it instead: Kustom's `created` callback names it. If it has
        // not come yet, this payment waits for it (or for the sweep to give up on it).
        const found = await this.findDispatchedSession_(sale.paymentSession.id, dispatchedAt)
        if (found) {
          const data: KustomIppPaymentData = {
            ...base,
            kustom_session_id: found.session_id,
            kustom_status: found.status,
            location_id: found.location_id ?? this.options_.locationId ?? null,
          }
          return { id: found.session_id, status: PaymentSessionStatus.PENDING, data: providerPaymentData(data) }
        }
        this.logger_.warn(
          `Kustom In-Person Payments: no answer to the dispatch of payment session ${sale.paymentSession.id}; waiting for Kustom to confirm it`
        )
        const data: KustomIppPaymentData = { ...base, location_id: this.options_.locationId ?? null, create_unconfirmed_at: dispatchedAt }
        return { id: `unconfirmed_${sale.paymentSession.id}`, status: PaymentSessionStatus.PENDING, data: providerPaymentData(data) }
      }
      throw toMedusaError(error, "sending the payment to the device")
    }
    const data: KustomIppPaymentData = {
      ...base,
      kustom_session_id: session.session_id,
      kustom_status: session.status,
      location_id: session.location_id ?? this.options_.locationId ?? null,
    }
    return { id: session.session_id, status: PaymentSessionStatus.PENDING, data: providerPaymentData(data) }
  }

  /**
   * The session a timed-out create made, if Kustom's `created` callback for it has arrived:
   * recorded callbacks since the dispatch are read back from Kustom and matched on the payment
   * session id the plugin put in `merchant_data`.
   */
  private async findDispatchedSession_(paymentSessionId: string, dispatchedAt: string): Promise<Session | undefined> {
    const kustomIpp = appContainer.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE, { allowUnregistered: true })
    if (!kustomIpp) return undefined
    const since = new Date(new Date(dispatchedAt).getTime() - 5_000)
    const seen = new Set<string>()
    for (let attempt = 0; attempt < 5; attempt++) {
      const callbacks = await kustomIpp.listKustomIppCallbacks(
        { event_type: "ipp.session.created", created_at: { $gte: since } },
        { select: ["kustom_session_id"], take: 50, order: { created_at: "DESC" } }
      )
      for (const { kustom_session_id: id } of callbacks) {
        if (!id || seen.has(id)) continue
        seen.add(id)
        const session = await this.client_.sessions.get(id).catch(() => undefined)
        if (session && parseMerchantData(session.merchant_data)?.payment_session_id === paymentSessionId) return session
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    return undefined
  }

  private async readStatus_(
    data: KustomIppPaymentData,
    { captureIfConfigured }: { captureIfConfigured: boolean }
  ): Promise<AuthorizePaymentOutput> {
    if (!data.kustom_session_id) {
      if (data.create_unconfirmed_at) return { status: PaymentSessionStatus.PENDING, data }
      return { status: PaymentSessionStatus.ERROR, data: { ...data, problem: "No Kustom session was created for this payment" } }
    }
    const session = await this.getSession_(data.kustom_session_id)
    const next: KustomIppPaymentData = {
      ...data,
      kustom_status: session.status,
      kustom_order_id: session.order_id ?? null,
      // A card declined before the one that paid is history (the callbacks keep it), not the
      // payment's state; while the session is open the last decline stays until another card is tried.
      failure_reason: session.status === "FINALIZED" ? (session.failure_reason ?? null) : (session.failure_reason ?? data.failure_reason ?? null),
    }
    switch (session.status) {
      case "CREATED":
      case "ACTIVE":
        return { status: PaymentSessionStatus.PENDING, data: next }
      case "CANCELLED":
      case "EXPIRED":
        return { status: PaymentSessionStatus.CANCELED, data: { ...next, failure_reason: next.failure_reason ?? session.status.toLowerCase() } }
      case "FAILED":
        return { status: PaymentSessionStatus.ERROR, data: next }
      case "FINALIZED":
        break
    }
    // Only a session sent for this payment's sale, for its amount, pays it: the data is
    // checked against Kustom's own record of the session, not taken on trust.
    const merchant = parseMerchantData(session.merchant_data)
    if (!merchant || merchant.sale_kind !== data.sale_kind || merchant.sale_id !== data.sale_id) {
      return {
        status: PaymentSessionStatus.ERROR,
        data: { ...next, problem: `Kustom session ${session.session_id} was not sent for this sale; it does not pay it` },
      }
    }
    if (typeof data.order_amount !== "number" || session.order_amount !== data.order_amount || session.purchase_currency !== data.purchase_currency) {
      const expected = typeof data.order_amount === "number" ? formatMinorUnits(data.order_amount, data.purchase_currency ?? session.purchase_currency) : "no amount"
      return {
        status: PaymentSessionStatus.ERROR,
        data: { ...next, problem: `Kustom reports ${formatMinorUnits(session.order_amount, session.purchase_currency)} paid; ${expected} was expected` },
      }
    }
    const orderId = session.order_id
    if (!orderId) {
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Kustom session ${session.session_id} is FINALIZED without an order id`)
    }
    if (captureIfConfigured) {
      // Authorizing makes the sale an order paid with this money, whoever asks (the plugin's
      // processing, a storefront completing the cart, Medusa's generic hook): it must be the
      // sale's total now, however the payment session came to be.
      const sale = await loadSaleTotal(appContainer, merchant)
      const totalMinor = sale === null ? null : toMinorUnits(sale.total, sale.currencyCode)
      if (!sale || sale.currencyCode.toUpperCase() !== session.purchase_currency || totalMinor !== session.order_amount) {
        const now = sale === null ? "no longer exists" : `now totals ${formatMinorUnits(totalMinor as number, sale.currencyCode)}`
        return {
          status: PaymentSessionStatus.ERROR,
          data: { ...next, problem: `Kustom reports ${formatMinorUnits(session.order_amount, session.purchase_currency)} paid, but the sale ${now}; it does not pay it` },
        }
      }
    }
    let order = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    if (captureIfConfigured && (order.refunded_amount > 0 || order.status === "CANCELLED" || order.status === "EXPIRED")) {
      // Given back (as a payment problem asks) or released in Kustom: it pays nothing any more.
      const what = order.refunded_amount > 0 ? `has given back ${formatMinorUnits(order.refunded_amount, order.purchase_currency)} of this payment` : `shows this payment ${order.status.toLowerCase()}`
      return { status: PaymentSessionStatus.ERROR, data: { ...next, ...orderAmounts(order), problem: `Kustom ${what}; it no longer pays the sale` } }
    }
    if (captureIfConfigured && this.options_.capture && order.remaining_authorized_amount > 0) {
      order = await this.captureRemaining_(orderId, idempotencyKeyFor("capture-on-payment", orderId))
    }
    const captured = order.captured_amount >= order.order_amount
    return {
      status: captured ? PaymentSessionStatus.CAPTURED : PaymentSessionStatus.AUTHORIZED,
      data: { ...next, ...orderAmounts(order) },
    }
  }

  private async captureRemaining_(orderId: string, idempotencyKey: string): Promise<Order> {
    const order = await this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
    if (order.remaining_authorized_amount <= 0) return order
    await this.call_("capturing the payment", () =>
      this.client_.orders.capture(orderId, { captured_amount: order.remaining_authorized_amount }, { idempotencyKey })
    )
    return this.call_("reading the Kustom order", () => this.client_.orders.get(orderId))
  }

  private async requireOrderId_(data: KustomIppPaymentData): Promise<string> {
    if (data.kustom_order_id) return data.kustom_order_id
    if (data.kustom_session_id) {
      const session = await this.getSession_(data.kustom_session_id)
      if (session.order_id) return session.order_id
    }
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This in-store payment has no Kustom order yet: it was not paid on the device.")
  }

  private async getSession_(sessionId: string): Promise<Session> {
    return this.call_("reading the payment session", () => this.client_.sessions.get(sessionId))
  }

  /** Cancels an open session; one that ended meanwhile is left as it is. */
  private async cancelOpenSession_(sessionId: string): Promise<Session | undefined> {
    try {
      return await this.client_.sessions.cancel(sessionId)
    } catch (error) {
      if (error instanceof KustomIppApiError && error.status === 409) return undefined
      throw toMedusaError(error, "cancelling the payment on the device")
    }
  }

  private async call_<T>(doing: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action()
    } catch (error) {
      throw toMedusaError(error, doing)
    }
  }
}

/**
 * An amount to capture or refund, in minor units. A card payment moves whole minor units only,
 * so a fraction of one (0.005 SEK) is refused, with one exception: the capture or refund that
 * completes the payment in Medusa. Medusa can keep a total with more decimals than its currency
 * has (a JPY total of 9125.6 with tax added on top); the session sent Kustom that total rounded
 * half up, and the completing amount rounded the same way is exactly what Kustom has left.
 */
function toExactMinorUnits(doing: "capture" | "refund", amount: BigNumberInput, currency: string, completes: boolean): number {
  const exact = exactMinorUnits(amount, currency)
  if (exact !== null) return exact
  if (completes) return toMinorUnits(amount, currency)
  const code = currency.toUpperCase()
  throw new MedusaError(
    MedusaError.Types.INVALID_DATA,
    `Cannot ${doing} ${MathBN.convert(amount).toString()} ${code}: amounts in ${code} are whole multiples of ${fromMinorUnits(1, code)}, and a card payment cannot move a fraction of that. Nothing was ${doing === "capture" ? "captured" : "refunded"}.`
  )
}

/**
 * The amount that completes the payment, when it holds a fraction of a minor unit: what Kustom
 * has left. Medusa's books can hold a total with more decimals than the currency (5 505.5 JPY,
 * or refunds of 150 and 330.005 SEK on 480), and the completing amount rounded on its own can
 * come out one minor unit above what Kustom holds; the difference is under one minor unit.
 */
function completingRemainder(amount: number, left: number, completesWithFraction: boolean): number {
  return completesWithFraction && Math.abs(amount - left) <= 1 ? left : amount
}

function orderAmounts(order: Order): Partial<KustomIppPaymentData> {
  return {
    kustom_order_id: order.order_id,
    captured_amount: order.captured_amount,
    refunded_amount: order.refunded_amount,
  }
}

export default KustomIppPaymentProviderService
