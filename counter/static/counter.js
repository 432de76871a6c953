// The officer's page at a counter: SOP steps 7-11 (receive the form, call, serve, resolve or escalate).
import {
  ACTIVE, PAGE, TIMEZONE, api, byCallingOrder, connectLive, dayTime, doubled, el, getLang, hhmm, lengthCount, logout,
  officeNow, patch, requestId, sayAtLogin, sayWhole, setupLangToggle, showLogin, showUser, statusName, t, wholeLabels,
  whoAmI, endedReason, whyEnded,
} from "./common.js";
import { fixForm, fixNames } from "./fixform.js";

const COUNTER_KEY = "antrian.counter";
const DRAFT_KEY = "antrian.draft."; // + ticket id: what this tab typed for it (sessionStorage: per tab)
const CARRY_KEY = "antrian.counter.carry"; // what a reload for the admin's change keeps: the last notice
const DONE_KEY = "antrian.counter.done."; // + counter id: the ticket last finished there, its form copy (per tab, the day)
const ENDED_KEY = "antrian.counter.ended"; // the action a session's end refused, said at the login and after it
const FIX_KEY = "antrian.counter.fix"; // the correction typed when the session ended, given back after the login
const KEPT_KEY = "antrian.kept"; // a draft whose ticket was finished elsewhere, until dismissed
const DRAFT_SAVE_MS = 2000; // the draft goes to the server this long after typing stops (askServerDraft)
// the pending save; ticket id -> the draft this page sent last (JSON); the tickets whose server draft was asked for;
// the server draft last shown beside other text (said once); ticket id -> the version of the server's draft this
// page's text is based on (its saves name it: one based on an older version is refused, 409 draft_stale); ticket id
// -> the draft the server has from this page (JSON: its save answered, or taken from the server)
const serverDraft = { timer: null, sent: new Map(), asked: new Set(), told: null, version: new Map(), kept: new Map(),
                      retry: null, tries: 0, // a failed save's next try (retryServerDraft), and the tries so far
                      retryAt: 0, // when that try goes (Date.now()'s clock): the cue's "dicoba lagi dalam 8 dtk"
                      // ticket id -> {version, at}: the server's version and time of the draft in `kept`; ticket id
                      // -> the saves on their way; ticket id -> the draft (JSON) the server refused for good
                      keptAt: new Map(), flying: new Map(), refused: new Map(),
                      failing: false }; // a failed save said to a screen reader, its save not said yet (renderDraftState)
// A save that failed with the page still live (the server's 5xx, no answer in DRAFT_SAVE_TIMEOUT_MS, the request
// lost on the network) goes again after 2, 4, 8, 16, then every 30 s, until one is saved or a newer save goes.
const DRAFT_RETRY_MS = [2000, 4000, 8000, 16000, 30000];
const DRAFT_SAVE_TIMEOUT_MS = 15000;
const LEAVE_SAVE_MS = 3000; // Keluar waits this long at most for the draft's last save (leave)
// + username: the seq of the last counter_released about that officer this browser said (without the username:
// the key of earlier versions, one for every account, read when an account has none yet)
const RELEASE_SEEN_KEY = "antrian.release-seen";
// Letter keys, only while no ticket is being served (then a letter goes into the answer, never to a button;
// the form copy's P is Alt+P then): nothing that ends or sends away a ticket is one key (Selesai and Eskalasi
// are Ctrl+Enter, Alihkan a click).
const SHORTCUT_ACTIONS = ["call-next", "recall", "skip", "start", "pause", "resume"];
// The buttons' names, for the login that follows a session's end ("Selesai" was not saved).
const ACTION_LABELS = {
  "call-next": "btn.call_next", call: "line.call", recall: "btn.recall", skip: "btn.skip", start: "btn.start",
  resolve: "btn.resolve", escalate: "btn.escalate", transfer: "btn.transfer", pause: "btn.pause",
  resume: "btn.resume", "print-form": "btn.print_form",
};
const OWN_ENDINGS = ["resolve", "escalate", "transfer", "skip"]; // actions after which this page's ticket leaves it
const HELD_ACTIONS = ["recall", "skip", "start", "resolve", "escalate", "transfer"]; // sent with the ticket's id
const FORM_FIELDS = ["name", "agency", "phone", "address", "problem"]; // the visitor's form, as the front office corrects it
// Events of a counter's officer at that counter: no event says that a counter was taken (its first action takes
// it), so a call or a pause there names its holder (as the front office's list reads them).
const EARLIER_MAX = 10; // earlier tickets' form copies kept in sight (not printed yet) per counter
// The tickets that left this counter whose facts the page keeps (state.left, state.gone): its notice, its kept draft
// and its next snapshot ask about the last one or two. Unbounded, the page kept one per ticket for as long as it was
// open: a whole working day of the counter's visitors, each with the visitor's form.
const LEFT_KEPT = 50;
const VISITS_KEPT = 20; // the earlier visits of the last tickets shown here, each asked for once (GET .../earlier)

// A Map that keeps its last `max` keys written (a key written again is the newest), the oldest going first.
class Recent extends Map {
  constructor(max) {
    super();
    this.max = max;
  }
  set(key, value) {
    this.delete(key);
    super.set(key, value);
    while (this.size > this.max) this.delete(this.keys().next().value);
    return this;
  }
}

const state = {
  me: null,
  // pressed while an action was in flight, done in this order after it (act): "start" or "call-next"; or after an
  // answer typed ahead of its start, the start, the finish pressed on it (Ctrl+Enter) and the next call (N after it)
  queued: [],
  // {action, payload, cut, id, counter, seq, calls}: a press whose answer never came (Selesai, Eskalasi, Alihkan,
  // Lewati: confirmUnanswered; Panggil berikutnya, Panggil, Panggil ulang, Pengunjung datang: confirmSeen)
  unanswered: null,
  // {action, payload, id, counter, calls, seen, asked}: the press whose answer the page waits for, settled by what the
  // live state shows (settleSeen) when that comes first
  flight: null,
  confirming: null, // the ticket whose history confirmSeen asked for, until it is answered
  classGone: null, // the class chosen here that the admin took out of the priority table: said under it (takeClasses)
  drops: 0, // the live connection's losses so far: one since a lost press is said ("Tersambung kembali.")
  answered: new Recent(LEFT_KEPT), // ticket id -> the seq of the action's answer this page drew that ticket from
  counterId: null,
  lostCounter: null, // the counter a release took from this page (counterLost): its removal after is said too
  tickets: new Map(), // today's waiting/called/serving tickets by id, full forms
  counters: new Map(), // snapshot counter entries by id (name, services, officer)
  waiting: {}, // service code -> count
  clock: null, // the staff state's `disk.clock`: the server PC's clock behind the newest record (its words), or null
  printers: [], // the staff state's `printers`: the printers whose paper is nearly out (this counter's: renderPaper)
  busy: false,
  busyAction: null, // the action in flight while `busy` (act): a start's lets the answer's first letters wait for it
  typedAhead: "", // letters typed after D, before the visitor's start was answered: the answer's first (startPending)
  shownTicketId: null,
  lastDone: null, // {id, label, token, day}: the ticket last resolved or escalated at this counter (its form copy)
  formCopy: null, // {job, label, failed}: the form copy this page last sent to the printer, and its failure
  transferring: new Map(), // ticket id -> the service's name: sent away by this page (its draft is kept)
  transferFor: null, // the ticket whose transfer target is chosen in the select
  formEvents: new Map(), // print job id -> the last print_failed/printed event of a form copy
  focusAnswer: false, // serving started here: the cursor goes to the answer once the page is drawn
  notice: null, // {kind, key|text, params}
  offline: false, // the live connection lost, until it is back with a fresh snapshot (the bar under the buttons)
  ownDone: new Set(), // ids of tickets this page itself finished or sent away (their drafts are done with)
  finishing: new Map(), // ticket id -> {action: "resolve" or "escalate", label} pressed here: what it does not send is kept
  left: new Recent(LEFT_KEPT), // ticket id -> {type, actor} of the event that took it from this counter (the last ones)
  gone: new Recent(LEFT_KEPT), // ticket id -> the ticket as it was when it left this counter (the last ones)
  // {id, label, solution, note, why}: a draft kept after its ticket was sent away or finished elsewhere; `why`
  // holds the facts ({type: "transferred", service} or {type: "gone", how, status}), said in the page's language
  kept: null,
  keptOpen: false, // the kept draft shown whole while another ticket is at the counter (its line opened)
  seq: null, // the seq of the live state this page last drew: a correction missed while away is after it
  reopened: null, // the counter this page took from its storage (not from the server) until the first snapshot
  snapshots: 0, // the snapshots this page had: the first says a release this officer was not told on any page
  picked: false, // a counter chosen on this page: a release said before it is not said on a later snapshot
  earlier: [], // {id, label, token, job, failed, printed}: form copies of earlier tickets of this counter not printed yet
  mailEvents: new Map(), // mail id -> its last mail_sent/mail_failed event (it may come before the escalate answer)
  // mail id -> the failure ("retrying", "failed") said in the notice of another's place; "resent" once the front office
  // sent it again (Kirim ulang) after that: the new try's outcome is said too
  mailFailSaid: new Map(),
  changed: null, // {id, fields, actor}: the visitor's details just corrected by someone else, marked until the next action
  // (actor null: changed while the page was away, who not known yet)
  // ticket id -> {who, visits, more} | {who, loading} | {who, failed}: the visitor's earlier visits, asked for once per
  // ticket shown here and visitor (`who`: the phone, name and agency they were asked for), never per live event
  visits: new Recent(VISITS_KEPT),
  visitsPhase: null, // "<ticket id> called|serving": the list opens by itself at a call, and closes when serving starts
  visitsOpen: false,
  visitsWhole: new Set(), // the ids of the earlier visits shown whole (Selengkapnya)
  visitsDrawn: "", // what the list was last drawn from: drawn again only when that changed
};

const $ = (id) => document.getElementById(id);
const buttons = () => document.querySelectorAll("button[data-action]");

function counterConfig(id = state.counterId) {
  return PAGE.counters.find((c) => c.id === id) || null;
}

function counterName(id) {
  const cfg = counterConfig(id);
  return cfg ? cfg.name : t("counter_unknown", { id });
}

function isPaused(id = state.counterId) {
  return Boolean(id !== null && (state.counters.get(id) || {}).paused);
}

// Another officer holds this page's counter (the snapshot says so, or a call or a pause there): this page can
// do nothing there until it is free (a release, that officer's logout), and it shows none of that officer's work.
function takenBy(id = state.counterId) {
  if (id === null || !state.me || state.me.role === "admin") return null; // an admin acts at any counter (no claim)
  const officer = (state.counters.get(id) || {}).officer;
  return officer && officer !== state.me.username ? officer : null;
}

function currentTicket() {
  if (takenBy()) return null;
  for (const ticket of state.tickets.values()) {
    if (ticket.counter_id === state.counterId && (ticket.status === "called" || ticket.status === "serving")) return ticket;
  }
  return null;
}

function waitingFor(services) {
  return [...state.tickets.values()].filter((x) => x.status === "waiting" && services.includes(x.service));
}

// The waiting ticket "Panggil berikutnya" (N) takes at this page's counter now, as the server says it (the staff
// snapshot's counters[].next, and `next` on every event that changes the line): the priority lane, the arrival
// order across the counter's services, a skipped ticket's place, a transfer are the server's rules, never
// worked out here. None when nobody waits for it (or the page's picture has not caught up yet).
function nextHere() {
  if (state.counterId === null) return null;
  const next = (state.counters.get(state.counterId) || {}).next;
  const ticket = next ? state.tickets.get(next.id) : null;
  return ticket && ticket.status === "waiting" ? ticket : null;
}

// An event's `next` (counter id -> {id, label, service} or null): each counter's next call after the change.
function noteNext(nexts) {
  if (!nexts) return;
  for (const [key, next] of Object.entries(nexts)) {
    const id = Number(key);
    state.counters.set(id, { ...(state.counters.get(id) || { id }), next });
  }
}

// The actions the server allows on a ticket now: its `actions`, from the queue rules of the server's core.
function actionsOf(ticket) {
  return new Set((ticket && ticket.actions) || []);
}

