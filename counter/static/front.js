// The front office's page: SOP steps 1-6 by hand (register a visitor), cancel, reprint, alerts.
import {
  ACTIVE, PAGE, api, byCallingOrder, connectLive, dayName, dayTime, doubled, el, foldedDetail, getLang, growToText, hhmm, indonesian, logout,
  officeNow,
  patch, requestId,
  say, sayAtLogin, secondClick, setupLangToggle, showLogin, showUser, statusName, t,
  TIMEZONE, endedReason, sayWhole, wholeLabels, whoAmI, whyEnded, zoneName,
} from "./common.js";

const ALERT_TYPES = ["print_failed", "mail_failed"];
const FIELDS = ["service", "name", "agency", "address", "phone", "problem", "category", "priority"];
const state = { me: null, tickets: new Map(), counters: new Map(), alerts: [], disk: null, restored: null, printers: [], busy: false,
  armed: null, armedCounter: null, regRequest: null, editing: null, draft: null, editGone: false, editCalled: false,
  day: null, late: [], skipped: [], answeredAt: -Infinity };
const $ = (id) => document.getElementById(id);

// A notice line (#reg-notice, #list-notice; the counters' lines are counterNotice's): its kind (data-kind) and
// its words, said again in the new language when the language is switched (as livelist.js's pageNotice). `words`:
// a function giving the notice in the page's language now (the catalogue's words: `() => t("done.cancelled",
// { label })`), or a text as it was said (the server's message, in the language it was asked in); "" empties it.
const notices = new Map(); // the line's id -> its words

function notice(id, kind, words) {
  notices.set(id, words);
  $(id).dataset.kind = kind;
  sayNotice(id);
}

function sayNotice(id) {
  const words = notices.get(id);
  sayWhole($(id), typeof words === "function" ? words() : words);
  // the form's notice is at its foot, under the fields: a long form (the second number's tick shown) scrolls in its
  // panel, and the notice's end was under the sticky issue button, cut. In sight, whole (counter.css scroll-margin),
  // once the rows said with it (the tick, the quota's) are drawn.
  if (id === "reg-notice" && $(id).textContent) {
    requestAnimationFrame(() => $(id).textContent && $(id).scrollIntoView({ block: "nearest" }));
  }
}

// A refusal in words: the catalogue's when its code is one this page has words for (said again in the new
// language), else the server's message, in the language it was asked in.
const REFUSAL_KEYS = { network: "net.failed" }; // no answer (common.js api): the page's own words
function refused(err) {
  const key = REFUSAL_KEYS[err.body && err.body.error];
  return key ? t(key) : err.message;
}

// ---- register a visitor --------------------------------------------------------------------
function clearFieldErrors() {
  for (const name of FIELDS) {
    const p = document.querySelector(`.field-error[data-field="${name}"]`);
    if (p) p.textContent = "";
    const input = document.getElementsByName(name)[0];
    if (input) input.removeAttribute("aria-invalid");
  }
}

// Each refused field gets the server's words under it and is marked; the first one takes the focus (whether one did).
function showFieldErrors(fields) {
  let first = null;
  for (const [name, text] of Object.entries(fields)) {
    const p = document.querySelector(`.field-error[data-field="${name}"]`);
    if (p) p.textContent = text;
    const input = document.getElementsByName(name)[0];
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first ||= input;
    }
  }
  if (first) first.focus();
  return Boolean(first);
}

// The issue button had the focus and, disabled while the form was sent, lost it to the page's body: after an answer
// that marks no field (the second number's question, the quota's, a refusal) Space and Enter went nowhere, and after
// a correction saved the next visitor's name was a mouse click away. `target` takes it back, unless the clerk has
// moved on meanwhile; `anywhere`: from any field of the form too (the correction is over: saved from its service's
// list, the cursor stayed there).
function refocus(target, anywhere = false) {
  const at = document.activeElement;
  const lost = !at || at === document.body || at === $("btn-register") || at === $("btn-cancel-edit");
  if (lost || (anywhere && $("register").contains(at))) target.focus();
}

// A second Enter (or click) right after a number was issued or a correction saved, the form untouched since, is the
// same keystroke twice: it sent the emptied form (or the draft put back after a correction), and "Wajib diisi"
// under every field took the place of the number to tell the visitor. Anything typed since sends as ever.
const REPEAT_MS = 1000;

async function register(ev) {
  ev.preventDefault();
  if (state.busy) return;
  if (performance.now() - state.answeredAt < REPEAT_MS) return;
  if (state.editing) return saveEdit();
  const form = $("register");
  // One request_id for this visitor until the server answers: a retry after a lost answer (the network
  // dropped after the ticket was issued) gets the same ticket back, not a second number. A changed
  // form, or an answer, starts a new one.
  state.regRequest ||= requestId();
  keepDraft(); // with its request_id: a reload after a lost answer gets the same ticket back
  const data = { request_id: state.regRequest, priority: form.priority.checked };
  for (const name of ["service", "name", "agency", "address", "phone", "problem", "category"]) {
    if (form[name].value) data[name] = form[name].value;
  }
  if (form.override_quota.checked) data.override_quota = true; // offered only after a quota refusal
  // a visitor who already has a number in today's line is said first, unless "issue anyway" is ticked
  if (!form.allow_duplicate.checked) data.check_duplicate = true;
  state.busy = true;
  $("btn-register").disabled = true;
  clearFieldErrors();
  notice("reg-notice", "", "");
  let next = null; // what takes the focus back once the button is enabled again
  try {
    const { body } = await api("POST", "/api/tickets", data);
    state.regRequest = null;
    const { label, position } = body.ticket;
    notice("reg-notice", "info", () => t("reg.done", { label, position }));
    form.reset();
    $("override-row").hidden = true;
    $("duplicate-row").hidden = true;
    form.service.value = data.service;
    dropDraft(); // issued: nothing of this visitor comes back after a reload
    state.answeredAt = performance.now();
    if (reloadStale({ key: "reg.done", params: { label, position }, service: data.service })) return;
    form.name.focus();
  } catch (err) {
    if (err.status === 401) return sessionEnded(); // nothing issued: the form is kept (its draft) for after the login
    // Refused (4xx but 429): nothing was issued, so the corrected form is a new request. No answer, 429
    // or 5xx: the same request_id on the retry.
    if (err.status >= 400 && err.status < 500 && err.status !== 429) state.regRequest = null;
    notice("reg-notice", "error", () => refused(err));
    // The day's quota of the service is spent: the front office may still take a visitor who is here.
    if (err.body.error === "quota_reached") $("override-row").hidden = false;
    if (err.body.error === "duplicate_visitor") $("duplicate-row").hidden = false;
    // no field marked: the question's tick (Space ticks it, Enter issues), else the button again (Enter: once more)
    if (!showFieldErrors(err.fields)) {
      const tick = ["r-duplicate", "r-override"].map($).find((box) => !box.closest("label").hidden && !box.checked);
      next = tick || $("btn-register");
    }
  } finally {
    state.busy = false;
    $("btn-register").disabled = false;
    if (next) refocus(next);
  }
}

// A ticket in a request: by its token where the page has it (a label is today's: a page left open past
// midnight would reach the new day's ticket of the same number), else by its label.
function ref(x) { return encodeURIComponent(x.token || x.label); }

// ---- correcting a visitor's details (POST /api/tickets/<label>/form): the ticket keeps its place ----
const IDENTITY = ["name", "agency", "address", "phone", "problem"];

function startEdit(ticket) {
  const x = state.tickets.get(ticket.id) || ticket;
  const form = $("register");
  // What was being typed for a new visitor is kept aside, and is back in the form after the correction.
  if (!state.editing) state.draft = readDraft(form);
  state.editing = x;
  state.editGone = false;
  state.editCalled = false;
  state.regRequest = null;
  $("draft-row").hidden = true;
  clearFieldErrors();
  for (const name of IDENTITY) form[name].value = (x.form && x.form[name]) || "";
  for (const name of IDENTITY) form[name].readOnly = false;
  for (const name of LIMITED) showLimit(name);
  form.service.value = x.service;
  form.priority.checked = Boolean(x.priority);
  form.category.disabled = true; // not changed here
  // the service and the priority tick: fixed while the ticket waits and was never called (the server's rule)
  for (const name of ["service", "priority"]) form[name].disabled = !queueFixable(x);
  $("override-row").hidden = true;
  $("duplicate-row").hidden = true;
  $("btn-register").textContent = t("reg.save", { label: x.label });
  $("btn-cancel-edit").hidden = false;
  notice("reg-notice", "info", () => t("reg.editing", { label: x.label }));
  form.scrollIntoView({ block: "start" });
  form.name.focus();
}

// Whether a ticket's service and priority may still be corrected: waiting, never called.
function queueFixable(x) {
  return x.status === "waiting" && !x.first_called_at;
}

function readDraft(form) {
  const draft = {};
  for (const name of [...IDENTITY, "service", "category"]) draft[name] = form[name].value;
  draft.priority = form.priority.checked;
  return draft;
}

function endEdit() {
  const form = $("register");
  state.editing = null;
  state.editGone = false;
  state.regRequest = null;
  form.reset();
  for (const name of ["service", "category", "priority"]) form[name].disabled = false;
  for (const name of IDENTITY) form[name].readOnly = false;
  $("btn-register").disabled = false;
  const draft = state.draft;
  state.draft = null;
  if (draft) {
    for (const [name, value] of Object.entries(draft)) {
      if (name === "priority") form.priority.checked = value;
      else form[name].value = value;
    }
  }
  $("btn-register").textContent = t("reg.submit");
  $("btn-cancel-edit").hidden = true;
  clearFieldErrors();
  for (const name of LIMITED) showLimit(name);
  keepDraft();
}

// The ticket being corrected was cancelled or finished elsewhere (another tab, a counter): the edit is closed
// at once, not refused at the save. The typed text stays in the fields, read-only, to be copied; "Batal
// mengubah" goes back to the new visitor's form. Called meanwhile: still correctable, and said.
function checkEditing() {
  const x = state.editing;
  if (!x || state.editGone) return;
  const now = state.tickets.get(x.id);
  const form = $("register");
  if (!now || !ACTIVE.includes(now.status)) {
    state.editGone = true;
    for (const name of IDENTITY) form[name].readOnly = true;
    $("btn-register").disabled = true;
    const status = now && now.status;
    notice("reg-notice", "warn", () => (status ? t("reg.gone", { label: x.label, status: statusName(status) })
      : t("reg.gone_closed", { label: x.label })));
  } else if (now.status !== "waiting" && x.status === "waiting" && !state.editCalled) {
    state.editCalled = true;
    form.service.value = now.service;
    form.priority.checked = Boolean(now.priority);
    for (const name of ["service", "priority"]) form[name].disabled = true;
    const counter = now.counter_id;
    notice("reg-notice", "warn", () => t("reg.called_meanwhile", { label: x.label, counter: counterName(counter) }));
  }
}

// Whether the correction open has text not saved yet (asked before the page is left).
function editUnsaved() {
  const x = state.editing;
  if (!x || state.editGone) return false;
  return IDENTITY.some((name) => $("register")[name].value !== ((x.form && x.form[name]) || ""));
}

// ---- what outlives a reload, Back or a link: the unissued visitor's form (this tab's sessionStorage, with
// its request_id), gone once the ticket is issued or "Kosongkan" is pressed ----
const DRAFT_KEY = "antrian.front.draft";

function hasText(draft) {
  return Boolean(draft) && IDENTITY.some((name) => typeof draft[name] === "string" && draft[name].trim());
}

function keepDraft() {
  if (state.editing) return; // the new visitor's form is kept aside (state.draft), as it was stored
  const draft = readDraft($("register"));
  try {
    if (hasText(draft)) sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, request_id: state.regRequest }));
    else {
      sessionStorage.removeItem(DRAFT_KEY);
      $("draft-row").hidden = true;
    }
  } catch (err) {
    // storage off or full: the form stays as it is
  }
}

function dropDraft() {
  try {
    sessionStorage.removeItem(DRAFT_KEY);
  } catch (err) {
    // nothing was kept
  }
  $("draft-row").hidden = true;
  for (const name of LIMITED) showLimit(name);
}

// An admin's change that came while a visitor was being typed (the page kept its form: settingsChanged) is taken
// as soon as the form is done with: the ticket issued or the form emptied, the page reloads, its new services and
// counters drawn, the issued number said again after the reload. It did not: the notice of the number took the
// place of "muat ulang halaman", and the page kept the old services (a renamed one by its old name, a new one not
// offered, another max_calls) all day.
const SAID_KEY = "antrian.front.said";

function reloadStale(said) {
  if (!settingsStale || state.editing) return false;
  try {
    if (said) sessionStorage.setItem(SAID_KEY, JSON.stringify(said));
  } catch (err) {
    // storage off: the number is in the list all the same
  }
  location.reload();
  return true;
}

function restoreSaid() {
  let said = null;
  try {
    said = JSON.parse(sessionStorage.getItem(SAID_KEY) || "null");
    sessionStorage.removeItem(SAID_KEY);
  } catch (err) {
    said = null;
  }
  if (!said || typeof said.key !== "string") return;
  const form = $("register");
  if (said.service && !hasText(readDraft(form))) {
    form.service.value = said.service;
    if (form.service.selectedIndex < 0) form.service.selectedIndex = 0; // a service since removed
  }
  notice("reg-notice", "info", () => t(said.key, said.params || {}));
}

function restoreDraft() {
  let draft = null;
  try {
    draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
  } catch (err) {
    draft = null;
  }
  if (!hasText(draft)) return;
  const form = $("register");
  for (const name of [...IDENTITY, "service", "category"]) {
    if (typeof draft[name] === "string") form[name].value = draft[name];
    if (form[name].selectedIndex < 0) form[name].selectedIndex = 0; // a service since removed
  }
  form.priority.checked = Boolean(draft.priority);
  state.regRequest = draft.request_id || null;
  for (const name of LIMITED) showLimit(name);
  $("draft-row").hidden = false;
}

// ---- a field's limit (its maxlength, the server's): shown near it, said when reached, never cut silently ----
const LIMITED = ["name", "agency", "address", "phone", "problem"];

