// Open escalations to the LKPP helpdesk (SOP step 11): their age against the priority class's
// target time, the e-mail's state, the text to copy into the LKPP's TTS or a mail, the LKPP ticket
// number and, once LKPP answers, the answer that closes the case; a close made by mistake is undone from the
// notice right after it (Batalkan), or later from the cases closed lately (Buka lagi). The list is GET /api/escalations,
// fetched again whenever a live event says it changed. Times are the office's ([office] timezone,
// common.js TIMEZONE), whatever zone the browser is set to.
import {
  TIMEZONE, api, dayName, el, foldedDetail, getLang, hhmm, lengthCount, officeNow, requestId, say, t, zoneName,
} from "./common.js";
import { formatAge, keepRows, knows, oneAtATime, pageNotice, redraw, startListPage } from "./livelist.js";

export { formatAge }; // tests/test_escalations_page.py reads it from this page's module

// Events after which the list may have changed: fetch it again.
const REFRESH_ON = [
  "escalated",
  "closed",
  "reopened",
  "lkpp_ticket",
  "mail_sent",
  "mail_failed",
  "mail_requeued",
  "correction_sent",
  "corrected",
  "form_corrected",
];
// A `closed` event (the staff feed's: who, when, the case with its LKPP number) is kept for the case's card, by id,
// while the page lists the case: the words of a card kept after a colleague's close (keepClosedElsewhere).
const closings = new Map();
function refreshOn(ev) {
  const x = ev.ticket;
  if (ev.type === "closed" && x && state.cases.has(x.id)) {
    closings.set(x.id, { actor: ev.actor, at: ev.at, lkpp: x.lkpp_ticket || "" });
    const entry = state.cases.get(x.id);
    if (entry.closedElsewhere) sayClosed(entry); // kept before the event came (a read answered first)
  }
  return REFRESH_ON.includes(ev.type);
}
const ROLES = ["officer", "frontoffice", "admin"];
const ACTORS = ["officer", "admin"]; // the server takes LKPP numbers and answers from these
// A close made by mistake is undone from the notice (Batalkan) this long after it; later, from "Baru ditutup".
const UNDO_MS = 2 * 60 * 1000;
const UNDO_KEY = "antrian.escalations.undo"; // the close this tab offers to undo, kept over a reload (sessionStorage)
// What is typed in each case's card (LKPP's number, its answer), kept over a reload of this tab (sessionStorage): F5,
// and the reload a 401 makes (the session ended overnight: Catat jawaban pressed, the login came, the answer was gone)
const TYPED_KEY = "antrian.escalations.typed";
// "Nomor tiket … dicatat." under the number field is news this long (the number stays at the card's top); it goes
// sooner at the card's next action (a copy, Kirim ulang, typing), or when the card's number is no longer that one.
const DONE_MS = 60 * 1000;

const state = {
  me: null,
  cases: new Map(), // ticket id -> {data, at (performance.now() of the fetch), card}
  loaded: false,
  recent: [], // the cases closed lately (GET /api/escalations `closed`), newest first
  recentDays: 7,
  undo: null, // {id, label, day, timer}: the close the notice's Batalkan undoes
};
const $ = (id) => document.getElementById(id);

// ---- formatting -----------------------------------------------------------------------------
function locale() {
  return getLang() === "en" ? "en-GB" : "id-ID";
}

// A local day (YYYY-MM-DD) as people read it: common.js dayName ("Sabtu, 28 November 2026").
export { dayName };

// An instant as the office's clock shows it: "Sab, 28 Nov 2026 10.05 WIB".
export function dateTime(iso) {
  if (!iso) return "";
  const day = new Date(iso).toLocaleDateString(locale(), {
    weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: TIMEZONE,
  });
  return `${day} ${timeOf(iso)}`;
}

// "Sabtu, 28 November 2026 10.05 WIB": the office's date and time of an instant.
export function dateLong(iso) {
  const day = new Date(iso).toLocaleDateString(locale(), {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: TIMEZONE,
  });
  return `${day} ${timeOf(iso)}`;
}

export function timeOf(iso) {
  return iso ? `${hhmm(iso)} ${zoneName()}` : "";
}

// A server's words ({id, en}) in the page's language.
function words(said) {
  return said ? said[getLang()] || said.id || "" : "";
}

// The e-mail's state and what to do. `lkpp` is the LKPP ticket number recorded (TTS / LPSE Support):
// once there is one, the case reached LKPP by hand, and nobody is told to forward it again.
function mailState(mail, lkpp) {
  if (!mail) {
    // escalated while e-mail was off (it may be on now): by hand, for good
    return lkpp ? ["forwarded", t("mail.off_forwarded", { number: lkpp })] : ["off", t("mail.off")];
  }
  const error = mail.error || "?";
  if (mail.status === "sent") {
    // the analysis, kind, class or the visitor's form corrected after it went: LKPP has the text from before
    if (mail.corrected_at) {
      const said = { when: dateTime(mail.sent_at), corrected: dateTime(mail.corrected_at) };
      return ["corrected", t("mail.sent_corrected", said)];
    }
    // that correction sent to LKPP by hand, as an officer said (Koreksi sudah dikirim): who and when, from the log
    const c = mail.correction_sent;
    if (c) {
      const said = { when: dateTime(mail.sent_at), corrected: dateTime(c.corrected_at), name: c.by_name || c.by || "?",
                     at: dateTime(c.at) };
      return ["sent", t("mail.correction_sent", said)];
    }
    return ["sent", t("mail.sent", { when: dateTime(mail.sent_at) })];
  }
  // not sent once the case reached LKPP by hand (its number recorded): LKPP would have had it twice
  if (mail.status === "withdrawn") return ["forwarded", t("mail.withdrawn", { number: lkpp || "?" })];
  // What is wrong in a few words, then what the officer or the front office do now (the server's advice: `problem`,
  // `todo`), two short lines; the admin's part (config.toml's keys, a restart or Kirim ulang) and the mail server's raw
  // message (English, SMTP codes: "(550, b'5.1.1 …')") folded behind "rincian untuk admin" (foldedDetail). The
  // whole advice was one paragraph of ~600 characters, config keys first, and the raw message was in brackets in
  // it, bold and red: the officer or the front office, who read neither, took it for what to do.
  const advice = mail.advice || null;
  const said = advice ? words(advice.problem) || words(advice) : error;
  const raw = advice ? error : "";
  const admin = advice ? words(advice.admin) : "";
  const todo = advice ? words(advice.todo) : "";
  if (mail.status === "retrying") {
    return ["retrying", t("mail.retrying", { n: mail.attempts, error: said }), raw, todo, admin];
  }
  if (mail.status === "failed") {
    // "after 1 attempt": an error that trying again cannot mend fails at once (server/outbox.py `final`)
    const one = mail.attempts === 1 ? ".one" : "";
    if (lkpp) {
      // reached LKPP by hand: nothing to do, nothing to mend for this case
      return ["forwarded", t(`mail.failed_forwarded${one}`, { n: mail.attempts, error: said, number: lkpp }), raw];
    }
    return ["failed", t(`mail.failed${one}`, { n: mail.attempts, error: said }), raw, todo, admin];
  }
  return ["queued", t("mail.queued")];
}

