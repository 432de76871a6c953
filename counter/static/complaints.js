// Suggestions and complaints from the satisfaction survey (the SOP's "pengaduan"): the open ones
// oldest first with their age (ticking while the page is open), the visitor's text, the answer form
// and "Tidak perlu dijawab" (closed with no reply: praise, thanks); then the answered and closed ones
// with who answered or closed, when, and the answer. What a later change replaced (the visitor's
// earlier text, an earlier answer, a close undone) is under "Riwayat". The list is GET /api/complaints,
// fetched again whenever a live event says it changed (a complaint's text written or changed, an
// answer, a close); when it holds fewer than the true counts, a note says what is left out. Times are
// the office's ([office] timezone, common.js), whatever the browser's zone.
//
// The period: `?from=YYYY-MM-DD&to=YYYY-MM-DD` in the address lists the complaints received in those days
// (their tickets' days), whatever their state, and the counts are theirs (the month's report); without it
// the first view: every complaint still open, and those answered or closed this month (the server says
// which days). The address keeps the period (reload, back); Cetak prints the list only, and the XLSX and
// CSV links download the same list whole (GET /api/complaints?format=xlsx|csv, never cut at its limit).
import { TIMEZONE, api, dayTime, el, getLang, requestId, t, zoneName } from "./common.js";
import { formatAge, oneAtATime, pageNotice, redraw, startListPage } from "./livelist.js";

// A survey response changes the list only when its text was written or changed (data.text_changed): a
// correction of the scores alone, or one that changes nothing, makes no page fetch the list again.
const CHANGES = ["complaint_answered", "complaint_closed", "complaint_reopened"];
const refreshOn = (ev) => CHANGES.includes(ev.type) || (ev.type === "survey_answered" && !!(ev.data && ev.data.text_changed));
const ROLES = ["officer", "frontoffice", "admin"]; // every staff role answers complaints
const ANSWER_MAX = 4000;

const state = {
  me: null,
  items: new Map(), // complaint id -> {data, at (performance.now() of the fetch), card, editing}
  loaded: false,
  counts: null, // the server's true totals: {open, answered, closed}
};
const $ = (id) => document.getElementById(id);

// The period of the address: {from, to} as given (an empty one is sent as such: the server names it), or
// null for the first view. shown: the days the server listed ({from, to, by}), once it answered.
const ADDRESS = new URLSearchParams(location.search);
const PERIOD = ADDRESS.has("from") || ADDRESS.has("to") ? { from: ADDRESS.get("from") || "", to: ADDRESS.get("to") || "" } : null;
const MAX_RANGE_DAYS = 3660; // server/reports.py MAX_RANGE_DAYS: a longer period is refused (422 at `to`)
let shown = null;
let refused = null; // the fields of a refused period (422), else null

function listPath(format) {
  const query = new URLSearchParams();
  if (PERIOD) {
    query.set("from", PERIOD.from);
    query.set("to", PERIOD.to);
  }
  if (format) query.set("format", format);
  const text = query.toString();
  return text ? `/api/complaints?${text}` : "/api/complaints";
}

// ---- formatting -----------------------------------------------------------------------------
function when(iso) {
  return iso ? `${dayTime(iso)} ${zoneName()}` : "";
}

// A local day (YYYY-MM-DD) is a calendar date: read and written in UTC it is the same date everywhere.
function dayName(day) {
  if (!day) return "";
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(getLang() === "en" ? "en-GB" : "id-ID", {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });
}

// "1 November 2026" (or "1 November 2026 s.d. 30 November 2026"), in the page's language.
function longDay(day) {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(getLang() === "en" ? "en-GB" : "id-ID", {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  });
}

function periodWords(from, to) {
  return from === to ? longDay(from) : t("period.range", { start: longDay(from), end: longDay(to) });
}

// A day as YYYY-MM-DD that is a real date (not 2026-11-31).
function realDay(day) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

// ---- the period ---------------------------------------------------------------------------------
function renderPeriod() {
  $("period-text").textContent = shown ? t(`period.${shown.by}`, { period: periodWords(shown.from, shown.to) }) : "";
  $("period-hint").textContent = shown && shown.by === "handled" ? t("period.hint") : ""; // on screen only
  const problems = $("period-problems");
  problems.hidden = !refused;
  if (!refused) return;
  // the server's 422 names the fields; the words are the recap's (a refused period, in the page's language)
  const words = [];
  if (refused.from) words.push(t("period.bad_from"));
  if (refused.to) {
    if (!refused.from && realDay(PERIOD.to) && PERIOD.to < PERIOD.from) {
      words.push(t("period.reversed", { start: PERIOD.from, end: PERIOD.to }));
    } else if (!refused.from && realDay(PERIOD.to)) {
      words.push(t("period.too_long", { days: MAX_RANGE_DAYS }));
    } else {
      words.push(t("period.bad_to"));
    }
  }
  problems.textContent = words.join(" ");
}

