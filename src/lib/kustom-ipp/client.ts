import { randomUUID } from "node:crypto"
import type { z } from "zod"
import { type KustomIppClientOptions, resolveKustomIppConfig } from "./config"
import {
  KustomIppApiError,
  KustomIppConfigError,
  KustomIppInvalidRequestError,
  KustomIppUnexpectedResponseError,
  type ResponseIssue,
} from "./errors"
import { type HttpRequest, type HttpResponse, HttpTransport } from "./http"
import { paginate } from "./paging"
import {
  type Capture,
  captureSchema,
  formatIssuePath,
  type Device,
  devicePageSchema,
  deviceSchema,
  type Enrollment,
  enrollmentPageSchema,
  enrollmentSchema,
  type Location,
  locationPageSchema,
  locationSchema,
  type Order,
  orderSchema,
  type Page,
  type Refund,
  refundSchema,
  type Session,
  sessionSchema,
} from "./schemas"
import {
  type CaptureInput,
  type CreateEnrollmentInput,
  type CreateSessionInput,
  type CreateSessionOptions,
  type CreateSimulatedDeviceInput,
  type DeviceReplacement,
  type DeviceUpdate,
  type IdempotentRequestOptions,
  type ListEnrollmentsParams,
  type PageParams,
  type RefundInput,
  type RequestOptions,
  SIMULATED_TAP_OUTCOMES,
  type SimulatedTapOutcome,
} from "./types"

const IPP = "/ipp/v1"
const OM = "/ordermanagement/v1"
const MAX_METADATA_FILTERS = 5
/** Page size used by the `listAll` iterators: the API maximum, for the fewest round trips. */
const ITERATION_PAGE_SIZE = 100

export interface CaptureResult {
  /** From the `Capture-Id` header, else the body, else the `Location` header. */
  captureId: string
  /** The key sent as `Klarna-Idempotency-Key`; pass it again to repeat this capture safely. */
  idempotencyKey: string
  /** The capture, when the server sent it in the body (the real API may answer an empty 201). */
  capture?: Capture
  location?: string
}

export interface RefundResult {
  refundId: string
  idempotencyKey: string
  refund?: Refund
  location?: string
}

export interface CancelOrderResult {
  idempotencyKey: string
}

/** Shared plumbing of the resource groups: send, then validate the body against a schema. */
class Requester {
  constructor(readonly transport: HttpTransport) {}

  async json<S extends z.ZodType>(schema: S, req: HttpRequest): Promise<z.output<S>> {
    const res = await this.transport.request(req)
    return parseBody(schema, res, req)
  }

  /** For answers without a body to validate (204s) or read specially (captures, refunds). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    return this.transport.request(req)
  }
}

export class EnrollmentsApi {
  constructor(private readonly r: Requester) {}

  /** Creates a one-time pairing code. Not retried: a repeat would mint a second code. */
  async create(input: CreateEnrollmentInput = {}, options: RequestOptions = {}): Promise<Enrollment> {
    return this.r.json(enrollmentSchema, {
      method: "POST",
      path: `${IPP}/enrollments`,
      body: input,
      retry: false,
      ...callOptions(options),
    })
  }

  /** Needs `merchantId` in the client options (Kustom requires `x-merchant-id` here). */
  async list(params: ListEnrollmentsParams = {}, options: RequestOptions = {}): Promise<Page<Enrollment>> {
    if (!this.r.transport.merchantId) {
      throw new KustomIppConfigError(
        "Listing Kustom IPP enrollments requires the merchantId client option (sent as x-merchant-id)",
        ["merchantId"],
      )
    }
    return this.r.json(enrollmentPageSchema, {
      method: "GET",
      path: `${IPP}/enrollments`,
      query: {
        location_id: params.location_id,
        metadata: metadataFilters(params.metadata),
        include_consumed: params.include_consumed,
        ...pageQuery(params),
      },
      retry: true,
      ...callOptions(options),
    })
  }

