import { describe, expect, it } from "@jest/globals"
import { describeFailure, eventLabel, formatAgo, formatCountdown, formatMinor, groupCode, kustomStatusLabel, platformLabel, spokenCode, spokenCountdown } from "../format"

/** Intl may use narrow or plain no-break spaces. */
const plain = (text: string) => text.replace(/\s/g, " ")

describe("admin formatting", () => {
  it("formats minor units with the currency's own decimals", () => {
    expect(plain(formatMinor(48000, "sek", 2))).toMatch(/480[.,]00/)
    expect(plain(formatMinor(12345, "kwd", 3))).toMatch(/12[.,]345/)
    expect(plain(formatMinor(1500, "jpy", 0))).toMatch(/1[,. ]?500(?![.,]\d)/)
    expect(formatMinor(null, "sek")).toBe("—")
  })

  it("writes money as Medusa's own cards do: the narrow symbol, not the code", () => {
    const medusa = (value: number, currency: string) =>
      new Intl.NumberFormat([], { style: "currency", currency, currencyDisplay: "narrowSymbol" }).format(value)
    expect(formatMinor(79125, "sek", 2)).toBe(medusa(791.25, "SEK"))
    expect(formatMinor(79125, "usd", 2)).toBe(medusa(791.25, "USD"))
    expect(formatMinor(-1050, "eur", 2)).toBe(medusa(-10.5, "EUR"))
    expect(plain(formatMinor(79125, "sek", 2))).not.toContain("SEK")
  })

  it("keeps every digit of large amounts (no float division)", () => {
    // 2^53 - 1 minor units: dividing by 100 as a float would round the last digits.
    expect(plain(formatMinor(9_007_199_254_740_991, "usd", 2)).replace(/[^\d.]/g, "")).toBe("90071992547409.91")
    expect(plain(formatMinor(7, "kwd", 3)).replace(/[^\d.]/g, "")).toBe("0.007")
  })

  it("counts down to an expiry", () => {
    const now = Date.parse("2026-11-27T12:00:00Z")
    expect(formatCountdown("2026-11-27T14:00:00Z", now)).toBe("2:00:00")
    expect(formatCountdown("2026-11-27T12:14:05Z", now)).toBe("14:05")
    expect(formatCountdown("2026-11-27T12:00:00Z", now)).toBe("expired")
    expect(formatCountdown("2026-12-04T12:00:00Z", now)).toBe("7 days")
  })

  it("spells a countdown out with its units for screen readers", () => {
    const now = Date.parse("2026-11-27T12:00:00Z")
    expect(spokenCountdown("2026-11-27T12:59:52Z", now)).toBe("59 minutes 52 seconds left")
    expect(spokenCountdown("2026-11-27T12:01:01Z", now)).toBe("1 minute 1 second left")
    expect(spokenCountdown("2026-11-27T12:00:30Z", now)).toBe("30 seconds left")
    expect(spokenCountdown("2026-11-27T13:05:09Z", now)).toBe("1 hour 5 minutes left")
    expect(spokenCountdown("2026-11-27T14:00:00Z", now)).toBe("2 hours left")
    expect(spokenCountdown("2026-12-04T12:00:00Z", now)).toBe("7 days left")
    expect(spokenCountdown("2026-11-27T12:00:00Z", now)).toBe("expired")
  })

  it("spells a code one character at a time", () => {
    expect(spokenCode("HQ6P86U3")).toBe("H Q 6 P 8 6 U 3")
    expect(spokenCode("HRXA ZK8W")).toBe("H R X A Z K 8 W")
  })

  it("reads a countdown of days as a person would: a 7-day code says 7 days until fewer than 6.5 remain", () => {
    const expiry = Date.parse("2026-12-04T12:00:00Z")
    const at = (daysLeft: number) => formatCountdown("2026-12-04T12:00:00Z", expiry - daysLeft * 86_400_000)
    // One second after it was made (the drawer's countdown starts there).
    expect(at(7 - 1 / 86_400)).toBe("7 days")
    expect(at(6.6)).toBe("7 days")
    expect(at(6.4)).toBe("6 days")
    expect(at(2.6)).toBe("3 days")
    expect(at(2)).toBe("2 days")
    expect(formatCountdown("2026-12-04T12:00:00Z", expiry - 47 * 3_600_000)).toBe("47:00:00")
  })

  it("says how long ago", () => {
    const now = Date.parse("2026-11-27T12:00:00Z")
    expect(formatAgo(null, now)).toBe("never")
    expect(formatAgo("2026-11-27T11:59:55Z", now)).toBe("just now")
    expect(formatAgo("2026-11-27T11:57:00Z", now)).toBe("3 min ago")
    expect(formatAgo("2026-11-27T09:00:00Z", now)).toBe("3 h ago")
  })

  it("reads codes, platforms, declines and events as a person would", () => {
    expect(groupCode("ABCD2345")).toBe("ABCD 2345")
    expect(platformLabel("IOS")).toBe("iOS")
    expect(describeFailure("INSUFFICIENT_FUNDS")).toBe("Insufficient funds")
    expect(describeFailure("SOMETHING_NEW")).toBe("Something new")
    expect(describeFailure(null)).toBeNull()
    expect(eventLabel("ipp.session.activated")).toBe("Clerk chose a payment method")
    expect(kustomStatusLabel("CAPTURED")).toBe("Captured")
    expect(kustomStatusLabel("PART_CAPTURED")).toBe("Partially captured")
    expect(kustomStatusLabel("SOMETHING_NEW")).toBe("Something new")
  })
})
