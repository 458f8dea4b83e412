/**
 * The plugin's admin routes (`/admin/kustom-ipp/…`) as react-query hooks, called through the
 * js-sdk as Medusa's admin customisation docs show. Shapes mirror the route handlers.
 */
import { useMutation, useQuery, useQueryClient, type UseQueryOptions, type UseQueryResult } from "@tanstack/react-query"
import { useRef } from "react"
import { sdk } from "./sdk"

/* ---------- shapes ---------- */

export type Connection = {
  environment: "playground" | "production"
  base_url: string
  merchant_id: string | null
  capture: boolean
  api_key: { ok: boolean; message: string; checked_at: string }
  webhook_secrets_configured: number
  callback_url: string
  last_callback: {
    at: string | null
    signature_ok: boolean | null
    last_valid_at: string | null
    last_invalid_at: string | null
    last_invalid_reason: string | null
  }
}

export type KustomLocation = {
  id: string
  name: string
  city: string | null
  stock_location_ids: string[]
  default_device_id: string | null
}

export type Device = {
  id: string
  name: string
  platform: string
  location_id: string | null
  location_name: string | null
  created_at: string
  last_seen_at: string | null
  hardware_id: string
}

export type EnrollmentStatus = "PENDING" | "CONSUMED" | "EXPIRED" | "CANCELLED"

export type Enrollment = {
  enrollment_id: string
  enrollment_code: string
  status: EnrollmentStatus
  expires_at: string
  location_id: string | null
  location_name: string | null
  device_id: string | null
  device_name: string | null
  created_here: boolean
}

export type DeviceDefault = { scope: "sales_channel" | "location"; scope_id: string; device_id: string }
/** Defaults set in the plugin's options (medusa-config); they apply where the admin sets none. */
export type ConfiguredDefaults = { default_device_id: string | null; sales_channels: Record<string, string>; locations: Record<string, string> }

export type StockLocationDevices = {
  stock_location_id: string
  kustom_location: { id: string; name: string; city: string | null } | null
  missing_kustom_location_id: string | null
  default_device_id: string | null
  devices: Device[]
  pending_enrollments: Enrollment[]
}

export type SessionStatus = "CREATED" | "ACTIVE" | "FINALIZED" | "CANCELLED" | "EXPIRED" | "FAILED"

export type CallbackEntry = {
  event_type: string
  event_at: string | null
  received_at: string
  failure_reason: string | null
  signature_ok: boolean
  processing: "received" | "processed" | "failed"
}

export type DraftOrderPayment = {
  sale: { kind: "cart" | "draft_order"; id: string; completed: boolean; order_id: string | null; display_id: number | null }
  payment: {
    payment_session_id: string
    provider_id: string
    status: string
    device_id: string | null
    kustom_session_id: string | null
    kustom_status: SessionStatus | null
    kustom_order_id: string | null
    failure_reason: string | null
    problem: string | null
    order_amount: number | null
    currency_code: string
    dispatched_at: string | null
    live: boolean
  } | null
  suggested_device_id: string | null
  callbacks: CallbackEntry[]
  currency_exponent: number | null
  create_unconfirmed_at: string | null
  /** Once paid: whether the payment is captured (false: Kustom only holds it, `capture: false`). */
  captured: boolean | null
}

export type OrderInStorePayment = {
  payment_id: string
  provider_id: string
  currency_code: string
  currency_exponent: number
  amount: number
  device_id: string | null
  device_name: string | null
  kustom_session_id: string | null
  kustom_status: string | null
  kustom_order_id: string | null
  kustom_order_status: string | null
  captured_amount: number
  refunded_amount: number
  /** Authorized in Kustom and not captured; null when Kustom could not be asked just now. */
  remaining_authorized_amount: number | null
  medusa_captured_amount: number
  medusa_refunded_amount: number
  live: boolean
  captured_at: string | null
  canceled_at: string | null
  refunds: { id: string; amount: number; created_at: string; note: string | null }[]
  kustom_refunds: { refund_id: string; refunded_amount: number; refunded_at: string | null }[]
  callbacks: CallbackEntry[]
}

/** Money taken on a device that no payment of the order records (see the order payment route). */
export type OrderInStorePaymentProblem = {
  payment_session_id: string | null
  currency_code: string
  currency_exponent: number
  amount: number | null
  device_id: string | null
  kustom_session_id: string
  kustom_order_id: string | null
  problem: string
  kustom_order_status: string | null
  /** Refunded by Kustom so far (minor units); null when Kustom could not be asked. */
  refunded_amount: number | null
  /** Captured and not refunded plus still authorized (minor units); null when Kustom could not be asked. */
  held_amount: number | null
  resolved: boolean
}

/** A payment still waiting on a device for an order (a draft order converted meanwhile). */
export type OrderWaitingInStorePayment = {
  payment_session_id: string
  currency_code: string
  currency_exponent: number
  amount: number | null
  device_id: string | null
  device_name: string | null
  kustom_session_id: string
  kustom_status: string | null
}

