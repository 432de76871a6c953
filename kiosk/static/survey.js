// The satisfaction survey's tablet by the exit (touch-first, like the kiosk): start -> the ticket number
// and the last four digits of the phone on on-screen pads (or a scanned ticket QR code) -> the nine
// questions one per screen -> the optional profile and suggestion -> thanks -> the start again.
// It shows nothing of a visitor but their ticket's label, and forgets everything on its way back to
// the start (after "Selesai", or after an idle time) but answers not yet sent, kept (in localStorage too) until the
// server has them, never shown.
import { inOrder } from "/static/live.js";
import { idleWarning } from "./idlewarning.js";
import { sayAgain } from "./readparams.js";
import { createSurveyForm } from "./skmform.js";

(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("survey-config").textContent);
  // The words ({id: {...}, en: {...}}) are the server's one catalogue (server/i18n/*.json, keys
  // `survey.*`), in the page's `i18n` JSON element.
  var STRINGS = JSON.parse(document.getElementById("i18n").textContent);
  var THANKS_SECONDS = 12;            // the thanks screen goes back to the start by itself
  var UNSERVED_ENDS = ["no_show", "cancelled", "expired"];   // ended unserved: no survey, ever (server/core.py)
  var ADVANCE_MS = 350;               // a chosen answer shows for a moment before the next question
  // A tap this soon after a new screen of questions appears is taken for the last screen's finger (a slow
  // double tap: question 2's choices sit where question 1's were), not an answer: nobody reads a question
  // and its choices this fast, and an elderly visitor's second tap comes 0.3-0.6 s after the first.
  var SETTLE_MS = 700;
  var IDLE_WARNING_SECONDS = 10;      // "Masih di sini?" this long before an idle reset (at most half of it), as the kiosk
  var LABEL_DIGITS = 4;               // "A-0123" at most: the kiosk's numbers have 3 digits, a busy day 4
  var SCAN_GAP_MS = 80;               // a barcode scanner types faster than this between characters
  var FITS = [1, 0.92, 0.85, 0.78];   // the long question's type, a step smaller until it fits (fit)
  // Answers sent whose answer was lost on the way back (no HTTP answer: the guest Wi-Fi dropped it) may be stored:
  // the tablet has no live connection to hear so, and stayed on the form saying they were not sent. It sends them
  // again by itself, with the same request_id (the server answers a stored one from its record, writing nothing):
  // this long after each loss, as long as the visitor changed nothing.
  var RESEND_MS = [2000, 5000, 10000];
  // Then this often, for as long as they are kept: a Wi-Fi down for a minute (or the server restarting) outlasted the
  // three tries, and the answers went with the next idle return to the start, after "check the connection and try
  // again" to a visitor who cannot. They are said to be kept, and are sent once the server answers, with the same
  // request_id (stored once), even after the visitor has left: then from the tablet's outbox, which the screen never
  // shows, at most OUTBOX_MAX visitors' (past that a visitor is told they were not sent, as before).
  var RESEND_EVERY_MS = 15000;
  var OUTBOX_MAX = 20;
  // The outbox (and the answers on the screen said to be kept) is in the tablet's localStorage too: it was in memory
  // only, and a power cut, or the browser killed and opened again by the tablet's OS, lost answers the visitor was told
  // were kept, and nobody knew. Read back as the page loads, and sent with their own request_id (the server answers
  // one it stored from its record: nothing written or counted twice). Only what POST /api/survey is sent goes there
  // (STORE_FIELDS: the ticket's label and the phone digits typed, or its scanned token; the answers, profile and text),
  // never the visitor's name, phone or problem (the tablet is never given them), each at most STORE_ENTRY_MAX
  // characters; a value the tablet did not write (corrupt, another page's) is ignored. The screen never shows it.
  var STORE_KEY = "antrian-survey-outbox";
  var STORE_ENTRY_MAX = 8000;   // a 2,000-character text of line breaks is 4,000 as JSON
  var STORE_FIELDS = ["channel", "request_id", "token", "ticket", "phone_last4", "wording", "answers", "profile", "suggestion"];

  var lang = CONFIG.lang === "en" ? "en" : "id";
  var state;
  var idleTimer = null;
  // (answers kept to be sent are not cleared by the return to the start: said so)
  var idle = idleWarning(function (n) { return t(keptNow() ? "survey.idle_countdown_kept" : "survey.idle_countdown", { n: n }); });
  var advanceTimer = null;
  var advancing = null;               // the answer shown before the next question: {step, score}
  var settleUntil = 0;                // performance.now() until which a tap on the questions is not taken
  var settleTimer = null;
  var restartGuardUntil = 0;          // performance.now() until which "Bukan tiket saya"'s question takes no tap
  var said = {};                      // an error line's id -> {lang, parts}: its words, in the language said
  // for tests: the armed return to the start and its warning; the settings' checks that found nothing to reload for
  // wordingLooks: the answers to GET /api/survey (the questionnaire read again at each start) taken
  // kept: the answers in the outbox, of visitors gone, not yet answered by the server
  window.antrianSurvey = { resetIn: null, warnIn: null, checked: 0, wordingLooks: 0, kept: 0 };
  var outbox = [];                    // {body, ref}: answers sent, never answered, of visitors who left (keep)
  var outboxTimer = null;
  var outboxBusy = false;
  var resendTimer = null;

  function $(id) { return document.getElementById(id); }
  function t(key, params) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.id[key] || key;
    // split/join: a value is put in as it is (a replace() string reads "$&" and "$$" in it)
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(params[k])); });
    return text;
  }

  function idleSeconds() {
    // ?idle=N lets a test (or an admin trying it out) shorten the idle time for one page load.
    var asked = parseInt(new URLSearchParams(location.search).get("idle"), 10);
    return asked >= 2 && asked <= 3600 ? asked : CONFIG.idle_seconds;
  }

  // The services' letters on the pad; an office with one service has its letter chosen already.
  var PREFIXES = [].map.call(document.querySelectorAll("[data-prefix]"), function (b) { return b.dataset.prefix; });

  function freshState() {
    return { screen: "start", prefix: PREFIXES.length === 1 ? PREFIXES[0] : "", digits: "", last4: "", active: "ticket", ref: null, survey: null,
             step: 0, requestId: null, sending: false, checking: false, shift: true, said: "thanks", resends: 0,
             lost: null };   // lost: the body last sent whose answer never came (kept to be sent again)
  }

  var form = createSurveyForm(CONFIG.survey, {
    t: t,
    touch: true,
    onChange: function (field, value) {
      state.requestId = null;
      if (state.lost) store();   // the answers kept are not these any more (keptNow): not sent, as before
      if (/^answers\./.test(field)) {
        renderStep();
        // The answer shows for a moment, then the next question. The same answer tapped again meanwhile
        // (a double tap) changes nothing: the next question comes on time; another answer is shown as long.
        var step = state.step;
        if (advancing && advancing.step === step && advancing.score === value) return;
        clearTimeout(advanceTimer);
        advancing = { step: step, score: value };
        advanceTimer = setTimeout(function () {
          advancing = null;
          if (state.step === step && state.screen === "question") go(step + 1);
        }, ADVANCE_MS);
      }
    }
  });

  // The screens of the questionnaire: each a list of the form's blocks.
  var STEPS = form.order().filter(function (k) { return /^U[0-9]$/.test(k); }).map(function (k) { return [k]; })
    .concat([["sex", "age"], ["education", "occupation"], ["suggestion"]]);
  var QUESTIONS = STEPS.length - 3;
  form.order().forEach(function (key) { $("step").appendChild(form.blocks[key]); });
  form.age.after($("age-pad"));   // the age's pad right under it
  form.suggestion.rows = 2;        // its height is the room the screen has (survey.css .step.text), not its rows

  // -- screens -------------------------------------------------------------------------------
  function show(name) {
    state.screen = name;
    document.querySelectorAll("section[data-screen]").forEach(function (el) { el.hidden = el.dataset.screen !== name; });
    document.body.dataset.current = name;
    hideRestart();   // "Bukan tiket saya"'s question is the question screens' only
    renderBar();     // first: the question's type is fitted to the room the bar leaves (renderStep)
    if (name === "question") renderStep();
    if (name === "identify") renderIdentify();
    armIdle();
  }

  function officeLang() { return CONFIG.lang === "en" ? "en" : "id"; }

  function armIdle() {
    clearTimeout(idleTimer);
    idle.cancel();
    window.antrianSurvey.resetIn = null;
    window.antrianSurvey.warnIn = null;
    var seconds = idleSeconds();
    if (state.screen === "start") {
      idle.hide();
      // The start waits as it is, but in the office's language: a visitor's English goes after the idle time.
      if (lang === officeLang()) return;
    }
    if (state.screen === "thanks") seconds = Math.min(seconds, THANKS_SECONDS);
    window.antrianSurvey.resetIn = seconds;
    idleTimer = setTimeout(reset, seconds * 1000);
    // A visitor answering is asked first; the thanks and the start go back without asking.
    var asked = state.screen === "identify" || state.screen === "question";
    var warn = asked ? Math.min(IDLE_WARNING_SECONDS, Math.floor(seconds / 2)) : null;
    if (warn !== null) window.antrianSurvey.warnIn = seconds - warn;
    idle.arm(seconds, warn);
  }

  function touched() {
    // Any touch keeps the visitor's answers. The touch that answers "Masih di sini?" is for the warning
    // only (it covers the screen: a choice under the finger is not chosen); it goes at that touch's click,
    // or soon after a touch that was no tap.
    armIdle();
    idle.touched();
  }

  function reset() {
    // Back to the start for the next visitor: the ticket, the answers, the texts and every error cleared.
    clearTimeout(advanceTimer);
    clearTimeout(resendTimer);
    advancing = null;
    // Answers sent and never answered (the network down) go on being sent once the visitor has gone; one on its way
    // now is kept by its own failure, if it fails.
    if (keptNow() && !state.sending) keep(state.lost, state.ref);
    state = freshState();
    form.fill(null);
    setError("ticket", "");
    setError("phone_last4", "");
    screenError("identify-error", "");
    screenError("submit-error", "");
    renderIdentify();
    setShift(false);
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    lang = officeLang();
    applyLang();
    show("start");
    refreshQuestionnaire();
    checkSettings();
  }

  // Answers taken in the order the reads were sent: one sent earlier (two starts close together, its answer slowed)
  // and answering later is dropped. It put back the old wording until the next visitor's start, and the answers
  // went under the old wording's id.
  var wordingReads = inOrder();
  function refreshQuestionnaire() {
    // An admin may have changed the wording: take it between two visitors, and as the next one starts (a tablet
    // left at its start all morning asked the first visitor after a change the old questions), and every
    // CHECK_SECONDS while it waits at its start.
    var mine = wordingReads.ask();
    fetch("/api/survey", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (q) {
        if (!q || !wordingReads.take(mine)) return;
        // the start, or the ticket's number being typed: no answer on the form yet, the new words go in whole
        if (state.screen === "start" || state.screen === "identify") form.retext(q);
      })
      .catch(function () { /* offline: the wording the page has */ })
      .then(function () { window.antrianSurvey.wordingLooks += 1; });
  }

  // -- an admin changed the office or the services: a fresh page, but only on the start screen ------
  // The tablet has no live connection: back at its start (after each visitor, and every CHECK_SECONDS while
  // it waits there), it compares the office's name and language and the services' codes and prefixes (the
  // prefixes are the pad's letters) with the public state (GET /api/state), and reloads when they differ.
  // Never in a loop: a page that still differs after a reload for those very values stays as it is (checked every minute, a time-bound
  // guard as the kiosk's would let it reload each time it ran out); other values reload it again.
  var CHECK_SECONDS = 60;
  var RELOADED_FOR = "antrian-survey-reloaded-for";
  var settingsCheck = false;   // a check in flight

  function drawnNow(snap) {
    // CONFIG.drawn's shape (survey.html)
    var office = snap.office || {};
    var services = snap.services || [];
    // the prefixes too: the pad's letters are theirs, and an admin may change one keeping its code
    return JSON.stringify([office.name, office.language || "id", services.map(function (s) { return s.code; }),
      services.map(function (s) { return s.prefix; })]);
  }

  function reloadedFor(now) {
    try { return sessionStorage.getItem(RELOADED_FOR) === now; } catch (e) { return false; /* private mode */ }
  }

  function checkSettings(periodic) {
    if (periodic === true && state.screen === "start") refreshQuestionnaire();
    // (a reload with no storage, or a full one, would lose the answers in the outbox: the check after they are sent
    // reloads)
    if (settingsCheck || state.screen !== "start" || !CONFIG.drawn || outbox.length) return;
    settingsCheck = true;
    fetch("/api/state", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (snap) {
        if (!snap || state.screen !== "start") return null;
        var now = drawnNow(snap);
        if (now === JSON.stringify(CONFIG.drawn) || reloadedFor(now)) {
          window.antrianSurvey.checked += 1;
          return null;
        }
        // Reload only when the page itself answers: a tablet must never end on a browser error page.
        return fetch(location.href, { cache: "no-store" }).then(function (r) {
          if (!r.ok || state.screen !== "start") return;
          try {
            sessionStorage.setItem(RELOADED_FOR, now);
          } catch (e) {
            return;   // private mode: nothing would stop a second reload for the same values
          }
          location.reload();
        });
      })
      .catch(function () { /* offline: the next check */ })
      .then(function () { settingsCheck = false; });
  }

  function applyLang(from) {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
    form.render(lang);
    renderBar();
    resay(from);
    if (state.screen === "question") renderStep();
    if (state.screen === "thanks") renderThanks();
    idle.render();
  }

  function resay(from) {
    // What was said on the screen (the server's refusals, the page's own notes) in the page's language:
    // after the toggle, and for a refusal asked for in `from` that came after it.
    Object.keys(said).forEach(function (id) {
      var was = said[id];
      if (was.lang !== lang) said[id] = { lang: lang, parts: was.parts.map(function (p) { return reword(p, was.lang); }) };
      drawSaid(id);
    });
    if (from && from !== lang) {
      document.querySelectorAll("#step [data-error]").forEach(function (p) {
        if (p.textContent) p.textContent = reword(p.textContent, from);
      });
    }
  }

  function reword(text, from) {
    // Words said in `from` (the server's refusal, the catalogue's `error.*`; the page's own `survey.*`) in the page's
    // language now (readparams.js sayAgain).
    return from === lang ? text : sayAgain(text, STRINGS[from], t);
  }

  function renderBar() {
    // The one thing of the visitor's the tablet shows: their ticket's label; on its questions, beside it, the next
    // visitor's way out of a survey left on the screen ("Bukan tiket saya"), and "Masih di sini?" names it.
    var label = state.survey && state.screen !== "start" ? state.survey.ticket.label : "";
    var asking = !!label && state.screen === "question";
    $("bar-ticket").textContent = label ? t("survey.ticket_for", { label: label }) : "";
    $("not-mine").hidden = !asking;
    $("idle-title").textContent = asking ? t("survey.idle_title_ticket", { label: label }) : t("survey.idle_title");
    if (asking && !$("restart-confirm").hidden) $("restart-title").textContent = t("survey.not_mine_title", { label: label });
  }

  // -- "Bukan tiket saya": the next visitor, before a survey someone left half-way ------------------
  // A visitor who walks away leaves their ticket's questions on the screen until the idle time, and any touch keeps
  // them: the next one's only way out was Kembali back to the first question, then Batal, or to answer (and send)
  // someone else's survey. Asked first, its buttons in the middle of the screen (not under the finger on the bar's
  // button) and taking no tap for SETTLE_MS (a double tap's second is no answer): "Ya" is the idle reset, now.
  function askRestart() {
    if (state.screen !== "question" || !state.survey) return;
    restartGuardUntil = performance.now() + SETTLE_MS;
    $("restart-confirm").classList.add("settling");
    $("restart-confirm").hidden = false;
    renderBar();
    setTimeout(function () { $("restart-confirm").classList.remove("settling"); }, SETTLE_MS);
  }

  function hideRestart() { $("restart-confirm").hidden = true; }

  function restartSettling(e) {
    if (performance.now() >= restartGuardUntil) return;
    e.stopPropagation();   // in the capture phase: the buttons' own listeners never hear it
    e.preventDefault();
  }

  function screenError(id, text, from) {
    // An error line above the buttons: `text` one message or several (a 422's words and its fields'), kept
    // with the language they are in (`from`, a request's; else the page's) so that the toggle can say them
    // again.
    said[id] = { lang: from || lang, parts: [].concat(text || []).filter(Boolean) };
    drawSaid(id);
  }

  function drawSaid(id) {
    var text = said[id].parts.join(" ");
    $(id).textContent = text;
    if (/^e-/.test(id)) $(id).parentNode.classList.toggle("invalid", !!text);
    else $(id).hidden = !text;
  }

  // -- which ticket: the label and the phone's last four digits --------------------------------
  function labelText() {
    if (!state.prefix && !state.digits) return "";
    return (state.prefix || "?") + "-" + state.digits;
  }

  function labelToSend() {
    // "A-12" is sent as the ticket shows it: "A-012" (core.label_for pads to three digits).
    var digits = state.digits.replace(/^0+(?=[0-9])/, "");
    while (digits.length < 3) digits = "0" + digits;
    return state.prefix + "-" + digits;
  }

  function identifyComplete() { return !!state.prefix && state.digits.length > 0 && state.last4.length === 4; }

  function renderIdentify() {
    $("f-ticket").textContent = labelText();
    var cells = $("f-last4").querySelectorAll(".digit");
    cells.forEach(function (c, i) { c.textContent = state.last4[i] ? state.last4[i] : ""; });
    document.querySelectorAll(".id-field").forEach(function (f) {
      f.classList.toggle("active", f.dataset.field === (state.active === "ticket" ? "ticket" : "phone_last4"));
    });
    $("pad-prefixes").hidden = state.active !== "ticket";
    document.querySelectorAll("[data-prefix]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.prefix === state.prefix ? "true" : "false");
    });
    $("identify-next").disabled = !identifyComplete() || state.checking;
    $("identify-next").textContent = t(state.checking ? "survey.checking" : "survey.next");
    $("id-pad-next").hidden = state.active !== "ticket";
  }

  function setError(field, text, from) { screenError("e-" + field, text, from); }

  function identifyEdited() {
    setError("ticket", "");
    setError("phone_last4", "");
    screenError("identify-error", "");
  }

  function padDigit(d) {
    identifyEdited();
    if (state.active === "ticket") {
      if (state.digits.length < LABEL_DIGITS) state.digits += d;
    } else if (state.last4.length < 4) {
      state.last4 += d;
    }
    renderIdentify();
  }

  function padDelete() {
    identifyEdited();
    if (state.active === "ticket") {
      if (state.digits) state.digits = state.digits.slice(0, -1);
      else state.prefix = "";
    } else if (state.last4) {
      state.last4 = state.last4.slice(0, -1);
    } else {
      state.active = "ticket";
    }
    renderIdentify();
  }

  function padNext() {
    if (state.active === "ticket") state.active = "phone";
    else if (identifyComplete()) lookup();
    renderIdentify();
  }

  function answer(resp) {
    return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
  }

  function lookup() {
    if (!identifyComplete() || state.checking) return;
    state.checking = true;
    renderIdentify();
    var visitor = state;
    var ref = { ticket: labelToSend(), phone_last4: state.last4 };
    var sent = lang;   // the refusal comes in this language; the toggle may be tapped meanwhile
    fetch("/api/survey/lookup", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": lang },
      body: JSON.stringify(ref)
    }).then(answer).then(function (r) {
      if (visitor !== state) return;
      if (r.status === 200 && r.body.survey) return opened(ref, r.body.survey);
      identifyRefused(r, sent);
    }).catch(function () {
      if (visitor === state) screenError("identify-error", t("survey.network_error"));
    }).then(function () {
      if (visitor !== state) return;
      state.checking = false;
      renderIdentify();
    });
  }

  function identifyRefused(r, sent) {
    // 422 at the field it names; 404 (label or digits wrong, alike), 429: the server's words.
    var fields = r.body.fields || {};
    var placed = false;
    ["ticket", "phone_last4"].forEach(function (k) {
      if (fields[k]) { setError(k, fields[k], sent); placed = true; }
    });
    if (!placed) {
      if (r.body.message) screenError("identify-error", r.body.message, sent);
      else screenError("identify-error", t("survey.network_error"));
    }
    resay(sent);
  }

  function byToken(token) {
    // A scanned ticket or form copy QR code (…/t/<token>), or ?t=<token>: the token names the ticket.
    var visitor = state;
    fetch("/api/survey/" + encodeURIComponent(token) + "?lang=" + lang, { cache: "no-store" })
      .then(answer)
      .then(function (r) {
        if (visitor !== state) return;
        if (r.status === 200 && r.body.survey) return opened({ token: token }, r.body.survey);
        show("identify");
        identifyRefused(r);
      })
      .catch(function () {
        if (visitor !== state) return;
        show("identify");
        screenError("identify-error", t("survey.network_error"));
      });
  }

  function opened(ref, survey) {
    // The ticket is found: its survey, if it is open; a response given before is not shown here (a
    // public tablet), only said: new answers replace it.
    if (!survey.open) {
      show("identify");
      // A ticket that ended unserved (no-show, cancelled) and was never served will never be: "come back once
      // served" would send its visitor to wait for nothing. (One served before a transfer has its survey open.)
      var ended = UNSERVED_ENDS.indexOf(survey.ticket.status) >= 0;
      screenError("identify-error", survey.reason === "day_over" ? t("survey.day_over")
        : ended ? t("survey.not_served_ended", { label: survey.ticket.label }) : t("survey.not_served"));
      return;
    }
    if (survey.answered && survey.corrections_left === 0) {
      // Corrected as often as a ticket may (the server's count): said now, not after nine answers and a
      // typed complaint at "Kirim jawaban" (409 survey_corrections_spent). The last answers stay.
      show("identify");
      screenError("identify-error", t("survey.corrections_spent", { label: survey.ticket.label }));
      return;
    }
    state.ref = ref;
    state.survey = survey;
    state.step = 0;
    $("step").scrollTop = 0;
    form.fill(null);
    $("answered-note").hidden = !survey.answered;
    show("question");
    settle();
  }

  // -- the questionnaire, one screen at a time -----------------------------------------------
  function go(step) {
    clearTimeout(advanceTimer);
    advancing = null;
    var next = Math.max(0, Math.min(STEPS.length - 1, step));
    if (next !== state.step) {
      settle();
      // A new screen starts at its top: a long question scrolled down to its last choice (or the finger
      // that scrolled it) must not leave the next one's number and words above the area's edge.
      $("step").scrollTop = 0;
    }
    state.step = next;
    if (state.shift !== null) setShift(form.suggestion.value.length === 0);
    renderStep();
  }

  function settle() {
    // A new screen of questions: for SETTLE_MS a tap on it chooses nothing and presses nothing (nor looks
    // pressed, .settling): the finger of the last screen's answer, not this one's.
    settleUntil = performance.now() + SETTLE_MS;
    $("screen-question").classList.add("settling");
    clearTimeout(settleTimer);
    settleTimer = setTimeout(function () { $("screen-question").classList.remove("settling"); }, SETTLE_MS);
  }

  function settling(e) {
    if (performance.now() >= settleUntil) return;
    e.stopPropagation();   // in the capture phase: the button's own listener never hears it
    e.preventDefault();
  }

  function renderStep() {
    var keys = STEPS[state.step];
    var isQuestion = state.step < QUESTIONS;
    form.order().forEach(function (key) { form.blocks[key].hidden = keys.indexOf(key) < 0; });
    // An admin's long wording (up to 500 characters a question, 100 a choice) in smaller type, on one screen.
    var shown = isQuestion ? form.blocks[keys[0]] : null;
    var long = !!shown && (shown.querySelector(".q-text").textContent.length > 160 ||
      [].some.call(shown.querySelectorAll(".choice-text"), function (c) { return c.textContent.length > 36; }));
    $("progress-text").textContent = isQuestion
      ? t("survey.question_n", { n: state.step + 1, total: QUESTIONS })
      : t(keys[0] === "suggestion" ? "survey.title" : "survey.profile_title");
    var done = STEPS.slice(0, QUESTIONS).filter(function (k) { return form.answered(k[0]); }).length;
    $("progress-fill").style.width = Math.round(100 * Math.max(done, Math.min(state.step, QUESTIONS)) / QUESTIONS) + "%";
    $("step-note").hidden = keys[0] !== "sex";
    $("step-note").textContent = t("survey.profile_note");
    $("answered-note").hidden = !(state.survey && state.survey.answered && state.step === 0);
    $("age-pad").hidden = keys.indexOf("age") < 0;
    $("osk").hidden = keys[0] !== "suggestion";
    $("step").classList.toggle("text", keys[0] === "suggestion");
    $("screen-question").classList.toggle("typing", keys[0] === "suggestion");   // landscape: the buttons beside the box
    var last = state.step === STEPS.length - 1;
    $("step-next").hidden = last;
    $("submit").hidden = !last;
    $("step-next").disabled = isQuestion && !form.answered(keys[0]);
    $("submit").disabled = state.sending;
    $("submit").textContent = t(state.sending ? "survey.submitting" : "survey.submit");
    $("step-back").textContent = t(state.step === 0 ? "survey.cancel" : "survey.back");
    fit(isQuestion, long);
    if (keys[0] === "suggestion") placeCaret();
  }

  function fit(isQuestion, long) {
    // A question with its four choices (and "already answered" over the first) on the screen whole, above
    // Batal/Lanjut: the long wording's smaller type (.long), then a step smaller at a time (--fit, with the
    // lines closer: .tight) until it fits — the longest an admin may write, on a 7" tablet (survey.css).
    // Measured, not guessed: the room is the screen's, in either language and orientation.
    var area = $("step"), screen = $("screen-question");
    var levels = !isQuestion ? [null] : (long ? [] : [null]).concat(FITS);
    for (var i = 0; i < levels.length; i++) {
      var f = levels[i];
      area.classList.toggle("long", f !== null);
      screen.classList.toggle("long", f !== null);
      screen.classList.toggle("tight", f !== null && f < 1);
      screen.style.setProperty("--fit", String(f === null ? 1 : f));
      if (i === levels.length - 1 || area.scrollHeight <= area.clientHeight + 1) return;
    }
  }

  function placeCaret() {
    var el = form.suggestion;
    if (document.activeElement !== el) {
      el.focus({ preventScroll: true });
      el.setSelectionRange(el.value.length, el.value.length);
    }
    followCaret(el);
  }

  var mirror = null;
  function caretLine(el) {
    // Where the caret's line is in the text box, from the top of its text (scrolled or not): the text up to
    // the caret in a hidden block of the same width and type, wrapped as the box wraps it.
    if (!mirror) {
      mirror = document.createElement("div");
      mirror.setAttribute("aria-hidden", "true");
      document.body.appendChild(mirror);
    }
    var cs = getComputedStyle(el);
    var padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    mirror.style.cssText = "position:absolute;left:-10000px;top:0;visibility:hidden;white-space:pre-wrap;" +
      "overflow-wrap:break-word;word-break:normal;box-sizing:content-box;padding:0;border:0;" +
      "width:" + (el.clientWidth - padX) + "px;font:" + cs.font + ";letter-spacing:" + cs.letterSpacing +
      ";word-spacing:" + cs.wordSpacing + ";line-height:" + cs.lineHeight + ";tab-size:" + cs.tabSize;
    mirror.textContent = el.value.slice(0, el.selectionEnd == null ? el.value.length : el.selectionEnd);
    var mark = document.createElement("span");
    mark.textContent = "\u200b";
    mirror.appendChild(mark);
    var height = parseFloat(cs.lineHeight) || mark.offsetHeight;
    return { top: mark.offsetTop, height: height };
  }

  function followCaret(el) {
    // The line being typed stays in sight: the box scrolls to it (setRangeText never does), and the
    // questions' area to the box's line when the box is taller than the room it has.
    var line = caretLine(el);
    var cs = getComputedStyle(el);
    var padTop = parseFloat(cs.paddingTop), padBottom = parseFloat(cs.paddingBottom);
    var top = padTop + line.top, bottom = top + line.height;
    if (bottom + padBottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom + padBottom - el.clientHeight;
    if (top - padTop < el.scrollTop) el.scrollTop = Math.max(0, top - padTop);
    var area = $("step");
    var box = el.getBoundingClientRect(), room = area.getBoundingClientRect();
    var onScreen = box.top + el.clientTop + top - el.scrollTop;
    if (onScreen + line.height > room.bottom) area.scrollTop += onScreen + line.height - room.bottom + padBottom;
    else if (onScreen < room.top) area.scrollTop -= room.top - onScreen + padTop;
  }

  // -- the on-screen keys: the age and the suggestion -------------------------------------------
  function setShift(on) {
    state.shift = on;
    document.querySelector("#osk .key-shift").setAttribute("aria-pressed", on ? "true" : "false");
    document.querySelectorAll("#osk [data-key]").forEach(function (k) {
      var ch = k.dataset.key;
      if (ch.length === 1 && /[a-z]/.test(ch)) k.textContent = on ? ch.toUpperCase() : ch;
    });
  }

  function typeInto(el, text) {
    var start = el.selectionStart == null ? el.value.length : el.selectionStart;
    var end = el.selectionEnd == null ? el.value.length : el.selectionEnd;
    var room = el.maxLength > 0 ? el.maxLength - (el.value.length - (end - start)) : text.length;
    if (text && room <= 0) return;
    if (!text && start === end && start > 0) start -= 1;   // backspace
    el.setRangeText(text.slice(0, Math.max(room, 0)), start, end, "end");
    el.dispatchEvent(new Event("input"));
    followCaret(el);
  }

  function pressKey(k) {
    var el = form.suggestion;
    if (k === "shift") return setShift(!state.shift);
    if (k === "backspace") return typeInto(el, "");
    var ch = k === "space" ? " " : k === "enter" ? "\n" : k;
    if (/[a-z]/.test(ch) && state.shift) {
      ch = ch.toUpperCase();
      setShift(false);
    }
    typeInto(el, ch);
    if (/[.?!\n]/.test(ch)) setShift(true);   // a capital after the end of a sentence
  }

  function pressAge(k) {
    var el = form.age;
    if (k === "del") el.value = el.value.slice(0, -1);
    else if (el.value.length < 3) el.value += k;
    el.dispatchEvent(new Event("input"));
  }

  // -- sending ------------------------------------------------------------------------------------
  function newRequestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "tablet-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function submit() {
    if (state.sending || !state.ref) return;   // a double tap sends one request; its request_id covers a retry
    state.sending = true;
    if (!state.requestId) state.requestId = newRequestId();
    var data = Object.assign({ channel: "tablet", request_id: state.requestId }, state.ref, form.payload());
    dropKept(state.ref);   // this ticket's answers kept from before (its visitor back, or the same one): these replace them
    screenError("submit-error", "");
    renderStep();
    var visitor = state;
    var sent = lang;   // the refusal comes in this language; the toggle may be tapped meanwhile
    fetch("/api/survey", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": lang },
      body: JSON.stringify(data)
    }).then(answer).then(function (r) {
      if (visitor !== state) return;   // back at the start meanwhile: this answer is nobody's now
      if ((r.status === 201 || r.status === 200) && r.body.survey) {
        state.survey = r.body.survey;
        // a correction that changed nothing is said so (by a scanned ticket's token: by label and digits the
        // server does not say it, the tablet being never told what a ticket answered)
        state.said = r.body.unchanged ? "unchanged" : r.status === 200 ? "updated" : "thanks";
        state.requestId = null;
        screenError("submit-error", "");
        show("thanks");
        renderThanks();
        return;
      }
      if (r.status === 422) {
        state.requestId = null;
        var placed = form.showErrors(r.body.fields || {});
        var rest = Object.keys(placed.other).map(function (k) { return placed.other[k]; });
        if (placed.first) {
          var at = -1;
          STEPS.forEach(function (keys, i) { if (at < 0 && keys.indexOf(placed.first) >= 0) at = i; });
          go(at);
        }
        screenError("submit-error", rest.length ? [r.body.message].concat(rest) : "", sent);
        resay(sent);
        return;
      }
      // 409 (the day is over), 404, 429, 5xx: the server's words above the buttons.
      if (r.status < 500 && r.status !== 429) state.requestId = null;
      if (r.body.message) screenError("submit-error", r.body.message, sent);
      else screenError("submit-error", t("survey.network_error"));
      resay(sent);
    }).catch(function () {
      if (visitor !== state) return keep(data, visitor.ref);   // the visitor left meanwhile: sent from the outbox
      state.lost = data;
      screenError("submit-error", t(keptNow() ? "survey.kept_text" : "survey.network_error"));
      resendLater(state.requestId);
    }).then(function () {
      store();   // sent (or refused) answers out of the storage, lost ones in
      if (visitor !== state) return;
      state.sending = false;
      if (state.screen === "question") renderStep();
    });
  }

  function resendLater(requestId) {
    // The same answers sent again (RESEND_MS, then every RESEND_EVERY_MS), unless the visitor changed one (a new
    // request_id), sent them again themselves meanwhile, or left (then the outbox sends them: reset).
    var visitor = state;
    clearTimeout(resendTimer);
    resendTimer = setTimeout(function () {
      if (visitor !== state || state.requestId !== requestId || state.sending || state.screen !== "question") return;
      state.resends += 1;
      submit();
    }, state.resends < RESEND_MS.length ? RESEND_MS[state.resends] : RESEND_EVERY_MS);
  }

  function keptNow() {
    // The answers on the screen were sent and their answer never came, unchanged since: kept to be sent (while the
    // outbox has room for them once the visitor leaves).
    return !!state && !!state.lost && state.lost.request_id === state.requestId && outbox.length < OUTBOX_MAX;
  }

  // -- the outbox: answers of visitors gone, sent once the server answers ----------------------------------
  function keep(body, ref) {
    if (outbox.length >= OUTBOX_MAX) return;
    outbox.push({ body: body, ref: JSON.stringify(ref) });
    window.antrianSurvey.kept = outbox.length;
    store();
    sendKept(RESEND_MS[0]);
  }

  function dropKept(ref) {
    var key = JSON.stringify(ref);
    outbox = outbox.filter(function (k) { return k.ref !== key || k === outbox[0] && outboxBusy; });
    window.antrianSurvey.kept = outbox.length;
    store();
  }

  function storable(body) {
    // A body as the tablet sends it (submit), with only its own fields; null for anything else.
    if (!body || typeof body !== "object" || Array.isArray(body)) return null;
    if (body.channel !== "tablet" || typeof body.request_id !== "string" || !/^tablet-[0-9a-f]{32}$/.test(body.request_id)) return null;
    var byToken = typeof body.token === "string" && body.token.length >= 1 && body.token.length <= 64 &&
      body.ticket === undefined && body.phone_last4 === undefined;
    var byLabel = body.token === undefined && typeof body.ticket === "string" && body.ticket.length <= 16 &&
      typeof body.phone_last4 === "string" && /^[0-9]{4}$/.test(body.phone_last4);
    if (!byToken && !byLabel) return null;
    if (!body.answers || typeof body.answers !== "object" || Array.isArray(body.answers)) return null;
    var clean = {};
    STORE_FIELDS.forEach(function (k) { if (body[k] !== undefined) clean[k] = body[k]; });
    return JSON.stringify(clean).length <= STORE_ENTRY_MAX ? clean : null;
  }

  function refOf(body) {
    // the ticket a body names, as state.ref is (lookup, byToken): dropKept compares them as JSON
    return body.token !== undefined ? { token: body.token } : { ticket: body.ticket, phone_last4: body.phone_last4 };
  }

  function store() {
    // The outbox and the answers on the screen said to be kept (keptNow), as they are now; nothing once all are sent.
    var bodies = outbox.map(function (k) { return k.body; });
    if (keptNow()) bodies.push(state.lost);
    bodies = bodies.map(storable).filter(Boolean);
    try {
      if (bodies.length) localStorage.setItem(STORE_KEY, JSON.stringify({ v: 1, kept: bodies }));
      else localStorage.removeItem(STORE_KEY);
    } catch (e) { /* full, or no storage (private mode): kept in memory only */ }
  }

  function loadKept() {
    // The answers a page before this one kept and never sent (its tablet lost power, its browser was closed).
    var raw = null, kept = [];
    try { raw = localStorage.getItem(STORE_KEY); } catch (e) { return; }
    if (raw === null) return;
    try {
      var value = JSON.parse(raw);
      if (value && value.v === 1 && Array.isArray(value.kept)) kept = value.kept;
    } catch (e) { /* not JSON: not the tablet's */ }
    kept.forEach(function (b) {
      var body = storable(b);
      var again = body && outbox.some(function (k) { return k.body.request_id === body.request_id; });
      if (body && !again && outbox.length < OUTBOX_MAX) outbox.push({ body: body, ref: JSON.stringify(refOf(body)) });
    });
    window.antrianSurvey.kept = outbox.length;
    store();   // what was ignored is gone
  }

  function sendKept(wait) {
    // One at a time, the oldest first; a network failure (or the server busy) waits RESEND_EVERY_MS, or the
    // browser's "online". Any other answer (stored, or a refusal: the day over) ends its sending.
    if (outboxTimer !== null || outboxBusy || !outbox.length) return;
    outboxTimer = setTimeout(function () {
      outboxTimer = null;
      var kept = outbox[0];
      if (!kept) return;
      outboxBusy = true;
      fetch("/api/survey", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Lang": officeLang() },
        body: JSON.stringify(kept.body)
      }).then(function (r) {
        outboxBusy = false;
        if (r.status === 429 || r.status === 503) return sendKept(RESEND_EVERY_MS);
        outbox = outbox.filter(function (k) { return k !== kept; });
        window.antrianSurvey.kept = outbox.length;
        store();
        sendKept(0);
      }, function () {
        outboxBusy = false;
        sendKept(RESEND_EVERY_MS);
      });
    }, wait);
  }

  function online() {
    // The network is back: the answers kept are sent now, not at their next try.
    if (outbox.length && !outboxBusy) {
      clearTimeout(outboxTimer);
      outboxTimer = null;
      sendKept(0);
    }
    if (keptNow() && !state.sending && state.screen === "question") submit();
  }

  function renderThanks() {
    $("thanks-text").textContent = t("survey." + state.said + "_text");
    $("thanks-ticket").textContent = state.survey ? t("survey.ticket_for", { label: state.survey.ticket.label }) : "";
  }

  // -- a barcode scanner (a keyboard to the browser) reading the ticket's QR code ----------------
  var scan = { text: "", at: 0 };
  function scanned(e) {
    if (state.screen !== "start" && state.screen !== "identify") return;
    var now = Date.now();
    if (now - scan.at > SCAN_GAP_MS * 5) scan.text = "";
    scan.at = now;
    if (e.key === "Enter") {
      var m = /\/t\/([A-Za-z0-9_-]{8,64})/.exec(scan.text);
      scan.text = "";
      if (m) byToken(m[1]);
      return;
    }
    if (e.key.length === 1) scan.text = (scan.text + e.key).slice(-200);
  }

  // -- wiring ---------------------------------------------------------------------------------
  function wire() {
    // Any touch keeps the visitor's session alive.
    ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, touched, { capture: true, passive: true });
    });
    $("idle-warning").addEventListener("click", idle.hide);
    $("screen-question").addEventListener("click", settling, true);
    $("not-mine").addEventListener("click", askRestart);
    $("restart-confirm").addEventListener("click", restartSettling, true);
    $("restart-no").addEventListener("click", hideRestart);
    $("restart-yes").addEventListener("click", reset);
    // (the caret stays in the suggestion's box, and the on-screen keyboard's Shift as it was)
    ["not-mine", "restart-no", "restart-yes"].forEach(function (id) {
      $(id).addEventListener("mousedown", function (e) { e.preventDefault(); });
    });
    document.addEventListener("keydown", scanned);
    $("start").addEventListener("click", function () {
      show("identify");
      refreshQuestionnaire();
    });
    $("lang-toggle").addEventListener("click", function () {
      var from = lang;
      lang = lang === "id" ? "en" : "id";
      applyLang(from);
      if (state.screen === "identify") renderIdentify();
      armIdle();   // on the start, a language other than the office's goes back after the idle time
    });
    document.querySelectorAll("[data-action=home]").forEach(function (b) { b.addEventListener("click", reset); });
    document.querySelectorAll("[data-prefix]").forEach(function (b) {
      b.addEventListener("click", function () {
        identifyEdited();
        state.prefix = b.dataset.prefix;
        state.active = "ticket";
        renderIdentify();
      });
    });
    document.querySelectorAll("[data-digit]").forEach(function (b) {
      b.addEventListener("click", function () { padDigit(b.dataset.digit); });
    });
    document.querySelector("#id-pad [data-del]").addEventListener("click", padDelete);
    $("id-pad-next").addEventListener("click", padNext);
    $("f-ticket").addEventListener("click", function () { state.active = "ticket"; renderIdentify(); });
    $("f-last4").addEventListener("click", function () { state.active = "phone"; renderIdentify(); });
    $("identify-next").addEventListener("click", lookup);
    $("step-back").addEventListener("click", function () {
      if (state.step === 0) return reset();
      go(state.step - 1);
    });
    $("step-next").addEventListener("click", function () { go(state.step + 1); });
    $("submit").addEventListener("click", submit);
    document.querySelectorAll("#age-pad [data-age]").forEach(function (b) {
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () { pressAge(b.dataset.age); });
    });
    document.querySelectorAll("#osk [data-key]").forEach(function (b) {
      // Keep the focus (and the caret) in the text while a key is pressed.
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () { pressKey(b.dataset.key); });
    });
    document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    window.addEventListener("online", online);
    // The tablet turned (or its window resized): the question's type measured again for the new room.
    window.addEventListener("resize", function () { if (state.screen === "question") renderStep(); });
  }

  state = freshState();
  loadKept();
  wire();
  reset();
  sendKept(0);
  setInterval(function () { checkSettings(true); }, CHECK_SECONDS * 1000);   // a tablet left at its start all day takes the change too
  // Opened with a ticket's token (…/survey/?t=<token>): that ticket, and the token off the address bar
  // so that the next visitor's start is a clean one.
  var token = new URLSearchParams(location.search).get("t");
  if (token) {
    var url = new URL(location.href);
    url.searchParams.delete("t");
    history.replaceState(null, "", url.pathname + url.search);
    byToken(token);
  }
})();