// A failed mail's raw message behind a small "rincian untuk admin", as the front office's alerts have it (common.js
// foldedDetail): opened, under the advice, for the admin (who also finds it in the server's log and in GET
// /api/escalations' `mail.error`); it stays open while its card is redrawn (`id`: its case's).
const openDetails = new Set();

function ageOf(entry) {
  if (entry.closedAge !== undefined) return entry.closedAge; // closed: its age stopped then
  return entry.data.age_s + (performance.now() - entry.at) / 1000;
}

// The case's target: its class's, or without one the longest of the table (the server's target_minutes).
function targetOf(entry) {
  const minutes = entry.data.target_minutes;
  return minutes ? minutes * 60 : null;
}

// The age and, against the priority class's target time, whether the case is overdue (live: the
// flag turns on while the page is open, without a refetch).
function renderAge(entry) {
  const card = entry.card;
  const age = ageOf(entry);
  const target = targetOf(entry);
  const overdue = !entry.closedNote && target !== null && age > target; // a closed case is overdue no more
  card.dataset.overdue = String(overdue);
  const ageEl = card.querySelector(".age");
  if (ageEl) ageEl.textContent = formatAge(age);
  const flag = card.querySelector(".overdue");
  if (flag) flag.hidden = !overdue;
  renderNext(entry, overdue);
}

// ---- what to do next ------------------------------------------------------------------------
// The case's next step, by its state: forward it to LKPP (e-mail off or failed), wait for the mail or LKPP's ticket
// number, wait for LKPP's answer; once past its target, chase LKPP (citing its ticket number when there is one) and
// phone the visitor that the case is still in hand. An overdue case with its LKPP number said nothing of what to do.
export function nextStep(x, mailKind, overdue, closed) {
  if (closed) return ["closed", "next.closed", {}];
  const phone = ((x.form && x.form.phone) || "").trim();
  const visitor = phone ? t("next.visitor_phone", { phone }) : t("next.visitor_no_phone");
  const number = x.lkpp_ticket || "";
  if (number) return overdue ? ["follow_up", "next.follow_up", { number, visitor }] : ["wait_answer", "next.wait_answer", { number }];
  // Past its target without reaching LKPP (the mail off, failed, or still not sent after a day): forward it now, and
  // tell the visitor; "Tunggu e-mail eskalasi terkirim" went on for days, in red, naming no visitor to tell.
  const unsent = ["failed", "off", "queued", "retrying"].includes(mailKind);
  if (unsent && overdue) return ["forward_late", "next.forward_late", { visitor }];
  if (mailKind === "failed" || mailKind === "off") return ["forward", "next.forward", {}];
  if (mailKind === "corrected") {
    return overdue ? ["correction_late", "next.correction_late", { visitor }] : ["correction", "next.correction", {}];
  }
  if (mailKind === "queued" || mailKind === "retrying") return ["wait_mail", "next.wait_mail", {}];
  return overdue ? ["chase_number", "next.chase_number", { visitor }] : ["wait_number", "next.wait_number", {}];
}

function renderNext(entry, overdue) {
  const dd = entry.card.querySelector("dd.next");
  if (!dd) return;
  const closed = Boolean(entry.closedNote);
  const [step, key, params] = nextStep(entry.data, entry.card.dataset.mail, overdue, closed);
  const text = t(key, params);
  if (dd.dataset.step !== step) dd.dataset.step = step;
  dd.dataset.urgent = String(overdue && !closed);
  if (dd.textContent !== text) dd.textContent = text;
}

// ---- long texts ------------------------------------------------------------------------------
// The answer's box grows with what is typed or pasted, up to its CSS max-height (45% of the window), and the
// problem and the officer's analysis show up to ~7 lines: past that they scroll, and a cue under the box says there
// is more (below, until the text is scrolled to its end; the answer's while it is longer than its box). A long answer pasted read as 2–3 lines with the rest hidden, and
// a long analysis as 3 lines with nothing to say it went on.
export function fitBox(box, cue) {
  if (!box || !box.isConnected) return;
  if (box.tagName === "TEXTAREA") {
    box.style.height = "auto";
    const cap = parseFloat(getComputedStyle(box).maxHeight);
    const border = box.offsetHeight - box.clientHeight;
    const want = box.scrollHeight + border;
    box.style.height = `${cap > 0 && want > cap ? cap : want}px`;
  }
  // the answer's box, its caret often at the end of what was pasted, says it holds more than shows wherever it is
  // scrolled to; the texts above, while there is more below
  const hidden = box.scrollHeight - box.clientHeight;
  const more = box.tagName === "TEXTAREA" ? hidden > 2 : hidden - box.scrollTop > 2;
  box.dataset.more = String(more);
  if (cue) {
    cue.hidden = !more;
    cue.textContent = more ? t(box.tagName === "TEXTAREA" ? "more.typed" : "more.text") : "";
  }
}

function watchBox(box, cue) {
  box.addEventListener("scroll", () => fitBox(box, cue), { passive: true });
  if (box.tagName === "TEXTAREA") box.addEventListener("input", () => fitBox(box, cue));
}

// The problem's and the analysis' boxes of a card, and its answer's: fitted to what they hold and the width now.
function fitCard(card) {
  for (const box of card.querySelectorAll("dd.problem, dd.note")) fitBox(box, box.nextElementSibling);
  const answer = card.querySelector("textarea[name=answer]");
  if (answer) fitBox(answer, answer.form.querySelector(".more-cue"));
}