/** A problem of the whole store (Settings), with the sale it was for and the order it became. */
export type StorePaymentProblem = OrderInStorePaymentProblem & {
  id: string
  sale_kind: "cart" | "draft_order"
  sale_id: string
  order_id: string | null
  order_display_id: number | null
  draft_order_display_id: number | null
  created_at: string
}

export type StorePaymentProblems = { problems: StorePaymentProblem[]; count: number; limit: number; offset: number }

/* ---------- queries ---------- */

const BASE = "/admin/kustom-ipp"

export const kustomKeys = {
  all: ["kustom-ipp"] as const,
  connection: ["kustom-ipp", "connection"] as const,
  locations: ["kustom-ipp", "locations"] as const,
  locationLinks: ["kustom-ipp", "location-links"] as const,
  devices: ["kustom-ipp", "devices"] as const,
  enrollments: ["kustom-ipp", "enrollments"] as const,
  defaults: ["kustom-ipp", "device-defaults"] as const,
  stockLocation: (id: string) => ["kustom-ipp", "stock-location", id] as const,
  draftOrderPayment: (id: string) => ["kustom-ipp", "draft-order-payment", id] as const,
  orderPayment: (id: string) => ["kustom-ipp", "order-payment", id] as const,
  paymentProblems: (offset: number) => ["kustom-ipp", "payment-problems", offset] as const,
}

type QueryOptions<T> = Omit<UseQueryOptions<T, Error, T, readonly unknown[]>, "queryKey" | "queryFn">

/**
 * `useQuery`, keeping a query's error on screen while it tries again. React Query forgets the
 * error of a query that never loaded as soon as it fetches again (back to "pending"), so with
 * Kustom down a section said "Kustom is not available" and "Loading…" by turns; and it waits
 * for its retries before it shows the first error at all. Here the first failed attempt is shown
 * (`failureReason`), and stays until data arrives.
 */
function useSteadyQuery<T>(options: UseQueryOptions<T, Error, T, readonly unknown[]>): UseQueryResult<T, Error> {
  const query = useQuery(options)
  const lastError = useRef<Error | null>(null)
  const current = query.error ?? query.failureReason ?? null
  if (current) lastError.current = current
  else if (query.data !== undefined) lastError.current = null
  if (query.data === undefined && !query.error && lastError.current) {
    // The shape React Query gives a query whose first load failed (a load error).
    return { ...query, error: lastError.current, isError: true, isLoadingError: true, isPending: false, isLoading: false, status: "error" } as unknown as UseQueryResult<T, Error>
  }
  return query
}

/** How often lists refresh on their own, so a device registered on a phone shows up by itself. */
export const LIVE_REFRESH_MS = 3_000

export const useConnection = (options: QueryOptions<Connection> = {}) =>
  useSteadyQuery({ queryKey: kustomKeys.connection, queryFn: () => sdk.client.fetch<Connection>(`${BASE}/connection`), ...options })

/** The link of a Medusa stock location to a Kustom location, as stored in Medusa. */
export type LocationLink = { stock_location_id: string; kustom_location_id: string }

type LocationsResponse = { locations: KustomLocation[]; links: LocationLink[] }

export const useKustomLocations = (options: QueryOptions<LocationsResponse> = {}) =>
  useSteadyQuery({ queryKey: kustomKeys.locations, queryFn: () => sdk.client.fetch<LocationsResponse>(`${BASE}/locations`), ...options })

/** The stored links alone: read from Medusa, so they show while Kustom's list cannot be had. */
export const useLocationLinks = (options: QueryOptions<{ links: LocationLink[] }> = {}) =>
  useSteadyQuery({ queryKey: kustomKeys.locationLinks, queryFn: () => sdk.client.fetch<{ links: LocationLink[] }>(`${BASE}/location-links`), ...options })

export const useDevices = (options: QueryOptions<{ devices: Device[] }> = {}) =>
  useSteadyQuery({
    queryKey: kustomKeys.devices,
    queryFn: () => sdk.client.fetch<{ devices: Device[] }>(`${BASE}/devices`),
    refetchInterval: LIVE_REFRESH_MS,
    ...options,
  })

export const useEnrollments = (options: QueryOptions<{ enrollments: Enrollment[]; source: "kustom" | "admin" }> = {}) =>
  useSteadyQuery({
    queryKey: kustomKeys.enrollments,
    queryFn: () =>
      sdk.client.fetch<{ enrollments: Enrollment[]; source: "kustom" | "admin" }>(`${BASE}/enrollments`, { query: { include_consumed: true } }),
    refetchInterval: LIVE_REFRESH_MS,
    ...options,
  })

export const useDeviceDefaults = () =>
  useSteadyQuery({ queryKey: kustomKeys.defaults, queryFn: () => sdk.client.fetch<{ defaults: DeviceDefault[]; configured?: ConfiguredDefaults }>(`${BASE}/device-defaults`) })

