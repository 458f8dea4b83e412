/** Formatting for the admin: money in minor units, times, countdowns, and Kustom's codes in words. */
import { useEffect, useState } from "react"

/**
 * `amount` in minor units of `currency` (`exponent` decimals, as the server says), written as
 * Medusa's own cards write money (the currency's narrow symbol in the browser's locale: "kr 791.25").
 * The integer is turned into a decimal string, not divided, so no float rounding can creep in.
 */
export function formatMinor(amount: number | null | undefined, currency: string, exponent?: number | null): string {
  if (typeof amount !== "number" || !Number.isFinite(amount) || !currency) return "—"
  const code = currency.toUpperCase()
  const options = { style: "currency", currency: code, currencyDisplay: "narrowSymbol" } as const
  const digits = exponent ?? new Intl.NumberFormat([], options).resolvedOptions().maximumFractionDigits ?? 2
  const units = String(Math.abs(Math.trunc(amount))).padStart(digits + 1, "0")
  const decimal = `${amount < 0 ? "-" : ""}${digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units}`
  // Intl formats a decimal string exactly; the cast is for TypeScript's older lib typings.
  return new Intl.NumberFormat([], { ...options, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(decimal as unknown as number)
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—"
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso))
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—"
  return new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", second: "2-digit" }).format(new Date(iso))
}

/** "just now", "3 min ago", "2 h ago", or a date. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never"
  const seconds = Math.round((now - Date.parse(iso)) / 1000)
  if (seconds < 10) return "just now"
  if (seconds < 60) return `${seconds} s ago`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return formatDateTime(iso)
}

/**
 * Time left until `iso`: "1:59:07", "14:32", "expired", or from two days on "7 days". Days are
 * rounded to the nearest, as a person reads a countdown: a code made for 7 days says "7 days"
 * (not "6 days" a second after it was made) until fewer than 6.5 days remain.
 */
export function formatCountdown(iso: string, now = Date.now()): string {
  const left = Math.floor((Date.parse(iso) - now) / 1000)
  if (left <= 0) return "expired"
  const hours = Math.floor(left / 3600)
  const minutes = Math.floor((left % 3600) / 60)
  const seconds = left % 60
  const pad = (value: number) => String(value).padStart(2, "0")
  if (hours >= 48) return `${Math.round(left / 86_400)} days`
  return hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`
}

/**
 * The countdown as a screen reader should say it: "59:52" alone is read as a time of day or a
 * ratio, so this spells out the units ("59 minutes 52 seconds left", "1 hour 5 minutes left").
 */
export function spokenCountdown(iso: string, now = Date.now()): string {
  const left = Math.floor((Date.parse(iso) - now) / 1000)
  if (left <= 0) return "expired"
  const unit = (count: number, name: string) => `${count} ${name}${count === 1 ? "" : "s"}`
  const hours = Math.floor(left / 3600)
  const minutes = Math.floor((left % 3600) / 60)
  const seconds = left % 60
  if (hours >= 48) return `${unit(Math.round(left / 86_400), "day")} left`
  const parts = hours ? [unit(hours, "hour"), minutes ? unit(minutes, "minute") : null] : [minutes ? unit(minutes, "minute") : null, unit(seconds, "second")]
  return `${parts.filter(Boolean).join(" ")} left`
}

/** Re-renders every `intervalMs` with the current time (for countdowns and "ago" labels). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}

/** An 8-character code in two groups of four, as it is read aloud: "ABCD EFGH". */
export function groupCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)} ${code.slice(4)}` : code
}

/** A code as a screen reader should spell it, one character at a time: "H Q 6 P 8 6 U 3". */
export function spokenCode(code: string): string {
  return code.replace(/\s+/g, "").split("").join(" ")
}

export function platformLabel(platform: string): string {
  if (platform === "IOS") return "iOS"
  if (platform === "ANDROID") return "Android"
  return platform
}

const FAILURE_REASONS: Record<string, string> = {
  DECLINED_GENERIC: "The card was declined",
  INSUFFICIENT_FUNDS: "Insufficient funds",
  LOST_CARD: "The card was reported lost",
  STOLEN_CARD: "The card was reported stolen",
  EXPIRED_CARD: "The card has expired",
  INCORRECT_CVC: "Incorrect security code (CVC)",
  PROCESSING_ERROR: "The card could not be processed",
  INCORRECT_NUMBER: "Incorrect card number",
  CARD_VELOCITY_EXCEEDED: "Too many attempts with this card",
  cancelled: "Cancelled",
  expired: "Expired",
}

/** Kustom's decline codes in words; unknown ones are shown as they come. */
export function describeFailure(reason: string | null | undefined): string | null {
  if (!reason) return null
  return FAILURE_REASONS[reason] ?? reason.replace(/_/g, " ").toLowerCase().replace(/^\w/, (c) => c.toUpperCase())
}

const EVENT_LABELS: Record<string, string> = {
  "ipp.session.created": "On the device",
  "ipp.session.activated": "Clerk chose a payment method",
  // Neither "Paid" nor "Captured": with `capture: false` the card was only authorized.
  "ipp.session.finalized": "Card accepted",
  "ipp.session.cancelled": "Cancelled",
  "ipp.payment.failed": "Card declined",
}

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type
}

const KUSTOM_STATUSES: Record<string, string> = {
  // Kustom order statuses
  AUTHORIZED: "Authorized",
  PART_CAPTURED: "Partially captured",
  CAPTURED: "Captured",
  PART_REFUNDED: "Partially refunded",
  REFUNDED: "Refunded",
  CANCELLED: "Cancelled",
  EXPIRED: "Expired",
  CLOSED: "Closed",
  // IPP session statuses (before Kustom has an order)
  CREATED: "On the device",
  ACTIVE: "Paying",
  FINALIZED: "Paid",
  FAILED: "Failed",
}

/** A Kustom order or session status as a label ("PART_CAPTURED" → "Partially captured"); unknown ones in words. */
export function kustomStatusLabel(status: string): string {
  return KUSTOM_STATUSES[status] ?? status.replace(/_/g, " ").toLowerCase().replace(/^\w/, (c) => c.toUpperCase())
}
