/**
 * Devices: phones registered with an enrollment code (what the Kustom POS app does), listed,
 * renamed/moved with a replacing PUT, and removed. Playground devices can be created directly.
 */
import { randomBytes } from "node:crypto"
import { z } from "zod"
import { type Core, nowIso } from "./core"
import { consumeEnrollment } from "./enrollments"
import { newDeviceToken, newId } from "./ids"
import { findLocation } from "./locations"
import { paginate, parsePaging } from "./paging"
import { fieldError, notFound, parseOrThrow } from "./problems"
import { jsonObject, noContent, ok, type Route } from "./router"
import { cancelOpenSessionsOfDevice } from "./sessions"
import type { Device, Metadata, Platform } from "./types"
import { metadataSchema, nonEmptyString, optionalId } from "./validation"

const platformSchema = z.enum(["IOS", "ANDROID"])

const registerSchema = z.object({
  enrollment_code: nonEmptyString(64),
  name: nonEmptyString(),
  platform: platformSchema,
  hardware_id: nonEmptyString(),
})

const replaceSchema = z.object({
  name: nonEmptyString(),
  metadata: metadataSchema.nullable().optional(),
  location_id: optionalId,
})

const simulatedSchema = z.object({
  name: nonEmptyString(),
  location_id: optionalId,
  metadata: metadataSchema.optional(),
  platform: platformSchema.optional(),
})

export const toDeviceView = (d: Device): Device => ({ ...d, metadata: { ...d.metadata } })

export function getDevice(core: Core, id: string): Device {
  const device = core.store.devices.get(id)
  if (!device) throw notFound(`No device with id ${id}`)
  return device
}

export function deviceForToken(core: Core, token: string): Device | undefined {
  const id = core.store.deviceTokens.get(token)
  return id === undefined ? undefined : core.store.devices.get(id)
}

export function tokenOfDevice(core: Core, deviceId: string): string | undefined {
  for (const [token, id] of core.store.deviceTokens) if (id === deviceId) return token
  return undefined
}

/** The virtual device made contact (emulator only `last_seen_at`). */
export function touchDevice(core: Core, device: Device): void {
  device.last_seen_at = nowIso()
  core.store.changed()
}

function checkLocation(core: Core, locationId: string | undefined): void {
  if (locationId !== undefined && !findLocation(core, locationId)) {
    throw fieldError("location_id", `unknown location ${locationId}`)
  }
}

function addDevice(core: Core, device: Device) {
  const token = newDeviceToken()
  core.store.devices.set(device.id, device)
  core.store.deviceTokens.set(token, device.id)
  core.store.changed()
  return { ...toDeviceView(device), credentials: { device_token: token } }
}

export function registerDevice(core: Core, body: unknown) {
  const input = parseOrThrow(registerSchema, body)
  const id = newId()
  const enrollment = consumeEnrollment(core, input.enrollment_code, id)
  const now = nowIso()
  return addDevice(core, {
    id,
    hardware_id: input.hardware_id,
    merchant_id: core.config.merchantId,
    location_id: enrollment.location_id,
    name: input.name,
    platform: input.platform,
    metadata: { ...enrollment.metadata },
    created_at: now,
    last_seen_at: now,
  })
}

export function createSimulatedDevice(core: Core, body: unknown) {
  const input = parseOrThrow(simulatedSchema, body)
  checkLocation(core, input.location_id)
  // Like an enrollment: the only location when the account has one, otherwise none.
  const locationId =
    input.location_id ?? (core.config.locations.length === 1 ? core.config.locations[0].id : null)
  return addDevice(core, {
    id: newId(),
    hardware_id: `simulated-${randomBytes(6).toString("hex")}`,
    merchant_id: core.config.merchantId,
    location_id: locationId,
    name: input.name,
    platform: (input.platform ?? "ANDROID") as Platform,
    metadata: { ...(input.metadata as Metadata | undefined), simulated: true },
    created_at: nowIso(),
    last_seen_at: null,
  })
}

/** PUT replaces: what is omitted is cleared (metadata → {}, location → null). */
export function replaceDevice(core: Core, id: string, body: unknown): Device {
  const device = getDevice(core, id)
  const input = parseOrThrow(replaceSchema, body)
  checkLocation(core, input.location_id)
  device.name = input.name
  device.metadata = (input.metadata ?? {}) as Metadata
  device.location_id = input.location_id ?? null
  core.store.changed()
  core.hub.deviceChanged(device.id)
  return device
}

/** Removing a device cancels its open sessions and revokes its token. */
export function deleteDevice(core: Core, id: string): void {
  const device = getDevice(core, id)
  cancelOpenSessionsOfDevice(core, device.id)
  core.store.devices.delete(device.id)
  for (const [token, deviceId] of [...core.store.deviceTokens]) {
    if (deviceId === device.id) core.store.deviceTokens.delete(token)
  }
  core.store.changed()
  core.hub.deviceChanged(device.id)
}

export function deviceRoutes(core: Core): Route[] {
  return [
    {
      method: "POST",
      pattern: "/ipp/v1/devices/register",
      auth: "none",
      handler: (ctx) => ok(registerDevice(core, jsonObject(ctx)), 201),
    },
    {
      method: "GET",
      pattern: "/ipp/v1/devices",
      auth: "api",
      handler: (ctx) => ok(paginate([...core.store.devices.values()].map(toDeviceView), parsePaging(ctx.query))),
    },
    {
      method: "GET",
      pattern: "/ipp/v1/devices/:id",
      auth: "api",
      handler: (ctx) => ok(toDeviceView(getDevice(core, ctx.params.id))),
    },
    {
      method: "PUT",
      pattern: "/ipp/v1/devices/:id",
      auth: "api",
      handler: (ctx) => ok(toDeviceView(replaceDevice(core, ctx.params.id, jsonObject(ctx)))),
    },
    {
      method: "DELETE",
      pattern: "/ipp/v1/devices/:id",
      auth: "api",
      handler: (ctx) => {
        deleteDevice(core, ctx.params.id)
        return noContent()
      },
    },
    {
      method: "POST",
      pattern: "/ipp/v1/dev/devices",
      auth: "api",
      handler: (ctx) => ok(createSimulatedDevice(core, jsonObject(ctx)), 201),
    },
  ]
}
