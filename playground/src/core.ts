/**
 * What the route modules share: configuration, state and the services that react to changes.
 * One `Core` per running playground (tests start many side by side).
 */
import type { CallbackDispatcher } from "./callbacks"
import type { DeviceHub } from "./device-api"
import type { ApiFaultRegistry } from "./faults"
import type { RequestLog } from "./request-log"
import type { Store } from "./store"
import type { TimerRegistry } from "./timers"
import type { ResolvedConfig } from "./types"

export interface Core {
  /** Live configuration; `configure()` changes it in place. */
  config: ResolvedConfig
  store: Store
  callbacks: CallbackDispatcher
  hub: DeviceHub
  faults: ApiFaultRegistry
  requestLog: RequestLog
  /** Session expiry timers (session id → timer), in `expiryTimers`. */
  expiry: Map<string, NodeJS.Timeout>
  expiryTimers: TimerRegistry
  /** `http://host:port`, known once the server listens. */
  baseUrl: string
  /** Forget all state except locations and configuration. */
  reset(): void
}

export const nowIso = (): string => new Date().toISOString()
