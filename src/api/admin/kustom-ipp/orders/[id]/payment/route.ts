import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MathBN } from "@medusajs/framework/utils"
import type { OrderStatus } from "../../../../../../lib/kustom-ipp"
import { currencyExponent, toMinorUnits } from "../../../../../../lib/session-mapping/minor-units"
import { PROVIDER_ID_PREFIX, readPaymentData } from "../../../../../../providers/pay-in-store/payment-data"
import { withoutDirectionControls } from "../../../../../../lib/text"
import { kustomModule, notFound } from "../../../helpers"
import { mayBeOnDevice } from "../../../../../../workflows/withdraw-order-in-store-payments"
import { sessionCallbacks, type CallbackView } from "../../../draft-orders/payment-view"
import { viewPaymentProblem, type InStorePaymentProblem, type PaymentProblemRecord } from "../../../payment-problems/view"

export type OrderInStorePayment = {
  payment_id: string
  provider_id: string
  currency_code: string
  currency_exponent: number
  /** Minor units throughout. */
  amount: number
  device_id: string | null
  /** Null when the device has since been removed (or Kustom could not be asked). */
  device_name: string | null
  kustom_session_id: string | null
  kustom_status: string | null
  kustom_order_id: string | null
  kustom_order_status: OrderStatus | null
  captured_amount: number
  refunded_amount: number
  /** Authorized in Kustom and not captured (null when Kustom could not be asked just now). */
  remaining_authorized_amount: number | null
  /** What Medusa records as captured and refunded on this payment, to compare with Kustom's. */
  medusa_captured_amount: number
  medusa_refunded_amount: number
  /** True when the amounts come from Kustom just now; false when they are the last ones recorded. */
  live: boolean
  captured_at: string | null
  canceled_at: string | null
  refunds: { id: string; amount: number; created_at: string; note: string | null }[]
  kustom_refunds: { refund_id: string; refunded_amount: number; refunded_at: string | null }[]
  callbacks: CallbackView[]
}

/**
 * A payment still waiting on a device for this order: sent for a draft order that was then
 * converted in Medusa. Paid, it is recorded on the order; it can be cancelled from here.
 */
export type OrderWaitingInStorePayment = {
  payment_session_id: string
  currency_code: string
  currency_exponent: number
  /** What the device asks for, in minor units. */
  amount: number | null
  device_id: string | null
  /** Null when the device has since been removed (or Kustom could not be asked). */
  device_name: string | null
  kustom_session_id: string
  kustom_status: string | null
}

/**
 * Money taken on a device that is recorded on no payment of this order. Kept after the payment
 * is sent again (Medusa then deletes the payment session it was noted on).
 */
export type OrderInStorePaymentProblem = InStorePaymentProblem

type PaymentSessionRow = {
  id: string
  provider_id: string
  status: string
  currency_code: string
  data: Record<string, unknown> | null
}

type PaymentRow = {
  id: string
  provider_id: string
  amount: number
  currency_code: string
  data: Record<string, unknown> | null
  captured_at: string | Date | null
  canceled_at: string | Date | null
  refunds?: { id: string; amount: number; created_at: string | Date; note?: string | null }[] | null
  captures?: { amount: number }[] | null
}

const totalOf = (rows: { amount: number }[] | null | undefined, currency: string) =>
  toMinorUnits((rows ?? []).reduce((sum, row) => MathBN.add(sum, row.amount), MathBN.convert(0)), currency)

const iso = (value: string | Date | null | undefined) => (value ? new Date(value).toISOString() : null)

/**
 * The order's "Pay in store" payments: device, Kustom ids and status, captures, refunds and
 * callbacks; money taken on a device that no payment records (`problems`); and payments still
 * waiting on a device (`waiting`: a draft order converted while its payment was on a device).
 */
