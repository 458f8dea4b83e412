import { createStep, createWorkflow, StepResponse, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { KUSTOM_IPP_MODULE } from "../modules/kustom-ipp"
import type KustomIppModuleService from "../modules/kustom-ipp/service"
import { processKustomIppSessionWorkflow } from "./process-kustom-ipp-session"

export const processKustomIppCallbackWorkflowId = "kustom-ipp-process-callback"

const loadCallbackStep = createStep("kustom-ipp-load-callback", async (input: { callback_id: string }, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  const callback = await kustomIpp.retrieveKustomIppCallback(input.callback_id, {
    select: ["id", "status", "kustom_session_id", "event_type"],
  })
  return new StepResponse(callback)
})

const markCallbackProcessedStep = createStep("kustom-ipp-mark-callback-processed", async (id: string, { container }) => {
  const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
  await kustomIpp.markCallbackProcessed(id)
  return new StepResponse(id)
})

/**
 * Processes one recorded callback through the session workflow (which reads the session from
 * Kustom and acts on its current state). A failure leaves the callback to be retried.
 */
export const processKustomIppCallbackWorkflow = createWorkflow(
  processKustomIppCallbackWorkflowId,
  (input: { callback_id: string }) => {
    const callback = loadCallbackStep(input)
    const outcome = when("kustom-ipp-callback-pending", { callback }, ({ callback }) =>
      Boolean(callback.status !== "processed" && callback.kustom_session_id)
    ).then(() => {
      const sessionInput = transform({ callback }, ({ callback }) => ({ kustom_session_id: callback.kustom_session_id as string }))
      return processKustomIppSessionWorkflow.runAsStep({ input: sessionInput })
    })
    const id = transform({ callback }, ({ callback }) => callback.id)
    markCallbackProcessedStep(id)
    const result = transform({ outcome }, ({ outcome }) => outcome ?? null)
    return new WorkflowResponse(result)
  }
)
