/**
 * A small method + path-pattern router. Patterns use `:name` segments. Each route declares its
 * authentication so the server applies it before the handler runs, and handlers stay about
 * the domain.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http"
import { badRequest } from "./problems"
import type { Device } from "./types"

export type RouteAuth =
  /** `Authorization: Basic` with the API key; `x-merchant-id` must match when sent. */
  | "api"
  /** API key only (the emulator's own `/_playground` control routes). */
  | "control"
  /** `Authorization: Bearer <device token>` (the virtual POS device). */
  | "device"
  | "none"

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Sent as JSON unless `contentType` says otherwise and the body is a string/Buffer. */
  body?: unknown
  contentType?: string
}

/** Returned by a handler that wrote the response itself (the SSE stream). */
export const STREAMING = Symbol("streaming")
export type HandlerResult = Reply | typeof STREAMING

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  params: Record<string, string>
  /** The raw request body (empty when none was sent). */
  rawBody: Buffer
  /** The device authenticated by a `device` route. */
  device?: Device
  /** The parsed JSON body; `undefined` when the request had no body. Throws 400 on malformed JSON. */
  json(): unknown
}

export type Handler = (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>

export interface Route {
  method: string
  pattern: string
  auth: RouteAuth
  handler: Handler
  /** list-enrollments: the `x-merchant-id` header is mandatory. */
  requireMerchantHeader?: boolean
  /** The SSE stream may authenticate with `?token=` since EventSource cannot send headers. */
  allowQueryToken?: boolean
}

interface CompiledRoute extends Route {
  segments: string[]
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" }

export class Router {
  private readonly routes: CompiledRoute[] = []

  add(...routes: Route[]): this {
    for (const route of routes) this.routes.push({ ...route, segments: split(route.pattern) })
    return this
  }

  match(method: string, path: string): RouteMatch {
    const segments = split(path)
    const allow = new Set<string>()
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments)
      if (!params) continue
      if (route.method === method) return { kind: "found", route, params }
      allow.add(route.method)
    }
    return allow.size > 0 ? { kind: "method-not-allowed", allow: [...allow] } : { kind: "not-found" }
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "")
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]
    if (p.startsWith(":")) {
      let value: string
      try {
        value = decodeURIComponent(actual[i])
      } catch {
        return undefined
      }
      params[p.slice(1)] = value
    } else if (p !== actual[i]) {
      return undefined
    }
  }
  return params
}

/** Require the body to be a JSON object (an omitted body counts as `{}` when `optional`). */
export function jsonObject(ctx: RequestContext, optional = false): Record<string, unknown> {
  const body = ctx.json()
  if (body === undefined && optional) return {}
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object", { body: "must be a JSON object" })
  }
  return body as Record<string, unknown>
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({ status, body, headers })
export const noContent = (): Reply => ({ status: 204 })
