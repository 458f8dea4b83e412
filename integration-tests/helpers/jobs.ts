/**
 * The plugin's jobs run one at a time (a run lock) and return undefined when another run holds
 * it. In the test app the scheduler runs them too, every minute; a test that calls a job needs
 * its own run, so it waits for the scheduler's to finish and runs again.
 */
export function ownRun<A extends unknown[], T>(job: (...args: A) => Promise<T | undefined>): (...args: A) => Promise<T> {
  return async (...args: A) => {
    const deadline = Date.now() + 30_000
    for (;;) {
      const report = await job(...args)
      if (report !== undefined) return report
      if (Date.now() > deadline) throw new Error("the job's run lock stayed taken for 30 s")
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
