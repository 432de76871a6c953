// Shared by the counter and front-office pages: language, API calls, login, live state.
// Nothing here is the truth: the server decides, the page shows what it answered.

import { connect } from "/static/live.js";

export const PAGE = JSON.parse(document.getElementById("page-config").textContent);

// ---- language: Indonesian first, English second ---------------------------------------------
// The words are the server's one catalogue (server/i18n/*.json): this page's part, as
// {key: [Indonesian, English]}, in the template's `i18n` JSON element.
const LANG_KEY = "antrian.lang";
// A page the server drew in its language (the recap: `page_lang`) keeps it: its script's words are the page's.
let lang = PAGE.page_lang || localStorage.getItem(LANG_KEY) || PAGE.language || "id";
const catalogue = JSON.parse(document.getElementById("i18n").textContent);

export function getLang() {
  return lang;
}

// t("key", {n: 2}) -> the text in the current language, {placeholders} filled.
export function t(key, params = {}) {
  const pair = catalogue[key];
  const text = pair ? (lang === "en" ? pair[1] : pair[0]) : key;
  // One pass, each value put in as it is: not read again for the placeholders filled after it (a counter named
  // "Loket {by}" said the officer's name there), nor as a replace() string ("$&" and "$$" in a name).
  const has = (k) => Object.prototype.hasOwnProperty.call(params, k);
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (found, k) => (has(k) ? String(params[k]) : found));
}

// A key's Indonesian words, whatever the page's language: what is kept for the office's Indonesian records (the
// front office's reasons for a cancel, said in the guest book and the recap as they were sent).
export function indonesian(key) {
  const pair = catalogue[key];
  return pair ? pair[0] : key;
}

// The choice is also a cookie: the pages the server draws (recap, dashboard, SKM) are drawn in it.
function keepLang() {
  document.cookie = `antrian_lang=${lang}; path=/; max-age=31536000; SameSite=Lax`;
}

function params(el) {
  return el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : {};
}

// Words a script puts on the page that follow the language switch: the key and its {placeholders}' values
// are kept on the element (data-i18n, data-i18n-params) for applyLang; no key empties it.
export function say(el, key, values) {
  if (!key) {
    delete el.dataset.i18n;
    delete el.dataset.i18nParams;
    el.textContent = "";
    return;
  }
  el.dataset.i18n = key;
  if (values) el.dataset.i18nParams = JSON.stringify(values);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params(el));
}

export function applyLang(root = document) {
  document.documentElement.lang = lang;
  keepLang();
  root.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n, params(el))));
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  root.querySelectorAll("[data-i18n-title]").forEach((el) => (el.title = t(el.dataset.i18nTitle, params(el))));
  root.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  // The words the template gives in both languages ([Indonesian, English]) and no script reads by key: the tab's
  // title (the meta antrian-title: its page's name; the office's after " · " stays) and the navigation bar's label.
  for (const el of root.querySelectorAll("[data-i18n-pair]")) {
    const word = JSON.parse(el.dataset.i18nPair)[lang === "en" ? 1 : 0];
    if (el.tagName === "META") {
      const at = document.title.indexOf(" · ");
      document.title = word + (at < 0 ? "" : document.title.slice(at));
    } else {
      el.setAttribute("aria-label", word);
    }
  }
  const toggle = document.getElementById("lang-toggle");
  if (toggle) toggle.textContent = lang === "en" ? "Bahasa Indonesia" : "English";
  const error = document.getElementById("login-error");
  if (error && loginWords) error.textContent = loginWords(); // why the session ended, in the language chosen now
  tickClock();
}

export function setupLangToggle(onChange) {
  const toggle = document.getElementById("lang-toggle");
  toggle.addEventListener("click", () => {
    lang = lang === "en" ? "id" : "en";
    localStorage.setItem(LANG_KEY, lang);
    applyLang();
    onChange();
  });
  applyLang();
}

export function statusName(status) {
  return t(`status.${status}`);
}

// ---- API ----------------------------------------------------------------------------------
let csrf = "";

export class ApiRefusal extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.fields = (body && body.fields) || {};
  }
}

// (randomUUID needs a secure context: an office's pages over plain HTTP on its network have only getRandomValues,
// which is as random; Math.random is not, and a key guessed would be answered another request's answer)
export function requestId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// One call to the API: {status, body} on 2xx, ApiRefusal otherwise (with the server's message).
// `window.antrianApi.inFlight()`: the calls not done yet, their answers' clock and body not taken (tests wait for 0).
let inFlight = 0;
window.antrianApi = { inFlight: () => inFlight };
// `keepalive`: the request outlives the page (a draft sent as the tab is closed). `timeout` (ms): no answer by then
// is a network failure (status 0), the request given up (a draft's save, tried again on a timer: counter.js).
export async function api(method, path, data, { keepalive = false, timeout = 0 } = {}) {
  inFlight += 1;
  try {
    return await call(method, path, data, keepalive, timeout);
  } finally {
    inFlight -= 1;
  }
}

