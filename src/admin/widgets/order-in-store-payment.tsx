import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { CheckCircleSolid, ExclamationCircleSolid } from "@medusajs/icons"
import { Badge, Button, Container, Heading, StatusBadge, Text, toast } from "@medusajs/ui"
import { useEffect, useState } from "react"
import {
  errorMessage,
  runMutation,
  useCancelDraftOrderPayment,
  useOrderInStorePayments,
  type OrderInStorePayment,
  type OrderInStorePaymentProblem,
  type OrderWaitingInStorePayment,
} from "../lib/api"
import { describeFailure, eventLabel, formatDateTime, formatMinor, formatTime, kustomStatusLabel } from "../lib/format"
import { useCancelPaymentPrompt } from "../lib/cancel-prompt"
import { heldAfterCancel, holdingsOf, lapsingAfterCancel, paymentStatusOf, givenBackText, refundedOnlyInKustom } from "../lib/order-payment"
import { CopyableId } from "../components/copyable-id"

const HEADING_ID = "order-in-store-payment-heading"

const ORDER_STATUS_COLORS: Record<string, "green" | "orange" | "grey" | "red" | "blue"> = {
  REFUNDED: "grey",
  PART_REFUNDED: "orange",
  CAPTURED: "green",
  PART_CAPTURED: "orange",
  AUTHORIZED: "blue",
  CANCELLED: "grey",
  EXPIRED: "grey",
  CLOSED: "grey",
}