function priorityBadge(x) {
  const p = x.priority_class;
  if (!p) {
    // no class: the longest target of the table (the server's target_minutes), said as the default one
    const target = x.target_minutes ? ` · ${t("case.target_default", { time: formatAge(x.target_minutes * 60) })}` : "";
    return el("span", { class: "prio none" }, t("case.priority_none") + target);
  }
  const target = p.target_minutes ? ` · ${t("case.target", { time: formatAge(p.target_minutes * 60) })}` : "";
  const name = p.name ? ` ${p.name}` : ` (${t("case.removed")})`;
  return el("span", { class: "prio", title: t("case.priority"), dataset: { code: p.code } }, `${p.code}${name}${target}`);
}

// ---- one case -------------------------------------------------------------------------------
function renderInfo(entry) {
  const x = entry.data;
  const form = x.form || {};
  const [mailKind, mailText, mailRaw, mailTodo, mailAdmin] = mailState(x.mail, x.lkpp_ticket);
  const card = entry.card;
  card.dataset.label = x.label;
  card.dataset.mail = mailKind;
  // the facts drawn anew only when they changed (livelist.js redraw): a phone number or a problem being selected to
  // copy stays selected over a live event that changed nothing of the case (its age: renderAge, in place)
  redraw(card.querySelector(".top"), [
    el("span", { class: "label" }, x.label),
    el("span", { class: "when" }, `${t("case.escalated")} ${x.escalated_at ? dateLong(x.escalated_at) : dayName(x.day)}`),
    x.officer ? el("span", { class: "muted by" }, t("case.by", { name: x.officer_name || x.officer })) : null,
    priorityBadge(x),
    el(
      "span",
      { class: "age-box" },
      `${t("case.age")}: `,
      el("span", { class: "age" }),
      " ",
      el("span", { class: "overdue", hidden: true }, t("case.overdue")),
    ),
    x.lkpp_ticket
      ? el("span", { class: "lkpp" }, t("case.lkpp", { number: x.lkpp_ticket }))
      : el("span", { class: "lkpp none" }, t("case.lkpp_none")),
  ]);
  // where the officer scrolled the problem and the analysis to stays over a redraw (a live event, a language switch)
  const scrolled = [...card.querySelectorAll("dd.problem, dd.note")].map((d) => d.scrollTop);
  const cue = () => el("dd", { class: "more-cue", hidden: true, "aria-hidden": "true" });
  const drawn = redraw(card.querySelector("dl"), [
    el("dt", {}, t("case.visitor")),
    el("dd", { class: "who" }, form.name || "—", form.agency ? ` — ${form.agency}` : ""),
    el("dt", {}, t("case.phone")),
    el("dd", { class: "phone" }, form.phone ? el("a", { href: `tel:${form.phone.replace(/[^0-9+]/g, "")}` }, form.phone) : "—"),
    el("dt", {}, t("case.problem")),
    el("dd", { class: "problem", tabindex: "0" }, form.problem || "—"),
    cue(),
    el("dt", {}, t("case.note")),
    el("dd", { class: "note", tabindex: "0" }, x.note || "—"),
    cue(),
    el("dt", {}, t("case.mail")),
    el("dd", { class: "mail", dataset: { state: mailKind } }, el("span", { class: "mail-said" }, mailText),
       mailTodo ? el("span", { class: "mail-todo" }, mailTodo) : null,
       foldedDetail(mailRaw, x.id, openDetails, "mail", null, mailAdmin)),
    el("dt", {}, t("case.next")),
    el("dd", { class: "next", role: "status" }),
  ]);
  if (drawn) {
    card.querySelectorAll("dd.problem, dd.note").forEach((d, i) => {
      watchBox(d, d.nextElementSibling);
      if (scrolled[i]) d.scrollTop = scrolled[i];
    });
  }
  renderAge(entry);
  renderResend(entry, mailKind);
  renderCorrection(entry, mailKind);
  if (entry.done && entry.done.number !== (x.lkpp_ticket || "")) clearDone(entry); // replaced (or a colleague's) since
  if (entry.closedNote) closedParts(entry); // a card kept closed: redrawn (a language switch) as closed
  fitCard(card);
  const area = card.querySelector("textarea.copy-text");
  if (area && !area.hidden && area.value !== (x.copy_text || "")) area.value = x.copy_text || ""; // corrected meanwhile
}

// "Kirim ulang" beside a failed mail's advice (failed: given up, or refused for good; no LKPP number): the mail
// server's side was mended (the office's address allowed on the relay, LKPP's mailbox made), so it is queued
// again now, without a restart (POST /api/escalations/<id>/resend). Below the button, what became of it, from
// the list as the live events have it read again: queued, then sent, or failed again (its advice above says why).
// `entry.resent`: the mail's attempts when it was queued again; a list read before that (attempts no more) is
// older than the answer, and the mail is still said as queued. A refusal's words (`entry.refused`: sent, being
// sent meanwhile, by a colleague's press) stay until the mail changes from what the list read after it says.
function renderResend(entry, mailKind) {
  const box = entry.card.querySelector(".resend");
  const button = box.querySelector("button.resend-mail");
  const status = box.querySelector(".resend-status");
  const mail = entry.data.mail;
  const resent = entry.resent;
  let key = "";
  let failed = mailKind === "failed";
  if (resent && mail && mail.id === resent.mail && mailKind !== "forwarded") {
    const tried = (mail.attempts || 0) > resent.attempts;
    if (mail.status === "sent") key = "resend.sent";
    else if (!tried) {
      key = "resend.queued";
      failed = false; // the list read before the answer: queued all the same
    } else key = mail.status === "failed" ? "resend.failed" : mail.status === "retrying" ? "resend.retrying" : "resend.queued";
    status.dataset.state = key.slice("resend.".length);
    say(status, key, { label: entry.data.label });
  } else if (resent) {
    entry.resent = undefined; // forwarded by hand, or another mail: nothing more to say of this one
  }
  const refused = entry.refused;
  if (refused) {
    const now = mail ? `${mail.id}/${mail.status}/${mail.attempts}` : "";
    if (refused.mark === undefined) refused.mark = now;
    else if (refused.mark !== now) entry.refused = undefined;
  }
  if (!entry.resent && !entry.refused) {
    say(status, "");
    delete status.dataset.state;
  }
  button.hidden = !failed;
  button.setAttribute("aria-label", t("resend.label", { label: entry.data.label }));
  box.hidden = button.hidden && !status.textContent;
}

