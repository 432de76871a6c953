// The officer's page at a counter: SOP steps 7-11 (receive the form, call, serve, resolve or escalate).
import {
  ACTIVE, PAGE, addTexts, api, byCallingOrder, connectLive, el, hhmm, logout, requestId, setupLangToggle,
  showLogin, statusName, t, whoAmI,
} from "./common.js";

addTexts({
  "counter.heading": ["Loket Helpdesk", "Helpdesk counter"],
  "counter.counter": ["Loket", "Counter"],
  "counter.officer": ["Pemberi penjelasan", "Officer"],
  "counter.held_by": ["dipakai {name}", "in use by {name}"],
  "live.title": ["Sambungan langsung ke server", "Live connection to the server"],
  "btn.call_next": ["Panggil berikutnya", "Call next"],
  "btn.recall": ["Panggil ulang", "Recall"],
  "btn.skip": ["Lewati", "Skip"],
  "btn.start": ["Pengunjung datang", "Visitor arrived"],
  "btn.resolve": ["Selesai", "Resolve"],
  "btn.escalate": ["Eskalasi", "Escalate"],
  "btn.transfer": ["Alihkan", "Transfer"],
  "form.title": ["Formulir konsultasi", "Consultation form"],
  "form.name": ["Nama", "Name"],
  "form.agency": ["Instansi / perusahaan", "Agency / company"],
  "form.phone": ["Telepon", "Phone"],
  "form.category": ["Jenis", "Category"],
  "form.address": ["Alamat", "Address"],
  "form.problem": ["Permasalahan", "Problem"],
  "out.solution": ["Jawaban / solusi (wajib untuk Selesai)", "Answer / solution (required to resolve)"],
  "out.category": ["Jenis permasalahan", "Kind of problem"],
  "out.category_none": ["— belum dipilih —", "— not chosen —"],
  "out.priority_class": ["Kelas prioritas penyelesaian", "Resolution priority class"],
  "out.target": ["target", "target"],
  "out.note": ["Analisis petugas untuk eskalasi ke Helpdesk LKPP", "Officer's analysis for escalation to the LKPP helpdesk"],
  "out.transfer_to": ["Alihkan ke", "Transfer to"],
  "unit.hours": ["jam", "hours"],
  "unit.minutes": ["menit", "minutes"],
  "line.title": ["Antrian menunggu", "Waiting line"],
  "line.counters": ["Loket lain", "Other counters"],
  "line.empty": ["Tidak ada yang menunggu.", "Nobody is waiting."],
  "line.priority": ["prioritas", "priority"],
  "line.requeued": ["dilewati, dipanggil lagi", "skipped, called again"],
  "line.transferred": ["dialihkan dari {from}", "transferred from {from}"],
  "line.not_served": ["tidak dilayani loket ini", "not served here"],
  "counters.idle": ["kosong", "idle"],
  "calls": ["panggilan {n} dari {max}", "call {n} of {max}"],
  "timer": ["{elapsed} dari {limit} menit", "{elapsed} of {limit} min"],
  "timer.over": ["melewati {limit} menit SOP", "past the SOP's {limit} minutes"],
  "none": ["Belum ada tiket di loket ini.", "This counter holds no ticket."],
  "hint.idle": ["Tekan N untuk memanggil pengunjung berikutnya.", "Press N to call the next visitor."],
  "hint.idle_empty": ["Tidak ada yang menunggu untuk loket ini.", "Nobody is waiting for this counter."],
  "hint.called": ["Menunggu pengunjung. Panggil ulang sampai {max} kali, lalu Lewati.", "Waiting for the visitor. Recall up to {max} times, then skip."],
  "hint.exhausted": ["Sudah {max} kali dipanggil: Lewati (S) atau Panggil berikutnya (N).", "Called {max} times: skip (S) or call next (N)."],
  "hint.serving": ["Tulis solusi lalu Selesai (Ctrl+Enter), atau Eskalasi / Alihkan.", "Write the solution and resolve (Ctrl+Enter), or escalate / transfer."],
  "hint.pick": ["Pilih loket Anda.", "Pick your counter."],
  "done.called": ["{label} dipanggil.", "{label} called."],
  "done.skipped_called": ["{skipped} dilewati; {label} dipanggil.", "{skipped} skipped; {label} called."],
  "done.none": ["Tidak ada pengunjung yang menunggu.", "Nobody is waiting."],
  "done.recalled": ["{label} dipanggil ulang ({n} dari {max}).", "{label} recalled ({n} of {max})."],
  "done.skipped": ["{label} dilewati; dipanggil lagi setelah pengunjung berikutnya.", "{label} skipped; it is called again after the next visitor."],
  "done.no_show": ["{label} tidak hadir (sudah dilewati sebelumnya).", "{label} marked no-show (skipped before)."],
  "done.started": ["Pelayanan {label} dimulai.", "Serving {label}."],
  "done.resolved": ["{label} selesai.", "{label} resolved."],
  "done.escalated_mail": ["{label} dieskalasi; e-mail ke {to}: {status}.", "{label} escalated; e-mail to {to}: {status}."],
  "done.escalated_nomail": ["{label} dieskalasi dan tercatat. E-mail otomatis tidak aktif: teruskan ke Helpdesk LKPP lewat TTS/e-mail.", "{label} escalated and recorded. Automatic e-mail is off: forward it to the LKPP helpdesk via TTS/e-mail."],
  "btn.print_form": ["Cetak salinan formulir", "Print form copy"],
  "btn.form_a4": ["Formulir A4", "A4 form"],
  "done.form_copy": ["Salinan formulir {label} dikirim ke printer (tugas cetak #{job}).", "Form copy of {label} sent to the printer (print job #{job})."],
  "fail.form_copy": ["Salinan formulir {label}: {text}", "Form copy of {label}: {text}"],
  "done.transferred": ["{label} dialihkan ke layanan {service}.", "{label} transferred to service {service}."],
  "alert.mail_failed": ["E-mail eskalasi {label} gagal: {error}", "Escalation e-mail for {label} failed: {error}"],
  "login.wrong_role": ["Halaman ini untuk petugas helpdesk (peran officer).", "This page is for helpdesk officers (role officer)."],
  "settings.changed": ["Pengaturan diubah admin; muat ulang halaman.", "Settings changed by an admin; reload the page."],
});

