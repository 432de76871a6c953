// The front office's page: SOP steps 1-6 by hand (register a visitor), cancel, reprint, alerts.
import {
  ACTIVE, PAGE, api, connectLive, doubled, el, getLang, hhmm, logout, requestId, secondClick, setupLangToggle, showLogin,
  showUser, statusName, t,
  whoAmI,
} from "./common.js";

const ALERT_TYPES = ["print_failed", "mail_failed"];
const FIELDS = ["service", "name", "agency", "address", "phone", "problem", "category", "priority"];
const state = { me: null, tickets: new Map(), counters: new Map(), alerts: [], disk: null, busy: false, armed: null,
  armedCounter: null, regRequest: null, editing: null, draft: null };
const $ = (id) => document.getElementById(id);

function notice(id, kind, text) {
  $(id).dataset.kind = kind;
  $(id).textContent = text;
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

// Each refused field gets the server's words under it and is marked; the first one takes the focus.
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
}

async function register(ev) {
  ev.preventDefault();
  if (state.busy) return;
  if (state.editing) return saveEdit();
  const form = $("register");
  // One request_id for this visitor until the server answers: a retry after a lost answer (the network
  // dropped after the ticket was issued) gets the same ticket back, not a second number. A changed
  // form, or an answer, starts a new one.
  state.regRequest ||= requestId();
  const data = { request_id: state.regRequest, priority: form.priority.checked };
  for (const name of ["service", "name", "agency", "address", "phone", "problem", "category"]) {
    if (form[name].value) data[name] = form[name].value;
  }
  if (form.override_quota.checked) data.override_quota = true; // offered only after a quota refusal
  state.busy = true;
  $("btn-register").disabled = true;
  clearFieldErrors();
  notice("reg-notice", "", "");
  try {
    const { body } = await api("POST", "/api/tickets", data);
    state.regRequest = null;
    notice("reg-notice", "info", t("reg.done", { label: body.ticket.label, position: body.ticket.position }));
    form.reset();
    $("override-row").hidden = true;
    form.service.value = data.service;
    form.name.focus();
  } catch (err) {
    // Refused (4xx but 429): nothing was issued, so the corrected form is a new request. No answer, 429
    // or 5xx: the same request_id on the retry.
    if (err.status >= 400 && err.status < 500 && err.status !== 429) state.regRequest = null;
    notice("reg-notice", "error", err.message);
    // The day's quota of the service is spent: the front office may still take a visitor who is here.
    if (err.body.error === "quota_reached") $("override-row").hidden = false;
    showFieldErrors(err.fields);
  } finally {
    state.busy = false;
    $("btn-register").disabled = false;
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
  state.regRequest = null;
  clearFieldErrors();
  for (const name of IDENTITY) form[name].value = (x.form && x.form[name]) || "";
  form.service.value = x.service;
  for (const name of ["service", "category", "priority"]) form[name].disabled = true; // not changed here
  $("override-row").hidden = true;
  $("btn-register").textContent = t("reg.save", { label: x.label });
  $("btn-cancel-edit").hidden = false;
  notice("reg-notice", "info", t("reg.editing", { label: x.label }));
  form.scrollIntoView({ block: "start" });
  form.name.focus();
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
  state.regRequest = null;
  form.reset();
  for (const name of ["service", "category", "priority"]) form[name].disabled = false;
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
}

async function saveEdit() {
  const form = $("register");
  const x = state.editing;
  state.regRequest ||= requestId();
  const data = { request_id: state.regRequest };
  for (const name of IDENTITY) data[name] = form[name].value;
  state.busy = true;
  $("btn-register").disabled = true;
  clearFieldErrors();
  try {
    const { body } = await api("POST", `/api/tickets/${ref(x)}/form`, data);
    applyTicket(body.ticket);
    endEdit();
    notice("reg-notice", "info", t(body.changed.length ? "reg.corrected" : "reg.unchanged", { label: x.label }));
    renderTickets();
  } catch (err) {
    if (err.status >= 400 && err.status < 500 && err.status !== 429) state.regRequest = null;
    notice("reg-notice", "error", err.message);
    showFieldErrors(err.fields);
  } finally {
    state.busy = false;
    $("btn-register").disabled = false;
  }
}

// ---- today's tickets --------------------------------------------------------------------
async function cancel(ticket, button, ev) {
  if (state.armed === ticket.id && doubled(ev)) return;
  if (state.armed !== ticket.id) {
    // A cancel cannot be undone: the first click arms the button (its row drawn again, asking to
    // confirm), the second cancels; the second half of a double click is no confirmation.
    state.armed = ticket.id;
    renderTickets();
    setTimeout(() => {
      if (state.armed === ticket.id) {
        state.armed = null;
        renderTickets();
      }
    }, 4000);
    return;
  }
  state.armed = null;
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/tickets/${ref(ticket)}/cancel`, { request_id: requestId() });
    applyTicket(body.ticket);
    notice("list-notice", "info", t("done.cancelled", { label: ticket.label }));
  } catch (err) {
    notice("list-notice", "error", t("fail.cancel", { label: ticket.label, text: err.message }));
  }
  ticketRows.delete(ticket.id); // drawn afresh: a refused cancel leaves its button usable again
  renderTickets();
}

async function reprint(ticket, button) {
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/tickets/${ref(ticket)}/reprint`, { request_id: requestId() });
    const job = body && body.print_job;
    const said = (body && body.message) || t(body && body.again ? "done.reprint_again" : "done.reprint_ok",
      { job: typeof job === "object" && job ? job.id : job ?? "?" });
    notice("list-notice", "info", t("done.reprint", { label: ticket.label, text: said }));
  } catch (err) {
    notice("list-notice", "error", t("fail.reprint", { label: ticket.label, text: err.message }));
  } finally {
    button.disabled = false;
  }
}