async function resendMail(entry) {
  const card = entry.card;
  const button = card.querySelector("button.resend-mail");
  const status = card.querySelector(".resend-status");
  if (button.disabled) return;
  button.disabled = true;
  clearDone(entry);
  entry.resent = undefined; // what a press before it became of is said no more: this one's answer is
  entry.refused = undefined;
  delete status.dataset.state;
  say(status, "");
  try {
    const { body } = await api("POST", `/api/escalations/${entry.data.id}/resend`, { request_id: requestId() });
    const mail = body.mail;
    entry.resent = { mail: mail.id, attempts: mail.attempts };
    // the page's events past the answer had it read the list: it keeps that
    if (!knows(body)) entry.data = { ...entry.data, mail: { ...entry.data.mail, ...mail, error: null, advice: null } };
    renderInfo(entry);
  } catch (err) {
    if (err.status === 401) return location.reload();
    // sent, being sent, closed or forwarded meanwhile, mail off: the server's words, and the list read again
    entry.refused = {}; // its mark: the mail as the list read next has it
    status.dataset.state = "refused";
    status.textContent = err.message;
    refresh();
  } finally {
    button.disabled = Boolean(entry.closedNote);
  }
}

// "Koreksi sudah dikirim" below the amber line of a case corrected after its mail went: the office sent the
// correction to LKPP by hand (TTS, a mail written by hand), and says so (POST /api/escalations/<id>/correction-sent):
// the line then says who said it and when (a `correction_sent` event in the case's history), until a later
// correction. Before, the amber line stayed until the case closed, whatever was done. A refusal (said meanwhile by a
// colleague, a correction since) in the server's words below it, until the mail's line changes.
function renderCorrection(entry, mailKind) {
  const box = entry.card.querySelector(".correction");
  const button = box.querySelector("button.correction-sent");
  const status = box.querySelector(".correction-status");
  const mail = entry.data.mail;
  const mark = mail ? `${mailKind}/${mail.corrected_at || ""}` : "";
  if (entry.correctionRefused !== undefined && entry.correctionRefused !== mark) {
    entry.correctionRefused = undefined;
    status.textContent = "";
  }
  button.hidden = mailKind !== "corrected" || Boolean(entry.closedNote);
  button.setAttribute("aria-label", t("correction.label", { label: entry.data.label }));
  box.hidden = button.hidden && !status.textContent;
}

async function correctionSent(entry) {
  const card = entry.card;
  const button = card.querySelector("button.correction-sent");
  const status = card.querySelector(".correction-status");
  if (button.disabled) return;
  button.disabled = true;
  clearDone(entry);
  status.textContent = "";
  entry.correctionRefused = undefined;
  try {
    const path = `/api/escalations/${entry.data.id}/correction-sent`;
    const { body } = await api("POST", path, { request_id: requestId() });
    if (!knows(body)) {
      const { corrected_at: _, ...mail } = entry.data.mail || {};
      entry.data = { ...entry.data, mail: { ...mail, correction_sent: body.correction_sent } };
    }
    renderInfo(entry);
  } catch (err) {
    if (err.status === 401) return location.reload();
    const mail = entry.data.mail;
    entry.correctionRefused = mail ? `corrected/${mail.corrected_at || ""}` : "";
    status.textContent = err.message;
    card.querySelector(".correction").hidden = false;
    refresh();
  } finally {
    button.disabled = Boolean(entry.closedNote);
  }
}

// "Salin untuk TTS/e-mail": the escalation's text (the same as the e-mail's, server/mail.py) to the
// clipboard. Over plain http on the office's network the browser gives no clipboard API, so the
// text is then shown in a box, selected, for Ctrl+C.
async function copyText(entry) {
  const card = entry.card;
  clearDone(entry);
  const text = entry.data.copy_text || "";
  const area = card.querySelector("textarea.copy-text");
  const status = card.querySelector(".copy-status");
  let copied = false;
  if (navigator.clipboard && navigator.clipboard.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false; // no permission, or the page lost focus: the box below instead
    }
  }
  if (!copied) {
    area.value = text;
    area.hidden = false;
    card.querySelector("button.hide-copy").hidden = false;
    area.focus();
    area.select();
    area.scrollTop = 0; // the text from its first line (select() scrolls to the end)
  }
  status.dataset.state = copied ? "done" : "manual";
  say(status, copied ? "copy.done" : "copy.manual");
}

function hideCopy(entry) {
  const card = entry.card;
  clearDone(entry);
  card.querySelector("textarea.copy-text").hidden = true;
  card.querySelector("button.hide-copy").hidden = true;
  say(card.querySelector(".copy-status"), "");
}