function showLimit(name) {
  const input = $("register")[name];
  const max = input.maxLength;
  if (!(max > 0)) return;
  let box = document.querySelector(`.field-count[data-count="${name}"]`);
  if (!box) {
    box = el("p", { class: "field-count", dataset: { count: name }, "aria-live": "polite" });
    input.closest("label").after(box);
  }
  const n = input.value.length;
  box.dataset.full = String(n >= max);
  box.textContent = n >= max ? t("limit.reached", { n, max }) : n >= max * 0.9 ? `${n}/${max}` : "";
}

async function saveEdit() {
  if (state.editGone) return;
  const form = $("register");
  const x = state.editing;
  state.regRequest ||= requestId();
  const data = { request_id: state.regRequest };
  for (const name of IDENTITY) data[name] = form[name].value;
  if (!form.service.disabled) Object.assign(data, { service: form.service.value, priority: form.priority.checked });
  state.busy = true;
  $("btn-register").disabled = true;
  clearFieldErrors();
  let next = null; // what takes the focus back once the button is enabled again
  try {
    const { body } = await api("POST", `/api/tickets/${ref(x)}/form`, data);
    if (!(live && live.knows(body))) applyTicket(body.ticket); // else its events and later ones are drawn already
    endEdit();
    state.answeredAt = performance.now();
    const moved = body.ticket.service !== x.service || body.ticket.priority !== x.priority; // a queue_corrected
    const key = body.changed.length || moved ? "reg.corrected" : "reg.unchanged";
    // Moved to another line (service, priority): the slip in the visitor's hand names the old service, without
    // PRIORITAS, and how many were ahead there. "Data A-002 disimpan." said nothing of it: the new line, and its reprint.
    const { service, priority } = body.ticket;
    const name = (PAGE.services.find((s) => s.code === service) || {}).name;
    const line = () => `${service}${name ? `\u00a0· ${name}` : ""}${priority ? t("reg.moved_priority") : ""}`;
    notice("reg-notice", "info", moved ? () => t("reg.moved", { label: x.label, line: line() })
      : () => t(key, { label: x.label }));
    renderTickets();
    next = form.name; // the next visitor's (or the one being typed before the correction, put back)
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    if (err.status >= 400 && err.status < 500 && err.status !== 429) state.regRequest = null;
    notice("reg-notice", "error", () => refused(err));
    if (!showFieldErrors(err.fields)) next = $("btn-register");
  } finally {
    state.busy = false;
    $("btn-register").disabled = state.editGone;
    if (next) refocus(next, next === form.name);
  }
}

// ---- today's tickets --------------------------------------------------------------------
// Why a number is cancelled, for the staff's records (the guest book, the recap, the list below): the three common
// reasons and "Lainnya" with a short text, offered with an armed Batalkan (in its `.acts`, so that the Tab key goes
// from the armed button to them), in a strip under its row, across the list's width, the rows below it pushed down:
// it floated over them, and while it was open the officer could neither see nor press the next three or four rows.
// Optional: the second click on Klik lagi cancels with the reason chosen, or none; Esc closes it, the number kept. A
// preset is sent in Indonesian whatever the page's language: the records are Indonesian. Choosing or typing keeps
// the cancel armed REASON_HOLD_MS after the last touch of the box (4 s untouched, as before).
const REASONS = ["left", "duplicate", "wrong_service", "other"];
const ARMED_MS = 4000;

// A reason as the page's language says it: a preset's own words (it is kept in Indonesian), another as typed.
function reasonShown(reason) {
  const preset = REASONS.find((key) => key !== "other" && indonesian(`cancel.reason.${key}`) === reason);
  return preset ? t(`cancel.reason.${preset}`) : reason;
}
const REASON_HOLD_MS = 30000;
const REASON_MAX = 200; // server/forms.py LIMITS["reason"]
let armTimer = null;
let reasonBox = null; // { id, el, other, row } while a cancel is armed: `row` the <tr> that makes room for it

// The armed row keeps room under its cells the box's height (counter.css `--why-room`), followed as its words wrap
// anew (another language, a narrower window).
const reasonRoom = new ResizeObserver(() => {
  if (reasonBox && reasonBox.row) reasonBox.row.style.setProperty("--why-room", `${reasonBox.el.offsetHeight}px`);
});

function armFor(ticket, ms) {
  clearTimeout(armTimer);
  armTimer = setTimeout(() => {
    if (state.armed === ticket.id) disarm();
  }, ms);
}

function disarm() {
  clearTimeout(armTimer);
  const asked = notices.get("list-notice");
  state.armed = null;
  if (asked && asked.armedFor) notice("list-notice", "", "");
  dropReasons();
  renderTickets();
}

function dropReasons() {
  if (reasonBox) {
    reasonRoom.disconnect();
    reasonBox.el.remove();
    if (reasonBox.row) unroom(reasonBox.row);
  }
  reasonBox = null;
}

// A row's room for the box given back: the rows under it move up, so a click on the list within SETTLE_MS (the
// officer's pointer was over them) is not taken (justMoved).
function unroom(tr) {
  if (!tr.classList.contains("why-open")) return;
  tr.classList.remove("why-open");
  tr.style.removeProperty("--why-room");
  if (tr.isConnected && (list.hover || touched(SETTLE_MS))) list.movedAt = performance.now();
}

function chosenReason() {
  if (!reasonBox) return "";
  const picked = reasonBox.el.querySelector("input[type=radio]:checked");
  if (!picked) return "";
  if (picked.value !== "other") return indonesian(`cancel.reason.${picked.value}`);
  return reasonBox.other.value.trim().replace(/\s+/g, " ");
}

function reasonsFor(ticket) {
  if (reasonBox && reasonBox.id === ticket.id) return reasonBox;
  dropReasons();
  const name = `cancel-why-${ticket.id}`;
  const other = el("input", { type: "text", maxlength: String(REASON_MAX), autocomplete: "off", class: "why-other",
                              dataset: { field: "reason" } });
  const choices = REASONS.map((key) => {
    const radio = el("input", { type: "radio", name, value: key });
    return el("label", { class: "why-choice", dataset: { reason: key } }, radio, el("span", { dataset: { i18n: `cancel.reason.${key}` } }));
  });
  const confirmBtn = el("button", { type: "button", class: "small danger", dataset: { act: "cancel-confirm" } });
  const keepBtn = el("button", { type: "button", class: "small", dataset: { act: "cancel-keep" } });
  const box = el("fieldset", { class: "cancel-why", dataset: { ticket: ticket.label } },
    el("legend", {}), el("div", { class: "why-choices" }, ...choices),
    el("div", { class: "why-line" }, other, el("div", { class: "why-acts" }, confirmBtn, keepBtn)));
  other.disabled = true;
  box.addEventListener("change", () => {
    const picked = box.querySelector("input[type=radio]:checked");
    other.disabled = !(picked && picked.value === "other");
    if (!other.disabled) other.focus();
  });
  // any touch of the box, a choice, a key typed: the cancel stays armed while it is being used
  for (const type of ["pointerdown", "keydown", "input", "focusin"]) {
    box.addEventListener(type, () => state.armed === ticket.id && armFor(ticket, REASON_HOLD_MS));
  }
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target === other) {
      ev.preventDefault();
      confirmCancel(ticket, confirmBtn);
    }
  });
  confirmBtn.addEventListener("click", () => confirmCancel(ticket, confirmBtn));
  keepBtn.addEventListener("click", () => disarm());
  reasonBox = { id: ticket.id, el: box, other, row: null };
  return reasonBox;
}

// Esc leaves the armed cancel, the number kept: in the box, on the armed button, or with the focus nowhere (armed by
// the mouse). The keyboard's focus goes back where the cancel began, its Batalkan.
document.addEventListener("keydown", (ev) => {
  if (ev.key !== "Escape" || ev.defaultPrevented || state.armed === null) return;
  const at = ev.target;
  if (!(at === document.body || $("ticket-box").contains(at))) return; // another box's Esc (a search, the form)
  const x = state.tickets.get(state.armed);
  ev.preventDefault();
  disarm();
  const again = x && $("tickets").querySelector(`tr[data-label="${x.label}"] [data-act=cancel]`);
  if (again && at !== document.body) again.focus();
});

// The box's words in the page's language (drawn again at a language switch with the list), beside the armed button.
function placeReasons() {
  if (!reasonBox) return;
  const x = state.tickets.get(reasonBox.id);
  const acts = document.querySelector(`#tickets tr[data-label="${x ? x.label : ""}"] .acts`);
  if (!x || state.armed !== x.id || !acts) return dropReasons();
  const box = reasonBox.el;
  box.querySelector("legend").textContent = t("cancel.legend", { label: x.label });
  for (const span of box.querySelectorAll("[data-i18n]")) span.textContent = t(span.dataset.i18n);
  reasonBox.other.placeholder = t("cancel.other_placeholder");
  reasonBox.other.setAttribute("aria-label", t("cancel.other_label", { label: x.label }));
  box.querySelector("[data-act=cancel-confirm]").textContent = t("cancel.confirm", { label: x.label });
  box.querySelector("[data-act=cancel-keep]").textContent = t("cancel.keep");
  const button = acts.querySelector("[data-act=cancel]");
  const placed = box.isConnected;
  if (box.parentNode !== acts || box.previousSibling !== button) button.after(box); // right after it: Tab goes there
  // its row makes room for it under its cells (counter.css .why-open): the rows below move down, none is covered
  const tr = acts.closest("tr");
  if (reasonBox.row !== tr) {
    if (reasonBox.row) unroom(reasonBox.row);
    reasonBox.row = tr;
    reasonRoom.disconnect();
    reasonRoom.observe(box);
  }
  tr.classList.add("why-open");
  tr.style.setProperty("--why-room", `${box.offsetHeight}px`);
  if (placed) return;
  // Just opened under the last rows the list's box shows: the list scrolls it into sight, no further. What comes under
  // the pointer is what was under the armed button: the rest of its row, or the box (a choice, harmless), never
  // another row's button.
  const scroller = $("ticket-box");
  const bottom = box.getBoundingClientRect().bottom + 4 - scroller.getBoundingClientRect().bottom;
  if (bottom > 0) scroller.scrollTop += bottom;
}

async function cancel(ticket, button, ev) {
  if (state.armed === ticket.id && doubled(ev)) return;
  if (justMoved()) return;
  if (state.armed !== ticket.id) {
    // A cancel cannot be undone: the first click arms the button (its row drawn again, asking to
    // confirm, the reasons beside it), the second cancels; the second half of a double click is no confirmation.
    if (state.armed !== null) dropReasons();
    state.armed = ticket.id;
    const asked = () => t("btn.cancel_confirm", { label: ticket.label });
    asked.armedFor = ticket.id;
    notice("list-notice", "warn", asked);
    reasonsFor(ticket);
    renderTickets();
    armFor(ticket, ARMED_MS);
    return;
  }
  confirmCancel(ticket, button);
}

async function confirmCancel(ticket, button) {
  if (state.armed !== ticket.id) return;
  const picked = reasonBox && reasonBox.el.querySelector("input[type=radio]:checked");
  const reason = chosenReason();
  if (picked && picked.value === "other" && !reason) {
    // "Lainnya" with nothing typed: said, the text box to type in, still armed
    notice("list-notice", "warn", () => t("cancel.other_empty"));
    reasonBox.other.focus();
    armFor(ticket, REASON_HOLD_MS);
    return;
  }
  clearTimeout(armTimer);
  state.armed = null;
  dropReasons();
  button.disabled = true;
  try {
    const body0 = { request_id: requestId(), ...(reason ? { reason } : {}) };
    const { body } = await api("POST", `/api/tickets/${ref(ticket)}/cancel`, body0);
    if (!(live && live.knows(body))) applyTicket(body.ticket); // else its events and later ones are drawn already
    notice("list-notice", "info", reason ? () => t("done.cancelled_reason", { label: ticket.label, reason: reasonShown(reason) })
      : () => t("done.cancelled", { label: ticket.label }));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    notice("list-notice", "error", () => t("fail.cancel", { label: ticket.label, text: refused(err) }));
  }
  ticketRows.delete(ticket.id); // drawn afresh: a refused cancel leaves its button usable again
  renderTickets();
}

