/**
 * The HTTP side: reads and limits bodies, logs requests, applies injected API faults, routes,
 * authenticates, renders errors for the route family, serves the device page, and closes
 * promptly (open SSE streams and keep-alive sockets included).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { bearerToken, checkMerchantHeader, isAuthorized, unauthorized } from "./auth"
import type { Core } from "./core"
import { deviceForToken, touchDevice } from "./devices"
import {
  type ErrorFamily,
  errorCodeForStatus,
  HttpError,
  badRequest,
  notFound,
  orderManagementErrorBody,
  problemBody,
  renderError,
} from "./problems"
import { loggedBody, queryRecord, redactHeaders } from "./request-log"
import { type HandlerResult, type Reply, type RequestContext, type Route, type Router, STREAMING } from "./router"
import { isDevicePagePath, serveDevicePage } from "./static-files"
import { TimerRegistry } from "./timers"
import type { ApiFaultRecord, RequestLogEntry } from "./types"

/** Kustom's payloads are small; anything bigger is a client bug or abuse. */
export const MAX_BODY_BYTES = 1024 * 1024
/** Past this much discarded upload the connection is cut instead of drained for the 413. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES

const familyOf = (path: string): ErrorFamily =>
  path.startsWith("/ordermanagement/") ? "order-management" : "problem"

const isControlPath = (path: string): boolean => path === "/_playground" || path.startsWith("/_playground/")

/** Thrown when the client went away while its body was being read: nobody to answer. */
class ClientGone extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = Number(req.headers["content-length"] ?? 0) > limit
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge = true
      // Keep draining a too large body so the client gets to read the 413.
      if (!tooLarge) chunks.push(chunk)
      if (size > MAX_DRAIN_BYTES) req.destroy()
    })
    req.on("end", () => {
      if (tooLarge) {
        reject(new HttpError({ status: 413, detail: `The request body is larger than ${limit} bytes`, code: "PAYLOAD_TOO_LARGE" }))
      } else {
        resolve(Buffer.concat(chunks))
      }
    })
    req.on("error", () => reject(new ClientGone()))
    req.on("close", () => {
      if (!req.complete) reject(new ClientGone())
    })
  })
}

function jsonParser(raw: Buffer): () => unknown {
  let parsed: { value: unknown } | undefined
  return () => {
    if (parsed) return parsed.value
    if (raw.length === 0 || raw.toString("utf8").trim() === "") {
      parsed = { value: undefined }
      return undefined
    }
    try {
      parsed = { value: JSON.parse(raw.toString("utf8")) }
    } catch (error) {
      throw badRequest(`Malformed JSON in the request body: ${(error as Error).message}`, { body: "is not valid JSON" })
    }
    return parsed.value
  }
}

function errorReply(error: HttpError, family: ErrorFamily): Reply {
  const rendered = renderError(error, family)
  return { status: rendered.status, headers: rendered.headers, body: rendered.body, contentType: rendered.contentType }
}

/** What an injected fault answers: its body, or an error body of the route's family. */
function faultReply(fault: ApiFaultRecord, family: ErrorFamily): Reply {
  const status = fault.status ?? 500
  const headers: Record<string, string> = {}
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds)
  if (fault.body !== undefined) {
    const text = typeof fault.body === "string"
    return { status, headers, body: fault.body, contentType: text ? "text/plain; charset=utf-8" : "application/json" }
  }
  if (status < 400) return { status, headers, body: {} }
  const detail = `Injected fault (${status})`
  return family === "order-management"
    ? { status, headers, body: orderManagementErrorBody(errorCodeForStatus(status), [detail]) }
    : { status, headers, body: problemBody(status, detail), contentType: "application/problem+json" }
}

export class PlaygroundServer {
  private readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  /** Injected latencies; closed on stop so no sleeping request outlives the server. */
  private readonly timers = new TimerRegistry()