function setupPeriod() {
  $("period-from").value = PERIOD ? PERIOD.from : "";
  $("period-to").value = PERIOD ? PERIOD.to : "";
  const reset = $("period-reset");
  reset.href = location.pathname;
  reset.hidden = !PERIOD;
  $("export-xlsx").href = listPath("xlsx");
  $("export-csv").href = listPath("csv");
  // the period goes into the address (a new history entry: back shows the list before); both left empty is
  // the first view
  $("period-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const from = $("period-from").value;
    const to = $("period-to").value;
    location.assign(from || to ? `${location.pathname}?${new URLSearchParams({ from, to })}` : location.pathname);
  });
  $("print").addEventListener("click", () => window.print());
}

// The office's day (YYYY-MM-DD) of an instant: "en-CA" writes dates that way.
const officeDay = new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE, year: "numeric", month: "2-digit", day: "2-digit" });

function ageOf(entry) {
  const x = entry.data;
  return x.status === "open" ? x.age_s + (performance.now() - entry.at) / 1000 : x.age_s;
}

function renderAge(entry) {
  const age = entry.card.querySelector(".age");
  if (age) age.textContent = formatAge(ageOf(entry));
}

// ---- one complaint ------------------------------------------------------------------------------
function renderInfo(entry) {
  const x = entry.data;
  const card = entry.card;
  const open = x.status === "open";
  const closed = x.status === "closed";
  card.dataset.status = x.status;
  card.dataset.label = x.label || "";
  const top = [
    x.label
      ? el("span", { class: "label" }, x.label)
      : el("span", { class: "label none" }, t("item.no_ticket")),
    el("span", { class: "svc" }, x.service_name || x.service || ""),
    x.counter_name ? el("span", { class: "muted counter" }, x.counter_name) : null,
    // the ticket's day, when the survey was answered on another (the complaint's own date is beside it)
    x.created_at && officeDay.format(new Date(x.created_at)) === x.day
      ? null
      : el("span", { class: "muted day" }, t("item.day", { day: dayName(x.day) })),
    el("span", { class: "muted received" }, t("item.received", { when: when(x.text_at || x.created_at) })),
    el(
      "span",
      { class: "age-box" },
      `${t(open ? "item.age" : closed ? "item.closed_after" : "item.took")}: `,
      el("span", { class: "age" }), // its age: renderAge, below
    ),
  ];
  // What the card says is written again only where it changed (livelist.js redraw, setText): the visitor's text or
  // the answer being selected to copy stays selected over a live event of another complaint (a colleague's answer).
  redraw(card.querySelector(".top"), top);
  renderAge(entry);
  setText(card.querySelector(".text"), x.text || "");
  const answer = card.querySelector(".answer-box");
  answer.hidden = open;
  if (closed) {
    setText(answer.querySelector(".what"), t("form.close"));
    setText(answer.querySelector(".answer"), "");
    setText(answer.querySelector(".by"), t("item.closed_by", { name: x.closed_by_name || x.closed_by || "?", when: when(x.closed_at) }));
  } else if (!open) {
    setText(answer.querySelector(".what"), t("item.answer"));
    setText(answer.querySelector(".answer"), x.answer || "");
    setText(answer.querySelector(".by"), t("item.answered_by", { name: x.answered_by_name || x.answered_by || "?", when: when(x.answered_at) }));
  }
  // One about the officer's own service is answered or closed by someone else (403 complaint_own_service):
  // no answer form, no close, no change of the answer; a note says who does it.
  const form = card.querySelector("form.f-answer");
  form.hidden = x.own || (!open && !entry.editing);
  card.querySelector("button.edit").hidden = x.own || x.status !== "answered" || entry.editing;
  card.querySelector("button.reopen").hidden = !closed;
  card.querySelector("button.close").hidden = !open;
  card.querySelector(".own-note").hidden = !x.own;
  card.querySelector("button.cancel").hidden = open;
  form.querySelector("button.send").textContent = t(open ? "form.send" : "form.change");
  renderHistory(entry);
}