async function call(method, path, data, keepalive = false, timeout = 0) {
  const headers = { "X-Lang": lang, Accept: "application/json" };
  if (data !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRFToken"] = csrf;
  const abort = timeout > 0 && window.AbortController ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeout) : null;
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      keepalive,
      body: data === undefined ? undefined : JSON.stringify(data),
      signal: abort ? abort.signal : undefined,
    });
  } catch (err) {
    throw new ApiRefusal(0, { error: "network", message: t("net.failed") });
  } finally {
    clearTimeout(timer); // the answer's headers came: its body is read as any answer's
  }
  let body = null;
  if (resp.status !== 204) {
    const text = await resp.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch (err) {
      body = { error: "not_json", message: `HTTP ${resp.status}` };
    }
  }
  const date = Date.parse(resp.headers.get("Date") || "");
  if (!Number.isNaN(date)) {
    const first = serverOffset === null;
    serverOffset = date - Date.now();
    if (first) tickClock(); // the clock shows the server's time at once, not 5 s later
  }
  if (!resp.ok) throw new ApiRefusal(resp.status, body);
  return { status: resp.status, body };
}

// ---- login --------------------------------------------------------------------------------
// What the login says (a session that ended under the page, and why), as a function of the page's words: drawn
// again at each language switch (applyLang). A login's own refusal (the server's words) replaces it.
let loginWords = null;

export function sayAtLogin(words) {
  loginWords = words || null;
  const error = document.getElementById("login-error");
  if (error) error.textContent = loginWords ? loginWords() : "";
}

// Why this page's session ended, asked of the server once the page finds it gone (an action's 401, the socket
// closed): GET /api/me's 401 says `ended` for the session of the cookie it signed (server/auth.py
// session_end_reason), one of ENDED_REASONS, each said by the page's `ended.why.<reason>` (counter.ended.why.*,
// front.ended.why.*: the same words). null: not said (no cookie, an older server), or signed in after all.
export const ENDED_REASONS = ["logout", "expired", "disabled", "password", "role", "restore"];

export async function whyEnded() {
  try {
    await api("GET", "/api/me");
  } catch (err) {
    const said = err.status === 401 && err.body ? err.body.ended : null;
    return ENDED_REASONS.indexOf(said) >= 0 ? said : null;
  }
  return null;
}

export function endedReason(value) {
  return ENDED_REASONS.indexOf(value) >= 0 ? value : null;
}
// The logged-in user (null when nobody is), with the counters the server says it holds (`held_counters`).
export async function whoAmI() {
  try {
    const { body } = await api("GET", "/api/me");
    csrf = body.csrf_token;
    const user = { ...body.user };
    const held = body.held_counters ?? body.user.held_counters;
    if (Array.isArray(held)) user.held_counters = held;
    applyNav(user);
    return user;
  } catch (err) {
    if (err.status === 401) return null;
    throw err;
  }
}

// Who is logged in, in the bar: the full name (what the A4 form and the escalation mail are signed with),
// whole in its tooltip with the login name; the login name alone when the account has no full name. The
// name is the way to the account's own page, where it changes its password (/counter/password, its tooltip
// says so): the admin's bar at 1024 px has no room left for a link of its own.
export const ACCOUNT_PAGE = "/counter/password";

export function showUser(user) {
  const box = document.getElementById("officer-name");
  if (!box) return;
  const name = (user.full_name || "").trim() || user.username;
  box.textContent = name;
  let link = box.closest("a.account-link");
  if (!link) {
    link = document.createElement("a");
    link.className = "account-link";
    link.href = ACCOUNT_PAGE;
    box.replaceWith(link);
    link.append(box);
  }
  if (link.pathname === location.pathname) link.setAttribute("aria-current", "page");
  const whole = name === user.username ? name : `${name} (${user.username})`; // whole, also when it gives way
  box.removeAttribute("title");
  link.dataset.i18nTitle = "password.link_title";
  link.dataset.i18nParams = JSON.stringify({ name: whole });
  link.title = t("password.link_title", { name: whole });
}

// The staff navigation bar shows the pages this role may open (the server lists them all before a login).
export function applyNav(user) {
  document.querySelectorAll(".staff-nav a[data-roles]").forEach((a) => {
    a.hidden = !a.dataset.roles.split(" ").includes(user.role);
  });
}