async function reprint(ticket, button, ev) {
  // the second half of a double click (its answer came back between the halves) is no second slip
  if (doubled(ev) || justMoved()) return;
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/tickets/${ref(ticket)}/reprint`, { request_id: requestId() });
    const job = body && body.print_job;
    const message = body && body.message; // the server's words, when it says them
    const key = body && body.again ? "done.reprint_again" : "done.reprint_ok";
    const number = typeof job === "object" && job ? job.id : job ?? "?";
    notice("list-notice", "info", () => t("done.reprint", { label: ticket.label, text: message || t(key, { job: number }) }));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    notice("list-notice", "error", () => t("fail.reprint", { label: ticket.label, text: refused(err) }));
  } finally {
    button.disabled = false;
  }
}

// Each ticket's row is kept while what it shows stays the same, so a live event redraws the one or two
// rows it changed, not the day's hundreds: at 200 tickets, drawing them all again cost Chromium's
// renderer 48 ms an event on a 2-core VM, 19 ms with the rows kept (an office's old PC: a few times that).
const ticketRows = new Map(); // ticket id -> { key, tr }

function placeCell(td, x) {
  const place = x.status === "waiting" && x.place ? [x.place.position, x.place.estimated_wait_s, getLang()] : null;
  const key = JSON.stringify(place);
  if (td.dataset.key === key) return td;
  td.dataset.key = key;
  // no wait (null) when nobody will call it today (`no_service`, as its phone says it): not "segera"
  td.replaceChildren(...(place ? [el("strong", {}, t("place.nth", { n: place[0] })), " ",
    el("span", { class: "muted" }, place[1] === null ? t("wait.not_today") : waitText(place[1]))] : []));
  return td;
}

function ticketRow(x, counters) {
  const form = x.form || {};
  const key = JSON.stringify([
    getLang(), x.label, x.priority, x.requeues, form.name, form.agency, x.status, x.calls, x.counter_id,
    counters[x.counter_id], x.created_at, state.armed === x.id, x.service, x.finished_at, x.cancel_reason,
  ]);
  const kept = ticketRows.get(x.id);
  if (kept && kept.key === key) {
    placeCell(kept.tr.querySelector("td.place"), x); // a call ahead moves its place: that cell, not the row
    return kept.tr;
  }
  const cancellable = x.status === "waiting" || x.status === "called";
  // Armed, it says "Klik lagi" in the width "Batalkan" had (both words stacked, one hidden: the button does not
  // grow from under the pointer), and its name and the notice below the list name the ticket.
  const armed = state.armed === x.id;
  const cancelBtn = cancellable
    ? el("button", { type: "button", class: `small${armed ? " armed" : ""}`, dataset: { act: "cancel" },
                     ...(armed ? { "aria-label": t("btn.cancel_confirm", { label: x.label }) } : {}) },
        el("span", { class: "stack" }, el("span", { class: armed ? "off" : "" }, t("btn.cancel")),
          el("span", { class: armed ? "" : "off" }, t("btn.cancel_again"))))
    : null;
  if (cancelBtn) cancelBtn.addEventListener("click", (ev) => cancel(x, cancelBtn, ev));
  // a slip is a queue number: only of a ticket still to be called (the server refuses the others)
  const reprintBtn = cancellable
    ? el("button", { type: "button", class: "small", dataset: { act: "reprint" } }, t("btn.reprint"))
    : null;
  if (reprintBtn) reprintBtn.addEventListener("click", (ev) => reprint(x, reprintBtn, ev));
  // a mistyped phone or name, fixed while the visitor is still here
  const editBtn = ACTIVE.includes(x.status)
    ? el("button", { type: "button", class: "small", dataset: { act: "edit" } }, t("btn.edit"))
    : null;
  if (editBtn) editBtn.addEventListener("click", () => startEdit(x));
  // a served visitor's A4 copy (SOP step 12), to print at the desk when the counter has no printer
  const formLink = ["resolved", "escalated", "closed"].includes(x.status) && x.token
    ? el("a", { class: "small button-link", href: `/counter/form/${encodeURIComponent(x.token)}`, target: "_blank",
                rel: "noopener", dataset: { act: "form" } }, t("btn.form"))
    : null;
  const tr = el(
    "tr",
    { dataset: { label: x.label, status: x.status, group: groupOf(x) } },
    el("td", { class: "label" }, x.label, x.priority ? el("span", { class: "tag prio" }, "P") : null),
    // a name or agency typed without spaces wraps in its cell: it pushes no column, no button off the box
    el("td", { class: "who" }, form.name || "", el("br"), el("span", { class: "muted" }, form.agency || "")),
    el(
      "td",
      { class: "status" },
      statusName(x.status),
      x.status === "called" ? ` (${x.calls}/${PAGE.max_calls})` : "",
      // skipped and requeued: a visitor asking why their number was passed gets the answer here
      x.requeues ? el("span", { class: "tag" }, t("requeued", { n: x.requeues })) : null,
      // why the front office cancelled it, as it was sent (the staff's alone: no public page has it)
      x.status === "cancelled" && x.cancel_reason
        ? el("span", { class: "why" }, t("list.cancel_reason", { reason: reasonShown(x.cancel_reason) })) : null,
    ),
    // its place in its service's line and the estimated wait, as the visitor's phone says them (the server's)
    placeCell(el("td", { class: "place" }), x),
    el("td", { class: "counter" }, x.counter_id ? counters[x.counter_id] || x.counter_id : ""),
    el("td", { class: "time" }, hhmm(x.created_at)),
    // in a narrow box (1024 px) a line of their own under the name (counter.css)
    el("td", { class: "do" }, el("div", { class: "acts" }, editBtn, cancelBtn, formLink, reprintBtn)),
  );
  if (kept && kept.tr.parentNode) kept.tr.replaceWith(tr); // in its place: the rows after it stay put
  ticketRows.set(x.id, { key, tr });
  return tr;
}

// ---- the list: the waiting in calling order per service, the finished below; nothing moves under the pointer ----
// While the pointer is over the list, or a Batalkan is armed, a new ticket, a re-order or a row leaving its
// group waits (at most HOLD_MS): the rows stay where the eye and the mouse are, and "N perubahan baru"
// offers them. A touch screen has no pointer resting over the list: there a touch on the list holds it for
// TOUCH_HOLD_MS after the last touch. A click on a row's button within SETTLE_MS of the rows moving under
// the pointer (or the finger) is not taken.
const HOLD_MS = 30000;
const TOUCH_HOLD_MS = 8000;
const SETTLE_MS = 1000;
const FINISHED_GROUP = "done";
const list = { hover: false, touchAt: -Infinity, heldSince: 0, movedAt: -Infinity, timer: null, touchTimer: null, search: "" };
const groupRows = new Map(); // group key -> its heading row

function groupOf(x) {
  if (x.status === "called" || x.status === "serving") return "counter";
  if (x.status === "waiting") return `s:${x.service}`;
  return FINISHED_GROUP;
}

// "± 25 menit", "± 2 jam 5 menit"; "segera" under a minute
function waitText(seconds) {
  const minutes = Math.ceil((seconds || 0) / 60);
  if (minutes < 1) return t("wait.now");
  if (minutes < 60) return t("wait.minutes", { n: minutes });
  const m = minutes % 60;
  return m ? t("wait.hours", { h: Math.floor(minutes / 60), m }) : t("wait.hours_even", { h: minutes / 60 });
}

function justMoved() {
  if (performance.now() - list.movedAt >= SETTLE_MS) return false;
  notice("list-notice", "warn", () => t("list.moved"));
  return true;
}

function touched(extra = 0) {
  return performance.now() - list.touchAt < TOUCH_HOLD_MS + extra;
}

function holding() {
  return list.hover || touched() || state.armed !== null;
}

function groupHeading(key, text) {
  let tr = groupRows.get(key);
  if (!tr) {
    tr = el("tr", { class: "group", dataset: { group: key } }, el("th", { colspan: "7" }));
    groupRows.set(key, tr);
  }
  if (tr.firstChild.textContent !== text) tr.firstChild.textContent = text;
  return tr;
}

// A phone's digits as one writes them here: "+62 (0)812-3456 7890", "62812…" and "0812…" are one number.
function phoneDigits(text) {
  const digits = String(text || "").replace(/\(0\)/g, "").replace(/\D/g, "");
  return digits.indexOf("62") === 0 ? `0${digits.slice(2)}` : digits;
}

// What a search compares: lower case, without accents, apostrophes or a run of spaces. The clerk types the name as
// it is said: "dede" for the kiosk's "Dédé", "maruf" for "Ma'ruf" (or "Ma’ruf"), and found nothing.
function folded(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/['\u2018\u2019`\u00b4]/g, "")
    .replace(/\s+/g, " ").toLowerCase();
}

// A visitor back for a number they lost gives their name or their phone (the slip with the number is what they
// lost): the search finds them by number ("A-008", "a8", "A 8"), name, agency or phone however written ("0812 3456",
// "+62812…", the last digits "7890"). It found by number, name or agency only: the phone found nothing.
function matches(x) {
  const q = list.search;
  if (!q) return true;
  const form = x.form || {};
  if ([x.label, form.name, form.agency].some((v) => folded(v).includes(q))) return true;
  const label = /^([a-z]+)[\s-]*0*(\d+)$/.exec(q);
  if (label && x.label) {
    const own = /^([A-Za-z]+)-0*(\d+)$/.exec(x.label);
    if (own && own[1].toLowerCase() === label[1] && own[2] === label[2]) return true;
  }
  // a phone: four digits at least, with what one writes between them (spaces, "+", "-", brackets, dots); digits
  // starting "62" are the country's code or a phone's last digits ("6200" of 0812-0000-6200): either
  if (/^[\d\s+().-]+$/.test(q)) {
    const phone = phoneDigits(form.phone);
    const typed = [phoneDigits(q), q.replace(/\D/g, "")];
    if (typed.some((digits) => digits.length >= 4 && phone.includes(digits))) return true;
  }
  return false;
}

// The search found none of today's tickets: said, with what was searched and how to search (the list was empty
// and silent, as if the page had failed).
function showNoMatch(shown) {
  const line = $("tickets-nomatch");
  const q = $("ticket-search").value.trim();
  line.hidden = shown || !q || state.tickets.size === 0;
  line.textContent = line.hidden ? "" : t("list.no_match", { q });
}

function renderTickets(force = false) {
  // A row drawn anew (armed, disarmed, its ticket changed) is a new element: a keyboard's focus on one of its
  // buttons went with the old one, to the page's body (Enter on Batalkan armed it, and the second Enter did nothing).
  // It goes to the same button of the new row.
  const was = document.activeElement;
  const from = was && was.dataset && was.dataset.act && was.closest("#tickets tr[data-label]");
  drawTickets(force);
  placeReasons(); // the armed cancel's reasons beside its button, in the page's language
  if (from && !was.isConnected) {
    const again = $("tickets").querySelector(`tr[data-label="${from.dataset.label}"] [data-act="${was.dataset.act}"]`);
    if (again) again.focus();
  }
}

function drawTickets(force) {
  const counters = Object.fromEntries(PAGE.counters.map((c) => [c.id, c.name]));
  for (const id of ticketRows.keys()) if (!state.tickets.has(id)) ticketRows.delete(id);
  const groups = new Map([["counter", []]]);
  for (const s of PAGE.services) groups.set(`s:${s.code}`, []);
  groups.set(FINISHED_GROUP, []);
  for (const x of state.tickets.values()) {
    const key = groupOf(x);
    if (!groups.has(key)) groups.set(key, []); // a service no longer in the settings
    groups.get(key).push(x);
  }
  const services = new Map(((state.list && state.list.services) || []).map((s) => [s.code, s]));
  const names = new Map(PAGE.services.map((s) => [s.code, s.name]));
  const wanted = [];
  for (const [key, tickets] of [...groups.entries()].sort((a, b) => (a[0] === FINISHED_GROUP) - (b[0] === FINISHED_GROUP))) {
    if (key === "counter") tickets.sort((a, b) => (a.counter_id || 0) - (b.counter_id || 0) || a.id - b.id);
    else if (key === FINISHED_GROUP) {
      const end = (x) => x.finished_at || x.last_called_at || x.created_at || "";
      tickets.sort((a, b) => end(b).localeCompare(end(a)) || b.id - a.id); // the latest finished first
    } else tickets.sort((a, b) => byCallingOrder(a, b) || a.id - b.id); // as the counters call them
    if (!tickets.length) continue;
    let text;
    if (key === "counter") text = t("list.at_counter", { n: tickets.length });
    else if (key === FINISHED_GROUP) text = t("list.finished", { n: tickets.length });
    else {
      const code = key.slice(2);
      const s = services.get(code);
      text = t("list.service", { code, name: names.get(code) || code, n: tickets.length });
      if (s && s.estimated_wait_s != null) text += ` · ${t("list.new_wait", { wait: waitText(s.estimated_wait_s) })}`;
    }
    const heading = groupHeading(key, text);
    const rows = tickets.map((x) => {
      const tr = ticketRow(x, counters);
      tr.hidden = !matches(x);
      return tr;
    });
    heading.hidden = rows.every((tr) => tr.hidden);
    wanted.push(heading, ...rows);
  }
  showNoMatch(wanted.some((tr) => tr.dataset.label && !tr.hidden));
  for (const key of groupRows.keys()) if (!wanted.includes(groupRows.get(key))) groupRows.delete(key);
  const body = $("tickets");
  const current = [...body.children];
  const same = current.length === wanted.length && wanted.every((tr, i) => current[i] === tr);
  if (!same) {
    // An empty list has no row to move: the day's tickets, loaded after a login whose button was over the list
    // (the pointer resting there), are drawn at once, not held 30 s behind "N perubahan baru".
    const shownRows = current.some((tr) => tr.dataset.label);
    if (!force && shownRows && holding() && performance.now() - (list.heldSince || performance.now()) < HOLD_MS) {
      // held: how many tickets are new, gone, or in another group (another place) than on the screen
      list.heldSince ||= performance.now();
      const shown = new Map(
        current.filter((tr) => tr.dataset.label).map((tr) => [tr.dataset.label, tr.dataset.shownGroup || tr.dataset.group]),
      );
      const now = new Map(wanted.filter((tr) => tr.dataset.label).map((tr) => [tr.dataset.label, tr.dataset.group]));
      let n = 0;
      for (const [label, group] of now) if (shown.get(label) !== group) n += 1;
      for (const label of shown.keys()) if (!now.has(label)) n += 1;
      // what changed in a row shown is shown at once, in its place (a cancel just confirmed reads
      // "dibatalkan" where it was): only where rows go waits
      const fresh = new Map(wanted.filter((tr) => tr.dataset.label).map((tr) => [tr.dataset.label, tr]));
      for (const tr of current) {
        const row = tr.dataset.label && fresh.get(tr.dataset.label);
        if (row && row !== tr && !row.isConnected) {
          row.dataset.shownGroup = tr.dataset.shownGroup || tr.dataset.group; // where it stands until the hold ends
          tr.replaceWith(row);
        }
      }
      const after = [...body.children];
      if (after.length !== wanted.length || wanted.some((tr, i) => after[i] !== tr)) {
        showPending(Math.max(n, 1));
        clearTimeout(list.timer);
        list.timer = setTimeout(() => renderTickets(true), HOLD_MS - (performance.now() - list.heldSince) + 50);
        $("tickets-empty").hidden = state.tickets.size > 0;
        return;
      }
      // rows changed, none goes elsewhere: nothing to hold
    }
    const tops = list.hover || touched(SETTLE_MS) ? current.map((tr) => [tr, tr.offsetTop]) : [];
    const want = new Set(wanted);
    for (const tr of current) if (!want.has(tr)) tr.remove();
    wanted.forEach((tr, i) => {
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
    });
    for (const tr of wanted) delete tr.dataset.shownGroup;
    // rows moved under the pointer (the hold's end): the next click on a row's button is not taken
    if (tops.some(([tr, top]) => tr.isConnected && tr.offsetTop !== top)) list.movedAt = performance.now();
  }
  list.heldSince = 0;
  clearTimeout(list.timer);
  showPending(0);
  $("tickets-empty").hidden = state.tickets.size > 0;
}

function showPending(n) {
  const button = $("list-pending");
  button.textContent = n ? t("list.pending", { n }) : "";
  button.hidden = !n;
}

