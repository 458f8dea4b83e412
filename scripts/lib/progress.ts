/**
 * Progress lines for long-running scripts: `[ 3.2s] ✓ migrations (18.4s)`, the time since the
 * start on the left and, for a finished stage, how long that stage took.
 */
export type ProgressLog = (line: string) => void

export class Progress {
  readonly startedAt: number

  constructor(
    private readonly log: ProgressLog,
    startedAt = Date.now()
  ) {
    this.startedAt = startedAt
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt
  }

  private stamp(): string {
    return `[${formatSeconds(this.elapsedMs()).padStart(6)}]`
  }

  /** A stage that is starting and may take a while. */
  begin(what: string): void {
    this.log(`${this.stamp()} … ${what}`)
  }

  done(what: string, sinceMs?: number): void {
    const took = sinceMs === undefined ? "" : ` (${formatSeconds(Date.now() - sinceMs)})`
    this.log(`${this.stamp()} ✓ ${what}${took}`)
  }

  note(what: string): void {
    this.log(`${this.stamp()}   ${what}`)
  }

  fail(what: string): void {
    this.log(`${this.stamp()} ✗ ${what}`)
  }

  /** Runs a stage: `begin` when `announce` is set, then `done` with its duration (or `fail`). */
  async stage<T>(what: string, run: () => Promise<T>, options: { announce?: string; done?: (result: T) => string } = {}): Promise<T> {
    const start = Date.now()
    if (options.announce) this.begin(options.announce)
    try {
      const result = await run()
      this.done(options.done ? options.done(result) : what, start)
      return result
    } catch (error) {
      // An error marked quiet is no failure of the stage (e.g. it was cut short on purpose).
      if (!(error as { quiet?: boolean }).quiet) this.fail(`${what}: ${(error as Error).message.split("\n")[0]}`)
      throw error
    }
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}
