// The touchscreen kiosk: welcome -> service -> form (on-screen keyboard) -> review -> ticket.
// Nothing of a visitor stays once the kiosk returns to the welcome screen.
import { connect } from "/static/live.js";

(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("kiosk-config").textContent);
  var FIELDS = ["name", "agency", "address", "phone", "problem"];
  var TICKET_SCREEN_SECONDS = 20;
  var PRINT_FAILED_SECONDS = 60;             // a visitor without a paper ticket needs time to note the number
  var PRINT_POLLS = [1, 2, 3, 5, 8, 13];     // seconds between looks at the ticket's print job (~32 s in all)
  var STATE_REFRESH_SECONDS = 60;            // the office's hours change with no event: look again this often
  var ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

  // The words ({id: {...}, en: {...}}) are the server's one catalogue (server/i18n/*.json, keys
  // `kiosk.*`), in the page's `i18n` JSON element.
  var STRINGS = JSON.parse(document.getElementById("i18n").textContent);

  var state;          // everything this visitor entered; replaced wholesale on reset
  var lang = CONFIG.lang === "en" ? "en" : "id";
  var idleTimer = null;
  var submitting = false;
  var TAP_GUARD_MS = 600;      // after a screen change, the second tap of a double tap is dropped
  var SUBMIT_TIMEOUT_MS = 15000;
  var tapGuardUntil = 0;
  // A double tap's second tap (its click counts 2) just after a screen change is not meant for the new
  // screen; a tap of its own (count 1) always goes through.
  document.addEventListener("click", function (ev) {
    if (ev.detail > 1 && performance.now() < tapGuardUntil) {
      ev.stopImmediatePropagation();
      ev.preventDefault();
    }
  }, true);
  // The office as the server last told it: open or closed (and when it opens), and per service its
  // waiting count, estimated wait and what is left of its daily quota. A field an older server does not
  // send is simply not shown.
  var office = (CONFIG.state && CONFIG.state.office) || {};
  var services = {};
  ((CONFIG.state && CONFIG.state.services) || []).forEach(function (sv) { services[sv.code] = sv; });
  window.antrianKiosk = { live: false, resetIn: null };   // for tests: the live updates, the armed reset

  function idleSeconds() {
    // ?idle=N lets a test (or an admin trying it out) shorten the idle time for one page load.
    var asked = parseInt(new URLSearchParams(location.search).get("idle"), 10);
    return asked >= 2 && asked <= 3600 ? asked : CONFIG.idle_seconds;
  }

  function t(key, params) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.id[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.replace("{" + k + "}", params[k]); });
    return text;
  }

  function $(id) { return document.getElementById(id); }
  function field(key) { return $("f-" + key); }

  function freshState() {
    return { screen: "welcome", service: null, serviceName: "", category: "", priority: false,
             active: "name", shift: false, caps: false, requestId: null, ticket: null, errors: {}, summary: "",
             printTimer: null, printPolls: 0 };
  }

  // -- language ---------------------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    $("ticket-qr").alt = t("qr_alt");
    renderOffice();
    if (state.screen === "review") renderReview();
    if (state.screen === "ticket") renderTicket();
  }

  // -- the office's hours and the services' figures ------------------------------------------
  function officeClosed() { return office.open === false; }

  function zoneName() { return ZONES[CONFIG.timezone] || CONFIG.timezone || ""; }

  function localParts(date) {
    // The date and time in the office's time zone (from the server), never the browser's.
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: CONFIG.timezone || "Asia/Jakarta", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts;
  }

  var DAYS = {
    id: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
  };
  var MONTHS = {
    id: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"],
    en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]
  };

  function formatOpening(iso) {
    // As the server writes it (server/hours.py), in the office's time zone:
    // "besok, Senin, 30 November 2026 pukul 08.00 WIB" / "tomorrow, Monday, 30 November 2026 at 08:00 WIB"
    var when = new Date(iso);
    if (isNaN(when)) return "";
    var p = localParts(when);
    var today = localParts(new Date());
    var dayKey = function (x) { return Date.UTC(+x.year, +x.month - 1, +x.day); };
    var days = Math.round((dayKey(p) - dayKey(today)) / 86400000);
    var l = lang === "en" ? "en" : "id";
    var weekday = DAYS[l][new Date(dayKey(p)).getUTCDay()];
    var date = weekday + ", " + (+p.day) + " " + MONTHS[l][+p.month - 1] + " " + p.year;
    var time = p.hour + (l === "en" ? ":" : ".") + p.minute + (zoneName() ? " " + zoneName() : "");
    var prefix = days === 0 ? t("today") + ", " : days === 1 ? t("tomorrow") + ", " : "";
    return prefix + date + " " + t("at") + " " + time;
  }

  function renderOffice() {
    // "Buka kembali" above the day and time, on a line of their own ("Buka kembali {when}" read aloud).
    var next = $("closed-next");
    next.textContent = "";
    if (office.next_opening) {
      var parts = t("closed_next").split("{when}");
      var lead = document.createElement("span");
      var when = document.createElement("span");
      lead.className = "closed-next-lead";
      when.className = "closed-next-when";
      lead.textContent = parts[0].trim();
      when.textContent = formatOpening(office.next_opening) + (parts[1] || "");
      next.append(lead, " ", when);
    } else if (officeClosed()) {
      next.textContent = t("closed_never");
    }
    document.querySelectorAll("[data-service]").forEach(function (b) {
      var sv = services[b.dataset.service] || {};
      var info = "";
      if (typeof sv.waiting === "number") {
        info = sv.waiting > 0 ? t("service_waiting", { n: sv.waiting }) : t("service_waiting_none");
        var minutes = Math.ceil((sv.estimated_wait_s || 0) / 60);
        if (sv.waiting > 0 && minutes > 0) info += "\n" + t("service_wait", { n: minutes });   // a line of its own
      }
      document.querySelector('[data-info="' + b.dataset.service + '"]').textContent = info;
      var unserved = sv.served === false; // no counter serves it now: the server gives no number
      var full = unserved || (typeof sv.left === "number" && sv.left <= 0);
      var quota = typeof sv.left === "number" ? (full ? t("service_full") : t("service_left", { n: sv.left })) : "";
      if (unserved) quota = t("service_not_served");
      var q = document.querySelector('[data-quota="' + b.dataset.service + '"]');
      q.textContent = quota;
      q.classList.toggle("full", full);
      b.disabled = full;
      b.classList.toggle("full", full);
    });
  }

  function applyState(snap) {
    // A snapshot (socket or GET /api/state): take what it has, keep what it lacks.
    if (!snap) return;
    if (snap.office) office = Object.assign({}, office, snap.office);
    (snap.services || []).forEach(function (sv) { services[sv.code] = Object.assign({}, services[sv.code], sv); });
    renderOffice();
    if (state.screen === "welcome" && officeClosed()) show("closed");
    else if (state.screen === "closed" && !officeClosed()) show("welcome");
    scheduleOfficeChange();
  }

  var stateTimer = null;
  function fetchState(delay) {
    // Debounced: a burst of events costs one request (and the server shares one snapshot per change).
    clearTimeout(stateTimer);
    stateTimer = setTimeout(function () {
      fetch("/api/state", { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(applyState)
        .catch(function () { /* offline: the next event or the periodic look */ });
    }, delay == null ? 300 : delay);
  }

  var changeTimer = null;
  function scheduleOfficeChange() {
    // Look again just after the office is due to open or to stop issuing numbers.
    clearTimeout(changeTimer);
    var at = Date.parse(officeClosed() ? office.next_opening : office.closes_at);
    if (isNaN(at)) return;
    var wait = at - Date.now() + 1500;
    if (wait > 0 && wait < 86400000) changeTimer = setTimeout(function () { fetchState(0); }, wait);
  }

  // -- screens ----------------------------------------------------------------------------
  function show(name) {
    if (name === "welcome" && officeClosed()) name = "closed";
    // The second half of a double tap lands on the next screen's button under the finger (Batal under
    // Kembali, a service under Mulai, Prioritas under a service): taps just after a change are dropped.
    if (name !== state.screen) tapGuardUntil = performance.now() + TAP_GUARD_MS;
    state.screen = name;
    document.querySelectorAll("section[data-screen]").forEach(function (el) { el.hidden = el.dataset.screen !== name; });
    document.body.dataset.current = name;
    if (name === "form") {
      activate(state.active || "name");
      updateFormMore();
    }
    if (name === "review") updateReviewMore();
    armIdle();
  }

  function reset() {
    // Back to the start for the next visitor: every field, error, choice and the ticket cleared.
    if (state) clearTimeout(state.printTimer);
    state = freshState();
    submitting = false;
    FIELDS.forEach(function (k) { field(k).value = ""; });
    $("visitor-form").reset();
    clearErrors();
    document.querySelectorAll("[data-category]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    $("priority").setAttribute("aria-pressed", "false");
    $("form-service").textContent = "";
    $("review").textContent = "";
    $("submit-error").hidden = true;
    $("submit-error").textContent = "";
    $("submit").disabled = false;
    ["ticket-label", "ticket-service", "ticket-ahead", "ticket-wait", "ticket-hint"].forEach(function (id) {
      $(id).textContent = "";
    });
    $("ticket-priority").hidden = true;
    $("ticket-print-failed").hidden = true;
    $("screen-ticket").removeAttribute("data-print");
    $("ticket-qr").removeAttribute("src");
    setCaps(false);
    setShift(false);
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    lang = CONFIG.lang === "en" ? "en" : "id";
    applyLang();
    show("welcome");
    refreshIfStale();
  }

  // -- an admin changed the settings: a fresh page, but only between two visitors ----------
  var stale = false;
  var RELOADED = "antrian-kiosk-reloaded";

  function reloadedLately() {
    // A page that differs from the snapshot even after a reload must not reload in a loop.
    var at = 0;
    try { at = parseInt(sessionStorage.getItem(RELOADED), 10) || 0; } catch (e) { /* private mode */ }
    return Date.now() - at < 60000;
  }

  function drawnDiffers(snap) {
    // The office name and the services as the server has them now, against this page's.
    var services = snap.services || [];
    var now = [snap.office && snap.office.name, services.map(function (s) { return s.code; }),
      services.map(function (s) { return s.name; })];
    return JSON.stringify(now) !== JSON.stringify(CONFIG.drawn);
  }

  function idleScreen() { return state.screen === "welcome" || state.screen === "closed"; }

  function refreshIfStale() {
    if (!stale || !idleScreen()) return;
    // Reload only when the server answers: a kiosk must never end on a browser error page.
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok || !idleScreen()) return;
      try { sessionStorage.setItem(RELOADED, String(Date.now())); } catch (e) { /* private mode */ }
      location.reload();
    }).catch(function () { /* offline: try again after the next visitor */ });
  }

  function markStale() {
    stale = true;
    refreshIfStale();
  }

  function listen() {
    setInterval(function () { fetchState(0); }, STATE_REFRESH_SECONDS * 1000);
    scheduleOfficeChange();
    if (typeof io !== "function") return;
    // The live client (/static/live.js): events in order after the snapshot; those that come before
    // it, or past a gap, wait for it.
    connect({
      auth: { role: "kiosk" },
      hold: true,
      onSnapshot: function (snap) {   // changed while this kiosk was offline?
        window.antrianKiosk.live = true;
        applyState(snap);
        if (drawnDiffers(snap) && !reloadedLately()) markStale();
      },
      onEvent: function (ev) {
        if (ev.type === "settings_changed") markStale();
        if (ev.office) applyState({ office: ev.office });   // office_opened / office_closed
        // A number issued, called or cancelled anywhere changes the waiting counts and what is left.
        if (ev.waiting || ev.type === "issued" || ev.office || ev.type === "settings_changed") fetchState();
        if (ev.type === "print_failed" && isMine(ev.ticket)) followPrint(true);
      },
      onStatus: function (up) { if (!up) window.antrianKiosk.live = false; }
    });
  }

  function armIdle() {
    clearTimeout(idleTimer);
    window.antrianKiosk.resetIn = null;
    if (idleScreen()) return;
    var seconds = idleSeconds();
    if (state.screen === "ticket") {
      seconds = printFailed() ? PRINT_FAILED_SECONDS : Math.min(seconds, TICKET_SCREEN_SECONDS);
    }
    window.antrianKiosk.resetIn = seconds;
    idleTimer = setTimeout(reset, seconds * 1000);
  }

  // -- the on-screen keyboard ------------------------------------------------------------
  function activate(key) {
    state.active = key;
    var el = field(key);
    document.querySelectorAll(".field").forEach(function (f) { f.classList.toggle("active", f.dataset.field === key); });
    $("osk-letters").hidden = key === "phone";
    $("osk-numpad").hidden = key !== "phone";
    if (document.activeElement !== el) {
      el.focus({ preventScroll: true });
      var end = el.value.length;
      el.setSelectionRange(end, end);
    }
    el.scrollIntoView({ block: "nearest" });
    // Each field starts in small letters, a capital first when it is empty (Shift on by itself): the caps
    // lock of "RT 03/RW 05" is not what the next field wants.
    if (key !== "phone") {
      setCaps(false);
      setShift(el.value.length === 0);
    }
  }

  // Shift holds for one letter; the caps lock holds until it is tapped again (or Shift is).
  function setShift(on) {
    state && (state.shift = on);
    document.querySelector(".key-shift").setAttribute("aria-pressed", on ? "true" : "false");
    renderCase();
  }

  function setCaps(on) {
    state && (state.caps = on);
    document.querySelector(".key-caps").setAttribute("aria-pressed", on ? "true" : "false");
    renderCase();
  }

  function upper() { return !!state && (state.caps || state.shift); }

  function renderCase() {
    var up = upper();
    document.querySelectorAll("#osk-letters .key").forEach(function (k) {
      var ch = k.dataset.key;
      if (ch.length === 1 && /[a-z]/.test(ch)) k.textContent = up ? ch.toUpperCase() : ch;
    });
  }

  // The field shows its caret: keys insert with setRangeText, which (unlike typing on a keyboard) does
  // not scroll a long text, so the end of what is typed went out of sight.
  function caretInView(el) {
    if (el.selectionEnd !== el.value.length) return;
    if (el.tagName === "TEXTAREA") el.scrollTop = el.scrollHeight;
    else el.scrollLeft = el.scrollWidth;
  }

  function insert(text) {
    var el = field(state.active);
    var start = el.selectionStart == null ? el.value.length : el.selectionStart;
    var end = el.selectionEnd == null ? el.value.length : el.selectionEnd;
    var room = el.maxLength > 0 ? el.maxLength - (el.value.length - (end - start)) : text.length;
    if (room <= 0) return;
    el.setRangeText(text.slice(0, room), start, end, "end");
    caretInView(el);
    edited(state.active);
  }

  function backspace() {
    var el = field(state.active);
    var start = el.selectionStart == null ? el.value.length : el.selectionStart;
    var end = el.selectionEnd == null ? el.value.length : el.selectionEnd;
    if (start === end && start > 0) start -= 1;
    if (start === end) return;
    el.setRangeText("", start, end, "end");
    caretInView(el);
    edited(state.active);
  }

  function edited(key) {
    newSubmission();
    if (state.errors[key]) setError(key, "");
  }

  // A changed form is a new submission: the next submit gets a new request_id. Not while an answer was
  // lost on the way (the ticket may have been issued): a corrected letter would issue a second ticket
  // nobody takes, so the retry keeps the id and gets the ticket already issued (the front office can
  // correct a detail with Ubah data).
  function newSubmission() {
    if (!state.answerLost) state.requestId = null;
  }

  function pressKey(k) {
    if (k === "shift") {
      if (state.caps) return setCaps(false);   // Shift also releases the caps lock
      return setShift(!state.shift);
    }
    if (k === "capslock") {
      state.shift = false;
      return setCaps(!state.caps);
    }
    if (k === "backspace") return backspace();
    if (k === "next") {
      var i = FIELDS.indexOf(state.active);
      return activate(FIELDS[(i + 1) % FIELDS.length]);
    }
    if (k === "space") return insert(" ");
    var ch = k;
    if (/[a-z]/.test(ch)) {
      if (upper()) ch = ch.toUpperCase();
      if (state.shift) setShift(false);
    }
    insert(ch);
  }

  // -- errors at the fields ----------------------------------------------------------------
  function setError(key, text) {
    var p = $("e-" + key);
    if (!p) return;
    p.textContent = text || "";
    var box = document.querySelector('.field[data-field="' + key + '"]');
    if (box) box.classList.toggle("invalid", !!text);
    var input = field(key);
    if (input) {
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
    if (text) state.errors[key] = text; else delete state.errors[key];
    updateFormMore();
  }

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    document.querySelectorAll(".field.invalid").forEach(function (f) { f.classList.remove("invalid"); });
    document.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    if (state) state.errors = {};
    $("form-summary").hidden = true;
    $("form-summary").textContent = "";
    updateFormMore();
  }

  function showErrors(fields, summary) {
    clearErrors();
    var first = null;
    Object.keys(fields).forEach(function (key) {
      if ($("e-" + key)) {
        setError(key, fields[key]);
        if (!first && FIELDS.indexOf(key) >= 0) first = key;
      }
    });
    var other = Object.keys(fields).filter(function (k) { return !$("e-" + k); });
    $("form-summary").textContent = summary + other.map(function (k) { return " " + fields[k]; }).join("");
    $("form-summary").hidden = false;
    if (first) state.active = first;
    updateFormMore();
  }

  function missingFields() {
    var missing = {};
    FIELDS.forEach(function (k) { if (!field(k).value.trim()) missing[k] = t("required"); });
    return missing;
  }

  // -- review and submit --------------------------------------------------------------------
  function formData() {
    var data = { service: state.service, priority: state.priority };
    FIELDS.forEach(function (k) { data[k] = field(k).value.trim(); });
    if (state.category) data.category = state.category;
    return data;
  }

  function renderReview() {
    var dl = $("review");
    dl.textContent = "";
    var data = formData();
    var rows = [[t("review_service"), state.serviceName]];
    FIELDS.forEach(function (k) { rows.push([t("label_" + k), data[k]]); });
    rows.push([t("label_category"), state.category ? t("cat_" + state.category) : t("none")]);
    rows.push([t("review_priority"), state.priority ? t("yes") : t("no")]);
    rows.forEach(function (row) {
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = row[0];
      dd.textContent = row[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    updateReviewMore();
  }

  function updateFormMore() {
    // On a small screen the refusals under the fields push the last ones below: say so while there is more.
    var form = $("visitor-form");
    $("form-more").hidden = form.scrollHeight - form.clientHeight - form.scrollTop <= 12; // a field's margins: not "more"
  }

  function updateReviewMore() {
    // A long form scrolls inside the list, above the buttons: say so while there is more below.
    var dl = $("review");
    $("review-more").hidden = dl.scrollHeight - dl.clientHeight - dl.scrollTop <= 4;
  }

  function toReview() {
    var missing = missingFields();
    if (Object.keys(missing).length) {
      showErrors(missing, t("form_incomplete"));
      activate(state.active);
      return;
    }
    clearErrors();
    renderReview();
    $("submit-error").hidden = true;
    show("review");
  }

  function newRequestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "kiosk-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function submit() {
    if (submitting) return;   // a double tap sends one request; its request_id covers a retry
    submitting = true;
    if (!state.requestId) state.requestId = newRequestId();
    var data = formData();
    data.request_id = state.requestId;
    var button = $("submit");
    button.disabled = true;
    button.textContent = t("submitting");
    $("submit-error").hidden = true;
    var visitor = state;
    // No answer within SUBMIT_TIMEOUT_MS (a network that hangs): said as a network error, and the retry
    // keeps the request_id; the kiosk never sits on "Memproses…".
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, SUBMIT_TIMEOUT_MS) : null;
    fetch("/api/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": lang },
      body: JSON.stringify(data),
      signal: abort ? abort.signal : undefined
    }).then(function (resp) {
      visitor.answerLost = false;   // an answer: what it says is what happened
      return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (r) {
      if (visitor !== state) return;   // the kiosk was reset meanwhile: this answer is nobody's now
      if (r.status === 201 || r.status === 200) {
        state.ticket = r.body.ticket;
        state.requestId = null;
        renderTicket();
        show("ticket");
        followPrint();
      } else if (r.status === 409) {
        // The office's rules (office_closed, quota_reached): the server's message says what and until when.
        state.requestId = null;
        $("submit-error").textContent = r.body.message || t("network_error");
        $("submit-error").hidden = false;
        fetchState(0);
      } else if (r.status === 422) {
        state.requestId = null;
        showErrors(r.body.fields || {}, r.body.message || t("form_incomplete"));
        show("form");
      } else {
        // 429, 5xx: nothing was issued under another id; the same request_id is reused on retry.
        if (r.status === 400) state.requestId = null;
        $("submit-error").textContent = r.body.message || t("network_error");
        $("submit-error").hidden = false;
      }
    }).catch(function () {
      visitor.answerLost = true;
      if (visitor !== state) return;
      $("submit-error").textContent = t("network_error");
      $("submit-error").hidden = false;
    }).then(function () {
      clearTimeout(timer);
      if (visitor !== state) return;
      submitting = false;
      button.disabled = false;
      button.textContent = t("submit");
    });
  }

  // -- the ticket's print job: the visitor must know when no paper comes out ----------------
  function printFailed() { return !!(state.ticket && state.ticket.print === "failed"); }

  function isMine(tk) {
    return !!(tk && state.ticket && tk.label === state.ticket.label && tk.day === state.ticket.day);
  }

  function followPrint(now) {
    // Look at the ticket's status (its print job's state) a few times with growing gaps until it is
    // printed (a job that failed once may still print on its retry); a print_failed event for this
    // ticket looks at once. Bounded: ~32 s of looks in all.
    var visitor = state;
    var tk = visitor.ticket;
    if (!tk || !tk.token || tk.print === undefined || tk.print === null) return;   // no printer / older server
    clearTimeout(visitor.printTimer);
    if (!now) {
      visitor.printPolls = 0;
      if (tk.print === "printed") return;
    }
    lookAtPrint(visitor, now ? 0 : PRINT_POLLS[0]);
  }

  function lookAtPrint(visitor, seconds) {
    visitor.printTimer = setTimeout(function () {
      fetch("/api/tickets/" + encodeURIComponent(visitor.ticket.token), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (visitor !== state || !body || !body.ticket || body.ticket.print === undefined) return;
          var was = state.ticket.print;
          state.ticket.print = body.ticket.print;
          if (was !== state.ticket.print) {
            renderTicket();
            armIdle();   // a failure keeps the screen longer, for the number to be noted; a late print not
          }
        })
        .catch(function () { /* offline: the next look */ })
        .then(function () {
          if (visitor !== state || state.ticket.print === "printed") return;
          visitor.printPolls += 1;
          if (visitor.printPolls < PRINT_POLLS.length) lookAtPrint(visitor, PRINT_POLLS[visitor.printPolls]);
        });
    }, seconds * 1000);
  }

  function renderTicket() {
    var tk = state.ticket;
    if (!tk) return;
    var print = tk.print === undefined ? null : tk.print;
    $("screen-ticket").dataset.print = print === null ? "none" : print;
    $("ticket-print-failed").hidden = print !== "failed";
    $("ticket-hint").textContent = t(print === "failed" ? "hint_failed" : print === null ? "hint_no_paper" : "hint_paper");
    $("ticket-label").textContent = tk.label;
    $("ticket-service").textContent = tk.service_name || state.serviceName;
    $("ticket-priority").hidden = !tk.priority;
    $("ticket-ahead").textContent = tk.ahead > 0 ? t("ahead_some", { n: tk.ahead }) : t("ahead_none");
    var minutes = Math.ceil((tk.estimated_wait_s || 0) / 60);
    $("ticket-wait").textContent = minutes > 0 ? t("wait_min", { n: minutes }) : t("wait_now");
    if (tk.status_url) $("ticket-qr").src = CONFIG.qr_url + "?data=" + encodeURIComponent(tk.status_url);
  }

  // -- wiring ---------------------------------------------------------------------------------
  function wire() {
    // Any touch keeps the visitor's session alive.
    ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, armIdle, { capture: true, passive: true });
    });

    $("start").addEventListener("click", function () { show("service"); });
    $("lang-toggle").addEventListener("click", function () {
      lang = lang === "id" ? "en" : "id";
      applyLang();
    });
    document.querySelectorAll("[data-action]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.dataset.action === "home") return reset();
        show(b.dataset.action);
      });
    });
    document.querySelectorAll("[data-service]").forEach(function (b) {
      b.addEventListener("click", function () {
        state.service = b.dataset.service;
        state.serviceName = b.dataset.serviceName;
        $("form-service").textContent = state.serviceName;
        newSubmission();
        show("form");
      });
    });
    FIELDS.forEach(function (k) {
      var el = field(k);
      el.addEventListener("focus", function () { if (state.active !== k) activate(k); });
      // A hardware keyboard, if one is ever plugged in, still counts as an edit.
      el.addEventListener("input", function () { edited(k); });
    });
    document.querySelectorAll("[data-category]").forEach(function (b) {
      b.addEventListener("click", function () {
        var c = b.dataset.category;
        state.category = state.category === c ? "" : c;
        newSubmission();
        document.querySelectorAll("[data-category]").forEach(function (x) {
          x.setAttribute("aria-pressed", x.dataset.category === state.category ? "true" : "false");
        });
        setError("category", "");
      });
    });
    $("priority").addEventListener("click", function () {
      state.priority = !state.priority;
      newSubmission();
      $("priority").setAttribute("aria-pressed", state.priority ? "true" : "false");
    });
    document.querySelectorAll(".key").forEach(function (b) {
      // Keep the focus (and the caret) in the field while a key is pressed.
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () { pressKey(b.dataset.key); });
    });
    $("to-review").addEventListener("click", toReview);
    $("review").addEventListener("scroll", updateReviewMore, { passive: true });
    $("visitor-form").addEventListener("scroll", updateFormMore, { passive: true });
    window.addEventListener("resize", function () { updateFormMore(); updateReviewMore(); });
    $("form-more").addEventListener("click", function () {
      var form = $("visitor-form");
      form.scrollBy({ top: Math.round(form.clientHeight * 0.8), behavior: "smooth" });
    });
    $("review-more").addEventListener("click", function () {
      var dl = $("review");
      dl.scrollBy({ top: Math.round(dl.clientHeight * 0.8), behavior: "smooth" });
    });
    $("submit").addEventListener("click", submit);
    document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  }

  state = freshState();
  wire();
  reset();
  listen();
})();