  /** Every matching enrollment, page by page. */
  listAll(params: Omit<ListEnrollmentsParams, "page_number"> = {}, options: RequestOptions = {}): AsyncGenerator<Enrollment> {
    return paginate((page_number) =>
      this.list({ page_size: ITERATION_PAGE_SIZE, ...params, page_number }, options),
    )
  }

  /** Cancels a PENDING code (204). */
  async cancel(enrollmentId: string, options: RequestOptions = {}): Promise<void> {
    try {
      await this.r.send({
        method: "DELETE",
        path: `${IPP}/enrollments/${segment(enrollmentId, "enrollmentId")}`,
        retry: true,
        ...callOptions(options),
      })
    } catch (error) {
      // A retried cancel whose first attempt went through answers 409 (no longer PENDING). Done
      // if the code can no longer be used; a code a device consumed meanwhile stays an error.
      // Looking it up needs `merchantId` (Kustom lists codes only with it); without, the 409 stands.
      if (error instanceof KustomIppApiError && error.status === 409 && (error.attempts ?? 1) > 1 && this.r.transport.merchantId) {
        if (await this.endedUnused(enrollmentId, options)) return
      }
      throw error
    }
  }

  /** Whether a code was cancelled (cancelled codes are never listed) or expired, unused. */
  private async endedUnused(enrollmentId: string, options: RequestOptions): Promise<boolean> {
    for await (const enrollment of this.listAll({ include_consumed: true }, options)) {
      if (enrollment.enrollment_id === enrollmentId) return enrollment.status === "CANCELLED" || enrollment.status === "EXPIRED"
    }
    return true
  }
}

export class LocationsApi {
  constructor(private readonly r: Requester) {}

  async list(params: PageParams = {}, options: RequestOptions = {}): Promise<Page<Location>> {
    return this.r.json(locationPageSchema, {
      method: "GET",
      path: `${IPP}/locations`,
      query: pageQuery(params),
      retry: true,
      ...callOptions(options),
    })
  }

  listAll(options: RequestOptions = {}): AsyncGenerator<Location> {
    return paginate((page_number) => this.list({ page_size: ITERATION_PAGE_SIZE, page_number }, options))
  }

  async get(locationId: string, options: RequestOptions = {}): Promise<Location> {
    return this.r.json(locationSchema, {
      method: "GET",
      path: `${IPP}/locations/${segment(locationId, "locationId")}`,
      retry: true,
      ...callOptions(options),
    })
  }
}

export class DevicesApi {
  constructor(private readonly r: Requester) {}

  async list(params: PageParams = {}, options: RequestOptions = {}): Promise<Page<Device>> {
    return this.r.json(devicePageSchema, {
      method: "GET",
      path: `${IPP}/devices`,
      query: pageQuery(params),
      retry: true,
      ...callOptions(options),
    })
  }

  listAll(options: RequestOptions = {}): AsyncGenerator<Device> {
    return paginate((page_number) => this.list({ page_size: ITERATION_PAGE_SIZE, page_number }, options))
  }

  async get(deviceId: string, options: RequestOptions = {}): Promise<Device> {
    return this.r.json(deviceSchema, {
      method: "GET",
      path: `${IPP}/devices/${segment(deviceId, "deviceId")}`,
      retry: true,
      ...callOptions(options),
    })
  }

  /**
   * Changes some fields and keeps the others. Kustom's PUT replaces the whole device, so
   * this reads the device first and sends the merged `{ name, metadata, location_id }`.
   * Two concurrent updates of one device can still overwrite each other (the API has no
   * version check); serialise them if that matters.
   */
  async update(deviceId: string, patch: DeviceUpdate, options: RequestOptions = {}): Promise<Device> {
    const current = await this.get(deviceId, options)
    return this.replace(
      deviceId,
      {
        name: patch.name ?? current.name,
        metadata: patch.metadata ?? current.metadata,
        location_id: patch.location_id !== undefined ? patch.location_id : (current.location_id ?? null),
      },
      options,
    )
  }

