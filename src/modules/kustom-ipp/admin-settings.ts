/**
 * The settings a store owner edits in the admin (default devices, stock location ↔ Kustom
 * location links), the enrollment codes created there, and the activity shown on the settings
 * page (last callback, last device used). Part of the plugin's module; the service exposes it
 * as `settings`.
 */
import type { Enrollment } from "../../lib/kustom-ipp"
import { ACTIVITY_ROW_ID } from "./models/activity"
import type KustomIppModuleService from "./service"

export type DeviceDefaultScope = "sales_channel" | "location"

export type DeviceDefaultView = { id: string; scope: DeviceDefaultScope; scope_id: string; device_id: string }

export type LocationLinkView = { id: string; stock_location_id: string; kustom_location_id: string }

export type EnrollmentCodeView = {
  id: string
  enrollment_id: string
  enrollment_code: string
  location_id: string | null
  expires_at: Date
  status: "PENDING" | "CONSUMED" | "EXPIRED" | "CANCELLED"
  device_id: string | null
  created_at: Date
}

export type ActivityView = {
  last_callback_at: Date | null
  last_callback_signature_ok: boolean | null
  last_valid_callback_at: Date | null
  last_invalid_callback_at: Date | null
  last_invalid_callback_reason: string | null
  last_device_id: string | null
  last_device_used_at: Date | null
}

export type CallbackAttempt = {
  /** Whether the signature verified. */
  ok: boolean
  /** Why verification failed (a `KustomWebhookFailureReason`), for the store owner. */
  reason?: string | null
  at?: Date
}

/** Same-outcome callback attempts closer together than this update the row once. */
const CALLBACK_NOTE_INTERVAL_MS = 1_000

type SqlConnection = { execute(sql: string, params?: unknown[], method?: "all" | "get" | "run"): Promise<unknown> }
type Cradle = { logger?: { warn(message: string): void } } & Record<string, unknown>

const EMPTY_ACTIVITY: ActivityView = {
  last_callback_at: null,
  last_callback_signature_ok: null,
  last_valid_callback_at: null,
  last_invalid_callback_at: null,
  last_invalid_callback_reason: null,
  last_device_id: null,
  last_device_used_at: null,
}

export class AdminSettings {
  private lastNoted: { ok: boolean; at: number } | undefined

  constructor(
    private readonly service: KustomIppModuleService,
    private readonly cradle: Cradle
  ) {}

  /* ---------- activity ---------- */

  /**
   * One upsert of the activity row; same-outcome attempts within a second are coalesced, so a
   * flood of requests to the callback route costs the database next to nothing. Never throws:
   * the callback route must answer whatever happens here.
   */
  async noteCallbackAttempt(attempt: CallbackAttempt): Promise<void> {
    const at = attempt.at ?? new Date()
    const previous = this.lastNoted
    if (previous && previous.ok === attempt.ok && at.getTime() - previous.at < CALLBACK_NOTE_INTERVAL_MS) return
    this.lastNoted = { ok: attempt.ok, at: at.getTime() }
    const sql = attempt.ok
      ? `insert into "kustom_ipp_activity" ("id", "last_callback_at", "last_callback_signature_ok", "last_valid_callback_at")
         values (?, ?, true, ?)
         on conflict ("id") do update set "last_callback_at" = excluded."last_callback_at",
           "last_callback_signature_ok" = true, "last_valid_callback_at" = excluded."last_valid_callback_at", "updated_at" = now()`
      : `insert into "kustom_ipp_activity" ("id", "last_callback_at", "last_callback_signature_ok", "last_invalid_callback_at", "last_invalid_callback_reason")
         values (?, ?, false, ?, ?)
         on conflict ("id") do update set "last_callback_at" = excluded."last_callback_at",
           "last_callback_signature_ok" = false, "last_invalid_callback_at" = excluded."last_invalid_callback_at",
           "last_invalid_callback_reason" = excluded."last_invalid_callback_reason", "updated_at" = now()`
    const params = attempt.ok ? [ACTIVITY_ROW_ID, at, at] : [ACTIVITY_ROW_ID, at, at, (attempt.reason ?? "invalid_signature").slice(0, 100)]
    try {
      await this.connection().execute(sql, params, "run")
    } catch (error) {
      this.lastNoted = undefined
      this.cradle.logger?.warn(`Kustom In-Person Payments: could not note a callback attempt: ${(error as Error).message}`)
    }
  }

  /** Remembers the device a payment was last sent to, to preselect it next time. */
  async rememberDevice(deviceId: string, at = new Date()): Promise<void> {
    await this.connection().execute(
      `insert into "kustom_ipp_activity" ("id", "last_device_id", "last_device_used_at") values (?, ?, ?)
       on conflict ("id") do update set "last_device_id" = excluded."last_device_id",
         "last_device_used_at" = excluded."last_device_used_at", "updated_at" = now()`,
      [ACTIVITY_ROW_ID, deviceId, at],
      "run"
    )
  }

  async activity(): Promise<ActivityView> {
    const [row] = await this.service.listKustomIppActivities({ id: ACTIVITY_ROW_ID })
    if (!row) return { ...EMPTY_ACTIVITY }
    return {
      last_callback_at: row.last_callback_at ?? null,
      last_callback_signature_ok: row.last_callback_signature_ok ?? null,
      last_valid_callback_at: row.last_valid_callback_at ?? null,
      last_invalid_callback_at: row.last_invalid_callback_at ?? null,
      last_invalid_callback_reason: row.last_invalid_callback_reason ?? null,
      last_device_id: row.last_device_id ?? null,
      last_device_used_at: row.last_device_used_at ?? null,
    }
  }

