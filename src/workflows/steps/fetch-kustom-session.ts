import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { KustomIppApiError, type Session } from "../../lib/kustom-ipp"
import { KUSTOM_IPP_MODULE } from "../../modules/kustom-ipp"
import type KustomIppModuleService from "../../modules/kustom-ipp/service"

export const fetchKustomSessionStepId = "kustom-ipp-fetch-session"

/**
 * Reads the session from Kustom: callbacks are slim and may be forged or stale, so what is
 * done is decided by Kustom's current answer, never by the callback. An unknown session
 * (404) is reported as null; any other failure throws, so the caller tries again later.
 */
export const fetchKustomSessionStep = createStep(
  fetchKustomSessionStepId,
  async (input: { kustom_session_id: string }, { container }) => {
    const kustomIpp = container.resolve<KustomIppModuleService>(KUSTOM_IPP_MODULE)
    try {
      const session: Session = await kustomIpp.client.sessions.get(input.kustom_session_id)
      return new StepResponse(session)
    } catch (error) {
      if (error instanceof KustomIppApiError && error.status === 404) return new StepResponse(null)
      throw error
    }
  }
)