// The page a login was asked for (?next=, checked by the server): only a path on this server.
function nextPage() {
  const next = PAGE.next;
  if (typeof next !== "string" || !next.startsWith("/") || next.includes("//") || next.includes("\\")) return null;
  const url = new URL(next, location.origin);
  return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
}

export function showLogin(onLoggedIn) {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  document.body.dataset.view = "login";
  form.username.focus();
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    loginWords = null;
    error.textContent = "";
    try {
      const { body } = await api("POST", "/api/login", {
        username: form.username.value.trim(),
        password: form.password.value,
      });
      csrf = body.csrf_token;
      form.password.value = "";
      const next = nextPage();
      if (next) return location.assign(next); // back to the page that asked for the login
      onLoggedIn((await whoAmI().catch(() => null)) || body.user);
    } catch (err) {
      error.textContent = err.message || t("login.failed");
    }
  };
}

export async function logout() {
  try {
    await api("POST", "/api/logout", {});
  } finally {
    location.reload();
  }
}

// ---- live state: the staff snapshot plus the numbered events after it ----------------------
// onSnapshot(snap) replaces everything; onEvent(ev) applies one change. A gap in the numbers
// or a reconnect asks for a fresh snapshot; events at or below the snapshot's seq are dropped
// (the one live client, /static/live.js).
export function connectLive(role, { onSnapshot, onEvent, onStatus }) {
  const auth = (cb) => cb({ role, counter_id: role === "counter" ? Number(document.getElementById("counter-select")?.value) || null : null }); // asked at every (re)connect: the counter this page shows keeps it held
  let live = null;
  let pause = 2000;
  // The server closed this socket, or refused it: socket.io does not try again by itself then. A
  // session that ended (a new password, a disabled account, a logout elsewhere) shows the login; else
  // (the socket's budget, a restart refusing it) the page connects again after a pause, longer each time.
  const closedByServer = () => {
    setTimeout(async () => {
      try {
        await api("GET", "/api/me");
      } catch (err) {
        if (err.status === 401) return window.antrianSessionEnded ? window.antrianSessionEnded() : location.reload();
      }
      if (live && !live.socket.connected) live.socket.connect();
    }, pause);
    pause = Math.min(pause * 2, 60000);
  };
  const status = (up, reason) => {
    onStatus(up, reason);
    if (up) pause = 2000;
    else if (reason === "io server disconnect") closedByServer();
  };
  const snapshot = (snap) => {
    showOfficeName(snap && snap.office);
    onSnapshot(snap);
  };
  live = connect({ auth, onSnapshot: snapshot, onEvent, onStatus: status });
  live.socket.on("connect_error", () => {
    if (!live.socket.active) closedByServer(); // refused by the server (not a network error it retries)
  });
  return live;
}

// The office's name in the header ("LPSE Kabupaten Contoh" under the page's name) and the tab's title, as the
// snapshot has it: an admin's rename reaches an open page (a settings change brings a fresh snapshot).
let titledOffice = null; // the office name the tab's title ends with
function showOfficeName(office) {
  const name = office && typeof office.name === "string" ? office.name : "";
  if (!name) return;
  const box = document.querySelector(".bar .brand .office");
  if (titledOffice === null) titledOffice = box ? box.textContent : name;
  if (box && box.textContent !== name) box.textContent = name;
  const suffix = " · " + titledOffice;
  if (titledOffice !== name && document.title.endsWith(suffix)) {
    document.title = document.title.slice(0, -suffix.length) + " · " + name;
  }
  titledOffice = name;
}

// ---- small helpers ------------------------------------------------------------------------
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) {
      node.addEventListener(k.slice(2), v);
      node.antrianHandled = true; // patch() replaces it whole: its handler is not an attribute to compare
    } else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// `parent`'s children made to be `next` (nodes from el()), touching only what differs, place by place: a
