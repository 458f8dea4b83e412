/**
 * At most `limit` tasks at once, the rest waiting in arrival order. Used to process a burst of
 * callbacks first come, first served: run all at once, every order of the burst would finish
 * late together; in order, the first ones finish early and the total is no longer.
 */
export class ConcurrencyLimit {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.active++
    try {
      return await task()
    } finally {
      this.active--
      this.waiting.shift()?.()
    }
  }
}