const COUNTER_KEY = "antrian.counter";
const SHORTCUT_ACTIONS = ["call-next", "recall", "skip", "start", "escalate", "transfer"];

const state = {
  me: null,
  counterId: null,
  tickets: new Map(), // today's waiting/called/serving tickets by id, full forms
  counters: new Map(), // snapshot counter entries by id (name, services, officer)
  waiting: {}, // service code -> count
  busy: false,
  shownTicketId: null,
  lastDone: null, // the ticket this page last resolved or escalated (for the form copy) // the ticket whose outcome fields are on screen
  clockOffset: 0, // server time minus this laptop's time, from the events' timestamps
  notice: null, // {kind, key|text, params}
};

const $ = (id) => document.getElementById(id);
const buttons = () => document.querySelectorAll("button[data-action]");

function counterConfig(id = state.counterId) {
  return PAGE.counters.find((c) => c.id === id) || null;
}

function currentTicket() {
  for (const ticket of state.tickets.values()) {
    if (ticket.counter_id === state.counterId && (ticket.status === "called" || ticket.status === "serving")) return ticket;
  }
  return null;
}

function waitingFor(services) {
  return [...state.tickets.values()].filter((x) => x.status === "waiting" && services.includes(x.service));
}

// What the server allows right now, derived from the ticket's status and its calls.
export function allowed(ticket, waitingHere, maxCalls) {
  const called = ticket && ticket.status === "called";
  const serving = ticket && ticket.status === "serving";
  const exhausted = called && ticket.calls >= maxCalls;
  return {
    "call-next": (!ticket && waitingHere > 0) || exhausted,
    recall: called && ticket.calls < maxCalls,
    skip: exhausted,
    start: called,
    resolve: serving,
    escalate: serving,
    transfer: serving,
  };
}

// ---- notices ----------------------------------------------------------------------------
function notify(kind, key, params = {}) {
  state.notice = { kind, key, params };
  renderNotice();
}

