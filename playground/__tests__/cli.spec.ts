import { type ChildProcess, spawn } from "node:child_process"
import { resolve } from "node:path"
import { type CliIo, FLAGS, parseCli, runCli } from "../src/cli"

function recordingIo(): CliIo & { codes: number[]; errors: string[]; lines: string[] } {
  const io = {
    codes: [] as number[],
    errors: [] as string[],
    lines: [] as string[],
    out: (text: string) => io.lines.push(text),
    err: (text: string) => io.errors.push(text),
    exit: (code: number) => io.codes.push(code),
  }
  return io
}

const REPO = resolve(__dirname, "..", "..")
const BIN = resolve(__dirname, "..", "bin", "kustom-ipp-playground.js")

/** The environment without any playground variable, so the host's settings cannot leak in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const spec of FLAGS) delete env[spec.env]
  return { ...env, ...extra }
}

interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

function run(args: string[], env = cleanEnv(), command = process.execPath, prefix: string[] = [BIN]): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd: REPO, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    child.on("error", reject)
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }))
  })
}

/** Start the CLI and resolve once it printed both URLs. */
function startCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env })
  let stdout = ""
  let stderr = ""
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)))
  const urls = new Promise<{ base: string; device: string }>((resolvePromise, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      const base = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]
      const device = /device page: (http:\/\/\S+)/.exec(stdout)?.[1]
      if (base && device) resolvePromise({ base, device })
    })
    child.stderr.on("data", (c) => (stderr += c))
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)))
  })
  return { child, urls, exited, output: () => stdout }
}

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  children.clear()
})

describe("CLI", () => {
  it("--help explains every flag and its environment variable", async () => {
    const result = await run(["--help"])
    expect(result.code).toBe(0)
    for (const spec of FLAGS) {
      expect(result.stdout).toContain(spec.flag)
      expect(result.stdout).toContain(spec.env)
    }
  })

  it("works through npx from the repository root", async () => {
    const result = await run(["--help"], cleanEnv(), "npx", ["--no-install", "kustom-ipp-playground"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Usage: kustom-ipp-playground/)
  })

  it("exits 2 with a message naming a bad flag", async () => {
    const result = await run(["--bogus"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/unknown flag --bogus/)
    expect(result.stderr).toMatch(/--help/)
  })

  it("exits 2 naming a bad environment variable", async () => {
    const result = await run([], cleanEnv({ KUSTOM_IPP_API_KEY: "k", PLAYGROUND_PORT: "eighty" }))
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/PLAYGROUND_PORT: "eighty" is not a whole number/)
  })

  // The same checks in-process (fast): runCli with a recording io instead of the process.
  it.each([
    [["--api-key", "k", "--port", "http"], /--port: "http" is not a whole number/],
    [["--api-key", "k", "--port", "70000"], /--port: 70000 is out of range/],
    [["--api-key", "k", "--capture-mode", "later"], /--capture-mode: must be "auto" or "manual"/],
    [["--api-key", "k", "--session-lifetime", "0"], /--session-lifetime: 0 is out of range/],
    [["--api-key", "k", "--webhook-secret", "plain"], /--webhook-secret \(KUSTOM_IPP_WEBHOOK_SECRET\): must start with "whsec_"/],
    [["--api-key", "k", "--callback-url", "nowhere"], /--callback-url \(KUSTOM_IPP_CALLBACK_URL\): must be an absolute URL/],
    [["--port", "0"], /--api-key \(or KUSTOM_IPP_API_KEY\) is required/],
    [["--api-key"], /--api-key needs a value/],
  ])("runCli exits 2 naming the problem for %j", async (args, message) => {
    const io = recordingIo()
    expect(await runCli(args, {}, io)).toBeUndefined()
    expect(io.codes).toEqual([2])
    expect(io.errors.join("\n")).toMatch(message)
    expect(io.errors.join("\n")).toMatch(/Run with --help/)
  })

  it("starts, prints its URLs, serves the API with settings from env and flags, and stops on SIGTERM", async () => {
    const cli = startCli(
      ["--port", "0", "--merchant-id", "CLI1"],
      cleanEnv({ KUSTOM_IPP_API_KEY: "kco_test_api_cli", KUSTOM_IPP_CAPTURE_MODE: "manual" })
    )
    children.add(cli.child)
    const { base, device } = await cli.urls
    expect(device).toBe(`${base}/device`)
    const config = await fetch(`${base}/_playground/config`, { headers: { authorization: "Basic kco_test_api_cli" } })
    expect(await config.json()).toMatchObject({ merchant_id: "CLI1", capture_mode: "manual" })
    expect((await fetch(device)).status).toBe(200)
    cli.child.kill("SIGTERM")
    expect(await cli.exited).toBe(0)
    expect(cli.output()).toMatch(/SIGTERM received, stopping/)
  })

  it("stops on SIGINT too", async () => {
    const cli = startCli(["--port=0", "--api-key=k"], cleanEnv())
    children.add(cli.child)
    await cli.urls
    cli.child.kill("SIGINT")
    expect(await cli.exited).toBe(0)
  })
})

describe("parseCli", () => {
  it("lets flags win over environment variables and defaults the port to 9100", () => {
    const parsed = parseCli(["--capture-mode", "auto"], { KUSTOM_IPP_API_KEY: "k", KUSTOM_IPP_CAPTURE_MODE: "manual" })
    expect(parsed).toEqual({ help: false, options: { apiKey: "k", captureMode: "auto", port: 9100 } })
  })

  it("collects repeated --webhook-secret flags, or a comma-separated variable, for a rotation", () => {
    const fromFlags = parseCli(["--api-key=k", "--webhook-secret", "whsec_a", "--webhook-secret=whsec_b"], {})
    expect(fromFlags).toMatchObject({ options: { webhookSecrets: ["whsec_a", "whsec_b"] } })
    const fromEnv = parseCli(["--api-key=k"], { KUSTOM_IPP_WEBHOOK_SECRET: "whsec_a, whsec_b" })
    expect(fromEnv).toMatchObject({ options: { webhookSecrets: ["whsec_a", "whsec_b"] } })
  })

  it("reads every option from its variable", () => {
    const parsed = parseCli([], {
      PLAYGROUND_PORT: "0",
      PLAYGROUND_HOST: "0.0.0.0",
      KUSTOM_IPP_API_KEY: "k",
      KUSTOM_IPP_MERCHANT_ID: "M",
      KUSTOM_IPP_CALLBACK_URL: "http://localhost:9000/hooks/kustom-ipp",
      KUSTOM_IPP_WEBHOOK_SECRET: "whsec_a",
      KUSTOM_IPP_CAPTURE_MODE: "manual",
      KUSTOM_IPP_SESSION_LIFETIME_MS: "60000",
      PLAYGROUND_STATE_FILE: ".demo/state.json",
    })
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 0,
        host: "0.0.0.0",
        apiKey: "k",
        merchantId: "M",
        callbackUrl: "http://localhost:9000/hooks/kustom-ipp",
        webhookSecrets: ["whsec_a"],
        captureMode: "manual",
        sessionLifetimeMs: 60000,
        stateFile: ".demo/state.json",
      },
    })
  })

  it("refuses positional arguments and repeated single flags", () => {
    expect(() => parseCli(["serve"], {})).toThrow(/unexpected argument "serve"/)
    expect(() => parseCli(["--port", "1", "--port", "2"], {})).toThrow(/--port was given more than once/)
  })
})
