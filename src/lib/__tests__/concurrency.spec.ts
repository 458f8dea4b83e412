import { ConcurrencyLimit } from "../concurrency"

describe("ConcurrencyLimit", () => {
  it("runs at most `limit` tasks at once, in arrival order, and survives failures", async () => {
    const limit = new ConcurrencyLimit(2)
    let running = 0
    let peak = 0
    const started: number[] = []
    const task = (i: number) => async () => {
      started.push(i)
      running++
      peak = Math.max(peak, running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
      if (i === 3) throw new Error("task 3 fails")
      return i
    }
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit.run(task(i))))
    expect(peak).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4, 5])
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"])
  })
})
