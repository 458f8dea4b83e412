import { retryDelayMs } from "../../modules/kustom-ipp/service"
import { sweepBackoffSeconds } from "../sweep-kustom-ipp-sessions"

describe("sweep back-off per session", () => {
  it("waits a quarter of the session's age before looking again, between 30 s and 10 min", () => {
    expect(sweepBackoffSeconds(0)).toBe(30)
    expect(sweepBackoffSeconds(120_000)).toBe(30)
    expect(sweepBackoffSeconds(8 * 60_000)).toBe(120)
    expect(sweepBackoffSeconds(40 * 60_000)).toBe(600)
    expect(sweepBackoffSeconds(24 * 3_600_000)).toBe(600)
  })

  it("never looks again sooner for an older session", () => {
    let previous = 0
    for (let ageMs = 0; ageMs <= 3_600_000; ageMs += 7_000) {
      const seconds = sweepBackoffSeconds(ageMs)
      expect(seconds).toBeGreaterThanOrEqual(previous)
      previous = seconds
    }
  })
})

describe("retry delay of a failed callback", () => {
  it("doubles from 5 s with each failed attempt and stops at 10 min", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(retryDelayMs)).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000,
    ])
    expect(retryDelayMs(0)).toBe(5_000)
    expect(retryDelayMs(1_000)).toBe(600_000)
  })
})