// What was replaced: the visitor's earlier texts, earlier answers, closes undone (oldest first).
function renderHistory(entry) {
  const history = entry.data.history || [];
  const box = entry.card.querySelector("details.history");
  box.hidden = history.length === 0;
  setText(box.querySelector("summary"), t("item.history", { n: history.length }));
  const items = history.map((h) => {
    const words = { name: h.by_name || h.by || "?", when: when(h.at), replaced: when(h.replaced_at) };
    return el(
      "li",
      { class: `h-${h.kind}` },
      el("span", { class: "muted h-what" }, t(`history.${h.kind}`, words)),
      h.text ? el("p", { class: "h-body" }, h.text) : null,
    );
  });
  redraw(box.querySelector("ol"), items);
}

// An element's text set only when it differs: set again, the same text was a new text node, and a selection in it
// went.
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function fieldError(card, text) {
  card.querySelector(".field-error").textContent = text || "";
  const input = card.querySelector("textarea[name=answer]");
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

async function sendAnswer(entry, ev) {
  ev.preventDefault();
  const card = entry.card;
  const form = card.querySelector("form.f-answer");
  const button = form.querySelector("button.send");
  if (button.disabled) return;
  fieldError(card, "");
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/complaints/${entry.data.id}/answer`, {
      answer: form.answer.value,
      request_id: requestId(),
    });
    entry.data = body.complaint;
    entry.at = performance.now();
    entry.editing = false;
    form.answer.value = "";
    const label = entry.data.label || `#${entry.data.id}`;
    pageNotice("info", () => t("done.answered", { label }));
    renderInfo(entry);
    refresh(); // to its place among the answered ones
  } catch (err) {
    if (err.status === 401) return location.reload();
    fieldError(card, (err.fields && err.fields.answer) || err.message);
    card.querySelector("textarea[name=answer]").focus();
    if (err.status === 404) refresh(); // our list was stale
  } finally {
    button.disabled = false;
  }
}

// "Tidak perlu dijawab" (close) and "Buka lagi" (reopen): no text, who and when are kept.
async function setClosed(entry, action, button) {
  if (button.disabled) return;
  fieldError(entry.card, "");
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/complaints/${entry.data.id}/${action}`, { request_id: requestId() });
    entry.data = body.complaint;
    entry.at = performance.now();
    entry.editing = false;
    const key = action === "close" ? "done.closed" : "done.reopened";
    const label = entry.data.label || `#${entry.data.id}`;
    pageNotice("info", () => t(key, { label }));
    renderInfo(entry);
    refresh(); // to its place in the other list
  } catch (err) {
    if (err.status === 401) return location.reload();
    fieldError(entry.card, err.message);
    if (err.status === 404 || err.status === 409) refresh(); // our list was stale
  } finally {
    button.disabled = false;
  }
}

function buildCard(entry) {
  const id = `cp${entry.data.id}`;
  const card = el(
    "li",
    { class: "complaint", dataset: { id: entry.data.id } },
    el("div", { class: "top" }),
    el("p", { class: "text", "aria-label": t("item.text"), dataset: { i18nLabel: "item.text" } }),
    el(
      "div",
      { class: "answer-box", hidden: true },
      el("span", { class: "what" }, t("item.answer")), // or the close's words (renderInfo)
      el("p", { class: "answer" }),
      el("p", { class: "by muted" }),
      el("button", { type: "button", class: "edit", dataset: { i18n: "form.change" } }, t("form.change")),
      el("button", { type: "button", class: "reopen", hidden: true, dataset: { i18n: "form.reopen" } }, t("form.reopen")),
    ),
  );
  const form = el(
    "form",
    { class: "f-answer", novalidate: true },
    el("label", { for: `${id}-answer`, dataset: { i18n: "form.answer" } }, t("form.answer")),
    el(
      "div",
      { class: "row" },
      el("textarea", { id: `${id}-answer`, name: "answer", rows: 2, maxlength: ANSWER_MAX }),
      el(
        "div",
        { class: "buttons" },
        el("button", { type: "submit", class: "go send" }, t("form.send")),
        el("button", { type: "button", class: "close", dataset: { i18n: "form.close" } }, t("form.close")),
        el("button", { type: "button", class: "cancel", hidden: true, dataset: { i18n: "form.cancel" } }, t("form.cancel")),
      ),
    ),
    el("p", { class: "field-error", role: "alert" }),
  );
  form.addEventListener("submit", (ev) => sendAnswer(entry, ev));
  form.answer.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) form.requestSubmit();
  });
  form.answer.addEventListener("input", () => fieldError(card, ""));
  const ownNote = el("p", { class: "own-note muted", hidden: true, dataset: { i18n: "item.own" } }, t("item.own"));
  card.append(form, ownNote, el("details", { class: "history", hidden: true }, el("summary"), el("ol")));
  card.querySelector("button.edit").addEventListener("click", () => {
    entry.editing = true;
    form.answer.value = entry.data.answer || "";
    renderInfo(entry);
    form.answer.focus();
  });
  form.querySelector("button.close").addEventListener("click", (ev) => setClosed(entry, "close", ev.currentTarget));
  card.querySelector("button.reopen").addEventListener("click", (ev) => setClosed(entry, "reopen", ev.currentTarget));
  form.querySelector("button.cancel").addEventListener("click", () => {
    entry.editing = false;
    fieldError(card, "");
    renderInfo(entry);
  });
  return card;
}

