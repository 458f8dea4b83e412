/**
 * Shared by the plugin's admin routes: the module, Kustom calls turned into errors a person can
 * act on, and the shapes sent to the admin. Nothing here ever includes the API key or the
 * webhook secrets.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { generateEntityId, MedusaError } from "@medusajs/framework/utils"
import { collect, type Device, type Enrollment, type Location } from "../../../lib/kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../../modules/kustom-ipp"
import type KustomIppModuleService from "../../../modules/kustom-ipp/service"
import { toMedusaError } from "../../../providers/pay-in-store/errors"
import { withoutDirectionControls } from "../../../lib/text"

/** Device metadata key tying a device to the enrollment code created in this admin that registered it. */
export const ENROLLMENT_REF_KEY = "medusa_enrollment_ref"

/** At most this many enrollments are listed (pending first); older ones are of no use in the admin. */
const MAX_LISTED_ENROLLMENTS = 200

export function kustomModule(scope: Pick<MedusaContainer, "resolve">): KustomIppModuleService {
  return scope.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
}

/** Runs a Kustom call; a failure becomes a MedusaError whose message says what to do. */
export async function kustomCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toMedusaError(error, doing)
  }
}

/**
 * The answer for a device id Kustom does not know, naming the field it came in (`device_id`,
 * `data.device_id`). It cannot tell a removed device from a mistyped id, so it says both.
 */
export function deviceNotRegistered(field: string, deviceId: string): MedusaError {
  return new MedusaError(
    MedusaError.Types.INVALID_DATA,
    `${field}: no device ${JSON.stringify(deviceId)} is registered with Kustom: it was removed, or the id is wrong. Choose another device, or enroll the phone in Settings → In-Person Payments.`
  )
}

/**
 * Looks the device up in Kustom (a safe, retried read) before a payment is sent to it, so that an
 * unknown device or an unreachable Kustom is reported before anything is changed or pushed.
 */
export async function assertDeviceRegistered(scope: Pick<MedusaContainer, "resolve">, deviceId: string, field: string): Promise<void> {
  await kustomCall("checking the device", () => kustomModule(scope).client.devices.get(deviceId)).catch((error: unknown) => {
    if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) throw deviceNotRegistered(field, deviceId)
    throw error
  })
}

export type LocationView = { id: string; name: string; city: string | null }

export type DeviceView = {
  id: string
  name: string
  platform: string
  location_id: string | null
  location_name: string | null
  created_at: string
  /** Only when Kustom reports it (the playground does; Kustom documents no such field). */
  last_seen_at: string | null
  hardware_id: string
}

export type EnrollmentView = {
  enrollment_id: string
  enrollment_code: string
  status: "PENDING" | "CONSUMED" | "EXPIRED" | "CANCELLED"
  expires_at: string
  location_id: string | null
  location_name: string | null
  /** The device registered with this code, when known. */
  device_id: string | null
  device_name: string | null
  created_here: boolean
}

export function toLocationView(location: Location): LocationView {
  return { id: location.id, name: withoutDirectionControls(location.name), city: location.city ? withoutDirectionControls(location.city) : null }
}

export function toDeviceView(device: Device, locations: Map<string, LocationView>): DeviceView {
  const locationId = device.location_id ?? null
  return {
    id: device.id,
    name: withoutDirectionControls(device.name),
    platform: device.platform,
    location_id: locationId,
    location_name: locationId ? (locations.get(locationId)?.name ?? null) : null,
    created_at: device.created_at,
    last_seen_at: device.last_seen_at ?? null,
    hardware_id: device.hardware_id,
  }
}

/** `doing` names what the person asked for, for the error message (the list may serve another). */
export async function listLocations(kustom: KustomIppModuleService, doing = "listing the Kustom locations"): Promise<LocationView[]> {
  const locations = await kustomCall(doing, () => collect(kustom.client.locations.listAll()))
  return locations.map(toLocationView)
}

export function byId<T extends { id: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]))
}

export async function listDevices(kustom: KustomIppModuleService, doing = "listing the devices"): Promise<Device[]> {
  return kustomCall(doing, () => collect(kustom.client.devices.listAll()))
}

/** Devices, newest first, with their location's name. */
export async function listDeviceViews(kustom: KustomIppModuleService, filter: { location_id?: string } = {}): Promise<DeviceView[]> {
  const [devices, locations] = await Promise.all([listDevices(kustom), listLocations(kustom, "listing the devices")])
  const names = byId(locations)
  return devices
    .filter((device) => !filter.location_id || device.location_id === filter.location_id)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .map((device) => toDeviceView(device, names))
}