function fieldError(card, name, text) {
  const p = card.querySelector(`.field-error[data-field="${name}"]`);
  p.textContent = text || "";
  const input = card.querySelector(`[name="${name}"]`);
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function clearMessages(card) {
  fieldError(card, "lkpp_ticket", "");
  fieldError(card, "answer", "");
  const entry = state.cases.get(Number(card.dataset.id));
  if (entry) clearDone(entry);
  else say(card.querySelector(".done"), "");
}

// "Nomor tiket … dicatat.": said for DONE_MS, then gone (it stayed under the field for days, over the number a
// colleague recorded since, and over the next officer's work on the card).
function sayDone(entry, number) {
  clearDone(entry);
  const done = entry.card.querySelector(".done");
  if (!done) return;
  say(done, "done.lkpp", { number });
  entry.done = { number, timer: setTimeout(() => clearDone(entry), DONE_MS) };
}

function clearDone(entry) {
  if (entry.done) clearTimeout(entry.done.timer);
  entry.done = undefined;
  const done = entry.card.querySelector(".done");
  if (done && done.textContent) say(done, "");
}

// The LKPP number this page showed when the officer began typing one ("" for none): sent as
// lkpp_ticket_base, so that a number a colleague recorded meanwhile is not replaced unseen (409
// lkpp_ticket_conflict). Once that refusal has named the colleague's number, the next save replaces it.
function lkppBase(entry) {
  return entry.lkppBase !== undefined ? entry.lkppBase : entry.data.lkpp_ticket || "";
}

// A refusal: under the field the server names, else under the field that was sent. A number recorded
// meanwhile by a colleague: the server's whole sentence (who recorded which number) under the number, whose
// typed text stays, as the answer's does.
function showRefusal(card, err, field, entry) {
  if (err.body.error === "case_closed") return keepClosed(entry, err.message);
  if (err.body.error === "lkpp_ticket_conflict") {
    entry.lkppBase = undefined; // told now: saving again replaces the number it named
    fieldError(card, "lkpp_ticket", err.message);
    card.querySelector("[name=lkpp_ticket]").focus();
    refresh();
    return;
  }
  const fields = err.fields || {};
  const named = Object.keys(fields).filter((k) => k === "lkpp_ticket" || k === "answer");
  for (const k of named) fieldError(card, k, fields[k]);
  if (!named.length) fieldError(card, field, err.message);
  const first = card.querySelector(`[name="${named[0] || field}"]`);
  if (first) first.focus();
  if (err.status === 404 || err.status === 409) refresh(); // our list was stale
}

async function saveLkpp(entry, ev) {
  ev.preventDefault();
  const card = entry.card;
  const form = card.querySelector("form.f-lkpp");
  const button = form.querySelector("button");
  if (button.disabled) return;
  clearMessages(card);
  button.disabled = true;
  entry.pending = true; // the case's card stays until the answer says what became of it (caseGone)
  try {
    const { body } = await api("POST", `/api/tickets/${entry.data.id}/lkpp-ticket`, {
      lkpp_ticket: form.lkpp_ticket.value,
      lkpp_ticket_base: lkppBase(entry),
      request_id: requestId(),
    });
    const number = body.ticket.lkpp_ticket;
    // the page's events past the answer (a colleague's number saved after ours) had it read the list: it keeps that
    if (!knows(body)) entry.data = { ...entry.data, lkpp_ticket: number };
    form.lkpp_ticket.value = "";
    entry.lkppBase = undefined;
    entry.lkppLength.reset();
    entry.lkppLength.render(); // the field emptied: no count left under it
    keepTyped(entry);
    renderInfo(entry);
    sayDone(entry, number);
  } catch (err) {
    if (err.status === 401) return location.reload();
    showRefusal(card, err, "lkpp_ticket", entry);
  } finally {
    answered(entry, button);
  }
}

async function closeCase(entry, ev) {
  ev.preventDefault();
  const card = entry.card;
  const form = card.querySelector("form.f-close");
  const button = form.querySelector("button");
  if (button.disabled) return;
  clearMessages(card);
  const data = { answer: form.answer.value, request_id: requestId() };
  const typed = card.querySelector("form.f-lkpp").lkpp_ticket.value.trim();
  if (typed) {
    data.lkpp_ticket = typed; // a number typed but not saved goes with the answer
    data.lkpp_ticket_base = lkppBase(entry);
  }
  button.disabled = true;
  entry.closing = true; // its own event may have the list read before the answer comes: not "closed elsewhere"
  entry.pending = true;
  try {
    await api("POST", `/api/tickets/${entry.data.id}/close`, data);
    removeCase(entry.data.id);
    const { id, label, day } = entry.data;
    // what to do next: LKPP's answer is told to the visitor by phone (their phone page says so), and the card that
    // showed the phone is gone now: the notice names them and their number
    const visitor = entry.data.form || {};
    const phone = (visitor.phone || "").trim();
    const name = visitor.name || "—";
    pageNotice("info", () => t(phone ? "done.closed_tell" : "done.closed", { label, day: dayName(day), name, phone }));
    offerUndo({ id, label, day });
    renderCount();
  } catch (err) {
    entry.closing = false;
    if (err.status === 401) return location.reload();
    showRefusal(card, err, "answer", entry);
  } finally {
    answered(entry, button);
  }
}

// A save's or a close's answer came: the case's card is free again. The list read while it was on its way
// may have left the case out (a colleague closed it): the card goes now, unless the answer kept it (keepClosed).
function answered(entry, button) {
  entry.pending = false;
  button.disabled = Boolean(entry.closedNote);
  if (entry.gone && state.cases.get(entry.data.id) === entry) caseGone(entry.data.id);
}

// A save or a close refused because a colleague closed the case meanwhile (409 case_closed): the server's words
// (who closed it, when, with which LKPP number) on the card, which stays with what was typed in it, read-only,
// until the officer removes it; the list's count leaves it out.
function keepClosed(entry, message) {
  markClosed(entry, message);
  entry.closedNote.querySelector("button.dismiss").focus();
  refresh();
}

// A case a colleague closed while something was typed in its card, told by the live update (the list read
// without it): the card stays as keepClosed keeps it, saying who closed it, when and with which LKPP number
// (the `closed` event's, or the case's history when the page was not told: a gap, a reconnect). The focus
// stays where the officer is typing, unless it was on a button of the card, now off.
function keepClosedElsewhere(entry) {
  entry.closedElsewhere = true;
  const focused = document.activeElement;
  markClosed(entry, () => closedWords(entry));
  if (entry.card.contains(focused) && focused.disabled) entry.closedNote.querySelector("button.dismiss").focus();
  if (!closings.has(entry.data.id)) readClosing(entry);
}

function closedWords(entry) {
  const { id, label, day } = entry.data;
  const c = closings.get(id);
  if (!c) return t("done.closed_elsewhere", { label, day: dayName(day) }); // not known (yet): no who nor when
  const lkpp = c.lkpp ? t("closed.lkpp", { number: c.lkpp }) : t("closed.no_lkpp");
  return t("closed.by", { label, actor: c.actor || "?", when: dateLong(c.at), lkpp });
}

// Who closed the case, when, and its LKPP number then: the case's history (its last `closed` event, and the
// number the latest event set). Refused or unreachable: the card keeps saying "by another officer".
async function readClosing(entry) {
  const id = entry.data.id;
  let events;
  try {
    const { body } = await api("GET", `/api/tickets/${id}/history`);
    events = (body && body.events) || [];
  } catch {
    return;
  }
  let lkpp = "";
  let closing = null;
  for (const e of events) {
    const number = (e.data || {}).lkpp_ticket;
    if ((e.type === "lkpp_ticket" || e.type === "closed") && typeof number === "string") lkpp = number;
    if (e.type === "closed") closing = { actor: e.actor, at: e.at, lkpp };
  }
  if (!closing || closings.has(id) || state.cases.get(id) !== entry) return; // (its event came meanwhile)
  closings.set(id, closing);
  sayClosed(entry);
}

// The card of a case no longer open: `words` (the server's sentence, or a function giving the page's in its
// language now) above what was typed, read-only, and a button to remove it; out of the count.
function markClosed(entry, words) {
  const card = entry.card;
  if (!entry.closedNote) {
    const i18n = { i18n: "closed.dismiss" };
    const dismiss = el("button", { type: "button", class: "dismiss", dataset: i18n }, t("closed.dismiss"));
    dismiss.addEventListener("click", () => {
      removeCase(entry.data.id);
      renderCount();
    });
    entry.closedNote = el(
      "div",
      { class: "closed-note", role: "alert" },
      el("p", { class: "said" }),
      el("p", { class: "kept", dataset: { i18n: "closed.kept" } }, t("closed.kept")),
      dismiss,
    );
    card.querySelector(".acts").prepend(entry.closedNote);
  }
  entry.closedWords = words;
  sayClosed(entry);
  card.dataset.closed = "true";
  for (const f of card.querySelectorAll("input[name=lkpp_ticket], textarea[name=answer]")) f.readOnly = true;
  const buttons = "button.save-lkpp, button.close-case, button.resend-mail, button.correction-sent";
  for (const b of card.querySelectorAll(buttons)) b.disabled = true;
  if (entry.closedAge === undefined) entry.closedAge = ageOf(entry);
  closedParts(entry);
  renderAge(entry);
  renderCount();
}

// A card kept closed offers nothing more to act on: its mail line said to forward the case by hand and its copy
// for TTS/e-mail stayed, inviting a closed case to be sent to LKPP again; its age ran on and could turn overdue.
function closedParts(entry) {
  const card = entry.card;
  const mail = card.querySelector("dd.mail");
  if (mail) {
    mail.dataset.state = "closed";
    mail.textContent = t("mail.closed_case");
  }
  const copy = card.querySelector(".copy");
  if (copy) copy.hidden = true;
  const correction = card.querySelector(".correction");
  if (correction) correction.hidden = true;
  renderNext(entry, false);
}

function sayClosed(entry) {
  if (!entry.closedNote) return;
  const words = entry.closedWords;
  entry.closedNote.querySelector(".said").textContent = typeof words === "function" ? words() : words;
}

function buildCard(entry) {
  const resend = el(
    "div",
    { class: "resend", hidden: true },
    el("button", { type: "button", class: "resend-mail", dataset: { i18n: "resend.button" } }, t("resend.button")),
    el("p", { class: "resend-status", role: "status" }),
  );
  resend.querySelector("button").addEventListener("click", () => resendMail(entry));
  const correction = el(
    "div",
    { class: "correction", hidden: true },
    el("button", { type: "button", class: "correction-sent", dataset: { i18n: "correction.button" } },
       t("correction.button")),
    el("p", { class: "correction-status", role: "status" }),
  );
  correction.querySelector("button").addEventListener("click", () => correctionSent(entry));
  const facts = el("div", { class: "facts" }, el("dl", { class: "info" }), resend, correction);
  const card = el("li", { class: "case", dataset: { id: entry.data.id } }, el("div", { class: "top" }), facts);
  const acts = el("div", { class: "acts" });
  const copy = el(
    "div",
    { class: "copy" },
    el(
      "div",
      { class: "row" },
      el("button", { type: "button", class: "copy-tts", dataset: { i18n: "copy.button" } }, t("copy.button")),
      el("button", { type: "button", class: "hide-copy", hidden: true, dataset: { i18n: "copy.hide" } }, t("copy.hide")),
    ),
    el("p", { class: "copy-status", role: "status" }),
    el("textarea", {
      class: "copy-text",
      readonly: true,
      hidden: true,
      rows: 10,
      "aria-label": t("copy.label"),
      dataset: { i18nLabel: "copy.label" },
      spellcheck: "false",
    }),
  );
  copy.querySelector("button.copy-tts").addEventListener("click", () => copyText(entry));
  copy.querySelector("button.hide-copy").addEventListener("click", () => hideCopy(entry));
  acts.append(copy);
  if (ACTORS.includes(state.me.role)) {
    const id = `c${entry.data.id}`;
    const lkpp = el(
      "form",
      { class: "f-lkpp", novalidate: true },
      el("label", { for: `${id}-lkpp`, dataset: { i18n: "form.lkpp" } }, t("form.lkpp")),
      el(
        "div",
        { class: "row" },
        el("input", { id: `${id}-lkpp`, name: "lkpp_ticket", maxlength: 100, autocomplete: "off" }),
        el("button", { type: "submit", class: "save-lkpp", dataset: { i18n: "form.lkpp_save" } }, t("form.lkpp_save")),
      ),
      // the number's length from 90 of its 100 characters, and a paste cut at 100 (LKPP's whole reply line pasted):
      // the field took the first 100 characters and said nothing, the number saved cut
      el("p", { class: "char-count", "aria-live": "polite", hidden: true }),
      el("p", { class: "field-error", dataset: { field: "lkpp_ticket" } }),
      el("p", { class: "done", role: "status" }),
    );
    const close = el(
      "form",
      { class: "f-close", novalidate: true },
      el("label", { for: `${id}-answer`, dataset: { i18n: "form.answer" } }, t("form.answer")),
      el(
        "div",
        { class: "row" },
        el("textarea", { id: `${id}-answer`, name: "answer", rows: 3, maxlength: 4000 }),
        el("button", { type: "submit", class: "go close-case", dataset: { i18n: "form.close" } }, t("form.close")),
      ),
      el("p", { class: "more-cue", hidden: true, "aria-hidden": "true" }),
      // the answer's length from 3,600 of its 4,000 characters, and a paste cut at 4,000, as the counter's boxes
      el("p", { class: "char-count", "aria-live": "polite", hidden: true }),
      el("p", { class: "field-error", dataset: { field: "answer" } }),
    );
    lkpp.addEventListener("submit", (ev) => saveLkpp(entry, ev));
    close.addEventListener("submit", (ev) => closeCase(entry, ev));
    watchBox(close.answer, close.querySelector(".more-cue"));
    entry.answerLength = lengthCount(close.answer, close.querySelector(".char-count"));
    entry.lkppLength = lengthCount(lkpp.lkpp_ticket, lkpp.querySelector(".char-count"));
    close.answer.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) close.requestSubmit();
    });
    // Typing into a refused field clears its message.
    for (const f of [lkpp, close]) {
      f.addEventListener("input", (ev) => {
        if (ev.target.name) fieldError(card, ev.target.name, "");
        clearDone(entry); // the next number, or the answer: the last save is no longer news
      });
    }
    // the number shown when the officer began typing one (lkppBase)
    lkpp.lkpp_ticket.addEventListener("input", () => {
      if (!lkpp.lkpp_ticket.value.trim()) entry.lkppBase = undefined;
      else if (entry.lkppBase === undefined) entry.lkppBase = entry.data.lkpp_ticket || "";
    });
    for (const f of [lkpp, close]) f.addEventListener("input", () => keepTyped(entry));
    const typed = readTyped()[entry.data.id];
    if (typed) {
      // typed before this tab reloaded: the number with the one shown then (a colleague's since is still a conflict)
      lkpp.lkpp_ticket.value = typed.lkpp || "";
      close.answer.value = typed.answer || "";
      if (lkpp.lkpp_ticket.value.trim()) entry.lkppBase = typeof typed.base === "string" ? typed.base : "";
      entry.answerLength.render();
      entry.lkppLength.render();
    }
    acts.append(lkpp, close);
  } else {
    acts.append(el("p", { class: "muted", dataset: { i18n: "form.readonly" } }, t("form.readonly")));
  }
  card.append(acts);
  return card;
}