  constructor(
    private readonly core: Core,
    private readonly router: Router
  ) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.core.config.logger.error(`unhandled error for ${req.method} ${req.url}: ${(error as Error)?.stack ?? error}`)
        if (!res.headersSent && !res.destroyed) {
          this.send(res, errorReply(new HttpError({ status: 500, detail: "Internal playground error" }), "problem"))
        }
      })
    })
    this.server.on("connection", (socket) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
    })
    this.server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
      else socket.destroy()
    })
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      this.server.once("error", onError)
      this.server.listen(port, host, () => {
        this.server.off("error", onError)
        const address = this.server.address()
        resolve(typeof address === "object" && address ? address.port : port)
      })
    })
  }

  /** Stop listening and cut every connection (SSE streams and idle keep-alive ones too). */
  close(): Promise<void> {
    this.timers.close()
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
      for (const socket of this.sockets) socket.destroy()
    })
  }

  // ------------------------------------------------------------------ the pipeline

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase()
    let url: URL
    try {
      url = new URL(req.url ?? "/", "http://playground.invalid")
    } catch {
      this.send(res, errorReply(badRequest("Malformed request URL"), "problem"))
      return
    }
    const path = url.pathname
    const family = familyOf(path)

    if (isDevicePagePath(path)) return this.handleDevicePage(method, path, res)

    let rawBody: Buffer
    try {
      rawBody = await readBody(req, MAX_BODY_BYTES)
    } catch (error) {
      if (error instanceof HttpError) this.send(res, errorReply(error, family))
      return
    }

    const control = isControlPath(path)
    // The control routes are the test's own tooling: not logged, never faulted.
    const entry = control
      ? undefined
      : this.core.requestLog.add({
          at: new Date().toISOString(),
          method,
          path,
          query: queryRecord(url.searchParams),
          headers: redactHeaders(req.headers),
          body: loggedBody(rawBody),
          status: null,
        })

    const ctx: RequestContext = {
      req,
      res,
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      params: {},
      rawBody,
      json: jsonParser(rawBody),
    }

    const fault = control ? undefined : this.core.faults.take(method, path)
    if (fault && fault.when !== "after") {
      if (fault.latencyMs) await this.timers.sleep(fault.latencyMs)
      if (fault.dropConnection) return this.drop(req, method, path)
      // A latency-only fault slows the real answer down; otherwise the fault answers instead.
      if (fault.status !== undefined) return this.send(res, faultReply(fault, family), entry, method, path)
    }

    const result = await this.dispatch(ctx, family)
    if (result === STREAMING) {
      if (entry) entry.status = res.statusCode
      return
    }

    if (fault && fault.when === "after") {
      // The handler's effect happened; the caller gets a late, lost or different answer.
      if (fault.latencyMs) await this.timers.sleep(fault.latencyMs)
      if (fault.dropConnection) return this.drop(req, method, path)
      if (fault.status !== undefined) return this.send(res, faultReply(fault, family), entry, method, path)
    }
    this.send(res, result, entry, method, path)
  }

  private async dispatch(ctx: RequestContext, family: ErrorFamily): Promise<HandlerResult> {
    try {
      const match = this.router.match(ctx.method, ctx.path)
      if (match.kind === "not-found") throw notFound(`No route for ${ctx.method} ${ctx.path}`)
      if (match.kind === "method-not-allowed") {
        throw new HttpError({
          status: 405,
          detail: `${ctx.method} is not allowed on ${ctx.path}`,
          headers: { allow: match.allow.join(", ") },
        })
      }
      ctx.params = match.params
      this.authenticate(match.route, ctx)
      return await match.route.handler(ctx)
    } catch (error) {
      if (error instanceof HttpError) return errorReply(error, family)
      this.core.config.logger.error(`error in ${ctx.method} ${ctx.path}: ${(error as Error)?.stack ?? error}`)
      return errorReply(new HttpError({ status: 500, detail: "Internal playground error" }), family)
    }
  }

  private authenticate(route: Route, ctx: RequestContext): void {
    const { apiKey, merchantId } = this.core.config
    const authorization = ctx.headers.authorization
    switch (route.auth) {
      case "none":
        return
      case "control":
        if (!isAuthorized(authorization, apiKey, merchantId)) throw unauthorized()
        return
      case "api":
        if (!isAuthorized(authorization, apiKey, merchantId)) throw unauthorized()
        checkMerchantHeader(ctx.headers, merchantId, route.requireMerchantHeader === true)
        return
      case "device": {
        const token = bearerToken(authorization) ?? (route.allowQueryToken ? ctx.query.get("token") ?? undefined : undefined)
        const device = token ? deviceForToken(this.core, token) : undefined
        if (!device) {
          throw new HttpError({
            status: 401,
            detail: "Missing, unknown or revoked device token",
            headers: { "www-authenticate": 'Bearer realm="Kustom POS"' },
          })
        }
        ctx.device = device
        // Any contact of the virtual device counts as "seen".
        touchDevice(this.core, device)
        return
      }
    }
  }

  private async handleDevicePage(method: string, path: string, res: ServerResponse): Promise<void> {
    let reply: Reply
    if (method !== "GET" && method !== "HEAD") {
      reply = errorReply(
        new HttpError({ status: 405, detail: `${method} is not allowed on ${path}`, headers: { allow: "GET, HEAD" } }),
        "problem"
      )
    } else {
      try {
        reply = await serveDevicePage(path)
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        reply = errorReply(error, "problem")
      }
    }
    this.send(res, reply, undefined, method, path, method === "HEAD")
  }

  private drop(req: IncomingMessage, method: string, path: string): void {
    this.core.config.logger.info(`${method} ${path} → connection dropped (fault)`)
    req.socket.destroy()
  }

  private send(
    res: ServerResponse,
    reply: Reply,
    entry?: RequestLogEntry,
    method?: string,
    path?: string,
    headOnly = false
  ): void {
    if (res.headersSent || res.destroyed) return
    const headers: Record<string, string> = { ...(reply.headers ?? {}) }
    let payload: Buffer | undefined
    if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
      if (Buffer.isBuffer(reply.body)) payload = reply.body
      else if (typeof reply.body === "string" && reply.contentType && !reply.contentType.includes("json")) {
        payload = Buffer.from(reply.body)
      } else payload = Buffer.from(JSON.stringify(reply.body))
      headers["content-type"] = reply.contentType ?? "application/json"
      headers["content-length"] = String(payload.length)
    }
    // Set before the answer leaves, so a client that just got it sees its status in the log.
    if (entry) entry.status = reply.status
    if (method && path) this.core.config.logger.info(`${method} ${path} → ${reply.status}`)
    res.writeHead(reply.status, headers)
    res.end(headOnly ? undefined : payload)
  }
}