// What the server allows right now: the held ticket's `actions` (call-next and call in them once it had all its
// calls: calling skips it), else calls when someone waits; and the counter's pause (no calls during a break,
// a recall neither: the server refuses it too; the visitor called before can still come, or be skipped).
export function allowed(ticket, waitingHere, paused = false) {
  const can = actionsOf(ticket);
  return {
    "call-next": !paused && (ticket ? can.has("call-next") : waitingHere > 0),
    call: !paused && (!ticket || can.has("call")), // a chosen waiting ticket, out of turn
    pause: !paused,
    resume: paused,
    recall: !paused && can.has("recall"),
    skip: can.has("skip"),
    start: can.has("start"),
    resolve: can.has("resolve"),
    escalate: can.has("escalate"),
    transfer: can.has("transfer"),
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
  if (n && n.escalated) n.kind = mailKind(n.escalated);
  const box = $("notice");
  box.dataset.kind = n ? n.kind : "";
  // a failed mail: the officer's line of the server's advice alone, then `more`. The mail server's own message
  // ("127.0.0.1:25: SMTPRecipientsRefused: {…: (550, b'5.1.1 …')}") was small after it, and the officer, who reads
  // neither English nor SMTP codes, has nothing to do with it: the front office's alert and the Eskalasi page keep it
  // behind "rincian untuk admin", the server's log and GET /api/escalations too. `data-advice`: two lines at most
  // while a ticket is at the counter (counter.css)
  if (n && n.escalated && mailFailed(n.escalated) && n.escalated.advice) box.dataset.advice = "";
  else delete box.dataset.advice;
  box.replaceChildren(...(n ? wholeLabels(noticeText(n)) : []));
}

// A notice whose words follow the page's state (the counter that took the last visitor, the ticket the admin's
// change waits for): drawn again when they changed, not otherwise (a screen reader says an alert's new text).
function refreshNotice() {
  const n = state.notice;
  if (n && $("notice").textContent !== noticeText(n)) renderNotice();
}

// Sentences said one after another, each [key, params]: said again in the language of the moment.
function partsText(parts) {
  return parts.map(([key, params]) => t(key, wordParams(params))).join(" ");
}

// A sentence's params, a [key, params] one among them said in the page's language now ("admin (baris perintah)"),
// its own params alike ("Selesai A-001": the button's name in it).
function wordParams(params) {
  return Object.fromEntries(
    Object.entries(params || {}).map(([k, v]) => [k, Array.isArray(v) ? t(v[0], wordParams(v[1])) : v]),
  );
}

// An escalation's notice says its mail's state, whichever way the page learnt it (the escalate answer, the mail's
// live events, the case's LKPP number or close, the open escalations read again at a snapshot after a reload or a
// reconnect): the same mail reads the same. A mail that failed at a try (retried, or failed for good) is said in
// red with the try's advice; once it is sent, or no longer needed (the case reached LKPP by hand: its LKPP number or
// answer recorded, a mail withdrawn, or failed and forwarded), in blue, "sudah terkirim" / "tidak perlu dikirim
// lagi" after a failure, else the escalation's own line. A failure reads in the server's words (`mail_failed`'s
// data.advice, the open escalations' mail.advice), the officer's short line of them (advice.officer: which case, not
// sent yet or not sent, the problem in a few words, the front office told; what to do is the front office's alert's,
// for the admin), in the page's language, alone (the raw error is the front office's and the admin's, renderNotice).
// {label, ticket, mail, to, status, attempts, error, advice, forwarded, more}
function mailFailed(e) {
  return !e.forwarded && (e.status === "retrying" || e.status === "failed");
}

function mailKind(e) {
  return mailFailed(e) ? "error" : "info";
}

function mailWords(e) {
  if (mailFailed(e) && e.advice) {
    const said = e.advice.officer || e.advice; // the officer's short line; the front office's whole advice before it
    return said[getLang()] || said.id;
  }
  if (mailFailed(e)) return t("alert.mail_failed", { label: e.label, error: e.error || "?" });
  const sent = e.status === "sent";
  const status = sent ? "sent" : e.forwarded || e.status === "withdrawn" ? "withdrawn" : "queued";
  if ((e.attempts || 0) > (sent ? 1 : 0) && status !== "queued") {
    return t(sent ? "mail.sent_later" : "mail.withdrawn_later", { label: e.label }); // after a failure said
  }
  if (e.to === undefined) return t(sent ? "mail.sent_later" : "mail.withdrawn_later", { label: e.label });
  return t("done.escalated_mail", { label: e.label, to: e.to, status: t(`mail.${status}`) });
}

// A mail's state (a mail event's data, a mail of the open escalations) into the notice of its escalation. A mail
// queued again (Kirim ulang, a restart) after a failure is not said: the notice keeps the failure until its next
// try tells, as it does live (mail_requeued is not followed here).
function takeMail(e, mail) {
  if (!mail || !mail.status) return;
  if (mail.status === "queued" && (e.status !== "queued" || mail.attempts)) return;
  if (mail.id !== undefined) e.mail = mail.id;
  e.status = mail.status;
  if (typeof mail.attempts === "number") e.attempts = mail.attempts;
  e.error = mail.error || null;
  e.advice = mail.advice || null;
  if (mail.status === "withdrawn") e.forwarded = true;
}

// A notice's words in the page's language now: a text as it was said (the server's refusal), an escalation
// with its mail's state as the live events tell it, a correction with the names of the fields that changed, a
// ticket that left the counter from its facts, the admin's change and the last visitor taken by another counter
// from the page's state.
// `reached`: the words of a press whose answer was lost, found done (confirmUnanswered); `back`: found so once the
// page was live again after its connection dropped ("Tersambung kembali.")
function noticeText(n) {
  const words = n.reached ? t("live.reached", { words: noticeWords(n) }) : noticeWords(n);
  return n.back ? t("live.back", { words }) : words;
}

function noticeWords(n) {
  if (n.text !== undefined) return n.text;
  if (n.parts) return partsText(n.parts);
  if (n.gone) return goneWords(n.gone.label, n.gone.how || {}, n.gone.status);
  if (n.settings) return settingsText();
  if (n.taken) return takenText(n.taken);
  if (n.escalated) {
    const text = mailWords(n.escalated);
    return n.escalated.more ? `${text} ${n.escalated.more}` : text;
  }
  if (n.fields) return t(n.key, { ...n.params, fields: n.fields.map((f) => t(`form.${f}`).toLowerCase()).join(", ") });
  if (n.fixed) return t(n.key, { ...n.params, fields: fixNames(n.fixed) }); // a record's correction: its fields named
  const text = t(n.key, n.params);
  return n.more ? `${text} ${n.more}` : text; // `more`: the server's own words after the page's
}

// "Nobody is waiting" after N while the page showed someone waiting (`taken.ids`): another counter called them
// first. Which ticket and where once the live events or the fresh snapshot show it called there (kept then in
// `taken.by`: the words stay when that counter finishes it).
function takenText(taken) {
  if (!taken.by) {
    const x = taken.ids.map((id) => state.tickets.get(id)).find(
      (x) => x && (x.status === "called" || x.status === "serving") && x.counter_id && x.counter_id !== state.counterId,
    );
    if (x) taken.by = { label: x.label, counter: x.counter_id };
  }
  if (taken.by) return t("done.none_taken_by", { label: taken.by.label, counter: counterName(taken.by.counter) });
  if (taken.ids.some((id) => (state.tickets.get(id) || {}).status === "waiting")) return t("done.none_taken");
  return t("done.none"); // gone from the line otherwise (cancelled meanwhile): nobody waits, that is all
}

function clearFieldErrors() {
  document.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
  state.classGone = null; // (takeClasses)
}

function showFieldErrors(fields) {
  if (fields && fields.priority_class) state.classGone = null;
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
  const taken = cfg ? takenBy() : null; // held by another officer: every button off until it is free
  const waitingHere = cfg ? waitingFor(cfg.services).length : 0;
  const paused = isPaused();
  const can = cfg && !taken ? allowed(ticket, waitingHere, paused) : {};
  const pause = $("btn-pause");
  pause.dataset.action = paused ? "resume" : "pause";
  pause.querySelector("[data-i18n]").dataset.i18n = paused ? "btn.resume" : "btn.pause";
  pause.querySelector("[data-i18n]").textContent = t(paused ? "btn.resume" : "btn.pause");
  pause.setAttribute("aria-pressed", String(paused));
  $("t-paused").hidden = !paused;
  document.body.classList.toggle("paused", paused);
  document.body.classList.toggle("serving", Boolean(ticket && ticket.status === "serving"));
  for (const b of buttons()) b.disabled = state.busy || !can[b.dataset.action];
  $("btn-transfer").disabled ||= !$("transfer-service").value;

  $("t-label").textContent = ticket ? ticket.label : "—";
  $("t-status").textContent = ticket ? statusName(ticket.status) : t("none");
  $("t-status").dataset.status = ticket ? ticket.status : "";
  // the count, and the skip before it (it came back after one) as a second piece: each whole, on a second line
  // of their own when the head's row is full (fitHead)
  let calls = ticket && ticket.status === "called" ? [t("calls", { n: ticket.calls, max: PAGE.max_calls })] : [];
  if (calls.length && ticket.requeues) calls.push(`· ${t("calls_skipped", { n: ticket.requeues })}`);
  const earlier = ofEarlierDay(ticket);
  if (earlier) {
    // still served when its day ended (Selesai never pressed): the counter takes no one else until it is
    // finished. Said in the timer's place (renderTimer), which would only count the hours since.
    const [y, m, d] = ticket.day.split("-");
    calls = [t("earlier_day", { day: `${d}-${m}-${y}` })];
  }
  const pieces = calls.map((x) => el("span", { class: "piece" }, x));
  $("t-calls").replaceChildren(...pieces.flatMap((x, i) => (i ? [" ", x] : [x])));
  $("t-calls").classList.toggle("earlier", earlier);
  const service = ticket && PAGE.services.find((s) => s.code === ticket.service);
  $("t-service").textContent = service ? service.name : "";
  // the name gives way to the count and the timer (counter.css): whole in its tooltip
  if (service) $("t-service").title = `${service.code} · ${service.name}`;
  else $("t-service").removeAttribute("title");

  const form = (ticket && ticket.form) || {};
  for (const key of FORM_FIELDS) $(`f-${key}`).replaceChildren(...unbroken(form[key] || "—"));
  if ((ticket ? ticket.id : null) !== state.shownTicketId) $("f-problem").scrollTop = 0; // a new visitor's from its start
  renderChanged(ticket);
  // Sent on from another service: where from, and what the officer there wrote (transfer_note)
  const from = ticket && ticket.transferred_from;
  $("f-transfer-box").hidden = !from;
  $("f-transfer-from").textContent = from ? t("form.transferred_from", { service: serviceName(from) }) : "";
  $("f-transfer-note").replaceChildren(...unbroken(from ? ticket.transfer_note || t("form.transfer_no_note") : ""));
  fitDetails();
  $("f-category").textContent = ticket && ticket.category ? t(`category.${ticket.category}`) : "—";
  document.querySelector(".visitor").classList.toggle("empty", !ticket);
  renderVisits(ticket);

  if ((ticket ? ticket.id : null) !== state.shownTicketId) {
    if (state.shownTicketId !== null) leaveTicket(state.shownTicketId);
    state.shownTicketId = ticket ? ticket.id : null;
    state.keptOpen = false; // a kept draft opened beside the ticket before: one line again beside this one
    $("outcome").reset();
    for (const count of Object.values(counted)) count.reset();
    clearFieldErrors();
    if (ticket) {
      $("category").value = ticket.category || "";
      const pc = document.querySelector(`input[name=priority_class][value="${ticket.priority_class}"]`);
      if (pc) pc.checked = true;
      const draft = loadDraft(ticket.id);
      if (draft) {
        $("solution").value = draft.solution || "";
        $("note").value = draft.note || "";
        if (draft.category !== undefined) $("category").value = draft.category;
        const kept = draft.priority_class && document.querySelector(`input[name=priority_class][value="${draft.priority_class}"]`);
        if (kept) kept.checked = true;
        else if (draft.priority_class) { // taken out of the table since (the page reloaded meanwhile): said
          state.classGone = draft.priority_class;
          renderClassGone();
        }
      }
      const restored = draft && ((draft.solution || "").trim() || (draft.note || "").trim());
      if (keptIsBack(ticket, restored, draft)) dismissKept();
      // A page opened on a ticket being served (a reload, back from another staff page): the cursor in the answer.
      if (ticket.status === "serving" && document.activeElement === document.body) state.focusAnswer = true;
    }
  }
  // The answer, the note, the kind, the class and the service to transfer to are for a ticket being served:
  // called, gone (cancelled, transferred, expired, released) or none, they take neither the cursor nor a letter
  // (N is a key again, as after Selesai). A draft stays in them, shown, until the ticket is served.
  const serving = Boolean(can.resolve || can.escalate || can.transfer);
  const outcome = $("outcome");
  outcome.classList.toggle("inactive", !(can.resolve || can.escalate));
  if (!serving && outcome.contains(document.activeElement)) document.activeElement.blur();
  for (const field of outcome.querySelectorAll("textarea, select, input")) field.disabled = !serving;
  renderTransferOptions(ticket);
  $("btn-transfer").disabled = state.busy || !can.transfer || !$("transfer-service").value;
  renderCounts();
  renderFormCopy();

  let hint = "hint.pick";
  if (cfg && paused && !ticket) hint = "hint.paused";
  else if (cfg && !ticket) hint = waitingHere ? "hint.idle" : "hint.idle_empty";
  else if (ticket && ticket.status === "called" && paused) {
    // on a break: no recall, no N; the visitor may still come (D), or be skipped once every call was given
    hint = actionsOf(ticket).has("skip") ? `hint.paused_exhausted${ticket.skip_final ? "_final" : ""}` : "hint.paused_called";
  } else if (ticket && ticket.status === "called") {
    hint = actionsOf(ticket).has("skip") ? "hint.exhausted" : "hint.called";
    if (ticket.skip_final) hint += "_final"; // the next skip is a no-show: say so before it is pressed
    // "Called 1 time": [queue] max_calls = 1 (a called ticket has had all its calls then: only these hints say 1)
    if (hint.startsWith("hint.exhausted") && PAGE.max_calls === 1) hint += ".one";
  }
  else if (ticket) hint = "hint.serving";
  let said = t(hint, { max: PAGE.max_calls });
  // A visitor another officer started serving at this counter (a shared PC, a shift's change): whose and since
  // when, first on the hint's line (the ticket's head has no room left for it at 1024 px)
  const handed = ticket && ticket.status === "serving" && ticket.officer && state.me && ticket.officer !== state.me.username;
  const since = handed && ticket.started_at;
  if (since) said = `${t("started_by", { officer: ticket.officer, time: hhmm(ticket.started_at) })} ${said}`;
  sayWhole($("hint"), said);
  // "Write the solution, then Resolve…" says no more than the buttons do: a long visitor's details may take
  // its line on a 768 px screen (counter.css .form-grid.long); who started the service is kept.
  $("hint").classList.toggle("as-buttons", hint === "hint.serving" && !since);
  $("hint").hidden = Boolean(taken); // "Press N…" is not true then: the banner says what to do
  renderTaken(taken);

  renderTimer();
  renderLine(can);
  renderCounters();
  renderKept();
  refreshNotice();
  renderDraftState();
  askServerDraft();
  if (state.focusAnswer && ticket && ticket.status === "serving" && !state.busy) {
    state.focusAnswer = false;
    $("solution").focus();
    if (state.typedAhead) typeIntoAnswer();
  }
}

// D, then the answer typed at once: its first letters came while the start was on its way (the answer's box still
// off), and each was a key of the page: I paused the counter, P printed the last visitor's form copy, N was kept to
// call the next, and they were lost from the answer. Kept (onKey), they go in it once the visitor is served.
function startPending() {
  return (state.busy && state.busyAction === "start") || state.queued.includes("start");
}

// Ctrl+Enter pressed on the answer typed ahead (Selesai, or Eskalasi): done once the visitor is served. The keys after
// it are no longer the answer's: N calls the next visitor after it, as N after Selesai does ("Dijelaskan.n" was saved).
function finishQueued() {
  return state.queued.some((a) => a === "resolve" || a === "escalate");
}

// Selesai or Eskalasi on its way to the server (Ctrl+Enter in the answer or the note, or its button): what was typed
// is sent, and the page leaves the field only once the answer comes (took). N pressed meanwhile was an "n" typed after
// the answer sent (in its box, or the cursor put there), and nobody was called: it calls the next visitor once the
// finish is done (act), as N after a queued Ctrl+Enter does; no other letter is the answer's or a key.
function finishOnItsWay() {
  return state.busy && (state.busyAction === "resolve" || state.busyAction === "escalate");
}

// the letters typed now go into the answer once the visitor is served (onKey)
function typingAhead() {
  return startPending() && !finishQueued();
}

function typeIntoAnswer() {
  const box = $("solution");
  const room = box.maxLength > 0 ? box.maxLength - box.value.length : state.typedAhead.length;
  box.value += state.typedAhead.slice(0, Math.max(0, room));
  state.typedAhead = "";
  box.selectionStart = box.selectionEnd = box.value.length;
  box.dispatchEvent(new Event("input", { bubbles: true })); // its count and its draft, as typing does
}

// This page's counter held by another officer: who, and what to do (another counter when the account may
// choose one, the front office's or an admin's Lepas, that officer's logout); gone by itself once it is free.
function renderTaken(officer) {
  $("taken").hidden = !officer;
  if (!officer) return;
  $("taken-title").textContent = t("taken.title", { counter: counterName(state.counterId), officer });
  $("taken-text").textContent = t(state.me && state.me.counter_id ? "taken.bound" : "taken.pick", { officer });
}

// The visitor's details another person just corrected (the front office's Ubah data): marked until the
// officer's next action.
function renderChanged(ticket) {
  const changed = state.changed && ticket && state.changed.id === ticket.id ? state.changed : null;
  for (const key of FORM_FIELDS) {
    const dd = $(`f-${key}`);
    const on = Boolean(changed && changed.fields.includes(key));
    dd.classList.toggle("changed", on);
    if (on) dd.title = changedMark(changed);
    else dd.removeAttribute("title");
  }
}

// A corrected field's tooltip: by whom, or "while the connection was down" until the ticket's history tells.
function changedMark(changed) {
  return changed.actor ? t("corrected.mark", { actor: changed.actor }) : t("corrected.mark_away");
}

// A visitor's name or agency longer than two lines of its quarter of the row (a 100-character name took
// eight there at 1024 px, and pushed Selesai, Eskalasi and Alihkan under the screen): the details are "long"
// (counter.css) and the name has a row of its own, whole; the agency and the address, on fewer lines on a
// laptop's screen (the agency on one more when the name takes one), are whole in their tooltips. Measured in
// the usual layout, so it holds in either language and at any width: again when the window is resized.
function fitDetails() {
  fitHead();
  const grid = document.querySelector(".visitor .form-grid");
  grid.classList.remove("long", "name-one-line");
  const lines = (dd) => dd.scrollHeight / parseFloat(getComputedStyle(dd).lineHeight);
  const long = lines($("f-name")) > 2.5 || lines($("f-agency")) > 2.5;
  grid.classList.toggle("long", long);
  grid.classList.toggle("name-one-line", long && lines($("f-name")) < 1.5);
  fitEmails();
  const ticket = currentTicket();
  const changed = state.changed && ticket && state.changed.id === ticket.id ? state.changed : null;
  for (const key of ["agency", "address"]) {
    const dd = $(`f-${key}`);
    const cut = long && dd.scrollHeight > dd.clientHeight + 1;
    const mark = changed && changed.fields.includes(key) ? changedMark(changed) : "";
    const title = [cut ? dd.textContent : "", mark].filter(Boolean).join("\n");
    if (title) dd.title = title;
    else dd.removeAttribute("title");
  }
  fitProblem();
}

// A problem longer than its box (four lines at 1366x768, three at 1280x720) scrolls inside it, and where no scroll
// bar is drawn nothing said that its end was hidden. While more of it is below the box's last line, that line fades
// and "▼ Selengkapnya" at its end (counter.css .problem-more, left of a scroll bar the office PC draws) scrolls the
// rest into view; scrolled to the end, by it or by the wheel, the sign goes. Nothing under the box moves.
function fitProblem() {
  const dd = $("f-problem");
  const more = dd.scrollHeight - dd.scrollTop - dd.clientHeight > 1;
  dd.closest(".problem-box").classList.toggle("more", more);
  $("problem-more").hidden = !more;
  if (more) $("problem-more").style.right = `${dd.offsetWidth - dd.clientWidth}px`;
}

// The ticket's head on one row (a laptop): the service's name gives way first (cut with "…", whole in its
// tooltip); when the row is still too narrow for the call count (a long "sudah dilewati" after a pause's
// ISTIRAHAT and Lanjutkan), its pieces go on two lines, each whole, instead of being cut. So do the timer's words
// (past the SOP's time, "— melewati 30 menit SOP", beside ISTIRAHAT and Lanjut at 1024 px): the pause button
// stays in the column, where a click reaches it.
function fitHead() {
  const head = document.querySelector(".ticket-head");
  const calls = $("t-calls");
  const full = () => head.scrollWidth > head.clientWidth + 1;
  calls.classList.remove("two-lines");
  head.classList.remove("squeezed");
  if (calls.children.length > 1 && full()) calls.classList.add("two-lines");
  if (full()) head.classList.add("squeezed");
}

// A phone number, a NIP, a ticket's number or an e-mail address in what a visitor or an officer wrote is never
// broken inside (counter.css .nobr): "0812-3456-" over "7890" is misread, and a narrow window or a phone broke
// them anywhere. An e-mail address too long for its box is cut with "…" and whole in its tooltip. A run of digits
// counts when it has 8 or more (a phone, a NIP written "19850101 201001 1 001") and fits a narrow box (24 signs).
// An e-mail address is cut only when it is wider than its box (fitEmails): else it stays in the line's words,
// the punctuation after it on its line.
const UNBROKEN = /[\w.%+-]+@[\w-]+(?:\.[\w-]+)+|\b[A-Z]-\d{3,4}\b|[+(]?\d[\d ().-]*\d/g;
function unbroken(text) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(UNBROKEN)) {
    const token = m[0];
    const email = token.includes("@");
    const digits = token.replace(/\D/g, "").length;
    if (!email && !/^[A-Z]-/.test(token) && (digits < 8 || token.length > 24)) continue;
    parts.push(text.slice(last, m.index));
    parts.push(el("span", { class: email ? "nobr email" : "nobr" }, token));
    last = m.index + token.length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== "");
}

// An e-mail address wider than its box (the visitor's details, the transfer note): cut with "…", whole in its
// tooltip (counter.css .nobr.email.cut); measured whole first, all at once, then cut.
function fitEmails() {
  const emails = [...document.querySelectorAll(".visitor .nobr.email")];
  for (const span of emails) span.classList.remove("cut");
  const wide = emails.filter((span) => span.getBoundingClientRect().width > span.closest("dd").clientWidth);
  for (const span of emails) {
    const cut = wide.includes(span);
    span.classList.toggle("cut", cut);
    if (cut) span.title = span.textContent;
    else span.removeAttribute("title");
  }
}

// ---- the visitor's earlier visits ---------------------------------------------------------
// A returning visitor (the same phone, or the same name at the same agency): their earlier tickets of the last 365
// days, the newest five, as the server finds them (GET /api/tickets/<ref>/earlier), asked for once per ticket
// shown here, again only when the front office corrects who they are. Their count at the right of the problem's
// label; the list over the outcome, opened by itself while they are called (the outcome is off then), closed
// when serving starts (the answer is written then), opened and closed with the count or Esc.
function visitsOf(ticket) {
  const form = ticket.form || {};
  const who = [form.phone, form.name, form.agency].join("\n");
  let entry = state.visits.get(ticket.id);
  if (!entry || entry.who !== who) {
    entry = { who, loading: true };
    state.visits.set(ticket.id, entry);
    loadVisits(ticket, entry);
  }
  return entry;
}

async function loadVisits(ticket, entry) {
  try {
    const { body } = await api("GET", `/api/tickets/${encodeURIComponent(ticket.token)}/earlier`);
    entry.visits = Array.isArray(body.visits) ? body.visits : [];
    entry.more = Boolean(body.more);
    entry.limit = body.limit;
  } catch (err) {
    entry.failed = true; // offline or refused: asked again once the page is live again (onStatus)
  }
  entry.loading = false;
  if (state.visits.get(ticket.id) === entry) renderVisits(currentTicket());
}

function renderVisits(ticket) {
  const toggle = $("visits-toggle");
  const panel = $("visits");
  const entry = ticket ? visitsOf(ticket) : null;
  const visits = (entry && entry.visits) || [];
  if (!visits.length) {
    toggle.hidden = true;
    panel.hidden = true;
    return;
  }
  const phase = `${ticket.id} ${ticket.status === "serving" ? "serving" : "called"}`;
  if (state.visitsPhase !== phase) {
    if (state.visitsPhase === null || !state.visitsPhase.startsWith(`${ticket.id} `)) state.visitsWhole.clear();
    state.visitsPhase = phase;
    state.visitsOpen = ticket.status !== "serving";
  }
  const n = entry.more ? `${visits.length}+` : String(visits.length);
  toggle.hidden = false;
  toggle.textContent = t("visits.toggle", { n });
  toggle.title = t("visits.toggle_hint");
  toggle.setAttribute("aria-expanded", String(state.visitsOpen));
  panel.hidden = !state.visitsOpen;
  const drawn = JSON.stringify([ticket.id, getLang(), entry.who, visits.length, entry.more, [...state.visitsWhole]]);
  if (drawn === state.visitsDrawn && panel.querySelector("li")) return;
  state.visitsDrawn = drawn;
  $("visits-note").textContent = entry.more ? t("visits.more", { n: entry.limit || visits.length }) : "";
  $("visits-list").replaceChildren(...visits.map((v) => visitItem(v, ticket)));
}

// What became of a visit, in words: an escalation with LKPP's ticket number and whether LKPP answered.
function visitOutcome(v) {
  if (v.status === "escalated" || v.status === "closed") {
    return t(`visits.outcome.${v.status}${v.lkpp_ticket ? "_ticket" : ""}`, { ticket: v.lkpp_ticket });
  }
  const key = `visits.outcome.${v.status}`;
  const said = t(key);
  return said === key ? statusName(v.status) : said;
}

function visitItem(v, ticket) {
  const whole = state.visitsWhole.has(v.id);
  const today = v.day === ticket.day;
  const when = today ? t("visits.today", { time: hhmm(v.created_at) }) : dayTime(v.created_at);
  const problem = v.problem || "";
  const texts = [];
  const text = (key, value, cls, title = value) => {
    if (!value) return;
    texts.push(el("p", { class: `visit-text ${cls}`, title }, el("span", { class: "what" }, `${t(key)}: `), value));
  };
  text("visits.problem", whole ? problem : problem.split("\n")[0], "first", problem); // whole in its tooltip
  if (v.status === "resolved") text("visits.solution", v.solution, "clamp");
  if (v.status === "escalated" || v.status === "closed") {
    text("visits.note", v.escalation_note, "clamp");
    text("visits.solution", v.solution, "clamp");
    text("visits.answer", v.lkpp_answer, "clamp");
  }
  // more than the shortened lines hold, roughly: Selengkapnya shows it whole
  const long = problem.includes("\n") || [problem, v.solution, v.escalation_note, v.lkpp_answer].some((x) => (x || "").length > 90);
  // a visit found by its phone under another name: whose name it was then
  const other = !(v.matched || []).includes("name_agency") && (v.name || v.agency);
  const service = v.service_name || serviceName(v.service);
  return el(
    "li",
    { class: whole ? "whole" : null, dataset: { id: v.id, status: v.status, label: v.label } },
    el(
      "div",
      { class: "visit-head" },
      el("span", { class: "when" }, when),
      el("span", { class: "label" }, v.label),
      el("span", { class: "svc", title: service }, service),
      el("a", { class: "form-link", href: `/counter/form/${encodeURIComponent(v.token)}`, target: "_blank", rel: "noopener",
        title: t("visits.form_hint") }, t("visits.form")),
    ),
    el(
      "div",
      { class: "visit-result" },
      el("span", { class: "result", dataset: { status: v.status } }, visitOutcome(v)),
      v.officer_name ? el("span", { class: "by" }, t("visits.by", { officer: v.officer_name })) : null,
      other ? el("span", { class: "as" }, t("visits.as", { name: v.name, agency: v.agency })) : null,
    ),
    ...texts,
    long ? el("button", { type: "button", class: "whole-toggle", "aria-expanded": String(whole),
      onclick: (ev) => doubled(ev) || toggleVisitWhole(v.id) }, t(whole ? "visits.short" : "visits.whole")) : null,
  );
}

function toggleVisitWhole(id) {
  if (state.visitsWhole.has(id)) state.visitsWhole.delete(id);
  else state.visitsWhole.add(id);
  renderVisits(currentTicket());
  const button = $("visits-list").querySelector(`li[data-id="${id}"] button.whole-toggle`);
  if (button) button.focus(); // drawn anew: the cursor stays on the visit's button
}

function openVisits(open) {
  state.visitsOpen = open;
  renderVisits(currentTicket());
}

// A form_corrected event of this counter's ticket: say who changed which of its fields (the event names them,
// not their values: the ticket it carries has the new ones), and mark them.
function noticeCorrected(ev) {
  const data = ev.data || {};
  const fields = (data.fields || []).filter((f) => FORM_FIELDS.includes(f));
  if (!fields.length) return;
  const actor = ev.actor || "?";
  const key = correctedKey(data.role);
  const before = state.changed && state.changed.id === ev.ticket.id ? state.changed.fields : [];
  state.changed = { id: ev.ticket.id, fields: [...new Set([...before, ...fields])], actor };
  state.notice = { kind: "warn", key, params: { label: ev.ticket.label, actor }, fields };
  renderNotice();
}

function correctedKey(role) {
  return ["frontoffice", "admin", "officer"].includes(role) ? `corrected.${role}` : "corrected.other";
}

// The fresh picture after the page was away (offline, asleep, a gap in the events) shows this counter's ticket
// with other details than the page showed: corrected meanwhile, and no form_corrected event reached the page.
// Said and marked as a live correction is, "while the connection was down" until the ticket's history (its
// form_corrected events after `since`, the seq the page had drawn) names who did it.
function noticeMissedCorrection(before, fresh, since) {
  const was = before.form || {};
  const now = fresh.form || {};
  const fields = FORM_FIELDS.filter((f) => (was[f] || "") !== (now[f] || ""));
  if (!fields.length) return;
  const prior = state.changed && state.changed.id === fresh.id ? state.changed.fields : [];
  state.changed = { id: fresh.id, fields: [...new Set([...prior, ...fields])], actor: null };
  const notice = { kind: "warn", key: "corrected.away", params: { label: fresh.label }, fields };
  // an action that did not reach the server is said first (check, then repeat it): the fields are marked
  if (!(state.notice && state.notice.key === "live.back_unsent")) {
    state.notice = notice;
    renderNotice();
  }
  explainCorrection(fresh, fields, since, notice);
}

async function explainCorrection(ticket, fields, since, notice) {
  let events;
  try {
    events = (await api("GET", `/api/tickets/${encodeURIComponent(ticket.token)}/history`)).body.events || [];
  } catch (err) {
    return; // offline again, or refused: "while the connection was down" stands
  }
  const touches = (e) => ((e.data && e.data.fields) || []).some((f) => fields.includes(f));
  const last = events.filter((e) => e.type === "form_corrected" && (since === null || e.seq > since) && touches(e)).at(-1);
  if (!last || !last.actor) return;
  const changed = state.changed;
  if (changed && changed.id === ticket.id && !changed.actor) changed.actor = last.actor;
  if (state.notice === notice) {
    const key = correctedKey((last.data || {}).role);
    state.notice = { ...notice, key, params: { ...notice.params, actor: last.actor } };
  }
  render();
  renderNotice();
}

// ---- the form copy (SOP step 12) of the ticket last finished at this counter ----------------
// Kept per counter in this tab (sessionStorage) for the office's day, until another ticket is finished
// there: a reload or a trip to another staff page keeps the button, the A4 link and a failed copy's alert.
const DAY_FORMAT = new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE, year: "numeric", month: "2-digit", day: "2-digit" });

function officeDay() {
  return DAY_FORMAT.format(officeNow()); // "2026-11-28", the office's day on the server's clock
}

// A ticket of a day that is over: its visitor was still being served when the day ended.
function ofEarlierDay(ticket) {
  return Boolean(ticket && ticket.day && ticket.day !== officeDay());
}

function loadDone() {
  state.lastDone = null;
  state.formCopy = null;
  state.earlier = [];
  if (state.counterId === null) return;
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(`${DONE_KEY}${state.counterId}`) || "null");
  } catch (err) {
    kept = null;
  }
  if (kept && kept.ticket && kept.ticket.day === officeDay()) {
    state.lastDone = kept.ticket;
    state.formCopy = kept.copy || null;
    state.earlier = Array.isArray(kept.earlier) ? kept.earlier : [];
  } else sessionStorage.removeItem(`${DONE_KEY}${state.counterId}`);
}

