/**
 * Keeping keyboard focus where a person expects it. Medusa's prompts, and drawers opened from
 * state rather than a Drawer.Trigger, leave focus on the page when they close, so a keyboard or
 * screen reader user would start again from the top: these give it back to what opened them, or,
 * when that is gone (a row removed with what it acted on), to a sensible place nearby.
 */
import { usePrompt } from "@medusajs/ui"
import { useRef, type RefObject } from "react"

/** The element that has focus now, if any (not the page itself). */
export function focusedElement(): HTMLElement | null {
  const active = document.activeElement
  return active instanceof HTMLElement && active !== document.body ? active : null
}

/** A `fallback` that finds its element when it is needed (it may have been drawn again meanwhile). */
export const elementById = (id: string) => () => document.getElementById(id)

/** Focuses the first candidate that is still on the page and can take focus; true if one did. */
export function focusFirst(...candidates: (HTMLElement | null | undefined)[]): boolean {
  for (const candidate of candidates) {
    if (!candidate?.isConnected) continue
    candidate.focus()
    if (document.activeElement === candidate) return true
  }
  return false
}

/**
 * Once `element` leaves the page while it had focus (focus then falls to the page), focuses
 * `fallback()` instead. Gives up after `timeoutMs`, or when the element leaves while focus is
 * elsewhere: the person has moved on.
 */
export function focusFallbackWhenRemoved(element: HTMLElement, fallback: () => HTMLElement | null, timeoutMs = 30_000): void {
  const observer = new MutationObserver(() => {
    if (element.isConnected) return
    stop()
    if (!focusedElement()) focusFirst(fallback())
  })
  const timer = setTimeout(() => stop(), timeoutMs)
  const stop = () => {
    observer.disconnect()
    clearTimeout(timer)
  }
  observer.observe(document.body, { childList: true, subtree: true })
}

/**
 * Handlers for a Drawer.Content opened from state: on close, focus goes back to `opener` when
 * given (e.g. a menu's button, as the menu item that opened the drawer is gone by then), else to
 * whatever had focus when the drawer opened, else to `fallback()`. Radix would focus its
 * Drawer.Trigger, and there is none.
 */
export function useReturnFocus(opener?: RefObject<HTMLElement | null>, fallback?: () => HTMLElement | null) {
  const openedFrom = useRef<HTMLElement | null>(null)
  return {
    /** Runs before Radix moves focus into the drawer, so what opened it still has focus. */
    onOpenAutoFocus: () => {
      openedFrom.current = focusedElement()
    },
    onCloseAutoFocus: (event: Event) => {
      event.preventDefault()
      focusFirst(opener?.current, openedFrom.current, fallback?.())
    },
  }
}

type PromptOptions = Parameters<ReturnType<typeof usePrompt>>[0]

/**
 * Medusa's prompt, with focus given back when it closes. Dismissed (Escape, "Keep it"), focus is
 * back on the control that asked (`opener`, else what had focus). Confirmed, it is back there too,
 * and moves to `fallback()` if that control then goes away with what it acted on.
 */
export function useConfirm(): (options: PromptOptions, focus?: { opener?: HTMLElement | null; fallback?: () => HTMLElement | null }) => Promise<boolean> {
  const prompt = usePrompt()
  return async (options, focus = {}) => {
    const opener = focus.opener ?? focusedElement()
    const confirmed = await prompt(options)
    focusFirst(opener, focus.fallback?.())
    if (confirmed && opener && focus.fallback) focusFallbackWhenRemoved(opener, focus.fallback)
    return confirmed
  }
}