function notifyText(kind, text) {
  state.notice = { kind, text };
  renderNotice();
}

function renderNotice() {
  const n = state.notice;
  const box = $("notice");
  box.dataset.kind = n ? n.kind : "";
  box.textContent = n ? (n.text !== undefined ? n.text : t(n.key, n.params)) : "";
}

function clearFieldErrors() {
  document.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
}

function showFieldErrors(fields) {
  for (const [name, text] of Object.entries(fields || {})) {
    const p = document.querySelector(`.field-error[data-field="${name}"]`);
    if (p) p.textContent = text;
  }
}

// ---- rendering ----------------------------------------------------------------------------
function render() {
  renderCounterSelect();
  const ticket = currentTicket();
  const cfg = counterConfig();
  const waitingHere = cfg ? waitingFor(cfg.services).length : 0;
  const can = cfg ? allowed(ticket, waitingHere, PAGE.max_calls) : {};
  for (const b of buttons()) b.disabled = state.busy || !can[b.dataset.action];
  $("btn-transfer").disabled ||= !$("transfer-service").value;

  $("t-label").textContent = ticket ? ticket.label : "—";
  $("t-status").textContent = ticket ? statusName(ticket.status) : t("none");
  $("t-status").dataset.status = ticket ? ticket.status : "";
  $("t-calls").textContent = ticket && ticket.status === "called" ? t("calls", { n: ticket.calls, max: PAGE.max_calls }) : "";
  const service = ticket && PAGE.services.find((s) => s.code === ticket.service);
  $("t-service").textContent = service ? service.name : "";

  const form = (ticket && ticket.form) || {};
  for (const key of ["name", "agency", "phone", "address", "problem"]) $(`f-${key}`).textContent = form[key] || "—";
  $("f-category").textContent = ticket && ticket.category ? t(`category.${ticket.category}`) : "—";
  document.querySelector(".visitor").classList.toggle("empty", !ticket);

  if ((ticket ? ticket.id : null) !== state.shownTicketId) {
    state.shownTicketId = ticket ? ticket.id : null;
    $("outcome").reset();
    clearFieldErrors();
    if (ticket) {
      $("category").value = ticket.category || "";
      const pc = document.querySelector(`input[name=priority_class][value="${ticket.priority_class}"]`);
      if (pc) pc.checked = true;
    }
  }
  $("outcome").classList.toggle("inactive", !(ticket && ticket.status === "serving"));
  renderTransferOptions(ticket);
  $("btn-transfer").disabled = state.busy || !can.transfer || !$("transfer-service").value;
  const copy = $("btn-print-form");
  copy.disabled = state.busy || !state.lastDone;
  copy.querySelector("[data-label]").textContent = state.lastDone ? state.lastDone.label : "";
  const a4 = $("link-form-a4");
  a4.hidden = !state.lastDone;
  if (state.lastDone) a4.href = `/counter/form/${encodeURIComponent(state.lastDone.token)}`;

  let hint = "hint.pick";
  if (cfg && !ticket) hint = waitingHere ? "hint.idle" : "hint.idle_empty";
  else if (ticket && ticket.status === "called") hint = ticket.calls >= PAGE.max_calls ? "hint.exhausted" : "hint.called";
  else if (ticket) hint = "hint.serving";
  $("hint").textContent = t(hint, { max: PAGE.max_calls });

  renderTimer();
  renderLine();
  renderCounters();
}

function renderCounterSelect() {
  const select = $("counter-select");
  const bound = state.me && state.me.counter_id;
  select.replaceChildren(
    ...PAGE.counters.map((c) => {
      const officer = (state.counters.get(c.id) || {}).officer;
      const held = officer && (!state.me || officer !== state.me.username) ? ` (${t("counter.held_by", { name: officer })})` : "";
      return el("option", { value: c.id, selected: c.id === state.counterId }, `${c.name} · ${c.services.join(", ")}${held}`);
    }),
  );
  if (state.counterId === null) select.prepend(el("option", { value: "", selected: true }, t("hint.pick")));
  select.disabled = Boolean(bound);
}