function saveDone() {
  if (state.counterId === null) return;
  const key = `${DONE_KEY}${state.counterId}`;
  if (state.lastDone) {
    sessionStorage.setItem(key, JSON.stringify({ ticket: state.lastDone, copy: state.formCopy, earlier: state.earlier }));
  }
  else sessionStorage.removeItem(key);
}

function setLastDone(ticket, seq) {
  // The copy of the ticket finished before, sent to the printer and not printed (failed, or not answered yet):
  // it stays in sight, listed, until it prints or the officer dismisses it.
  const done = state.lastDone;
  const copy = state.formCopy;
  // already this page's (its event came before the answer, or the answer before its event): its copy stays as it is
  if (done && done.id === ticket.id && done.day === officeDay()) return;
  // a finish older than the one named (the visitor before's event, late on a busy network, after the answer that
  // finished the next): the button named the visitor before again
  if (done && done.day === officeDay() && typeof seq === "number" && typeof done.seq === "number" && seq < done.seq) {
    return;
  }
  if (done && done.id !== ticket.id && copy && copy.job !== null && copy.job !== undefined && !copy.printed) {
    const entry = { id: done.id, label: done.label, token: done.token, job: copy.job, failed: copy.failed || null };
    state.earlier = [...state.earlier.filter((x) => x.id !== done.id), entry].slice(-EARLIER_MAX);
  }
  state.lastDone = { id: ticket.id, label: ticket.label, token: ticket.token, day: officeDay() };
  if (typeof seq === "number") state.lastDone.seq = seq; // the change that finished it (ordering the late events)
  state.formCopy = null;
  saveDone();
}

// A ticket finished at this page's counter by another page (the officer's counter page opened again in a new tab, the
// first left open; an admin acting there) is the counter's last, the visitor whose copy is due (SOP step 12): the
// button went on naming the visitor this tab had finished, an older one, while the other tab served the next, and P
// printed that older visitor's copy. Its event says so to every page of the counter.
function finishedHere(ev, before) {
  if (ev.type !== "resolved" && ev.type !== "escalated") return;
  const ticket = ev.ticket;
  const at = ev.counter_id ?? (before ? before.counter_id : null) ?? (ticket ? ticket.counter_id : null);
  if (!ticket || !ticket.token || state.counterId === null || at !== state.counterId || takenBy()) return;
  if (ticket.day && ticket.day !== officeDay()) return; // the day is over: its copy is not offered (renderFormCopy)
  setLastDone(ticket, ev.seq);
}

// A counter page opened after the finish (a second tab, the tab closed by mistake and opened again, another PC) named
// no visitor for the form copy until the next finish: the officer could not print the copy of the visitor still
// standing there. The server knows the counter's last finished ticket today: asked at each snapshot (a page opened,
// back online) and on picking a counter; a finish this page knows of that is newer stays (setLastDone, by seq).
async function checkLastDone() {
  const id = state.counterId;
  if (id === null || !state.me || takenBy()) return;
  try {
    const { status, body } = await api("GET", `/api/counters/${id}/last-finished`);
    const ticket = status === 200 && body ? body.ticket : null;
    if (!ticket || !ticket.token || state.counterId !== id || takenBy()) return;
    if (ticket.day && ticket.day !== officeDay()) return;
    setLastDone(ticket, ticket.seq);
    renderFormCopy();
  } catch (err) {
    /* the button stays as it was; the next finish or snapshot tells */
  }
}

// That visitor's copy sent to the printer from another page (P there): its printer's answer (printed, failed) is said
// here too (onPrintEvent follows this page's copy by its job).
function copySentElsewhere(ev) {
  const job = (ev.data || {}).job;
  const done = state.lastDone;
  if (!done || !ev.ticket || ev.ticket.id !== done.id || job === undefined || job === null) return;
  if (state.formCopy && state.formCopy.job === job) return;
  state.formCopy = { job, label: done.label, failed: null };
  saveDone();
}

function renderFormCopy() {
  if (state.lastDone && state.lastDone.day !== officeDay()) {
    // the office's day is over: yesterday's copy is not offered any more
    state.lastDone = null;
    state.formCopy = null;
    state.earlier = [];
    saveDone();
  }
  const done = state.counterId !== null ? state.lastDone : null; // a counter freed under the page: none
  renderEarlierCopies(done ? state.earlier : []);
  const copy = $("btn-print-form");
  copy.disabled = state.busy || !done;
  copy.querySelector("[data-label]").textContent = done ? done.label : "";
  // A counter without a printer for its form copies: P is not advertised (pressed, it says why, as the button
  // does), and the tooltip names the missing setting and the A4 form beside it.
  const cfg = counterConfig();
  const unprinted = Boolean(cfg && cfg.has_printer === false);
  copy.classList.toggle("no-printer", unprinted);
  copy.title = unprinted ? t("copy.no_printer_title", { counter: cfg.name }) : t("btn.print_form_keys");
  if (unprinted) copy.removeAttribute("aria-keyshortcuts");
  else copy.setAttribute("aria-keyshortcuts", "P Alt+P");
  const href = done ? `/counter/form/${encodeURIComponent(done.token)}` : "";
  const a4 = $("link-form-a4");
  a4.hidden = !done;
  if (done) a4.href = href;
  // Koreksi catatan: that ticket's record, corrected (openFix)
  const fixButton = $("btn-fix");
  fixButton.hidden = !done;
  fixButton.title = done ? t("fix.open_title", { label: done.label }) : "";
  // corrected after its copy was printed: the copy in the visitor's hand has the old text, Cetak ulang beside it
  const outdated = Boolean(done && state.formCopy && state.formCopy.outdated);
  $("fix-reprint").hidden = !outdated;
  $("fix-reprint-btn").disabled = state.busy;
  $("fix-reprint-text").textContent = outdated ? t("fix.outdated", { label: done.label }) : "";
  renderPaper();
  const failed = state.formCopy && state.formCopy.failed;
  $("copy-alert").hidden = !failed;
  if (!failed) return;
  const text = t("copy.failed", { label: state.formCopy.label, advice: adviceOf(failed) });
  sayWhole($("copy-alert-text"), text); // whole, also while the next visitor is served (counter.css)
  $("copy-alert-a4").href = href;
}

// This counter's printer of form copies says its paper is nearly out (the staff state's `printers`, an entry whose
// `counters` has this page's counter): one calm line under the form copy's button, "Kertas printer salinan formulir
// hampir habis (sejak 09.12): siapkan gulungan baru.", not a failure (its copies still print), gone by itself once
// the printer no longer says so (a new roll: the server's `printers` message).
function renderPaper() {
  const id = state.counterId;
  const low = id !== null ? state.printers.find((p) => Array.isArray(p.counters) && p.counters.includes(id)) : null;
  const box = $("copy-paper");
  box.hidden = !low;
  box.textContent = low ? t(low.paper === "out" ? "copy.paper_out" : "copy.paper_low", { time: hhmm(low.since) }) : "";
  if (low) box.dataset.printer = low.printer;
  else delete box.dataset.printer;
}

function onPrinters(list) {
  state.printers = Array.isArray(list) ? list : [];
  renderPaper();
}

function adviceOf(failed) {
  return failed.advice ? failed.advice[getLang()] || failed.advice.id : failed.error || "?";
}

// The form copies of this counter's earlier tickets that did not print: one short line each, the printer's
// words in its tooltip, with Cetak ulang, the A4 form and Tutup.
function renderEarlierCopies(list) {
  const failed = list.filter((x) => x.failed);
  const box = $("copy-earlier");
  box.hidden = !failed.length;
  box.replaceChildren(
    ...failed.map((x) =>
      el(
        "li",
        { dataset: { label: x.label }, title: t("copy.failed", { label: x.label, advice: adviceOf(x.failed) }) },
        el("span", { class: "what" }, ...wholeLabels(t("copy.earlier", { label: x.label }))),
        " · ",
        el(
          "button",
          {
            type: "button",
            class: "link reprint",
            disabled: state.busy,
            onclick: (ev) => doubled(ev) || printFormCopy(x), // a double click: one copy
          },
          t("copy.reprint"),
        ),
        " / ",
        el("a", { class: "a4", href: `/counter/form/${encodeURIComponent(x.token)}`, target: "_blank", rel: "noopener" }, t("btn.form_a4")),
        el(
          "button",
          {
            type: "button",
            class: "link dismiss",
            title: t("copy.dismiss_title", { label: x.label }),
            onclick: () => dismissEarlier(x.id),
          },
          t("copy.dismiss"),
        ),
      ),
    ),
  );
}

function dismissEarlier(id) {
  state.earlier = state.earlier.filter((x) => x.id !== id);
  saveDone();
  render();
}

// "Sent to the printer (print job #N)" of a copy whose printer has failed since: the red line is the truth now.
function dropCopyNotice(label) {
  const n = state.notice;
  if (n && n.key === "done.form_copy" && n.params && n.params.label === label) {
    state.notice = null;
    renderNotice();
  }
}

// A print_failed or printed event: about this page's last form copy (its job, else its ticket's form), or
// one of the earlier tickets' copies listed as not printed?
function onPrintEvent(ev) {
  const copy = state.formCopy;
  const data = ev.data || {};
  if (data.kind !== "form") return;
  if (data.job !== undefined) {
    for (const told of copyLoads) told.add(data.job); // newer than a print jobs' list on its way (checkFormCopy)
    // its printer may answer before the print-form request does: kept a while for that answer
    if (state.formEvents.size > 20) state.formEvents.clear();
    state.formEvents.set(data.job, ev);
  }
  const same = (c) => (c.job !== null && c.job !== undefined ? data.job === c.job : ev.ticket && ev.ticket.label === c.label);
  const failure = { advice: data.advice || null, error: data.error || "", final: Boolean(data.final) };
  if (copy && same(copy)) {
    if (ev.type === "printed") {
      copy.printed = true;
      // read for the printer before a correction saved while it was on its way: the paper has the old text
      if (data.outdated) copy.outdated = true;
      if (!copy.failed) return saveDone();
      copy.failed = null;
      notify("info", "copy.printed", { label: copy.label });
    } else {
      copy.failed = failure;
      dropCopyNotice(copy.label);
    }
    return saveDone();
  }
  const earlier = state.earlier.find((x) => x.job !== null && x.job !== undefined && same(x));
  if (!earlier) return;
  if (ev.type === "printed") {
    state.earlier = state.earlier.filter((x) => x !== earlier);
    if (data.outdated) notify("warn", "fix.outdated", { label: earlier.label });
    else if (earlier.failed) notify("info", "copy.printed", { label: earlier.label });
  } else {
    earlier.failed = failure;
    dropCopyNotice(earlier.label);
  }
  saveDone();
}

// What the printer did with this page's form copy while the page was away (a reload, another staff page,
// offline): the print jobs' list says, as the front office's alerts read it. A print event of a copy that came
// while the list was on its way is newer than the list: that copy is left as the event said (printed, its red
// line gone; the list read before the print put the line back, for the day).
let copyChecks = 0; // the print jobs' answers taken (what a test waits for)
const copyLoads = new Set(); // per list on its way: the print jobs a live event told of meanwhile

// Returns the list's jobs by id (null: not asked, or not answered).
async function checkFormCopy() {
  const copies = [state.formCopy, ...state.earlier].filter((c) => c && c.job !== null && c.job !== undefined && !c.printed);
  if (!copies.length) return null;
  const told = new Set();
  copyLoads.add(told);
  let jobs = null;
  try {
    const { body } = await api("GET", "/api/print-jobs");
    jobs = new Map(((body && body.jobs) || []).map((j) => [j.id, j]));
    for (const copy of copies) {
      const job = jobs.get(copy.job);
      if (!job || told.has(copy.job) || copy.printed) continue;
      if (job.status === "printed") {
        // printed after all: a copy whose red line this page showed says so, as the printed event does
        if (copy.failed) notify("info", "copy.printed", { label: copy.label });
        copy.failed = null;
        copy.printed = true;
      } else if (job.status === "failed" || job.status === "retrying") {
        copy.failed = { advice: job.advice || null, error: job.error || "", final: job.status === "failed" };
      }
    }
    state.earlier = state.earlier.filter((x) => !x.printed); // printed after all: nothing to remind of
    saveDone();
    renderFormCopy();
  } catch (err) {
    /* the alert stays as it was; the next event or snapshot tells */
  } finally {
    copyLoads.delete(told);
  }
  copyChecks += 1;
  return jobs;
}

// ---- drafts: what the officer types survives a reload, and a ticket finished elsewhere ------
function draftKey(id) {
  return `${DRAFT_KEY}${id}`;
}

function loadDraft(id) {
  try {
    return JSON.parse(sessionStorage.getItem(draftKey(id)) || "null");
  } catch (err) {
    return null;
  }
}

// The answer, the escalation note, and the kind of problem and priority class when they differ from the
// ticket's own (chosen here, not saved yet).
function saveDraft() {
  if (state.shownTicketId === null) return;
  const ticket = state.tickets.get(state.shownTicketId) || {};
  const solution = $("solution").value;
  const note = $("note").value;
  const category = $("category").value;
  const pc = document.querySelector("input[name=priority_class]:checked");
  const priorityClass = pc ? pc.value : "";
  const chosen = category !== (ticket.category || "") || priorityClass !== (ticket.priority_class || "");
  if (solution.trim() || note.trim() || chosen) {
    const draft = { solution, note, category, priority_class: priorityClass };
    sessionStorage.setItem(draftKey(state.shownTicketId), JSON.stringify(draft));
  } else sessionStorage.removeItem(draftKey(state.shownTicketId));
}

// The ticket on screen left this counter. Finished here: its draft is done with. Sent to another service
// from here, or finished elsewhere (another tab, another person, the end of the day) with something typed:
// the text is kept on screen (and a transferred ticket's draft comes back with it if it returns to this tab).
// What happened is kept as facts (the label, the service, the event), said in the page's language when drawn.
function leaveTicket(id) {
  const still = state.tickets.get(id);
  if (still && ACTIVE.includes(still.status) && still.status !== "waiting" && !state.left.has(id)) return; // another counter picked
  const solution = $("solution").value;
  const note = $("note").value;
  clearTimeout(serverDraft.timer); // the ticket left: the server dropped its draft (the form is the next one's)
  clearTimeout(serverDraft.retry);
  serverDraft.tries = 0;
  serverDraft.sent.delete(id);
  serverDraft.asked.delete(id);
  serverDraft.version.delete(id);
  serverDraft.kept.delete(id);
  serverDraft.keptAt.delete(id);
  serverDraft.refused.delete(id);
  const transferred = state.transferring.get(id); // the service's code
  state.transferring.delete(id);
  const finished = state.finishing.get(id);
  state.finishing.delete(id);
  if (transferred === undefined) sessionStorage.removeItem(draftKey(id));
  const ticket = state.tickets.get(id) || state.gone.get(id) || {};
  if (transferred !== undefined && (solution.trim() || note.trim())) {
    state.ownDone.delete(id);
    keepDraft({ id, label: ticket.label || "", solution, note, why: { type: "transferred", service: transferred } });
    return;
  }
  if (state.ownDone.has(id)) {
    state.ownDone.delete(id);
    const unsent = finished && unsentDraft(finished.action, solution, note);
    // (its label from the press: a resolved ticket may be gone from the page's lists by now)
    const label = ticket.label || finished.label || "";
    if (unsent) keepDraft({ id, label, ...unsent, why: { type: "unsent", action: finished.action } });
    return;
  }
  if (!solution.trim() && !note.trim()) return;
  keepDraft({ id, label: ticket.label || "", solution, note, why: goneFacts(id) });
}

// What this page's Eskalasi or Selesai did not send: Eskalasi records the analysis alone, Selesai the answer alone. The
// answer typed before the officer turned to Eskalasi (what was tried), or an analysis begun before Selesai, went
// nowhere, unsaid: it is kept as a draft is, with what happened (keptText). Null when that box is empty.
function unsentDraft(action, solution, note) {
  if (action === "escalate" && solution.trim()) return { solution, note: "" };
  if (action === "resolve" && note.trim()) return { solution: "", note };
  return null;
}

function keepDraft(kept) {
  state.kept = kept;
  state.keptOpen = false;
  sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
}

// Why the draft was kept, in the page's language now (a draft kept before this page stored facts: its words).
function keptText(kept) {
  const why = kept.why || {};
  if (why.type === "transferred") return t("kept.transferred", { label: kept.label || "?", service: serviceName(why.service) });
  if (why.type === "unsent") return t(`kept.unsent_${why.action}`, { label: kept.label || "?" });
  if (why.type === "gone") return goneWords(kept.label || "?", why.how || {}, why.status);
  if (why.type === "server") return t("kept.server", { label: kept.label || "?", officer: why.officer || "?", time: hhmm(why.at) });
  return kept.text || "";
}

// The kept draft's ticket is back at this counter (sent back, or on to a service of this counter) and what was
// typed for it is on screen again: in its fields (this tab's draft) or in the transfer's note. The box would say
// it a third time: it goes. Not the server's draft shown below this tab's own text (another PC's, another tab's):
// this tab's draft restored by a reload is no sign of it coming back. This page's own save (typed on, its retry, the
// save sent as the page went) may have replaced it on the server, the box its only copy: it stays, as the box says,
// until dismissed (unless the form holds that very text).
function keptIsBack(ticket, restored, draft) {
  const kept = state.kept;
  if (!kept || kept.id !== ticket.id) return false;
  if ((kept.why || {}).type === "server") {
    const same = (k) => ((draft && draft[k]) || "").trim() === (kept[k] || "").trim();
    return Boolean(restored) && same("solution") && same("note");
  }
  const note = ticket.transfer_note || "";
  const carried = [kept.solution, kept.note].every((x) => !(x || "").trim() || note.includes(x.trim().slice(0, 200)));
  return Boolean(restored) || (Boolean(ticket.transferred_from) && carried);
}

// One short line (Lihat draf opens the sentence and the texts, Salin teks copies them, Tutup draf) while another
// visitor is called or served, and while the counter is idle (after Alihkan with nobody waiting the whole box
// made the page scroll at 1366x768): the next visitor's answer, Selesai, Eskalasi and Alihkan stay on a 768 px
// screen, and the idle page does not scroll. The notice above says what happened to the ticket.
function renderKept() {
  const kept = state.kept;
  const box = $("kept-draft");
  box.hidden = !kept;
  if (!kept) return;
  const here = currentTicket();
  const other = !here || here.id !== kept.id;
  const collapsed = other && !state.keptOpen;
  const said = keptText(kept);
  box.classList.toggle("collapsed", collapsed);
  // the server's draft shown below is not what this page typed (a reopened tab, another PC's)
  const tail = (kept.why || {}).type === "server" ? "kept.keep_server" : "kept.keep";
  sayWhole($("kept-note"), `${said} ${t(tail)}`);
  sayWhole($("kept-short"), t("kept.short", { label: kept.label || "?" }));
  $("kept-short").title = said;
  $("kept-open").hidden = !other;
  $("kept-open").textContent = t(collapsed ? "kept.open" : "kept.close");
  $("kept-open").setAttribute("aria-expanded", String(!collapsed));
  $("kept-solution").value = kept.solution || "";
  $("kept-note-text").value = kept.note || "";
  $("kept-solution-box").hidden = !(kept.solution || "").trim();
  $("kept-note-box").hidden = !(kept.note || "").trim();
}

function toggleKept() {
  state.keptOpen = !state.keptOpen;
  renderKept();
}

async function copyKept() {
  if (!state.kept) return;
  const text = [state.kept.solution, state.kept.note].filter((x) => x && x.trim()).join("\n\n");
  try {
    await navigator.clipboard.writeText(text);
    notify("info", "kept.copied");
  } catch (err) {
    // no clipboard (plain http): the texts shown, the answer selected, for Ctrl+C
    state.keptOpen = true;
    renderKept();
    $("kept-solution").select();
  }
}

function dismissKept() {
  state.kept = null;
  state.keptOpen = false;
  sessionStorage.removeItem(KEPT_KEY);
  renderKept();
}

// ---- the server's copy of the draft: a closed tab, a crashed browser, a dead counter PC lose nothing ---------
// What is typed for the ticket being served is sent to the server DRAFT_SAVE_MS after typing stops, and at once when
// the page is hidden or closed (fetch keepalive). A counter page showing that ticket served (a tab opened again,
// another PC) puts it into its form when the form is empty; when the form has other text, that text stays and the
// server's is shown in the kept-draft box. The server drops it once the ticket leaves the counter or the day ends.

// The draft as the server keeps it: the texts, and the kind and the class only when chosen here (not the ticket's).
function draftBody(ticket) {
  const pc = document.querySelector("input[name=priority_class]:checked");
  const category = $("category").value;
  const priorityClass = pc ? pc.value : "";
  return {
    ticket_id: ticket.id,
    solution: $("solution").value,
    note: $("note").value,
    category: category !== (ticket.category || "") ? category : "",
    priority_class: priorityClass !== (ticket.priority_class || "") ? priorityClass : "",
  };
}

function servedHere() {
  const ticket = currentTicket();
  return ticket && ticket.status === "serving" && ticket.id === state.shownTicketId ? ticket : null;
}

function scheduleServerDraft() {
  clearTimeout(serverDraft.timer);
  serverDraft.timer = setTimeout(() => sendServerDraft(false), DRAFT_SAVE_MS);
}