// ---- a close made by mistake, undone ------------------------------------------------------------
// Right after a close, the notice offers Batalkan for UNDO_MS: the case is opened again (POST
// /api/tickets/<id>/reopen), back in the list with its LKPP number; the answer stays in its history.
function offerUndo(x, ms = UNDO_MS) {
  dropUndo();
  const button = $("undo-close");
  state.undo = { ...x, timer: setTimeout(dropUndo, ms) };
  keepUndo({ id: x.id, label: x.label, day: x.day });
  button.setAttribute("aria-label", t("undo.label", { label: x.label }));
  button.disabled = false;
  button.hidden = false;
}

// The page loaded again (F5, a reload for an admin's change) within UNDO_MS of a close made in this tab: the notice
// and its Batalkan come back for the rest of that time (they went at the reload, the close seconds old). The tab keeps
// which case it offered (UNDO_KEY); the server's cases closed lately say whether it is still closed, by this account,
// and since when. Another tab or PC of the same account, or a colleague's, offers none: Buka lagi is theirs.
function offerUndoAgain(closed) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(UNDO_KEY) || "null");
  } catch (err) {
    /* none kept (storage off) */
  }
  if (!kept || state.undo || !state.me) return;
  const x = closed.find((c) => c.id === kept.id && c.closed_by === state.me.username && c.closed_at);
  // (the server's time as its answers' Date says it, to the second: a close just made may seem a moment ahead)
  const left = x ? Math.min(Date.parse(x.closed_at) + UNDO_MS - officeNow().getTime(), UNDO_MS) : 0;
  if (!(left > 0)) return dropUndo(); // reopened, or its time is over
  const { id, label, day } = x;
  pageNotice("info", () => t("done.closed", { label, day: dayName(day) }));
  offerUndo({ id, label, day }, left);
}

