/**
 * The emulator's state, and its optional JSON state file.
 *
 * Writes are coalesced (one write per tick however many changes a request makes) and atomic:
 * the JSON goes to a temp file in the same directory that is then renamed over the state file,
 * so a crash mid-write never leaves a truncated file behind. `flush()` writes synchronously,
 * which `stop()` relies on so a restart sees every change.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { z } from "zod"
import type { Device, Enrollment, IdempotencyRecord, Order, PlaygroundLogger, Session } from "./types"

const STATE_VERSION = 1

export interface StateSnapshot {
  version: typeof STATE_VERSION
  enrollments: Enrollment[]
  devices: Device[]
  /** device token → device id */
  device_tokens: Record<string, string>
  sessions: Session[]
  orders: Order[]
  idempotency: IdempotencyRecord[]
}

const record = <T>() => z.custom<T>((v) => typeof v === "object" && v !== null && !Array.isArray(v))

const snapshotSchema = z.object({
  version: z.literal(STATE_VERSION),
  enrollments: z.array(record<Enrollment>()),
  devices: z.array(record<Device>()),
  device_tokens: z.record(z.string(), z.string()),
  sessions: z.array(record<Session>()),
  orders: z.array(record<Order>()),
  idempotency: z.array(record<IdempotencyRecord>()),
})

export class Store {
  // Maps keep insertion order, which is the listing order (oldest first).
  readonly enrollments = new Map<string, Enrollment>()
  readonly devices = new Map<string, Device>()
  readonly deviceTokens = new Map<string, string>()
  readonly sessions = new Map<string, Session>()
  readonly orders = new Map<string, Order>()
  readonly idempotency = new Map<string, IdempotencyRecord>()

  private writeScheduled = false
  private closed = false

  constructor(
    private readonly file: string | undefined,
    private readonly logger: PlaygroundLogger
  ) {}

  /** Load the state file if there is one. A file that is not ours fails the start, not silently overwritten. */
  load(): void {
    if (!this.file) return
    let text: string
    try {
      text = readFileSync(this.file, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return
      throw new Error(`Invalid playground option "stateFile": cannot read ${this.file}: ${(error as Error).message}`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new Error(`Invalid playground option "stateFile": ${this.file} is not JSON: ${(error as Error).message}`)
    }
    const result = snapshotSchema.safeParse(parsed)
    if (!result.success) {
      throw new Error(`Invalid playground option "stateFile": ${this.file} is not a playground state file (version ${STATE_VERSION})`)
    }
    this.restore(result.data as StateSnapshot)
  }

  private restore(snapshot: StateSnapshot): void {
    this.clear()
    for (const e of snapshot.enrollments) this.enrollments.set(e.enrollment_id, e)
    for (const d of snapshot.devices) this.devices.set(d.id, d)
    for (const [token, id] of Object.entries(snapshot.device_tokens)) this.deviceTokens.set(token, id)
    for (const s of snapshot.sessions) this.sessions.set(s.session_id, s)
    for (const o of snapshot.orders) this.orders.set(o.order_id, o)
    for (const r of snapshot.idempotency) this.idempotency.set(r.key, r)
  }

  snapshot(): StateSnapshot {
    return {
      version: STATE_VERSION,
      enrollments: [...this.enrollments.values()],
      devices: [...this.devices.values()],
      device_tokens: Object.fromEntries(this.deviceTokens),
      sessions: [...this.sessions.values()],
      orders: [...this.orders.values()],
      idempotency: [...this.idempotency.values()],
    }
  }

  clear(): void {
    this.enrollments.clear()
    this.devices.clear()
    this.deviceTokens.clear()
    this.sessions.clear()
    this.orders.clear()
    this.idempotency.clear()
  }

  /** Note a change; the state file is rewritten once the current request's work is done. */
  changed(): void {
    if (!this.file || this.writeScheduled || this.closed) return
    this.writeScheduled = true
    setImmediate(() => {
      if (this.writeScheduled) this.flush()
    })
  }

  /** Write now if a write is pending. */
  flush(): void {
    if (!this.writeScheduled || !this.file) return
    this.writeScheduled = false
    try {
      writeAtomically(this.file, JSON.stringify(this.snapshot(), null, 2))
    } catch (error) {
      // A failed write must not take the server down; the next change retries it.
      this.logger.error(`could not write state file ${this.file}: ${(error as Error).message}`)
    }
  }

  close(): void {
    this.flush()
    this.closed = true
  }
}

export function writeAtomically(file: string, contents: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`
  try {
    writeFileSync(temp, contents)
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}