// Each ticket's row is kept while what it shows stays the same, so a live event redraws the one or two
// rows it changed, not the day's hundreds: at 200 tickets, drawing them all again cost Chromium's
// renderer 48 ms an event on a 2-core VM, 19 ms with the rows kept (an office's old PC: a few times that).
const ticketRows = new Map(); // ticket id -> { key, tr }

function ticketRow(x, counters) {
  const form = x.form || {};
  const key = JSON.stringify([
    getLang(), x.label, x.priority, x.requeues, form.name, form.agency, x.status, x.calls, x.counter_id,
    counters[x.counter_id], x.created_at, state.armed === x.id,
  ]);
  const kept = ticketRows.get(x.id);
  if (kept && kept.key === key) return kept.tr;
  const cancellable = x.status === "waiting" || x.status === "called";
  const cancelBtn = cancellable
    ? el("button", { type: "button", class: "small", dataset: { act: "cancel" } },
        state.armed === x.id ? t("btn.cancel_confirm") : t("btn.cancel"))
    : null;
  if (cancelBtn) cancelBtn.addEventListener("click", (ev) => cancel(x, cancelBtn, ev));
  const reprintBtn = el("button", { type: "button", class: "small", dataset: { act: "reprint" } }, t("btn.reprint"));
  reprintBtn.addEventListener("click", () => reprint(x, reprintBtn));
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
    { dataset: { label: x.label, status: x.status } },
    el("td", { class: "label" }, x.label, x.priority ? el("span", { class: "tag prio" }, "P") : null),
    el("td", {}, form.name || "", el("br"), el("span", { class: "muted" }, form.agency || "")),
    el(
      "td",
      { class: "status" },
      statusName(x.status),
      x.status === "called" ? ` (${x.calls}/${PAGE.max_calls})` : "",
      // skipped and requeued: a visitor asking why their number was passed gets the answer here
      x.requeues ? el("span", { class: "tag" }, t("requeued", { n: x.requeues })) : null,
    ),
    el("td", {}, x.counter_id ? counters[x.counter_id] || x.counter_id : ""),
    el("td", {}, hhmm(x.created_at)),
    el("td", {}, el("div", { class: "acts" }, editBtn, cancelBtn, formLink, reprintBtn)),
  );
  if (kept && kept.tr.parentNode) kept.tr.replaceWith(tr); // in its place: the rows after it stay put
  ticketRows.set(x.id, { key, tr });
  return tr;
}

