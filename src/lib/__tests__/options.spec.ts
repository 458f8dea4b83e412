import { parsePluginOptions, PluginOptionsError } from "../options"

const secret = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")

function problemsOf(raw: unknown, nodeEnv = "development"): string {
  try {
    parsePluginOptions(raw, nodeEnv)
  } catch (error) {
    expect(error).toBeInstanceOf(PluginOptionsError)
    return (error as Error).message
  }
  throw new Error("expected the options to be rejected")
}

describe("plugin options", () => {
  it("fills the defaults and infers the environment from a test key", () => {
    const options = parsePluginOptions({ apiKey: "kco_test_api_abc", webhookSecrets: secret })
    expect(options).toMatchObject({
      environment: "playground",
      baseUrl: "https://api.playground.kustom.co",
      webhookSecrets: [secret],
      capture: true,
      sessionLifetimeMs: 900_000,
      timeoutMs: 10_000,
    })
  })

  it("uses production for a live key and an explicit base URL when given", () => {
    expect(parsePluginOptions({ apiKey: "kco_live_api_abc", webhookSecrets: [secret] }).baseUrl).toBe("https://api.kustom.co")
    expect(parsePluginOptions({ apiKey: "key", baseUrl: "http://localhost:9100" })).toMatchObject({
      baseUrl: "http://localhost:9100",
    })
  })

  it("treats empty strings (unset environment variables) as absent", () => {
    expect(parsePluginOptions({ apiKey: "kco_test_api_x", merchantId: "", baseUrl: "" }).merchantId).toBeUndefined()
  })

  it("names a missing API key", () => {
    expect(problemsOf({})).toMatch(/apiKey: is required: the Kustom API key/)
    expect(problemsOf({ apiKey: "" })).toMatch(/apiKey: is required/)
  })

  it("names each bad option with the reason", () => {
    const message = problemsOf({
      apiKey: "kco_test_api_x",
      environment: "staging",
      baseUrl: "ftp://x",
      webhookSecrets: ["not-a-secret"],
      capture: "yes",
      sessionLifetimeMs: 10,
      colour: "blue",
    })
    expect(message).toMatch(/environment: must be "playground" or "production"/)
    expect(message).toMatch(/baseUrl: must be an http\(s\) URL/)
    expect(message).toMatch(/webhookSecrets\.0: must look like whsec_/)
    expect(message).toMatch(/capture: must be true/)
    expect(message).toMatch(/sessionLifetimeMs: must be at least 60000/)
    expect(message).toMatch(/options: unknown option\(s\) colour/)
  })

  it("asks for the environment when the key does not tell it", () => {
    expect(problemsOf({ apiKey: "legacy-key" })).toMatch(/environment: is required when the API key does not start/)
  })

  it("names every problem at once, those of one option and those between options", () => {
    const message = problemsOf({ apiKey: "abc", webhookSecrets: ["secret"] })
    expect(message).toMatch(/webhookSecrets\.0: must look like whsec_/)
    expect(message).toMatch(/environment: is required when the API key does not start/)
    const production = problemsOf({ apiKey: "kco_live_api_x", timeoutMs: 5 })
    expect(production).toMatch(/timeoutMs: /)
    expect(production).toMatch(/webhookSecrets: is required with Kustom's production environment/)
    // A problem is named once: an invalid environment or secret is not also reported as missing.
    expect(problemsOf({ apiKey: "legacy-key", environment: "staging" }).match(/environment: /g)).toHaveLength(1)
    expect(problemsOf({ apiKey: "kco_live_api_x", webhookSecrets: "nope" }).match(/webhookSecrets/g)).toHaveLength(1)
  })

  it("refuses production without a webhook secret", () => {
    expect(problemsOf({ apiKey: "kco_live_api_x" })).toMatch(/webhookSecrets: is required with Kustom's production environment/)
    expect(problemsOf({ apiKey: "kco_test_api_x", environment: "production" })).toMatch(/webhookSecrets: is required/)
    expect(problemsOf({ apiKey: "kco_live_api_x", webhookSecrets: [] })).toMatch(/webhookSecrets: is required/)
  })

  it("refuses a store running with NODE_ENV=production without a webhook secret, whichever Kustom environment", () => {
    expect(problemsOf({ apiKey: "kco_test_api_x" }, "production")).toMatch(/webhookSecrets: is required when NODE_ENV is production/)
    // Outside production a store may start without one (it warns, and rejects every callback).
    for (const nodeEnv of ["development", "test", undefined]) {
      expect(parsePluginOptions({ apiKey: "kco_test_api_x" }, nodeEnv).webhookSecrets).toEqual([])
    }
    expect(parsePluginOptions({ apiKey: "kco_test_api_x", webhookSecrets: secret }, "production").webhookSecrets).toEqual([secret])
  })

  it("takes the README's `KUSTOM_IPP_WEBHOOK_SECRET?.split(\",\")` of an empty or comma-ended variable as the secrets it names", () => {
    const split = (variable: string) => variable.split(",")
    expect(parsePluginOptions({ apiKey: "kco_test_api_x", webhookSecrets: split("") }, "development").webhookSecrets).toEqual([])
    expect(parsePluginOptions({ apiKey: "kco_test_api_x", webhookSecrets: split(`${secret},`) }).webhookSecrets).toEqual([secret])
    expect(parsePluginOptions({ apiKey: "kco_test_api_x", webhookSecrets: split(`${secret}, ,${secret}`) }).webhookSecrets).toEqual([secret, secret])
    // Blank is unset, so production still asks for a secret.
    expect(problemsOf({ apiKey: "kco_test_api_x", webhookSecrets: split("") }, "production")).toMatch(/webhookSecrets: is required when NODE_ENV is production/)
  })

  it("never repeats the API key in its messages", () => {
    const apiKey = "kco_test_api_SECRET123"
    expect(problemsOf({ apiKey, environment: "nope" })).not.toContain("SECRET123")
  })
})