function renderTransferOptions(ticket) {
  const select = $("transfer-service");
  const keep = select.value;
  const options = PAGE.services.filter((s) => !ticket || s.code !== ticket.service);
  select.replaceChildren(...options.map((s) => el("option", { value: s.code }, `${s.code} · ${s.name}`)));
  if (options.some((s) => s.code === keep)) select.value = keep;
}

function renderTimer() {
  const ticket = currentTicket();
  const box = $("t-timer");
  if (!ticket || ticket.status !== "serving" || !ticket.started_at) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const limit = PAGE.service_minutes * 60;
  const elapsed = Math.max(0, (Date.now() + state.clockOffset - Date.parse(ticket.started_at)) / 1000);
  const share = elapsed / limit;
  box.dataset.level = share > 1 ? "over" : share >= 0.8 ? "warn" : "ok";
  const mm = Math.floor(elapsed / 60);
  const ss = String(Math.floor(elapsed % 60)).padStart(2, "0");
  $("t-timer-text").textContent =
    t("timer", { elapsed: `${mm}:${ss}`, limit: PAGE.service_minutes }) +
    (share > 1 ? ` — ${t("timer.over", { limit: PAGE.service_minutes })}` : "");
  $("t-timer-bar").style.width = `${Math.min(100, share * 100)}%`;
}

function renderLine() {
  const cfg = counterConfig();
  const mine = cfg ? cfg.services : [];
  const blocks = PAGE.services.map((s) => {
    const list = waitingFor([s.code]).sort(byCallingOrder);
    const count = state.waiting[s.code] ?? list.length;
    const served = mine.includes(s.code);
    return el(
      "section",
      { class: `service${served ? "" : " other"}`, dataset: { service: s.code } },
      el("h3", {}, `${s.code} · ${s.name} `, el("span", { class: "count" }, String(count))),
      served
        ? list.length
          ? el(
              "ol",
              {},
              list.map((x) =>
                el(
                  "li",
                  { dataset: { label: x.label } },
                  el("strong", {}, x.label),
                  " ",
                  el("span", { class: "who" }, (x.form && x.form.name) || ""),
                  x.priority ? el("span", { class: "tag prio" }, t("line.priority")) : null,
                  x.requeues ? el("span", { class: "tag" }, t("line.requeued")) : null,
                  x.transferred_from ? el("span", { class: "tag" }, t("line.transferred", { from: x.transferred_from })) : null,
                  el("span", { class: "muted time" }, hhmm(x.created_at)),
                ),
              ),
            )
          : el("p", { class: "muted" }, t("line.empty"))
        : el("p", { class: "muted" }, t("line.not_served")),
    );
  });
  $("line").replaceChildren(...blocks);
}

function renderCounters() {
  const items = PAGE.counters
    .filter((c) => c.id !== state.counterId)
    .map((c) => {
      const held = [...state.tickets.values()].find(
        (x) => x.counter_id === c.id && (x.status === "called" || x.status === "serving"),
      );
      const officer = (state.counters.get(c.id) || {}).officer;
      return el(
        "li",
        {},
        el("strong", {}, c.name),
        " ",
        held ? `${held.label} · ${statusName(held.status)}` : t("counters.idle"),
        officer ? el("span", { class: "muted" }, ` — ${officer}`) : null,
      );
    });
  $("counters").replaceChildren(...items);
}

// ---- live state ---------------------------------------------------------------------------
function onSnapshot(snap) {
  state.tickets = new Map((snap.tickets || []).map((x) => [x.id, x]));
  state.counters = new Map(snap.counters.map((c) => [c.id, c]));
  state.waiting = Object.fromEntries(snap.services.map((s) => [s.code, s.waiting]));
  render();
}

function applyTicket(ticket) {
  if (!ticket || ticket.id === undefined) return;
  if (ACTIVE.includes(ticket.status)) state.tickets.set(ticket.id, ticket);
  else state.tickets.delete(ticket.id);
}

// The counter and service lists come from the page's config: reload when nothing would be lost.
function settingsChanged() {
  const typing = $("solution").value.trim() || $("note").value.trim();
  if (!state.busy && !currentTicket() && !typing) return location.reload();
  if (live) live.resync();
  notify("info", "settings.changed");
}