function setupList() {
  const box = $("ticket-box");
  // a mouse (or a pen) rests over the list: held while it is there; a finger only touches: held for
  // TOUCH_HOLD_MS after its last touch, then what waited is drawn
  box.addEventListener("pointerenter", (ev) => {
    if (ev.pointerType !== "touch") list.hover = true;
  });
  box.addEventListener("pointerleave", (ev) => {
    if (ev.pointerType === "touch") return;
    list.hover = false;
    renderTickets();
  });
  box.addEventListener("pointerdown", (ev) => {
    if (ev.pointerType !== "touch") return;
    list.touchAt = performance.now();
    clearTimeout(list.touchTimer);
    list.touchTimer = setTimeout(() => renderTickets(), TOUCH_HOLD_MS + 50);
  });
  $("list-pending").addEventListener("click", () => renderTickets(true));
  $("ticket-search").addEventListener("input", (ev) => {
    list.search = folded(ev.target.value.trim());
    renderTickets(true);
  });
  $("r-service").addEventListener("change", renderHours);
}

// Today's tickets from the server, the finished ones too (with their form copy), each waiting one with its
// place and estimated wait, the hours and the waiting per service (GET /api/tickets). After every change,
// one fetch at a time (events meanwhile ask for one more), and each minute (the waits, and the day's end).
let listLoading = false;
let listAgain = false;
async function refreshList() {
  if (listLoading) {
    listAgain = true;
    return;
  }
  listLoading = true;
  try {
    do {
      listAgain = false;
      const { body } = await api("GET", "/api/tickets");
      state.list = body;
      if (state.day && state.day !== body.day) newDay(body.day);
      state.day = body.day;
      state.office = { ...(state.office || {}), ...(body.office || {}) };
      const fetched = new Map(body.tickets.map((x) => [x.id, x]));
      for (const [id, x] of state.tickets) {
        // an earlier day's: gone, unless still at a counter (the officer never finished it)
        if (x.day !== body.day && !fetched.has(id) && x.status !== "serving") state.tickets.delete(id);
      }
      for (const x of body.tickets) state.tickets.set(x.id, x);
      renderTickets();
      renderCounters();
      renderHours();
      renderAlerts(); // the late slips of the tickets still waiting
      watchEnd(body.office && body.office.range_ends_in_s);
    } while (listAgain);
  } catch (err) {
    if (err.status === 401) return sessionEnded();
  } finally {
    listLoading = false;
  }
}

// The day's service hours end with no event (the kiosk's stop, office_closed, comes `last_ticket_minutes` before it):
// the page learnt it at its list's fetch of each minute, and for up to a minute after the end it said that numbers
// registered here are still called today, its waiting rows with their minutes, though every officer had left. So
// does each range's end before a lunch break: for up to a minute into the break the hours line still said "layanan
// tutup 11.30" and the warning a new number's wait "lewat jam tutup 11.30", not when the kiosk opens again. The list
// says when the next range ends (`range_ends_in_s`, the break's start or the day's end, counted from its answer, so
// the PC's own clock may be wrong): the page reads it again then, a second after. One timer, set again by each read;
// none once the hours are over (an officer still at a counter then is followed by the events: the sign-out, the
// automatic release). A range's start is an event (office_opened).
const END_AFTER_MS = 1000;
let endTimer = null;

function watchEnd(left) {
  clearTimeout(endTimer);
  endTimer = null;
  if (typeof left !== "number") return;
  endTimer = setTimeout(() => {
    endTimer = null;
    refreshList();
  }, Math.min(left * 1000 + END_AFTER_MS, 0x7fffffff));
}

// ---- the service hours: until when the kiosk issues numbers, when the service ends ----------------------
function renderHours() {
  const office = state.office || {};
  const line = $("hours-line");
  const warn = $("hours-warn");
  const minutes = office.last_ticket_minutes;
  // The service's end: last_ticket_minutes after the kiosk stops; from the kiosk's stop to it (its closes_at gone),
  // the server's service_ends_at says it (a page opened then knows no closes_at). Past, it is no end.
  let ends = office.closes_at && minutes != null ? new Date(Date.parse(office.closes_at) + minutes * 60000) : null;
  const until = office.open === false && Date.parse(office.service_ends_at || "");
  if (until && until > officeNow().getTime()) ends = new Date(until);
  // After the day's service hours (or on a day without them) with no officer at a counter, nobody calls a waiting
  // number today (`no_service`, the rule of the visitor's phone): said so, and what to tell a visitor who still
  // comes, in place of the kiosk's hours (it said "nomor dari sini tetap dipanggil hari ini"). While an officer is
  // still at work, today's words. Followed live: a counter's event fetches the list again, and so does each range's
  // end (a lunch break's start, the hours' end), which no event says (watchEnd).
  const over = office.no_service === "ended" || office.no_service === "closed" ? office.no_service : null;
  let text = "";
  if (over) {
    text = office.next_opening ? t(`hours.over_${over}_until`, { when: dayTime(office.next_opening), zone: zoneName() })
      : t(`hours.over_${over}`);
  } else if (office.open === false && ends) {
    text = t("hours.kiosk_stopped", { end: hhmm(ends), zone: zoneName() }); // the counters still serve until then
  } else if (office.open === false) {
    text = office.next_opening ? t("hours.closed_until", { when: dayTime(office.next_opening), zone: zoneName() })
      : t("hours.closed");
  } else if (office.closes_at) {
    text = minutes ? t("hours.open_kiosk", { kiosk: hhmm(office.closes_at), end: hhmm(ends), zone: zoneName() })
      : t("hours.open", { end: hhmm(office.closes_at), zone: zoneName() });
  }
  line.textContent = text;
  line.hidden = !text;
  line.dataset.open = String(office.open !== false);
  // A visitor registered by hand: after the kiosk stopped, or when the line would outlast the service.
  const code = $("r-service").value;
  const s = ((state.list && state.list.services) || []).find((x) => x.code === code);
  const waiting = s ? s.waiting : [...state.tickets.values()].filter((x) => x.status === "waiting" && x.service === code).length;
  // A number that would wait past the service's end is said so, the kiosk stopped or not ("called today" is not
  // true of it then); nor of any number once nobody will call one today (`over`).
  let caution = "";
  if (over) {
    caution = t("hours.warn_over", { n: waiting, code });
  } else if (ends && s && officeNow().getTime() + s.estimated_wait_s * 1000 > ends.getTime()) {
    caution = t("hours.warn_late", { code, n: waiting, wait: waitText(s.estimated_wait_s), end: hhmm(ends), zone: zoneName() });
  } else if (office.open === false) caution = t("hours.warn_closed", { n: waiting, code });
  warn.textContent = caution;
  warn.hidden = !caution;
}

// The office's day changed under a page left open overnight: yesterday's slips have nobody to tell of them, and
// what was said of the counters (a Lepas, "dilepas otomatis … pukul 15.48", an officer's logout) is yesterday's;
// a counter freed at the new day's start (the sessions that ended at midnight), told before the page saw the new
// day, stays.
function newDay(day) {
  state.late = [];
  state.skipped = [];
  dropCounterNotices((n) => n.day !== day);
}

// ---- what is said of the counters (#counter-notice): one line each, the newest first ----
// Freed counters come in bursts: the sessions that end at the office's midnight, `users disable` of an officer
// holding two counters, the automatic release of two counters left idle, the releases a reconnect's snapshot
// tells. One line said only the last of them. Each stays until its ✕ (Tutup) or the office's day change; at most
// COUNTER_SHOWN are shown, "+N lagi" shows the others; a page open for weeks keeps the COUNTER_KEPT newest.
const COUNTER_SHOWN = 3;
const COUNTER_KEPT = 12;
const counterNotes = { list: [], open: false, next: 1 };

// the office's day of `at` (an ISO time), as the server's `day` says it; with none, the page's day
function officeDay(at) {
  const when = at ? new Date(at) : null;
  if (!when || Number.isNaN(when.getTime())) return state.day || officeDay(officeNow().toISOString());
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE }).format(when);
}

// `words`: as notice()'s (a function giving the words in the page's language now, or a text as it was said);
// `at`: when it happened (its office day: the line goes at the day's change).
function counterNotice(kind, words, at = null) {
  counterNotes.list.unshift({ id: counterNotes.next++, kind, words, day: officeDay(at), row: null });
  counterNotes.list.length = Math.min(counterNotes.list.length, COUNTER_KEPT);
  renderCounterNotices();
}

function dropCounterNotices(gone) {
  const before = counterNotes.list.length;
  counterNotes.list = counterNotes.list.filter((n) => !gone(n));
  if (counterNotes.list.length !== before) renderCounterNotices();
}

function counterNoticeRow(n) {
  if (!n.row) {
    const close = el("button", { type: "button", class: "notice-close" });
    close.addEventListener("click", () => {
      const i = counterNotes.list.indexOf(n);
      dropCounterNotices((x) => x === n);
      // the keyboard goes on to the next line's ✕ (else the box's first), not back to the page's start
      const next = counterNotes.list[Math.min(i, counterNotes.list.length - 1)];
      if (next && next.row && next.row.isConnected) next.row.querySelector(".notice-close").focus();
    });
    const text = el("span", { class: "notice-text" });
    n.row = el("p", { class: "notice", dataset: { kind: n.kind, note: String(n.id) } }, text, close);
  }
  const [text, close] = n.row.children;
  const words = typeof n.words === "function" ? n.words() : n.words;
  sayWhole(text, words);
  close.title = t("alert.dismiss"); // the ✕ is drawn by the style sheet: the line's text is its words alone
  close.setAttribute("aria-label", t("alert.dismiss"));
  return n.row;
}

let moreButton = null; // "+N lagi": the lines not shown

// Shut, the box shows as many of the newest lines as it holds whole (COUNTER_SHOWN at most, one at least), "+N lagi"
// under them for the others: at 1024x768 three lines of two (the counters' demo names) are taller than the box, and
// the third was cut at its edge, a sliver of it in sight and nothing saying there was more. Open ("+N lagi"
// pressed), all of them, scrolling in the box, until the shut box would show them all.
function renderCounterNotices() {
  const box = $("counter-notice");
  const all = counterNotes.list;
  const overflows = () => box.scrollHeight > box.clientHeight + 0.5;
  let count = counterNotes.open ? all.length : Math.min(COUNTER_SHOWN, all.length);
  drawCounterNotices(box, count);
  if (counterNotes.open && all.length <= COUNTER_SHOWN && !overflows()) counterNotes.open = false;
  while (!counterNotes.open && count > 1 && overflows()) drawCounterNotices(box, --count);
  box.dataset.kind = all.length ? all[0].kind : ""; // the newest line's
}

// The `count` newest lines, and "+N lagi" for the others.
function drawCounterNotices(box, count) {
  const all = counterNotes.list;
  const shown = all.slice(0, count);
  const rows = shown.map(counterNoticeRow);
  if (all.length > shown.length) {
    if (!moreButton) {
      moreButton = el("button", { type: "button", class: "small notice-more" });
      moreButton.addEventListener("click", () => {
        counterNotes.open = true;
        renderCounterNotices();
      });
    }
    moreButton.textContent = t("alert.more", { n: all.length - shown.length });
    rows.push(moreButton);
  }
  // A line stays where it is, its node kept: a new one is put on top and the others are not drawn (nor read out by
  // a screen reader) again, and a ✕ being pressed or holding the focus is not taken away.
  rows.forEach((row, i) => {
    if (box.children[i] !== row) box.insertBefore(row, box.children[i] || null);
  });
  while (box.children.length > rows.length) box.lastElementChild.remove();
}
window.addEventListener("resize", renderCounterNotices); // a wider or taller window holds more of them whole

// ---- counters: who holds each, paused; free one whose officer left (POST /api/counters/<id>/release) ----
function counterName(id) {
  const c = PAGE.counters.find((x) => x.id === id);
  return c ? c.name : t("counter_unknown", { id });
}

// `label`: the ticket called at a counter nobody holds (its officer logged out before it went back, an admin
// called it): the same release sends it back to the line at its place.
async function release(id, button, ev, label = null) {
  const entry = state.counters.get(id) || {};
  if (!secondClick(state, id, button, renderCounters, ev)) return;
  button.disabled = true;
  const params = () => ({ counter: counterName(id), officer: entry.officer || "?", label });
  try {
    const { body } = await api("POST", `/api/counters/${id}/release`, {});
    // the page's events past the answer (a counter its officer took again meanwhile) drew it as it is
    if (!(live && live.knows(body))) state.counters.set(id, { ...(state.counters.get(id) || entry), officer: null });
    // the ticket it was calling (if any) is back in the line at its place: said with the release
    const key = entry.officer ? (label ? "done.released_returned" : "done.released") : "done.returned";
    counterNotice("info", () => t(key, params()));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    counterNotice("error", () => t("fail.release", { ...params(), text: refused(err) }));
  }
  renderCounters();
}

function renderCounters() {
  const rows = PAGE.counters.map((c) => {
    const entry = state.counters.get(c.id) || {};
    const ticket = [...state.tickets.values()].find((x) => x.counter_id === c.id && (x.status === "called" || x.status === "serving"));
    const now = [
      ticket ? `${ticket.label} · ${statusName(ticket.status)}` : t("counter.idle"),
      entry.paused ? el("span", { class: "tag paused" }, t("counter.paused")) : null,
    ];
    let releaseBtn = null;
    const stranded = !entry.officer && ticket && ticket.status === "called"; // called there, nobody to serve it
    if (entry.officer || stranded) {
      const calling = ticket && ticket.status === "called" ? ticket.label : null;
      releaseBtn = el(
        "button",
        {
          type: "button",
          class: "small",
          dataset: { act: "release", counter: String(c.id), calling: calling || "" }, // all its handler knows
          title: entry.officer
            ? t("btn.release_title", { counter: c.name, officer: entry.officer })
            : t("btn.return_title", { counter: c.name, label: ticket.label }),
          onclick: (ev) => release(c.id, releaseBtn, ev, calling),
        },
        state.armedCounter === c.id ? t("btn.release_confirm") : t("btn.release"),
      );
    }
    return el(
      "tr",
      { dataset: { counter: String(c.id), held: String(Boolean(entry.officer)) } },
      el("td", { class: "name", title: c.name }, el("span", {}, c.name)), // a long name: two lines, then "…"
      el("td", {}, entry.officer || el("span", { class: "muted" }, t("counter.free"))),
      el("td", {}, now),
      el("td", { class: "acts" }, releaseBtn),
    );
  });
  patch($("counter-rows"), rows); // only what changed: a Lepas pressed as an event came in is not lost
}