// child equal to its replacement stays, an element of the same tag without a handler keeps its node (its
// attributes and children patched the same way), anything else is replaced. A list drawn again on every
// live event kept no node: a click whose press and release fell either side of a redraw (another counter's
// call, a kiosk's ticket, the page's own snapshot) was lost, and the focus with it. A button is replaced
// when anything of it differs (its handler may call another ticket), so a press on a row that moved is lost
// rather than landing on another visitor.
export function patch(parent, next) {
  const old = [...parent.childNodes];
  next.forEach((node, i) => {
    const was = old[i];
    if (!was) parent.append(node);
    else if (was.isEqualNode(node)) return;
    else if (
      was.nodeType === Node.ELEMENT_NODE &&
      node.nodeType === Node.ELEMENT_NODE &&
      was.tagName === node.tagName &&
      !was.antrianHandled &&
      !node.antrianHandled
    ) {
      for (const a of [...was.attributes]) if (!node.hasAttribute(a.name)) was.removeAttribute(a.name);
      for (const a of node.attributes) if (was.getAttribute(a.name) !== a.value) was.setAttribute(a.name, a.value);
      patch(was, [...node.childNodes]);
    } else was.replaceWith(node);
  });
  for (const gone of old.slice(next.length)) gone.remove();
}

// ---- times: always the office's clock and timezone (config.toml [office] timezone), never the browser's
export const TIMEZONE = document.documentElement.dataset.timezone || "Asia/Jakarta";
const ZONE_NAMES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };
// The server's clock minus this computer's, from the Date of its answers; null until the first answer
// (the page's first call, /api/me, at its start): the clock shows nothing before, never this computer's
// time (a PC whose clock is wrong showed 13.03 for 09.40 for the first 5 s).
let serverOffset = null;
const formats = new Map();