// Sent once per change (the same text twice is not sent again); refused or lost, it is sent at the next pause, once
// the page is live again (resendServerDraft), and, failed on the way or at the server, on a timer (retryServerDraft).
async function sendServerDraft(leaving) {
  clearTimeout(serverDraft.timer);
  serverDraft.timer = null;
  clearTimeout(serverDraft.retry); // this save is the newer one: a retry pending is not needed any more
  serverDraft.retry = null;
  const ticket = servedHere();
  if (!ticket || state.counterId === null) return;
  const body = draftBody(ticket);
  const key = JSON.stringify(body);
  if (serverDraft.sent.get(ticket.id) === key) return;
  serverDraft.sent.set(ticket.id, key);
  serverDraft.refused.delete(ticket.id);
  const base = serverDraft.version.get(ticket.id) || 0; // 0: no draft of the server's seen
  const flying = (n) => { // (none left: its entry goes, or the page kept one for every ticket of the day)
    const now = (serverDraft.flying.get(ticket.id) || 0) + n;
    if (now > 0) serverDraft.flying.set(ticket.id, now);
    else serverDraft.flying.delete(ticket.id);
  };
  flying(1);
  renderDraftState();
  try {
    let answer;
    try {
      answer = await api("POST", `/api/counters/${state.counterId}/draft`, { ...body, version: base },
                         { keepalive: leaving, timeout: DRAFT_SAVE_TIMEOUT_MS });
    } finally {
      flying(-1);
    }
    serverDraft.tries = 0; // the server saves again: a next failure waits 2 s first
    // none seen yet (the page's fetch of the server's draft still on its way): 0, the save's base; taken on it, the
    // server held no draft, and holds this one now (the cue said "Belum tersimpan" for good while it did)
    const now = serverDraft.version.get(ticket.id) || 0;
    if (now === base || now === answer.body.version) {
      // (a fetch answered first may have seen this very save: its version already taken)
      serverDraft.version.set(ticket.id, answer.body.version);
      keptOnServer(ticket.id, key, answer.body.version, answer.body.saved_at);
    }
  } catch (err) {
    const newest = serverDraft.sent.get(ticket.id) === key; // no newer save went meanwhile
    if (newest) serverDraft.sent.delete(ticket.id);
    if (err.status === 409 && err.body.error === "draft_stale") {
      // typed on another PC or tab meanwhile: not overwritten unseen; fetched and shown beside this page's text
      // (askServerDraft), then this page's text is kept on the server too, the other one staying in the box.
      // The version refused is not kept (no save answered since): the server's, even a lower one, is taken then. A
      // visitor sent away and served here again while the page was away has a draft the server dropped (version 0):
      // kept, every save was refused, asked for and sent again every 2 s, and none of the text reached the server.
      if ((serverDraft.version.get(ticket.id) || 0) === base) serverDraft.version.delete(ticket.id);
      serverDraft.asked.delete(ticket.id);
      await askServerDraft();
      scheduleServerDraft();
    } else if (newest && (err.status === 0 || err.status === 429 || err.status >= 500)) {
      retryServerDraft(); // not refused for what it is: the server or the network failed it (a closed page's: never)
    } else if (newest && err.status !== 409) {
      serverDraft.refused.set(ticket.id, key); // refused for what it is: said until the next change goes
    }
  } finally {
    renderDraftState();
  }
}

// The draft (JSON) the server holds from this page, its version and time there (the cue's "Tersimpan di server 10.42").
function keptOnServer(id, key, version, at) {
  serverDraft.kept.set(id, key);
  serverDraft.keptAt.set(id, { version, at: at || new Date().toISOString() });
}

// Whether what is typed for the ticket served here is on the server, at every moment (the officer on a flaky Wi-Fi
// typed a long answer, the PC died, and it was lost, the page having said nothing of its saves failing):
// "saved" only when the server answered a save of exactly this text (or sent it) and no other draft was saved there
// since (its version is still that one); "saving" while a save is on its way; "retry" while a failed one waits for
// its next try; "refused"; "pending" while typing (the save goes at the pause), or while its text differs from the
// server's; nothing when nothing is typed or the server's draft is not known yet. null: no ticket served here.
function draftState() {
  const ticket = servedHere();
  if (!ticket || state.counterId === null) return null;
  const id = ticket.id;
  const body = draftBody(ticket);
  const key = JSON.stringify(body);
  if ((serverDraft.flying.get(id) || 0) > 0) return { kind: "saving" };
  const kept = serverDraft.kept.get(id);
  const at = serverDraft.keptAt.get(id);
  if (kept === key && at && at.version === serverDraft.version.get(id)) return { kind: "saved", at: at.at };
  if (serverDraft.retry !== null) return { kind: "retry", n: Math.max(1, Math.ceil((serverDraft.retryAt - Date.now()) / 1000)) };
  if (serverDraft.refused.get(id) === key) return { kind: "refused" };
  const typed = ["solution", "note", "category", "priority_class"].some((k) => body[k]);
  if (kept === undefined && !typed) return { kind: "" }; // nothing to save
  if (!serverDraft.version.has(id) && serverDraft.timer === null) return { kind: "" }; // the server's not asked yet
  return { kind: "pending" };
}

function draftWords(d) {
  if (d.kind === "saved") return t("draft.saved", { time: hhmm(d.at) });
  if (d.kind === "retry") return t("draft.retry", { n: d.n });
  return d.kind ? t(`draft.${d.kind}`) : "";
}

// The cue at the right of the answer's label (not live: its words change at each pause, its count every second), and
// to a screen reader, politely, the moments that matter: a save failed, then saved again.
function renderDraftState() {
  const d = draftState();
  const box = $("draft-state");
  const kind = d ? d.kind : "";
  const words = d ? draftWords(d) : "";
  if (box.textContent !== words) box.textContent = words;
  const title = words ? `${words}. ${t("draft.title")}` : ""; // (its sign alone beside the answer's length)
  if (box.title !== title) box.title = title;
  if (box.dataset.state !== kind) box.dataset.state = kind;
  box.hidden = !kind;
  const said = $("draft-said");
  if (kind === "retry" || kind === "refused") {
    if (!serverDraft.failing) said.textContent = t("draft.said_failed");
    serverDraft.failing = true;
  } else if (kind === "saved" && serverDraft.failing) {
    serverDraft.failing = false;
    said.textContent = t("draft.said_saved", { time: hhmm(d.at) });
  } else if (!d && serverDraft.failing) {
    serverDraft.failing = false; // the ticket left (the server dropped its draft): nothing more to say of it
    said.textContent = "";
  }
}

// The save failed while the page stays live (the socket up: no reconnect sends it again), and the officer typed no
// more: it goes again after 2, 4, 8, 16 s, then every 30 s (DRAFT_RETRY_MS), so that a counter PC dying while its
// officer sits still loses nothing. A save sent meanwhile (a key's pause, the page hidden, a reconnect) replaces
// the retry (sendServerDraft); the ticket leaving ends it (leaveTicket); a save answered resets the delays.
function retryServerDraft() {
  clearTimeout(serverDraft.retry);
  const wait = DRAFT_RETRY_MS[Math.min(serverDraft.tries, DRAFT_RETRY_MS.length - 1)];
  serverDraft.tries += 1;
  serverDraft.retryAt = Date.now() + wait;
  serverDraft.retry = setTimeout(() => sendServerDraft(false), wait);
}

// The page is live again (a reconnect's snapshot; a fetch of the server's draft answered with nothing saved
// elsewhere): what was typed and the server lacks from this page goes now, not at the next key. The officer typed
// on while the network was down (the red bar), the save after the pause failed, and a counter PC dying after the
// network came back lost that text. Once per reconnect and per change (sendServerDraft sends the same text once; a
// failed one goes again at the next reconnect): no loop against the server's save budget (429).
function resendServerDraft() {
  const ticket = servedHere();
  if (!ticket || state.counterId === null || !serverDraft.version.has(ticket.id)) return; // its draft not asked yet
  const body = draftBody(ticket);
  const kept = serverDraft.kept.get(ticket.id);
  const typed = ["solution", "note", "category", "priority_class"].some((k) => body[k]);
  if (kept === undefined ? !typed : kept === JSON.stringify(body)) return; // the server has it (or nothing to have)
  sendServerDraft(false);
}

// The counter's draft was saved by a page (this one, another tab, the PC beside): no text in the message. One of
// another version than this page's is fetched (askServerDraft), as when the page is opened.
function onDraftSaved(msg) {
  const ticket = servedHere();
  if (!msg || !ticket || msg.counter_id !== state.counterId || msg.ticket_id !== ticket.id) return;
  if (msg.version === serverDraft.version.get(ticket.id)) return; // this page's own save, answered already
  serverDraft.asked.delete(ticket.id);
  askServerDraft();
}

// The server's draft of the ticket served here, asked once per ticket shown (again after a reconnect's snapshot and
// when the page is shown again): into an empty form, or beside a form with other text.
async function askServerDraft() {
  try {
    await askServerDraftNow();
  } finally {
    renderDraftState();
  }
}

async function askServerDraftNow() {
  const ticket = servedHere();
  if (!ticket || state.counterId === null || serverDraft.asked.has(ticket.id)) return;
  serverDraft.asked.add(ticket.id);
  const counterId = state.counterId;
  let draft = null;
  let version = 0;
  try {
    ({ draft, version } = (await api("GET", `/api/counters/${counterId}/draft`)).body);
  } catch (err) {
    serverDraft.asked.delete(ticket.id);
    return;
  }
  const still = servedHere();
  if (counterId !== state.counterId || !still || still.id !== ticket.id) return;
  const base = serverDraft.version.get(ticket.id);
  // an answer older than a save of this page's answered meanwhile: the server has newer (this page's own)
  if (Number.isInteger(base) && Number.isInteger(version) && version < base) return;
  // seen: this page's next save is based on it (what is kept below, or in the form, is the officer's to choose)
  if (Number.isInteger(version)) serverDraft.version.set(ticket.id, version);
  // Nothing saved elsewhere since the draft this page's text is based on: the server has this page's own, older
  // text (typed on offline, its save failed), no other draft to show beside it; the newer text goes now.
  if (version === base) return resendServerDraft();
  if (!draft || draft.ticket_id !== ticket.id) return;
  const here = draftBody(ticket);
  const same = (a, b) => ["solution", "note"].every((k) => (a[k] || "").trim() === (b[k] || "").trim());
  const mine = JSON.parse(serverDraft.sent.get(ticket.id) || "null");
  if (mine && same(mine, draft)) return; // what this page sent (newer typing here goes at the next pause)
  const differs = !same(here, draft);
  const time = hhmm(draft.updated_at);
  if (!differs) {
    serverDraft.sent.set(ticket.id, JSON.stringify(here));
    keptOnServer(ticket.id, JSON.stringify(here), version, draft.updated_at);
    return;
  }
  // Nothing typed here since this page's last save answered (the officer went on typing at the PC beside, or in
  // another tab, and came back): the newer draft takes the form's place. Typed here too (a save on its way or
  // refused): both kept, the server's shown below.
  const kept = JSON.parse(serverDraft.kept.get(ticket.id) || "null");
  const newer = Boolean(kept && same(kept, here));
  if (newer || (!here.solution.trim() && !here.note.trim())) {
    $("solution").value = draft.solution || "";
    $("note").value = draft.note || "";
    // the kind and the class: the draft's when chosen there; else, replacing this page's, the ticket's own
    if (draft.category || newer) $("category").value = draft.category || ticket.category || "";
    const cls = draft.priority_class || (newer ? ticket.priority_class : "");
    const pc = cls && document.querySelector(`input[name=priority_class][value="${cls}"]`);
    if (pc) pc.checked = true;
    saveDraft();
    serverDraft.sent.set(ticket.id, JSON.stringify(draftBody(ticket)));
    keptOnServer(ticket.id, JSON.stringify(draftBody(ticket)), version, draft.updated_at);
    notify("info", newer ? "draft.updated" : "draft.restored", { label: ticket.label, time, officer: draft.officer });
    return;
  }
  if (serverDraft.told === `${ticket.id}:${draft.updated_at}`) return;
  serverDraft.told = `${ticket.id}:${draft.updated_at}`;
  const why = { type: "server", officer: draft.officer, at: draft.updated_at };
  keepDraft({ id: ticket.id, label: ticket.label, solution: draft.solution || "", note: draft.note || "", why });
  renderKept();
}

// What happened to a ticket that left this counter without this page doing it: the facts, and their words.
function goneFacts(id) {
  const ticket = state.gone.get(id) || state.tickets.get(id) || {};
  return { type: "gone", how: { ...(state.left.get(id) || {}) }, status: ticket.status || "?" };
}

// Say that a ticket left this counter: its facts in the notice, its words in the page's language when drawn.
function notifyGone(kind, id) {
  const ticket = state.gone.get(id) || state.tickets.get(id) || {};
  const { how, status } = goneFacts(id);
  state.notice = { kind, gone: { id, label: ticket.label || "?", how, status } };
  renderNotice();
}

function goneWords(label, how, status) {
  const actor = how.actor || "?";
  const mine = state.me && how.actor === state.me.username;
  if (how.type === "cancelled") return t("gone.cancelled", { label, actor });
  if (how.type === "expired") return t("gone.expired", { label });
  for (const [type, key] of [["resolved", "resolved"], ["escalated", "escalated"], ["transferred", "transferred"]]) {
    if (how.type === type) return t(`gone.${key}_${mine ? "tab" : "by"}`, { label, actor });
  }
  if (how.type === "counter_released" && how.parts) return partsText(how.parts);
  if (how.type === "counter_released" && how.text) return how.text; // kept by an earlier version of the page
  if (how.type === "unknown") return t("gone.unknown", { label });
  return t("gone.other", { label, status: statusName(status || "?") });
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
  // none chosen, or the page's counter removed by an admin meanwhile: no other counter shown as chosen
  if (state.counterId === null || !counterConfig()) select.prepend(el("option", { value: "", selected: true }, t("pick_option")));
  select.disabled = Boolean(bound);
}

// The service to send the visitor to is chosen for each ticket: with several, none is chosen beforehand.
function renderTransferOptions(ticket) {
  const select = $("transfer-service");
  const id = ticket ? ticket.id : null;
  const keep = state.transferFor === id ? select.value : "";
  state.transferFor = id;
  const options = PAGE.services.filter((s) => !ticket || s.code !== ticket.service);
  const pick = options.length > 1 ? [el("option", { value: "" }, t("out.transfer_pick"))] : [];
  select.replaceChildren(...pick, ...options.map((s) => el("option", { value: s.code }, `${s.code} · ${s.name}`)));
  if (options.some((s) => s.code === keep)) select.value = keep;
}

function serviceName(code) {
  const service = PAGE.services.find((s) => s.code === code);
  return service ? service.name : code;
}

function renderTimer() {
  const ticket = currentTicket();
  const box = $("t-timer");
  if (!ticket || ticket.status !== "serving" || !ticket.started_at || ofEarlierDay(ticket)) {
    box.hidden = true; // an earlier day's ticket: its day is said instead (render), not the hours since
    return;
  }
  box.hidden = false;
  const limit = PAGE.service_minutes * 60;
  const elapsed = Math.max(0, (officeNow().getTime() - Date.parse(ticket.started_at)) / 1000); // the server's clock
  const share = elapsed / limit;
  box.dataset.level = share > 1 ? "over" : share >= 0.8 ? "warn" : "ok";
  const mm = Math.floor(elapsed / 60);
  const ss = String(Math.floor(elapsed % 60)).padStart(2, "0");
  const text =
    t("timer", { elapsed: `${mm}:${ss}`, limit: PAGE.service_minutes }) +
    // "past the SOP's 1 minute": [sla] service_minutes may be 1 (timer.over.one, as the hints pick hint.*.one)
    (share > 1 ? ` — ${t(PAGE.service_minutes === 1 ? "timer.over.one" : "timer.over", { limit: PAGE.service_minutes })}` : "");
  // other words than the second's digits (past the SOP's time, 9:59 -> 10:00, the other language): the head's row
  // may be full now, or have room again
  const shape = (words) => words.replace(/\d/g, "0");
  const reshaped = shape(text) !== shape($("t-timer-text").textContent);
  $("t-timer-text").textContent = text;
  $("t-timer-bar").style.width = `${Math.min(100, share * 100)}%`;
  if (reshaped) fitHead();
}

function renderLine(can = {}) {
  const cfg = counterConfig();
  const mine = cfg ? cfg.services : [];
  const next = cfg ? nextHere() : null; // marked in words ("Berikutnya"), not by its colour alone
  const blocks = PAGE.services.map((s) => {
    const list = waitingFor([s.code]).sort(byCallingOrder);
    const count = state.waiting[s.code] ?? list.length;
    const served = mine.includes(s.code);
    const title = `${s.code} · ${s.name}`;
    return el(
      "section",
      { class: `service${served ? "" : " other"}`, dataset: { service: s.code } },
      // the service's name gives way (its whole name in the tooltip) to the count and the waiting tickets
      el("h3", { title }, el("span", { class: "name" }, title), " ", el("span", { class: "count" }, String(count))),
      served
        ? list.length
          ? el(
              "ol",
              {},
              list.map((x) => {
                const marked = Boolean(next && x.id === next.id);
                return el(
                  "li",
                  { class: marked ? "next" : null, dataset: { label: x.label } },
                  el(
                    "div",
                    { class: "item" },
                    el("strong", {}, x.label),
                    // the name whole, its tags after it on its last line (counter.css: the row's layout); the
                    // mark of N's next call before it, in words
                    el(
                      "span",
                      { class: "who" },
                      marked
                        ? [el("span", { class: "tag next", title: t("line.next_title", { label: x.label }) }, t("line.next")), " "]
                        : null,
                      el("span", { class: "name" }, (x.form && x.form.name) || ""),
                      x.priority ? [" ", el("span", { class: "tag prio" }, t("line.priority"))] : null,
                      x.requeues ? [" ", el("span", { class: "tag" }, t("line.requeued"))] : null,
                      x.transferred_from
                        ? [" ", el("span", { class: "tag" }, t("line.transferred", { from: x.transferred_from }))]
                        : null,
                    ),
                    el(
                      "span",
                      { class: "when" }, // the time and Panggil: on the label's line, at the right
                      el("span", { class: "muted time" }, hhmm(x.created_at)),
                      el(
                        "button",
                        {
                          type: "button",
                          class: "small call",
                          dataset: { call: x.label },
                          title: t("line.call_title", { label: x.label }),
                          "aria-label": t("line.call_title", { label: x.label }),
                          disabled: state.busy || !can.call,
                          // a double click calls once; a press from the keyboard keeps the cursor on the buttons
                          onclick: (ev) => doubled(ev) || act("call", { ticket: x.label }, { keys: ev.detail === 0 }),
                        },
                        t("line.call"),
                      ),
                    ),
                  ),
                );
              }),
            )
          : el("p", { class: "muted" }, t("line.empty"))
        : // no counter chosen yet: no service is "not served here", the officer has a counter to choose
          el("p", { class: "muted" }, t(cfg ? "line.not_served" : "line.no_counter")),
    );
  });
  patch($("line"), blocks);
}

function renderCounters() {
  const items = PAGE.counters
    .filter((c) => c.id !== state.counterId)
    .map((c) => {
      const held = [...state.tickets.values()].find(
        (x) => x.counter_id === c.id && (x.status === "called" || x.status === "serving"),
      );
      const { officer, paused } = state.counters.get(c.id) || {};
      return el(
        "li",
        { dataset: { counter: String(c.id) } },
        el("strong", {}, c.name),
        " ",
        held
          ? [el("span", { class: "nobr" }, held.label), ` · ${statusName(held.status)}`]
          : paused
            ? null
            : t("counters.idle"),
        // a break is said as the TV and the front office say it: that counter calls nobody until it resumes
        paused ? [" ", el("span", { class: "tag paused" }, t("counter.paused"))] : null,
        officer ? el("span", { class: "muted" }, ` — ${officer}`) : null,
      );
    });
  $("counters").replaceChildren(...items);
}

// The server PC's clock behind the newest record (the staff state's `disk.clock`, the server's words in both
// languages): said at the top of the page while it lasts, gone by itself once the clock is right (docs/counter.md).
function onDisk(disk) {
  state.clock = (disk && disk.clock) || null;
  renderClockAlert();
}

function renderClockAlert() {
  const box = $("clock-alert");
  const message = state.clock && state.clock.message;
  box.textContent = message ? message[getLang()] || message.id : "";
  box.hidden = !message;
}

// ---- live state ---------------------------------------------------------------------------
function onSnapshot(snap) {
  const mine = currentTicket();
  const since = state.seq;
  state.seq = snap.seq ?? null;
  const id = state.counterId;
  const was = id !== null ? state.counters.get(id) : null;
  state.tickets = new Map((snap.tickets || []).map((x) => [x.id, x]));
  state.counters = new Map(snap.counters.map((c) => [c.id, c]));
  state.waiting = Object.fromEntries(snap.services.map((s) => [s.code, s.waiting]));
  // an admin's [queue] max_calls now ("panggilan 2 dari 2"): the page's config has the one it was drawn with
  if (Number.isInteger(snap.max_calls) && snap.max_calls > 0) PAGE.max_calls = snap.max_calls;
  takeSettings(snap);
  onDisk(snap.disk);
  state.printers = Array.isArray(snap.printers) ? snap.printers : []; // drawn with the form copy (renderPaper)
  const now = id !== null ? state.counters.get(id) : null;
  const reopened = state.reopened;
  state.reopened = null;
  const first = state.snapshots++ === 0;
  serverDraft.asked.clear(); // typed on another page while this one was away: asked again as it is drawn
  const unsaid = first && !state.picked ? unsaidRelease(id) : null;
  if (was && now && state.me && was.officer === state.me.username && now.officer !== state.me.username) {
    // This officer's counter was freed while the page was away (asleep, offline): the event is long gone.
    const counter = counterName(id);
    if (missedRelease(now, true)) counterLost(id, releaseParts(id, now.released, now), mine);
    else counterLost(id, [[now.officer ? "released.away_taken" : "released.away", { counter, officer: now.officer }]], mine);
  } else if (reopened !== null && reopened === id && now && missedRelease(now, false)) {
    // The page opened again (a browser closed, a laptop back) on the counter it had, or on the one the server said
    // it held: freed meanwhile.
    counterLost(id, releaseParts(id, now.released, now), mine);
  } else if (unsaid) {
    // Opened where this browser never had that counter (another PC, a fresh browser): freed meanwhile all the same.
    releaseMissed(unsaid);
  } else if (mine && !heldHere(state.tickets.get(mine.id)) && !state.left.has(mine.id)) {
    // A ticket this counter held that the fresh picture no longer has here: left while we were away.
    state.gone.set(mine.id, mine);
    state.left.set(mine.id, { type: "unknown" });
    if (!state.ownDone.has(mine.id) && ownPressMaybe(mine.id, null)) {
      state.unanswered.goneHeld = { kind: "warn", explain: mine }; // this page's own press, maybe (confirmUnanswered)
    } else if (!state.ownDone.has(mine.id)) {
      notifyGone("warn", mine.id);
      explainGone(mine); // its history says how, a moment later
    }
  } else if (mine && heldHere(state.tickets.get(mine.id))) {
    // Still here: the visitor's details may have been corrected while we were away (no event came).
    noticeMissedCorrection(mine, state.tickets.get(mine.id), since);
  }
  render();
  if (live && live.socket.connected) {
    state.offline = false; // back, and drawn from the fresh snapshot
    renderOffline();
  }
  resendServerDraft(); // typed while the page was away (its save failed, or waits for its pause): sent now
  checkFormCopy(); // a form copy that failed or printed while the page was away
  checkLastDone(); // a page opened after the counter's last finish: that visitor's form copy
  // Drawn with other settings than those in force: an admin's change whose event this page never got (its socket
  // late or away), or a server restarted with another config.toml. Its printer, service minutes and classes are
  // in the page's config only: reloaded as for the event (when no ticket or typing would be lost).
  if (snap.page && PAGE.stamp && snap.page !== PAGE.stamp && !state.reloadPending) settingsChanged(false);
  checkEscalationMail(); // the escalation mail a notice says not sent yet, sent while the page was away
  reloadIfIdle(); // an admin's change waited for the ticket that left while the page was away
  confirmUnanswered(); // the visitor of a press whose answer never came left the counter while the page was away
  settleSeen();
}