/** A fresh reference put into an enrollment's metadata; the device registered with it carries it too. */
export function newEnrollmentRef(): string {
  return generateEntityId(undefined, "kipenr")
}

/**
 * Pending and used enrollment codes. Kustom lists enrollments only to callers that send a
 * merchant id; without `merchantId` in the plugin options the codes created in this admin are
 * listed instead (their devices are recognised by the reference in their metadata).
 */
export async function listEnrollmentViews(
  kustom: KustomIppModuleService,
  filter: { location_id?: string; include_consumed?: boolean } = {}
): Promise<{ enrollments: EnrollmentView[]; source: "kustom" | "admin" }> {
  const doing = "listing the enrollment codes"
  const [devices, locations, local] = await Promise.all([
    listDevices(kustom, doing),
    listLocations(kustom, doing),
    kustom.settings.listEnrollmentCodes(filter.location_id ? { location_id: filter.location_id } : {}),
  ])
  const locationNames = byId(locations)
  const deviceByRef = new Map<string, Device>()
  for (const device of devices) {
    const ref = device.metadata?.[ENROLLMENT_REF_KEY]
    if (typeof ref === "string") deviceByRef.set(ref, device)
  }
  const localByEnrollment = new Map(local.map((row) => [row.enrollment_id, row]))
  const localByRef = new Map(local.map((row) => [row.id, row]))
  const now = Date.now()

  const view = (
    enrollment: Pick<EnrollmentView, "enrollment_id" | "enrollment_code" | "status" | "expires_at" | "location_id">,
    ref: unknown
  ): EnrollmentView => {
    const device = typeof ref === "string" ? deviceByRef.get(ref) : undefined
    return {
      ...enrollment,
      location_name: enrollment.location_id ? (locationNames.get(enrollment.location_id)?.name ?? null) : null,
      // A removed device is gone from Kustom's list; the code keeps the id of the device it became.
      device_id: device?.id ?? (typeof ref === "string" ? localByRef.get(ref)?.device_id : null) ?? null,
      device_name: device ? withoutDirectionControls(device.name) : null,
      created_here: localByEnrollment.has(enrollment.enrollment_id),
    }
  }

  let enrollments: EnrollmentView[]
  let source: "kustom" | "admin"
  if (kustom.options.merchantId) {
    source = "kustom"
    const listed: Enrollment[] = []
    await kustomCall(doing, async () => {
      for await (const enrollment of kustom.client.enrollments.listAll({
        location_id: filter.location_id,
        include_consumed: filter.include_consumed ?? true,
      })) {
        listed.push(enrollment)
        if (listed.length >= MAX_LISTED_ENROLLMENTS) break
      }
    })
    enrollments = listed.map((enrollment) =>
      view(
        {
          enrollment_id: enrollment.enrollment_id,
          enrollment_code: enrollment.enrollment_code,
          status: enrollment.status,
          expires_at: enrollment.expires_at,
          location_id: enrollment.location_id ?? null,
        },
        enrollment.metadata?.[ENROLLMENT_REF_KEY] ?? localByEnrollment.get(enrollment.enrollment_id)?.id
      )
    )
  } else {
    source = "admin"
    enrollments = local
      .map((row) => {
        const device = deviceByRef.get(row.id)
        // A code whose device was removed since is known to be used from its row (see the device DELETE).
        const status: EnrollmentView["status"] =
          row.status === "CANCELLED" || row.status === "CONSUMED"
            ? row.status
            : device
              ? "CONSUMED"
              : row.expires_at.getTime() <= now
                ? "EXPIRED"
                : "PENDING"
        return view(
          {
            enrollment_id: row.enrollment_id,
            enrollment_code: row.enrollment_code,
            status,
            expires_at: row.expires_at.toISOString(),
            location_id: row.location_id,
          },
          row.id
        )
      })
      // Kustom never lists cancelled codes; neither does the admin.
      .filter((enrollment) => enrollment.status !== "CANCELLED")
      .filter((enrollment) => filter.include_consumed !== false || enrollment.status === "PENDING")
  }

  const rank = (status: EnrollmentView["status"]) => (status === "PENDING" ? 0 : 1)
  enrollments.sort((a, b) => rank(a.status) - rank(b.status) || Date.parse(b.expires_at) - Date.parse(a.expires_at))
  return { enrollments, source }
}

export function notFound(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.NOT_FOUND, message)
}
