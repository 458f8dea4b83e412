import { inspect } from "node:util"
import {
  KUSTOM_IPP_BASE_URLS,
  KustomIppClient,
  type KustomIppClientOptions,
  KustomIppConfigError,
  resolveKustomIppConfig,
} from ".."

const API_KEY = "kco_test_api_config_spec_secret"

function configError(options: unknown): KustomIppConfigError {
  try {
    resolveKustomIppConfig(options as KustomIppClientOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(KustomIppConfigError)
    return error as KustomIppConfigError
  }
  throw new Error("expected a KustomIppConfigError")
}

describe("client options", () => {
  it("fills the defaults", () => {
    const config = resolveKustomIppConfig({ apiKey: API_KEY })
    expect(config).toMatchObject({
      baseUrl: KUSTOM_IPP_BASE_URLS.playground,
      timeoutMs: 10_000,
      retry: { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 5_000 },
    })
    expect(config.merchantId).toBeUndefined()
    expect(config.userAgent).toMatch(/^medusa-plugin-kustom-ipp\/\S+ node\/\S+$/)
  })

  it("maps the environment to Kustom's servers, and lets baseUrl win", () => {
    expect(resolveKustomIppConfig({ apiKey: API_KEY, environment: "production" }).baseUrl).toBe("https://api.kustom.co")
    expect(resolveKustomIppConfig({ apiKey: API_KEY, environment: "playground" }).baseUrl).toBe(
      "https://api.playground.kustom.co",
    )
    expect(
      resolveKustomIppConfig({ apiKey: API_KEY, environment: "production", baseUrl: "http://127.0.0.1:9100/" }).baseUrl,
    ).toBe("http://127.0.0.1:9100")
  })

  it("fills partial retry options", () => {
    const config = resolveKustomIppConfig({ apiKey: API_KEY, retry: { maxRetries: 0 } })
    expect(config.retry).toEqual({ maxRetries: 0, baseDelayMs: 200, maxDelayMs: 5_000 })
  })

  it.each([
    [{}, "apiKey"],
    [{ apiKey: "" }, "apiKey"],
    [{ apiKey: "   " }, "apiKey"],
    [{ apiKey: 42 }, "apiKey"],
    [{ apiKey: API_KEY, environment: "staging" }, "environment"],
    [{ apiKey: API_KEY, baseUrl: "not a url" }, "baseUrl"],
    [{ apiKey: API_KEY, baseUrl: "ftp://example.com" }, "baseUrl"],
    [{ apiKey: API_KEY, merchantId: "" }, "merchantId"],
    [{ apiKey: API_KEY, timeoutMs: 0 }, "timeoutMs"],
    [{ apiKey: API_KEY, timeoutMs: 1.5 }, "timeoutMs"],
    [{ apiKey: API_KEY, timeoutMs: "10s" }, "timeoutMs"],
    [{ apiKey: API_KEY, retry: { maxRetries: -1 } }, "retry.maxRetries"],
    [{ apiKey: API_KEY, retry: { baseDelayMs: "fast" } }, "retry.baseDelayMs"],
    [{ apiKey: API_KEY, retry: { maxDelay: 5 } }, "retry"],
    [{ apiKey: API_KEY, logger: { info: "yes" } }, "logger"],
    [{ apiKey: API_KEY, fetch: {} }, "fetch"],
    [{ apiKey: API_KEY, timeout: 5 }, "(options)"],
  ])("rejects %j naming %s", (options, field) => {
    const error = configError(options)
    expect(error.kind).toBe("config")
    expect(error.fields).toContain(field)
    expect(error.message).toContain(field === "(options)" ? "timeout" : field)
    expect(error.message).toMatch(/^Invalid Kustom IPP client options: /)
  })

  it("rejects a missing options object", () => {
    expect(configError(undefined).fields).toEqual(["(options)"])
  })

  it("never echoes the API key in a config error", () => {
    const error = configError({ apiKey: API_KEY, environment: API_KEY, baseUrl: API_KEY, merchantId: 5 })
    expect(error.message).not.toContain(API_KEY)
    expect(JSON.stringify(error)).not.toContain(API_KEY)
    expect(inspect(error)).not.toContain(API_KEY)
  })

  it("keeps the API key out of the client object", () => {
    const client = new KustomIppClient({ apiKey: API_KEY })
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(API_KEY)
    expect(JSON.stringify(client)).not.toContain(API_KEY)
  })

  it("keeps a class-based logger's methods and `this`", () => {
    class Logger {
      lines: string[] = []
      info(message: string) {
        this.lines.push(message)
      }
    }
    const logger = new Logger()
    const config = resolveKustomIppConfig({ apiKey: API_KEY, logger })
    expect(config.logger).toBe(logger)
  })
})
