/**
 * The Kustom In-Person Payments playground: a local emulator of Kustom's IPP API, the
 * Klarna-compatible Order Management API and Kustom's signed lifecycle callbacks, with a
 * virtual POS device page. See docs/playground.md for the contract.
 */
import { CallbackDispatcher } from "./callbacks"
import { controlRoutes } from "./control"
import type { Core } from "./core"
import { createDeviceHub, deviceApiRoutes } from "./device-api"
import { deviceRoutes } from "./devices"
import { enrollmentRoutes } from "./enrollments"
import { ApiFaultRegistry, parseCallbackFaults } from "./faults"
import { locationRoutes } from "./locations"
import { applyConfigurePatch, resolveOptions } from "./options"
import { orderManagementRoutes } from "./order-management"
import { HttpError } from "./problems"
import { RequestLog } from "./request-log"
import { Router } from "./router"
import { PlaygroundServer } from "./server"
import { restoreSessionTimers, sessionRoutes } from "./sessions"
import { Store } from "./store"
import { TimerRegistry } from "./timers"
import type {
  ApiFault,
  ApiFaultRecord,
  CallbackFaults,
  PlaygroundConfigurePatch,
  PlaygroundHandle,
  PlaygroundOptions,
} from "./types"

export type {
  ApiFault,
  ApiFaultRecord,
  CallbackFaults,
  CallbackRetryOptions,
  CaptureMode,
  Capture,
  DeliveryRecord,
  Device,
  Enrollment,
  EventType,
  LocationInput,
  Location,
  Metadata,
  Order,
  OrderItem,
  PlaygroundConfigurePatch,
  PlaygroundEvent,
  PlaygroundHandle,
  PlaygroundLogger,
  PlaygroundOptions,
  Refund,
  RequestLogEntry,
  Session,
  SessionStatus,
} from "./types"
export { DECLINE_OUTCOMES, TAP_OUTCOMES } from "./sessions"
export { ENROLLMENT_CODE_ALPHABET } from "./ids"
export { EVENT_TYPES } from "./faults"

/** `0.0.0.0`/`::` listen everywhere, but clients connect to loopback; IPv6 literals need brackets. */
function hostForUrl(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1"
  if (host === "::") return "[::1]"
  return host.includes(":") ? `[${host}]` : host
}

/** Errors of the handle's methods are plain Errors (HttpError is for HTTP answers). */
function asPlainError<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof HttpError) throw new Error(error.message)
    throw error
  }
}

function forgetState(core: Core): void {
  core.callbacks.reset()
  core.expiryTimers.clearAll()
  core.expiry.clear()
  core.faults.clear()
  core.requestLog.clear()
  const deviceIds = [...core.store.devices.keys()]
  core.store.clear()
  core.store.changed()
  // Forgotten devices' streams learn they are gone and end.
  for (const id of deviceIds) core.hub.deviceChanged(id)
}

export async function startPlayground(options: PlaygroundOptions): Promise<PlaygroundHandle> {
  const config = resolveOptions(options)
  const store = new Store(config.stateFile, config.logger)
  store.load()

  const core: Core = {
    config,
    store,
    callbacks: new CallbackDispatcher(config),
    hub: createDeviceHub(() => core),
    faults: new ApiFaultRegistry(),
    requestLog: new RequestLog(),
    expiry: new Map(),
    expiryTimers: new TimerRegistry(),
    baseUrl: "",
    reset: () => forgetState(core),
  }
  restoreSessionTimers(core)

  const router = new Router().add(
    ...locationRoutes(core),
    ...enrollmentRoutes(core),
    ...deviceRoutes(core),
    ...sessionRoutes(core),
    ...orderManagementRoutes(core),
    ...deviceApiRoutes(core),
    ...controlRoutes(core)
  )
  const server = new PlaygroundServer(core, router)
  let port: number
  try {
    port = await server.listen(config.port, config.host)
  } catch (error) {
    core.expiryTimers.close()
    core.callbacks.stop()
    store.close()
    throw error
  }
  core.baseUrl = `http://${hostForUrl(config.host)}:${port}`

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      core.callbacks.stop()
      core.expiryTimers.close()
      core.hub.closeAll()
      await server.close()
      store.close()
    })()
    return stopping
  }

  return {
    url: core.baseUrl,
    devicePageUrl: `${core.baseUrl}/device`,
    port,
    stop,
    requests: () => core.requestLog.list(),
    deliveries: () => core.callbacks.deliveries(),
    events: () => core.callbacks.events(),
    waitForDeliveries: (predicate, timeoutMs) => core.callbacks.waitForDeliveries(predicate, timeoutMs),
    injectFault: (fault: ApiFault): ApiFaultRecord => asPlainError(() => core.faults.add(fault)),
    clearFaults: () => core.faults.clear(),
    setCallbackFaults: (faults: CallbackFaults) =>
      asPlainError(() => core.callbacks.setFaults(parseCallbackFaults(faults))),
    configure: (patch: PlaygroundConfigurePatch) => applyConfigurePatch(core.config, patch),
    reset: () => core.reset(),
  }
}
