/**
 * `kustom-ipp-playground`: run the playground from a terminal (the demo store, manual tests).
 * Every flag also reads an environment variable; a flag wins over its variable. A bad flag or
 * value exits with status 2 and says which one; failing to listen exits with 1.
 */
import { startPlayground } from "./index"
import type { CaptureMode, PlaygroundHandle, PlaygroundLogger, PlaygroundOptions } from "./types"

export const EXIT_USAGE = 2
export const EXIT_FAILURE = 1

type OptionKey = "port" | "host" | "apiKey" | "merchantId" | "callbackUrl" | "webhookSecrets" | "captureMode" | "sessionLifetimeMs" | "stateFile"

interface FlagSpec {
  flag: string
  env: string
  key: OptionKey
  value: string
  defaultText: string
  help: string
  repeatable?: boolean
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: "--port", env: "PLAYGROUND_PORT", key: "port", value: "<port>", defaultText: "9100", help: "TCP port to listen on (0 = any free port)" },
  { flag: "--host", env: "PLAYGROUND_HOST", key: "host", value: "<host>", defaultText: "127.0.0.1", help: "interface to listen on (0.0.0.0 to reach it from a phone on the LAN)" },
  { flag: "--api-key", env: "KUSTOM_IPP_API_KEY", key: "apiKey", value: "<key>", defaultText: "required", help: "the API key the emulator accepts (Authorization: Basic <key>), e.g. kco_test_api_playground" },
  { flag: "--merchant-id", env: "KUSTOM_IPP_MERCHANT_ID", key: "merchantId", value: "<mid>", defaultText: "PLAYGROUND", help: "merchant id put in callbacks and checked against x-merchant-id" },
  { flag: "--callback-url", env: "KUSTOM_IPP_CALLBACK_URL", key: "callbackUrl", value: "<url>", defaultText: "none (callbacks off)", help: "where lifecycle callbacks are POSTed" },
  {
    flag: "--webhook-secret",
    env: "KUSTOM_IPP_WEBHOOK_SECRET",
    key: "webhookSecrets",
    value: "<whsec_…>",
    defaultText: "none (unsigned)",
    help: "Standard Webhooks signing secret; repeat the flag (or comma-separate the variable) for a rotation: every callback then carries one signature per secret",
    repeatable: true,
  },
  { flag: "--capture-mode", env: "KUSTOM_IPP_CAPTURE_MODE", key: "captureMode", value: "auto|manual", defaultText: "auto", help: "auto: a finalized payment is captured at once; manual: it is only authorized" },
  { flag: "--session-lifetime", env: "KUSTOM_IPP_SESSION_LIFETIME_MS", key: "sessionLifetimeMs", value: "<ms>", defaultText: "900000 (15 min)", help: "a CREATED/ACTIVE session older than this becomes EXPIRED (no callback)" },
  { flag: "--state-file", env: "PLAYGROUND_STATE_FILE", key: "stateFile", value: "<path>", defaultText: "none (memory only)", help: "JSON file the state is kept in, so a demo survives a restart" },
]

export class CliUsageError extends Error {}

export function helpText(): string {
  const lines = [
    "Usage: kustom-ipp-playground [options]",
    "",
    "A local emulator of Kustom's In-Person Payments API, Order Management API and signed",
    "lifecycle callbacks, with a virtual POS device page at <base URL>/device.",
    "",
    "Options (each also read from the environment variable shown; the flag wins):",
  ]
  for (const spec of FLAGS) {
    lines.push(`  ${spec.flag} ${spec.value}`, `      ${spec.help}`, `      env ${spec.env}; default: ${spec.defaultText}`)
  }
  lines.push("  -h, --help", "      show this help and exit", "")
  lines.push("Example:")
  lines.push("  kustom-ipp-playground --port 9100 --api-key kco_test_api_playground \\")
  lines.push("    --callback-url http://localhost:9000/hooks/kustom-ipp --webhook-secret whsec_…")
  return lines.join("\n")
}

export type ParsedCli = { help: true } | { help: false; options: PlaygroundOptions }

function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new CliUsageError(`${name}: "${text}" is not a whole number`)
  const value = Number(text.trim())
  if (value < min || value > max) throw new CliUsageError(`${name}: ${value} is out of range (${min}–${max})`)
  return value
}

/** Turn one raw flag/env value into the option value, or explain what is wrong with it. */
function convert(spec: FlagSpec, raw: string[], name: string): PlaygroundOptions[OptionKey] {
  const last = raw[raw.length - 1]
  if (spec.key !== "webhookSecrets" && last.trim() === "") throw new CliUsageError(`${name}: a value is required`)
  switch (spec.key) {
    case "port":
      return parseInteger(last, name, 0, 65535)
    case "sessionLifetimeMs":
      return parseInteger(last, name, 1, 2_147_483_647)
    case "captureMode":
      if (last !== "auto" && last !== "manual") throw new CliUsageError(`${name}: must be "auto" or "manual", not "${last}"`)
      return last as CaptureMode
    case "webhookSecrets":
      return raw
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "")
    default:
      return last
  }
}

