/**
 * Every timer the playground starts goes through here, so `stop()` and `reset()` can cancel
 * them all and a test never leaves a pending handle behind.
 */
export class TimerRegistry {
  private readonly timeouts = new Set<NodeJS.Timeout>()
  private readonly intervals = new Set<NodeJS.Timeout>()
  private closed = false

  /** Like setTimeout; a no-op once the registry is closed. */
  timeout(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined
    const handle = setTimeout(() => {
      this.timeouts.delete(handle)
      fn()
    }, Math.max(0, ms))
    this.timeouts.add(handle)
    return handle
  }

  interval(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined
    const handle = setInterval(fn, ms)
    this.intervals.add(handle)
    return handle
  }

  clear(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return
    clearTimeout(handle)
    clearInterval(handle)
    this.timeouts.delete(handle)
    this.intervals.delete(handle)
  }

  /** A promise that resolves after `ms`, or never when the registry is closed meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) return resolve()
      this.timeout(resolve, ms)
    })
  }

  clearAll(): void {
    for (const handle of this.timeouts) clearTimeout(handle)
    for (const handle of this.intervals) clearInterval(handle)
    this.timeouts.clear()
    this.intervals.clear()
  }

  close(): void {
    this.closed = true
    this.clearAll()
  }

  get isClosed(): boolean {
    return this.closed
  }
}
