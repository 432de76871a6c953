// The visitor's phone: the live status of one ticket, and a loud "go to counter N" when it is called.
// It shows only its own ticket; other tickets in the events only prompt a refetch of its own status.
// Once the ticket is served (resolved, escalated, closed, or served before a transfer) it offers the
// satisfaction survey: never required ("Nanti saja" always), correctable until the end of the day ("Ubah jawaban").
import { connect as connectLive, hasLive, inOrder, reloadWhenLive } from "/static/live.js";
import { sayAgain } from "./readparams.js";
import { createSurveyForm } from "./skmform.js";

(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("phone-config").textContent);
  // The words ({id: {...}, en: {...}}) are the server's one catalogue (server/i18n/*.json, keys
  // `phone.*`), in the page's `i18n` JSON element.
  var STRINGS = JSON.parse(document.getElementById("i18n").textContent);

  // A ticket in one of these is done: it will never be called again, so no call sound to turn on.
  var FINISHED = ["resolved", "escalated", "closed", "no_show", "cancelled", "expired"];
  // The page's language: the visitor's own choice (the toggle keeps it in the address, ?lang=), else the
  // office's, which follows an admin's change live (takeOffice).
  var chosen = new URLSearchParams(location.search).get("lang");
  chosen = chosen === "en" || chosen === "id" ? chosen : null;
  var officeLang = CONFIG.lang === "en" ? "en" : "id";
  var lang = chosen || officeLang;
  var ticket = CONFIG.ticket;
  // The call last rung for, by its time (called_at): every call and recall rings once, whatever came
  // between (a skip and the next call commit together, with the calls counting from 1 again). None for
  // a call already on screen when the page opened.
  var alerted = ticket.status === "called" ? ticket.called_at || "shown" : null;
  var alarmTimer = null;
  var audio = null;
  var refetchTimer = null;
  var refetchTries = 0;
  var online = true;
  var shownSeq = ticket.seq || 0;
  var live = null;
  // for tests: the answers to GET /api/state, GET /api/survey (the wording) and GET /api/survey/<token> taken
  var looks = { state: 0, wording: 0, survey: 0 };

  function $(id) { return document.getElementById(id); }
  function t(key, params) {
    var text = STRINGS[lang][key] || STRINGS.id[key] || key;
    // One pass, each value put in as it is: not read again for the placeholders filled after it (a name with
    // "{n}" in it), nor as a replace() string ("$&" and "$$" in a counter's name).
    params = params || {};
    return text.replace(/\{([A-Za-z0-9_]+)\}/g, function (found, k) {
      return Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : found;
    });
  }

  var WITHDRAWN_REASONS = ["idle", "freed", "signed_out"];   // docs/api.md, the status view's `withdrawn`
  // Ended unserved, the visitor to come back: the office closed now, the note names its next opening (`reopens`).
  var COME_BACK = ["expired", "cancelled", "no_show"];
  // The note's key: a cancelled or no-show number of an earlier day (`past_day`, the page left open overnight) cannot
  // be brought back: its note says to take a new number, not to ask the front office about it (kiosk/__init__.py
  // note_key).
  // A waiting number nobody will call today (`no_service`: the day's service hours over, or none today, and no officer
  // at a counter): what to do instead of the promise of a beep.
  function noteKey(tk) {
    var past = tk.past_day && (tk.status === "cancelled" || tk.status === "no_show");
    if (tk.status === "waiting" && tk.no_service) return "note_waiting_over";
    return "note_" + tk.status + (past ? "_past" : "");
  }
  function withdrawnKey(reason) {
    return WITHDRAWN_REASONS.indexOf(reason) >= 0 ? "note_withdrawn_" + reason : "note_withdrawn";
  }

  // A text is written only when it changed: the page redraws at every event of the office, and a live
  // region (the call, the skip, the survey's thanks) rewritten with the same words is said again by a
  // screen reader, each time another visitor takes a number.
  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // The number's width in em (a letter 1.1, a digit 0.7, the dash 0.45): phone.css sizes it to one line.
  function labelEm(label) {
    var em = 0;
    for (var i = 0; i < label.length; i++) em += /[0-9]/.test(label[i]) ? 0.7 : label[i] === "-" ? 0.45 : 1.1;
    return em || 3.7;
  }

  function render() {
    var s = ticket.status;
    document.body.dataset.status = s;
    document.body.classList.toggle("finished", FINISHED.indexOf(s) >= 0);   // its number's card smaller (phone.css)
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { setText(el, t(el.dataset.i18n)); });
    $("lang-toggle").lang = lang === "en" ? "id" : "en";   // "English" is said in English, and the other way
    // "on" only while a sound can really play (the browser lets a page play only after a tap)
    setText($("sound"), t(audio && audio.state === "running" ? "sound_ready" : "sound_on"));
    $("sound").hidden = FINISHED.indexOf(s) >= 0;
    setText($("label"), ticket.label);
    $("label").style.setProperty("--label-em", String(labelEm(String(ticket.label || ""))));
    setText($("service"), ticket.service_name || ticket.service);
    setText($("status"), t(s));
    $("status").className = "status-" + s;
    var counter = ticket.counter_name || "";
    $("called").hidden = s !== "called";
    if (s === "called") {
      // "Loket 2" stays on one line: the counter goes in its own span, kept whole (phone.css).
      var parts = t("go").split("{counter}");
      var go = $("called-go");
      if (go.textContent !== parts[0] + counter + (parts[1] || "")) {
        var span = document.createElement("span");
        span.className = "counter";
        span.textContent = counter;
        go.textContent = "";
        go.append(parts[0], span, parts[1] || "");
      }
      // Which call this is, the last marked as the TV marks it ("Panggilan ke-3 (terakhir)"), and what
      // missing it does: the last call of a round passes the number over (called again later); once it
      // was passed over (`last_chance`), not coming makes it a no-show. The page said neither: a visitor
      // called for the last time read the same "Nomor B-003 dipanggil" as at the first call.
      var maxCalls = CONFIG.max_calls || 3;
      var lastCall = ticket.calls >= maxCalls;
      setText($("called-sub"), lastCall && maxCalls > 1 ? t("go_sub_last", { label: ticket.label, n: ticket.calls })
        : ticket.calls > 1 ? t("go_sub_n", { label: ticket.label, n: ticket.calls })
        : t("go_sub", { label: ticket.label }));
      var miss = ticket.last_chance ? t("called_last_chance") : lastCall ? t("called_last_call") : "";
      setText($("called-miss"), miss);
      $("called-miss").hidden = !miss;
    } else {
      // emptied once the call is over: a next call (back in the line, called again at the same counter) is
      // written anew, and said again, though its words are the same
      setText($("called-go"), "");
      setText($("called-sub"), "");
      setText($("called-miss"), "");
      $("called-miss").hidden = true;
    }
    $("facts").hidden = s !== "waiting";
    if (s === "waiting") {
      if (ticket.position > 0) {
        setText($("position"), t("position", { n: ticket.position }) + " · " +
          (ticket.ahead > 0 ? t("ahead_some", { n: ticket.ahead }) : t("ahead_none")));
        renderWait();
      } else {  // just back in the line (a skip, a transfer): its place comes with the next fetch
        setText($("position"), t("position_updating"));
        setText($("wait"), "");
      }
    }
    // Its call withdrawn: the counter calling it was freed (nobody left there: no counter page open for a while,
    // the front office freeing it, its officer signed out) and the ticket waits again at its place. The page went
    // back to "Menunggu, ke-1" without a word while the visitor walked to the counter it named. Said in the card,
    // until the next call, instead of an earlier skip's note (which speaks of another call). Why, in the visitor's
    // terms and naming nobody (its `reason`: idle, freed, signed_out); a reason this page does not know, as before.
    var withdrawn = s === "waiting" && ticket.withdrawn ? ticket.withdrawn : null;
    $("withdrawn").hidden = !withdrawn;
    var why = withdrawn ? t(withdrawnKey(withdrawn.reason), { counter: withdrawn.counter_name || "" }) : "";
    setText($("withdrawn"), why);
    // Passed over: said first, in the card the visitor reads (not in the small print below it).
    var skipped = s === "waiting" && ticket.requeues > 0 && !withdrawn;
    $("skipped").hidden = !skipped;
    setText($("skipped"), skipped ? t(ticket.last_chance ? "note_skipped_last" : "note_skipped") : "");
    // a note under the place and the wait: the number's card smaller, so that they and the note's start stay on the
    // first screen of a 320x568 phone (phone.css)
    // (and nobody to call it today: what to do instead, `no_service`)
    var noService = s === "waiting" && !!ticket.no_service;
    document.body.classList.toggle("noted", !!withdrawn || skipped || noService);
    // A number ended unserved (expired, cancelled, a no-show), the office closed now: when it opens next, to come
    // back (the status view's `reopens`); it said "Silakan hubungi front office" at 17.00 and nothing of when
    var comeBack = COME_BACK.indexOf(s) >= 0 || (s === "waiting" && !!ticket.no_service);
    var reopens = comeBack && ticket.reopens ? " " + t("note_reopens", { when: ticket.reopens[lang] }) : "";
    setText($("note"), s === "called" ? "" : t(noteKey(ticket), { counter: counter }) + reopens);
    document.body.classList.toggle("offline", !online);
    // The lost connection said at the top in the page's language: written here, it turns with the rest when the
    // visitor taps "English" (it was written once as the connection went, and stayed Indonesian on an English page).
    setText($("conn"), online ? "" : t("conn_lost"));
    document.title = ticket.label + " — " + t(s);
    renderSurvey();
    // Ended: the server says whether its survey opens (served; or served before a transfer and never at the
    // service it was sent to, then cancelled or passed over: served all the same, server/core.py partly_served).
    if (FINISHED.indexOf(s) >= 0 && !survey.state && !survey.loading) fetchSurvey();
  }

  // The wait counted down from when the server's estimate was taken (waitFrom, the page's clock): the estimate changes
  // only when the line does (an event), and a page 40 minutes into the wait still said "± 23 menit". Never below
  // "segera": past its estimate the visitor is next at any moment, as far as the office knows. No minutes when nobody
  // will call today (`no_service` "ended" or "closed"): at 17.00, every officer gone, it said "segera".
  var waitFrom = Date.now();
  var WAIT_TICK_MS = 15000;
  function renderWait() {
    if (ticket.status !== "waiting" || !(ticket.position > 0)) return;
    if (ticket.no_service === "ended" || ticket.no_service === "closed") {
      setText($("wait"), t("wait_" + ticket.no_service));
      return;
    }
    var left = (ticket.estimated_wait_s || 0) - (Date.now() - waitFrom) / 1000;
    var minutes = Math.ceil(left / 60);
    setText($("wait"), minutes > 0 ? t("wait_min", { n: minutes }) : t("wait_now"));
  }
  setInterval(renderWait, WAIT_TICK_MS);

  // The day's service hours end with no event: the kiosk's stop (office_closed) comes `last_ticket_minutes` before
  // it, and a page whose officers had all left by then said "segera" all evening, though nobody would call its number
  // (it heard of `no_service` only at the line's next event, and there was none). The status view says when they end
  // (`service_ends_in_s`, counted from its read, so the phone's own clock may be wrong): the page reads its ticket
  // once then, a few seconds after (spread, so that the room's phones do not ask in the same instant). One timer,
  // set again by each read of the ticket; none once the hours are over or the number is no longer waiting: an officer
  // still at a counter then is followed by the events (their sign-out, the automatic release).
  var END_AFTER_MS = 2000;
  var END_SPREAD_MS = 8000;
  var endTimer = null;
  function watchEnd(view) {
    if (view.service_ends_in_s === undefined) return;   // an event's ticket: the read that follows it says
    clearTimeout(endTimer);
    endTimer = null;
    var left = view.service_ends_in_s;
    if (ticket.status !== "waiting" || typeof left !== "number") return;
    var delay = Math.min(left * 1000 + END_AFTER_MS + Math.floor(Math.random() * END_SPREAD_MS), 0x7fffffff);
    endTimer = setTimeout(function () {
      endTimer = null;
      if (ticket.status === "waiting") refetch(0);
    }, delay);
  }

  // -- the satisfaction survey ------------------------------------------------------------------
  // survey.view: "none" (nothing shown), "invite", "later" (a small button to come back), "form", "done",
  // "closed" (served, not answered, and the day is over: said, for a visitor who scans the survey's code
  // at home the next day)
  // said: the thanks' words, "thanks" (the first answers), "updated" (a correction) or "unchanged" (a correction that
  // changed nothing: the server wrote nothing, and "sudah diperbarui" was said of nothing).
  // sent: the answers sent whose answer has not come (on its way, or lost on the way back: the network error shown),
  // with what the thanks would say; the ticket's own survey_answered event, or a read of the survey, that shows them
  // stored says the thanks (sentStored): the page stayed on the form, saying the answers were not sent.
  var survey = { state: null, loading: false, view: "none", editing: false, said: "thanks", requestId: null,
                 sending: false, sent: null, asked: new URLSearchParams(location.search).get("survey") === "1" };
  var form = createSurveyForm(CONFIG.survey, {
    t: t,
    onChange: function () {
      survey.requestId = null;   // a changed answer is a new submission
      survey.sent = null;        // and what was sent before is no longer what the form says
      keepDraft();
    }
  });

  // What the visitor chose and typed, kept in this tab (sessionStorage, never on the phone beyond it) until it
  // is sent: a phone reloads a tab left in the background (the visitor copies an error message from another
  // app into the complaint, answers a call), and the page came back with the invitation, every answer and the
  // text typed so far gone.
  var DRAFT_KEY = "antrian-survey-draft:" + CONFIG.token;
  function keepDraft() {
    try {
      if (survey.view === "form" || survey.view === "later") {
        var kept = { view: survey.view, editing: survey.editing, form: form.draft() };
        sessionStorage.setItem(DRAFT_KEY, JSON.stringify(kept));
      } else {
        sessionStorage.removeItem(DRAFT_KEY);
      }
    } catch (e) { /* no storage (a private window of an old browser): nothing kept */ }
  }

  function restoreDraft(state) {
    // The form as it was before a reload, while the survey is open and the draft still fits the state: a
    // new response's draft while none was given, a correction's while one was and may still be corrected
    // (answered meanwhile on the tablet: the draft is dropped, the thanks shown).
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.form || !state.open || Boolean(kept.editing) !== Boolean(state.answered)) return false;
    if (kept.editing && state.corrections_left === 0) return false;   // corrected 5 times meanwhile: none left
    form.restore(kept.form);
    survey.editing = Boolean(kept.editing);
    survey.view = kept.view === "later" && !survey.editing ? "later" : "form";
    return true;
  }
  form.order().forEach(function (key) {
    var where = /^U[0-9]$/.test(key) ? "survey-questions" : key === "suggestion" ? "survey-text" : "survey-profile";
    $(where).appendChild(form.blocks[key]);
  });

  // One read at a time: asked for while one is on its way (it may have been read before the change that asks),
  // it is read once more after it.
  var surveyAgain = false;
  function fetchSurvey() {
    if (survey.loading) {
      surveyAgain = true;
      return;
    }
    survey.loading = true;
    fetch("/api/survey/" + encodeURIComponent(CONFIG.token) + "?lang=" + lang, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && body.survey && !olderSurvey(body.survey)) surveyState(body.survey); })
      .catch(function () { /* offline: the next event, or the snapshot when the socket is back, asks again */ })
      .then(function () {
        looks.survey += 1;
        survey.loading = false;
        if (surveyAgain) {
          surveyAgain = false;
          fetchSurvey();
        }
      });
  }

  // A read sent before the visitor's own answers went and answered after them (their POST's answer, "terima
  // kasih", came first): it says "not answered yet", older than what the page shows. A response is never taken
  // back, so a state without one after a state with one is an older read, and dropped (the invite came back).
  function olderSurvey(state) {
    return Boolean(survey.state && survey.state.answered && !state.answered);
  }

  function surveyState(state) {
    // The server's word on this ticket's survey: open or not, and the response given.
    var first = !survey.state;
    survey.state = state;
    if (first && restoreDraft(state)) {
      // the page reloaded: the form, or its "later" button, as the visitor left it
    } else if (survey.view === "form" && sentStored(state)) {
      // the answers sent are stored, their answer lost on the way back (a weak signal): the thanks, as the answer's
      thanked(survey.sent.said);
    } else if (survey.view !== "form" || !state.open) {
      if (survey.view === "form") {   // closed meanwhile (the day is over): no form left to fill in
        survey.view = "none";
        survey.editing = false;
      }
      if (state.answered) survey.view = "done";
      else if (!state.open) survey.view = state.reason === "day_over" ? "closed" : "none";
      else if (survey.view === "none" || survey.view === "done") survey.view = survey.asked ? "form" : "invite";
      if (survey.view === "form") form.fill(null);
    }
    renderSurvey();
    keepDraft();
    if (survey.asked && survey.view === "form") $("survey-form").scrollIntoView({ block: "start" });
    survey.asked = false;
  }

  // The answers sent (form.payload()) as the server keeps them: the same scores, profile and wording, and the text,
  // if one was sent, as it cleans it (server/forms.py clean_text: trimmed, NFC, line breaks as \n). Without a text
  // the one given before stays, whatever it is.
  function sameAnswers(sent, response) {
    if (!response) return false;
    var answers = response.answers || {}, profile = response.profile || {};
    var same = Object.keys(sent.answers).length === Object.keys(answers).length &&
      Object.keys(sent.answers).every(function (code) { return answers[code] === sent.answers[code]; }) &&
      ["sex", "age", "education", "occupation"].every(function (k) {
        return (sent.profile[k] == null ? null : sent.profile[k]) === (profile[k] == null ? null : profile[k]);
      });
    if (same && typeof sent.wording === "number") same = response.wording === sent.wording;
    if (same && typeof sent.suggestion === "string") {
      same = sent.suggestion.trim().normalize("NFC").replace(/\r\n?/g, "\n") === response.suggestion;
    }
    return same;
  }

  function sentStored(state) {
    return !!survey.sent && state.answered && sameAnswers(survey.sent.payload, state.response);
  }

  function thanked(said) {
    // The answers are stored: the thanks, in `said`'s words.
    survey.requestId = null;
    survey.sent = null;
    survey.said = said;
    survey.editing = false;
    form.clearErrors();
    surveyError("");
    survey.view = "done";
  }

  function renderSurvey() {
    var state = survey.state;
    var view = state ? survey.view : "none";
    $("survey").hidden = view === "none";
    $("survey-closed").hidden = view !== "closed";
    $("survey-invite").hidden = view !== "invite";
    $("survey-reopen").hidden = view !== "later";
    $("survey-form").hidden = view !== "form";
    $("survey-done").hidden = view !== "done";
    form.render(lang);
    setText($("survey-not-now"), t(survey.editing ? "survey_cancel_edit" : "survey_later"));
    setText($("survey-submit"), t(survey.sending ? "survey.submitting" : "survey.submit"));
    $("survey-submit").disabled = survey.sending;
    if (view === "done" && state.response) {
      setText($("survey-done-text"), t("survey." + survey.said + "_text"));
      // what the visitor wrote, on their own page (the tablet never shows it): the office's reply below answers it
      var own = state.response.suggestion || "";
      $("survey-own").hidden = !own;
      if ($("survey-own-text").textContent !== own) ownOpen = false;   // a new text: folded again
      setText($("survey-own-text"), own);
      foldOwn();
      var editable = state.open && state.corrections_left !== 0; // 5 corrections a ticket (the server's count)
      $("survey-edit").hidden = !editable;
      $("survey-edit-note").hidden = !editable;
      $("survey-reply").hidden = !state.response.answer;
      setText($("survey-reply-text"), state.response.answer || "");
    }
  }

  // The visitor's own text on the thanks card, folded to its first lines when longer, with "Tampilkan semua" under
  // it: under a complaint of 2,000 characters (some ten screens on a phone) "Ubah jawaban" was far down the page.
  // Only clipped on the screen (phone.css .folded): a screen reader reads it whole, the button says whether it is
  // open (aria-expanded).
  var ownOpen = false;
  function foldOwn() {
    var text = $("survey-own-text"), more = $("survey-own-more");
    if ($("survey-own").hidden || $("survey-done").hidden) return;
    text.classList.add("folded");
    var long = text.scrollHeight > text.clientHeight + 1;   // more than the folded lines
    text.classList.toggle("folded", long && !ownOpen);
    more.hidden = !long;
    more.setAttribute("aria-expanded", String(long && ownOpen));
    setText(more, t(ownOpen ? "survey_own_less" : "survey_own_more"));
  }

  function showSurvey(view) {
    survey.view = view;
    renderSurvey();
    keepDraft();
  }

  // The survey's error line above its button: one message or several (a 422's words and its fields'), kept
  // with the language they were said in, so that the language toggle says them again (rewordSurvey).
  var surveySaid = { lang: lang, parts: [] };
  function surveyError(text, said) {
    surveySaid = { lang: said || lang, parts: [].concat(text || []).filter(Boolean) };
    drawSurveyError();
  }

  function drawSurveyError() {
    var text = surveySaid.parts.join(" ");
    $("survey-error").textContent = text;
    $("survey-error").hidden = !text;
  }

  function reword(text, from) {
    // Words said in `from` (the server's refusal, the catalogue's `error.*`; the survey's own `survey.*`) in the page's
    // language now (readparams.js sayAgain).
    return from === lang ? text : sayAgain(text, STRINGS[from], t);
  }

  function rewordSurvey(from) {
    // The survey's refusals on the page (at each question, and above the button) in the new language:
    // "Wajib diisi." stayed Indonesian after the toggle, the form's own words around it English.
    if (surveySaid.lang !== lang) {
      var was = surveySaid.lang;
      surveySaid = { lang: lang, parts: surveySaid.parts.map(function (p) { return reword(p, was); }) };
      drawSurveyError();
    }
    document.querySelectorAll("#survey-form [data-error]").forEach(function (p) {
      if (p.textContent) p.textContent = reword(p.textContent, from);
    });
  }

  function newRequestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "phone-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function submitSurvey(e) {
    e.preventDefault();
    if (survey.sending) return;   // a double tap sends one request; its request_id covers a retry
    survey.sending = true;
    if (!survey.requestId) survey.requestId = newRequestId();
    var payload = form.payload();
    var data = Object.assign({ token: CONFIG.token, request_id: survey.requestId }, payload);
    // A correction the same as the answers stored changes nothing (the server says so too, `unchanged`).
    var response = survey.state && survey.state.response;
    var said = !survey.editing ? "thanks" : sameAnswers(payload, response) ? "unchanged" : "updated";
    survey.sent = { payload: payload, said: said };
    // The refusal comes in the language it was asked in: the toggle may have been tapped meanwhile, so
    // it is kept as said in `sent` and said again in the page's language (rewordSurvey).
    var sent = lang;
    surveyError("");
    renderSurvey();
    fetch("/api/survey", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": lang },
      body: JSON.stringify(data)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (r) {
      if ((r.status === 201 || r.status === 200) && r.body.survey) {
        thanked(r.body.unchanged ? "unchanged" : r.status === 200 ? "updated" : "thanks");
        surveyState(r.body.survey);
        $("survey-done").scrollIntoView({ block: "start" });
        return;
      }
      // Refused, or not taken (429): nothing was stored. A 5xx may come after the answers were (a proxy's 502).
      if (r.status < 500) survey.sent = null;
      if (survey.view !== "form") return;   // stored meanwhile, its own event read (sentStored): thanked already
      if (r.status === 422) {
        // Each bad answer at its question, in the server's words; the rest above the button.
        survey.requestId = null;
        var placed = form.showErrors(r.body.fields || {});
        var rest = Object.keys(placed.other).map(function (k) { return placed.other[k]; });
        surveyError([r.body.message].concat(rest), sent);
        rewordSurvey(sent);
        if (placed.first) form.blocks[placed.first].scrollIntoView({ block: "center" });
        return;
      }
      // 409 (not yet served, the day is over), 404, 429, 5xx: the server's words above the button.
      if (r.status < 500 && r.status !== 429) survey.requestId = null;
      if (r.body.message) {
        surveyError(r.body.message, sent);
        rewordSurvey(sent);
      } else {
        surveyError(t("survey.network_error"));
      }
      if (r.status === 409) fetchSurvey();
    }).catch(function () {
      // The answers may have been stored, their answer lost on the way back: the ticket's survey_answered event
      // (or the survey read at the next snapshot, or with the screen back on) then says the thanks (sentStored).
      if (survey.view === "form") surveyError(t("survey.network_error"));
    }).then(function () {
      survey.sending = false;
      renderSurvey();
    });
  }

  // Views and events arrive out of order (a fetch read before a call may be answered after its event):
  // each carries the seq it is current to, and an older one than what the page shows is dropped.
  function update(view, seq) {
    if (!view) return;
    if (typeof seq === "number") {
      if (seq < shownSeq) return;
      shownSeq = seq;
    }
    var moved = view.status !== ticket.status || view.service !== ticket.service;
    // Its service's name stands while its service does: an event's ticket (no name) that only changes the status (a
    // call, a recall, the start) showed the bare code ("C") under the number until the fetch after it came back,
    // seconds on a slow signal, just as the visitor looks at the call.
    var newService = view.service !== undefined && view.service !== ticket.service;
    // The estimate stands from when it was made: the same one read again (an event that moved nobody ahead, a
    // reconnect's snapshot) keeps counting down; a new one, or the ticket back in a line, starts again.
    if (view.estimated_wait_s !== undefined && (moved || view.estimated_wait_s !== ticket.estimated_wait_s)) {
      waitFrom = Date.now();
    }
    ticket = Object.assign({}, ticket, view);
    // An event's ticket is the public one (no place, no service name): what it no longer knows waits
    // for the fetch that follows, rather than show the old place ("ke-0") or service.
    if (moved && view.position === undefined) ticket.position = 0;
    if (newService && view.service_name === undefined) ticket.service_name = "";
    if (moved && view.withdrawn === undefined) ticket.withdrawn = null;   // a withdrawn call is told by the fetch
    if (moved && view.no_service === undefined) ticket.no_service = null;   // so is a day nobody will call it
    watchEnd(view);
    if (ticket.status === "called") callAlert(ticket.called_at);
    render();
  }

  function callAlert(at) {
    if (!at || at === alerted) return;
    alerted = at;
    // Calls that arrive together (the phone back from sleep, a reconnect) ring once, and only if the
    // ticket is still called by then: no alarm for calls already over.
    clearTimeout(alarmTimer);
    alarmTimer = setTimeout(function () { if (ticket.status === "called") alarm(); }, 400);
  }

  // -- sound and vibration ------------------------------------------------------------------
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) {
      audio = new Ctx();
      audio.onstatechange = render;   // running once a tap allowed it: the button says so then
    }
    if (audio.state === "suspended") audio.resume().then(render, function () {});
    return audio;
  }

  function beep(ctx, at) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime + at);
    gain.gain.exponentialRampToValueAtTime(0.5, ctx.currentTime + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + at + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + at);
    osc.stop(ctx.currentTime + at + 0.3);
  }

  function alarm() {
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
    var ctx;
    try { ctx = unlockAudio(); } catch (e) { ctx = null; }
    if (ctx) [0, 0.35, 0.7].forEach(function (at) { beep(ctx, at); });
    document.body.classList.remove("flash");
    void document.body.offsetWidth;
    document.body.classList.add("flash");
  }

  // -- live updates ---------------------------------------------------------------------------
  // The ticket's own view (its place, wait, service name) after an event; tried again when it fails (a weak
  // signal; the guest Wi-Fi's shared address over its request budget, 429; the server busy, 503), not left at the
  // event's bare ticket: five times within 30 s, then once a minute until one is read. It gave up after the fifth,
  // and a number passed over or sent to another service said "Memperbarui posisi Anda…" (its service's name blank)
  // until the office's next event, minutes later in a quiet hour. A token no ticket has (404) is not asked again.
  var REFETCH_QUICK_TRIES = 5;
  var REFETCH_LATER_MS = 60000;
  function refetch(delay) {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(function () {
      fetch("/api/tickets/" + encodeURIComponent(CONFIG.token) + "?lang=" + lang, { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (body) { refetchTries = 0; update(body.ticket, body.ticket.seq); })
        .catch(function (status) {
          if (status === 404) return;
          refetchTries += 1;
          refetch(refetchTries <= REFETCH_QUICK_TRIES ? 2000 * refetchTries : REFETCH_LATER_MS);
        });
    }, delay === undefined ? 150 : delay);
  }

  function mine(ev) {
    return ev.ticket && ev.ticket.label === ticket.label && ev.ticket.day === ticket.day;
  }

  function ownComplaint(ev) {
    // A complaint's events name no ticket in public, only the response: this page's, if it holds it.
    var response = survey.state && survey.state.response;
    return /^complaint_/.test(ev.type) && !!response && !!ev.data && ev.data.complaint_id === response.id;
  }

  var NO_LIVE_RETRY_MS = 30000;   // socket.io's script did not come: asked for again this often

  function connect() {
    if (!hasLive()) {
      // socket.io's script did not come (patchy data, the server restarting). While the ticket may still
      // change, the page says it is not live, as when its connection is lost, and loads itself again once
      // the server answers; a finished ticket's page stays (the visitor may be filling in its survey).
      if (FINISHED.indexOf(ticket.status) >= 0) return;
      online = false;
      render();
      reloadWhenLive(NO_LIVE_RETRY_MS);
      return;
    }
    // The live client (/static/live.js) drops what we already show and asks for a snapshot on a gap;
    // the page starts from the seq it was drawn at, and the snapshot brings this ticket's view.
    // The questionnaire's wording is current to the seq the page was drawn at; a snapshot newer than
    // that (a connect, or a gap: events may have been missed) fetches it again, in case the admin
    // changed it meanwhile (a settings_changed event the page never got).
    var wordingSeq = ticket.seq || 0;
    live = connectLive({
      auth: { role: "ticket", token: CONFIG.token },
      // Once a WebSocket worked, a reconnect opens one at once rather than long-polling first. A connection dead
      // without a word (the screen on, a router that dropped the flow) leaves the browser's idle keep-alive
      // connections to the server dead too: a long-polling handshake sent on one waited socket.io's 20 s timeout,
      // attempt after attempt, and the phone said "Menunggu" for minutes while its visitor was called
      // (tests/test_silent_drop.py). A WebSocket opens a connection of its own; one that fails sends the next
      // attempt back to long-polling.
      options: { rememberUpgrade: true },
      seq: ticket.seq || 0,
      onSnapshot: function (snap) {
        online = true;   // a snapshot comes only over a connection (render writes the banner away)
        // the admin's [queue] max_calls now (the page was drawn with the one of its time)
        if (Number.isInteger(snap.max_calls) && snap.max_calls > 0) CONFIG.max_calls = snap.max_calls;
        if (typeof snap.seq === "number") stateSeq = snap.seq;   // taken whatever its seq (a server restored from a copy)
        takeOffice(snap.office);
        // The survey read before this snapshot (the page's first read, or one before the socket went away) may
        // be older than it: an answer on the tablet, the office's reply, the day's end told by no event this
        // page got. Read again (a survey not read yet is read by render, once the ticket is served).
        var surveyRead = survey.state || survey.loading;
        if (snap.ticket && refetchTries > 0) {   // the view a failed read was tried again for: no more tries
          clearTimeout(refetchTimer);
          refetchTries = 0;
        }
        if (snap.ticket) update(snap.ticket, snap.ticket.seq);
        else render();
        if (surveyRead && FINISHED.indexOf(ticket.status) >= 0) fetchSurvey();
        if (snap.seq > wordingSeq) { wordingSeq = snap.seq; refetchQuestionnaire(); }
      },
      onEvent: function (ev) {
        // the call shows at once; position and wait follow. ("served": the public word for how a case ended, which
        // this page's own room told it first; were that lost, the fetch that follows says it.)
        if (mine(ev) && ev.ticket.status !== "served") update(ev.ticket, ev.seq);
        if (mine(ev) && (ev.type === "called" || ev.type === "recalled")) callAlert(ev.at);
        // answered on the tablet; or this page's answers, their answer lost on the way back (sentStored)
        if (mine(ev) && ev.type === "survey_answered") fetchSurvey();
        if (ownComplaint(ev)) fetchSurvey();   // the office replied to (or closed) this visitor's complaint
        if (ev.type === "settings_changed" && ev.data && ev.data.section === "survey") refetchQuestionnaire();
        // the number of calls may have changed: the snapshot says it (which call is the last)
        // so may the office's name and language
        if (ev.type === "settings_changed" && ev.data && /^(queue|office)$/.test(ev.data.section)) refetchState();
        refetch();
      },
      onStatus: function (up, reason) {
        // Cut off, the page says so at its top and greys what may be out of date (a call made meanwhile
        // shows with the snapshot that comes back with the connection).
        online = up;
        if (up) reconnectPause = RECONNECT_FIRST_MS;
        // Closed by the server (a connection past its snapshot budget: server/realtime.py), socket.io tries no
        // more by itself: the page said "mencoba menyambung kembali" for ever and tried nothing, while its
        // visitor was called. It tries again after a pause, as the TV and the kiosk do.
        if (reason === "io server disconnect") reconnectLater();
        render();
      }
    });
    // A handshake the server refused (not one that found no server: socket.io tries those again itself)
    live.socket.on("connect_error", function () {
      if (!live.socket.active) reconnectLater();
    });
  }

  // Each pause twice the one before, up to a minute: a server that keeps refusing is asked less and less often.
  var RECONNECT_FIRST_MS = 2000;
  var reconnectPause = RECONNECT_FIRST_MS;
  var reconnectTimer = null;
  function reconnectLater() {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(function () {
      if (live && !live.socket.connected && !live.socket.active) live.socket.connect();
    }, reconnectPause);
    reconnectPause = Math.min(reconnectPause * 2, 60000);
  }

  // An admin saved the office or the queue: its name, language and max_calls from the public state. Not a
  // socket snapshot: a connection may ask for three, then one per 10 s, and four saves in a few seconds cut off
  // every phone and blocked its address for 10 s (all of a guest Wi-Fi's phones share one). Saves close
  // together are read once. Reads further apart may cross (one slowed on the guest Wi-Fi): an answer older than
  // the state taken last (its seq; a snapshot's too) is dropped, as it put back the office's old name, language
  // and number of calls until the next save.
  var stateTimer = null;
  var stateSeq = -1;
  function refetchState() {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(function () {
      fetch("/api/state", { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          if (typeof s.seq === "number") {
            if (s.seq < stateSeq) return;
            stateSeq = s.seq;
          }
          if (Number.isInteger(s.max_calls) && s.max_calls > 0) CONFIG.max_calls = s.max_calls;
          takeOffice(s.office);
          render();
        })
        .catch(function () { /* offline: the snapshot at the reconnect brings them */ })
        .then(function () { looks.state += 1; });
    }, 500);
  }

  // The office's name and language as an admin set them (the snapshot at every connect; refetchState after a
  // save): the page was drawn with those of its time. A language the visitor chose stays.
  function takeOffice(office) {
    if (!office) return;
    if (typeof office.name === "string" && office.name) setText($("office-name"), office.name);
    var now = office.language === "en" ? "en" : "id";
    if (now === officeLang) return;
    officeLang = now;
    if (chosen || lang === now) return;
    var from = lang;
    lang = now;
    rewordSurvey(from);
    render();
  }

  // The questionnaire read again (a snapshot, an admin's change): answers taken in the order the reads were sent. One
  // sent earlier and answering later is dropped: it put back the old wording, and the answers went under its id.
  var wordingReads = inOrder();
  function refetchQuestionnaire() {
    var mine = wordingReads.ask();
    fetch("/api/survey", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (q) {
        if (!q || !wordingReads.take(mine)) return;
        form.retext(q);
      })
      .catch(function () {})
      .then(function () { looks.wording += 1; });
  }

  $("survey-start").addEventListener("click", function () {
    survey.sent = null;
    form.fill(null);
    surveyError("");
    showSurvey("form");
    $("survey-form").scrollIntoView({ block: "start" });
  });
  $("survey-later").addEventListener("click", function () { showSurvey("later"); });
  $("survey-reopen").addEventListener("click", function () { showSurvey("form"); });
  $("survey-not-now").addEventListener("click", function () {
    survey.sent = null;   // given up: a later read of what it sent says no thanks over the page the visitor went to
    surveyError("");
    form.clearErrors();
    if (survey.editing) {
      survey.editing = false;
      return showSurvey("done");
    }
    showSurvey("later");
  });
  $("survey-edit").addEventListener("click", function () {
    survey.editing = true;
    survey.requestId = null;
    survey.sent = null;
    form.fill(survey.state && survey.state.response);
    surveyError("");
    showSurvey("form");
    $("survey-form").scrollIntoView({ block: "start" });
  });
  $("survey-form").addEventListener("submit", submitSurvey);
  $("survey-own-more").addEventListener("click", function () {
    ownOpen = !ownOpen;
    foldOwn();
    // folded again from far down the text: back to its button, not left somewhere under the card
    if (!ownOpen) $("survey-own-more").scrollIntoView({ block: "nearest" });
  });
  // turned sideways, or the text set larger: how many lines it takes changes
  window.addEventListener("resize", foldOwn);

  $("sound").addEventListener("click", function () {
    var ctx = null;
    try { ctx = unlockAudio(); } catch (e) { /* no WebAudio: vibration only */ }
    if (ctx) beep(ctx, 0.05);   // one beep now: the visitor hears how loud a call will be
    render();
  });
  $("lang-toggle").addEventListener("click", function () {
    var from = lang;
    lang = lang === "id" ? "en" : "id";
    chosen = lang;   // the visitor's: an admin's change of the office's language leaves it
    rewordSurvey(from);
    // kept in the address, so that a reload (or the phone reopening the tab) stays in this language
    var url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    render();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) return;
    // Back on the screen (the phone unlocked): its ticket read at once over HTTP. The socket may have died
    // without a word while the screen was off (the guest Wi-Fi handed over to mobile data, the phone's radio
    // asleep): nothing closes it, and socket.io notices only at its ping timeout, up to 14 s later (it was 45 s;
    // server/realtime.py PING_INTERVAL_S). The page said "Menunggu" meanwhile, as if current, while the visitor
    // was being called; the read shows (and rings for) a call made meanwhile, the socket's snapshot follows once
    // it is back.
    refetch(0);
    // the survey may have closed with the day meanwhile
    if (survey.state && survey.state.open) fetchSurvey();
  });
  // The phone moved to another network (the guest Wi-Fi handed over to mobile data: Android's
  // navigator.connection.type): the socket's connection stayed on the old one, dead without a word, and the
  // page would hear of nothing until socket.io's ping timeout (up to 14 s) while looking current. Its ticket is
  // read at once, and the socket connects anew (its snapshot brings the rest). Only a new type counts: the
  // same event says every change of the connection's speed estimates.
  var network = navigator.connection;
  var networkType = network && network.type;
  if (network && network.addEventListener) {
    network.addEventListener("change", function () {
      if (network.type === networkType) return;
      networkType = network.type;
      refetch(0);
      if (live && live.socket.connected) live.socket.io.engine.close();   // socket.io reconnects at once
    });
  }

  render();
  watchEnd(ticket);   // the ticket the page was drawn with: the status view
  connect();
  // for tests: the socket (to cut it), whether the page is live, the calls it rang for
  window.antrianPhone = {
    get socket() { return live && live.socket; },
    connected: function () { return !!live && live.synced() && online; },
    ticket: function () { return ticket; },
    seq: function () { return shownSeq; },
    liveSeq: function () { return live ? live.seq() : 0; },   // the last event the page took
    looks: looks
  };
})();
