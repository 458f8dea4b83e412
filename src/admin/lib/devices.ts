/** Devices in the admin: naming one known only by its id, and checking a name before saving it. */
import type { Device } from "./api"

/**
 * What to call a device id that is not among the devices at hand. "Removed" only when the full
 * list loaded and the id is not in it: a device Kustom could not be asked about (Kustom down, or
 * the list still loading) may well still exist.
 */
export function unlistedDeviceLabel(deviceId: string, list: { all: Device[]; unavailable?: boolean; loading?: boolean }): string {
  const known = list.all.find((device) => device.id === deviceId)
  if (known) return known.name
  const short = `${deviceId.slice(0, 8)}…`
  if (list.unavailable) return `Device ${short} (couldn't load devices)`
  if (list.loading) return `Device ${short}`
  return `Removed device (${short})`
}

/**
 * Whether a refused send was about the device chosen (the route's `device_id: …`, or Kustom's
 * field error on it), so that the device field is marked invalid. Kustom being unavailable, or
 * the clerk already collecting, says nothing against the choice.
 */
export function isDeviceError(message: string): boolean {
  return /(^|— |; )device_id: /.test(message)
}

/** The server's limit on a device name: 100 UTF-16 code units (JavaScript's `length`), after trimming. */
export const MAX_DEVICE_NAME = 100

/**
 * What is wrong with a device name as typed, in words, or null. Said next to the field rather than
 * cutting the name short (a `maxLength` silently drops what was pasted beyond it).
 */
export function deviceNameProblem(name: string): string | null {
  const trimmed = name.trim()
  if (!trimmed) return "Enter a name for the device."
  if (trimmed.length > MAX_DEVICE_NAME) {
    return `The name is ${trimmed.length} characters long; shorten it to at most ${MAX_DEVICE_NAME}.`
  }
  return null
}