function renderTickets() {
  const counters = Object.fromEntries(PAGE.counters.map((c) => [c.id, c.name]));
  const list = [...state.tickets.values()].sort((a, b) => (b.created_at || "").localeCompare(a.created_at || "") || b.id - a.id);
  const rows = list.map((x) => ticketRow(x, counters));
  for (const id of ticketRows.keys()) if (!state.tickets.has(id)) ticketRows.delete(id);
  const body = $("tickets");
  const wanted = new Set(rows);
  for (const tr of [...body.children]) if (!wanted.has(tr)) tr.remove();
  // What is left is in order; a new ticket's row goes in at its place (the top, newest first).
  rows.forEach((tr, i) => {
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null);
  });
  $("tickets-empty").hidden = rows.length > 0;
}

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
  const params = { counter: counterName(id), officer: entry.officer || "?", label };
  try {
    await api("POST", `/api/counters/${id}/release`, {});
    state.counters.set(id, { ...entry, officer: null });
    notice("counter-notice", "info", t(entry.officer ? "done.released" : "done.returned", params));
  } catch (err) {
    if (err.status === 401) return location.reload();
    notice("counter-notice", "error", t("fail.release", { ...params, text: err.message }));
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
      releaseBtn = el(
        "button",
        {
          type: "button",
          class: "small",
          dataset: { act: "release" },
          title: entry.officer
            ? t("btn.release_title", { counter: c.name, officer: entry.officer })
            : t("btn.return_title", { counter: c.name, label: ticket.label }),
        },
        state.armedCounter === c.id ? t("btn.release_confirm") : t("btn.release"),
      );
      releaseBtn.addEventListener("click", (ev) => release(c.id, releaseBtn, ev, stranded ? ticket.label : null));
    }
    return el(
      "tr",
      { dataset: { counter: String(c.id), held: String(Boolean(entry.officer)) } },
      el("td", { class: "name" }, c.name),
      el("td", {}, entry.officer || el("span", { class: "muted" }, t("counter.free"))),
      el("td", {}, now),
      el("td", { class: "acts" }, releaseBtn),
    );
  });
  $("counter-rows").replaceChildren(...rows);
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
  if (ev.type === "counter_released" && data.by === "auto" && data.officer) {
    // The server freed it ([queue] counter_release_minutes without a page of its officer): say so here.
    const params = { counter: counterName(id), officer: data.officer, time: hhmm(ev.at), minutes: data.minutes ?? "?" };
    let text = t("auto.released", params);
    if (data.returned) text += ` ${t("auto.returned", { label: data.returned })}`;
    notice("counter-notice", "warn", text);
  } else if (ev.type === "counter_released" && data.returned && data.officer && data.by === data.officer) {
    // its officer logged out while calling a visitor: the ticket went back to the line at its place
    notice("counter-notice", "info", t("logout.returned", { counter: counterName(id), officer: data.officer, label: data.returned }));
  }
  state.counters.set(id, entry);
}

function renderAlerts() {
  const items = state.alerts.map((a, i) => {
    const dismiss = el("button", { type: "button", class: "small" }, t("alert.dismiss"));
    dismiss.addEventListener("click", () => {
      state.alerts.splice(i, 1);
      renderAlerts();
    });
    return el(
      "li",
      { dataset: { type: a.type } },
      el("strong", {}, hhmm(a.at)),
      el(
        "span",
        {},
        // A print failure says in words which printer, what is wrong and what to do (the server's advice,
        // Indonesian or English); the printer's raw message stays beside it, small, for the admin.
        // (a mail's advice names its ticket already)
        a.advice ? `${a.advice[getLang()] || a.advice.id}${a.type === "print_failed" ? ` (${a.label})` : ""}`
          : t(`alert.${a.type}`, { label: a.label, error: a.error }),
        a.advice ? el("small", { class: "muted alert-detail" }, ` — ${a.error}`) : null,
        a.attempts ? el("small", { class: "muted" }, ` (${a.final ? t("alert.final") : t("alert.attempt", { n: a.attempts })})`) : null,
      ),
      dismiss,
    );
  });
  // Low disk space (the staff state's `disk`, the server's words): first, and kept until there is room again.
  const disk = state.disk && state.disk.message; // a low disk, a failed daily backup
  if (disk) items.unshift(el("li", { dataset: { type: "disk_low" } }, el("span", {}, disk[getLang()] || disk.id)));
  $("alerts").replaceChildren(...items);
  $("alerts-empty").hidden = items.length > 0;
}

function onDisk(disk) {
  state.disk = disk || null;
  renderAlerts();
}

// ---- live state --------------------------------------------------------------------------
function applyTicket(ticket) {
  if (!ticket || ticket.id === undefined) return;
  state.tickets.set(ticket.id, ticket);
}

function onSnapshot(snap) {
  // The snapshot holds the open tickets; finished ones seen since this page opened stay listed.
  for (const [id, x] of state.tickets) if (ACTIVE.includes(x.status)) state.tickets.delete(id);
  for (const x of snap.tickets || []) state.tickets.set(x.id, x);
  state.counters = new Map((snap.counters || []).map((c) => [c.id, c]));
  renderTickets();
  renderCounters();
  onDisk(snap.disk);
}

// The service and counter lists come from the page's config: reload when nothing would be lost.
function settingsChanged() {
  const typing = ["name", "agency", "address", "phone", "problem"].some((n) => $("register")[n].value.trim());
  if (!state.busy && !typing) return location.reload();
  if (live) live.resync();
  notice("reg-notice", "info", t("settings.changed"));
}

// What an alert is of: its ticket and type, and for a print its paper (the slip: ticket or reprint;
// the form copy), from the alert or the event's data (`kind`, the print job's).
function alertKey(type, label, data) {
  const paper = type === "print_failed" ? ((data && data.kind) === "form" ? " form" : " slip") : "";
  return `${type} ${label}${paper}`;
}