// An admin's services and counters now (the snapshot asked for on settings_changed, or any later one): a page
// busy with a visitor reloads only after the ticket, and until then its line, its drop-down and "Loket lain"
// showed the services' old names, a removed counter, and Panggil on a service its counter no longer serves.
// The ticket being served, its form, the draft and the reload after the ticket are left as they are; a
// counter's printer is not in the snapshot (the page's config says it; a new counter's is not known yet).
function takeSettings(snap) {
  takeClasses(snap.priority_classes);
  if (Array.isArray(snap.services)) PAGE.services = snap.services.map((s) => ({ code: s.code, name: s.name }));
  if (Array.isArray(snap.counters)) {
    const had = new Map(PAGE.counters.map((c) => [c.id, c]));
    PAGE.counters = snap.counters.map((c) => {
      const entry = { id: c.id, name: c.name, services: [...(c.services || [])] };
      if (had.has(c.id)) entry.has_printer = had.get(c.id).has_printer;
      return entry;
    });
  }
}

// The priority table as the admin has it now (the staff snapshot's, asked for on settings_changed): a page busy with a
// visitor reloads only after the ticket, and until then it offered the old classes, a removed P1 still there and P2
// under its old name; P1 chosen, Selesai said only "Formulir belum lengkap … Kelas prioritas tidak dikenal.". The
// options are drawn again; the officer's choice is kept while its class is in the table, and a class taken out is
// said under the field, in the officer's words. What is typed stays; the draft (here and on the server) follows.
function takeClasses(classes) {
  if (!Array.isArray(classes)) return;
  const now = classes.map((p) => ({ code: p.code, name: p.name, description: p.description, target_minutes: p.target_minutes }));
  if (JSON.stringify(now) === JSON.stringify(PAGE.priority_classes || [])) return;
  PAGE.priority_classes = now;
  const chosen = document.querySelector("input[name=priority_class]:checked");
  const code = chosen ? chosen.value : "";
  const focused = chosen && document.activeElement && document.activeElement.name === "priority_class"
    ? document.activeElement.value : null;
  const box = document.querySelector("#outcome fieldset.classes");
  const disabled = $("category").disabled; // as the other fields of the outcome (render)
  box.replaceChildren(box.querySelector("legend"), ...now.map((p) => classOption(p, disabled)));
  const again = code && box.querySelector(`input[value="${CSS.escape(code)}"]`);
  if (again) again.checked = true;
  const focus = focused !== null && box.querySelector(`input[value="${CSS.escape(focused)}"]`);
  if (focus) focus.focus();
  if (!code || again) return;
  state.classGone = code;
  renderClassGone();
  saveDraft(); // without the class: a reload no longer brings it back
  if (servedHere()) scheduleServerDraft(); // the server's draft, too (it kept the text without it: `dropped`)
  renderDraftState();
}

// One class of the priority table, as counter.html draws it: "P1 · Tinggi", its description and its target.
function classOption(p, disabled) {
  const hours = p.target_minutes % 60 === 0;
  const unit = hours ? "unit.hours" : "unit.minutes";
  return el("label", { class: "class-option" },
    el("input", { type: "radio", name: "priority_class", value: p.code, disabled }),
    el("span", {},
      el("strong", {}, `${p.code} · ${p.name}`),
      el("small", {}, `${p.description} — `, el("span", { dataset: { i18n: "out.target" } }, t("out.target")),
        ` ${hours ? p.target_minutes / 60 : p.target_minutes} `, el("span", { dataset: { i18n: unit } }, t(unit)))));
}

// The class the officer had chosen, taken out of the priority table by the admin meanwhile: said under the field
// until another is chosen or the ticket leaves (clearFieldErrors), in the page's language.
function renderClassGone() {
  if (!state.classGone) return;
  const p = document.querySelector('.field-error[data-field="priority_class"]');
  p.textContent = t("out.class_removed", { code: state.classGone });
}

// A ticket that left this counter while the page was away: its last event (GET .../history) says how (the
// front office cancelled it, the day ended, another tab finished it), in place of "changed while the connection
// was down" as long as that is still what the notice says.
async function explainGone(ticket) {
  let events;
  try {
    events = (await api("GET", `/api/tickets/${encodeURIComponent(ticket.token)}/history`)).body.events || [];
  } catch (err) {
    return; // offline again, or refused: the first words stand
  }
  const last = events.filter((e) => e.type !== "form_corrected").at(-1);
  const how = state.left.get(ticket.id);
  if (!last || !how || how.type !== "unknown") return; // nothing known, or a live event said it meanwhile
  const after = last.data && last.data.to; // the status it went to (every queue change says it)
  if (["cancelled", "expired", "resolved", "escalated", "transferred"].includes(last.type)) {
    state.left.set(ticket.id, { type: last.type, actor: last.actor || "?" });
  } else if (after) {
    state.gone.set(ticket.id, { ...ticket, status: after }); // e.g. skipped in another tab: "status: menunggu"
    state.left.set(ticket.id, { type: "other" });
  } else {
    return;
  }
  const n = state.notice;
  if (n && n.gone && n.gone.id === ticket.id && n.gone.how.type === "unknown") notifyGone("warn", ticket.id);
  if (state.kept && state.kept.id === ticket.id && state.kept.why && state.kept.why.type === "gone") {
    keepDraft({ ...state.kept, why: goneFacts(ticket.id) }); // its draft's box says how too
    renderKept();
  }
}

function applyTicket(ticket) {
  if (!ticket || ticket.id === undefined) return;
  if (ACTIVE.includes(ticket.status)) state.tickets.set(ticket.id, ticket);
  else state.tickets.delete(ticket.id);
}

function heldHere(ticket) {
  if (!ticket || takenBy()) return false; // another officer's ticket at the counter is not this page's
  return ticket.counter_id === state.counterId && (ticket.status === "called" || ticket.status === "serving");
}

// A free counter is taken by its officer's first action, whose `counter_claimed` names its holder (this page's
// counter held by another officer turns the banner on; a release clears it, onCounterEvent).
function noteHolder(ev) {
  const id = ev.counter_id ?? (ev.data || {}).counter_id;
  // only a claim says who holds a counter: an admin calls, recalls or pauses at any counter without holding it
  if (ev.type !== "counter_claimed" || !id || !ev.actor) return;
  const entry = state.counters.get(id) || { id };
  if (entry.officer !== ev.actor) state.counters.set(id, { ...entry, officer: ev.actor });
}

// This counter's ticket changed without this page asking (another tab, the front office, an admin, the
// end of the day): say what happened instead of letting it vanish.
function noticeGone(ev, before) {
  const id = before.id;
  state.gone.set(id, { ...before, ...ev.ticket });
  const said = state.left.get(id);
  if (ev.seq !== undefined && said && said.seq === ev.seq) return; // this event's release said it (onCounterEvent)
  state.left.set(id, { type: ev.type, actor: ev.actor });
  if (state.ownDone.has(id)) return;
  const kind = ev.type === "resolved" || ev.type === "escalated" || ev.type === "transferred" ? "info" : "warn";
  if (ownPressMaybe(id, ev)) {
    state.unanswered.goneHeld = { kind }; // said only if the same request, sent again, is refused (confirmUnanswered)
    return;
  }
  notifyGone(kind, id);
}

// Whether the event `ev` (null: a fresh snapshot, the page away) that took ticket `id` from this counter may be this
// page's own Selesai, Eskalasi, Alihkan or Lewati whose answer never came. The page said "Tiket A-001 sudah
// diselesaikan di halaman lain" of its own press, the officer alone at the counter, until the same request sent again
// answered (and for good when that answer was lost too). confirmUnanswered finds out, and says it.
const ENDING_EVENTS = { resolve: "resolved", escalate: "escalated", transfer: "transferred", skip: "skipped" };

function ownPressMaybe(id, ev) {
  const u = state.unanswered;
  if (!u || u.id !== id || !ENDING_EVENTS[u.action] || u.counter !== state.counterId) return false;
  return !ev || (ev.type === ENDING_EVENTS[u.action] && Boolean(state.me) && ev.actor === state.me.username);
}

// Counters freed, paused, resumed by someone (an admin, the front office, the server on its own).
function onCounterEvent(ev) {
  const data = ev.data || {};
  const id = ev.counter_id ?? data.counter_id;
  if (id === undefined || id === null) return;
  const entry = { ...(state.counters.get(id) || { id }) };
  if (ev.type === "counter_paused") entry.paused = true;
  if (ev.type === "counter_resumed") entry.paused = false;
  if (ev.type !== "counter_released") {
    state.counters.set(id, entry);
    return;
  }
  const holder = data.officer ?? entry.officer;
  entry.officer = null;
  state.counters.set(id, entry);
  if (id !== state.counterId || !state.me) return;
  if (!holder || holder !== state.me.username) {
    // Not this officer's counter (nobody held it: an admin called there; or another officer did): nothing was
    // taken from this page, which stays at it. A ticket called there went back to the line: say so.
    if (data.returned) sentBack(ev);
    return;
  }
  const by = data.by ?? ev.actor;
  const auto = !by || by === "auto"; // the server, after [queue] counter_release_minutes without a counter page
  if (!auto && by === state.me.username) return; // this officer freed it (another tab, a logout)
  const counter = counterName(id);
  if (data.reason) {
    // An end of this officer's session (a new password, a disabled account): the page goes to the login at once,
    // and says it after the login from the snapshot (not marked said here: the reload would lose it).
    counterLost(id, releaseParts(id, { ...data, at: ev.at }, null), currentTicket(), ev.seq);
    return;
  }
  if (auto) {
    const parts = releaseParts(id, { seq: ev.seq, at: ev.at, by: "auto", minutes: data.minutes, returned: data.returned }, null);
    counterLost(id, parts, currentTicket(), ev.seq);
    return;
  }
  if (ev.seq) markReleaseSaid(ev.seq);
  const parts = [["released.by", { counter, by: byWords(by) }]];
  // the visitor it was calling: back in the line, where (it said nothing of them, only that the counter was freed)
  if (data.returned) parts.push(returnedPart(data, ev.ticket));
  counterLost(id, parts, currentTicket(), ev.seq);
}

// Where the visitor of a released counter's call waits now (`data`: the release's, `ticket`: the event's): their
// place in their service's line as the server counted it then (the line's numbers on this page), else "in the line".
function returnedPart(data, ticket) {
  const service = ticket && ticket.service;
  if (Number.isInteger(data.place) && service) {
    return ["released.returned_place", { label: data.returned, service, place: data.place }];
  }
  return ["released.returned", { label: data.returned }];
}

// The front office or an admin sent back the ticket called at this page's counter, which this officer did not
// hold (`counter_released` with `returned`; `data.role`: the role of `by`): it waits again at its place, and the
// page stays at its counter. A draft for it says so too.
function sentBack(ev) {
  const data = ev.data || {};
  const role = ["frontoffice", "admin", "officer"].includes(data.role) ? data.role : "other";
  const by = byWords(data.by ?? ev.actor ?? "?"); // the command line's: "admin (baris perintah)"
  const params = { label: data.returned, counter: counterName(data.counter_id ?? ev.counter_id), by };
  const key = `released.sent_back_${role}`;
  if (ev.ticket && ev.ticket.id !== undefined && state.tickets.has(ev.ticket.id)) {
    state.left.set(ev.ticket.id, { type: "counter_released", parts: [[key, params]], seq: ev.seq });
  }
  state.notice = { kind: "info", parts: [[key, params]] };
  renderNotice();
}

// Whether a snapshot's counter entry tells of a release this page has not said: from this officer, by someone
// else (an admin, the front office, the server after [queue] counter_release_minutes); `autoOnly`: by the server.
function missedRelease(entry, autoOnly) {
  const r = entry.released;
  if (!r || !state.me || r.officer !== state.me.username || entry.officer === state.me.username) return false;
  // this officer's own release (a logout), but the end of the session (`reason`: it freed it in the officer's name)
  const own = r.by === state.me.username && r.reason !== "session_ended";
  if (own || (autoOnly && r.by && r.by !== "auto")) return false;
  return r.seq > releaseSaid();
}

// The seq of the last release about this officer this browser said (on any of its pages, for any account's
// page before: per account, so that a PC two officers share tells each their own).
function releaseSaid() {
  const own = localStorage.getItem(`${RELEASE_SEEN_KEY}.${state.me.username}`);
  return Number(own ?? localStorage.getItem(RELEASE_SEEN_KEY) ?? 0) || 0;
}

function markReleaseSaid(seq) {
  if (state.me && seq > releaseSaid()) localStorage.setItem(`${RELEASE_SEEN_KEY}.${state.me.username}`, String(seq));
}

// On a page's first snapshot, the release of this officer's counter that no page of this browser said, when the
// page did not have that counter (a new PC, another browser: it has none of the page's storage): the officer's
// latest release of the day, by someone else, while the officer holds no counter. A release of another
// officer's counter is never this page's; the officer's own release (a logout) after it means it is old news.
function unsaidRelease(id) {
  if (!state.me || state.me.role !== "officer") return null;
  const me = state.me.username;
  const entries = [...state.counters.values()];
  if (entries.some((c) => c.officer === me)) return null; // holds one (taken since, or held all along)
  const latest = entries
    .filter((c) => c.released && c.released.officer === me && counterConfig(c.id))
    .sort((a, b) => b.released.seq - a.released.seq)[0];
  if (!latest || latest.id === id || !missedRelease(latest, false)) return null; // its own counter: `reopened`
  return latest;
}

// Say the release `entry.released` of a counter this page was not on: the words a page opened again on it
// says, in the page's language (again after a switch), and to choose a counter when the page is on none.
function releaseMissed(entry) {
  const parts = releaseParts(entry.id, entry.released, entry);
  if (state.counterId === null) parts.push(["released.pick", {}]);
  state.notice = { kind: "warn", parts, lasting: true }; // said once: kept through a drop (onStatus)
  renderNotice();
}

// What happened to this page's counter, from its release {seq, at, by, minutes, returned} (an event's data or
// the snapshot's `released`), and who has it now (`entry.officer`): sentences as [key, params] (a notice of them
// is said again in the other language).
function releaseParts(id, r, entry) {
  if (r.seq) markReleaseSaid(r.seq);
  const counter = counterName(id);
  const time = hhmm(r.at);
  const parts = [];
  // `reason`: an end of the officer's session freed it (the counter's `counter_released` data.reason)
  if (r.reason === "session_ended") parts.push(["released.session_ended", { counter, time }]);
  else if (r.reason === "password") parts.push(["released.password", { counter, time, who: byWords(r.by, true) }]);
  else if (r.reason === "disabled") parts.push(["released.disabled", { counter, time, who: byWords(r.by, true) }]);
  else if (r.reason === "restore") parts.push(["released.restore", { counter, time }]);
  else if (r.by && r.by !== "auto") parts.push(["released.by_at", { counter, by: byWords(r.by), time }]);
  else if (r.minutes) parts.push(["released.auto_at", { counter, time, minutes: r.minutes }]);
  else parts.push(["released.auto", { counter }]);
  if (r.returned) parts.push(["released.returned", { label: r.returned }]);
  if (entry && entry.officer && (!state.me || entry.officer !== state.me.username)) {
    parts.push(["released.taken", { officer: entry.officer }]);
  }
  return parts;
}

// Who freed a counter, as the page says it: the command line ("cli") as "admin (baris perintah)" (a [key, params]
// said in the page's language now), else the account's name; `admin`: an admin's change of the account
// (its new password, its disabling) "admin (kepala)".
function byWords(by, admin = false) {
  if (by === "cli") return ["released.who_cli", {}];
  return admin ? ["released.who_admin", { by }] : by;
}

// This page's counter is no longer this officer's: say so (`parts`, sentences as [key, params]), and pick a
// counter again (a counter bound to the account stays: its next action takes it again). A draft for `ticket` is
// kept on screen.
function counterLost(id, parts, ticket, seq = undefined) {
  if (ticket) {
    state.gone.set(ticket.id, ticket);
    state.left.set(ticket.id, { type: "counter_released", parts, seq }); // `seq`: the event that said it
  }
  if (state.me.counter_id) parts = [...parts, ["released.bound", {}]];
  else {
    parts = [...parts, ["released.pick", {}]];
    state.lostCounter = id;
    state.counterId = null;
    localStorage.removeItem(COUNTER_KEY);
  }
  // `lasting`: a fact of the past (freed at 16.53, the ticket back in the line), said once: a drop of the connection
  // does not take it away (onStatus)
  state.notice = { kind: "warn", parts, lasting: true };
  renderNotice();
}

// An admin's save of the counters that removed this page's counter (`data.changes`: `counters[2]` to null): said
// with its name and who, and to pick another counter, in place of a release notice's "its next action takes it
// again" (the account is no longer bound to it) or "pick your counter". The reload that follows keeps the notice.
function counterRemoved(ev) {
  const data = ev.data || {};
  const id = state.counterId !== null ? state.counterId : state.lostCounter;
  if (id === null || !state.me || data.section !== "counters" || !Array.isArray(data.changes)) return false;
  const gone = data.changes.find((c) => c && c.key === `counters[${id}]` && c.new === null && c.old);
  if (!gone) return false;
  const counter = gone.old.name || counterName(id);
  // the release of that counter said just before (with its visitor sent back) stays, but its "what now"
  const n = state.notice;
  const ofIt = n && n.lasting && n.parts && n.parts.length && (n.parts[0][1] || {}).counter === counter;
  const before = ofIt ? n.parts.filter(([key]) => key !== "released.bound" && key !== "released.pick") : [];
  state.counterId = null;
  localStorage.removeItem(COUNTER_KEY);
  if (state.me.counter_id === id) state.me.counter_id = null; // the server unbound the account (user_changed)
  const removed = ["released.removed", { counter, by: byWords(ev.actor || "?", true) }];
  state.notice = { kind: "warn", parts: [...before, removed], lasting: true };
  renderNotice();
  return true;
}

// The counter and service lists come from the page's config: reload when nothing would be lost, else
// as soon as the officer is done with the ticket (the last notice and form copy carried over the reload).
// `resync`: false when a snapshot itself says so (its `page` stamp is not the one this page was drawn with):
// it has the new services and counters already.
function settingsChanged(resync = true) {
  state.reloadPending = true;
  if (reloadIfIdle()) return;
  if (live && resync) live.resync();
  state.notice = { kind: "info", settings: true };
  renderNotice();
}

// The admin's change said as what the page will do: reload by itself once the ticket at the counter is done (or
// the action in flight is answered); "reload the page" only when something typed without a ticket holds it.
function settingsText() {
  const ticket = currentTicket();
  if (ticket) return t("settings.changed_ticket", { label: ticket.label });
  return t(state.busy ? "settings.changed_soon" : "settings.changed");
}

function reloadIfIdle() {
  const typing = $("solution").value.trim() || $("note").value.trim();
  if (!state.reloadPending || state.busy || currentTicket() || typing) return false;
  // the form copy is kept anyway; "the page reloads by itself" is not carried (it did)
  const notice = state.notice && !state.notice.settings ? state.notice : null;
  sessionStorage.setItem(CARRY_KEY, JSON.stringify({ notice }));
  location.reload();
  return true;
}

function onEvent(ev) {
  if (typeof ev.seq === "number") state.seq = ev.seq;
  // the office's announcement is the TVs' and the kiosk's: nothing of this page changes, no reload for it
  if (ev.type === "settings_changed" && ev.data && ev.data.section === "announcement") return;
  if (ev.type === "settings_changed") {
    const removed = counterRemoved(ev) ? state.notice : null;
    settingsChanged();
    // kept waiting for the typing to go: the removal said, not only "settings changed"
    if (removed && state.notice && state.notice.settings) {
      state.notice = removed;
      renderNotice();
    }
    return;
  }
  if (ev.type && ev.type.startsWith("counter_")) onCounterEvent(ev);
  noteHolder(ev);
  const before = ev.ticket && state.tickets.get(ev.ticket.id);
  // An event older than an answer this page drew its ticket from (the call's event, late on a slow network, after
  // the answer to Pengunjung datang): its ticket is not put back. It was: "dipanggil" again, the answer off, the
  // cursor out of it, and serving's own event turned them on again without the cursor.
  const stale = Boolean(ev.ticket) && typeof ev.seq === "number" && ev.seq < (state.answered.get(ev.ticket.id) ?? 0);
  // A visitor skipped by this page's own call (Panggil berikutnya, or Panggil, after the last call): the answer names
  // them as the public ticket (no place in the line, no requeue), the skip's event, older than the call's answer, as
  // the staff ticket where the server requeued them. Taken, it cannot put them back at the counter: the line showed
  // them at their old place, without "dilewati, dipanggil lagi", above the ticket marked Berikutnya.
  const requeued = stale && before && before.status === "waiting" && ev.ticket.status === "waiting";
  if (!stale) {
    if (heldHere(before) && !heldHere(ev.ticket)) noticeGone(ev, before);
    if (ev.type === "form_corrected" && heldHere(before) && heldHere(ev.ticket)) noticeCorrected(ev);
    applyTicket(ev.ticket);
    finishedHere(ev, before);
  } else if (requeued) applyTicket(ev.ticket);
  if (ev.type === "form_print") copySentElsewhere(ev);
  if (ev.type === "corrected") onCorrected(ev);
  if (ev.waiting) state.waiting = ev.waiting;
  noteNext(ev.next);
  // The day's queue positions were renumbered (rare): the other tickets' positions here are old.
  if (ev.data && ev.data.renumbered && live) live.resync();
  if (ev.type === "print_failed" || ev.type === "printed") onPrintEvent(ev);
  if (ev.type === "mail_sent" || ev.type === "mail_failed") onMailEvent(ev);
  if (ev.type === "mail_requeued") onMailRequeued(ev);
  if ((ev.type === "lkpp_ticket" || ev.type === "closed") && ev.ticket) caseReachedLkpp(ev.ticket);
  if (ev.type === "reopened" && ev.ticket) caseReopened(ev.ticket, ev.data || {});
  render();
  reloadIfIdle(); // an admin's change waited for the ticket that just left the counter
  confirmUnanswered(); // the visitor of a press whose answer never came just left the counter
  settleSeen(); // the press on its way shown done: settled without its slow answer
}