  /** Sends `PUT` as is: every field is replaced, as Kustom does. Prefer {@link update}. */
  async replace(deviceId: string, device: DeviceReplacement, options: RequestOptions = {}): Promise<Device> {
    if (typeof device?.name !== "string" || !device.name.trim()) {
      throw new KustomIppInvalidRequestError("A device needs a non-empty name", "name")
    }
    return this.r.json(deviceSchema, {
      method: "PUT",
      path: `${IPP}/devices/${segment(deviceId, "deviceId")}`,
      body: { name: device.name, metadata: device.metadata ?? {}, location_id: device.location_id ?? null },
      retry: true,
      ...callOptions(options),
    })
  }

  /** Unregisters the device; Kustom cancels its open sessions. */
  async delete(deviceId: string, options: RequestOptions = {}): Promise<void> {
    try {
      await this.r.send({
        method: "DELETE",
        path: `${IPP}/devices/${segment(deviceId, "deviceId")}`,
        retry: true,
        ...callOptions(options),
      })
    } catch (error) {
      // A retried DELETE whose first attempt went through answers 404: that is success.
      if (error instanceof KustomIppApiError && error.status === 404 && (error.attempts ?? 1) > 1) return
      throw error
    }
  }
}

export class SessionsApi {
  constructor(private readonly r: Requester) {}

  /**
   * Pushes a payment to the device. Never retried: if the first request reached Kustom, a
   * second would push another payment to the same phone. On a timeout or network error the
   * session may exist; wait for its `ipp.session.created` callback rather than retrying.
   */
  async create(input: CreateSessionInput, options: CreateSessionOptions = {}): Promise<Session> {
    return this.r.json(sessionSchema, {
      method: "POST",
      path: `${IPP}/sessions`,
      query: { location_id: options.locationId },
      body: input,
      retry: false,
      ...callOptions(options),
    })
  }

  async get(sessionId: string, options: RequestOptions = {}): Promise<Session> {
    return this.r.json(sessionSchema, {
      method: "GET",
      path: `${IPP}/sessions/${segment(sessionId, "sessionId")}`,
      retry: true,
      ...callOptions(options),
    })
  }

  /** Cancels an open session (terminal). A FINALIZED one is refused with 409. */
  async cancel(sessionId: string, options: RequestOptions = {}): Promise<Session> {
    try {
      return await this.r.json(sessionSchema, {
        method: "PUT",
        path: `${IPP}/sessions/${segment(sessionId, "sessionId")}/cancel`,
        retry: true,
        ...callOptions(options),
      })
    } catch (error) {
      // A retried cancel whose first attempt went through answers 409 (already cancelled).
      if (error instanceof KustomIppApiError && error.status === 409 && (error.attempts ?? 1) > 1) {
        const session = await this.get(sessionId, options)
        if (session.status === "CANCELLED") return session
      }
      throw error
    }
  }
}

export class OrdersApi {
  constructor(private readonly r: Requester) {}

  async get(orderId: string, options: RequestOptions = {}): Promise<Order> {
    return this.r.json(orderSchema, {
      method: "GET",
      path: `${OM}/orders/${segment(orderId, "orderId")}`,
      retry: true,
      ...callOptions(options),
    })
  }