function onEvent(ev) {
  if (ev.type === "settings_changed") return settingsChanged();
  if (ev.at) state.clockOffset = Date.parse(ev.at) - Date.now();
  applyTicket(ev.ticket);
  if (ev.waiting) state.waiting = ev.waiting;
  // The day's queue positions were renumbered (rare): the other tickets' positions here are old.
  if (ev.data && ev.data.renumbered && live) live.resync();
  if (ev.type === "mail_failed" && ev.ticket && state.me && ev.ticket.officer === state.me.username) {
    notify("error", "alert.mail_failed", { label: ev.ticket.label, error: (ev.data && ev.data.error) || "?" });
  }
  render();
}

function onStatus(up) {
  $("live-status").dataset.state = up ? "on" : "off";
  if (!up) notify("error", "live.offline");
  else if (state.notice && state.notice.key === "live.offline") {
    state.notice = null;
    renderNotice();
  }
}

// ---- actions ------------------------------------------------------------------------------
function payloadFor(action) {
  const data = { request_id: requestId() };
  const pc = document.querySelector("input[name=priority_class]:checked");
  if (action === "resolve") {
    data.solution = $("solution").value;
    if ($("category").value) data.category = $("category").value;
    if (pc) data.priority_class = pc.value;
  } else if (action === "escalate") {
    data.note = $("note").value;
    if ($("category").value) data.category = $("category").value;
    if (pc) data.priority_class = pc.value;
  } else if (action === "transfer") {
    data.service = $("transfer-service").value;
  }
  return data;
}

function reportDone(action, status, body) {
  const ticket = body && body.ticket;
  const label = ticket ? ticket.label : "";
  if (action === "call-next") {
    if (status === 204 || !ticket) return notify("info", "done.none");
    if (body.skipped) return notify("info", "done.skipped_called", { skipped: body.skipped.label, label });
    return notify("info", "done.called", { label });
  }
  if (action === "recall") return notify("info", "done.recalled", { label, n: ticket.calls, max: PAGE.max_calls });
  if (action === "skip") return notify("info", ticket.status === "no_show" ? "done.no_show" : "done.skipped", { label });
  if (action === "start") return notify("info", "done.started", { label });
  if (action === "transfer") return notify("info", "done.transferred", { label, service: ticket.service });
  let text = "";
  if (action === "escalate") {
    const esc = body.escalation || {};
    const mail = esc.mail;
    text = mail
      ? t("done.escalated_mail", { label, to: mail.to || "LKPP", status: mail.status || "?" })
      : t("done.escalated_nomail", { label });
    const more = esc.message || esc.error;
    if (more) text += ` ${more}`;
  } else {
    text = t("done.resolved", { label });
  }
  notifyText("info", text);
}

async function act(action) {
  if (state.busy || state.counterId === null) return;
  const button = document.querySelector(`button[data-action="${action}"]`);
  if (!button || button.disabled) return;
  state.busy = true;
  clearFieldErrors();
  render();
  try {
    const { status, body } = await api("POST", `/api/counters/${state.counterId}/${action}`, payloadFor(action));
    if (body && body.skipped) {
      for (const x of state.tickets.values()) if (x.label === body.skipped.label) applyTicket({ ...x, ...body.skipped, status: body.skipped.status, counter_id: null });
    }
    if (body && body.ticket) applyTicket(body.ticket);
    if ((action === "resolve" || action === "escalate") && body && body.ticket) state.lastDone = body.ticket;
    reportDone(action, status, body);
    // The form is done with: give the keys back to the shortcuts (N calls the next visitor).
    if ($("outcome").contains(document.activeElement)) document.activeElement.blur();
    if (state.me) state.counters.set(state.counterId, { ...(state.counters.get(state.counterId) || {}), officer: state.me.username });
  } catch (err) {
    if (err.status === 401) return location.reload();
    notifyText("error", err.message);
    state.notice.fields = Object.keys(err.fields || {}).length > 0;
    showFieldErrors(err.fields);
    const first = Object.keys(err.fields || {})[0];
    if (first && document.getElementsByName(first)[0]) document.getElementsByName(first)[0].focus();
    if (err.status === 409 && live) live.resync(); // our picture was stale: fetch the truth
  } finally {
    state.busy = false;
    render();
  }
}

