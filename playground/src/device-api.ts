/**
 * The virtual POS device's side (emulator only): what the Kustom POS app does on a clerk's
 * phone. The device page authenticates with the device token it got at registration and
 * follows its pushed session over a server-sent event stream.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { z } from "zod"
import type { Core } from "./core"
import { findLocation } from "./locations"
import { tokenOfDevice, toDeviceView, touchDevice } from "./devices"
import { notFound, parseOrThrow } from "./problems"
import { jsonObject, ok, type RequestContext, type Route, STREAMING } from "./router"
import {
  activateSession,
  cancelSession,
  deviceSessionState,
  getSession,
  parseOutcome,
  tapSession,
  toSessionView,
} from "./sessions"
import { TimerRegistry } from "./timers"
import type { Device, Session } from "./types"

interface HubSource {
  device(deviceId: string): Device | undefined
  sessionState(deviceId: string): unknown
  touch(deviceId: string): void
}

interface Stream {
  deviceId: string
  res: ServerResponse
  lastSession: string | undefined
  lastDevice: string | undefined
  keepAlive: NodeJS.Timeout | undefined
}

/**
 * Open SSE streams by device. An event is sent only when what it carries changed since the last
 * one on that stream, so a device sees each state once however many internal updates happen.
 */
export class DeviceHub {
  private readonly streams = new Set<Stream>()
  private readonly timers = new TimerRegistry()

  constructor(
    private readonly source: HubSource,
    private readonly keepAliveMs: () => number
  ) {}

  open(deviceId: string, _req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // Proxies (nginx) must not buffer the stream.
      "x-accel-buffering": "no",
    })
    res.write("retry: 2000\n\n")
    const stream: Stream = { deviceId, res, lastSession: undefined, lastDevice: undefined, keepAlive: undefined }
    this.streams.add(stream)
    // The current state first, so the page renders at once after (re)connecting.
    this.sendDevice(stream)
    this.sendSession(stream)
    // An open stream is the device being in contact: it refreshes `last_seen_at` too — but only
    // while the page is still connected (a keep-alive written into a closed socket is no contact).
    stream.keepAlive = this.timers.interval(() => {
      if (res.destroyed || res.writableEnded) return this.close(stream)
      res.write(": keep-alive\n\n")
      this.source.touch(deviceId)
    }, this.keepAliveMs())
    // The response's "close", not the request's: the request has been read to its end before this
    // stream opens, so its "close" may already have been emitted and a page closed later would
    // never end the stream (its keep-alive then went on marking the device as seen).
    res.on("close", () => this.close(stream))
    res.on("error", () => this.close(stream))
  }

  sessionChanged(deviceId: string): void {
    for (const stream of this.streams) if (stream.deviceId === deviceId) this.sendSession(stream)
  }

  deviceChanged(deviceId: string): void {
    for (const stream of [...this.streams]) {
      if (stream.deviceId !== deviceId) continue
      if (this.source.device(deviceId)) {
        this.sendDevice(stream)
      } else {
        // Removed: say so, then end the stream (its token no longer works).
        write(stream, "device", JSON.stringify({ device: null }))
        this.close(stream)
      }
    }
  }

  private sendDevice(stream: Stream): void {
    const device = this.source.device(stream.deviceId)
    const data = JSON.stringify({ device: device ? toDeviceView(device) : null })
    if (data === stream.lastDevice) return
    stream.lastDevice = data
    write(stream, "device", data)
  }

  private sendSession(stream: Stream): void {
    const data = JSON.stringify(this.source.sessionState(stream.deviceId))
    if (data === stream.lastSession) return
    stream.lastSession = data
    write(stream, "session", data)
  }

  private close(stream: Stream): void {
    if (!this.streams.delete(stream)) return
    this.timers.clear(stream.keepAlive)
    stream.res.end()
  }

  /** Number of open streams (for tests and the log). */
  get size(): number {
    return this.streams.size
  }

  closeAll(): void {
    for (const stream of [...this.streams]) this.close(stream)
    this.timers.clearAll()
  }
}

function write(stream: Stream, event: string, data: string): void {
  if (stream.res.writableEnded) return
  stream.res.write(`event: ${event}\ndata: ${data}\n\n`)
}

export function createDeviceHub(core: () => Core): DeviceHub {
  return new DeviceHub(
    {
      device: (id) => core().store.devices.get(id),
      sessionState: (id) => deviceSessionState(core(), id),
      touch: (id) => {
        const device = core().store.devices.get(id)
        if (device) touchDevice(core(), device)
      },
    },
    () => core().config.sseKeepAliveMs
  )
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const paymentMethodSchema = z.object({ method: z.literal("card", { error: 'must be "card"' }) })
const tapSchema = z.object({ outcome: z.string().nullable().optional() })

/** A device only sees and acts on its own sessions. */
function deviceSession(core: Core, ctx: RequestContext): Session {
  const session = getSession(core, ctx.params.id)
  if (session.device_id !== ctx.device!.id) throw notFound(`No session with id ${ctx.params.id} on this device`)
  return session
}

export function deviceApiRoutes(core: Core): Route[] {
  return [
    {
      method: "GET",
      pattern: "/pos/v1/simulated-devices",
      auth: "none",
      handler: () => {
        const devices = [...core.store.devices.values()]
          .filter((d) => d.metadata.simulated === true)
          .map((d) => ({ device: toDeviceView(d), device_token: tokenOfDevice(core, d.id) ?? null }))
        return ok({ devices })
      },
    },
    {
      method: "GET",
      pattern: "/pos/v1/me",
      auth: "device",
      // The location too, so that the device page can say where it is ("Playground Store · Stockholm").
      handler: (ctx) => {
        const locationId = ctx.device!.location_id
        return ok({ device: toDeviceView(ctx.device!), location: locationId ? (findLocation(core, locationId) ?? null) : null })
      },
    },
    {
      method: "GET",
      pattern: "/pos/v1/session",
      auth: "device",
      handler: (ctx) => ok(deviceSessionState(core, ctx.device!.id)),
    },
    {
      method: "GET",
      pattern: "/pos/v1/events",
      auth: "device",
      allowQueryToken: true,
      handler: (ctx) => {
        core.hub.open(ctx.device!.id, ctx.req, ctx.res)
        return STREAMING
      },
    },
    {
      method: "POST",
      pattern: "/pos/v1/sessions/:id/payment-method",
      auth: "device",
      handler: (ctx) => {
        parseOrThrow(paymentMethodSchema, jsonObject(ctx))
        return ok(toSessionView(activateSession(core, deviceSession(core, ctx))))
      },
    },
    {
      method: "POST",
      pattern: "/pos/v1/sessions/:id/tap",
      auth: "device",
      handler: (ctx) => {
        const outcome = parseOutcome(parseOrThrow(tapSchema, jsonObject(ctx, true)).outcome)
        return ok(toSessionView(tapSession(core, deviceSession(core, ctx), outcome)))
      },
    },
    {
      method: "POST",
      pattern: "/pos/v1/sessions/:id/cancel",
      auth: "device",
      handler: (ctx) => ok(toSessionView(cancelSession(core, deviceSession(core, ctx)))),
    },
  ]
}
