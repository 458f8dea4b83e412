/**
 * `/_playground/*`: the emulator's control routes (faults, logs, reset, forced session
 * outcomes, configuration), for tests in other processes and for demos. API key required.
 */
import { z } from "zod"
import type { Core } from "./core"
import { parseCallbackFaults } from "./faults"
import { applyHttpConfigurePatch, renameKeys, snakeCase } from "./options"
import { badRequest, parseOrThrow } from "./problems"
import { jsonObject, noContent, ok, type Route } from "./router"
import { expireSession, failSession, getSession, toSessionView } from "./sessions"
import { nonEmptyString } from "./validation"

const failSchema = z.object({ failure_reason: nonEmptyString(100).optional() })

/** Configuration as shown over HTTP: secrets are counted, never echoed. */
function configView(core: Core) {
  const c = core.config
  return {
    merchant_id: c.merchantId,
    callback_url: c.callbackUrl ?? null,
    webhook_secrets: c.webhookSecrets.length,
    capture_mode: c.captureMode,
    session_lifetime_ms: c.sessionLifetimeMs,
    callback_retry: renameKeys(c.callbackRetry, snakeCase),
    locations: c.locations,
    state_file: c.stateFile ?? null,
  }
}

export function controlRoutes(core: Core): Route[] {
  return [
    { method: "GET", pattern: "/_playground/faults", auth: "control", handler: () => ok({ faults: core.faults.list() }) },
    {
      method: "POST",
      pattern: "/_playground/faults",
      auth: "control",
      handler: (ctx) => ok(core.faults.add(jsonObject(ctx)), 201),
    },
    {
      method: "DELETE",
      pattern: "/_playground/faults",
      auth: "control",
      handler: () => {
        core.faults.clear()
        return noContent()
      },
    },
    {
      method: "GET",
      pattern: "/_playground/callback-faults",
      auth: "control",
      handler: () => ok(core.callbacks.getFaults()),
    },
    {
      method: "POST",
      pattern: "/_playground/callback-faults",
      auth: "control",
      handler: (ctx) => {
        core.callbacks.setFaults(parseCallbackFaults(jsonObject(ctx)))
        return ok(core.callbacks.getFaults())
      },
    },
    {
      method: "DELETE",
      pattern: "/_playground/callback-faults",
      auth: "control",
      handler: () => {
        core.callbacks.setFaults({})
        return noContent()
      },
    },
    {
      method: "GET",
      pattern: "/_playground/requests",
      auth: "control",
      handler: () => ok({ requests: core.requestLog.list() }),
    },
    {
      method: "GET",
      pattern: "/_playground/deliveries",
      auth: "control",
      handler: () => ok({ deliveries: core.callbacks.deliveries() }),
    },
    {
      method: "GET",
      pattern: "/_playground/events",
      auth: "control",
      handler: () => ok({ events: core.callbacks.events() }),
    },
    {
      method: "POST",
      pattern: "/_playground/reset",
      auth: "control",
      handler: () => {
        core.reset()
        return noContent()
      },
    },
    {
      method: "POST",
      pattern: "/_playground/sessions/:id/expire",
      auth: "control",
      handler: (ctx) => ok(toSessionView(expireSession(core, getSession(core, ctx.params.id)))),
    },
    {
      method: "POST",
      pattern: "/_playground/sessions/:id/fail",
      auth: "control",
      handler: (ctx) => {
        const input = parseOrThrow(failSchema, jsonObject(ctx, true))
        const session = getSession(core, ctx.params.id)
        return ok(toSessionView(failSession(core, session, input.failure_reason ?? "PROCESSING_ERROR")))
      },
    },
    { method: "GET", pattern: "/_playground/config", auth: "control", handler: () => ok(configView(core)) },
    {
      method: "PATCH",
      pattern: "/_playground/config",
      auth: "control",
      handler: (ctx) => {
        try {
          applyHttpConfigurePatch(core.config, jsonObject(ctx))
        } catch (error) {
          throw badRequest((error as Error).message)
        }
        return ok(configView(core))
      },
    },
  ]
}
