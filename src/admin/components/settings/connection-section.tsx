import { ArrowPath } from "@medusajs/icons"
import { Badge, Code, Container, Copy, IconButton, Skeleton, StatusBadge, Text, Tooltip, clx } from "@medusajs/ui"
import { useState } from "react"
import { errorMessage, useConnection } from "../../lib/api"
import { formatAgo, formatDateTime, useNow } from "../../lib/format"
import { SectionHeader, SectionRow } from "../section"

const REJECTION_REASONS: Record<string, string> = {
  invalid_signature: "the signature did not match any configured webhook secret",
  missing_headers: "the webhook-id / webhook-timestamp / webhook-signature headers were missing",
  invalid_timestamp: "its timestamp was unreadable",
  timestamp_too_old: "it was signed more than 5 minutes ago (check the server clock)",
  timestamp_in_future: "it was signed in the future (check the server clock)",
  no_secrets_configured: "no webhook secret is configured",
  malformed_body: "its body was not a JSON object",
  invalid_event: "its body was not a Kustom event",
  invalid_webhook_id: "its webhook-id header was too long or held characters other than visible ASCII",
}

/** Reasons found after the signature verified: the sender holds the secret, the content is wrong. */
const SIGNED_BUT_REFUSED = new Set(["malformed_body", "invalid_event", "invalid_webhook_id"])

/** Environment, a live check of the API key, the callback URL to paste into Kustom's portal, and the last callback. */
export const ConnectionSection = () => {
  const now = useNow(10_000)
  const { data, isPending, isError, error, refetch, isFetching } = useConnection({ refetchInterval: 15_000 })
  const last = data?.last_callback
  // What the last "Check the connection again" found, said by the live region below.
  const [checkResult, setCheckResult] = useState("")
  const checkAgain = async () => {
    // Not disabled while checking (that would take focus from the button): a second press waits for the same check.
    if (isFetching) return
    setCheckResult("")
    const result = await refetch()
    setCheckResult(
      result.isError
        ? `The connection could not be checked: ${errorMessage(result.error)}`
        : result.data
          ? `Checked. The API key is ${result.data.api_key.ok ? "working" : "not working"}: ${result.data.api_key.message}`
          : ""
    )
  }
  return (
    <Container className="divide-y p-0" data-testid="kustom-connection">
      <SectionHeader
        title="Connection"
        description="How this store talks to Kustom In-Person Payments. The API key and webhook secrets are set in the plugin options on the server and are never shown here."
        actions={
          <>
            <div role="status" className="sr-only" data-testid="connection-check-result">
              {checkResult}
            </div>
            <Tooltip content="Check again">
              <IconButton size="small" variant="transparent" onClick={checkAgain} aria-busy={isFetching} aria-label="Check the connection again">
                <ArrowPath className={clx(isFetching && "animate-spin")} />
              </IconButton>
            </Tooltip>
          </>
        }
      />
      {isPending ? (
        <div className="flex flex-col gap-y-3 px-6 py-4">
          <Skeleton className="h-5 w-1/2" />
          <Skeleton className="h-5 w-2/3" />
          <Skeleton className="h-5 w-1/3" />
        </div>
      ) : isError ? (
        <div className="px-6 py-4">
          <Text size="small" className="text-ui-fg-error">
            {errorMessage(error)}
          </Text>
        </div>
      ) : (
        <>
          <SectionRow label="Environment" testId="connection-environment">
            <div className="flex items-center gap-x-2">
              <Badge size="2xsmall" color={data.environment === "production" ? "green" : "orange"}>
                {data.environment === "production" ? "Production" : "Playground (test)"}
              </Badge>
              <Text size="small" className="text-ui-fg-subtle truncate">
                {data.base_url}
              </Text>
            </div>
          </SectionRow>
          <SectionRow label="API key" testId="connection-api-key">
            <div className="flex flex-col gap-y-1">
              <StatusBadge color={data.api_key.ok ? "green" : "red"} className="w-fit">
                {data.api_key.ok ? "Working" : "Not working"}
              </StatusBadge>
              <Text size="small" className={data.api_key.ok ? "text-ui-fg-subtle" : "text-ui-fg-error"}>
                {data.api_key.message}
              </Text>
            </div>
          </SectionRow>
          <SectionRow label="Callback URL" testId="connection-callback-url">
            <div className="flex flex-col gap-y-1">
              <div className="flex items-center gap-x-2">
                <Code className="break-all">{data.callback_url}</Code>
                <Copy content={data.callback_url} aria-label="Copy callback URL" data-testid="copy-callback-url" />
              </div>
              <Text size="small" className="text-ui-fg-subtle">
                Paste this into the Kustom portal as the In-Person Payments callback URL. Kustom must be able to reach it
                over the internet.
              </Text>
            </div>
          </SectionRow>
          <SectionRow label="Webhook secrets">
            {data.webhook_secrets_configured > 0 ? (
              <Text size="small">
                {data.webhook_secrets_configured === 1 ? "1 secret configured" : `${data.webhook_secrets_configured} secrets configured (rotation)`}
              </Text>
            ) : (
              <Text size="small" className="text-ui-fg-error">
                None configured: every callback is rejected. Add the secret shown in the Kustom portal to the plugin's
                webhookSecrets option.
              </Text>
            )}
          </SectionRow>
          <SectionRow label="Last callback" testId="connection-last-callback">
            {!last?.at ? (
              <Text size="small" className="text-ui-fg-subtle">
                None received yet. It arrives after the first payment is sent to a device.
              </Text>
            ) : (
              <div className="flex flex-col gap-y-1">
                <div className="flex items-center gap-x-2">
                  <Text size="small" title={formatDateTime(last.at)}>
                    {formatAgo(last.at, now)}
                  </Text>
                  <StatusBadge color={last.signature_ok ? "green" : "red"}>
                    {last.signature_ok
                      ? "Signature valid"
                      : SIGNED_BUT_REFUSED.has(last.last_invalid_reason ?? "")
                        ? "Signed, but refused"
                        : "Signature rejected"}
                  </StatusBadge>
                </div>
                {!last.signature_ok && (
                  <Text size="small" className="text-ui-fg-error">
                    Rejected because {REJECTION_REASONS[last.last_invalid_reason ?? ""] ?? "it could not be verified"}.
                    {last.last_valid_at ? ` Last valid callback: ${formatAgo(last.last_valid_at, now)}.` : " No valid callback yet."}
                  </Text>
                )}
              </div>
            )}
          </SectionRow>
        </>
      )}
    </Container>
  )
}