export const GET = async (
  req: AuthenticatedMedusaRequest,
  res: MedusaResponse<{ payments: OrderInStorePayment[]; problems: OrderInStorePaymentProblem[]; waiting: OrderWaitingInStorePayment[] }>
) => {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const {
    data: [order],
  } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "cart.id",
      "payment_collections.payments.id",
      "payment_collections.payments.provider_id",
      "payment_collections.payments.amount",
      "payment_collections.payments.currency_code",
      "payment_collections.payments.data",
      "payment_collections.payments.captured_at",
      "payment_collections.payments.canceled_at",
      "payment_collections.payments.refunds.id",
      "payment_collections.payments.refunds.amount",
      "payment_collections.payments.refunds.created_at",
      "payment_collections.payments.refunds.note",
      "payment_collections.payments.captures.amount",
      "payment_collections.payment_sessions.id",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payment_sessions.status",
      "payment_collections.payment_sessions.currency_code",
      "payment_collections.payment_sessions.data",
    ],
    filters: { id: req.params.id },
  })
  if (!order) throw notFound(`Order ${req.params.id} was not found`)
  const kustom = kustomModule(req.scope)
  const collections = (order as { payment_collections?: ({ payments?: PaymentRow[]; payment_sessions?: PaymentSessionRow[] } | null)[] }).payment_collections ?? []
  const rows = collections.flatMap((collection) => collection?.payments ?? []).filter((payment) => payment?.provider_id?.startsWith(PROVIDER_ID_PREFIX))
  // Problems noted on a payment session before the plugin kept them in its module.
  const flagged = collections
    .flatMap((collection) => collection?.payment_sessions ?? [])
    .filter((session) => session?.provider_id?.startsWith(PROVIDER_ID_PREFIX) && session.status === "error")
    .map((session) => ({ session, data: readPaymentData(session.data) }))
    // Only money taken: a dispatch that never reached a device is history, not a problem.
    .filter(({ data }) => data.kustom_status === "FINALIZED" && Boolean(data.problem) && Boolean(data.kustom_session_id))
    .map(({ session, data }): PaymentProblemRecord => ({
      kustom_session_id: data.kustom_session_id as string,
      kustom_order_id: data.kustom_order_id ?? null,
      payment_session_id: session.id,
      device_id: data.device_id ?? null,
      currency_code: session.currency_code,
      paid_amount: data.order_amount ?? null,
      problem: data.problem as string,
    }))
  /** A device's name as shown; null when it was removed or Kustom could not be asked. */
  const deviceNameOf = async (deviceId: string | undefined) =>
    deviceId ? kustom.client.devices.get(deviceId).then((device) => withoutDirectionControls(device.name), () => null) : null
  const waiting = await Promise.all(
    collections
      .flatMap((collection) => collection?.payment_sessions ?? [])
      .filter((session) => session?.provider_id?.startsWith(PROVIDER_ID_PREFIX) && session.status === "pending")
      .map((session) => ({ session, data: readPaymentData(session.data) }))
      .filter(({ data }) => mayBeOnDevice(data))
      .map(async ({ session, data }): Promise<OrderWaitingInStorePayment> => {
        return {
          payment_session_id: session.id,
          currency_code: session.currency_code,
          currency_exponent: currencyExponent(session.currency_code),
          amount: data.order_amount ?? null,
          device_id: data.device_id ?? null,
          device_name: await deviceNameOf(data.device_id),
          kustom_session_id: data.kustom_session_id as string,
          kustom_status: data.kustom_status ?? null,
        }
      })
  )
  const saleIds = [order.id, (order as { cart?: { id: string } | null }).cart?.id].filter((id): id is string => Boolean(id))
  const kept = await kustom.listKustomIppPaymentProblems({ sale_id: saleIds }, { order: { created_at: "ASC" } })
  const problems = await Promise.all(
    [...kept, ...flagged.filter((noted) => !kept.some((row) => row.kustom_session_id === noted.kustom_session_id))].map((record) =>
      viewPaymentProblem(record, kustom.client)
    )
  )

  const payments = await Promise.all(
    rows.map(async (payment): Promise<OrderInStorePayment> => {
      const data = readPaymentData(payment.data)
      const currency = payment.currency_code
      const [kustomOrder, deviceName, callbacks] = await Promise.all([
        data.kustom_order_id ? kustom.client.orders.get(data.kustom_order_id).catch(() => null) : Promise.resolve(null),
        deviceNameOf(data.device_id),
        sessionCallbacks(req.scope, data.kustom_session_id),
      ])
      return {
        payment_id: payment.id,
        provider_id: payment.provider_id,
        currency_code: currency,
        currency_exponent: currencyExponent(currency),
        amount: toMinorUnits(payment.amount, currency),
        device_id: data.device_id ?? null,
        device_name: deviceName,
        kustom_session_id: data.kustom_session_id ?? null,
        kustom_status: data.kustom_status ?? null,
        kustom_order_id: data.kustom_order_id ?? null,
        kustom_order_status: kustomOrder?.status ?? null,
        captured_amount: kustomOrder?.captured_amount ?? data.captured_amount ?? 0,
        refunded_amount: kustomOrder?.refunded_amount ?? data.refunded_amount ?? 0,
        remaining_authorized_amount: kustomOrder?.remaining_authorized_amount ?? null,
        medusa_captured_amount: totalOf(payment.captures, currency),
        medusa_refunded_amount: totalOf(payment.refunds, currency),
        live: Boolean(kustomOrder),
        captured_at: iso(payment.captured_at),
        canceled_at: iso(payment.canceled_at),
        refunds: (payment.refunds ?? []).map((refund) => ({
          id: refund.id,
          amount: toMinorUnits(refund.amount, currency),
          created_at: new Date(refund.created_at).toISOString(),
          note: refund.note ?? null,
        })),
        kustom_refunds: (kustomOrder?.refunds ?? []).map((refund) => ({
          refund_id: refund.refund_id,
          refunded_amount: refund.refunded_amount,
          refunded_at: refund.refunded_at ?? null,
        })),
        callbacks,
      }
    })
  )
  res.json({ payments, problems, waiting })
}