  /** Retried safely: every attempt carries the same `Klarna-Idempotency-Key`. */
  async capture(orderId: string, input: CaptureInput, options: IdempotentRequestOptions = {}): Promise<CaptureResult> {
    const idempotencyKey = idempotencyKeyOf(options)
    const path = `${OM}/orders/${segment(orderId, "orderId")}/captures`
    const req: HttpRequest = {
      method: "POST",
      path,
      body: input,
      headers: { "Klarna-Idempotency-Key": idempotencyKey },
      retry: true,
      ...callOptions(options),
    }
    const res = await this.r.send(req)
    const capture = optionalBody(captureSchema, res, req)
    const location = res.headers.get("location") ?? undefined
    const captureId = res.headers.get("capture-id") || capture?.capture_id || lastSegment(location)
    if (!captureId) throw missingId(req, res, "Capture-Id")
    return dropUndefined({ captureId, idempotencyKey, capture, location })
  }

  /** Retried safely: every attempt carries the same `Klarna-Idempotency-Key`. */
  async refund(orderId: string, input: RefundInput, options: IdempotentRequestOptions = {}): Promise<RefundResult> {
    const idempotencyKey = idempotencyKeyOf(options)
    const req: HttpRequest = {
      method: "POST",
      path: `${OM}/orders/${segment(orderId, "orderId")}/refunds`,
      body: input,
      headers: { "Klarna-Idempotency-Key": idempotencyKey },
      retry: true,
      ...callOptions(options),
    }
    const res = await this.r.send(req)
    const refund = optionalBody(refundSchema, res, req)
    const location = res.headers.get("location") ?? undefined
    const refundId = res.headers.get("refund-id") || refund?.refund_id || lastSegment(location)
    if (!refundId) throw missingId(req, res, "Refund-Id")
    return dropUndefined({ refundId, idempotencyKey, refund, location })
  }

  /** Releases the authorization; only allowed while nothing is captured (403 otherwise). */
  async cancel(orderId: string, options: IdempotentRequestOptions = {}): Promise<CancelOrderResult> {
    const idempotencyKey = idempotencyKeyOf(options)
    await this.r.send({
      method: "POST",
      path: `${OM}/orders/${segment(orderId, "orderId")}/cancel`,
      headers: { "Klarna-Idempotency-Key": idempotencyKey },
      retry: true,
      ...callOptions(options),
    })
    return { idempotencyKey }
  }
}

/** Emulator-only helpers: the real API answers 404. Not retried (each call creates something). */
export class PlaygroundApi {
  constructor(private readonly r: Requester) {}

  /** A registered, simulated device (`metadata.simulated = true`). */
  async createDevice(input: CreateSimulatedDeviceInput, options: RequestOptions = {}): Promise<Device> {
    return this.r.json(deviceSchema, {
      method: "POST",
      path: `${IPP}/dev/devices`,
      body: input,
      retry: false,
      ...callOptions(options),
    })
  }

  /** What a card tap on the device does: SUCCESS finalizes; a decline sends `ipp.payment.failed`. */
  async simulateTap(sessionId: string, outcome: SimulatedTapOutcome = "SUCCESS", options: RequestOptions = {}): Promise<Session> {
    if (!(SIMULATED_TAP_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new KustomIppInvalidRequestError(`Unknown simulated tap outcome "${String(outcome)}"`, "outcome")
    }
    return this.r.json(sessionSchema, {
      method: "POST",
      path: `${IPP}/dev/sessions/${segment(sessionId, "sessionId")}/simulate-tap`,
      query: { outcome },
      retry: false,
      ...callOptions(options),
    })
  }
}

/**
 * Typed client of Kustom's In-Person Payments API and the Order Management API on the same
 * servers. Knows nothing about Medusa.
 *
 * @throws {KustomIppConfigError} from the constructor when an option is invalid.
 */
export class KustomIppClient {
  readonly enrollments: EnrollmentsApi
  readonly locations: LocationsApi
  readonly devices: DevicesApi
  readonly sessions: SessionsApi
  readonly orders: OrdersApi
  /** Emulator-only helpers (`/ipp/v1/dev/*`). */
  readonly playground: PlaygroundApi
  readonly baseUrl: string