function onCounterEvent(ev) {
  const data = ev.data || {};
  const id = ev.counter_id ?? data.counter_id;
  if (id === undefined || id === null) return;
  const entry = { ...(state.counters.get(id) || { id }) };
  if (ev.type === "counter_paused") entry.paused = true;
  if (ev.type === "counter_resumed") entry.paused = false;
  if (ev.type === "counter_released") entry.officer = null; // a pause outlives it: the next officer ends it
  if (ev.type === "counter_claimed") entry.officer = ev.actor;
  if (ev.type === "counter_released" && releaseSeen && ev.seq) releaseSeen.set(id, ev.seq); // said: not again
  if (ev.type === "counter_released" && data.by === "auto" && data.officer) {
    // The server freed it ([queue] counter_release_minutes without a page of its officer): say so here.
    const { officer, returned } = data;
    const minutes = data.minutes ?? "?";
    counterNotice("warn", () => {
      const text = t("auto.released", { counter: counterName(id), officer, time: hhmm(ev.at), minutes });
      return returned ? `${text} ${t("auto.returned", { label: returned })}` : text;
    }, ev.at);
  } else if (ev.type === "counter_released" && data.officer && (data.reason || data.by === "cli")) {
    // An end of its officer's session freed it (data.reason: the session's end, an admin's new password or
    // disabling, from the command line too): said in words, not "dilepas oleh cli" nor as a logout.
    counterNotice("warn", () => endedText(counterName(id), data, ev.at), ev.at);
  } else if (ev.type === "counter_released" && data.returned && data.officer && data.by === data.officer) {
    // its officer logged out while calling a visitor: the ticket went back to the line at its place
    const { officer, returned } = data;
    counterNotice("info", () => t("logout.returned", { counter: counterName(id), officer, label: returned }), ev.at);
  }
  state.counters.set(id, entry);
}

// The seq of each counter's last release this page knows of (null before the first snapshot, which says none).
let releaseSeen = null;

// A counter an end of its officer's session freed while this page was catching up, said as its event is: the
// command line's release, sent out again by the server, comes after a gap in the numbers (the command line's own
// rows), and the page takes a snapshot rather than the event. `counters`: a snapshot's, with their `released`.
function releasesMissed(counters) {
  const seen = releaseSeen;
  releaseSeen = new Map(counters.filter((c) => c.released).map((c) => [c.id, c.released.seq]));
  if (!seen) return;
  for (const c of counters) {
    const r = c.released;
    if (!r || !r.officer || !(r.reason || r.by === "cli") || r.seq <= (seen.get(c.id) ?? 0)) continue;
    counterNotice("warn", () => endedText(counterName(c.id), r, r.at), r.at);
  }
}

// A counter freed by an end of its officer's session (`data`: its `counter_released` data), in the page's language.
function endedText(counter, data, at) {
  const { officer, by, reason, returned } = data;
  const who = by === "cli" ? t("freed.who_cli") : t("freed.who_admin", { by });
  const params = { counter, officer, who, time: hhmm(at) };
  let text;
  if (reason === "session_ended") text = t("freed.session_ended", params);
  else if (reason === "password") text = t("freed.password", params);
  else if (reason === "disabled") text = t("freed.disabled", params);
  else text = t("freed.other", params);
  return returned ? `${text} ${t("auto.returned", { label: returned })}` : text;
}

// ---- alerts closed with Tutup stay closed, across reloads and in the other tabs (localStorage), until the
// alert changes (a retried slip that then gives up is another alert) or the office's day ends ----
const DISMISSED_KEY = "antrian.front.dismissed";

// An alert's identity: its ticket, kind and paper, its print job (a reprint that fails is a new failure) and
// whether it gave up; a late or skipped slip's, its print job.
function alertId(a) {
  if (["print_late", "print_skipped", "print_unslipped"].includes(a.type)) return `${a.type} ${a.job}`;
  // back when the printer says it again, or that its paper is out (more than the "nearly out" closed)
  if (a.type === "paper_low") return `paper_low ${a.printer} ${a.since} ${a.paper || "low"}`;
  if (a.type === "restored") return `restored ${a.at}`; // another restore is another alert
  const job = a.type === "print_failed" && a.job != null ? ` #${a.job}` : "";
  return `${alertKey(a.type, a.label, a, a.ticket)}${job}${a.final ? " final" : ""}`;
}

function dismissals() {
  try {
    const map = JSON.parse(localStorage.getItem(DISMISSED_KEY) || "{}");
    return map && typeof map === "object" ? map : {};
  } catch (err) {
    return {};
  }
}

// identity -> the office's day it was closed on ("" before the page knew it)
function saveDismissals(map) {
  try {
    localStorage.setItem(DISMISSED_KEY, JSON.stringify(map));
  } catch (err) {
    // storage off: closed in this page only
  }
}

function dismiss(alerts) {
  const map = dismissals();
  for (const a of alerts) map[alertId(a)] = state.day || "";
  saveDismissals(map);
  renderAlerts();
}

function isDismissed(a, map) {
  const day = map[alertId(a)];
  return day !== undefined && (!day || !state.day || day === state.day);
}

// A new day: yesterday's closed alerts are forgotten (their labels are today's other visitors').
function forgetOtherDays(day) {
  const map = dismissals();
  let changed = false;
  for (const [id, when] of Object.entries(map)) {
    if (when === day) continue;
    if (when) delete map[id];
    else map[id] = day;
    changed = true;
  }
  if (changed) saveDismissals(map);
}

// Why a skipped slip is not needed, said of its ticket as it is now (server/service/jobs.py SKIP_REASONS), not as
// it was when the printer skipped it: a number skipped as called and cancelled or served since said "nomornya
// sudah dipanggil" all day. The server's reason when the ticket is not in the list (or is of an earlier day).
const SKIP_REASONS = {
  called: "called", serving: "serving", resolved: "finished", escalated: "finished", closed: "finished",
  no_show: "no_show", cancelled: "cancelled", expired: "expired",
};

function skipReason(a) {
  const kind = SKIP_REASONS[(state.tickets.get(a.ticket) || {}).status];
  if (kind && !(a.reason && a.reason.kind === "past_day")) return t(`printer.skipped.${kind}`);
  return (a.reason && (a.reason[getLang()] || a.reason.id)) || "?";
}

// A skipped slip's note while it is news: one whose visitor was served or left (the ticket finished, cancelled,
// expired, or not there when called) goes NOTE_MINUTES after that, or after the skip when that came later. A
// morning's "tidak diperlukan lagi" of visitors served at 10.00 was there until midnight, and grew with every slip
// of the printer's outage: nothing left to do for any of them. One still called or at a counter stays (its visitor
// is still here).
const NOTE_MINUTES = 30;
const SETTLED = new Set(["resolved", "escalated", "closed", "no_show", "cancelled", "expired"]);

function noteCurrent(a) {
  const x = state.tickets.get(a.ticket);
  if (!x || !SETTLED.has(x.status) || !x.finished_at) return true;
  const since = Math.max(Date.parse(x.finished_at) || 0, Date.parse(a.at || "") || 0);
  return officeNow().getTime() - since < NOTE_MINUTES * 60000;
}

// The skipped slips of a printer's note, one reason each, its tickets named once before it: "A-001, B-001, C-001
// (pengunjungnya sudah selesai dilayani); A-004 (tiket sudah dibatalkan)". The reason after every number made a
// busy morning's note twenty times "(pengunjungnya sudah selesai dilayani)", lines of it to read for one word.
function skippedSlips(shown) {
  const byReason = new Map();
  for (const a of shown) {
    const why = skipReason(a);
    if (!byReason.has(why)) byReason.set(why, []);
    byReason.get(why).push(a.label);
  }
  return [...byReason].map(([why, labels]) => `${labels.join(", ")} (${why})`).join("; ");
}

// Slips printed late, for visitors still waiting (the server's `late`: printed after failing, once the kiosk's
// ticket screen had gone back to the start, or a reprint; server/service/jobs.py late_slip): one line per printer
// naming them, until closed, so that someone collects them there and hands each to its visitor. A ticket called,
// cancelled or finished since is left out: its visitor is at a counter or gone, nobody to hand it to.
// Slips not printed because their ticket no longer waited (cancelled, called while the printer was off): one
// line per printer naming them with why, in place of their failure alerts, until closed or no longer news
// (noteCurrent: half an hour after its visitor was served or left). Such a ticket waiting
// again (Lepas sent a called number back to the line) has no slip: said so instead, with Cetak ulang, while it
// waits (its failure line, when a reprint fails, says it then).
function slipLines(closed) {
  const waiting = (a) => (state.tickets.get(a.ticket) || {}).status === "waiting";
  const slipFailed = (a) => a.type === "print_failed" && paperOf(a) === "slip";
  const of = (a) => (a.ticket !== undefined && a.ticket !== null ? `#${a.ticket}` : a.label);
  const failing = new Set(state.alerts.filter(slipFailed).map(of));
  const unslipped = state.skipped.filter(waiting).map((a) => ({ ...a, type: "print_unslipped" }));
  const lines = [];
  for (const [type, list] of [
    ["print_late", state.late.filter(waiting)],
    ["print_skipped", state.skipped.filter((a) => !waiting(a) && noteCurrent(a))],
    ["print_unslipped", unslipped.filter((a) => !failing.has(of(a)))],
  ]) {
    const byPrinter = new Map();
    for (const a of list) {
      if (isDismissed(a, closed)) continue;
      if (!byPrinter.has(a.printer)) byPrinter.set(a.printer, []);
      byPrinter.get(a.printer).push(a);
    }
    for (const [name, shown] of byPrinter) {
      const close = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
      close.addEventListener("click", () => dismiss(shown));
      const labels = shown.map((a) => a.label).join(", ");
      const printer = printerName(name);
      const words = type === "print_late" ? t("alert.late_slips", { labels, printer })
        : type === "print_unslipped" ? t("alert.unslipped", { labels, printer })
          : t("alert.skipped_slips", { printer, slips: skippedSlips(shown) });
      const at = el("strong", {}, hhmm(shown.map((a) => a.at || "").sort().pop())); // the latest
      lines.push(el("li", { dataset: { type } }, at, el("span", {}, ...wholeLabels(words)), close));
    }
  }
  return lines;
}

// A printer as the line's sentence names it, in the page's language: the kiosk's "kios" and a counter's "Loket 1"
// (the page config's `printer_names`), as its paper notices and the advice do; config.toml's "kiosk" and "loket1"
// read as English on the Indonesian page. A printer the settings no longer have: its name.
function printerName(name) {
  const names = (PAGE.printer_names || {})[name];
  return (names && (names[getLang()] || names.id)) || name;
}

// In the order they printed (late), or of their jobs (skipped: as the tickets were issued), live or loaded.
function addSlip(list, job) {
  if (list.some((a) => a.job === job.job)) return;
  list.push(job);
  list.sort((a, b) => (job.type === "print_late" ? (a.at || "").localeCompare(b.at || "") : 0) || a.job - b.job);
}

// A printer out for a busy hour fails one slip per visitor: one line per printer, paper (the slips; a counter's
// form copies) and cause (the advice's kind), not one per slip. It says what is wrong and what to do (the
// server's advice: the given-up slips' once one gave up, "… lalu tekan Cetak ulang"), since when (the earliest
// failure of those still open, as each alert says it: a slip being retried its first, one that gave up its
// last), and which tickets have no paper yet, given up first, at most ALERT_LABELS of them and "+N lagi" (which
// shows them all). Each label shows its ticket's row in the list, with its Cetak ulang. A slip that prints, or
// is skipped, leaves the line; the line goes with its last slip. Tutup closes every slip of it: the line is
// back when one of them changes (gives up) or another fails there (alertId).
const ALERT_LABELS = 6;
const openGroups = new Set(); // the groups whose every label is shown ("+N lagi" pressed)

function paperOf(a) {
  return a.kind === "form" ? "form" : "slip";
}

function groupKey(a) {
  return `${a.printer || "?"}|${paperOf(a)}|${(a.advice && a.advice.kind) || "?"}`;
}

function groupLine(key, members, closed) {
  if (members.every((a) => isDismissed(a, closed))) return null;
  const newest = (slips) => slips.reduce((x, a) => ((a.at || "") > (x.at || "") ? a : x), slips[0]);
  const gaveUp = members.filter((a) => a.final);
  const said = newest(gaveUp.length ? gaveUp : members); // its advice: what to do now
  const since = members.map((a) => a.at || "").filter(Boolean).sort()[0];
  const byJob = (a, b) => (a.job ?? 0) - (b.job ?? 0) || a.label.localeCompare(b.label);
  const parts = [[gaveUp.sort(byJob), "alert.gave_up"], [members.filter((a) => !a.final).sort(byJob), "alert.retrying"]];
  const all = openGroups.has(key);
  let room = all ? Infinity : ALERT_LABELS;
  const slips = [t(paperOf(said) === "form" ? "alert.no_copy" : "alert.no_slip", { n: members.length })];
  for (const [part, words] of parts) {
    const shown = part.slice(0, Math.max(room, 0));
    room -= shown.length;
    if (!shown.length) continue;
    slips.push(" ", el("span", { class: "slip-state" }, `${t(words)}:`));
    for (const a of shown) {
      const chip = el("button", { type: "button", class: "slip-label", dataset: { label: a.label, final: String(Boolean(a.final)) },
                                  title: t("alert.show_ticket", { label: a.label }) }, a.label);
      chip.addEventListener("click", () => showTicket(a));
      slips.push(" ", chip);
    }
  }
  const hidden = all ? 0 : members.length - ALERT_LABELS;
  if (hidden > 0) {
    const more = el("button", { type: "button", class: "slip-more" }, t("alert.more", { n: hidden }));
    more.addEventListener("click", () => {
      openGroups.add(key);
      renderAlerts();
    });
    slips.push(" ", more);
  }
  const close = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
  close.addEventListener("click", () => dismiss(members));
  const [printer, paper, cause] = key.split("|");
  return el(
    "li",
    { dataset: { type: "print_failed", printer, paper, cause } },
    el("strong", {}, t("alert.since", { time: hhmm(since) })),
    el(
      "span",
      {},
      // what is wrong and what to do, in words (the server's advice); the printer's raw message folded away, for the admin
      ...wholeLabels(said.advice ? said.advice[getLang()] || said.advice.id
        : t("alert.print_failed", { label: members.map((a) => a.label).join(", "), error: said.error })),
      said.advice ? foldedDetail(said.error, `print|${key}`, openDetails, "alert", fitAlerts) : null,
      el("span", { class: "slips" }, ...slips),
    ),
    close,
  );
}