// The case reached LKPP another way (its LKPP number or answer recorded): the server withdrew its mail still
// queued or being retried in that same change (it is never sent). The notice of this officer's escalation said
// "belum terkirim, dicoba lagi", or its mail's failure, until the page was loaded again: it says so now.
function caseReachedLkpp(ticket) {
  const n = state.notice;
  if (n && n.escalated && n.escalated.ticket === ticket.id && n.escalated.status !== "sent") {
    n.escalated.forwarded = true;
    renderNotice();
  }
}

// A close made by mistake undone (POST /api/tickets/<ref>/reopen): the case is with LKPP again and, without an LKPP
// number, its mail is as it was before the close: one the close withdrew is tried again (`data.mail_restored`), one
// that had failed for good is still to be forwarded by hand. The notice said "tidak perlu dikirim lagi: kasusnya sudah
// diteruskan ke LKPP" since the close, and went on saying it while the mail failed again: it follows the reopen.
function caseReopened(ticket, data) {
  const n = state.notice;
  const e = n && n.escalated;
  if (!e || e.ticket !== ticket.id || e.status === "sent" || !e.forwarded || ticket.lkpp_ticket) return;
  if (e.status === "withdrawn" && !data.mail_restored) return; // withdrawn before the close: it stays so
  e.forwarded = false;
  if (data.mail_restored) e.status = data.mail_restored;
  renderNotice();
}

// An escalation mail's try. A failure of this officer's case is said; once sent, the escalation's notice
// ("… menunggu dikirim") or the failure's says so.
function onMailEvent(ev) {
  const data = ev.data || {};
  if (data.mail !== undefined) {
    // the worker may send it before the escalate request's answer comes: kept a while for that answer
    if (state.mailEvents.size > 20) state.mailEvents.clear();
    state.mailEvents.set(data.mail, ev);
  }
  const ticket = ev.ticket;
  if (!ticket) return;
  for (const told of mailLoads) told.add(ticket.id); // newer than an escalations' list on its way
  const mail = { id: data.mail, status: ev.type === "mail_sent" ? "sent" : data.status || "retrying",
                 attempts: data.attempts, error: data.error || (ev.type === "mail_failed" ? "?" : null),
                 advice: data.advice };
  const n = state.notice;
  // A failure of this officer's case is said once when the mail is first retried and once when it fails for good,
  // not at each try between: a mail server down for a while took the officer's notice (a call's, a refusal) at each
  // of its tries, eight in 17 minutes, while he served the next visitors. The front office's alert and the Eskalasi
  // page follow every try; the escalation's own notice, while it is shown, too.
  const key = data.mail !== undefined ? data.mail : `ticket ${ticket.id}`;
  const said = state.mailFailSaid.get(key);
  if (ev.type === "mail_failed" && said !== "failed") {
    if (state.mailFailSaid.size > 50) state.mailFailSaid.clear();
    state.mailFailSaid.set(key, mail.status);
  }
  if (ev.type === "mail_sent" && said === "resent") state.mailFailSaid.delete(key);
  if (n && n.escalated && n.escalated.ticket === ticket.id) {
    if (n.escalated.status === "sent" || n.escalated.forwarded) return; // nothing more of it to say
    takeMail(n.escalated, mail);
    renderNotice();
  } else if (state.me && ticket.officer === state.me.username) {
    // said in the place of what the notice said (no `to`: not known here)
    if (ev.type === "mail_failed" ? said === "failed" || said === mail.status : said !== "resent") return;
    const e = { label: ticket.label, ticket: ticket.id, status: "queued", attempts: 0 };
    takeMail(e, mail);
    state.notice = { kind: mailKind(e), escalated: e };
    renderNotice();
  }
}

// The front office's Kirim ulang (the Eskalasi page) of this officer's mail whose failure the page said: a new try,
// whose outcome is said in turn. Refused again, the officer's line of it (advice.officer) as at its first failure:
// the page had said "tidak terkirim" for good, and kept quiet at every later failure of the mail, so the officer
// did not learn that the front office's try failed too; sent, "sudah terkirim" (he was told it was not).
function onMailRequeued(ev) {
  const data = ev.data || {};
  const key = data.mail !== undefined ? data.mail : ev.ticket ? `ticket ${ev.ticket.id}` : null;
  if (key !== null && state.mailFailSaid.has(key)) state.mailFailSaid.set(key, "resent");
}

// A notice of this officer's escalation whose mail was not sent yet, or failed, from before the socket's snapshot
// (carried over the reload for an admin's change, said before the socket was in): the mail may have been sent
// meanwhile, in no event this page got. The open escalations say its state now; a mail event of its ticket that
// came while they were on their way is newer, and stands.
const mailLoads = new Set(); // per list on its way: the tickets a mail event told of meanwhile

async function checkEscalationMail() {
  const n = state.notice;
  const e = n && n.escalated;
  if (!e || e.status === "sent") return; // forwarded: the case may have been reopened meanwhile (caseReopened)
  const id = e.ticket;
  const told = new Set();
  mailLoads.add(told);
  try {
    const { body } = await api("GET", "/api/escalations");
    if (!body || !Array.isArray(body.escalations) || told.has(id) || state.notice !== n) return; // said since
    const x = body.escalations.find((c) => c.id === id);
    const before = noticeText(n);
    if (!x) e.forwarded = true; // closed meanwhile (LKPP's answer recorded): as its `closed` event says it
    else {
      const mail = x.mail || {};
      if (e.forwarded && !x.lkpp_ticket && ["queued", "retrying", "failed"].includes(mail.status)) {
        e.forwarded = false; // reopened meanwhile, its mail tried again or still to forward: as `reopened` says it
        e.status = mail.status;
      }
      if (!e.forwarded) takeMail(e, x.mail);
      if (x.lkpp_ticket) e.forwarded = true; // its LKPP number recorded: as its `lkpp_ticket` event says it
    }
    if (noticeText(n) !== before) renderNotice();
  } catch (err) {
    /* the notice stays as it was; the mail's next event tells */
  } finally {
    mailLoads.delete(told);
  }
}

// Offline: a bar under the buttons says so, whatever the notice says, until the connection is back and its fresh
// snapshot drawn (what the page showed meanwhile may be out of date). What the notice said before goes with the
// connection, but an action that never reached the server: said again when it is back, and a counter freed from
// this officer (`lasting`: said once, and still true; it went at the first blip of the Wi-Fi after the login), and an
// escalation's mail (its failure went for good at a blip, "forward it by hand" with it): read again at the snapshot
// (checkEscalationMail), it says then what became of the mail meanwhile, in the words a live event would have.
function renderOffline() {
  $("offline-bar").hidden = !state.offline;
}

function onStatus(up) {
  $("live-status").dataset.state = up ? "on" : "off";
  if (!up) {
    state.offline = true;
    state.drops += 1; // (counted here too while a lost press is asked about: state.unanswered is null then)
    if (state.unanswered) state.unanswered.away = true;
    if (state.notice && state.notice.held) {
      state.notice.parts[0][1].when = ["held.back", {}]; // checked once connected again, not in a few seconds
      renderNotice();
    }
    renderOffline();
    if (state.notice && !state.notice.network && !state.notice.lasting && !state.notice.escalated) {
      state.notice = null;
      renderNotice();
    }
  } else if (state.notice && state.notice.network) {
    notify("warn", "live.back_unsent"); // the action that failed offline: not done, say so, not "unreachable"
  }
  if (up) {
    // earlier visits that could not be asked for while the page was away: asked again for the ticket shown
    for (const [id, entry] of [...state.visits]) if (entry.failed) state.visits.delete(id);
    renderVisits(currentTicket());
  }
}

// ---- actions ------------------------------------------------------------------------------
function payloadFor(action, extra) {
  const data = { request_id: requestId(), ...extra };
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
    // what the officer wrote so far goes with the visitor, for the officer at the other service
    const note = transferNote($("solution").value, $("note").value);
    if (note.text) data.note = note.text;
    if (note.cut) data.cut = note.cut; // for the notice (act), not sent
  }
  return data;
}

// The server's limit on a transfer's note (server/core.py NOTE_MAX), in characters (code points) once cleaned
// as the server cleans it (server/forms.py clean_text: NFC, trimmed).
const NOTE_MAX = 4000;

// A text cut to `room` characters with "…" at its end (in it), never inside a letter with its accents or an
// emoji; the text as it is when it fits.
function cutTo(text, room) {
  if (Array.from(text).length <= room) return text;
  let out = "";
  let used = 0;
  // letters with their accents and emoji whole (Intl.Segmenter: not in Firefox before 125, e.g. ESR 115,
  // which cuts between code points instead)
  const segments = typeof Intl.Segmenter === "function" ? Array.from(new Intl.Segmenter().segment(text), (x) => x.segment) : Array.from(text);
  for (const segment of segments) {
    const n = Array.from(segment).length;
    if (used + n > room - 1) break;
    out += segment;
    used += n;
  }
  return `${out.trimEnd()}…`;
}

// The transfer's note: the answer written so far and the escalation analysis, both, within NOTE_MAX. When they
// do not fit, the longer one is cut first: the shorter one stays whole when it takes at most half the room, else
// each is cut to its half. `cut`: which of them were cut ("solution", "note", "both"), or null.
function transferNote(solution, note, max = NOTE_MAX) {
  const parts = [solution, note].map((x) => (x || "").normalize("NFC").trim());
  const sizes = parts.map((x) => Array.from(x).length);
  const sep = parts[0] && parts[1] ? 2 : 0; // "\n\n" between them
  const room = max - sep;
  if (sizes[0] + sizes[1] <= room) return { text: parts.filter(Boolean).join("\n\n"), cut: null };
  const longer = sizes[0] >= sizes[1] ? 0 : 1; // the answer when they are as long
  const shorter = 1 - longer;
  const rooms = [];
  rooms[shorter] = Math.min(sizes[shorter], Math.ceil(room / 2));
  rooms[longer] = room - rooms[shorter];
  const cutParts = parts.map((x, i) => cutTo(x, rooms[i]));
  const which = parts.map((x, i) => cutParts[i] !== x);
  const cut = which[0] && which[1] ? "both" : which[0] ? "solution" : "note";
  return { text: cutParts.filter(Boolean).join("\n\n"), cut };
}

// `waited`: the ids of the tickets the page showed waiting for this counter when call-next was pressed; `cut`:
// which part of a transfer's note was shortened (transferNote).
function reportDone(action, status, body, waited = null, cut = null) {
  const ticket = body && body.ticket;
  const label = ticket ? ticket.label : "";
  if (action === "call-next" || action === "call") {
    const skipped = body && body.skipped;
    const gone = skipped && skipped.status === "no_show"; // skipped before: this skip was its last
    if (status === 204 || !ticket) {
      if (skipped) return notify("info", gone ? "done.no_show" : "done.skipped", { label: skipped.label });
      if (waited && waited.length) {
        // The page showed someone waiting when N was pressed: another counter called them first (the server
        // takes one call at a time). Which one and where, once the live events or a fresh snapshot tell.
        state.notice = { kind: "info", taken: { ids: waited, by: null } };
        renderNotice();
        if (live) live.resync();
        return;
      }
      return notify("info", "done.none");
    }
    // nobody else waited for the counter: the skipped visitor is its next, called again at once
    if (skipped && !gone && skipped.label === label) return notify("info", "done.skipped_alone_called", { label });
    if (skipped) return notify("info", gone ? "done.no_show_called" : "done.skipped_called", { skipped: skipped.label, label });
    return notify("info", action === "call" ? "done.called_ticket" : "done.called", { label });
  }
  if (action === "pause") return notify("info", "done.paused", { counter: counterName(state.counterId) });
  if (action === "resume") return notify("info", "done.resumed", { counter: counterName(state.counterId) });
  if (action === "recall") return notify("info", "done.recalled", { label, n: ticket.calls, max: PAGE.max_calls });
  if (action === "skip") {
    if (ticket.status === "no_show") return notify("info", "done.no_show", { label });
    // "called again after the next visitor" when there is one; with nobody else waiting N calls this one again,
    // on a break once it is over (Lanjut): call-next is off until then
    const cfg = counterConfig();
    const others = cfg ? waitingFor(cfg.services).filter((x) => x.id !== ticket.id) : [];
    if (others.length) return notify("info", "done.skipped", { label });
    return notify("info", isPaused() ? "done.skipped_alone_paused" : "done.skipped_alone", { label });
  }
  if (action === "start") return notify("info", "done.started", { label });
  if (action === "transfer") {
    const params = { label, service: serviceName(ticket.service), max: NOTE_MAX };
    // the note was shortened to the server's limit: the officer knows what the one at the other service reads
    if (cut) return notify("warn", `done.transferred_cut_${cut}`, params);
    return notify("info", "done.transferred", params);
  }
  if (action === "escalate") {
    const esc = body.escalation || {};
    const mail = esc.mail;
    const more = esc.message || esc.error || "";
    if (mail) {
      // the mail's state, followed live (mail_sent, mail_failed); its worker may have tried it already
      const seen = mail.id !== undefined ? state.mailEvents.get(mail.id) : null;
      const e = { label, ticket: ticket.id, mail: mail.id, to: mail.to || "LKPP", status: "queued", attempts: 0, more };
      takeMail(e, mail);
      if (seen) {
        const data = seen.data || {};
        const sent = seen.type === "mail_sent";
        takeMail(e, { status: sent ? "sent" : data.status || "retrying", attempts: data.attempts,
                      error: data.error || (sent ? null : "?"), advice: data.advice });
      }
      state.notice = { kind: "info", escalated: e };
      return renderNotice();
    }
    state.notice = { kind: "info", key: "done.escalated_nomail", params: { label }, more };
    return renderNotice();
  }
  notify("info", "done.resolved", { label });
}

// One action on this counter; `extra` goes with it ({ticket: label} for a call out of turn). `keys`: pressed on its
// focused button from the keyboard (Enter, Space): the cursor stays on the counter's buttons after it (keepFocus).
async function act(action, extra = {}, { keys = false } = {}) {
  if (state.counterId === null) return;
  if (state.busy) {
    // D pressed as soon as the called visitor shows (the live event can come before the call's answer), or N
    // right after Ctrl+Enter: done once the action in flight is, if its button is on then. Only these two:
    // a second of either is refused by its own button, where a second R would be one more call. And Ctrl+Enter
    // (Selesai, or Eskalasi from the note) pressed after an answer typed while its start was on its way
    // (startPending): done once the visitor is served, with that answer.
    // N pressed after that Ctrl+Enter: the next call, once the finish is done. (The finish pressed while the call was
    // still on its way took the start's place: the visitor was left called, the answer typed dropped.)
    if (finishQueued()) {
      if (action === "call-next" && !state.queued.includes(action)) state.queued.push(action);
    } else if ((action === "resolve" || action === "escalate") && startPending()) state.queued.push(action);
    else if (action === "start" || action === "call-next") state.queued = [action];
    return;
  }
  const button = document.querySelector(action === "call" ? `button[data-call="${extra.ticket}"]` : `button[data-action="${action}"]`);
  if (!button || button.disabled) {
    if (action === "start") state.typedAhead = ""; // a start queued that cannot be pressed now: no answer to type in
    state.queued = []; // nor a finish of it, nor the next call after that finish
    return;
  }
  state.busy = true;
  state.busyAction = action;
  state.changed = null; // the officer's next action: the corrected details are seen
  clearFieldErrors();
  const held = currentTicket();
  const cfg = counterConfig();
  const waited = action === "call-next" && cfg ? waitingFor(cfg.services).map((x) => x.id) : null;
  if (held && OWN_ENDINGS.includes(action)) state.ownDone.add(held.id);
  if (held && action === "transfer") state.transferring.set(held.id, $("transfer-service").value);
  if (held && (action === "resolve" || action === "escalate")) state.finishing.set(held.id, { action, label: held.label });
  if (held && (action === "call-next" || action === "call") && actionsOf(held).has(action)) state.ownDone.add(held.id); // skips it
  render();
  state.unanswered = null; // a new press: an earlier one whose answer never came is not asked about again
  let sent = null;
  // what was typed for the visitor pressed for: kept if the server says the counter holds another now
  const typed = held ? { solution: $("solution").value, note: $("note").value } : null;
  try {
    const { cut = null, ...payload } = payloadFor(action, extra);
    // the visitor pressed for: the server refuses the press (409 ticket_changed, nothing done) once the counter holds
    // another, as when another tab or the front office finished this one and called the next before it arrived. Its
    // resend (confirmUnanswered) carries the same payload.
    if (held && HELD_ACTIONS.includes(action)) payload.ticket_id = held.id;
    // a call: the ticket the counter held when pressed (null: none). The server refuses it (409 counter_changed,
    // nothing done) once the counter holds another: sent again to ask (settleSeen, confirmSeen), it calls nobody
    // when another tab or an admin called meanwhile.
    if (action === "call-next" || action === "call") payload.holding = held ? held.id : null;
    // `seq`: what the page was current to when pressed; `calls`: the held visitor's calls then (Panggil ulang)
    const facts = { id: held ? held.id : null, counter: state.counterId, seq: live ? live.seq() : null,
                    drops: state.drops };
    if (held ? OWN_ENDINGS.includes(action) || SEEN[action] : action === "call-next" || action === "call") {
      sent = { action, payload, cut, ...facts, calls: held ? held.calls || 0 : 0, status: held ? held.status : null };
    }
    const asked = api("POST", `/api/counters/${state.counterId}/${action}`, payload, { timeout: ACTION_TIMEOUT_MS });
    const { status, body, elsewhere } = await answerOrSeen(asked, { action, payload, ...facts,
                                                                     calls: held ? held.calls || 0 : 0 });
    if (elsewhere) {
      state.queued = []; // D pressed for the visitor shown: called by another page, not by this press
      calledElsewhere(action, elsewhere);
    } else {
      took(action, status, body, waited, cut);
    }
  } catch (err) {
    if (held && currentTicket() && currentTicket().id === held.id) {
      state.ownDone.delete(held.id);
      state.transferring.delete(held.id);
      state.finishing.delete(held.id);
    }
    if (err.status === 401) {
      state.queued = []; // nothing more in this session
      return sessionEnded(action);
    }
    state.queued = []; // refused: a key pressed meanwhile was for a picture that was not the server's
    if (err.status === 0) notify("error", "net.failed"); // the page's own words: said again after a language switch
    else notifyText("error", err.message);
    state.notice.network = !err.status || err.status >= 502; // never reached the server (or its proxy said so)
    // or its answer did not come back: confirmUnanswered. `away`: the page's connection dropped since (said back)
    if (state.notice.network && sent) {
      state.unanswered = { ...sent, away: state.offline };
      heldNotice(sent, held);
    }
    state.notice.fields = Object.keys(err.fields || {}).length > 0;
    showFieldErrors(err.fields);
    const first = Object.keys(err.fields || {})[0];
    if (first && document.getElementsByName(first)[0]) document.getElementsByName(first)[0].focus();
    if (err.status === 409 && live) live.resync(); // our picture was stale: fetch the truth
    // a class the page still offered, gone from the table (its settings_changed not here yet): the table read again,
    // and the class said taken out under its field (takeClasses)
    else if (err.fields && err.fields.priority_class && live) live.resync();
    if (err.status === 409 && err.body && err.body.error === "ticket_changed" && held) pressedForGone(held, typed);
  } finally {
    state.busy = false;
    state.busyAction = null;
    render();
    // letters typed ahead of a start that failed, or that another page's press made (a refusal, elsewhere): for
    // a picture that was not the server's, as a key pressed meanwhile (render put those of a start done in the answer)
    if (!startPending()) state.typedAhead = "";
    reloadIfIdle(); // an admin's change came meanwhile
    runQueued(action);
    if (keys) keepFocus(button);
    confirmUnanswered(); // the visitor may have left the counter already (its event before the failure)
  }
}

// The first action pressed while `done` (or the form copy, or a press asked again: null) was in flight, now that it is
// not: the rest after it, by its own end. The form copy's and the question's ends left it there: D pressed while Alt+P
// was on its way did nothing, every letter after it was kept as the answer's, and the next press's end served the
// visitor (R, I), unasked.
function runQueued(done) {
  const queued = state.queued.shift();
  if (queued === done) state.queued = []; // N while its call was on its way: that one call
  else if (queued) act(queued);
}

// A slow answer (the request done on the server, its answer held on the Wi-Fi or the server's way back) kept the
// buttons off and the officer waiting, the live state showing the press done already, until the answer's 15 s were
// up; then Istirahat and Lanjut said "Server tidak dapat dihubungi" under a counter shown paused (resumed), and
// Selesai and the like "belum pasti tercatat" under a counter shown free. Now the press is settled as soon as the live
// state shows its effect (settleSeen): a pause or a resume by it (the counter paused, or open: the same whoever did
// it, a second one changes nothing), said done in a normal answer's words; the visitor pressed for gone from the
// counter (Selesai, Eskalasi, Alihkan, Lewati), called once more (Panggil ulang) or served (Pengunjung datang): asked of
// the server at once with the same request_id, since the live event does not say which tab or page did it (the same
// account in another tab reads the same). Done by this press, the server answers its first answer ("A-005 selesai.",
// the form copy, the escalation's mail); done by another's hand, it refuses it (409 ticket_changed: "sudah
// diselesaikan di halaman lain", the typing kept), as the press's own answer would have. The press's own answer, come
// later, has nothing more to say; its request, still on its way, is that request_id's: done once either way.
// The calls (Panggil berikutnya, Panggil) still waited for their own answer, the visitor called shown at the counter
// with the buttons off, until it came or its 15 s were up. Now they are settled the same way once the live state shows
// a visitor called at the counter (pressShown): asked again with the same request_id, the server answers its first
// answer when it was this press ("A-002 dipanggil.", the buttons on); it refuses it (409 counter_changed: the counter
// holds another ticket than it did when pressed, `holding`) when another tab or an admin called that visitor, and the
// page says so ("A-002 sudah dipanggil di halaman lain: “Panggil berikutnya” di halaman ini tidak dijalankan.") and
// does not report this press done. Its own request, still on its way, is refused as well when it comes (counter_changed):
// nobody is called by it, nor the visitor called elsewhere skipped (max_calls 1).
const SETTLED_LIVE = ["pause", "resume", "recall", "skip", "start", "resolve", "escalate", "transfer", "call-next", "call"];

