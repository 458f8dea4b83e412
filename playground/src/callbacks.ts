/**
 * Lifecycle callbacks: Standard Webhooks signed POSTs to the merchant's callback URL.
 *
 * - Every event is recorded in `events()` when it happens, whatever the delivery faults.
 * - Events of one session go out one after the other, in order: the next one waits until the
 *   previous one was delivered or given up (a per-session promise chain), as the plugin must
 *   be able to rely on "in order unless a fault says otherwise".
 * - A failed attempt (non-2xx, connection error, no answer within `timeoutMs`) is retried with
 *   exponential backoff and jitter, up to `maxAttempts` attempts in all. `webhook-id` and the
 *   body stay the same across retries and duplicates; the timestamp and signatures are per attempt.
 * - Callback faults are taken at the moment the event happens, so changing them later does not
 *   change what is already on its way.
 */
import http from "node:http"
import https from "node:https"
import { Webhook } from "standardwebhooks"
import { newEventId } from "./ids"
import { TimerRegistry } from "./timers"
import type {
  CallbackFaults,
  CallbackRetryOptions,
  DeliveryRecord,
  EventType,
  PlaygroundEvent,
  ResolvedConfig,
  Session,
} from "./types"

/** Keeps long demo runs bounded; tests stay far below. */
const MAX_LOG = 10_000

interface PlannedEvent {
  event: PlaygroundEvent
  body: string
  /** The callback fault that applies to this event, if any (a snapshot). */
  fault: CallbackFaults | undefined
}

interface AttemptResult {
  status?: number
  error?: string
  signatures: string[]
}

interface Waiter {
  predicate: (deliveries: DeliveryRecord[]) => boolean
  resolve: (deliveries: DeliveryRecord[]) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/** Delay before attempt `attempt + 1`: base·2^(attempt-1), capped, ±25 % jitter (capped again). */
export function backoffDelay(attempt: number, retry: CallbackRetryOptions, random = Math.random): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))
  // Jitter spreads retries of many events so a recovering receiver is not hit all at once.
  const jittered = exponential * (0.75 + random() * 0.5)
  return Math.round(Math.min(retry.maxDelayMs, jittered))
}

export class CallbackDispatcher {
  private eventLog: PlaygroundEvent[] = []
  private deliveryLog: DeliveryRecord[] = []
  private faults: CallbackFaults = {}
  /** session id → tail of its delivery chain */
  private readonly chains = new Map<string, Promise<void>>()
  /** session id → events held back by an `outOfOrder` fault until the session ends */
  private readonly held = new Map<string, PlannedEvent[]>()
  /** event id → attempts still to drop (`dropFirst`), shared by the copies of the event */
  private readonly dropsLeft = new Map<string, number>()
  private readonly inflight = new Set<http.ClientRequest>()
  private readonly waiters = new Set<Waiter>()
  private timers = new TimerRegistry()
  /** Bumped by reset/stop: loops of an older generation stop without recording anything. */
  private generation = 0
  private stopped = false

  constructor(private readonly config: ResolvedConfig) {}

  // ------------------------------------------------------------------ events

  /** Record a lifecycle event of `session` and deliver it (unless callbacks are off). */
  publish(type: EventType, session: Session, failureReason: string | null = null): PlaygroundEvent {
    const event: PlaygroundEvent = {
      id: newEventId(),
      merchant_id: this.config.merchantId,
      timestamp: new Date().toISOString(),
      type,
      data: { session_id: session.session_id, order_id: session.order_id, failure_reason: failureReason },
    }
    this.pushBounded(this.eventLog, event)
    if (this.stopped || !this.config.callbackUrl) return event

    const planned: PlannedEvent = { event, body: JSON.stringify(event), fault: this.faultFor(type) }
    if (planned.fault?.dropAll) {
      this.record(planned, 1, new Date(), { error: "dropped by callback fault (dropAll)", signatures: [] }, 0, true)
      return event
    }
    if (planned.fault?.dropFirst) this.dropsLeft.set(event.id, planned.fault.dropFirst)
    if (planned.fault?.outOfOrder) {
      const list = this.held.get(session.session_id) ?? []
      list.push(planned)
      this.held.set(session.session_id, list)
    } else {
      this.enqueue(planned)
    }
    return event
  }