function keepUndo(x) {
  try {
    if (x) sessionStorage.setItem(UNDO_KEY, JSON.stringify(x));
    else sessionStorage.removeItem(UNDO_KEY);
  } catch (err) {
    /* storage off: the offer goes with a reload, as before */
  }
}

function dropUndo() {
  if (state.undo) clearTimeout(state.undo.timer);
  state.undo = null;
  keepUndo(null);
  $("undo-close").hidden = true;
}

// Reopen a closed case (the notice's Batalkan, or Buka lagi under "Baru ditutup"): the server's refusal (not
// closed: reopened by a colleague meanwhile) in the notice; the lists read again either way.
async function reopenCase(x, button) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await api("POST", `/api/tickets/${x.id}/reopen`, { request_id: requestId() });
    if (state.undo && state.undo.id === x.id) dropUndo();
    pageNotice("info", () => t("done.reopened", { label: x.label, day: dayName(x.day) }));
  } catch (err) {
    if (err.status === 401) return location.reload();
    if (state.undo && state.undo.id === x.id) dropUndo();
    pageNotice("error", err.message);
  } finally {
    button.disabled = false;
  }
  refresh();
}

// "Baru ditutup": the cases closed in the server's last `closed_days`, each with who closed it, when, its LKPP
// number and answer, and Buka lagi (officers and the front office alike).
function renderRecent() {
  const list = state.recent;
  const days = state.recentDays;
  $("recent").hidden = false;
  $("recent-heading").textContent = t("recent.heading", { days });
  $("recent-count").textContent = String(list.length);
  const empty = $("recent-empty");
  empty.hidden = list.length > 0;
  empty.textContent = t("recent.empty", { days });
  // rows that say what they said stay as they are (livelist.js keepRows): a phone number being selected, a Buka lagi
  // about to be pressed, over a live event of another case
  keepRows(
    $("recent-list"),
    list.map((x) => {
      const form = x.form || {};
      const who = [form.name, form.agency].filter(Boolean).join(" — ");
      const phone = (form.phone || "").trim();
      const button = el(
        "button",
        { type: "button", class: "reopen", "aria-label": t("recent.reopen_label", { label: x.label }) },
        t("recent.reopen"),
      );
      button.addEventListener("click", () => reopenCase(x, button));
      return el(
        "li",
        { class: "closed-case", dataset: { id: x.id, label: x.label } },
        el(
          "div",
          { class: "what" },
          el("span", { class: "label" }, x.label),
          " ",
          el("span", { class: "muted" }, dayName(x.day)),
          who ? el("span", { class: "who" }, ` · ${who}`) : null,
          // the visitor is told LKPP's answer by phone (the close's notice says so): the number stays here after
          // the notice went (a reload, a colleague's close)
          phone
            ? el("span", { class: "phone" }, `${t("case.phone")}: `, el("a", { href: `tel:${phone.replace(/[^0-9+]/g, "")}` }, phone))
            : null,
          el(
            "span",
            { class: "lkpp" + (x.lkpp_ticket ? "" : " none") },
            x.lkpp_ticket ? t("case.lkpp", { number: x.lkpp_ticket }) : t("case.lkpp_none"),
          ),
        ),
        el(
          "p",
          { class: "muted by" },
          t("recent.closed", { name: x.closed_by_name || x.closed_by || "?", when: x.closed_at ? dateLong(x.closed_at) : "" }),
        ),
        el("p", { class: "answer" }, el("strong", {}, `${t("recent.answer")}: `), x.lkpp_answer || "—"),
        button,
      );
    }),
  );
}

