/**
 * Where a payment sent to a device stands, from the draft order payment route's answer: the
 * phases the "Pay in store" widget shows, and the steps it ticks off.
 */
import type { DraftOrderPayment } from "./api"

/** Where a payment sent to a device stands, in the words the widget uses. */
export type Phase =
  | "idle"
  | "unconfirmed"
  | "sent"
  | "on_device"
  | "active"
  | "declined"
  | "finalizing"
  | "paid"
  | "problem"
  | "cancelled"
  | "expired"
  | "failed"

export const OPEN_PHASES: Phase[] = ["unconfirmed", "sent", "on_device", "active", "declined", "finalizing"]
export const ENDED_PHASES: Phase[] = ["cancelled", "expired", "failed", "problem"]

export function phaseOf(view: DraftOrderPayment | undefined): Phase {
  if (!view) return "idle"
  if (view.sale.completed) return "paid"
  const payment = view.payment
  if (!payment) return "idle"
  if (payment.problem) return "problem"
  if (!payment.kustom_session_id) return view.create_unconfirmed_at ? "unconfirmed" : payment.status === "error" ? "failed" : "idle"
  switch (payment.kustom_status) {
    case "CREATED":
      return view.callbacks.some((callback) => callback.event_type === "ipp.session.created") ? "on_device" : "sent"
    case "ACTIVE":
      return payment.failure_reason ? "declined" : "active"
    case "FINALIZED":
      return "finalizing"
    case "CANCELLED":
      return "cancelled"
    case "EXPIRED":
      return "expired"
    case "FAILED":
      return "failed"
    default:
      return "sent"
  }
}

export const BADGES: Record<Phase, { label: string; color: "green" | "blue" | "orange" | "red" | "grey" }> = {
  idle: { label: "Not sent", color: "grey" },
  unconfirmed: { label: "Waiting for Kustom", color: "orange" },
  sent: { label: "Sent", color: "blue" },
  on_device: { label: "On the device", color: "blue" },
  active: { label: "Paying", color: "blue" },
  declined: { label: "Declined", color: "red" },
  finalizing: { label: "Paid", color: "green" },
  paid: { label: "Paid", color: "green" },
  problem: { label: "Needs attention", color: "red" },
  cancelled: { label: "Cancelled", color: "grey" },
  expired: { label: "Expired", color: "grey" },
  failed: { label: "Failed", color: "red" },
}

/**
 * The badge for a phase. A store that captures by hand (`capture: false`) has, once paid, only
 * an authorization: the card was accepted and Kustom holds the amount until it is captured. A
 * draft converted in Medusa, not paid in store, became an order without a payment.
 */
export function badgeOf(phase: Phase, view: DraftOrderPayment | undefined): (typeof BADGES)[Phase] {
  if (phase === "paid" && view?.captured === false) return { label: "Authorized", color: "blue" }
  if (phase === "paid" && view?.captured === null) return { label: "Converted", color: "grey" }
  return BADGES[phase]
}

/** What the widget's live status region says, so that each change of phase is announced in words. */
export function phaseAnnouncement(phase: Phase, view: DraftOrderPayment | undefined): string {
  return `Payment status: ${badgeOf(phase, view).label}`
}

/** A step's state in words, for screen readers: the list shows it only by its icon. */
export function stepStateLabel(step: { done: boolean; current: boolean }): string {
  return step.done ? "done" : step.current ? "in progress" : "not yet"
}

/** The four steps of a payment on a device; `reached` is how many are done. */
export function stepsOf(phase: Phase, view: DraftOrderPayment) {
  const reached =
    phase === "paid" || phase === "finalizing"
      ? 4
      : phase === "active" || phase === "declined"
        ? 3
        : phase === "on_device"
          ? 2
          : phase === "sent"
            ? 1
            : 0
  const at = (type: string) => view.callbacks.find((callback) => callback.event_type === type)?.received_at ?? null
  return [
    { key: "sent", label: "Sent to the device", at: view.payment?.dispatched_at ?? null },
    { key: "on_device", label: "On the device", at: at("ipp.session.created") },
    { key: "active", label: "Clerk chose a payment method", at: at("ipp.session.activated") },
    { key: "paid", label: "Paid", at: at("ipp.session.finalized") },
  ].map((step, index) => ({ ...step, done: index < reached, current: index === reached && OPEN_PHASES.includes(phase) }))
}