  /**
   * The session reached a terminal status: release what an `outOfOrder` fault held back,
   * newest first (after the terminal event itself when that one was not held).
   */
  sessionEnded(sessionId: string): void {
    const list = this.held.get(sessionId)
    if (!list) return
    this.held.delete(sessionId)
    for (const planned of list.reverse()) this.enqueue(planned)
  }

  private faultFor(type: EventType): CallbackFaults | undefined {
    const f = this.faults
    const active =
      (f.duplicate ?? 1) > 1 || f.concurrent || f.outOfOrder || (f.delayMs ?? 0) > 0 || (f.dropFirst ?? 0) > 0 || f.dropAll
    if (!active) return undefined
    if (f.types && f.types.length > 0 && !f.types.includes(type)) return undefined
    return { ...f }
  }

  // ------------------------------------------------------------------ faults

  setFaults(faults: CallbackFaults): void {
    this.faults = { ...faults, types: faults.types ? [...faults.types] : undefined }
    // Whatever was held back for reordering is released now, so nothing waits forever.
    for (const sessionId of [...this.held.keys()]) this.sessionEnded(sessionId)
  }

  getFaults(): CallbackFaults {
    return { ...this.faults }
  }

  // ------------------------------------------------------------------ delivery

  private enqueue(planned: PlannedEvent): void {
    const key = planned.event.data.session_id
    const tail = this.chains.get(key) ?? Promise.resolve()
    const next = tail.then(() => this.deliverEvent(planned, this.generation))
    this.chains.set(key, next)
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key)
    })
  }

  private async deliverEvent(planned: PlannedEvent, generation: number): Promise<void> {
    try {
      const copies = Math.max(1, planned.fault?.duplicate ?? 1)
      if (planned.fault?.concurrent) {
        await Promise.all(Array.from({ length: copies }, () => this.deliverCopy(planned, generation)))
      } else {
        for (let i = 0; i < copies; i++) await this.deliverCopy(planned, generation)
      }
    } catch (error) {
      // Never break the session's chain: a bug here must not stop later events.
      this.config.logger.error(`callback ${planned.event.id} failed: ${(error as Error).message}`)
    }
  }

  private isCurrent(generation: number): boolean {
    return !this.stopped && generation === this.generation
  }

  private async deliverCopy(planned: PlannedEvent, generation: number): Promise<void> {
    const { event } = planned
    if (planned.fault?.delayMs) await this.timers.sleep(planned.fault.delayMs)

    for (let attempt = 1; ; attempt++) {
      if (!this.isCurrent(generation)) return
      const url = this.config.callbackUrl
      if (!url) return // callbacks were switched off meanwhile

      const startedAt = new Date()
      const started = Date.now()
      const drops = this.dropsLeft.get(event.id) ?? 0
      let result: AttemptResult
      let dropped = false
      if (drops > 0) {
        this.dropsLeft.set(event.id, drops - 1)
        result = { error: "dropped by callback fault (dropFirst)", signatures: [] }
        dropped = true
      } else {
        result = await this.send(url, planned)
      }
      if (!this.isCurrent(generation)) return
      this.record(planned, attempt, startedAt, result, Date.now() - started, dropped, url)

      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        this.config.logger.info(`callback ${event.type} ${event.id} delivered (attempt ${attempt}, ${result.status})`)
        return
      }
      const retry = this.config.callbackRetry
      if (attempt >= retry.maxAttempts) {
        this.config.logger.warn(`callback ${event.type} ${event.id} given up after ${attempt} attempt(s)`)
        return
      }
      const delay = backoffDelay(attempt, retry)
      this.config.logger.warn(
        `callback ${event.type} ${event.id} attempt ${attempt} failed (${result.status ?? result.error}); retrying in ${delay} ms`
      )
      await this.timers.sleep(delay)
    }
  }

  /** One signed POST. Resolves (never rejects) with the status or the reason there was none. */
  private send(url: string, planned: PlannedEvent): Promise<AttemptResult> {
    const timestamp = new Date()
    const signatures = this.config.webhookSecrets.map((secret) =>
      new Webhook(secret).sign(planned.event.id, timestamp, planned.body)
    )
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(planned.body)),
      "user-agent": "kustom-ipp-playground",
      "webhook-id": planned.event.id,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    }
    if (signatures.length > 0) headers["webhook-signature"] = signatures.join(" ")
    const timeoutMs = this.config.callbackRetry.timeoutMs

    return new Promise<AttemptResult>((resolve) => {
      let settled = false
      let timer: NodeJS.Timeout | undefined
      const finish = (result: Omit<AttemptResult, "signatures">): void => {
        if (settled) return
        settled = true
        this.timers.clear(timer)
        resolve({ ...result, signatures })
      }
      const lib = url.startsWith("https:") ? https : http
      let request: http.ClientRequest
      try {
        // agent: false — a fresh connection per attempt, nothing pooled that could outlive stop().
        request = lib.request(url, { method: "POST", headers, agent: false }, (response) => {
          response.resume()
          finish({ status: response.statusCode })
        })
      } catch (error) {
        finish({ error: (error as Error).message })
        return
      }
      this.inflight.add(request)
      request.on("close", () => this.inflight.delete(request))
      request.on("error", (error) => finish({ error: error.message || String(error) }))
      timer = this.timers.timeout(() => {
        finish({ error: `no answer within ${timeoutMs} ms` })
        request.destroy()
      }, timeoutMs)
      request.end(planned.body)
    })
  }

  // ------------------------------------------------------------------ the delivery log

  private record(
    planned: PlannedEvent,
    attempt: number,
    at: Date,
    result: AttemptResult,
    durationMs: number,
    dropped: boolean,
    url = this.config.callbackUrl ?? ""
  ): void {
    const entry: DeliveryRecord = {
      event_id: planned.event.id,
      type: planned.event.type,
      session_id: planned.event.data.session_id,
      attempt,
      url,
      at: at.toISOString(),
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      duration_ms: durationMs,
      signatures: result.signatures,
      ...(dropped ? { dropped: true } : {}),
    }
    this.pushBounded(this.deliveryLog, entry)
    this.notifyWaiters()
  }

  private pushBounded<T>(list: T[], item: T): void {
    list.push(item)
    if (list.length > MAX_LOG) list.splice(0, list.length - MAX_LOG)
  }

  events(): PlaygroundEvent[] {
    return this.eventLog.map((e) => ({ ...e, data: { ...e.data } }))
  }

  deliveries(): DeliveryRecord[] {
    return this.deliveryLog.map((d) => ({ ...d, signatures: [...d.signatures] }))
  }

  waitForDeliveries(predicate: (deliveries: DeliveryRecord[]) => boolean, timeoutMs = 10_000): Promise<DeliveryRecord[]> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Error("waitForDeliveries: the playground is stopped"))
      const current = this.deliveries()
      try {
        if (predicate(current)) return resolve(current)
      } catch (error) {
        return reject(error as Error)
      }
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter)
          const seen = this.deliveryLog.map((d) => `${d.type}#${d.attempt}:${d.status ?? d.error}`).join(", ")
          reject(new Error(`waitForDeliveries: not satisfied within ${timeoutMs} ms; deliveries so far: [${seen}]`))
        }, timeoutMs),
      }
      this.waiters.add(waiter)
    })
  }

  private notifyWaiters(): void {
    if (this.waiters.size === 0) return
    const current = this.deliveries()
    for (const waiter of [...this.waiters]) {
      let done: boolean
      try {
        done = waiter.predicate(current)
      } catch (error) {
        this.settleWaiter(waiter)
        waiter.reject(error as Error)
        continue
      }
      if (done) {
        this.settleWaiter(waiter)
        waiter.resolve(current)
      }
    }
  }

  private settleWaiter(waiter: Waiter): void {
    clearTimeout(waiter.timer)
    this.waiters.delete(waiter)
  }

  // ------------------------------------------------------------------ lifecycle

  /** Forget events, deliveries, faults and everything pending. */
  reset(): void {
    this.generation++
    this.timers.close()
    this.timers = new TimerRegistry()
    for (const request of this.inflight) request.destroy()
    this.inflight.clear()
    this.chains.clear()
    this.held.clear()
    this.dropsLeft.clear()
    this.faults = {}
    this.eventLog = []
    this.deliveryLog = []
  }

  stop(): void {
    this.reset()
    this.stopped = true
    this.timers.close()
    for (const waiter of [...this.waiters]) {
      this.settleWaiter(waiter)
      waiter.reject(new Error("waitForDeliveries: the playground was stopped"))
    }
  }
}