/** Parse argv (`--flag value` or `--flag=value`) over the environment. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCli {
  const fromFlags = new Map<FlagSpec, string[]>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "-h" || arg === "--help") return { help: true }
    if (!arg.startsWith("--")) throw new CliUsageError(`unexpected argument "${arg}"`)
    const eq = arg.indexOf("=")
    const name = eq >= 0 ? arg.slice(0, eq) : arg
    const spec = FLAGS.find((f) => f.flag === name)
    if (!spec) throw new CliUsageError(`unknown flag ${name}`)
    let value: string
    if (eq >= 0) value = arg.slice(eq + 1)
    else {
      const next = argv[i + 1]
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new CliUsageError(`${name} needs a value ${spec.value}`)
      value = next
      i++
    }
    const values = fromFlags.get(spec) ?? []
    if (values.length > 0 && !spec.repeatable) throw new CliUsageError(`${name} was given more than once`)
    fromFlags.set(spec, [...values, value])
  }

  const options: Record<string, unknown> = {}
  for (const spec of FLAGS) {
    const flagValues = fromFlags.get(spec)
    if (flagValues) {
      options[spec.key] = convert(spec, flagValues, spec.flag)
    } else if (env[spec.env] !== undefined && env[spec.env] !== "") {
      options[spec.key] = convert(spec, [env[spec.env]!], spec.env)
    }
  }
  options.port ??= 9100
  if (options.apiKey === undefined) {
    throw new CliUsageError("--api-key (or KUSTOM_IPP_API_KEY) is required")
  }
  return { help: false, options: options as unknown as PlaygroundOptions }
}

/** Option names in validation errors become the flag (and variable) a person typed. */
function optionErrorToFlags(message: string): string {
  let text = message.replace(/^Invalid playground option/, "invalid value")
  for (const spec of FLAGS) {
    text = text.replace(new RegExp(`"${spec.key}(\\[\\d+\\])?"`, "g"), `${spec.flag} (${spec.env})`)
  }
  return text
}

function consoleLogger(): PlaygroundLogger {
  const stamp = () => new Date().toISOString()
  return {
    info: (msg) => console.log(`${stamp()} ${msg}`),
    warn: (msg) => console.warn(`${stamp()} warn ${msg}`),
    error: (msg) => console.error(`${stamp()} error ${msg}`),
  }
}

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  exit: (code: number) => void
}

const processIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  exit: (code) => process.exit(code),
}

/** Entry point of the bin. Resolves with the running playground (undefined after --help or an error). */
export async function runCli(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = processIo
): Promise<PlaygroundHandle | undefined> {
  let parsed: ParsedCli
  try {
    parsed = parseCli(argv, env)
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error
    io.err(`kustom-ipp-playground: ${error.message}\nRun with --help to see the options.`)
    io.exit(EXIT_USAGE)
    return undefined
  }
  if (parsed.help) {
    io.out(helpText())
    io.exit(0)
    return undefined
  }

  let playground: PlaygroundHandle
  try {
    playground = await startPlayground({ ...parsed.options, logger: consoleLogger() })
  } catch (error) {
    const message = (error as Error).message
    if (message.startsWith("Invalid playground option")) {
      io.err(`kustom-ipp-playground: ${optionErrorToFlags(message)}\nRun with --help to see the options.`)
      io.exit(EXIT_USAGE)
    } else {
      io.err(`kustom-ipp-playground: could not start: ${message}`)
      io.exit(EXIT_FAILURE)
    }
    return undefined
  }

  // Handlers first: a supervisor may signal as soon as it reads the URLs.
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    io.out(`${signal} received, stopping…`)
    playground.stop().then(
      () => io.exit(0),
      (error: Error) => {
        io.err(`error while stopping: ${error.message}`)
        io.exit(EXIT_FAILURE)
      }
    )
  }
  process.once("SIGINT", () => shutdown("SIGINT"))
  process.once("SIGTERM", () => shutdown("SIGTERM"))

  const o = parsed.options
  const secrets = o.webhookSecrets?.length ?? 0
  io.out(`Kustom IPP playground listening on ${playground.url}`)
  io.out(`Virtual POS device page: ${playground.devicePageUrl}`)
  io.out(
    o.callbackUrl
      ? `Callbacks: ${o.callbackUrl} (${secrets === 0 ? "unsigned" : `${secrets} signing secret(s)`})`
      : "Callbacks: off (no --callback-url)"
  )
  if (o.stateFile) io.out(`State file: ${o.stateFile}`)
  return playground
}