  constructor(options: KustomIppClientOptions) {
    const transport = new HttpTransport(resolveKustomIppConfig(options))
    const requester = new Requester(transport)
    this.baseUrl = transport.baseUrl
    this.enrollments = new EnrollmentsApi(requester)
    this.locations = new LocationsApi(requester)
    this.devices = new DevicesApi(requester)
    this.sessions = new SessionsApi(requester)
    this.orders = new OrdersApi(requester)
    this.playground = new PlaygroundApi(requester)
  }
}

/* ---------- helpers ---------- */

function parseBody<S extends z.ZodType>(schema: S, res: HttpResponse, req: HttpRequest): z.output<S> {
  if (!res.isJson) {
    throw unexpected(req, res, [
      { path: "(root)", message: res.text.trim() ? "the body is not JSON" : "the body is empty; a JSON object was expected" },
    ])
  }
  const parsed = schema.safeParse(res.body)
  if (!parsed.success) throw unexpected(req, res, zodIssues(parsed.error))
  return parsed.data
}

/** Parses the body when there is one; an empty body is fine (the real API may send none). */
function optionalBody<S extends z.ZodType>(schema: S, res: HttpResponse, req: HttpRequest): z.output<S> | undefined {
  if (!res.text.trim()) return undefined
  return parseBody(schema, res, req)
}

function zodIssues(error: z.ZodError): ResponseIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }))
}

function unexpected(req: HttpRequest, res: HttpResponse, issues: ResponseIssue[]): KustomIppUnexpectedResponseError {
  return new KustomIppUnexpectedResponseError({
    method: req.method,
    path: req.path,
    status: res.status,
    attempts: res.attempts,
    issues,
  })
}

function missingId(req: HttpRequest, res: HttpResponse, header: string): KustomIppUnexpectedResponseError {
  return unexpected(req, res, [
    { path: "(root)", message: `no ${header} header, id in the body or Location header to identify the result` },
  ])
}

/** Only these per-call options reach the request: a caller cannot switch retrying on. */
function callOptions(options: RequestOptions): Pick<HttpRequest, "signal" | "timeoutMs"> {
  const { signal, timeoutMs } = options
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new KustomIppInvalidRequestError("timeoutMs must be a positive number of milliseconds", "timeoutMs")
  }
  return { signal, timeoutMs }
}

function idempotencyKeyOf(options: IdempotentRequestOptions): string {
  const key = options.idempotencyKey ?? randomUUID()
  if (typeof key !== "string" || !key.trim()) {
    throw new KustomIppInvalidRequestError("idempotencyKey must be a non-empty string", "idempotencyKey")
  }
  return key
}

function segment(id: string, name: string): string {
  if (typeof id !== "string" || !id.trim()) {
    throw new KustomIppInvalidRequestError(`${name} must be a non-empty string`, name)
  }
  return encodeURIComponent(id)
}

function pageQuery(params: PageParams): Record<string, number | undefined> {
  return { page_number: params.page_number, page_size: params.page_size }
}

function metadataFilters(metadata: ListEnrollmentsParams["metadata"]): string[] | undefined {
  if (!metadata) return undefined
  const entries = Object.entries(metadata)
  if (entries.length > MAX_METADATA_FILTERS) {
    throw new KustomIppInvalidRequestError(
      `At most ${MAX_METADATA_FILTERS} metadata filters are allowed, got ${entries.length}`,
      "metadata",
    )
  }
  return entries.map(([key, value]) => {
    // The API splits "key:value" at the first colon, so a key cannot contain one.
    if (!key || key.includes(":")) {
      throw new KustomIppInvalidRequestError(`Metadata filter key "${key}" must be non-empty and contain no ":"`, "metadata")
    }
    return `${key}:${String(value)}`
  })
}

function lastSegment(url: string | undefined): string | undefined {
  if (!url) return undefined
  const last = url.split("?")[0].replace(/\/+$/, "").split("/").pop()
  return last ? decodeURIComponent(last) : undefined
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key]
  return value
}