function onEvent(ev) {
  if (ev.type === "settings_changed") return settingsChanged();
  const label = (ev.ticket && ev.ticket.label) || (ev.data && ev.data.label) || "?";
  // One alert per ticket and kind, the latest try's: a mail retried eight times is one line, not eight.
  // It goes when the slip prints after all (`printed`) or the mail is sent (`mail_sent`).
  // A print's alert is of its paper: a form copy that prints does not take the failed slip's away.
  const gone = { printed: "print_failed", mail_sent: "mail_failed" }[ev.type];
  if (ALERT_TYPES.includes(ev.type) || gone) {
    const key = alertKey(gone || ev.type, label, ev.data);
    const before = state.alerts.length;
    state.alerts = state.alerts.filter((a) => alertKey(a.type, a.label, a) !== key);
    if (gone && state.alerts.length !== before) renderAlerts();
  }
  if (ALERT_TYPES.includes(ev.type)) {
    state.alerts.unshift({
      type: ev.type,
      at: ev.at,
      label,
      kind: ev.data && ev.data.kind,
      error: (ev.data && ev.data.error) || "?",
      final: Boolean(ev.data && (ev.data.final || ev.data.status === "failed")),
      attempts: ev.data && ev.data.attempts,
      advice: ev.data && ev.data.advice,
    });
    renderAlerts();
  }
  if (ev.type && ev.type.startsWith("counter_")) onCounterEvent(ev); // `counter_claimed` names a holder
  applyTicket(ev.ticket);
  renderTickets();
  renderCounters();
}

function onStatus(up) {
  $("live-status").dataset.state = up ? "on" : "off";
  if (!up) notice("list-notice", "error", t("live.offline"));
  else if ($("list-notice").textContent === t("live.offline")) notice("list-notice", "", "");
}

let live = null;

function start(user) {
  state.me = user;
  if (user.role !== "frontoffice" && user.role !== "admin") {
    document.body.dataset.view = "forbidden";
    $("forbidden").textContent = t("login.wrong_role");
    return;
  }
  document.body.dataset.view = "app";
  showUser(user);
  renderTickets();
  renderCounters();
  renderAlerts();
  $("r-name").focus();
  // Exposed for tests and the browser console: feed one event as if it came over the socket.
  window.antrianFront = { onEvent, onDisk };
  live = connectLive("frontoffice", { onSnapshot, onEvent, onStatus });
  live.socket.on("disk", onDisk); // the free disk space changed while it is low (no seq: not a change)
  loadAlerts();
}

// What went wrong before this page was opened is an alert too, one per ticket and kind: today's slips
// that gave up or are being retried (none when a later slip of the ticket printed), and the escalation
// e-mails that failed or are being retried.
async function loadAlerts() {
  const found = [];
  try {
    const { body } = await api("GET", "/api/print-jobs");
    const settled = new Set(); // tickets' papers whose newest print is settled (printed, or already alerted)
    for (const job of (body && body.jobs) || []) { // newest first
      const key = alertKey("print_failed", job.label, job);
      if (job.today === false || settled.has(key)) continue; // an earlier day's: its visitor is gone
      if (job.status === "printed") settled.add(key);
      if (job.status !== "failed" && job.status !== "retrying") continue;
      settled.add(key);
      found.push({ type: "print_failed", at: job.created_at, label: job.label, kind: job.kind, error: job.error || "?",
                   final: job.status === "failed", attempts: job.attempts, advice: job.advice });
    }
  } catch (err) {
    // Older servers have no /api/print-jobs: the live alerts still arrive over the socket.
  }
  try {
    const { body } = await api("GET", "/api/escalations");
    for (const x of (body && body.escalations) || []) {
      const mail = x.mail;
      if (!mail || (mail.status !== "failed" && mail.status !== "retrying")) continue;
      found.push({ type: "mail_failed", at: x.escalated_at, label: x.label, error: mail.error || "?",
                   final: mail.status === "failed", attempts: mail.attempts, advice: mail.advice });
    }
  } catch (err) {
    // the live alerts still arrive
  }
  // An alert that came live meanwhile is newer: it stays, and the loaded one of its ticket and kind goes.
  const live = new Set(state.alerts.map((a) => alertKey(a.type, a.label, a)));
  state.alerts.push(...found.filter((a) => !live.has(alertKey(a.type, a.label, a))));
  renderAlerts();
}

$("register").addEventListener("submit", register);
$("btn-cancel-edit").addEventListener("click", () => {
  endEdit();
  notice("reg-notice", "", "");
});
$("register").addEventListener("input", (ev) => {
  state.regRequest = null; // another visitor, or corrected
  if (ev.target.name === "service") { // another service: its own quota
    $("override-row").hidden = true;
    $("r-override").checked = false;
  }
});
$("logout").addEventListener("click", logout);
setupLangToggle(() => {
  if (state.editing) $("btn-register").textContent = t("reg.save", { label: state.editing.label });
  renderTickets();
  renderCounters();
  renderAlerts();
});
whoAmI().then((user) => (user ? start(user) : showLogin(start)));
