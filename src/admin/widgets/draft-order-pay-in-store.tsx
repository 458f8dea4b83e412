import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminDraftOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { CheckCircleSolid, CircleHalfDottedClock, ExclamationCircleSolid, Spinner, CircleXmarkSolid } from "@medusajs/icons"
import { Button, Container, Heading, StatusBadge, Text, clx, toast } from "@medusajs/ui"
import { useEffect, useRef, useState } from "react"
import { Link, useNavigate } from "react-router-dom"
import { DeviceSelect } from "../components/device-select"
import { isDeviceError, unlistedDeviceLabel } from "../lib/devices"
import { useCancelPaymentPrompt } from "../lib/cancel-prompt"
import { errorMessage, useCancelDraftOrderPayment, useDevices, useDraftOrderPayment, useSendToDevice } from "../lib/api"
import { describeFailure, formatMinor, formatTime } from "../lib/format"
import { ENDED_PHASES, OPEN_PHASES, badgeOf, phaseAnnouncement, phaseOf, stepStateLabel, stepsOf } from "../lib/payment-phase"

/**
 * "Pay in store" on a draft order: choose a device (the last one used is preselected), send the
 * payment to it, and follow it live — sent, on the device, clerk chose a payment method, paid;
 * or declined, cancelled, expired. Cancel it from here, or send it again. Once paid, the draft
 * is an order and this links to it; a draft page opened when it is already an order goes to the
 * order, since Medusa's own draft actions ("Convert to order") no longer work on it.
 */
