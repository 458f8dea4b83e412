import { sweepSummary, type SweepReport } from "../sweep-kustom-ipp-sessions"

describe("sweep log line", () => {
  const result = (kustom_status: string, outcome: string) => ({ kustom_status, outcome }) as unknown as SweepReport["results"][number]

  it("counts payments still waiting on a device apart from paid ones the sweep found", () => {
    expect(sweepSummary({ checked: 2, failed: 0, results: [result("CREATED", "unchanged"), result("ACTIVE", "recorded")] })).toBe(
      "sweep checked 2 open session(s): 2 still waiting on a device, 0 paid (found by the sweep, not by a callback), 0 ended unpaid (cancelled, expired or failed), 0 failed",
    )
    expect(
      sweepSummary({ checked: 4, failed: 1, results: [result("FINALIZED", "order_created"), result("FINALIZED", "payment_recorded"), result("EXPIRED", "recorded")] }),
    ).toBe(
      "sweep checked 4 open session(s): 0 still waiting on a device, 2 paid (found by the sweep, not by a callback), 1 ended unpaid (cancelled, expired or failed), 1 failed",
    )
  })

  it("counts every session it looked at: cancelled, expired and failed ones, and paid ones a person must look at", () => {
    const results = [result("CANCELLED", "recorded"), result("EXPIRED", "recorded"), result("FAILED", "recorded"), result("FINALIZED", "amount_mismatch"), result("FINALIZED", "order_refused")]
    expect(sweepSummary({ checked: 5, failed: 0, results })).toBe(
      "sweep checked 5 open session(s): 0 still waiting on a device, 0 paid (found by the sweep, not by a callback), 3 ended unpaid (cancelled, expired or failed), " +
        "2 paid but needing attention (Settings → Payments needing attention), 0 failed",
    )
  })
})