// ---- what is typed, kept over a reload (TYPED_KEY) ------------------------------------------------
function readTyped() {
  try {
    return JSON.parse(sessionStorage.getItem(TYPED_KEY) || "{}") || {};
  } catch (err) {
    return {}; // none kept (storage off)
  }
}

function writeTyped(all) {
  try {
    if (Object.keys(all).length) sessionStorage.setItem(TYPED_KEY, JSON.stringify(all));
    else sessionStorage.removeItem(TYPED_KEY);
  } catch (err) {
    /* storage off: what is typed goes with a reload, as before */
  }
}

// The card's number and answer as they are now (an emptied card: nothing kept)
function keepTyped(entry) {
  const number = entry.card.querySelector("input[name=lkpp_ticket]");
  const answer = entry.card.querySelector("textarea[name=answer]");
  if (!number || !answer || entry.closedNote) return;
  const all = readTyped();
  if (number.value.trim() || answer.value.trim()) {
    all[entry.data.id] = { lkpp: number.value, base: entry.lkppBase, answer: answer.value };
  } else delete all[entry.data.id];
  writeTyped(all);
}

function dropTyped(id) {
  const all = readTyped();
  if (!(id in all)) return;
  delete all[id];
  writeTyped(all);
}

function removeCase(id) {
  const entry = state.cases.get(id);
  dropTyped(id); // closed here, dismissed, or gone with nothing typed
  if (!entry) return;
  if (entry.done) clearTimeout(entry.done.timer);
  entry.card.remove();
  state.cases.delete(id);
  closings.delete(id);
}

// A case gone from the list that this page is not closing: a colleague recorded LKPP's answer. A card with
// something typed in it (the number, the answer) stays, read-only, saying who closed the case
// (keepClosedElsewhere): the live update dropped it, and what was typed with it. One with nothing typed goes.
// A card whose save or close is on its way stays until its answer (answered), and one kept closed until the
// officer removes it.
function caseGone(id) {
  const entry = state.cases.get(id);
  if (!entry || entry.closedNote) return;
  if (entry.pending) {
    entry.gone = true;
    return;
  }
  const fields = entry.card.querySelectorAll("input[name=lkpp_ticket], textarea[name=answer]");
  if (!entry.closing && [...fields].some((f) => f.value.trim())) return keepClosedElsewhere(entry);
  removeCase(id);
}

function renderCount() {
  // a card kept closed, or one whose case the list left out while its save was on its way, is not open
  const open = [...state.cases.values()].filter((x) => !x.closedNote && !x.gone).length;
  $("case-count").textContent = String(open);
  // (not under a card kept closed, which is still on the page)
  const kept = [...state.cases.values()].some((x) => x.closedNote);
  $("cases-empty").hidden = !state.loaded || open > 0 || kept;
}

// Cards are kept across fetches, so whatever an officer is typing (and the focus) survives a
// live update; only the facts above the forms are redrawn, and only those that changed (renderInfo).
function applyList(list, at) {
  const ids = new Set(list.map((x) => x.id));
  for (const id of [...state.cases.keys()]) if (!ids.has(id)) caseGone(id);
  const ul = $("cases");
  // A card kept though its case left the list (closed by a colleague with something typed in it, or its own save
  // on its way) stays where it was among the others: passed over, not pushed down below each card placed before it
  // (it drifted to the end of the list while its officer read or copied from it).
  const kept = new Set([...state.cases.values()].filter((e) => !ids.has(e.data.id)).map((e) => e.card));
  let next = ul.firstElementChild;
  for (const x of list) {
    while (next && kept.has(next)) next = next.nextElementSibling;
    let entry = state.cases.get(x.id);
    if (!entry) {
      entry = { data: x, at };
      entry.card = buildCard(entry);
      state.cases.set(x.id, entry);
    }
    entry.data = x;
    entry.at = at;
    entry.gone = false;
    renderInfo(entry);
    const placed = entry.card.isConnected;
    if (entry.card === next) next = next.nextElementSibling;
    else ul.insertBefore(entry.card, next); // only moves cards out of place (oldest first)
    if (!placed) fitCard(entry.card); // its boxes measured once drawn
  }
  state.loaded = true;
  renderCount();
}

const refresh = oneAtATime(async (at) => {
  const { body } = await api("GET", "/api/escalations");
  const first = !state.loaded;
  applyList((body && body.escalations) || [], at);
  if (first) for (const id of Object.keys(readTyped())) if (!state.cases.has(Number(id))) dropTyped(id);
  state.recent = (body && body.closed) || [];
  if (body && body.closed_days) state.recentDays = body.closed_days;
  renderRecent();
  if (first) offerUndoAgain(state.recent);
});

function tickAges() {
  for (const entry of state.cases.values()) renderAge(entry);
}

startListPage({
  roles: ROLES,
  refreshOn,
  refresh,
  onStart: (user) => {
    state.me = user;
    $("undo-close").addEventListener("click", (ev) => {
      if (state.undo) reopenCase(state.undo, ev.currentTarget);
    });
    renderCount();
    window.addEventListener("resize", () => {
      for (const entry of state.cases.values()) fitCard(entry.card);
    });
  },
  tick: tickAges,
  onLang: () => {
    for (const entry of state.cases.values()) {
      renderInfo(entry);
      if (entry.answerLength) entry.answerLength.render(); // "3.600 / 4.000 karakter" or "3,600 / 4,000 characters"
      if (entry.lkppLength) entry.lkppLength.render();
      sayClosed(entry); // a card kept closed: the page's own words follow the language (not the server's)
    }
    if (state.loaded) renderRecent();
    if (state.undo) $("undo-close").setAttribute("aria-label", t("undo.label", { label: state.undo.label }));
  },
});