export const useStockLocationDevices = (stockLocationId: string) =>
  useSteadyQuery({
    queryKey: kustomKeys.stockLocation(stockLocationId),
    queryFn: () => sdk.client.fetch<StockLocationDevices>(`${BASE}/stock-locations/${stockLocationId}`),
    refetchInterval: LIVE_REFRESH_MS,
  })

export const useDraftOrderPayment = (draftOrderId: string, refetchInterval: (data: DraftOrderPayment | undefined) => number | false) =>
  useSteadyQuery({
    queryKey: kustomKeys.draftOrderPayment(draftOrderId),
    queryFn: () => sdk.client.fetch<DraftOrderPayment>(`${BASE}/draft-orders/${draftOrderId}/payment`),
    refetchInterval: (query) => refetchInterval(query.state.data),
  })

export const useOrderInStorePayments = (orderId: string) =>
  useSteadyQuery({
    queryKey: kustomKeys.orderPayment(orderId),
    queryFn: () =>
      sdk.client.fetch<{ payments: OrderInStorePayment[]; problems: OrderInStorePaymentProblem[]; waiting: OrderWaitingInStorePayment[] }>(
        `${BASE}/orders/${orderId}/payment`
      ),
    // Refunds made with Medusa's own refund action show without a reload.
    refetchInterval: 5_000,
  })

/** Money taken on a device that no payment records, newest first, a page at a time. */
export const usePaymentProblems = (offset: number, limit: number) =>
  useSteadyQuery({
    queryKey: kustomKeys.paymentProblems(offset),
    queryFn: () => sdk.client.fetch<StorePaymentProblems>(`${BASE}/payment-problems`, { query: { offset, limit } }),
    // A refund made in Kustom's portal shows as resolved without a reload.
    refetchInterval: 15_000,
  })

/* ---------- mutations ---------- */

/**
 * Runs a mutation, then `onSuccess` or `onError`, also when the component that started it is gone
 * by then. React Query drops the callbacks given to `mutate` once that component unmounts, and
 * the refresh every mutation here makes can remove it first (the removed device's row, the
 * cancelled payment's part of a card), which lost their toast now and then.
 */
export function runMutation<TVariables, TResult>(
  mutation: { mutateAsync: (variables: TVariables) => Promise<TResult> },
  variables: TVariables,
  handlers: { onSuccess?: (result: TResult) => void; onError?: (error: Error) => void }
): void {
  mutation.mutateAsync(variables).then(handlers.onSuccess, (error: Error) => handlers.onError?.(error))
}

/** Every mutation refreshes all of the plugin's queries: lists here are small. */
function useKustomMutation<TBody, TResult>(request: (body: TBody) => Promise<TResult>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: kustomKeys.all }),
  })
}

export const useCreateEnrollment = () =>
  useKustomMutation((body: { location_id?: string; expires_in_minutes: number }) =>
    sdk.client.fetch<{ enrollment: Enrollment }>(`${BASE}/enrollments`, { method: "POST", body })
  )

export const useCancelEnrollment = () =>
  useKustomMutation((enrollmentId: string) => sdk.client.fetch(`${BASE}/enrollments/${enrollmentId}`, { method: "DELETE" }))

export const useUpdateDevice = () =>
  useKustomMutation(({ id, ...body }: { id: string; name?: string; location_id?: string | null }) =>
    sdk.client.fetch<{ device: Device }>(`${BASE}/devices/${id}`, { method: "POST", body })
  )

export const useRemoveDevice = () =>
  useKustomMutation((deviceId: string) => sdk.client.fetch(`${BASE}/devices/${deviceId}`, { method: "DELETE" }))

export const useSetDeviceDefault = () =>
  useKustomMutation((body: { scope: "sales_channel" | "location"; scope_id: string; device_id: string | null }) =>
    sdk.client.fetch<{ defaults: DeviceDefault[] }>(`${BASE}/device-defaults`, { method: "POST", body })
  )

export const useLinkLocation = () =>
  useKustomMutation((body: { stock_location_id: string; kustom_location_id: string | null }) =>
    sdk.client.fetch(`${BASE}/location-links`, { method: "POST", body })
  )

export const useSendToDevice = (draftOrderId: string) =>
  useKustomMutation((deviceId: string) =>
    sdk.client.fetch<DraftOrderPayment>(`${BASE}/draft-orders/${draftOrderId}/payment`, { method: "POST", body: { device_id: deviceId } })
  )

export const useCancelDraftOrderPayment = (draftOrderId: string) =>
  useKustomMutation((_: void) =>
    sdk.client.fetch<DraftOrderPayment>(`${BASE}/draft-orders/${draftOrderId}/payment/cancel`, { method: "POST", body: {} })
  )

/** The message of a failed admin call, as the route wrote it for a person. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error && typeof error.message === "string" && error.message) {
    return error.message
  }
  return "Something went wrong. Try again."
}