async function pickCounter(id) {
  const old = state.counterId;
  if (old === id) return;
  state.counterId = id;
  localStorage.setItem(COUNTER_KEY, String(id));
  state.notice = null;
  renderNotice();
  render();
  // Free the counter left behind if this officer held it and it holds no ticket.
  const oldEntry = old !== null && state.counters.get(old);
  const oldHasTicket = [...state.tickets.values()].some((x) => x.counter_id === old && x.status !== "waiting");
  if (oldEntry && state.me && oldEntry.officer === state.me.username && !oldHasTicket) {
    try {
      await api("POST", `/api/counters/${old}/release`, {});
      state.counters.set(old, { ...oldEntry, officer: null });
    } catch (err) {
      // Releasing is a courtesy; the counter stays claimed until logout otherwise.
    }
  }
}

function onKey(ev) {
  if (document.body.dataset.view !== "app") return;
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    act(document.activeElement === $("note") ? "escalate" : "resolve");
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || ev.target.isContentEditable) {
    if (ev.key === "Escape") ev.target.blur();
    return;
  }
  if (ev.key.toLowerCase() === "p") {
    ev.preventDefault();
    printFormCopy();
    return;
  }
  const button = document.querySelector(`button[data-key="${ev.key.toLowerCase()}"]`);
  if (button && SHORTCUT_ACTIONS.includes(button.dataset.action)) {
    ev.preventDefault();
    act(button.dataset.action);
  }
}

// SOP step 12: the visitor's copy of the completed form, on this counter's printer.
async function printFormCopy() {
  const done = state.lastDone;
  if (!done || state.busy) return;
  state.busy = true;
  render();
  try {
    const { body } = await api("POST", `/api/tickets/${encodeURIComponent(done.token)}/print-form`, {
      counter_id: state.counterId,
      request_id: requestId(),
    });
    const job = body && body.print_job;
    notify("info", "done.form_copy", { label: done.label, job: typeof job === "object" && job ? job.id : job ?? "?" });
  } catch (err) {
    if (err.status === 401) return location.reload();
    notify("error", "fail.form_copy", { label: done.label, text: err.message });
  } finally {
    state.busy = false;
    render();
  }
}

// ---- start --------------------------------------------------------------------------------
let live = null;

function start(user) {
  state.me = user;
  if (user.role !== "officer" && user.role !== "admin") {
    document.body.dataset.view = "forbidden";
    $("forbidden").textContent = t("login.wrong_role");
    return;
  }
  document.body.dataset.view = "app";
  $("officer-name").textContent = user.username;
  const saved = Number(localStorage.getItem(COUNTER_KEY));
  state.counterId = user.counter_id || (counterConfig(saved) ? saved : null);
  if (state.counterId === null && PAGE.counters.length === 1) state.counterId = PAGE.counters[0].id;
  render();
  live = connectLive("counter", { onSnapshot, onEvent, onStatus });
}

for (const b of buttons()) b.addEventListener("click", () => act(b.dataset.action));
$("outcome").addEventListener("submit", (ev) => {
  ev.preventDefault();
  act("resolve");
});
$("transfer-service").addEventListener("change", render);
$("btn-print-form").addEventListener("click", printFormCopy);
$("outcome").addEventListener("input", (ev) => {
  // Typing into a field the server refused clears its message (and the refusal, once none is left).
  const p = document.querySelector(`.field-error[data-field="${ev.target.name}"]`);
  if (p) p.textContent = "";
  const left = [...document.querySelectorAll(".field-error")].some((x) => x.textContent);
  if (!left && state.notice && state.notice.kind === "error" && state.notice.fields) {
    state.notice = null;
    renderNotice();
  }
});
$("counter-select").addEventListener("change", (ev) => pickCounter(Number(ev.target.value)));
$("logout").addEventListener("click", logout);
document.addEventListener("keydown", onKey);
setInterval(renderTimer, 1000);
setupLangToggle(() => {
  render();
  renderNotice();
});

whoAmI().then((user) => (user ? start(user) : showLogin(start)));