// A label of a printer's line: its ticket's row in the list, in sight (a search that hides it is cleared), with
// the focus on the row's Cetak ulang (a form copy's: its Formulir A4), as if found in the list.
function showTicket(a) {
  const find = () => document.querySelector(`#tickets tr[data-label="${CSS.escape(a.label)}"]`);
  let row = find();
  if (row && row.hidden) {
    $("ticket-search").value = "";
    list.search = "";
    renderTickets(true);
    row = find();
  }
  if (!row) {
    notice("list-notice", "warn", () => t("alert.no_row", { label: a.label }));
    return;
  }
  // up or down in the list's box only: scrollIntoView moved the narrow column sideways too (a 1024 px screen)
  const box = $("ticket-box").getBoundingClientRect();
  const at = row.getBoundingClientRect();
  const head = $("ticket-box").querySelector("thead").getBoundingClientRect().height;
  if (at.top < box.top + head || at.bottom > box.bottom) {
    $("ticket-box").scrollTop += at.top - box.top - (box.height - at.height) / 2;
  }
  row.classList.remove("found");
  void row.offsetWidth; // the highlight again, on a second press
  row.classList.add("found");
  const act = row.querySelector(paperOf(a) === "form" ? '[data-act="form"]' : '[data-act="reprint"]');
  const target = act || row.querySelector("button, a") || row;
  const right = target.getBoundingClientRect().right - box.right;
  if (right > 0) $("ticket-box").scrollLeft += right + 8; // a narrow screen: the table scrolls sideways in its box
  target.focus({ preventScroll: true });
}

function renderAlerts() {
  const closed = dismissals();
  const items = [];
  const groups = new Map(); // key -> its slips; its line where its newest-listed slip would stand
  for (const a of state.alerts) {
    if (a.type !== "print_failed") {
      if (!isDismissed(a, closed)) items.push(alertLine(a));
      continue;
    }
    const key = groupKey(a);
    if (!groups.has(key)) {
      groups.set(key, []);
      items.push(key);
    }
    groups.get(key).push(a);
  }
  for (const key of openGroups) if (!groups.has(key)) openGroups.delete(key); // gone: its next outage starts short
  const lines = items.map((x) => (typeof x === "string" ? groupLine(x, groups.get(x), closed) : x)).filter(Boolean);
  // Slips to hand out or to reprint first; those not printed and no longer needed (nothing to do) after the
  // failures: on a short screen the alerts' box shows its first lines, and a printer out was below them, unseen.
  const slips = slipLines(closed);
  const done = slips.filter((li) => li.dataset.type === "print_skipped");
  lines.unshift(...slips.filter((li) => !done.includes(li)));
  const failing = new Set(items.filter((x) => typeof x === "string").map((key) => key.split("|")[0]));
  lines.push(...paperLines(closed, failing), ...done);
  // Low disk space (the staff state's `disk`, the server's words): first, and kept until there is room again.
  const disk = state.disk && state.disk.message; // a low disk, a failed daily backup
  const restored = restoredLine(closed);
  if (restored) lines.unshift(restored);
  if (disk) lines.unshift(el("li", { dataset: { type: "disk_low" } }, el("span", {}, disk[getLang()] || disk.id)));
  // The same alerts as shown: left as they are. Drawn anew at every change of the day's state, a Tutup
  // pressed at that moment was lost with the button it was pressed on.
  const said = (li) => `${li.dataset.type}|${li.textContent}`;
  const box = $("alerts");
  const shown = [...box.children];
  if (shown.length !== lines.length || shown.some((li, i) => said(li) !== said(lines[i]))) {
    // A box scrolled (its "+N lagi" opened) kept its scroll through the redraw: once lines went, its top showed the
    // end of a line, "(tidak dicoba lagi)", or the middle of an opened fold. The line at its top stays there, from
    // its start (by its type and words: a line redrawn in the other language is another); gone, the box's top.
    const top = box.getBoundingClientRect().top + box.clientTop;
    const first = box.scrollTop > 0 ? shown.find((li) => !li.hidden && li.getBoundingClientRect().bottom > top + 1) : null;
    const kept = first ? lines.find((li) => said(li) === said(first)) : null;
    box.replaceChildren(...lines);
    box.scrollTop = kept ? box.scrollTop + kept.getBoundingClientRect().top - top : 0;
  }
  $("alerts-empty").hidden = lines.length > 0;
  fitFirstLine();
  // how many, beside the title: the box shows its first lines on a short screen, "+N lagi" the rest (fitAlerts)
  const title = $("alerts").previousElementSibling;
  if (lines.length > 1) title.dataset.count = lines.length;
  else delete title.dataset.count;
}

// The alerts' box on a short screen shows whole lines. Its first line whole, whatever its height (counter.css
// --first-line, the box's least; a line of the disk's, the server PC's clock behind its data or a low disk, the most
// serious, uncapped; any other at most 30vh, the box's most): at 1024x768 the box gave up its height to the day's list
// down to 9rem, and a printer's failure line (its advice, then its tickets' labels) had its last row cut at the box's
// edge, "+6 lagi" a dashed sliver under it; the clock's four lines showed three and a half. The lines after it that
// the box does not hold whole are behind "+N lagi" (at the end of the title's row: under the box it took the day's
// list a row's height), as the counters' notices are, which shows them all, scrolling in the box, until they fit again.
let alertsOpen = false; // "+N lagi" pressed
let alertsMore = null;

function fitAlerts() {
  const box = $("alerts");
  const lines = [...box.children];
  const panel = box.parentElement;
  const overflows = () => box.scrollHeight > box.clientHeight + 0.5;
  for (const li of lines) li.hidden = false;
  if (alertsMore) alertsMore.hidden = true;
  const first = lines[0];
  if (first) {
    const height = first.getBoundingClientRect().height + parseFloat(getComputedStyle(first).marginBottom);
    const whole = first.dataset.type === "disk_low" ? height : Math.min(height, innerHeight * 0.3);
    panel.style.setProperty("--first-line", `${whole}px`);
  } else panel.style.removeProperty("--first-line");
  if (alertsOpen && !overflows()) alertsOpen = false;
  if (alertsOpen || lines.length < 2 || !overflows()) return;
  if (!alertsMore) {
    alertsMore = el("button", { type: "button", class: "alerts-more" });
    alertsMore.addEventListener("click", () => {
      alertsOpen = true;
      fitAlerts();
    });
    box.after(alertsMore);
  }
  alertsMore.hidden = false;
  let shown = lines.length;
  do {
    lines[--shown].hidden = true;
    alertsMore.textContent = t("alert.more", { n: lines.length - shown });
  } while (shown > 1 && overflows());
}

// Its first line's height changes with the width (a window resized, the box's scroll bar) and the language.
const firstLine = new ResizeObserver(() => fitAlerts());

function fitFirstLine() {
  firstLine.disconnect();
  if ($("alerts").firstElementChild) firstLine.observe($("alerts").firstElementChild);
  fitAlerts();
}
window.addEventListener("resize", () => fitAlerts()); // a taller window holds more of them whole

// A printer whose paper is nearly out (the staff state's `printers`, the server's words: "Kertas printer kios hampir
// habis: siapkan gulungan baru."): a calm line per printer, not a failure (its tickets still print), from when it
// first said so, until a new roll is in (the server's `printers` message) or Tutup (back when it says so again).
// Its paper out is said too ("Kertas printer kios habis"), but not beside that printer's failure line (`failing`:
// the printers with one), which says it already, with the tickets it left unprinted.
function paperLines(closed, failing) {
  const shown = (p) => !isDismissed({ ...p, type: "paper_low" }, closed) && !(p.paper === "out" && failing.has(p.printer));
  return state.printers.filter(shown).map((p) => {
    const close = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
    close.addEventListener("click", () => dismiss([{ ...p, type: "paper_low" }]));
    return el("li", { dataset: { type: "paper_low", printer: p.printer } },
      el("strong", {}, t("alert.since", { time: hhmm(p.since) })),
      el("span", {}, (p.message && (p.message[getLang()] || p.message.id)) || p.printer), close);
  });
}

function onPrinters(list) {
  state.printers = Array.isArray(list) ? list : [];
  renderAlerts();
}

// The printer's or the mail server's own message ("printer loket1: connection reset by peer while reading status from
// 127.0.0.1:9100", "(550, b'5.1.1 user unknown')"): English and technical, it was shown small after the advice, and the
// front office, who reads neither English nor errno, took it for what to do. The advice says that, in her language;
// the message is folded behind "rincian untuk admin", for the admin she calls (who also finds it in the server's log
// and in GET /api/print-jobs' `error`). Opened, it stays open while its line is redrawn (`key`: its line's).
const openDetails = new Set();

// A mail's alert: one line per escalation (its advice names its ticket). Its words are the advice's short ones
// (`staff`: what failed, and what the front office does now); the admin's part (config.toml's keys, a restart or
// Kirim ulang: `admin`) is folded with the mail server's message. The whole advice, ~600 characters with the keys
// first, was the line.
function alertLine(a) {
  const dismissBtn = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
  dismissBtn.addEventListener("click", () => dismiss([a]));
  const lang = getLang();
  const advice = a.advice;
  const said = advice ? (advice.staff && (advice.staff[lang] || advice.staff.id)) || advice[lang] || advice.id
    : t(`alert.${a.type}`, { label: a.label, error: a.error });
  const admin = advice && advice.admin ? advice.admin[lang] || advice.admin.id : "";
  return el(
    "li",
    { dataset: { type: a.type } },
    el("strong", {}, hhmm(a.at)),
    el(
      "span",
      {},
      ...wholeLabels(said),
      advice ? foldedDetail(a.error, `${a.type}|${a.label}`, openDetails, "alert", fitAlerts, admin) : null,
      // given up: "tidak dicoba lagi", the advice before it having said what to do for the mail (a print's "perlu
      // cetak ulang" was said of a mail)
      a.attempts ? el("small", { class: "muted" }, ` (${a.final ? t("alert.gave_up") : t("alert.attempt", { n: a.attempts })})`) : null,
    ),
    dismissBtn,
  );
}

// The server's data put back from a copy today (`restore`, the staff state's `restored`): the kiosk gives out again
// the numbers issued after the copy was made (after its last of each prefix, or from 1 when it held none of today),
// and visitors hold slips with them. `restore` told the admin to tell the front office; her page said nothing. Said
// at the alerts' top (under a low disk) until Tutup or the day's end (the server sends it no more).
function restoredLine(closed) {
  const r = state.restored;
  if (!r || isDismissed({ ...r, type: "restored" }, closed)) return null;
  const close = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
  close.addEventListener("click", () => dismiss([{ ...r, type: "restored" }]));
  const said = r.labels && r.labels.length
    ? t("alert.restored_after", { time: hhmm(r.made), labels: r.labels.join(", ") })
    : t("alert.restored_fresh");
  return el("li", { dataset: { type: "restored" } }, el("strong", {}, hhmm(r.at)), el("span", {}, ...wholeLabels(said)), close);
}

function onDisk(disk) {
  state.disk = disk || null;
  renderAlerts();
}

// ---- the office's announcement (Pengumuman) ---------------------------------------------------------------
// The front desk hears "SPSE sedang gangguan nasional" first: the header's "Pengumuman" opens a dialog to set the
// announcement the TVs run first and the kiosk shows in a band (PUT /api/announcement; for today only: keeping it
// past today is the admin's, on the admin page, and not offered here). The button is marked while one is shown; the
// dialog says what is shown now and until when, and follows a change made elsewhere (the admin, another front office
// PC: its settings_changed, read again here; the day's end: the snapshot) without a reload. What is typed is kept
// until it is saved: Esc or Tutup only close, a refusal is said in the dialog above the text, a change elsewhere
// while typing is said and leaves the text alone.
const ANN_MAX = 300; // the server's limit of each text (docs/api.md)
const annBoxes = { text: $("ann-text"), text_en: $("ann-text-en") };
const ann = { shown: null, filled: { text: "", text_en: "" }, said: null, kind: "", changed: null, busy: false,
  reads: 0, saves: 0 };
const annLine = (text) => text.replace(/\s*[\r\n]+\s*/g, " "); // the TV's running text is one line (the admin's)
const annTyped = () => Object.keys(annBoxes).some((k) => annBoxes[k].value !== ann.filled[k]);

// The one shown now (a snapshot's, a read after a change elsewhere, a save's answer). Text not typed in the
// dialog follows it; text typed is kept, and the change said (open or not: it is said when the dialog opens).
function showAnnouncement(shown, own = false) {
  const before = ann.shown;
  ann.shown = shown || null;
  const same = JSON.stringify(before) === JSON.stringify(ann.shown);
  const typedIs = (a) => Object.keys(annBoxes).every((k) => annBoxes[k].value === ((a && a[k]) || ""));
  if (!annTyped() || typedIs(ann.shown)) fillAnnouncement(); // (what was typed is what is shown now: nothing waits)
  else if (!same && !own) {
    const text = ann.shown ? ann.shown.text || ann.shown.text_en : "";
    ann.changed = () => (text ? t("ann.changed", { text }) : t("ann.changed_none"));
  }
  renderAnnouncement();
}

function fillAnnouncement() {
  for (const k of Object.keys(annBoxes)) annBoxes[k].value = ann.shown ? ann.shown[k] || "" : "";
  ann.filled = { text: annBoxes.text.value, text_en: annBoxes.text_en.value };
  ann.changed = null;
}

// What is shown now and until when: today (saved here or by the admin unticked), until removed or until a day
// (the admin's, which a save from here makes today's: said so), or none.
function announcementNow(a) {
  if (!a) return t("ann.none");
  if (!a.until) return t("ann.shown_kept");
  const today = state.day || new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE }).format(officeNow());
  return a.until > today ? t("ann.shown_until", { day: dayName(a.until) }) : t("ann.shown_today");
}