function removeItem(id) {
  const entry = state.items.get(id);
  if (!entry) return;
  entry.card.remove();
  state.items.delete(id);
}

// The headings count every complaint (the server's `counts`), not only those listed: past the list's
// limit a note says how many are left out, so a new complaint is never silently missing (the server
// lists the newest open ones, so it is not the new one that is left out).
function renderCounts() {
  let open = 0;
  for (const entry of state.items.values()) if (entry.data.status === "open") open += 1;
  const done = state.items.size - open;
  const counts = state.counts || {};
  const openTotal = Math.max(open, counts.open || 0);
  const doneTotal = Math.max(done, (counts.answered || 0) + (counts.closed || 0));
  $("open-count").textContent = String(openTotal);
  $("answered-count").textContent = String(doneTotal);
  $("open-empty").hidden = !state.loaded || open > 0;
  $("answered-empty").hidden = !state.loaded || done > 0;
  const cutOpen = $("open-cut");
  cutOpen.hidden = openTotal <= open;
  const left = openTotal - open; // "the 1 older one is not shown" (cut_open.one), as display.js picks display.person
  cutOpen.textContent = cutOpen.hidden ? "" : t(left === 1 ? "cut_open.one" : "cut_open", { shown: open, total: openTotal, left });
  const cutDone = $("answered-cut");
  cutDone.hidden = doneTotal <= done;
  cutDone.textContent = cutDone.hidden ? "" : t("cut_done", { shown: done, total: doneTotal });
}

// Cards are kept across fetches, so an answer being typed (and the focus) survives a live update;
// the server's order is kept: open ones oldest first, then answered and closed ones most recent first.
function applyList(list, counts, at) {
  const ids = new Set(list.map((x) => x.id));
  for (const id of [...state.items.keys()]) if (!ids.has(id)) removeItem(id);
  let arrived = false;
  const listOf = (x) => $(x.status === "open" ? "open-list" : "answered-list");
  for (const x of list) {
    // a card that changes lists (answered, closed, or open again) leaves its old one first: the walk
    // below keeps each list's order from its first card on
    const entry = state.items.get(x.id);
    if (entry && entry.card.parentNode && entry.card.parentNode !== listOf(x)) entry.card.remove();
  }
  const next = { open: $("open-list").firstElementChild, answered: $("answered-list").firstElementChild };
  for (const x of list) {
    let entry = state.items.get(x.id);
    if (!entry) {
      entry = { data: x, at, editing: false };
      entry.card = buildCard(entry);
      state.items.set(x.id, entry);
      if (state.loaded && x.status === "open") arrived = true;
    } else if (x.status === "open" && x.text !== entry.data.text) {
      arrived = true; // the visitor wrote a new text: open again
    }
    entry.data = x;
    entry.at = at;
    renderInfo(entry);
    const kind = x.status === "open" ? "open" : "answered";
    const ul = listOf(x);
    if (entry.card === next[kind]) next[kind] = next[kind].nextElementSibling;
    else ul.insertBefore(entry.card, next[kind]);
  }
  state.loaded = true;
  state.counts = counts;
  renderCounts();
  if (arrived) pageNotice("info", () => t("new"));
}

const refresh = oneAtATime(async (at) => {
  let body;
  try {
    ({ body } = await api("GET", listPath()));
  } catch (err) {
    if (err.status !== 422) throw err;
    // a period the server refuses (typed into the address): say what is wrong, list nothing, offer no file
    refused = err.fields;
    document.body.dataset.period = "refused";
    renderPeriod();
    return;
  }
  shown = body && body.from ? { from: body.from, to: body.to, by: body.by } : null;
  renderPeriod();
  applyList((body && body.complaints) || [], (body && body.counts) || null, at);
});

function tickAges() {
  for (const entry of state.items.values()) if (entry.data.status === "open") renderAge(entry);
}

startListPage({
  roles: ROLES,
  refreshOn,
  refresh,
  onStart: (user) => {
    state.me = user;
    setupPeriod();
    renderCounts();
  },
  tick: tickAges,
  onLang: () => {
    for (const entry of state.items.values()) renderInfo(entry);
    renderCounts();
    renderPeriod();
  },
});
