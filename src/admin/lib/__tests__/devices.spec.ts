import { describe, expect, it } from "@jest/globals"
import type { Device } from "../api"
import { deviceNameProblem, isDeviceError, unlistedDeviceLabel } from "../devices"

const device = (id: string, name: string): Device => ({
  id,
  name,
  platform: "IOS",
  location_id: "loc_b",
  location_name: "Second shop",
  created_at: "2026-11-27T12:00:00Z",
  last_seen_at: null,
  hardware_id: "hw",
})

describe("naming a device known only by its id", () => {
  const id = "63594a19-7f3c-4a7e-9a55-0c2f1b7c9d10"

  it("names it from the full list, even when it is not offered (e.g. at another location)", () => {
    expect(unlistedDeviceLabel(id, { all: [device("other", "Till 1"), device(id, "Back office")] })).toBe("Back office")
  })

  it("does not call it removed when the list could not be loaded or is still loading", () => {
    expect(unlistedDeviceLabel(id, { all: [], unavailable: true })).toBe("Device 63594a19… (couldn't load devices)")
    expect(unlistedDeviceLabel(id, { all: [], loading: true })).toBe("Device 63594a19…")
  })

  it("calls it removed only when the full list loaded without it", () => {
    expect(unlistedDeviceLabel(id, { all: [device("other", "Till 1")] })).toBe("Removed device (63594a19…)")
  })
})

describe("checking a device name before saving it", () => {
  it("asks for a name instead of only greying out Save", () => {
    expect(deviceNameProblem("")).toBe("Enter a name for the device.")
    expect(deviceNameProblem("   ")).toBe("Enter a name for the device.")
  })

  it("says a name is too long instead of cutting it: 100 UTF-16 code units after trimming, as the server counts", () => {
    expect(deviceNameProblem("x".repeat(100))).toBeNull()
    expect(deviceNameProblem(`  ${"x".repeat(100)}  `)).toBeNull()
    expect(deviceNameProblem("x".repeat(101))).toBe("The name is 101 characters long; shorten it to at most 100.")
    // An emoji is two code units.
    expect(deviceNameProblem(`${"x".repeat(99)}🙂`)).toMatch(/101 characters/)
  })
})

describe("isDeviceError", () => {
  it("is true for refusals of the device chosen, from the route or from Kustom", () => {
    expect(isDeviceError(`device_id: no device "ee12b3d2-…" is registered with Kustom: it was removed, or the id is wrong.`)).toBe(true)
    expect(isDeviceError("Kustom refused the payment (HTTP 400): Invalid request — device_id: device is offline")).toBe(true)
  })

  it("is false when the trouble was not the device (Kustom down, the clerk collecting)", () => {
    expect(isDeviceError("Kustom is not available right now (HTTP 503 while checking the device). Try again in a moment.")).toBe(false)
    expect(isDeviceError("Kustom could not be reached while checking the device (connection failed). Try again in a moment.")).toBe(false)
    expect(isDeviceError("The clerk is already taking this payment on the device. Cancel it on the device (or from the admin) before changing the sale or sending it again.")).toBe(false)
  })
})
