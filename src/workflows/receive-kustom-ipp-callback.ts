import { createStep, createWorkflow, StepResponse, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { emitEventStep } from "@medusajs/medusa/core-flows"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import type { RecordCallbackInput } from "../modules/kustom-ipp/service"

export const receiveKustomIppCallbackWorkflowId = "kustom-ipp-receive-callback"

/**
 * Emitted once per new (non-duplicate) verified delivery that names a session; the plugin's
 * subscriber processes it. Data: `KustomIppCallbackReceivedData`.
 */
export const KUSTOM_IPP_CALLBACK_RECEIVED = "kustom_ipp.callback.received"

export type KustomIppCallbackReceivedData = { id: string; kustom_session_id: string }

const recordCallbackStep = createStep("kustom-ipp-record-callback", async (input: RecordCallbackInput, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  return new StepResponse(await kustomIpp.recordCallback(input))
})

/**
 * Stores a verified callback durably, keyed by its `webhook-id`. The route answers 2xx only
 * after this has committed; a redelivered `webhook-id` is acknowledged without processing.
 */
export const receiveKustomIppCallbackWorkflow = createWorkflow(
  receiveKustomIppCallbackWorkflowId,
  (input: RecordCallbackInput) => {
    const recorded = recordCallbackStep(input)
    when("kustom-ipp-new-callback", { recorded }, ({ recorded }) => !recorded.duplicate && Boolean(recorded.kustomSessionId)).then(() => {
      const event = transform({ recorded }, ({ recorded }) => ({
        eventName: KUSTOM_IPP_CALLBACK_RECEIVED,
        // The session travels with the event so that processing starts without a read.
        data: { id: recorded.callbackId, kustom_session_id: recorded.kustomSessionId } as KustomIppCallbackReceivedData,
      }))
      emitEventStep(event)
    })
    return new WorkflowResponse(recorded)
  }
)
