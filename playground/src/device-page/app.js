// Virtual POS device page of the Kustom IPP playground.
//
// Stands in for the Kustom POS app on a clerk's phone. It registers with an enrollment code
// (POST /ipp/v1/devices/register) or takes over a simulated device, keeps the device token in
// localStorage and talks only to the device API (/pos/v1/*) with that token; it never sees the
// merchant's API key. The payment session pushed to the device arrives on a server-sent event
// stream, so the page updates without a reload.
//
// Plain browser JavaScript, no build step and no external resources.
"use strict"
;(function () {
  const TOKEN_KEY = "kustom-ipp-device-token"
  const HARDWARE_KEY = "kustom-ipp-hardware-id"
  const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
  const CODE_LENGTH = 8
  const OPEN_STATUSES = new Set(["CREATED", "ACTIVE"])
  const MAX_BACKOFF_MS = 15000

  /** Decline outcomes of the tap endpoint, with the label a clerk would read on a terminal. */
  const DECLINE_REASONS = [
    ["DECLINED_GENERIC", "Card declined (generic)"],
    ["INSUFFICIENT_FUNDS", "Insufficient funds"],
    ["LOST_CARD", "Lost card"],
    ["STOLEN_CARD", "Stolen card"],
    ["EXPIRED_CARD", "Expired card"],
    ["INCORRECT_CVC", "Incorrect CVC"],
    ["PROCESSING_ERROR", "Processing error"],
    ["INCORRECT_NUMBER", "Incorrect card number"],
    ["CARD_VELOCITY_EXCEEDED", "Too many attempts"],
  ]
  const REASON_LABELS = new Map(DECLINE_REASONS)

  const STATUS_LABELS = {
    CREATED: "New",
    ACTIVE: "In progress",
    FINALIZED: "Paid",
    CANCELLED: "Cancelled",
    EXPIRED: "Expired",
    FAILED: "Failed",
  }

  // ---------------------------------------------------------------------------------------
  // Storage (localStorage may be unavailable, e.g. in some private modes: fall back to memory)

  const memoryStore = new Map()
  const store = {
    get(key) {
      try {
        return window.localStorage.getItem(key)
      } catch {
        return memoryStore.has(key) ? memoryStore.get(key) : null
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value)
      } catch {
        memoryStore.set(key, value)
      }
    },
    remove(key) {
      try {
        window.localStorage.removeItem(key)
      } catch {
        memoryStore.delete(key)
      }
    },
  }

  function randomId() {
    const c = window.crypto
    if (c && typeof c.randomUUID === "function") return c.randomUUID()
    // randomUUID needs a secure context; getRandomValues does not (e.g. a phone on the LAN).
    const bytes = new Uint8Array(16)
    c.getRandomValues(bytes)
    bytes[6] = (bytes[6] & 0x0f) | 0x40
    bytes[8] = (bytes[8] & 0x3f) | 0x80
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  function hardwareId() {
    let id = store.get(HARDWARE_KEY)
    if (!id) {
      id = `virtual-pos-${randomId()}`
      store.set(HARDWARE_KEY, id)
    }
    return id
  }

  // ---------------------------------------------------------------------------------------
  // Formatting

  const formatterCache = new Map()

  function currencyFormatter(currency) {
    const key = String(currency || "").toUpperCase()
    if (!formatterCache.has(key)) {
      let entry = null
      try {
        const nf = new Intl.NumberFormat(undefined, { style: "currency", currency: key })
        entry = { nf, digits: nf.resolvedOptions().maximumFractionDigits }
      } catch {
        entry = null // not an ISO 4217 code Intl knows
      }
      formatterCache.set(key, entry)
    }
    return formatterCache.get(key)
  }

  /**
   * Integer minor units → exact decimal string ("25000", 2 → "250.00"; "1500", 0 → "1500";
   * "1234", 3 → "1.234"). Done on the digits, so no binary floating point is involved.
   */
  function minorToDecimal(minor, digits) {
    if (!Number.isSafeInteger(minor)) return minor / Math.pow(10, digits)
    const negative = minor < 0
    let s = String(Math.abs(minor))
    if (digits > 0) {
      s = s.padStart(digits + 1, "0")
      s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`
    }
    return negative ? `-${s}` : s
  }

  /** Formats an amount in minor units of `currency` (JPY has 0 decimals, EUR 2, KWD 3, …). */
  function formatMoney(minor, currency) {
    if (typeof minor !== "number" || !Number.isFinite(minor)) return "—"
    const f = currencyFormatter(currency)
    if (!f) return `${minor} ${currency || ""} (minor units)`.trim()
    // Intl.NumberFormat formats decimal strings exactly; older engines convert them to a number,
    // which is the same as dividing by 10^digits.
    return f.nf.format(minorToDecimal(minor, f.digits))
  }

  function formatTaxRate(basisPoints) {
    if (typeof basisPoints !== "number") return ""
    return new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 2 }).format(basisPoints / 10000)
  }

  function platformLabel(platform) {
    return platform === "IOS" ? "iOS" : platform === "ANDROID" ? "Android" : "Device"
  }

  function shortId(id) {
    return id ? String(id).slice(0, 8) : ""
  }

  function reasonLabel(reason) {
    if (!reason) return "Card declined"
    return REASON_LABELS.get(reason) || String(reason).replace(/_/g, " ").toLowerCase().replace(/^./, (c) => c.toUpperCase())
  }

  // ---------------------------------------------------------------------------------------
  // HTTP

  class ApiError extends Error {
    constructor(status, body, message) {
      super(message)
      this.status = status
      this.body = body
    }
  }

  function problemMessage(body, fallback) {
    if (body && typeof body === "object") {
      const errors = body.errors && typeof body.errors === "object" ? Object.values(body.errors).filter(Boolean) : []
      if (body.detail) return errors.length && !errors.includes(body.detail) ? `${body.detail} ${errors.join(" ")}` : body.detail
      if (errors.length) return errors.join(" ")
      if (body.title) return body.title
      if (Array.isArray(body.error_messages) && body.error_messages.length) return body.error_messages.join(" ")
    }
    return fallback
  }

  /** "has expired" → "This code has expired."; a full sentence stays as it is. */
  function sentence(subject, message) {
    const text = String(message).trim()
    const full = /^[a-z]/.test(text) ? `${subject} ${text}` : text
    return /[.!?]$/.test(full) ? full : `${full}.`
  }

  /** "Invalid request body: name must not be empty" → "Name must not be empty." */
  function readableDetail(detail) {
    if (!detail) return ""
    const text = String(detail).replace(/^Invalid request( body)?:\s*/i, "").trim()
    const capital = text.charAt(0).toUpperCase() + text.slice(1)
    return /[.!?]$/.test(capital) ? capital : `${capital}.`
  }

  async function api(method, path, body, options) {
    const opts = options || {}
    const headers = { accept: "application/json, application/problem+json" }
    if (body !== undefined) headers["content-type"] = "application/json"
    if (opts.auth !== false && state.token) headers.authorization = `Bearer ${state.token}`
    let response
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
      })
    } catch {
      throw new ApiError(0, null, "Can't reach the playground. Check that it is running.")
    }
    const text = await response.text()
    let data = null
    if (text) {
      try {
        data = JSON.parse(text)
      } catch {
        data = null
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, data, problemMessage(data, `The playground answered ${response.status}.`))
    }
    return data
  }

  // ---------------------------------------------------------------------------------------
  // State

  const state = {
    token: null,
    device: null,
    location: null,
    simulated: false,
    session: null, // the open (CREATED/ACTIVE) session pushed to this device, or null
    last: null, // the most recent finished session
    tracked: null, // { id, failure } of the open session on screen, to notice how it ended
    result: null, // { kind: paid|declined|cancelled|expired|failed, session, reason?, byDevice? }
    busy: false,
    sessionError: "",
    screen: "loading",
    connection: "offline",
    es: null,
    generation: 0,
    attempt: 0,
    reconnectTimer: null,
    connectedOnce: false,
    ready: false, // the device and its session are loaded
    finished: new Set(), // ids of sessions known to be terminal (a late event can't reopen them)
  }

  // ---------------------------------------------------------------------------------------
  // DOM

  const $ = (selector, root) => (root || document).querySelector(selector)
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`)

  const el = {
    screens: document.querySelectorAll("[data-screen]"),
    connection: byTestId("connection"),
    connectionLabel: $(".connection-label"),
    status: byTestId("status"),
    footerRow: $(".footer-row"),
    footerDevice: byTestId("footer-device"),
    forget: byTestId("forget-button"),
    // register
    registerForm: $("#register-form"),
    registerNotice: byTestId("register-notice"),
    codeInput: byTestId("code-input"),
    nameInput: byTestId("name-input"),
    registerError: byTestId("register-error"),
    registerButton: byTestId("register-button"),
    simulatedToggle: byTestId("simulated-toggle"),
    simulatedPanel: $("#simulated-panel"),
    simulatedState: byTestId("simulated-state"),
    simulatedList: byTestId("simulated-device-list"),
    // idle
    deviceName: byTestId("device-name"),
    deviceLocation: byTestId("device-location"),
    lastPayment: byTestId("last-payment"),
    // session
    sessionReference: byTestId("session-reference"),
    sessionStatus: byTestId("session-status"),
    sessionTotal: byTestId("session-total"),
    sessionTax: byTestId("session-tax"),
    sessionItems: byTestId("session-items"),
    cardButton: byTestId("card-button"),
    sessionError: byTestId("session-error"),
    payButton: byTestId("pay-button"),
    declineButton: byTestId("decline-button"),
    cancelButton: byTestId("cancel-button"),
    declineDialog: byTestId("decline-dialog"),
    declineReasons: byTestId("decline-reasons"),
    // result
    result: byTestId("result"),
    resultIcon: $(".result-icon"),
    resultTitle: byTestId("result-title"),
    resultAmount: byTestId("result-amount"),
    resultDetail: byTestId("result-detail"),
    tryAgain: byTestId("try-again-button"),
    resultCancel: byTestId("result-cancel-button"),
    done: byTestId("done-button"),
  }

  function h(tag, attrs, children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue
      if (key === "class") node.className = value
      else if (key === "text") node.textContent = value
      else node.setAttribute(key, value === true ? "" : String(value))
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue
      node.append(child instanceof Node ? child : document.createTextNode(String(child)))
    }
    return node
  }

  function showScreen(name) {
    state.screen = name
    for (const section of el.screens) section.hidden = section.dataset.screen !== name
    document.body.dataset.screen = name
    el.footerRow.hidden = !state.token || name !== "idle"
  }

  let lastStatus = ""
  function setStatus(text) {
    const full = state.connection === "reconnecting" && state.token ? `${text} · Reconnecting…` : text
    if (full !== lastStatus) {
      lastStatus = full
      el.status.textContent = full
    }
  }

  function setConnection(connection) {
    state.connection = connection
    el.connection.hidden = connection === "offline"
    el.connection.dataset.state = connection
    el.connectionLabel.textContent =
      connection === "live" ? "Live" : connection === "connecting" ? "Connecting…" : connection === "reconnecting" ? "Reconnecting…" : "Offline"
    el.connection.setAttribute("aria-label", `Connection: ${el.connectionLabel.textContent}`)
    render()
  }

  // ---------------------------------------------------------------------------------------
  // Register screen

  /** Upper-cases the typed code and drops spaces, dashes and dots; keeps the caret in place. */
  function normalizeCodeInput() {
    const input = el.codeInput
    const raw = input.value
    const caret = input.selectionStart == null ? raw.length : input.selectionStart
    const clean = (s) => s.toUpperCase().replace(/[\s\-_.·]/g, "")
    const value = clean(raw).slice(0, CODE_LENGTH)
    const newCaret = Math.min(clean(raw.slice(0, caret)).length, value.length)
    if (value !== raw) {
      input.value = value
      try {
        input.setSelectionRange(newCaret, newCaret)
      } catch {
        /* not focused */
      }
    }
    const invalid = [...value].filter((c) => !CODE_ALPHABET.includes(c))
    if (invalid.length) {
      showRegisterError(`“${[...new Set(invalid)].join("”, “")}” can't be in a code. Codes use A–Z and 2–9 without O, I and L.`)
    } else if (el.registerError.dataset.source === "code") {
      showRegisterError("")
    }
    input.setAttribute("aria-invalid", invalid.length ? "true" : "false")
  }

  function showRegisterError(message, source) {
    el.registerError.textContent = message
    el.registerError.hidden = !message
    el.registerError.dataset.source = message ? source || "code" : ""
  }

  function showRegisterNotice(message, kind) {
    el.registerNotice.textContent = message || ""
    el.registerNotice.hidden = !message
    el.registerNotice.dataset.kind = kind || "info"
  }

  async function onRegister(event) {
    event.preventDefault()
    normalizeCodeInput()
    const code = el.codeInput.value
    const name = el.nameInput.value.trim()
    const platform = (el.registerForm.querySelector('input[name="platform"]:checked') || {}).value || "ANDROID"
    if (code.length !== CODE_LENGTH || [...code].some((c) => !CODE_ALPHABET.includes(c))) {
      el.codeInput.setAttribute("aria-invalid", "true")
      showRegisterError(
        code.length === 0
          ? "Type the 8-character enrollment code."
          : code.length !== CODE_LENGTH
            ? `The code has ${CODE_LENGTH} characters; you typed ${code.length}.`
            : "Codes use A–Z and 2–9 without O, I and L.",
        "submit",
      )
      el.codeInput.focus()
      return
    }
    if (!name) {
      showRegisterError("Give the device a name, like “Checkout 1”.", "submit")
      el.nameInput.focus()
      return
    }
    showRegisterError("")
    setBusy(el.registerButton, true, "Registering…")
    try {
      const device = await api(
        "POST",
        "/ipp/v1/devices/register",
        { enrollment_code: code, name, platform, hardware_id: hardwareId() },
        { auth: false },
      )
      const token = device && device.credentials && device.credentials.device_token
      if (!token) throw new ApiError(500, device, "The playground did not return a device token.")
      const { credentials, ...publicDevice } = device
      el.codeInput.value = ""
      await useToken(token, publicDevice)
    } catch (error) {
      const body = error.body || {}
      // The field error says what is wrong with the code ("has expired", "has already been used", …).
      const codeError = body.errors && body.errors.enrollment_code
      const message = codeError ? sentence("This code", codeError) : readableDetail(error.message) || "Registration failed."
      showRegisterError(message, "submit")
      if (codeError) {
        el.codeInput.setAttribute("aria-invalid", "true")
        el.codeInput.focus()
      }
    } finally {
      setBusy(el.registerButton, false)
    }
  }

  async function loadSimulatedDevices() {
    el.simulatedState.hidden = false
    el.simulatedState.textContent = "Loading simulated devices…"
    el.simulatedList.replaceChildren()
    try {
      const data = await api("GET", "/pos/v1/simulated-devices", undefined, { auth: false })
      const devices = (data && data.devices) || []
      if (!devices.length) {
        el.simulatedState.textContent =
          "No simulated devices yet. Create one with POST /ipp/v1/dev/devices (the demo store seeds one)."
        return devices
      }
      el.simulatedState.hidden = true
      for (const entry of devices) {
        const device = entry.device || {}
        const button = h(
          "button",
          {
            type: "button",
            class: "device-option",
            "data-testid": `simulated-device-${device.id}`,
            "data-device-id": device.id,
          },
          [
            h("span", {}, [
              h("span", { class: "device-option-name", text: device.name || "Simulated device" }),
              h("span", { class: "device-option-meta", text: `${platformLabel(device.platform)} · ${shortId(device.id)}` }),
            ]),
            h("span", { class: "device-option-go", "aria-hidden": "true", text: "›" }),
          ],
        )
        button.setAttribute("aria-label", `Use ${device.name || "simulated device"} (${shortId(device.id)})`)
        button.addEventListener("click", () => useToken(entry.device_token, device, true))
        el.simulatedList.append(h("li", {}, button))
      }
      return devices
    } catch (error) {
      el.simulatedState.textContent = error.message
      return []
    }
  }

  function toggleSimulated() {
    const open = el.simulatedPanel.hidden
    el.simulatedPanel.hidden = !open
    el.simulatedToggle.setAttribute("aria-expanded", String(open))
    if (open) {
      loadSimulatedDevices().then(() => {
        if (!el.simulatedPanel.hidden) el.simulatedPanel.scrollIntoView({ block: "nearest", behavior: "smooth" })
      })
    }
  }

  // ---------------------------------------------------------------------------------------
  // Device lifecycle

  function locationFrom(me, device) {
    const candidate = (me && me.location) || (device && device.location) || null
    if (candidate && typeof candidate === "object") return candidate
    if (device && device.location_name) return { id: device.location_id, name: device.location_name }
    return device && device.location_id ? { id: device.location_id } : null
  }

  async function useToken(token, device, simulated) {
    stopStream()
    state.token = token
    state.device = device || null
    state.simulated = Boolean(simulated || (device && device.metadata && device.metadata.simulated))
    state.session = null
    state.last = null
    state.tracked = null
    state.result = null
    state.ready = false
    state.connectedOnce = false
    state.attempt = 0
    store.set(TOKEN_KEY, token)
    showRegisterNotice("")
    showScreen("loading")
    setStatus("Connecting…")
    await startDevice()
  }

  /** Loads the device and its session, then opens the live stream. */
  async function startDevice() {
    try {
      const [me, snapshot] = await Promise.all([api("GET", "/pos/v1/me"), api("GET", "/pos/v1/session")])
      state.device = (me && me.device) || state.device
      state.location = locationFrom(me, state.device)
      state.simulated = state.simulated || Boolean(state.device && state.device.metadata && state.device.metadata.simulated)
      state.ready = true
      applySnapshot(snapshot, true)
      connect()
    } catch (error) {
      if (isAuthFailure(error)) {
        forgetDevice("This device is no longer registered with the playground. Register it again with a new code.", "warn")
      } else {
        // The playground is down or restarting: keep the token and try again.
        showScreen("loading")
        setConnection("reconnecting")
        setStatus(error.message)
        scheduleReconnect(startDevice)
      }
    }
  }

  function isAuthFailure(error) {
    return error && (error.status === 401 || error.status === 403 || error.status === 404)
  }

  function forgetDevice(message, kind) {
    stopStream()
    store.remove(TOKEN_KEY)
    state.token = null
    state.device = null
    state.location = null
    state.session = null
    state.last = null
    state.tracked = null
    state.result = null
    state.ready = false
    if (el.declineDialog.open) el.declineDialog.close()
    setConnection("offline")
    showRegisterNotice(message || "", kind)
    showRegisterError("")
    showScreen("register")
    setStatus("Not registered")
    if (!el.simulatedPanel.hidden) loadSimulatedDevices()
  }

  // ---------------------------------------------------------------------------------------
  // Live stream (server-sent events), reconnecting with backoff

  function stopStream() {
    state.generation++
    if (state.es) {
      state.es.close()
      state.es = null
    }
    clearTimeout(state.reconnectTimer)
    state.reconnectTimer = null
  }

  function connect() {
    stopStream()
    const generation = state.generation
    if (!state.token) return
    if (state.connection !== "live") setConnection(state.connectedOnce ? "reconnecting" : "connecting")
    const es = new EventSource(`/pos/v1/events?token=${encodeURIComponent(state.token)}`)
    state.es = es
    const current = () => generation === state.generation
    es.addEventListener("open", () => {
      if (!current()) return
      state.connectedOnce = true
      state.attempt = 0
      setConnection("live")
      // Anything may have happened while the stream was down (or before it opened).
      refreshSession()
    })
    es.addEventListener("session", (event) => {
      if (!current()) return
      const data = parseEvent(event)
      if (data) applySnapshot(data)
    })
    es.addEventListener("device", (event) => {
      if (!current()) return
      onDeviceEvent(parseEvent(event))
    })
    es.addEventListener("error", () => {
      if (!current()) return
      // EventSource retries by itself only in some cases (never after an HTTP error); take
      // over so the backoff and the device check are ours.
      es.close()
      state.es = null
      setConnection("reconnecting")
      scheduleReconnect(checkDeviceThenConnect)
    })
  }

  function parseEvent(event) {
    try {
      return JSON.parse(event.data)
    } catch {
      return null
    }
  }

  function scheduleReconnect(fn) {
    clearTimeout(state.reconnectTimer)
    const base = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, state.attempt))
    state.attempt = Math.min(state.attempt + 1, 10)
    const delay = Math.round(base * (0.75 + Math.random() * 0.5))
    const generation = state.generation
    state.reconnectTimer = setTimeout(() => {
      if (generation === state.generation && state.token) fn()
    }, delay)
  }

  function reconnectNow() {
    if (state.token && state.connection === "reconnecting") {
      clearTimeout(state.reconnectTimer)
      state.attempt = 0
      if (state.device && state.screen !== "loading") checkDeviceThenConnect()
      else startDevice()
    }
  }

  async function checkDeviceThenConnect() {
    try {
      const me = await api("GET", "/pos/v1/me")
      if (me && me.device) {
        state.device = me.device
        state.location = locationFrom(me, me.device)
      }
    } catch (error) {
      if (isAuthFailure(error)) {
        forgetDevice("This device was removed by the store. Register it again with a new enrollment code.", "warn")
        return
      }
      scheduleReconnect(checkDeviceThenConnect)
      return
    }
    connect()
  }

  async function refreshSession() {
    try {
      applySnapshot(await api("GET", "/pos/v1/session"))
    } catch (error) {
      if (isAuthFailure(error)) forgetDevice("This device was removed by the store. Register it again with a new enrollment code.", "warn")
    }
  }

  function onDeviceEvent(data) {
    const removed =
      !data ||
      data.removed === true ||
      data.deleted === true ||
      data.device === null ||
      ["removed", "deleted", "device.removed", "device.deleted"].includes(String(data.type || data.event || data.status || "").toLowerCase())
    if (removed) {
      forgetDevice("This device was removed by the store. Register it again with a new enrollment code.", "warn")
      return
    }
    const device = data.device || (data.id ? data : null)
    if (device) {
      state.device = device
      state.location = locationFrom(data, device)
      render()
    }
    // Whatever the event says, the device API is the source of truth (a removed device's token
    // stops working).
    refreshDevice()
  }

  async function refreshDevice() {
    try {
      const me = await api("GET", "/pos/v1/me")
      if (me && me.device) {
        state.device = me.device
        state.location = locationFrom(me, me.device)
        render()
      }
    } catch (error) {
      if (isAuthFailure(error)) forgetDevice("This device was removed by the store. Register it again with a new enrollment code.", "warn")
    }
  }

  // ---------------------------------------------------------------------------------------
  // Session state

  function isOpen(session) {
    return Boolean(session && OPEN_STATUSES.has(session.status))
  }

  function resultKindFor(session) {
    switch (session && session.status) {
      case "FINALIZED":
        return "paid"
      case "CANCELLED":
        return "cancelled"
      case "EXPIRED":
        return "expired"
      default:
        return "failed"
    }
  }

  /**
   * Applies `{ session, last }` from GET /pos/v1/session or the event stream. A session that was
   * on screen and is no longer open turns into its result; a new session replaces any result.
   */
  function applySnapshot(snapshot, initial) {
    if (!snapshot || typeof snapshot !== "object") return
    let open = isOpen(snapshot.session) ? snapshot.session : null
    // Events may arrive after the answer to our own tap: never reopen a finished session.
    if (open && state.finished.has(open.session_id)) open = null
    const last = snapshot.last || (snapshot.session && !isOpen(snapshot.session) ? snapshot.session : null)
    if (last && last.session_id) state.finished.add(last.session_id)
    state.session = open
    state.last = last || state.last
    if (state.busy) return // the action in flight reconciles when it returns
    reconcile(initial)
  }

  function reconcile(initial) {
    const open = state.session
    if (open) {
      const failure = open.failure_reason || null
      if (!state.tracked || state.tracked.id !== open.session_id) {
        // A new payment arrived: it replaces whatever was on screen.
        state.tracked = { id: open.session_id, failure, session: open }
        state.result = null
        state.sessionError = ""
        if (!initial) closeDeclineDialog()
      } else if (failure && failure !== state.tracked.failure) {
        // Declined elsewhere (e.g. simulate-tap through the API).
        state.result = { kind: "declined", session: open, reason: failure }
      }
      state.tracked.failure = failure
      state.tracked.session = open
      if (state.result && state.result.kind === "declined") state.result.session = open
      else state.result = null
    } else if (state.tracked) {
      const last = state.last
      if (last && last.session_id === state.tracked.id) {
        if (!(state.result && state.result.kind !== "declined" && state.result.session.session_id === last.session_id)) {
          state.result = { kind: resultKindFor(last), session: last }
        } else {
          state.result.session = last
        }
      } else if (!state.result || state.result.kind === "declined") {
        // Gone without a word: it can only have run out of time (or been replaced).
        const expiresAt = Date.parse(state.tracked.session && state.tracked.session.expires_at)
        state.result =
          Number.isFinite(expiresAt) && expiresAt <= Date.now() + 2000
            ? { kind: "expired", session: { ...state.tracked.session, status: "EXPIRED" } }
            : null
      }
      state.tracked = null
      closeDeclineDialog()
    } else if (state.result && state.result.kind === "declined") {
      state.result = null
    }
    render()
  }

  function closeDeclineDialog() {
    if (el.declineDialog.open) el.declineDialog.close()
  }

  // ---------------------------------------------------------------------------------------
  // Rendering

  function render() {
    if (!state.token || !state.ready) return
    const platform = platformLabel(state.device && state.device.platform)
    el.footerDevice.textContent = state.simulated ? `Simulated ${platform} device` : `Registered ${platform} device`
    if (state.result) {
      renderResult()
      showScreen("result")
    } else if (state.session) {
      renderSession(state.session)
      showScreen("session")
    } else {
      renderIdle()
      showScreen("idle")
    }
  }

  function renderIdle() {
    const device = state.device || {}
    el.deviceName.textContent = device.name || "This device"
    const loc = state.location
    if (loc && loc.name) {
      el.deviceLocation.textContent = loc.city ? `${loc.name} · ${loc.city}` : loc.name
      el.deviceLocation.removeAttribute("title")
    } else if (loc && loc.id) {
      el.deviceLocation.textContent = `Location ${shortId(loc.id)}`
      el.deviceLocation.title = loc.id
    } else {
      el.deviceLocation.textContent = "No location"
    }
    const last = state.last
    if (last) {
      const when = last.purchase_completed_at || last.updated_at || last.created_at
      const time = when ? new Date(when) : null
      const timeText = time && !Number.isNaN(time.getTime()) ? ` · ${time.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}` : ""
      el.lastPayment.textContent = `Last payment: ${STATUS_LABELS[last.status] || last.status} ${formatMoney(last.order_amount, last.purchase_currency)}${timeText}`
      el.lastPayment.hidden = false
    } else {
      el.lastPayment.hidden = true
    }
    setStatus("Ready — waiting for a payment")
  }

  function itemKind(item) {
    const type = String(item.type || "physical").toLowerCase()
    if (type === "discount" || item.total_amount < 0) return "discount"
    if (type === "shipping_fee" || type === "surcharge" || type === "sales_tax" || type === "gift_card" || type === "store_credit") return "fee"
    return "product"
  }

  function renderItem(item, currency) {
    const kind = itemKind(item)
    const quantity = typeof item.quantity === "number" ? item.quantity : 1
    const sub = []
    const details = []
    if (kind === "product" || quantity !== 1) details.push(`${quantity} × ${formatMoney(item.unit_price, currency)}`)
    if (kind === "product" && typeof item.tax_rate === "number" && item.tax_rate > 0) details.push(`${formatTaxRate(item.tax_rate)} tax`)
    if (details.length) sub.push(h("span", { class: "item-sub", text: details.join(" · ") }))
    if (item.total_discount_amount) {
      sub.push(h("span", { class: "item-discount", text: `Discount −${formatMoney(Math.abs(item.total_discount_amount), currency)}` }))
    }
    const fallbackName = kind === "discount" ? "Discount" : item.type === "shipping_fee" ? "Shipping" : item.type === "surcharge" ? "Surcharge" : "Item"
    return h("li", { class: "item", "data-kind": kind, "data-testid": "session-item" }, [
      h("div", { class: "item-main" }, [h("span", { class: "item-name", text: item.name || item.reference || fallbackName }), ...sub]),
      h("span", { class: "item-amount", text: formatMoney(item.total_amount, currency) }),
    ])
  }

  function renderSession(session) {
    const currency = session.purchase_currency
    const total = formatMoney(session.order_amount, currency)
    const refs = [session.merchant_reference1, session.merchant_reference2].filter(Boolean)
    el.sessionReference.textContent = refs.length ? `Ref. ${refs.join(" · ")}` : `Session ${shortId(session.session_id)}`
    el.sessionStatus.textContent = STATUS_LABELS[session.status] || session.status
    el.sessionStatus.dataset.status = session.status
    el.sessionTotal.textContent = total
    el.sessionTotal.dataset.amount = String(session.order_amount)
    el.sessionTotal.dataset.currency = String(currency || "")
    el.sessionTax.textContent =
      typeof session.order_tax_amount === "number" && session.order_tax_amount !== 0
        ? `incl. ${formatMoney(session.order_tax_amount, currency)} tax`
        : ""

    const items = Array.isArray(session.order_items) ? session.order_items : []
    const products = items.filter((i) => itemKind(i) === "product")
    const others = items.filter((i) => itemKind(i) !== "product")
    const rows = [...products, ...others].map((item) => renderItem(item, currency))
    el.sessionItems.replaceChildren(...(rows.length ? rows : [h("li", { class: "item-empty", text: "No items" })]))

    const cardChosen = session.status === "ACTIVE"
    el.cardButton.setAttribute("aria-pressed", String(cardChosen))
    el.cardButton.title = cardChosen ? "Card chosen" : "Choose card as the payment method"

    el.payButton.replaceChildren("Pay ", h("span", { class: "pay-amount", text: total }))
    el.payButton.setAttribute("aria-label", `Pay ${total}`)
    for (const button of [el.payButton, el.declineButton, el.cancelButton, el.cardButton]) {
      button.disabled = state.busy
    }

    const failure = session.failure_reason
    const error = state.sessionError || (failure ? `Previous attempt declined: ${reasonLabel(failure)}.` : "")
    el.sessionError.textContent = error
    el.sessionError.hidden = !error
    setStatus(`Payment request: ${total}${cardChosen ? " · card" : ""}`)
  }

  const ICONS = {
    paid: '<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M12 25l8 8 16-18" fill="none" stroke="currentColor" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    declined: '<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M24 12v15" stroke="currentColor" stroke-width="5" stroke-linecap="round"/><circle cx="24" cy="35" r="3" fill="currentColor"/></svg>',
    failed: '<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M24 12v15" stroke="currentColor" stroke-width="5" stroke-linecap="round"/><circle cx="24" cy="35" r="3" fill="currentColor"/></svg>',
    cancelled: '<svg viewBox="0 0 48 48" aria-hidden="true"><path d="M15 15l18 18M33 15L15 33" stroke="currentColor" stroke-width="5" stroke-linecap="round"/></svg>',
    expired: '<svg viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="14" fill="none" stroke="currentColor" stroke-width="4"/><path d="M24 16v9l6 4" fill="none" stroke="currentColor" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  }

  function renderResult() {
    const { kind, session, reason, byDevice } = state.result
    const amount = formatMoney(session.order_amount, session.purchase_currency)
    const refs = [session.merchant_reference1].filter(Boolean)
    el.result.dataset.result = kind
    el.result.dataset.sessionId = session.session_id || ""
    el.resultIcon.innerHTML = ICONS[kind] || ""
    el.resultAmount.textContent = amount
    el.tryAgain.hidden = kind !== "declined"
    el.resultCancel.hidden = kind !== "declined"
    el.done.hidden = kind === "declined"
    el.done.textContent = "Done"
    let title = ""
    let detail = ""
    switch (kind) {
      case "paid":
        title = "Paid"
        detail = refs.length ? `Payment approved\nRef. ${refs[0]}` : "Payment approved"
        break
      case "declined":
        title = "Declined"
        detail = reasonLabel(reason)
        break
      case "cancelled":
        title = "Cancelled"
        detail = byDevice ? "You cancelled the payment." : "The payment was cancelled by the store."
        break
      case "expired":
        title = "Expired"
        detail = "The payment request timed out before it was paid."
        break
      default:
        title = "Payment failed"
        detail = session.failure_reason ? reasonLabel(session.failure_reason) : "The payment could not be completed."
    }
    el.resultTitle.textContent = title
    el.resultDetail.textContent = detail
    el.resultDetail.dataset.reason = reason || ""
    setStatus(kind === "declined" ? `Declined: ${detail}` : `${title}: ${amount}`)
  }

  // ---------------------------------------------------------------------------------------
  // Session actions

  function setBusy(button, busy, busyText) {
    if (busy) {
      button.dataset.label = button.dataset.label || button.innerHTML
      if (busyText) button.textContent = busyText
      button.setAttribute("aria-busy", "true")
      button.disabled = true
    } else {
      if (button.dataset.label !== undefined) button.innerHTML = button.dataset.label
      delete button.dataset.label
      button.removeAttribute("aria-busy")
      button.disabled = false
    }
  }

  async function sessionAction(button, busyText, path, body, onDone) {
    const session = state.session
    if (!session || state.busy) return
    state.busy = true
    state.sessionError = ""
    el.sessionError.hidden = true
    for (const b of [el.payButton, el.declineButton, el.cancelButton, el.cardButton]) b.disabled = true
    if (button) setBusy(button, true, busyText)
    let updated = null
    let failure = null
    try {
      updated = await api("POST", `/pos/v1/sessions/${encodeURIComponent(session.session_id)}/${path}`, body)
    } catch (error) {
      failure = error
    }
    if (button) setBusy(button, false)
    state.busy = false
    if (failure) {
      if (isAuthFailure(failure) && failure.status !== 404) {
        forgetDevice("This device was removed by the store. Register it again with a new enrollment code.", "warn")
        return
      }
      state.sessionError = readableDetail(failure.message)
      reconcile()
      refreshSession()
      return
    }
    if (updated && updated.session_id === session.session_id) {
      if (isOpen(updated)) {
        state.session = updated
      } else {
        state.session = null
        state.last = updated
        state.finished.add(updated.session_id)
      }
    }
    onDone(updated || session)
    reconcile()
  }

  function pay() {
    sessionAction(el.payButton, "Processing…", "tap", { outcome: "SUCCESS" }, (session) => {
      if (session.status === "FINALIZED") {
        state.result = { kind: "paid", session }
        state.tracked = null
      }
    })
  }

  function decline(outcome) {
    closeDeclineDialog()
    sessionAction(el.declineButton, "Declining…", "tap", { outcome }, (session) => {
      if (isOpen(session)) {
        state.result = { kind: "declined", session, reason: outcome }
        if (state.tracked && state.tracked.id === session.session_id) state.tracked.failure = session.failure_reason || null
      }
    })
  }

  function cancel() {
    sessionAction(el.cancelButton, "Cancelling…", "cancel", {}, (session) => {
      if (session.status === "CANCELLED") {
        state.result = { kind: "cancelled", session, byDevice: true }
        state.tracked = null
      }
    })
  }

  function chooseCard() {
    if (!state.session || state.session.status !== "CREATED") return
    sessionAction(null, "", "payment-method", { method: "card" }, () => {})
  }

  function openDeclineDialog() {
    if (!state.session || state.busy) return
    if (typeof el.declineDialog.showModal === "function") el.declineDialog.showModal()
    else el.declineDialog.setAttribute("open", "")
    const first = el.declineReasons.querySelector("button")
    if (first) first.focus()
  }

  function buildDeclineReasons() {
    el.declineReasons.replaceChildren(
      ...DECLINE_REASONS.map(([outcome, label]) => {
        const button = h("button", { type: "button", class: "reason", "data-testid": `decline-reason-${outcome}`, value: outcome, title: outcome }, label)
        button.addEventListener("click", () => decline(outcome))
        return h("li", {}, button)
      }),
    )
  }

  // ---------------------------------------------------------------------------------------
  // Start

  function defaultPlatform() {
    const ua = navigator.userAgent || ""
    return /iPhone|iPad|iPod/i.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1) ? "IOS" : "ANDROID"
  }

  function bind() {
    buildDeclineReasons()
    el.codeInput.addEventListener("input", normalizeCodeInput)
    el.registerForm.addEventListener("submit", onRegister)
    el.simulatedToggle.addEventListener("click", toggleSimulated)
    el.forget.addEventListener("click", () => forgetDevice("This browser forgot the device. Register again or pick a simulated device.", "info"))
    el.payButton.addEventListener("click", pay)
    el.declineButton.addEventListener("click", openDeclineDialog)
    el.cancelButton.addEventListener("click", cancel)
    el.cardButton.addEventListener("click", chooseCard)
    el.tryAgain.addEventListener("click", () => {
      state.result = null
      state.sessionError = ""
      render()
      el.payButton.focus()
    })
    el.resultCancel.addEventListener("click", cancel)
    el.done.addEventListener("click", () => {
      state.result = null
      render()
    })
    el.declineDialog.addEventListener("click", (event) => {
      // A click on the backdrop closes the sheet.
      if (event.target === el.declineDialog) closeDeclineDialog()
    })
    window.addEventListener("online", reconnectNow)
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") reconnectNow()
    })
    window.addEventListener("pagehide", () => {
      if (state.es) state.es.close()
    })

    const platform = defaultPlatform()
    const radio = el.registerForm.querySelector(`input[name="platform"][value="${platform}"]`)
    if (radio) radio.checked = true
    if (!el.nameInput.value) el.nameInput.value = platform === "IOS" ? "Virtual iPhone" : "Virtual Android"
  }

  /** `?token=` uses a device token directly; `?device=<id>` picks that simulated device. */
  async function start() {
    bind()
    const params = new URLSearchParams(window.location.search)
    const urlToken = params.get("token")
    const urlDevice = params.get("device")
    if (urlToken || urlDevice) {
      // Keep the token out of the address bar and the history.
      params.delete("token")
      params.delete("device")
      const query = params.toString()
      window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`)
    }
    if (urlToken) {
      await useToken(urlToken.trim(), null)
      return
    }
    if (urlDevice) {
      showScreen("loading")
      setStatus("Looking up the simulated device…")
      const devices = await loadSimulatedDevices()
      const match = devices.find((entry) => entry.device && entry.device.id === urlDevice)
      if (match) {
        await useToken(match.device_token, match.device, true)
        return
      }
      forgetDevice(`No simulated device with id ${urlDevice}. Pick one below or register with a code.`, "warn")
      el.simulatedPanel.hidden = false
      el.simulatedToggle.setAttribute("aria-expanded", "true")
      return
    }
    const saved = store.get(TOKEN_KEY)
    if (saved) {
      await useToken(saved, null)
      return
    }
    forgetDevice("")
  }

  start()
})()