/** One term of the payment's description list: a real <dt>/<dd> pair, so screen readers read them as such. */
const Row = ({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) => (
  <div className="contents" data-testid={testId}>
    <Text size="small" leading="compact" className="text-ui-fg-subtle" asChild>
      <dt>{label}</dt>
    </Text>
    <Text size="small" leading="compact" className="break-all" asChild>
      <dd>{children}</dd>
    </Text>
  </div>
)

const PaymentDetails = ({ payment, orderStatus }: { payment: OrderInStorePayment; orderStatus: string | undefined }) => {
  const money = (amount: number) => formatMinor(amount, payment.currency_code, payment.currency_exponent)
  const status = paymentStatusOf(payment)
  const held = heldAfterCancel(payment, orderStatus)
  const lapsing = lapsingAfterCancel(payment, orderStatus)
  const kustomOnlyRefund = refundedOnlyInKustom(payment)
  const holds = holdingsOf(payment)
  return (
    <div className="flex flex-col divide-y" data-testid="kustom-ipp-order-payment">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 px-6 py-4">
        <Row label="Device" testId="order-payment-device">
          {payment.device_name ?? (payment.device_id ? "A removed device" : "—")}
          {payment.device_id && <span className="text-ui-fg-muted block text-xs">{payment.device_id}</span>}
        </Row>
        <Row label="IPP session" testId="order-payment-session">
          {payment.kustom_session_id ? <CopyableId id={payment.kustom_session_id} label="IPP session id" /> : "—"}
        </Row>
        <Row label="Kustom order" testId="order-payment-kustom-order">
          {payment.kustom_order_id ? <CopyableId id={payment.kustom_order_id} label="Kustom order id" /> : "—"}
        </Row>
        <Row label="Status">
          {status ? (
            <StatusBadge color={ORDER_STATUS_COLORS[status] ?? "blue"} data-testid="order-payment-status">
              {kustomStatusLabel(status)}
            </StatusBadge>
          ) : (
            "—"
          )}
        </Row>
        <Row label="Captured" testId="order-payment-captured">
          {money(payment.captured_amount)}
        </Row>
        <Row label="Refunded" testId="order-payment-refunded">
          {money(payment.refunded_amount)}
        </Row>
        {/* A hold still on the card: not yet captured, or left after a partial capture (Kustom has no partial release). */}
        {(payment.remaining_authorized_amount ?? 0) > 0 && (
          <Row label="Authorized, not captured" testId="order-payment-authorized">
            {money(payment.remaining_authorized_amount ?? 0)}
          </Row>
        )}
      </dl>
      {held > 0 && (
        <div className="flex items-start gap-x-2 px-6 py-4" role="status" data-testid="order-payment-held-after-cancel">
          <ExclamationCircleSolid className="text-ui-tag-orange-icon mt-0.5 shrink-0" aria-hidden />
          <Text size="small">
            This order is cancelled, and Kustom still holds {money(held)} of this payment. It is given back by itself (refunded, or
            the authorization released) within about three minutes. If this note stays, Kustom could not be reached: look for
            "Kustom In-Person Payments" errors in the server log.
          </Text>
        </div>
      )}
      {lapsing > 0 && (
        <div className="flex items-start gap-x-2 px-6 py-4" role="status" data-testid="order-payment-lapsing-after-cancel">
          <ExclamationCircleSolid className="text-ui-tag-orange-icon mt-0.5 shrink-0" aria-hidden />
          <Text size="small">
            This order is cancelled, and {money(lapsing)} of this payment is still authorized on the customer's card (never
            captured). Kustom's API cannot release part of an authorization: it lapses by itself, or cancel it in Kustom's portal.
            Medusa's "Capture payment" on this order is refused.
          </Text>
        </div>
      )}
      {payment.live && holds.kustom !== holds.medusa && (
        <div className="flex items-start gap-x-2 px-6 py-4" role="alert" data-testid="order-payment-disagree">
          <ExclamationCircleSolid className="text-ui-tag-orange-icon mt-0.5 shrink-0" aria-hidden />
          <Text size="small">
            Kustom holds {money(holds.kustom)} of this payment (captured{" "}
            {money(payment.captured_amount)}, refunded {money(payment.refunded_amount)}); Medusa records{" "}
            {money(holds.medusa)}. Most often Kustom's answer to a capture or
            refund was lost: do the same capture or refund again in Medusa, and what Kustom already did is counted, so nothing
            moves twice. A capture or refund made in Kustom's portal explains it too.
          </Text>
        </div>
      )}
      {(payment.refunds.length > 0 || kustomOnlyRefund > 0) && (
        <div className="flex flex-col gap-y-1 px-6 py-4" data-testid="order-payment-refunds">
          {/* A heading and a list, for screen readers to find and count them. */}
          <Text size="small" weight="plus" asChild>
            <h3>Refunds</h3>
          </Text>
          <ul className="flex flex-col gap-y-1">
            {payment.refunds.map((refund) => (
              <li key={refund.id} className="flex justify-between gap-x-2">
                <Text size="small" className="text-ui-fg-subtle">
                  {formatDateTime(refund.created_at)}
                  {refund.note ? ` · ${refund.note}` : ""}
                </Text>
                <Text size="small">{money(refund.amount)}</Text>
              </li>
            ))}
            {kustomOnlyRefund > 0 && (
              <li className="flex justify-between gap-x-2" data-testid="order-payment-kustom-only-refund">
                <Text size="small" className="text-ui-fg-subtle">
                  In Kustom only: captured and refunded there with no record in Medusa (most often a capture whose answer was lost,
                  given back when the order was cancelled)
                </Text>
                <Text size="small">{money(kustomOnlyRefund)}</Text>
              </li>
            )}
          </ul>
        </div>
      )}
      <div className="flex flex-col gap-y-1 px-6 py-4" data-testid="order-payment-callbacks">
        <Text size="small" weight="plus" asChild>
          <h3>Callbacks from Kustom</h3>
        </Text>
        {payment.callbacks.length ? (
          <ul className="flex flex-col gap-y-1">
            {payment.callbacks.map((callback, index) => (
              <li key={index} className="flex items-center justify-between gap-x-2" data-testid="order-payment-callback">
                <Text size="small" title={callback.event_type}>
                  {eventLabel(callback.event_type)}
                  {callback.failure_reason ? `: ${describeFailure(callback.failure_reason)}` : ""}
                </Text>
                <div className="flex items-center gap-x-2">
                  <Text size="xsmall" className="text-ui-fg-muted" title={formatDateTime(callback.received_at)}>
                    {formatTime(callback.received_at)}
                  </Text>
                  <Badge size="2xsmall" color={callback.signature_ok ? "green" : "red"}>
                    {callback.signature_ok ? "signed" : "bad signature"}
                  </Badge>
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <Text size="small" className="text-ui-fg-subtle">
            None recorded for this payment.
          </Text>
        )}
      </div>
      {!payment.live && payment.kustom_order_id && (
        <div className="px-6 py-2">
          <Text size="xsmall" className="text-ui-fg-muted">
            Kustom could not be asked just now; amounts are the last ones recorded.
          </Text>
        </div>
      )}
    </div>
  )
}

/** Money taken on a device that this order does not record: what happened and what to do. */
const PaymentProblem = ({ problem }: { problem: OrderInStorePaymentProblem }) => (
  <div className="flex flex-col gap-y-2 px-6 py-4" role={problem.resolved ? undefined : "alert"} data-testid="kustom-ipp-order-problem" data-resolved={problem.resolved}>
    <div className="flex items-start gap-x-2">
      {problem.resolved ? (
        <CheckCircleSolid className="text-ui-tag-green-icon mt-0.5 shrink-0" aria-hidden />
      ) : (
        <ExclamationCircleSolid className="text-ui-tag-red-icon mt-0.5 shrink-0" aria-hidden />
      )}
      <Text size="small" className={problem.resolved ? "text-ui-fg-subtle" : undefined}>
        {givenBackText(problem)}
        {problem.problem}
      </Text>
    </div>
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1">
      <Row label="IPP session">
        <CopyableId id={problem.kustom_session_id} label="IPP session id" />
      </Row>
      <Row label="Kustom order">{problem.kustom_order_id ? <CopyableId id={problem.kustom_order_id} label="Kustom order id" /> : "—"}</Row>
    </dl>
  </div>
)

/**
 * A payment still on a device for this order: sent for its draft order, which was converted in
 * Medusa meanwhile. Paid, it is recorded on the order; otherwise it is cancelled from here (the
 * draft order's page now opens the order).
 */
const WaitingPayment = ({ orderId, waiting }: { orderId: string; waiting: OrderWaitingInStorePayment }) => {
  const cancel = useCancelDraftOrderPayment(orderId)
  const doCancel = useCancelPaymentPrompt(
    () =>
      runMutation(cancel, undefined, {
        onSuccess: () => {
          // It says what to do next, so it stays long enough to be read.
          toast.success("The payment is off the device", {
            description: "This order is no longer a draft, so Pay in store cannot send it again: collect it with Medusa's payment link, or mark it as paid.",
            duration: 15_000,
            dismissable: true,
          })
          // This part of the card, with its button, goes away: focus the card's heading.
          document.getElementById(HEADING_ID)?.focus()
        },
      }),
    "The clerk's phone stops asking for the card."
  )
  const device = waiting.device_name ?? waiting.device_id ?? "a device"
  return (
    <div className="flex flex-col gap-y-2 px-6 py-4" data-testid="order-payment-waiting">
      <Text size="small">
        {formatMinor(waiting.amount, waiting.currency_code, waiting.currency_exponent)} is waiting on {device}
        {waiting.kustom_status === "ACTIVE" ? ", where the clerk is taking it" : ""}. It was sent before the draft order was converted; when
        the customer pays, the payment is recorded on this order.
      </Text>
      {cancel.error ? (
        <Text size="small" className="text-ui-fg-error" role="alert">
          {errorMessage(cancel.error)}
        </Text>
      ) : null}
      <div>
        <Button size="small" variant="secondary" onClick={doCancel} isLoading={cancel.isPending} data-testid="order-payment-waiting-cancel">
          Cancel payment
        </Button>
      </div>
    </div>
  )
}

/**
 * On an order paid in store: the device, the Kustom session and order, the amounts captured and
 * refunded in Kustom (refunds made with Medusa's own refund action reach Kustom and show here),
 * and the callbacks Kustom sent for the payment. Money taken on a device that the order does not
 * record (paid after the order was cancelled, or for an amount that no longer matched) is shown
 * first, as it needs someone to act.
 */
const OrderInStorePaymentWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data } = useOrderInStorePayments(order.id)
  const payments = data?.payments ?? []
  const problems = data?.problems ?? []
  const waiting = data?.waiting ?? []
  const open = problems.filter((problem) => !problem.resolved)
  const empty = !payments.length && !problems.length && !waiting.length
  // A card that empties while the page is open (its waiting payment cancelled) stays, saying so:
  // focus was moved to its heading, and the card going away would take it to the page.
  const [wasShown, setWasShown] = useState(false)
  useEffect(() => {
    if (!empty) setWasShown(true)
  }, [empty])
  if (empty && !wasShown) return null
  return (
    <Container className="divide-y p-0" data-testid="order-in-store-payment">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2" id={HEADING_ID} tabIndex={-1} className="outline-none">
          In-store payment
        </Heading>
        {open.length ? (
          <StatusBadge color="red" data-testid="order-payment-needs-attention">
            Needs attention
          </StatusBadge>
        ) : (
          <Badge size="2xsmall">Kustom</Badge>
        )}
      </div>
      {problems.map((problem) => (
        <PaymentProblem key={problem.kustom_session_id} problem={problem} />
      ))}
      {waiting.map((payment) => (
        <WaitingPayment key={payment.payment_session_id} orderId={order.id} waiting={payment} />
      ))}
      {payments.map((payment) => (
        <PaymentDetails key={payment.payment_id} payment={payment} orderStatus={order.status} />
      ))}
      {empty && (
        <div className="px-6 py-4" data-testid="order-payment-none-waiting">
          <Text size="small" className="text-ui-fg-subtle">
            No payment is waiting on a device for this order any more.
          </Text>
        </div>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.details.side.after",
})

export default OrderInStorePaymentWidget