const DraftOrderPayInStoreWidget = ({ data: draft }: DetailWidgetProps<AdminDraftOrder>) => {
  const [deviceId, setDeviceId] = useState<string | null>(null)
  const [wantsResend, setWantsResend] = useState(false)
  const { data: view, isError, error, isFetchedAfterMount } = useDraftOrderPayment(draft.id, (current) => {
    const phase = phaseOf(current)
    return OPEN_PHASES.includes(phase) ? 1_500 : phase === "paid" ? false : 10_000
  })
  const devices = useDevices()
  const send = useSendToDevice(draft.id)
  const cancel = useCancelDraftOrderPayment(draft.id)
  // The status badge is also the widget's live region, and where focus goes once the button
  // that sent or cancelled the payment is gone.
  const statusRef = useRef<HTMLSpanElement>(null)
  const deviceSelectRef = useRef<HTMLButtonElement>(null)
  const focusDeviceSelectNext = useRef(false)
  const doCancel = useCancelPaymentPrompt(
    () => cancel.mutate(undefined, { onSuccess: () => statusRef.current?.focus() }),
    "The clerk's phone stops asking for the card. You can send the payment again afterwards."
  )
  const phase = phaseOf(view)
  const deviceList = devices.data?.devices ?? []
  // Removed while chosen (the list is Kustom's, fetched again): sending to it can only fail.
  const chosenRemoved = Boolean(deviceId) && Boolean(devices.data) && !deviceList.some((device) => device.id === deviceId)
  const navigate = useNavigate()
  const firstView = useRef(true)

  // Opened for a draft that is already paid or converted (by the first answer fetched for this
  // page, not one cached from an earlier visit): go to its order, replacing this page in the
  // history so Back does not return here. One paid while the page is open stays, and shows the
  // paid state with the link.
  useEffect(() => {
    if (!view || !isFetchedAfterMount || !firstView.current) return
    firstView.current = false
    if (view.sale.completed && view.sale.order_id) {
      toast.info(`This draft order is now order${view.sale.display_id ? ` #${view.sale.display_id}` : ""}`, {
        description: "It was paid in store or converted, so it is shown as an order.",
      })
      navigate(`/orders/${view.sale.order_id}`, { replace: true })
    }
  }, [view, isFetchedAfterMount, navigate])

  // Preselect the suggested device once it is known (the last one used, or a default).
  useEffect(() => {
    if (deviceId || !devices.data) return
    const suggested = view?.suggested_device_id
    const preferred = deviceList.find((device) => device.id === suggested) ?? (deviceList.length === 1 ? deviceList[0] : undefined)
    if (preferred) setDeviceId(preferred.id)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view?.suggested_device_id, devices.data])

  useEffect(() => {
    if (!OPEN_PHASES.includes(phase)) setWantsResend(false)
  }, [phase])

  // "Send again…" opens the form: the device to send to is the next thing to choose.
  useEffect(() => {
    if (!wantsResend || !focusDeviceSelectNext.current) return
    focusDeviceSelectNext.current = false
    deviceSelectRef.current?.focus()
  }, [wantsResend])

  if (isError) {
    return (
      <Container className="px-6 py-4">
        <Heading level="h2">Pay in store</Heading>
        <Text size="small" className="text-ui-fg-error mt-2">
          {errorMessage(error)}
        </Text>
      </Container>
    )
  }
  if (!view) return null

  const payment = view.payment
  const deviceName = (id: string | null | undefined) =>
    id ? unlistedDeviceLabel(id, { all: deviceList, unavailable: devices.isError && !devices.data, loading: devices.isPending }) : "—"
  const badge = badgeOf(phase, view)
  // While the clerk is taking the card (a declined card can be retried on the phone), sending
  // again is refused by the server: it would pull the payment from under the clerk.
  const clerkIsCollecting = phase === "active" || phase === "declined"
  const showSendForm = phase === "idle" || ENDED_PHASES.includes(phase) || (wantsResend && !clerkIsCollecting)
  const amount = payment?.order_amount != null ? formatMinor(payment.order_amount, payment.currency_code, view.currency_exponent) : null

  const doSend = () => {
    if (!deviceId) return
    send.mutate(deviceId, {
      onSuccess: () => {
        setWantsResend(false)
        statusRef.current?.focus()
      },
      // The device field is marked invalid and described by the error: back to it.
      onError: () => deviceSelectRef.current?.focus(),
    })
  }
  const toggleResend = () => {
    focusDeviceSelectNext.current = !wantsResend
    setWantsResend(!wantsResend)
  }
  const actionError = send.error ?? cancel.error

  return (
    <Container className="divide-y p-0" data-testid="pay-in-store-widget">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2">Pay in store</Heading>
        {/* A polite live region, present before the phase changes, so each change is announced in words. */}
        <StatusBadge
          ref={statusRef}
          color={badge.color}
          role="status"
          tabIndex={-1}
          className="focus-visible:shadow-borders-interactive-with-focus outline-none"
          data-testid="pay-in-store-status"
          data-phase={phase}
        >
          <span className="sr-only">{phaseAnnouncement(phase, view)}</span>
          <span aria-hidden>{badge.label}</span>
        </StatusBadge>
      </div>

      {phase === "paid" ? (
        <div className="flex flex-col gap-y-3 px-6 py-4" data-testid="pay-in-store-paid">
          {view.captured !== null && (
            <div className="flex items-center gap-x-2">
              <CheckCircleSolid className="text-ui-tag-green-icon" aria-hidden />
              <Text size="small" weight="plus">
                {view.captured ? "Paid" : "Authorized"} on {deviceName(payment?.device_id)}
                {amount ? ` · ${amount}` : ""}
              </Text>
            </div>
          )}
          {view.captured === false && (
            <Text size="small" className="text-ui-fg-subtle" data-testid="pay-in-store-not-captured">
              The card was accepted. This store captures payments by hand, so Kustom holds the amount on the customer's card
              until it is captured: capture it on the order.
            </Text>
          )}
          <div className="bg-ui-bg-subtle border-ui-border-base rounded-md border px-3 py-2" role="status" data-testid="pay-in-store-now-order">
            <Text size="small" weight="plus">
              This draft is now order{view.sale.display_id ? ` #${view.sale.display_id}` : ""}.
            </Text>
            <Text size="small" className="text-ui-fg-subtle">
              {view.captured === null ? "It was converted in Medusa." : "It became an order as soon as the payment was made."} The draft order actions on this page, such as "Convert to
              order", no longer apply: continue on the order.
            </Text>
          </div>
          {view.sale.order_id && (
            <Button size="small" variant="secondary" asChild>
              <Link to={`/orders/${view.sale.order_id}`} data-testid="pay-in-store-order-link">
                View order{view.sale.display_id ? ` #${view.sale.display_id}` : ""}
              </Link>
            </Button>
          )}
        </div>
      ) : payment && phase !== "idle" ? (
        <div className="flex flex-col gap-y-3 px-6 py-4" data-testid="pay-in-store-progress">
          <Text size="small" className="text-ui-fg-subtle">
            {amount ? `${amount} to ` : "To "}
            <span className="text-ui-fg-base font-medium" data-testid="pay-in-store-device-name">
              {deviceName(payment.device_id)}
            </span>
          </Text>
          {phase === "unconfirmed" ? (
            <div className="flex items-start gap-x-2">
              <Spinner className="text-ui-fg-interactive mt-0.5 animate-spin" aria-hidden />
              <Text size="small">
                Kustom did not confirm the payment in time. It may already be on the device — waiting for Kustom to say so. If
                nothing shows on the phone within a minute, send it again.
              </Text>
            </div>
          ) : ENDED_PHASES.includes(phase) ? (
            <div
              className="flex items-start gap-x-2"
              role={phase === "problem" || phase === "failed" ? "alert" : "status"}
              data-testid="pay-in-store-ended"
            >
              {phase === "problem" || phase === "failed" ? (
                <ExclamationCircleSolid className="text-ui-tag-red-icon mt-0.5 shrink-0" aria-hidden />
              ) : (
                <CircleXmarkSolid className="text-ui-fg-muted mt-0.5 shrink-0" aria-hidden />
              )}
              <Text size="small">
                {phase === "problem"
                  ? payment.problem
                  : phase === "cancelled"
                    ? "The payment was cancelled. Nothing was charged."
                    : phase === "expired"
                      ? "Nobody paid in time, so the payment expired on the device. Nothing was charged."
                      : `The payment failed${payment.failure_reason ? `: ${describeFailure(payment.failure_reason)}` : ""}. Nothing was charged.`}
              </Text>
            </div>
          ) : (
            <ol className="flex flex-col gap-y-2" data-testid="pay-in-store-steps">
              {stepsOf(phase, view).map((step) => (
                <li
                  key={step.key}
                  className="flex items-center gap-x-2"
                  aria-current={step.current ? "step" : undefined}
                  data-testid={`pay-in-store-step-${step.key}`}
                  data-done={step.done}
                >
                  {/* The icon shows the step's state; the hidden text says it. */}
                  {step.done ? (
                    <CheckCircleSolid className="text-ui-tag-green-icon shrink-0" aria-hidden />
                  ) : step.current ? (
                    <Spinner className="text-ui-fg-interactive shrink-0 animate-spin" aria-hidden />
                  ) : (
                    <CircleHalfDottedClock className="text-ui-fg-muted shrink-0" aria-hidden />
                  )}
                  {/* One text for screen readers: a hidden span beside the label is read with a pause ("device : done"). */}
                  <Text size="small" className={clx(!step.done && !step.current && "text-ui-fg-muted")}>
                    <span aria-hidden>{step.label}</span>
                    <span className="sr-only">{`${step.label}: ${stepStateLabel(step)}`}</span>
                  </Text>
                  {step.at && step.done && (
                    <Text size="xsmall" className="text-ui-fg-muted ml-auto">
                      {formatTime(step.at)}
                    </Text>
                  )}
                </li>
              ))}
            </ol>
          )}
          {phase === "declined" && (
            <div className="bg-ui-tag-red-bg flex items-start gap-x-2 rounded-md px-3 py-2" role="alert" data-testid="pay-in-store-decline">
              <ExclamationCircleSolid className="text-ui-tag-red-icon mt-0.5 shrink-0" aria-hidden />
              <Text size="small">
                Card declined: <span className="font-medium">{describeFailure(payment.failure_reason)}</span>. The clerk can try
                another card on the phone, or you can cancel and send the payment again.
              </Text>
            </div>
          )}
          {phase === "finalizing" && (
            <Text size="small" className="text-ui-fg-subtle">
              Paid on the device. Creating the order…
            </Text>
          )}
          {OPEN_PHASES.includes(phase) && phase !== "finalizing" && (
            <div className="flex flex-wrap gap-2">
              {phase !== "unconfirmed" && (
                <Button size="small" variant="secondary" onClick={doCancel} isLoading={cancel.isPending} data-testid="pay-in-store-cancel">
                  Cancel payment
                </Button>
              )}
              {!clerkIsCollecting && (
                // A disclosure: it shows (and hides again) the form to send the payment elsewhere.
                <Button
                  size="small"
                  variant="transparent"
                  onClick={toggleResend}
                  aria-expanded={wantsResend}
                  aria-controls={wantsResend ? "pay-in-store-form" : undefined}
                  data-testid="pay-in-store-resend"
                >
                  Send again…
                </Button>
              )}
            </div>
          )}
          {phase === "active" && (
            <Text size="small" className="text-ui-fg-subtle" data-testid="pay-in-store-collecting">
              The clerk is taking the card, so the payment cannot be sent again now. Cancel it first if it must go elsewhere.
            </Text>
          )}
        </div>
      ) : null}

      {showSendForm && phase !== "paid" && (
        <div className="flex flex-col gap-y-3 px-6 py-4" id="pay-in-store-form" data-testid="pay-in-store-form">
          {phase === "idle" && (
            <Text size="small" className="text-ui-fg-subtle">
              Send this draft order to a clerk's phone. The customer pays by card there, and the draft becomes an order by
              itself.
            </Text>
          )}
          {deviceList.length ? (
            <>
              <DeviceSelect
                triggerRef={deviceSelectRef}
                devices={deviceList}
                value={deviceId}
                onChange={(next) => {
                  setDeviceId(next)
                  // The error was about sending to the device chosen before.
                  send.reset()
                }}
                placeholder="Choose the device"
                aria-label="Device to send the payment to"
                // Invalid only when the device was the trouble: after "Kustom is not available" the choice is fine.
                aria-invalid={chosenRemoved || (send.isError && isDeviceError(errorMessage(send.error))) || undefined}
                aria-describedby={chosenRemoved ? "pay-in-store-device-removed" : send.isError ? "pay-in-store-error" : undefined}
                data-testid="pay-in-store-device-select"
              />
              {chosenRemoved && (
                <Text size="small" className="text-ui-fg-error" id="pay-in-store-device-removed" data-testid="pay-in-store-device-removed">
                  This device is no longer registered with Kustom: choose another.
                </Text>
              )}
              <Button size="small" onClick={doSend} isLoading={send.isPending} disabled={!deviceId || chosenRemoved} data-testid="pay-in-store-send">
                {phase === "idle" ? "Pay in store" : "Send again"}
              </Button>
            </>
          ) : (
            <Text size="small" className="text-ui-fg-subtle">
              {devices.isPending ? (
                "Loading devices…"
              ) : devices.isError ? (
                errorMessage(devices.error)
              ) : (
                <>
                  No device is registered yet. <Link className="text-ui-fg-interactive" to="/settings/in-person-payments">Enroll a phone</Link> first.
                </>
              )}
            </Text>
          )}
        </div>
      )}

      {actionError && (
        <div className="px-6 py-3">
          <Text size="small" className="text-ui-fg-error" id="pay-in-store-error" role="alert" data-testid="pay-in-store-error">
            {errorMessage(actionError)}
          </Text>
        </div>
      )}
      {payment && !payment.live && OPEN_PHASES.includes(phase) && (
        <div className="px-6 py-3">
          <Text size="xsmall" className="text-ui-fg-muted">
            Kustom could not be asked just now; showing the last status received.
          </Text>
        </div>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "draft_order.details.side",
})

export default DraftOrderPayInStoreWidget