  /* ---------- default devices ---------- */

  async listDeviceDefaults(filters: { scope?: DeviceDefaultScope; scope_id?: string | string[]; device_id?: string } = {}): Promise<DeviceDefaultView[]> {
    const rows = await this.service.listKustomIppDeviceDefaults(filters, { order: { created_at: "ASC" } })
    return rows.map((row) => ({ id: row.id, scope: row.scope, scope_id: row.scope_id, device_id: row.device_id }))
  }

  /** Sets (or, with `device_id: null`, clears) the default device of a sales channel or Kustom location. */
  async setDeviceDefault(input: { scope: DeviceDefaultScope; scope_id: string; device_id: string | null }): Promise<DeviceDefaultView | null> {
    const [existing] = await this.service.listKustomIppDeviceDefaults({ scope: input.scope, scope_id: input.scope_id })
    if (!input.device_id) {
      if (existing) await this.service.deleteKustomIppDeviceDefaults(existing.id)
      return null
    }
    const row = existing
      ? await this.service.updateKustomIppDeviceDefaults({ id: existing.id, device_id: input.device_id })
      : await this.service.createKustomIppDeviceDefaults({ scope: input.scope, scope_id: input.scope_id, device_id: input.device_id })
    return { id: row.id, scope: row.scope, scope_id: row.scope_id, device_id: row.device_id }
  }

  /** A removed device is no one's default and no longer preselected. */
  async forgetDevice(deviceId: string): Promise<void> {
    const defaults = await this.service.listKustomIppDeviceDefaults({ device_id: deviceId }, { select: ["id"] })
    if (defaults.length) await this.service.deleteKustomIppDeviceDefaults(defaults.map((row) => row.id))
    await this.connection().execute(
      `update "kustom_ipp_activity" set "last_device_id" = null, "updated_at" = now() where "id" = ? and "last_device_id" = ?`,
      [ACTIVITY_ROW_ID, deviceId],
      "run"
    )
  }

  /* ---------- stock location links ---------- */

  async listLocationLinks(filters: { stock_location_id?: string | string[]; kustom_location_id?: string | string[] } = {}): Promise<LocationLinkView[]> {
    const rows = await this.service.listKustomIppLocationLinks(filters)
    return rows.map((row) => ({ id: row.id, stock_location_id: row.stock_location_id, kustom_location_id: row.kustom_location_id }))
  }

  /** Links a Medusa stock location to a Kustom location, or unlinks it (`null`). */
  async linkStockLocation(stockLocationId: string, kustomLocationId: string | null): Promise<LocationLinkView | null> {
    const [existing] = await this.service.listKustomIppLocationLinks({ stock_location_id: stockLocationId })
    if (!kustomLocationId) {
      if (existing) await this.service.deleteKustomIppLocationLinks(existing.id)
      return null
    }
    const row = existing
      ? await this.service.updateKustomIppLocationLinks({ id: existing.id, kustom_location_id: kustomLocationId })
      : await this.service.createKustomIppLocationLinks({ stock_location_id: stockLocationId, kustom_location_id: kustomLocationId })
    return { id: row.id, stock_location_id: row.stock_location_id, kustom_location_id: row.kustom_location_id }
  }

  /* ---------- enrollment codes created here ---------- */

  /** `ref` becomes the row id; it is also in the enrollment's metadata, which its device inherits. */
  async recordEnrollment(enrollment: Enrollment, ref?: string): Promise<void> {
    await this.service.createKustomIppEnrollmentCodes({
      ...(ref ? { id: ref } : {}),
      enrollment_id: enrollment.enrollment_id,
      enrollment_code: enrollment.enrollment_code,
      location_id: enrollment.location_id ?? null,
      expires_at: new Date(enrollment.expires_at),
      status: "PENDING",
    })
  }

  async listEnrollmentCodes(filters: { location_id?: string; enrollment_id?: string } = {}): Promise<EnrollmentCodeView[]> {
    const rows = await this.service.listKustomIppEnrollmentCodes(filters, { order: { created_at: "DESC" }, take: 200 })
    return rows.map((row) => ({
      id: row.id,
      enrollment_id: row.enrollment_id,
      enrollment_code: row.enrollment_code,
      location_id: row.location_id ?? null,
      expires_at: row.expires_at,
      status: row.status,
      device_id: row.device_id ?? null,
      created_at: row.created_at,
    }))
  }

  /**
   * Keeps that a code created here was used, and by which device: the device carries the code's
   * `ref` only while it exists, so this is written before it is removed.
   */
  async markEnrollmentUsed(ref: string, deviceId: string): Promise<void> {
    const [row] = await this.service.listKustomIppEnrollmentCodes({ id: ref }, { select: ["id"] })
    if (row) await this.service.updateKustomIppEnrollmentCodes({ id: row.id, status: "CONSUMED", device_id: deviceId })
  }

  async markEnrollmentCancelled(enrollmentId: string): Promise<void> {
    const [row] = await this.service.listKustomIppEnrollmentCodes({ enrollment_id: enrollmentId }, { select: ["id"] })
    if (row) await this.service.updateKustomIppEnrollmentCodes({ id: row.id, status: "CANCELLED" })
  }

  private connection(): SqlConnection {
    const manager = this.cradle.manager as { getConnection(): SqlConnection } | undefined
    if (!manager) throw new Error("The Kustom IPP module has no database connection")
    return manager.getConnection()
  }
}