function renderAnnouncement() {
  const on = Boolean(ann.shown);
  const button = $("btn-announcement");
  button.classList.toggle("on", on);
  const mark = button.querySelector(".ann-on");
  mark.hidden = !on;
  mark.textContent = on ? t("ann.on") : "";
  button.title = on ? t("ann.on_title", { text: ann.shown.text || ann.shown.text_en }) : t("ann.button_title");
  button.setAttribute("aria-label", on ? `${t("ann.button")}: ${t("ann.on")}` : t("ann.button"));
  fitAnnButton();
  $("ann-now").textContent = announcementNow(ann.shown);
  $("ann-clear").hidden = !on;
  const said = ann.changed || ann.said;
  const words = typeof said === "function" ? said() : said || "";
  $("ann-said").hidden = !words;
  $("ann-said").textContent = words;
  $("ann-said").dataset.kind = ann.changed ? "warn" : ann.kind;
  for (const box of Object.values(annBoxes)) {
    growToText(box); // as tall as its text: 300 characters are five lines at 1024x768, read whole (once shown)
    const left = ANN_MAX - box.value.length;
    const out = $(`${box.id}-left`);
    const number = (x) => x.toLocaleString(getLang() === "en" ? "en-US" : "id-ID");
    out.textContent = left > 0 ? t("ann.left", { n: number(left) }) : t("ann.left_none", { max: number(ANN_MAX) });
    out.classList.toggle("full", left <= 0);
  }
  for (const b of [$("ann-save"), $("ann-clear")]) b.disabled = ann.busy;
}

// Its word where the bar has room for it, else its loudspeaker alone (an admin's nine pages at 1024 px): no word cut.
function fitAnnButton() {
  const button = $("btn-announcement");
  button.classList.remove("compact");
  if (button.scrollWidth > button.clientWidth + 1) button.classList.add("compact");
}

function annSay(kind, words) {
  ann.kind = kind;
  ann.said = words;
  renderAnnouncement();
}

function annFieldErrors(fields) {
  let first = null;
  for (const [k, box] of Object.entries(annBoxes)) {
    const words = (fields && (fields[`announcement.${k}`] || fields[k])) || "";
    document.querySelector(`.field-error[data-ann="${k}"]`).textContent = words;
    if (words) box.setAttribute("aria-invalid", "true");
    else box.removeAttribute("aria-invalid");
    if (words && !first) first = box;
  }
  return first;
}

function openAnnouncement() {
  const dialog = $("announcement-dialog");
  if (dialog.open) return;
  if (!annTyped()) fillAnnouncement(); // what is shown now, unless something typed waits to be saved
  if (!ann.changed && ann.kind !== "error") ann.said = null; // an earlier "Tersimpan." is old news
  renderAnnouncement();
  dialog.showModal();
  renderAnnouncement(); // its boxes measured, shown
  const box = annBoxes.text;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

// Simpan (Enter in a box too) sets it whole, for today; both boxes blank is none (the server's). Hapus: none.
async function saveAnnouncement(clear = false) {
  if (ann.busy) return;
  const body = clear ? { text: "", text_en: "" } : { text: annLine(annBoxes.text.value), text_en: annLine(annBoxes.text_en.value) };
  ann.busy = true;
  ann.changed = null;
  annFieldErrors({});
  annSay("", "");
  const mine = ++ann.saves;
  try {
    const { body: answer } = await api("PUT", "/api/announcement", body);
    ann.reads += 1; // a read asked before this save answers older news
    if (clear) for (const box of Object.values(annBoxes)) box.value = "";
    else for (const [k, box] of Object.entries(annBoxes)) box.value = body[k];
    ann.filled = { ...body };
    showAnnouncement(answer && answer.announcement, true);
    const blank = !body.text.trim() && !body.text_en.trim();
    annSay("info", () => t(clear || blank ? "ann.cleared" : "ann.saved"));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    // in the dialog, the text as typed: the server's words of each field under its box, its message above
    const first = annFieldErrors(err.fields);
    annSay("error", refused(err));
    if (first && mine === ann.saves) first.focus();
  } finally {
    ann.busy = false;
    renderAnnouncement();
  }
}

// A change made elsewhere (the admin page, another front office PC, the command line): the one shown now, read
// again (its event names the section only); an older read answered late is not taken.
async function readAnnouncement() {
  const mine = ++ann.reads;
  try {
    const { body } = await api("GET", "/api/announcement");
    if (mine === ann.reads) showAnnouncement(body && body.announcement);
  } catch (err) {
    // the next snapshot (a reconnect, the day's change) has it
  }
}

$("btn-announcement").addEventListener("click", openAnnouncement);
$("ann-close").addEventListener("click", () => $("announcement-dialog").close());
$("ann-clear").addEventListener("click", () => saveAnnouncement(true));
$("ann-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  saveAnnouncement();
});
for (const box of Object.values(annBoxes)) {
  box.addEventListener("input", renderAnnouncement); // the characters left
  // One line on the TV: Enter saves (as Simpan), never a line break; the dialog stays, with what was typed.
  box.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.isComposing || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    $("ann-form").requestSubmit();
  });
}
// Esc (the dialog's cancel) closes, as Tutup: what was typed stays for the next opening
$("announcement-dialog").addEventListener("close", () => {
  if (ann.kind !== "error" && !ann.changed) ann.said = null;
  $("btn-announcement").focus();
});
window.addEventListener("resize", () => {
  fitAnnButton();
  Object.values(annBoxes).forEach(growToText);
});
renderAnnouncement(); // the button's words before the first snapshot

// ---- live state --------------------------------------------------------------------------
function applyTicket(ticket) {
  if (!ticket || ticket.id === undefined) return;
  const before = state.tickets.get(ticket.id);
  // its place stays until the server's list says the new one (a finished ticket has none)
  state.tickets.set(ticket.id, { ...ticket, place: ticket.status === "waiting" && before ? before.place : undefined,
    // why it was cancelled: said by the cancel's own event and the list; another event's ticket has no such field
    cancel_reason: "cancel_reason" in ticket ? ticket.cancel_reason : before && before.cancel_reason });
}

function onSnapshot(snap) {
  // The snapshot holds the open tickets; finished ones seen since this page opened stay listed.
  // (and on a page left open overnight, no ticket of an earlier day but one still at a counter, listed in it)
  for (const [id, x] of state.tickets) if (ACTIVE.includes(x.status) || (snap.day && x.day !== snap.day)) state.tickets.delete(id);
  for (const x of snap.tickets || []) state.tickets.set(x.id, { ...x, place: (state.tickets.get(x.id) || {}).place });
  state.office = { ...(state.office || {}), ...(snap.office || {}) };
  state.counters = new Map((snap.counters || []).map((c) => [c.id, c]));
  releasesMissed(snap.counters || []);
  if ("announcement" in snap) {
    ann.reads += 1; // newer than a read still on its way
    showAnnouncement(snap.announcement); // a page opened, a reconnect, the office's new day (it ended at midnight)
  }
  if (snap.day) {
    if (state.day && state.day !== snap.day) newDay(snap.day); // yesterday's slips and counter notices: nobody to tell
    state.day = snap.day;
    forgetOtherDays(snap.day);
  }
  checkEditing(); // cancelled or finished while this page was away
  renderTickets();
  renderCounters();
  renderHours();
  state.printers = Array.isArray(snap.printers) ? snap.printers : []; // drawn with the disk's alert
  state.restored = snap.restored || null; // a restore of today (its line): drawn with the disk's alert
  onDisk(snap.disk);
  refreshList(); // the day's finished tickets, the places and waits
  loadAlerts(); // what failed, printed or gave up before the socket was in, or while it was away
  // Drawn with other settings than those in force: an admin's change whose event this page never got (its socket
  // late or away), or a server restarted with another config.toml.
  if (snap.page && PAGE.stamp && snap.page !== PAGE.stamp && !settingsStale) settingsChanged(false);
}

// The service and counter lists come from the page's config: reload when nothing would be lost. `resync`: false
// when a snapshot itself says so (its `page` stamp is not the one this page was drawn with).
let settingsStale = false;
const settingsWords = () => t("settings.changed");
function settingsChanged(resync = true) {
  settingsStale = true;
  const typing = ["name", "agency", "address", "phone", "problem"].some((n) => $("register")[n].value.trim());
  if (!state.busy && !typing) return location.reload();
  if (live && resync) live.resync();
  // After what the form's notice says (a second number's question, a refusal, the ticket being edited): those
  // words went, and the tick "Tetap terbitkan nomor kedua" stood there without its reason.
  const said = notices.get("reg-notice");
  if (said === settingsWords || (said && said.settings)) return; // said already
  if (!said || !(typeof said === "function" ? said() : said)) return notice("reg-notice", "info", settingsWords);
  const both = () => `${typeof said === "function" ? said() : said} ${t("settings.changed")}`;
  both.settings = true;
  notice("reg-notice", $("reg-notice").dataset.kind || "info", both);
}

// What an alert is of: its ticket and type, and for a print its paper (the slip: ticket or reprint;
// the form copy), from the alert or the event's data (`kind`, the print job's). The ticket by its id: a label comes
// back each day, and an earlier day's case of the same number (an escalation still open, its mail failed) is
// another ticket, whose alert or event took today's away (its label only when the id is not known).
function alertKey(type, label, data, ticket) {
  const paper = type === "print_failed" ? ((data && data.kind) === "form" ? " form" : " slip") : "";
  return `${type} ${ticket !== undefined && ticket !== null ? `#${ticket}` : label}${paper}`;
}

// What an alert is of, to match it: by its label's key, and by the ticket's id when both sides know it (an event or
// an alert without one is matched by its label alone). `of`: {key (alertKey without the id), ticket}.
function alertOf(type, label, data, ticket) {
  return { key: alertKey(type, label, data), ticket: ticket === null ? undefined : ticket };
}

function sameAlert(x, y) {
  return x.key === y.key && (x.ticket === undefined || y.ticket === undefined || x.ticket === y.ticket);
}

const ofAlert = (a) => alertOf(a.type, a.label, a, a.ticket);

function onEvent(ev) {
  // the office's announcement: its button and dialog follow, no reload (nothing else of this page changes)
  if (ev.type === "settings_changed" && ev.data && ev.data.section === "announcement") return readAnnouncement();
  if (ev.type === "settings_changed") return settingsChanged();
  const label = (ev.ticket && ev.ticket.label) || (ev.data && ev.data.label) || "?";
  // One alert per ticket and kind, the latest try's: a mail retried eight times is one line, not eight.
  // It goes when the slip prints after all (`printed`), or the mail is sent (`mail_sent`) or queued again by hand
  // (`mail_requeued`, the Eskalasi page's Kirim ulang: a try that fails again says so anew), or the case reaches LKPP
  // by hand (`lkpp_ticket`, its number recorded; `closed`, LKPP's answer): a mail still being tried is withdrawn
  // then, never tried again, and its alert said "being retried" of it until the page was loaded again.
  // A print's alert is of its paper: a form copy that prints does not take the failed slip's away.
  const gone = { printed: "print_failed", mail_sent: "mail_failed", mail_requeued: "mail_failed",
                 lkpp_ticket: "mail_failed", closed: "mail_failed" }[ev.type];
  if (ALERT_TYPES.includes(ev.type) || gone) {
    // of that ticket: an older day's case of the same number (its LKPP answer recorded days later) takes not today's
    const of = alertOf(gone || ev.type, label, ev.data, ev.ticket ? ev.ticket.id : undefined);
    if (alertsLoading) alertsLoading.push(of); // said live during a load: newer than what the load reads
    const before = state.alerts.length;
    state.alerts = state.alerts.filter((a) => !sameAlert(ofAlert(a), of));
    if (gone && state.alerts.length !== before) renderAlerts();
  }
  if (ALERT_TYPES.includes(ev.type)) {
    state.alerts.unshift({
      type: ev.type,
      at: ev.at,
      label,
      ticket: ev.ticket ? ev.ticket.id : undefined,
      kind: ev.data && ev.data.kind,
      error: (ev.data && ev.data.error) || "?",
      final: Boolean(ev.data && (ev.data.final || ev.data.status === "failed")),
      attempts: ev.data && ev.data.attempts,
      advice: ev.data && ev.data.advice,
      printer: ev.data && ev.data.printer,
      job: ev.data && ev.data.job,
    });
    // A printer said back (its lines: "sudah mencetak lagi") fails again: the server's advice of its failures is
    // what is wrong and what to do again, read anew (the alerts' back advice alone is kept here).
    const printer = ev.data && ev.data.printer;
    if (ev.type === "print_failed" && state.alerts.some((a) => a.printer === printer && a.advice && a.advice.back)) {
      loadAlerts();
    }
    renderAlerts();
  }
  const data = ev.data || {};
  const ticketId = ev.ticket && ev.ticket.id;
  if (ev.type === "printed" && data.kind !== "form" && ticketId !== undefined) { // a slip now (a reprint): none missing
    state.skipped = state.skipped.filter((a) => a.ticket !== ticketId);
  }
  if (ev.type === "printed" && data.late) { // a slip printed after failing, that nobody took
    addSlip(state.late, { type: "print_late", label, printer: data.printer || "?", job: data.job, at: ev.at,
                          ticket: ticketId });
  }
  if (ev.type === "print_skipped") { // its ticket no longer waits: its failure alert goes, and why is said
    const of = alertOf("print_failed", label, data, ticketId);
    if (alertsLoading) alertsLoading.push(of);
    state.alerts = state.alerts.filter((a) => !sameAlert(ofAlert(a), of));
    if (data.attempts > 0) { // the front office was told it failed (the kiosk's visitor too)
      addSlip(state.skipped, { type: "print_skipped", label, printer: data.printer || "?", job: data.job, at: ev.at,
                               reason: data.reason, ticket: ticketId });
    }
  }
  // A close made by mistake undone: the case's mail is as it was before the close (tried again, or failed for good
  // and to forward by hand), and the alert its `closed` took away is said again at once, as the list has it now
  // (not at the mail's next try, or the next snapshot).
  if (ev.type === "reopened" && !(ev.ticket && ev.ticket.lkpp_ticket)) loadAlerts();
  if (ev.type && ev.type.startsWith("counter_")) onCounterEvent(ev); // `counter_claimed` names a holder
  if (ev.type === "office_opened" || ev.type === "office_closed") {
    state.office = { ...(state.office || {}), ...(ev.data || {}) };
    renderHours();
  }
  // every place and wait behind a change moves: the server's list again (one fetch at a time)
  if (ev.ticket || /^(counter_|office_)/.test(ev.type || "")) refreshList();
  applyTicket(ev.ticket);
  checkEditing();
  renderTickets();
  renderCounters();
  renderAlerts(); // a late slip's ticket called or cancelled: its name goes (drawn again only when changed)
}

