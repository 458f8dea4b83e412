export { KustomIppClient, EnrollmentsApi, LocationsApi, DevicesApi, SessionsApi, OrdersApi, PlaygroundApi } from "./client"
export type { CaptureResult, RefundResult, CancelOrderResult } from "./client"
export {
  KUSTOM_IPP_BASE_URLS,
  KUSTOM_IPP_USER_AGENT,
  kustomIppClientOptionsSchema,
  resolveKustomIppConfig,
} from "./config"
export type {
  FetchLike,
  KustomIppClientOptions,
  KustomIppEnvironment,
  KustomIppLogger,
  KustomIppRetryOptions,
  ResolvedKustomIppConfig,
} from "./config"
export {
  KustomIppError,
  KustomIppApiError,
  KustomIppNetworkError,
  KustomIppTimeoutError,
  KustomIppAbortError,
  KustomIppUnexpectedResponseError,
  KustomIppConfigError,
  KustomIppInvalidRequestError,
  isKustomIppError,
} from "./errors"
export type { AnyKustomIppError, HttpMethod, KustomIppErrorKind, ResponseIssue } from "./errors"
export { RETRYABLE_STATUSES, parseRetryAfter } from "./http"
export { paginate, collect } from "./paging"
export * from "./schemas"
export * from "./types"
export {
  verifyKustomWebhook,
  kustomWebhookEventFields,
  AUTHENTIC_WEBHOOK_FAILURE_REASONS,
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  MAX_WEBHOOK_ID_LENGTH,
} from "./webhooks"
export type {
  KustomWebhookEventFields,
  KustomWebhookFailureReason,
  VerifyKustomWebhookInput,
  VerifyKustomWebhookResult,
  WebhookHeaders,
} from "./webhooks"