function answerOrSeen(asked, press) {
  if (!SETTLED_LIVE.includes(press.action) || (HELD_ACTIONS.includes(press.action) && press.id === null)) return asked;
  let seen = null;
  const shown = new Promise((resolve, reject) => {
    seen = { resolve, reject };
  });
  const flight = { ...press, seen, asked: false };
  state.flight = flight;
  // its answer lost (15 s), the live state showing the pause or the resume done all the same: done
  const answer = asked.catch((err) => {
    if ((!err.status || err.status >= 502) && breakShown(flight)) return breakAnswer(flight);
    throw err;
  });
  return Promise.race([answer, shown]).finally(() => {
    if (state.flight === flight) state.flight = null;
  });
}

function breakShown(f) {
  return (f.action === "pause" || f.action === "resume") && f.counter === state.counterId &&
    isPaused() === (f.action === "pause");
}

function breakAnswer(f) {
  return { status: 200, body: { counter: { id: f.counter, paused: f.action === "pause" } } };
}

// Whether the live state shows the press `f` done to the visitor it was pressed for, by whoever (a call: a visitor
// called at the counter, another than it held, or that one called anew).
function effectShown(f) {
  if (f.counter !== state.counterId) return false;
  if (f.action === "call-next" || f.action === "call") {
    const here = currentTicket();
    return Boolean(here) && pressShown(f, here);
  }
  const x = state.tickets.get(f.id);
  if (f.action === "recall") return Boolean(x) && (x.calls || 0) > f.calls;
  if (f.action === "start") return Boolean(x) && x.status === "serving" && x.counter_id === f.counter;
  return !x || x.counter_id !== f.counter || (x.status !== "called" && x.status !== "serving"); // left the counter
}

function settleSeen() {
  const f = state.flight;
  if (!f || f.asked) return;
  const breaks = f.action === "pause" || f.action === "resume";
  if (breaks ? !breakShown(f) : !effectShown(f)) return;
  f.asked = true;
  // the same request again: its first answer when it was done, else done or refused now; a late first one is then
  // answered that (a pause come after a Lanjut pauses nothing)
  const again = api("POST", `/api/counters/${f.counter}/${f.action}`, f.payload, { timeout: ACTION_TIMEOUT_MS });
  if (breaks) {
    again.catch(() => {});
    f.seen.resolve(breakAnswer(f));
    return;
  }
  const shown = currentTicket();
  again.then(f.seen.resolve, (err) => {
    // a call refused as the counter holds another ticket than when pressed: the one shown, called by another page
    if (calledThere(f, err)) f.seen.resolve({ elsewhere: shown.label });
    else if (err.status && err.status < 502) f.seen.reject(err); // refused as the press would have been
    // lost too: the press's own answer, or its 15 s, settles it (confirmUnanswered then)
  });
}

// Whether `err` refuses the call `f` (asked again) as the counter holds another ticket than when it was pressed.
function calledThere(f, err) {
  return (f.action === "call-next" || f.action === "call") && err.status === 409 && Boolean(err.body) &&
    err.body.error === "counter_changed";
}

// A call of this page (Panggil berikutnya, Panggil) not done: the visitor `label` shown at the counter was called by
// another page (another tab of the officer, an admin). `back`: said after the page's connection came back.
function calledElsewhere(action, label, back = false) {
  state.notice = { kind: "warn", parts: [["gone.called_tab", { label, action: [ACTION_LABELS[action]] }]], back };
  renderNotice();
}

// A press refused as its visitor is no longer the counter's (409 ticket_changed): another tab, the front office or an
// admin finished or sent away that visitor, and maybe called the next, while the press was on its way. Its event came
// first: the page took the visitor's leaving for its own press, said nothing and let the typing go. Now it says it as
// a visitor gone elsewhere ("Tiket A-005 sudah diselesaikan di halaman lain.") and keeps what was typed. The page
// still showing that visitor: the snapshot asked for says it when it takes the visitor away (leaveTicket keeps it).
function pressedForGone(held, typed) {
  const here = currentTicket();
  if (here && here.id === held.id) return;
  const how = state.left.get(held.id) || {};
  const kind = ["resolved", "escalated", "transferred"].includes(how.type) ? "info" : "warn";
  if (!state.gone.has(held.id)) state.gone.set(held.id, held);
  notifyGone(kind, held.id);
  const text = typed && (typed.solution.trim() || typed.note.trim());
  if (text && !(state.kept && state.kept.id === held.id)) {
    keepDraft({ id: held.id, label: held.label || "", solution: typed.solution, note: typed.note, why: goneFacts(held.id) });
  }
}

// A press whose answer never came, held by the page until it hears from the server (confirmUnanswered, confirmSeen):
// it said "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.", not which press, nor that it may have
// been done, nor that the page finds out by itself. Now: "Selesai A-001 belum pasti tercatat: jawaban server tidak
// sampai (jaringan). Ketikan tetap di kotak; halaman memeriksanya sendiri dalam beberapa detik." (the press's name and
// ticket said again in the language of the moment; "… begitu tersambung lagi" while the page is offline, when it asks
// once back; `network` kept: "Tersambung kembali…" once back). It said "saat ada kabar dari server" (when the server
// tells it), untrue since the page asks again by itself within seconds.
function heldNotice(sent, held) {
  const label = held && sent.action !== "call-next" && sent.action !== "call" ? held.label : sent.payload.ticket || "";
  const what = [label ? "held.what" : "held.what_plain", { action: [ACTION_LABELS[sent.action]], label }];
  const typed = ["resolve", "escalate", "transfer"].includes(sent.action);
  // when: asked again after a second or so while connected (confirmUnanswered, confirmSeen), else once back
  const when = [state.offline ? "held.back" : "held.soon", {}];
  state.notice = { kind: "error", network: true, held: true, parts: [[typed ? "held.typed" : "held.plain", { what, when }]] };
  renderNotice();
}

// What an action's answer changes on the page: its tickets, the form copy's ticket, the notice, the cursor.
function took(action, status, body, waited, cut) {
  // The live events past the answer's seq came first (another tab, the front office, an admin acted during the
  // round trip): the page shows what the answer says or newer, and the answer's tickets would put it back.
  const known = Boolean(live && live.knows(body));
  if ((action === "pause" || action === "resume") && !known) {
    const paused = body && body.counter ? Boolean(body.counter.paused) : action === "pause";
    state.counters.set(state.counterId, { ...(state.counters.get(state.counterId) || {}), paused });
  }
  if (body && body.skipped && !known) {
    for (const x of state.tickets.values()) {
      if (x.label !== body.skipped.label) continue;
      applyTicket({ ...x, ...body.skipped, status: body.skipped.status, counter_id: null });
      if (typeof body.seq === "number") state.answered.set(x.id, body.seq);
    }
  }
  if (body && body.ticket && !known) {
    applyTicket(body.ticket);
    if (typeof body.seq === "number" && body.ticket.id !== undefined) state.answered.set(body.ticket.id, body.seq);
  }
  if ((action === "resolve" || action === "escalate") && body && body.ticket) setLastDone(body.ticket, body.seq);
  reportDone(action, status, body, waited, cut);
  // The form is done with: give the keys back to the shortcuts (N calls the next visitor).
  if (action !== "start" && $("outcome").contains(document.activeElement)) document.activeElement.blur();
  if (action === "start") state.focusAnswer = true; // the visitor sits down: the cursor goes to the answer
  if (state.me) state.counters.set(state.counterId, { ...(state.counters.get(state.counterId) || {}), officer: state.me.username });
}

// Selesai, Eskalasi, Alihkan or Lewati whose answer never came: the network dropped, or the server stopped, after it
// had done it. The page said "Server tidak dapat dihubungi", and once back that it did not reach the server, while
// the visitor was gone from the counter (its event, or the fresh snapshot): the ticket's answer and typing gone, and
// the form copy's button offering the visitor before. Once the live picture shows the visitor left and the counter
// holds no ticket, the same request is sent again with its request_id: the server answers its first answer and
// changes nothing (docs/api.md, Idempotency), and the page says what was done and offers that visitor's form copy.
// A press that never reached it is refused then (no ticket at the counter), and what the page says stands.
async function confirmUnanswered(timed = false) {
  const u = state.unanswered;
  if (!u || state.busy || !live || !live.socket.connected) return;
  if (u.counter !== state.counterId) {
    state.unanswered = null; // another counter now: not this page's to ask
    return;
  }
  if (SEEN[u.action]) return confirmSeen(u, timed);
  const still = currentTicket();
  if (still) {
    // Still here, the page's connection up since the press: it did not reach the server, or its event is on its
    // way. Asked on a timer (askAgainSoon): the same request again, done now or answered its first answer. Not
    // after a drop (what the page says stands: "did not reach the server, check"), nor once the counter's ticket or
    // its step is another than pressed on (another tab, the front office: the request acts on the counter's ticket).
    if (!stillPressable(u, still)) return; // asked at the next change
    if (!timed) {
      if (!askAgain.timer || askAgain.press !== u) askAgainSoon(u);
      return;
    }
  }
  // Its visitor still here, the press stays the one unanswered while asked: an event of the visitor leaving that comes
  // first may be its own (ownPressMaybe: said only if this one is refused), its typing kept meanwhile.
  if (!still) state.unanswered = null;
  state.busy = true;
  render();
  try {
    const { status, body } = await api("POST", `/api/counters/${u.counter}/${u.action}`, u.payload,
                                       { timeout: ACTION_TIMEOUT_MS });
    if (state.unanswered === u) state.unanswered = null;
    const here = currentTicket();
    if (here && here.id === u.id) {
      // its answer before its event: the visitor leaves by this press (not "elsewhere"), its typing done with
      if (OWN_ENDINGS.includes(u.action)) state.ownDone.add(u.id);
      if (u.action === "transfer") state.transferring.set(u.id, u.payload.service);
      if (u.action === "resolve" || u.action === "escalate") state.finishing.set(u.id, { action: u.action, label: here.label });
    }
    if (state.kept && state.kept.id === u.id) {
      // its typing, kept when the visitor seemed to leave some other way: the answer has it (Alihkan: its note)
      const service = u.payload.service;
      const unsent = unsentDraft(u.action, state.kept.solution || "", state.kept.note || "");
      if (u.action === "transfer") keepDraft({ ...state.kept, why: { type: "transferred", service } });
      else if (unsent) keepDraft({ ...state.kept, ...unsent, why: { type: "unsent", action: u.action } });
      else dismissKept();
    }
    took(u.action, status, body, null, u.cut);
    if (state.notice && wentAway(u)) {
      // after "Server tidak dapat dihubungi" and the page away: this is that press, done
      Object.assign(state.notice, { reached: true, back: true });
      renderNotice();
    }
  } catch (err) {
    const here = currentTicket();
    if (state.unanswered === u) state.unanswered = null;
    // not done by this press (the visitor left another way): what the page says stands. Offline again (the server
    // gone before the page saw its socket drop): asked again once the page is live with a fresh snapshot; lost on the
    // network with the socket up (no snapshot, maybe no event for long): asked again on a timer (askAgainSoon).
    if ((!err.status || err.status >= 502) && state.unanswered === null) {
      state.unanswered = u;
      askAgainSoon(u);
    } else if (err.status && err.status < 502 && u.goneHeld && !state.notice?.gone) {
      // refused: the visitor left by another's hand (another tab, the front office): said now, as it would have been
      notifyGone(u.goneHeld.kind, u.id);
      if (u.goneHeld.explain) explainGone(u.goneHeld.explain);
    } else if (still && err.status === 401) {
      sessionEnded(u.action);
    } else if (still && here && here.id === u.id && err.status && err.status < 502) {
      // the press, done only now, refused as a press is (a field the server wants, the visitor's step moved on)
      notifyText("error", err.message);
      state.notice.fields = Object.keys(err.fields || {}).length > 0;
      showFieldErrors(err.fields);
      if (err.status === 409) live.resync();
    }
  } finally {
    state.busy = false;
    render();
    reloadIfIdle();
    runQueued(null);
  }
}

// A press whose answer never came, asked about (confirmUnanswered, confirmSeen) and that question lost on the network
// too, the socket up the whole time: the page was to ask again at the next live change or snapshot, and in a quiet
// office none came. The visitor gone from the counter (Selesai done), it said "Server tidak dapat dihubungi" for as
// long, the form copy not offered. Now it asks again after 1, 2, 4, 8, then every 15 s, while that press is the one
// unanswered (a new press, or the answer found, ends it); offline, the reconnect's snapshot asks.
const ASK_AGAIN_MS = [1000, 2000, 4000, 8000, 15000];
// A counter action's answer not come by then is a lost one (status 0, as a network error): the request may have
// been done, and the page asks (confirmUnanswered, confirmSeen) instead of waiting on it for as long as the browser
// would (minutes, on a Wi-Fi that drops answers silently), its buttons off.
const ACTION_TIMEOUT_MS = 15000;

// Selesai, Eskalasi, Alihkan or Lewati unanswered, its visitor still here: sent again with its request_id only while
// the page's picture is the one it was pressed on (the same visitor at the same step, the connection up since, the
// picture current), since the server acts on whatever ticket the counter holds.
function stillPressable(u, ticket) {
  return ticket.id === u.id && ticket.status === u.status && !wentAway(u) && Boolean(live && live.synced());
}
const askAgain = { timer: null, tries: 0, press: null };

function askAgainSoon(u) {
  clearTimeout(askAgain.timer);
  if (askAgain.press !== u) Object.assign(askAgain, { press: u, tries: 0 });
  const wait = ASK_AGAIN_MS[Math.min(askAgain.tries, ASK_AGAIN_MS.length - 1)];
  askAgain.tries += 1;
  askAgain.timer = setTimeout(() => {
    askAgain.timer = null;
    if (state.unanswered === u) confirmUnanswered(true);
  }, wait);
}

// Panggil berikutnya, Panggil, Panggil ulang or Pengunjung datang whose answer never came: the server did it (the TV
// said the call, the live event or the fresh snapshot shows the ticket called or served here), and its answer was
// lost (the server killed right after its commit, the network cut). The page said "Tindakan terakhir tidak sampai ke
// server" under the ticket that press called, and the officer pressed again (a second visitor called) or distrusted
// the page. Sending a recall or a start again is no way to ask: one that did not reach the server would be done now,
// one more call. The ticket's history says it instead: its event of that press (`recalled`, `started`) after the seq
// the page was current to when pressed, by this officer at this counter, is that press's. Said then ("Panggilan A-002
// sudah sampai ke server"); else what the page says stands, and it is asked again at the next change (until another
// press, or another's event of that kind after it). A call (Panggil berikutnya, Panggil) is sent again with its
// request_id instead (askCall): the history named the officer, not the tab, and took the same officer's call in
// another tab for this press; the server tells them apart (its first answer, or 409 counter_changed: the counter holds
// another ticket than when pressed, `holding`, so nobody is called by it).
const SEEN = { "call-next": "called", call: "called", recall: "recalled", start: "started" }; // press -> its event

function pressShown(u, ticket) {
  const calls = ticket.calls || 0;
  if (u.action === "recall") return ticket.id === u.id && calls > u.calls; // one more call of its visitor
  if (u.action === "start") return ticket.id === u.id && ticket.status === "serving";
  // a visitor called, another than the one held then, or that one again (nobody else waited: skipped and called at
  // once, its calls counted anew)
  return ticket.status === "called" && (ticket.id !== u.id || calls !== u.calls);
}

// Whether the page's connection dropped since the press `u` (its answer lost): said back ("Tersambung kembali.").
// A drop seen while the press was being asked about (state.unanswered null) counts too.
function wentAway(u) {
  return Boolean(u.away) || (u.drops !== undefined && state.drops > u.drops);
}

async function confirmSeen(u, timed = false) {
  const ticket = currentTicket();
  if (!ticket || !pressShown(u, ticket)) return unseen(u, timed); // not shown done (yet)
  if (!state.me || !live.synced()) return;
  if (state.confirming === ticket.id) return; // its history asked for already
  if ((u.action === "call-next" || u.action === "call") && "holding" in u.payload) return askCall(u, ticket);
  state.confirming = ticket.id;
  let events;
  try {
    events = (await api("GET", `/api/tickets/${encodeURIComponent(ticket.token)}/history`)).body.events || [];
  } catch (err) {
    if (!err.status || err.status >= 502) askAgainSoon(u); // lost on the network: asked again on a timer too
    return; // offline again, or refused: asked at the next change
  } finally {
    state.confirming = null;
  }
  if (state.unanswered !== u) return; // another press meanwhile: its own answer says
  const after = events.filter((e) => e.type === SEEN[u.action] && (u.seq === null || e.seq > u.seq)); // after the press
  if (!after.some((e) => e.actor === state.me.username && e.counter_id === u.counter)) {
    // done by someone else (another tab, an admin, the automatic recall): not this press's to say
    if (after.length) state.unanswered = null;
    return;
  }
  state.unanswered = null;
  const now = state.tickets.get(ticket.id) || ticket;
  const label = now.label;
  const key = u.action === "recall" ? "recalled" : u.action === "start" ? "started" : "called";
  const params = { label, n: now.calls, max: PAGE.max_calls };
  state.notice = { kind: "info", key: `live.reached_${key}`, params, back: wentAway(u) }; // "Tersambung kembali." once away
  renderNotice();
}

// A call unanswered, a visitor `ticket` shown called at the counter: asked again with its request_id (confirmSeen).
async function askCall(u, ticket) {
  state.confirming = ticket.id;
  let answer;
  try {
    answer = await api("POST", `/api/counters/${u.counter}/${u.action}`, u.payload, { timeout: ACTION_TIMEOUT_MS });
  } catch (err) {
    if (!err.status || err.status >= 502) askAgainSoon(u); // lost again: asked again on a timer
    else if (state.unanswered === u && calledThere(u, err)) {
      state.unanswered = null;
      calledElsewhere(u.action, ticket.label, wentAway(u)); // another page called it: not this press
    }
    return; // refused otherwise (the session, the counter taken): asked at the next change, as the history was
  } finally {
    state.confirming = null;
  }
  if (state.unanswered !== u) return; // another press meanwhile: its own answer says
  state.unanswered = null;
  took(u.action, answer.status, answer.body, null, u.cut); // its first answer: the page's events past it drew it
  const called = answer.body && answer.body.ticket;
  if (!called) return;
  const now = state.tickets.get(called.id) || called;
  const params = { label: now.label, n: now.calls, max: PAGE.max_calls };
  state.notice = { kind: "info", key: "live.reached_called", params, back: wentAway(u) }; // as the history said it
  renderNotice();
}

// A call (Panggil berikutnya, Panggil, Panggil ulang, Pengunjung datang) unanswered and not shown done, the page's
// connection up since: with nobody else acting no live change comes, and the page said "belum pasti tercatat" for as
// long. After a second (askAgainSoon) it asks the server for a fresh snapshot: read after the press failed, one that
// does not show the press done says it was not (nothing called: "“Panggil berikutnya” tidak sampai ke server …", to be
// pressed again), and one that shows it is asked of the ticket's history (confirmSeen). The press stays the one
// unanswered: an event of it coming after all is said done as before. After a drop, what the page says stands.
function unseen(u, timed) {
  if (u.unsent || wentAway(u) || !live.socket.connected) return;
  if (u.snapshots !== undefined) {
    if (!live.synced() || state.snapshots <= u.snapshots) return; // its snapshot not drawn yet
    u.unsent = true;
    clearTimeout(askAgain.timer);
    askAgain.timer = null;
    const held = state.tickets.get(u.id);
    const label = u.action === "recall" || u.action === "start" ? (held ? held.label : "") : u.payload.ticket || "";
    const what = [label ? "held.what" : "held.what_plain", { action: [ACTION_LABELS[u.action]], label }];
    state.notice = { kind: "warn", parts: [["live.unsent", { what }]] };
    renderNotice();
    return;
  }
  if (!timed) {
    if (!askAgain.timer || askAgain.press !== u) askAgainSoon(u);
    return;
  }
  if (!live.synced()) return askAgainSoon(u); // a snapshot on its way already: asked again after it
  u.snapshots = state.snapshots;
  live.resync();
}

// A button pressed from the keyboard is off while its action is on its way, and the browser then puts the cursor on
// the page's body: the next Enter did nothing, and the next Tab started again at the top bar. The cursor goes back
// to that button once it is on again (Panggil ulang, for the next call; Istirahat, now Lanjut), else to the row of the
// counter's buttons, where the next Tab finds the first one that is on, and Enter does nothing another button would
// (the third Enter of Panggil ulang was no Panggil berikutnya that skips the visitor). Unless it went somewhere
// meanwhile (the answer, once serving started); after Selesai, Eskalasi and Alihkan it stays off the form (N calls).
function keepFocus(button) {
  if (document.activeElement && document.activeElement !== document.body) return;
  if (["resolve", "escalate", "transfer"].includes(button.dataset.action)) return;
  if (button.isConnected && !button.disabled) button.focus();
  else document.querySelector(".current .actions").focus();
}

async function pickCounter(id) {
  const old = state.counterId;
  if (old === id) return;
  state.counterId = id;
  state.picked = true;
  localStorage.setItem(COUNTER_KEY, String(id));
  // the socket hears of this counter's draft now (a reconnect names it in its auth)
  if (live && live.socket.connected) live.socket.emit("counter", id);
  loadDone(); // that counter's last form copy, if this tab finished a ticket there today
  checkLastDone(); // else the server's: the last finished there today
  state.notice = null;
  renderNotice();
  render();
  // Free the counter left behind if this officer held it and it holds no ticket.
  const oldEntry = old !== null && state.counters.get(old);
  const oldHasTicket = [...state.tickets.values()].some((x) => x.counter_id === old && x.status !== "waiting");
  if (oldEntry && state.me && oldEntry.officer === state.me.username && !oldHasTicket) {
    try {
      const { body } = await api("POST", `/api/counters/${old}/release`, {});
      // the page's events past the answer (another officer taking that counter meanwhile) drew it as it is
      if (!(live && live.knows(body))) state.counters.set(old, { ...(state.counters.get(old) || oldEntry), officer: null });
    } catch (err) {
      // Releasing is a courtesy; the counter stays claimed until logout otherwise.
    }
  }
}