const offline = () => t("live.offline");

function onStatus(up) {
  $("live-status").dataset.state = up ? "on" : "off";
  if (!up) notice("list-notice", "error", offline);
  else if (notices.get("list-notice") === offline) notice("list-notice", "", "");
}

// ---- the session ended (the working day's end, a new password, a logout in another tab) ------------------
// The page goes to its login saying so, not bare: what the page last said (the number just issued, which the
// visitor at the desk is to be told; a cancel, a reprint) is said on the login and again after it, and the
// unissued visitor's form is back (its draft, kept in this tab at every keystroke). A correction not saved
// is said lost (it cannot be saved without a login), with no "leave the page?" question first. Why it ended is said
// first, in the counter page's words (GET /api/me's `ended`, asked once before the reload: common.js whyEnded).
const ENDED_KEY = "antrian.front.ended";
const SAID = ["reg-notice", "list-notice"];
let ending = false;

async function sessionEnded() {
  if (ending) return;
  ending = true;
  const said = SAID.filter((id) => $(id).textContent && notices.get(id) !== offline)
    .map((id) => [id, $(id).dataset.kind || "", $(id).textContent]);
  for (const n of [...counterNotes.list].reverse()) { // each line of the counters', the oldest first
    said.push(["counter-notice", n.kind, typeof n.words === "function" ? n.words() : n.words]);
  }
  const edit = editUnsaved() ? state.editing.label : null;
  // the releases this page knew of: one after them (a session that ended at midnight, the page at its login) is
  // said after the login, of whichever day (releasesMissed)
  const released = releaseSeen ? [...releaseSeen] : null;
  // the announcement's text typed and not saved (lost with the page before): back in its dialog after the login
  const annKept = annTyped() ? { text: annBoxes.text.value, text_en: annBoxes.text_en.value, filled: ann.filled,
                                 shown: ann.shown } : null;
  const reason = await whyEnded(); // asked after the page's words were taken: nothing redrawn meanwhile is said
  const username = state.me ? state.me.username : "";
  try {
    sessionStorage.setItem(ENDED_KEY, JSON.stringify({ said, edit, day: state.day, released, reason, username,
                                                       ann: annKept }));
  } catch (err) {
    // storage off: the login alone
  }
  location.reload();
}
window.antrianSessionEnded = sessionEnded; // common.js, when the live socket finds the session gone

function takeEnded() {
  try {
    const ended = JSON.parse(sessionStorage.getItem(ENDED_KEY) || "null");
    sessionStorage.removeItem(ENDED_KEY);
    // The counters freed while the page waited at its login (overnight too: the officers' sessions end at the
    // office's midnight, the page's own with them or before) are said after it, not noted as known.
    if (ended && Array.isArray(ended.released) && !releaseSeen) releaseSeen = new Map(ended.released);
    // Of another office day (a page left open overnight ran into the session's end in the evening): what it
    // said then ("A-012 diterbitkan") is not to be said as news beside today's A-012.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE }).format(officeNow());
    if (ended && ended.day && ended.day !== today) return null;
    return ended && Array.isArray(ended.said) ? ended : null;
  } catch (err) {
    return null;
  }
}

let ended = null; // read at the login, said again after it (start)

function showLoginAfterEnd() {
  ended = takeEnded();
  if (ended) {
    let draft = null;
    try {
      draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
    } catch (err) {
      draft = null;
    }
    const said = ended;
    const reason = endedReason(said.reason);
    // said again in the other language at the switch (what the page said before is quoted as it was)
    sayAtLogin(() => {
      const words = [reason ? t(`ended.why.${reason}`) : t("ended.login")];
      const reg = said.said.find(([id]) => id === "reg-notice");
      if (reg && !said.edit) words.push(t("ended.said", { text: reg[2] }));
      if (said.edit) words.push(t("ended.edit_lost", { label: said.edit }));
      if (reason) words.push(t("ended.again"));
      if (hasText(draft)) words.push(t("ended.kept"));
      if (said.ann) words.push(t("ended.ann_kept"));
      return words.join(" ");
    });
  }
  showLogin(start);
  // The clerk types the password only, as at the counter: the name is the one the page knew (another at this PC
  // changes it).
  const form = $("login-form");
  if (ended && typeof ended.username === "string" && ended.username && !form.username.value) {
    form.username.value = ended.username;
    form.password.focus();
  }
}

// (taken here too when the reload found the session alive after all: never said on a later, plain login)
function sayAgainAfterLogin() {
  const said = ended || takeEnded();
  ended = null;
  if (!said) return;
  for (const [id, kind, text] of said.said) {
    if (id === "counter-notice") counterNotice(kind, text);
    else if (SAID.includes(id)) notice(id, kind, text);
  }
  if (said.edit) notice("reg-notice", "warn", t("ended.edit_lost", { label: said.edit }));
  annAfterLogin = said.ann && typeof said.ann === "object" ? said.ann : null;
}

// The announcement's text typed when the session ended, in its dialog again over the page (the login said so): as
// it was, not saved, beside what was shown then; the snapshot that comes says a change made meanwhile (showAnnouncement).
let annAfterLogin = null;
function reopenAnnouncement() {
  const kept = annAfterLogin;
  annAfterLogin = null;
  if (!kept || typeof kept.text !== "string" || typeof kept.text_en !== "string") return;
  const filled = kept.filled || {};
  ann.shown = kept.shown && typeof kept.shown === "object" ? kept.shown : null;
  ann.filled = { text: String(filled.text || ""), text_en: String(filled.text_en || "") };
  annBoxes.text.value = kept.text;
  annBoxes.text_en.value = kept.text_en;
  openAnnouncement();
  annSay("warn", () => t("ann.kept"));
}

let live = null;

function start(user) {
  state.me = user;
  if (user.role !== "frontoffice" && user.role !== "admin") {
    document.body.dataset.view = "forbidden";
    say($("forbidden"), "login.wrong_role");
    return;
  }
  document.body.dataset.view = "app";
  showUser(user);
  fitAnnButton(); // the name took its room in the bar
  document.fonts.ready.then(fitAnnButton); // measured again in the bar's own letters
  renderTickets();
  renderCounters();
  renderAlerts();
  restoreDraft();
  restoreSaid();
  sayAgainAfterLogin();
  $("r-name").focus();
  reopenAnnouncement(); // after the form's focus: the dialog takes it
  // Exposed for tests and the browser console: feed one event as if it came over the socket.
  // for tests: whether the list has stood still long enough for a click to be taken (justMoved)
  // `seq`: the change the page is current to (the tests' events said by hand come after the server's own)
  window.antrianFront = { onEvent, onDisk, onPrinters, settled: () => performance.now() - list.movedAt >= SETTLE_MS,
                          seq: () => (live ? live.seq() : null) };
  setupList();
  refreshList();
  setInterval(refreshList, 60000); // the waits go on with the clock, and the day ends
  live = connectLive("frontoffice", { onSnapshot, onEvent, onStatus });
  live.socket.on("disk", onDisk); // the free disk space changed while it is low (no seq: not a change)
  live.socket.on("printers", onPrinters); // a printer's paper nearly out, or a new roll in (no seq: not a change)
  // A printer printed again after its failures (switched on, a new roll, its agent back; no seq): its lines say
  // so, in the server's words (the print jobs' advice), no longer "nyalakan printer" all afternoon.
  live.socket.on("print_back", () => loadAlerts());
  loadAlerts(); // at once; again at the socket's snapshot (onSnapshot)
}

// What went wrong before this page was opened is an alert too, one per ticket and kind: today's slips
// that gave up or are being retried (none when a later slip of the ticket printed), and the escalation
// e-mails that failed or are being retried. Loaded when the page starts and again at each snapshot of the
// socket (its first, a reconnect, a gap in the events): a slip that failed between the first load's answer
// and the socket's start, or printed while the socket was away, is in no event this page got. A load's
// answer replaces the alerts of its kind, but for those a live event said while it was on its way.
let alertsLoading = null; // while a load is on its way: the alerts (alertOf) live events said meanwhile
let alertsAgain = false; // a snapshot came during a load: load once more after it

async function loadAlerts() {
  if (alertsLoading) {
    alertsAgain = true;
    return;
  }
  alertsLoading = [];
  const found = [];
  const loaded = new Set(); // the kinds of alert whose list answered
  try {
    const { body } = await api("GET", "/api/print-jobs");
    loaded.add("print_failed");
    const settled = new Set(); // tickets' papers whose newest print is settled (printed, or already alerted)
    for (const job of (body && body.jobs) || []) { // newest first
      const key = alertKey("print_failed", job.label, job, job.ticket_id);
      if (job.today === false) continue; // an earlier day's: its visitor is gone
      if (job.status === "printed" && job.late) {
        addSlip(state.late, { type: "print_late", label: job.label, printer: job.printer || "?", job: job.id,
                              at: job.printed_at || job.created_at, ticket: job.ticket_id });
      }
      if (settled.has(key)) continue;
      if (job.status === "printed") settled.add(key);
      if (job.status === "skipped") { // its newest slip was not printed: no alert of the ones before, and why
        settled.add(key);
        if (job.attempts > 0) {
          addSlip(state.skipped, { type: "print_skipped", label: job.label, printer: job.printer || "?", job: job.id,
                                   at: job.next_attempt_at || job.created_at, reason: job.reason, // when skipped
                                   ticket: job.ticket_id });
        }
        continue;
      }
      if (job.status !== "failed" && job.status !== "retrying") continue;
      settled.add(key);
      // when it failed, as its print_failed event said to a page open then (its job's creation on older servers)
      found.push({ type: "print_failed", at: job.failed_at || job.created_at, label: job.label, ticket: job.ticket_id,
                   kind: job.kind, error: job.error || "?", final: job.status === "failed", attempts: job.attempts, advice: job.advice,
                   printer: job.printer, job: job.id });
    }
  } catch (err) {
    // Older servers have no /api/print-jobs: the live alerts still arrive over the socket.
  }
  try {
    const { body } = await api("GET", "/api/escalations");
    loaded.add("mail_failed");
    for (const x of (body && body.escalations) || []) {
      const mail = x.mail;
      if (!mail || (mail.status !== "failed" && mail.status !== "retrying")) continue;
      if (x.lkpp_ticket) continue; // forwarded by hand: LKPP has the case, nothing left to do (as live: lkpp_ticket)
      // when it failed, as its mail_failed event said to a page open then (its escalation on older servers)
      found.push({ type: "mail_failed", at: mail.failed_at || x.escalated_at, label: x.label, ticket: x.id,
                   error: mail.error || "?", final: mail.status === "failed", attempts: mail.attempts,
                   advice: mail.advice });
    }
  } catch (err) {
    // the live alerts still arrive
  }
  // An alert a live event said meanwhile is newer: it stays (or stays gone), and the loaded one of its ticket and
  // kind goes. The others of a kind that answered are the answer's; of a kind that did not, they stay as they were.
  const said = alertsLoading;
  alertsLoading = null;
  const saidOf = (a) => said.some((x) => sameAlert(x, ofAlert(a)));
  const kept = state.alerts.filter((a) => !loaded.has(a.type) || saidOf(a));
  state.alerts = kept.concat(found.filter((a) => !saidOf(a) && !kept.some((k) => sameAlert(ofAlert(k), ofAlert(a)))));
  renderAlerts();
  $("alerts").dataset.loaded = "true"; // those from before the page are in (what a test waits for)
  if (alertsAgain) {
    alertsAgain = false;
    loadAlerts();
  }
}

$("register").addEventListener("submit", register);
// A double click on "Terbitkan nomor antrian" is one registration: its second half, once the number came back
// and the form was emptied, sent the empty form, and "Wajib diisi" under every field took the place of the
// number issued (and of a correction saved: "Simpan").
$("btn-register").addEventListener("click", (ev) => {
  if (doubled(ev)) ev.preventDefault();
});
$("btn-cancel-edit").addEventListener("click", () => {
  endEdit();
  notice("reg-notice", "", "");
  $("register").name.focus(); // the button is gone (hidden): the focus with it
});
$("register").addEventListener("input", (ev) => {
  state.regRequest = null; // another visitor, or corrected
  state.answeredAt = -Infinity; // typed since the last answer: an Enter sends it
  if (ev.target.name === "service") { // another service: its own quota
    $("override-row").hidden = true;
    $("r-override").checked = false;
  }
  if (LIMITED.includes(ev.target.name)) showLimit(ev.target.name);
  keepDraft();
});
$("register").addEventListener("change", keepDraft); // a select, the priority box
$("btn-draft-clear").addEventListener("click", () => {
  const form = $("register");
  const service = form.service.value;
  form.reset();
  form.service.value = service;
  state.regRequest = null;
  clearFieldErrors();
  dropDraft();
  if (reloadStale(null)) return;
  form.name.focus();
});
// The address is one line for the server (its line breaks become spaces), in a box of two lines to check it
// against the paper: Enter does there what it does in the name or the phone.
// So does the service's and the category's list, closed (an open one's Enter is its choice, not the page's): a wrong
// service corrected by keyboard (Ubah data, Shift+Tab, "B") was saved only after eight Tabs to the button.
for (const id of ["r-address", "r-service", "r-category"]) {
  $(id).addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.isComposing || ev.altKey) return;
    ev.preventDefault();
    $("register").requestSubmit();
  });
}
// A correction not saved yet is asked about before the page goes (the new visitor's form is kept instead).
window.addEventListener("beforeunload", (ev) => {
  if (ending || !editUnsaved()) return; // the session ended: the login comes, said (sessionEnded)
  ev.preventDefault();
  ev.returnValue = "";
});
window.addEventListener("storage", (ev) => {
  if (ev.key === DISMISSED_KEY) renderAlerts(); // closed in another tab
});
$("logout").addEventListener("click", logout);
setupLangToggle(() => {
  for (const id of notices.keys()) sayNotice(id); // what the page said, in the new language
  renderCounterNotices();
  if (state.editing) $("btn-register").textContent = t("reg.save", { label: state.editing.label });
  for (const name of LIMITED) showLimit(name);
  renderTickets();
  renderHours();
  renderCounters();
  renderAlerts();
  renderAnnouncement();
});
whoAmI().then((user) => (user ? start(user) : showLoginAfterEnd()));