function format(options) {
  const key = `${lang}|${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "id-ID", { timeZone: TIMEZONE, ...options }));
  }
  return formats.get(key);
}

// The office's short zone name: WIB, WITA, WIT (else what Intl calls it, e.g. "GMT+7").
export function zoneName() {
  if (ZONE_NAMES[TIMEZONE]) return ZONE_NAMES[TIMEZONE];
  const part = format({ timeZoneName: "short" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
  return part ? part.value : TIMEZONE;
}

// The office's time now (this computer's clock corrected by the server's).
export function officeNow() {
  return new Date(Date.now() + (serverOffset ?? 0));
}

// "14.04" (Indonesian) or "14:04" (English), in the office's timezone.
export function hhmm(iso) {
  if (!iso) return "";
  return format({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

// A local day (YYYY-MM-DD) as people read it, in the page's language: "Minggu, 6 Desember 2026" ("Sunday, 6 December
// 2026"). It is a calendar date, not an instant: read and written in UTC, it is the same date in every zone (the
// escalations' days, the admin's announcement ended).
export function dayName(day) {
  if (!day) return "";
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(lang === "en" ? "en-GB" : "id-ID", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  });
}

// "28 Nov 2026 14.04", in the office's timezone.
export function dayTime(iso) {
  if (!iso) return "";
  return format({ day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

function tickClock() {
  const clock = document.getElementById("clock");
  if (!clock || serverOffset === null) return; // empty until the server's time is known
  const now = officeNow();
  clock.dateTime = now.toISOString();
  clock.textContent = `${hhmm(now)} ${zoneName()}`;
}
tickClock();
setInterval(tickClock, 5000);

// Freeing a counter sends its officer's page back to choosing one: the first click arms the button
// (its text asks to confirm) for 4 s, the second acts. True on the second click.
// The second half of a double click or double tap (its click's `detail` counts 2) is no confirmation of
// a button that its first half armed: a confirming click is a click of its own.
export function doubled(ev) {
  return !!ev && ev.detail > 1;
}

export function secondClick(state, id, button, rerender, ev) {
  if (state.armedCounter === id) {
    if (doubled(ev)) return false;
    state.armedCounter = null;
    return true;
  }
  state.armedCounter = id;
  button.textContent = t("btn.release_confirm");
  setTimeout(() => {
    if (state.armedCounter === id) {
      state.armedCounter = null;
      rerender();
    }
  }, 4000);
  return false;
}

export const ACTIVE = ["waiting", "called", "serving"];

// Calling order, as the server's core (order_key): the priority lane first, then queue position. A
// requeued ticket is in the lane of the ticket it follows, so the lane is not always its priority.
export function byCallingOrder(a, b) {
  return (a.priority_lane ? 0 : 1) - (b.priority_lane ? 0 : 1) || a.position - b.position;
}

// A ticket's number ("A-012", an LKPP ticket's "TTS-1234") in a notice is never broken at its hyphen, "A-" over
// "012" (1024x768, 1366x768): each a span kept on one line (counter.css .nobr), its text the same (what a test, a
// copy and a screen reader read). The notice's words as nodes, for replaceChildren (counter.js, front.js).
const LABEL = /\b[A-Z]{1,4}-\d{1,6}\b/g;
export function wholeLabels(text) {
  const words = String(text);
  const parts = [];
  let last = 0;
  for (const m of words.matchAll(LABEL)) {
    parts.push(words.slice(last, m.index), el("span", { class: "nobr" }, m[0]));
    last = m.index + m[0].length;
  }
  parts.push(words.slice(last));
  return parts.filter((x) => x !== "");
}

// Its node's words made `text` with wholeLabels, when they are not already (a screen reader says an alert's
// new text).
export function sayWhole(node, text) {
  if (node.textContent !== text || node.childElementCount !== (String(text).match(LABEL) || []).length) {
    node.replaceChildren(...wholeLabels(text));
  }
}

// A printer's or mail server's own message (English, technical), folded behind a small "rincian untuk admin" after the
// advice the staff read (the front office's alerts, the Eskalasi page's cases): opened, it shows under the advice for
// the admin, who also finds it in the server's log and the API's `error`. `open`: the keys of those opened, kept by
// the page so that one stays open while its line is redrawn; `kind`: "alert" or "mail", its classes' and words'
// prefix (`${kind}.detail`, `${kind}.detail_title`); `onToggle`: after each click. `admin`: the admin's part of the
// advice in the page's language (a failed mail's: config.toml's keys, a restart or Kirim ulang; server/advice.py
// `advice.admin`), shown before the message: the line says only what the staff do.
export function foldedDetail(error, key, open, kind, onToggle, admin) {
  const raw = error && error !== "?" ? error : "";
  if (!raw && !admin) return null;
  const shown = open.has(key);
  const message = raw ? el("small", { class: `${kind}-detail`, lang: "en" }, raw) : null;
  const text = admin
    ? el("span", { class: `${kind}-fold` }, el("small", { class: `${kind}-admin` }, admin), message)
    : message;
  text.hidden = !shown;
  const toggle = el("button", { type: "button", class: "detail-toggle", "aria-expanded": String(shown),
                                title: t(`${kind}.detail_title`) }, t(`${kind}.detail`));
  toggle.addEventListener("click", () => {
    const now = text.hidden;
    text.hidden = !now;
    toggle.setAttribute("aria-expanded", String(now));
    if (now) open.add(key);
    else open.delete(key);
    if (onToggle) onToggle();
  });
  return el("span", { class: `${kind}-raw` }, " ", toggle, " ", text);
}

// ---- a text box's length ------------------------------------------------------------------------
// A box takes no more than its maxlength (the server's limit, 4,000 for the counter's answer and analysis and the
// escalation page's LKPP answer): at the limit the letters typed and the end of a longer paste went nowhere, unsaid.
// lengthCount(box, out) says the box's length in `out` from COUNT_FROM of its limit ("3.600 / 4.000 karakter"), at
// the limit that it is full (`out.full`, red), and a paste cut there ("Tempelan terpotong: hanya 4.000 karakter yang
// masuk") until the box's next change. The words are every staff page's (`staff.length.*`). Its render() says it
// again (a value the script set, the language switched); reset() forgets a cut paste (the box holds another's text).
// A text box whose height follows its text (the announcement's, on the admin and the front office page): all of it
// shown, no scrolling inside it. A box not in a shown page yet has no height to measure: left as it is.
export function growToText(box) {
  if (!box.isConnected || !box.getClientRects().length) return;
  box.style.height = "";
  const frame = box.offsetHeight - box.clientHeight; // its borders
  if (box.scrollHeight > box.clientHeight) box.style.height = `${box.scrollHeight + frame}px`;
}

export const COUNT_FROM = 0.9;
export function lengthCount(box, out) {
  let cut = false;
  let pasting = false; // between a paste and its insertion
  function render() {
    const max = box.maxLength;
    const n = box.value.length;
    out.hidden = !(max > 0 && (n >= max * COUNT_FROM || cut));
    out.classList.toggle("full", !out.hidden && (n >= max || cut));
    if (out.hidden) return out.replaceChildren();
    const number = (x) => x.toLocaleString(getLang() === "en" ? "en-US" : "id-ID");
    const key = cut ? "length.cut" : n >= max ? "length.full" : "length.count";
    out.textContent = t(key, { n: number(n), max: number(max) });
  }
  box.addEventListener("paste", (ev) => {
    const text = ev.clipboardData ? ev.clipboardData.getData("text") : "";
    const room = box.maxLength - box.value.length + Math.abs(box.selectionEnd - box.selectionStart);
    cut = box.maxLength > 0 && text.replace(/\r\n/g, "\n").length > room;
    pasting = true;
    setTimeout(() => {
      pasting = false; // once the paste is in
      render();
    });
  });
  box.addEventListener("input", () => {
    if (!pasting) cut = false;
    render();
  });
  return {
    render,
    reset() {
      cut = false;
    },
  };
}