function onKey(ev) {
  // the dialogs' keys are their own (Koreksi catatan: Ctrl+Enter saves it, never Selesai)
  if (document.body.dataset.view !== "app" || $("leave-dialog").open || $("fix-dialog").open) return;
  if (ev.repeat && repeatsAnAction(ev)) {
    ev.preventDefault();
    return;
  }
  if (ev.key === "Escape" && !$("visits").hidden) {
    // the earlier visits over the outcome: closed, the cursor where it was (or on their count)
    ev.preventDefault();
    const inside = $("visits").contains(document.activeElement);
    openVisits(false);
    if (inside) $("visits-toggle").focus();
    return;
  }
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    act(document.activeElement === $("note") ? "escalate" : "resolve");
    return;
  }
  // Alt+P: the form copy, in every state and from a text field too. While a visitor is served P is a letter
  // of the answer, and the officer may need the last visitor's copy then (it did not print, or the visitor
  // came back for it). ev.code: macOS's Option+P is "π".
  if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.code === "KeyP" || ev.key.toLowerCase() === "p")) {
    ev.preventDefault();
    printFormCopy();
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target.tagName || "").toLowerCase();
  // Enter on a class's radio button would submit the form (Selesai): Selesai is Ctrl+Enter or its button only.
  if (ev.key === "Enter" && tag === "input" && $("outcome").contains(ev.target)) ev.preventDefault();
  // The counter's drop-down in the top bar takes no typing: a counter just chosen there (mouse or arrow keys) kept
  // the cursor in it, and N, which the hint then asks for, called nobody. Its letters are the page's, as on the body.
  // (Not its type-to-find either: an L typed there picked another counter.)
  // While the answer is typed ahead of its start (typingAhead), its space, Enter and Backspace too: a space opened the
  // drop-down, which took the rest of the answer and Ctrl+Enter (an L in it chose a counter), arrow keys another counter.
  const select = ev.target === $("counter-select");
  const ahead = typingAhead() && (/^( |Enter|Backspace|Home|End)$/.test(ev.key) || /^(Arrow|Page)/.test(ev.key));
  const bar = select && ((ev.key.length === 1 && ev.key !== " ") || ahead);
  const sent = finishOnItsWay() && $("outcome").contains(ev.target) && ev.key.length === 1; // its answer and note
  if ((["input", "textarea", "select"].includes(tag) && !bar && !sent) || ev.target.isContentEditable) {
    if (ev.key === "Escape") ev.target.blur();
    return;
  }
  if (typingAhead() && (ev.key.length === 1 || ev.key === "Enter" || ev.key === "Backspace" || select)) {
    // the answer's first letters (typeIntoAnswer); D pressed again before any is the same press, not a letter
    ev.preventDefault();
    if (ev.key === "Backspace") state.typedAhead = state.typedAhead.slice(0, -1);
    else if (ev.key === "Enter") state.typedAhead += "\n";
    else if (ev.key.length === 1 && (state.typedAhead || ev.key !== "d")) state.typedAhead += ev.key;
    return;
  }
  if ((finishQueued() || finishOnItsWay()) && ev.key.length === 1) {
    // after Ctrl+Enter on an answer typed ahead, or while the finish is on its way: N is the next call (act), any other
    // letter neither the answer nor a key
    ev.preventDefault();
    if (ev.key.toLowerCase() === "n") act("call-next");
    return;
  }
  const ticket = currentTicket();
  if (ticket && ticket.status === "serving") {
    // Serving: a letter is part of the answer, never a button. The cursor goes to the answer and the
    // key lands there (its default action follows the focus).
    if (ev.key.length === 1 && ev.key !== " ") $("solution").focus();
    return;
  }
  if (bar) ev.preventDefault();
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

// A key held down repeats its keydown (after half a second, then some 30 times a second): one press is one action. A
// held R spent the visitor's every call at once, a held I paused and resumed the counter, a held Enter on a focused
// button clicked it again and again. Letters typed into a field, and the keys that scroll, repeat as ever.
function repeatsAnAction(ev) {
  const tag = (ev.target.tagName || "").toLowerCase();
  const typing =
    (["input", "textarea", "select"].includes(tag) && ev.target !== $("counter-select")) || ev.target.isContentEditable;
  if (ev.key === "Enter") return ev.ctrlKey || ev.metaKey || !typing; // Ctrl+Enter: Selesai, Eskalasi
  if (ev.altKey) return ev.code === "KeyP" || ev.key.toLowerCase() === "p"; // Alt+P: the form copy
  return !typing && !ev.ctrlKey && !ev.metaKey && ev.key.length === 1 && ev.key !== " ";
}

// SOP step 12: the visitor's copy of the completed form, on this counter's printer: of the ticket last
// finished here, or (`earlier`) of an earlier ticket whose copy did not print.
async function printFormCopy(earlier = null) {
  const done = earlier && earlier.token ? earlier : state.lastDone;
  if (!done || state.busy || state.counterId === null) return;
  state.busy = true;
  state.changed = null;
  render();
  try {
    const { body } = await api("POST", `/api/tickets/${encodeURIComponent(done.token)}/print-form`, {
      counter_id: state.counterId,
      request_id: requestId(),
    });
    const raw = body && body.print_job;
    const job = typeof raw === "object" && raw ? raw.id : raw ?? null;
    const again = Boolean(body && body.again); // its copy still waits for the printer: tried again, not a second one
    const told = job !== null ? state.formEvents.get(job) : null; // the printer may have answered first
    const last = !earlier && state.lastDone && state.lastDone.id === done.id;
    const listed = earlier ? state.earlier.find((x) => x.id === done.id) : null;
    if (told && told.type === "printed") {
      if (last) state.formCopy = { job, label: done.label, failed: null, printed: true };
      if (listed) state.earlier = state.earlier.filter((x) => x !== listed);
      saveDone();
      notify("info", "copy.printed", { label: done.label });
      return;
    }
    if (last) {
      const before = state.formCopy;
      const same = again && before && before.job === job;
      if (same && before.printed) {
        // its printer printed it while this answer was on its way, and the print jobs' list told this page before
        // the printed event did (a return from another staff page): not "still waiting" after "printed"
        saveDone();
        notify("info", "copy.printed", { label: done.label });
        return;
      }
      state.formCopy = { job, label: done.label, failed: same ? before.failed : null };
    }
    if (listed) {
      if (!(again && listed.job === job)) listed.failed = null; // a new copy: listed again if it fails too
      listed.job = job;
    }
    saveDone();
    notify("info", again ? "done.form_copy_again" : "done.form_copy", { label: done.label, job: job ?? "?" });
    if (told && (last || listed)) onPrintEvent(told); // failed before this answer came: the red line, not "sent"
  } catch (err) {
    if (err.status === 401) return sessionEnded("print-form");
    if (err.body.error === "no_printer") {
      // which setting is missing, and the A4 form beside the button, which prints from the browser
      return notify("error", "copy.no_printer", { label: done.label, counter: counterName(state.counterId) });
    }
    notify("error", "fail.form_copy", { label: done.label, text: err.message });
  } finally {
    state.busy = false;
    render();
    reloadIfIdle(); // an admin's change came meanwhile
    runQueued(null); // D (or N) pressed while the copy was on its way
  }
}

// ---- Koreksi catatan: the record of the ticket last finished here, corrected ------------------------------------
// The form is the recap page's too (fixform.js, _fix_dialog.html): here it is opened for the ticket the counter
// finished last (read from today's list, as the server has it now); a save also says the copy in the visitor's hand
// has the old text (Cetak ulang), and a colleague's correction of that record is heard live.
// The record as the server has it now: today's list (the counter's last ticket is of today).
async function readRecord(id) {
  const { body } = await api("GET", "/api/tickets");
  const ticket = ((body && body.tickets) || []).find((x) => x.id === id);
  if (!ticket) throw new Error("?");
  return ticket;
}

// a save answered 401: the correction typed (`kept`) kept over the login, given back after it (restoreFix)
const fixer = fixForm({ read: readRecord, saved: fixSaved, sessionEnded: (kept) => sessionEnded(null, kept) });

async function openFix() {
  const done = state.lastDone;
  if (!done || fixer.busy()) return;
  notify("info", "fix.loading", { label: done.label });
  try {
    await fixer.open(done.id, $("btn-fix"));
  } catch (err) {
    if (err.status === 401) return sessionEnded();
    return notify("error", "fix.load_failed", { label: done.label, text: err.message || "?" });
  }
  if (state.notice && state.notice.key === "fix.loading") {
    state.notice = null;
    renderNotice();
  }
}

// The record of the visitor's copy corrected: a copy known printed has the old text, said with Cetak ulang. Whether
// it printed is the print jobs' list's to say (a copy printed at its first try has no event: checkFormCopy). One
// still waiting for the printer (queued, or failed and tried again) is said nothing of: its slip is read from the
// record when it goes to the printer (server/printing.py PrintWorker.prepare; an agent's, when pushed to it), so it
// prints the corrected text. One read already (coming out, or held by a print agent) has the old text: its printed
// event says so (`outdated`, onPrintEvent), and the same line comes then.
async function copyOutdated(copy) {
  if (!copy || copy.job === null || copy.job === undefined || copy.failed) return;
  // not among the list's latest jobs (50, the kiosk's tickets too): done with long ago, printed
  const jobs = copy.printed ? null : await checkFormCopy();
  const gone = Boolean(jobs) && !jobs.has(copy.job);
  if (state.formCopy !== copy || !(copy.printed || gone) || copy.failed) return;
  copy.outdated = true;
  saveDone();
  renderFormCopy();
}

function fixSaved(target, body, changes) {
  const copy = state.lastDone && state.lastDone.id === target.id ? state.formCopy : null;
  copyOutdated(copy);
  if (body && body.ticket) applyTicket(body.ticket);
  state.notice = { kind: "info", key: "fix.done", params: { label: target.label }, fixed: changes };
  renderNotice();
  render();
}

// A `corrected` event: a correction of the record this counter finished last, made elsewhere (a colleague, the
// officer's other tab), is said; the copy in the visitor's hand then has the old text too; the form open for it says
// so above the text typed (kept), and its Simpan is refused once, naming who (the base is the record shown).
function onCorrected(ev) {
  const heard = fixer.heard(ev, state.me && state.me.username);
  if (!heard) return;
  const done = state.lastDone;
  if (!done || done.id !== ev.ticket.id) return;
  copyOutdated(state.formCopy);
  state.notice = { kind: "warn", key: "fix.elsewhere", params: { label: done.label, actor: heard.actor }, fixed: heard.changes };
  renderNotice();
  renderFormCopy();
}

$("btn-fix").addEventListener("click", openFix);
$("fix-reprint-btn").addEventListener("click", (ev) => doubled(ev) || printFormCopy());

// ---- a session that ended under the page ---------------------------------------------------
// An action answered 401 (a logout elsewhere, a new password, a disabled account, the day's end), or the
// live socket found the session gone: what was typed is kept (the draft, with its kind and class), and
// the login says that the action was not saved, and why the session ended (GET /api/me's `ended`, asked once
// before the reload: common.js whyEnded, the front office's page alike); after it, the page says so again. A
// correction of the record finished last (Koreksi catatan, `fix`: fixform's {ticket, base, values}) is kept too, and
// its form opens again on it after the login (restoreFix), as the recap page's does (recap_fix.js): the one its
// Simpan met the 401 with, or, when the session ended another way with the form open (the live socket finding it gone
// after a logout on another PC, about 2 s after it), the one typed in it then (fixform's `typed`).
let ending = false;

async function sessionEnded(action = null, kept = null) {
  if (ending) return; // the socket and an action's answer at once: asked once
  ending = true;
  saveDraft();
  const typed = state.shownTicketId !== null && loadDraft(state.shownTicketId) !== null;
  const username = state.me ? state.me.username : "";
  const reason = await whyEnded(); // null too when signed in after all (a 401 of another cause): the page starts again
  const fix = kept || fixer.typed(); // read after the question: what was typed meanwhile too
  if (fix) sessionStorage.setItem(FIX_KEY, JSON.stringify({ ...fix, username }));
  // `fix`: "counter", this page's correction (the recap's says true)
  sessionStorage.setItem(ENDED_KEY, JSON.stringify({ action, typed, fix: fix ? "counter" : false, username, reason }));
  location.reload();
}

// After the login: the correction kept over it given back in its form, for the officer who typed it (another officer
// signing in at this PC does not see it), the cursor going back to Koreksi catatan after it.
function restoreFix(user) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(FIX_KEY) || "null");
  } catch (err) {
    kept = null;
  }
  sessionStorage.removeItem(FIX_KEY);
  if (!kept || !kept.ticket || (kept.username && kept.username !== user.username)) return;
  fixer.restore(kept, t("fix.kept_after_login", { label: kept.ticket.label }), $("btn-fix"));
}
window.antrianSessionEnded = () => sessionEnded(null); // common.js, when the live socket finds the session gone

function endedAction() {
  try {
    const ended = JSON.parse(sessionStorage.getItem(ENDED_KEY) || "null");
    if (!ended) return null;
    const name = ended.action && ACTION_LABELS[ended.action] ? t(ACTION_LABELS[ended.action]) : "";
    const reason = endedReason(ended.reason);
    const username = typeof ended.username === "string" ? ended.username : "";
    // `fix`: a correction typed on the recap page (recap_fix.js), kept for after the login there; "counter", on this
    // page (sessionEnded)
    const fix = ended.fix === "counter" ? "counter" : ended.fix ? "recap" : null;
    return { name, typed: Boolean(ended.typed), fix, username, reason };
  } catch (err) {
    return null;
  }
}

function showLoginAfterEnd() {
  const ended = endedAction();
  // the login of another staff page (?next=: the recap), which it goes back to: said here once, not again at the
  // counter page's next start in this tab
  if (ended && PAGE.next) sessionStorage.removeItem(ENDED_KEY);
  if (ended) {
    // why it ended, in the officer's words, when the server said (else the words of before); said again in the
    // other language at the switch (endedAction names the button in the language of the moment)
    sayAtLogin(() => {
      const now = endedAction() || ended;
      const fix = now.fix ? ` ${t(now.fix === "counter" ? "ended.kept_fix_here" : "ended.kept_fix")}` : "";
      const kept = (now.typed ? ` ${t("ended.kept")}` : "") + fix;
      const said = now.reason
        ? [t(`ended.why.${now.reason}`), now.name ? t("ended.unsaved", { action: now.name }) : "", t("ended.again")]
            .filter(Boolean)
            .join(" ")
        : t(now.name ? "ended.login" : "ended.login_plain", { action: now.name });
      return said + kept;
    });
  }
  showLogin(start);
  // The officer whose session ended under the page types the password only: the name was asked again, the cursor
  // in it, while the page knew it (another officer at this PC changes it).
  const form = $("login-form");
  if (ended && ended.username && !form.username.value) {
    form.username.value = ended.username;
    form.password.focus();
  }
}

// ---- Keluar ---------------------------------------------------------------------------------
// The tickets at the counters this officer holds: at logout a called one goes back to the line at its place
// (its visitor is not here yet), a served one stays at its counter for the next officer there.
function heldTickets() {
  if (!state.me || state.me.role !== "officer") return []; // an admin holds no counter: logout changes nothing
  const mine = (id) => (state.counters.get(id) || {}).officer === state.me.username;
  return [...state.tickets.values()]
    .filter((x) => (x.status === "called" || x.status === "serving") && x.counter_id !== null && mine(x.counter_id))
    .sort((a, b) => (a.counter_id === state.counterId ? 0 : 1) - (b.counter_id === state.counterId ? 0 : 1));
}

// Keluar while holding a ticket asks first, saying what becomes of it; Esc or Batal keeps the session.
function askLogout() {
  const tickets = heldTickets();
  if (!tickets.length) return leave();
  $("leave-text").replaceChildren(
    ...tickets.map((x) => {
      const params = { label: x.label, counter: counterName(x.counter_id) };
      return el("p", {}, t(x.status === "serving" ? "leave.serving" : "leave.called", params));
    }),
  );
  $("leave-confirm").disabled = false;
  $("leave-dialog").showModal();
  $("leave-cancel").focus();
}

$("leave-confirm").addEventListener("click", () => {
  $("leave-confirm").disabled = true;
  leave();
});

// What was typed in the two seconds before Keluar goes to the server first (its pause had not come yet): sent after
// the logout, as the page went, it was refused (the session gone), and the next PC's page restored the draft without
// its last words, while this one, logged in again, showed its own older save as another text. Waited for a few
// seconds at most: a server that does not answer does not keep the officer in.
async function leave() {
  const saved = sendServerDraft(false).catch(() => {});
  await Promise.race([saved, new Promise((done) => setTimeout(done, LEAVE_SAVE_MS))]);
  return logout();
}
$("leave-cancel").addEventListener("click", () => $("leave-dialog").close());

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
  showUser(user);
  // The counter the server says this officer holds comes first (a closed browser, a new laptop).
  const held = (user.held_counters || []).map(Number).find((id) => counterConfig(id));
  const saved = Number(localStorage.getItem(COUNTER_KEY));
  state.counterId = user.counter_id || held || (counterConfig(saved) ? saved : null);
  if (state.counterId === null && PAGE.counters.length === 1) state.counterId = PAGE.counters[0].id;
  // The first snapshot says if it was freed: since this browser last had it, or (held) since /api/me answered, before
  // the socket was in (the release's event is not the page's then).
  if (state.counterId !== null) state.reopened = state.counterId;
  if (held && state.counterId === held && saved !== held) {
    // A new browser, or the page of another counter: say why this one is open.
    localStorage.setItem(COUNTER_KEY, String(held));
    notify("info", "counter.restored", { counter: counterName(held) });
  }
  try {
    state.kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) || "null");
  } catch (err) {
    state.kept = null;
  }
  loadDone();
  const ended = endedAction();
  sessionStorage.removeItem(ENDED_KEY);
  if (ended && ended.name) notify("warn", "ended.back", { action: ended.name });
  try {
    const carry = JSON.parse(sessionStorage.getItem(CARRY_KEY) || "null");
    if (carry && carry.notice) {
      state.notice = carry.notice;
      renderNotice();
    }
  } catch (err) {
    /* nothing carried */
  }
  sessionStorage.removeItem(CARRY_KEY);
  render();
  // No counter yet ("Pilih loket Anda."): the cursor on the drop-down, so that the arrow keys choose one and N calls
  // there; it was nine Tabs away, past every page of the bar.
  const at = document.activeElement; // the login form's, hidden now, when the officer has just signed in
  const lost = !at || at === document.body || at.closest("#login-form");
  if (state.counterId === null && lost) $("counter-select").focus();
  live = connectLive("counter", { onSnapshot, onEvent, onStatus });
  live.socket.on("draft", onDraftSaved); // the counter's draft saved (by any page of it): its version, no text
  live.socket.on("disk", onDisk); // the server's look every 30 s while there is something to say: no seq
  live.socket.on("printers", onPrinters); // a printer's paper nearly out, or a new roll in (no seq: not a change)
  live.socket.on("connect_error", () => {
    state.offline = true; // the first connection, or a reconnection, that did not get through
    renderOffline();
  });
  // for tests and the browser console (as window.antrianFront); `kept`: what the page holds of tickets that left
  window.antrianCounter = {
    live,
    kept: () => ({ left: state.left.size, gone: state.gone.size, max: LEFT_KEPT }),
    copyChecks: () => copyChecks,
    // how many tickets the draft's saves keep something of (serverDraft's maps and sets): a few, never a day's
    drafts: () => Object.fromEntries(Object.entries(serverDraft).filter(([, v]) => v instanceof Map || v instanceof Set)
                                       .map(([k, v]) => [k, v.size])),
  };
  restoreFix(user);
}

// A double click is one press (its second click's `detail` counts 2): a second Panggil ulang was one more call of the
// visitor, a second Istirahat the Lanjut that ended the break; Selesai's second click does not send the form again.
for (const b of buttons()) {
  b.addEventListener("click", (ev) => {
    if (doubled(ev)) return ev.preventDefault();
    act(b.dataset.action, {}, { keys: ev.detail === 0 }); // 0: Enter or Space on the focused button
  });
}
$("outcome").addEventListener("submit", (ev) => {
  ev.preventDefault();
  act("resolve");
});
$("transfer-service").addEventListener("change", render);
$("btn-print-form").addEventListener("click", (ev) => doubled(ev) || printFormCopy());
$("outcome").addEventListener("input", saveDraft);
$("outcome").addEventListener("input", scheduleServerDraft);
$("outcome").addEventListener("input", renderDraftState); // typed: "Belum tersimpan" until its save is answered
// hidden (another tab, the laptop's lid) or closed: what was typed goes to the server now, not after the pause
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") sendServerDraft(true);
  else {
    serverDraft.asked.clear();
    askServerDraft();
  }
});
window.addEventListener("pagehide", () => sendServerDraft(true));
$("kept-copy").addEventListener("click", copyKept);
$("kept-dismiss").addEventListener("click", dismissKept);
// a toggle's double click opens it (its second click closed it again: nothing seemed to happen)
$("kept-open").addEventListener("click", (ev) => doubled(ev) || toggleKept());
$("visits-toggle").addEventListener("click", (ev) => doubled(ev) || openVisits($("visits").hidden));
$("visits-close").addEventListener("click", () => {
  openVisits(false);
  $("visits-toggle").focus();
});
$("outcome").addEventListener("input", (ev) => {
  // Typing into a field the server refused clears its message (and the refusal, once none is left).
  const p = document.querySelector(`.field-error[data-field="${ev.target.name}"]`);
  if (p) p.textContent = "";
  if (ev.target.name === "priority_class") state.classGone = null; // another class chosen
  const left = [...document.querySelectorAll(".field-error")].some((x) => x.textContent);
  if (!left && state.notice && state.notice.kind === "error" && state.notice.fields) {
    state.notice = null;
    renderNotice();
  }
});
// The answer's length, said beside Selesai from 90 % of its limit, and the escalation analysis's under it and
// Eskalasi (common.js lengthCount, as the escalation page's LKPP answer): each box takes no more than maxlength
// (4,000, the server's), so at the limit the letters typed and the end of a longer paste went nowhere, unsaid.
const counted = {
  solution: lengthCount($("solution"), $("solution-count")),
  note: lengthCount($("note"), $("note-count")),
};
function renderCounts() {
  for (const count of Object.values(counted)) count.render();
}
$("counter-select").addEventListener("change", (ev) => pickCounter(Number(ev.target.value)));
$("logout").addEventListener("click", askLogout);
document.addEventListener("keydown", onKey);
window.addEventListener("resize", fitDetails);
$("f-problem").addEventListener("scroll", fitProblem, { passive: true });
$("problem-more").addEventListener("click", () => {
  // the next lines, the last one shown kept on top for the eye to follow
  const dd = $("f-problem");
  const line = parseFloat(getComputedStyle(dd).lineHeight) || 21;
  dd.scrollTop += Math.max(line, dd.clientHeight - line);
  fitProblem(); // now, not at the scroll event's frame
  if ($("problem-more").hidden) dd.focus({ preventScroll: true }); // gone: the focus on the text, not the page's start
});
setInterval(renderTimer, 1000);
setInterval(renderDraftState, 1000); // the retry's count of seconds
setupLangToggle(() => {
  render();
  renderClassGone();
  renderNotice();
  renderClockAlert();
  fixer.render();
});

whoAmI().then((user) => (user ? start(user) : showLoginAfterEnd()));
