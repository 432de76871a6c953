// The touchscreen kiosk: welcome -> service -> form (on-screen keyboard) -> review -> ticket.
// Nothing of a visitor stays once the kiosk returns to the welcome screen.
import { connect } from "/static/live.js";
import { idleWarning } from "./idlewarning.js";
import { readParams } from "./readparams.js";

(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("kiosk-config").textContent);
  var FIELDS = ["name", "agency", "address", "phone", "problem"];
  var TICKET_SCREEN_SECONDS = 20;
  var PRINT_FAILED_SECONDS = 60;             // a visitor without a paper ticket needs time to note the number
  var PRINT_POLLS = [1, 2, 3, 5, 8, 13];     // seconds between looks at the ticket's print job (~32 s in all)
  var PRINT_POLL_LATER = 13;                 // then as often as the last, while the ticket screen stays
  var PRINT_LOOKS_MAX = 17;                  // looks in all (~3 minutes): a screen kept by touches stops too
  var STATE_REFRESH_SECONDS = 60;            // the office's hours change with no event: look again this often
  var IDLE_WARNING_SECONDS = 10;             // "Masih di sini?" this long before an idle reset (at most half of it)
  var OFFLINE_GRACE_MS = 2000;               // a socket that comes back this soon (a server restart) is not told
  // The server out of reach, a visitor who waits as the red bar asks keeps the form past the idle time (keptOffline);
  // one left this long without a touch is cleared all the same, server or not: a form walked away from during an
  // outage of an afternoon does not stay on the kiosk (behind "Masih di sini?") for whoever comes next.
  var OFFLINE_KEEP_SECONDS = 15 * 60;
  // "Ya, lanjutkan isian saya" on that cover, the form's phone holding this many digits or more: its last ones typed
  // on the cover's pad first (askPin), PIN_TRIES wrong answers clear the form, CLEARED_NOTE_SECONDS said why.
  var PIN_DIGITS = 4;
  var PIN_TRIES = 3;
  var CLEARED_NOTE_SECONDS = 6;
  var ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

  // The words ({id: {...}, en: {...}}) are the server's one catalogue (server/i18n/*.json, keys
  // `kiosk.*`), in the page's `i18n` JSON element.
  var STRINGS = JSON.parse(document.getElementById("i18n").textContent);

  var state;          // everything this visitor entered; replaced wholesale on reset
  var lang = CONFIG.lang === "en" ? "en" : "id";
  var idleTimer = null;
  var idle = idleWarning(function (n) { return t("idle_countdown", { n: n }); },
                         function () { return idleKept && keptOffline() ? t("idle_kept") : null; });
  var idleFrom = 0;      // performance.now() of the last touch (or screen change): the idle time runs from it
  var idleKept = false;  // the idle time armed to keep the form (the server out of reach): see keptOffline()
  // The digits typed on the kept cover's pad, the wrong answers given for this form (until it comes back or is
  // cleared: "Kembali" and "Ya" again do not start them over) and what the pad says (a catalogue key, or null).
  // What is expected is never kept: read from the phone field at the fourth digit.
  var pin = { typed: "", misses: 0, said: null };
  var noteTimer = null;
  var submitting = false;
  var TAP_GUARD_MS = 600;      // after a screen change, the second tap of a double tap is dropped
  // Upright, "Selesai" is where "Ambil nomor antrian" was: a visitor's second tap on that button, a moment
  // after the first (no double tap: each its own), pressed it and took the number off the screen at once.
  var TICKET_DONE_GUARD_MS = 1500;
  var ticketShownAt = -Infinity;
  var SUBMIT_TIMEOUT_MS = 15000;
  var QR_RETRY_SECONDS = [1, 2, 4, 8];       // a QR code that did not load (the server restarting) is asked again
  var tapGuardUntil = 0;
  var tappedSinceGuard = false;   // a tap of its own (count 1) came since the guard was set
  // A double tap's second tap (its click counts 2) just after a screen change is not meant for the new
  // screen; a tap of its own (count 1) always goes through. Once one has, a tap counted 2 or more is of a
  // double tap begun on this screen (two quick taps on a key: "Aa", "00"): it goes through too.
  document.addEventListener("click", function (ev) {
    if (ev.detail > 1 && performance.now() < tapGuardUntil && !tappedSinceGuard) {
      ev.stopImmediatePropagation();
      ev.preventDefault();
    } else if (ev.detail === 1) {
      tappedSinceGuard = true;
    }
  }, true);

  function guardTaps() {
    tapGuardUntil = performance.now() + TAP_GUARD_MS;
    tappedSinceGuard = false;
  }
  // The office as the server last told it: open or closed (and when it opens), and per service its
  // waiting count, estimated wait and what is left of its daily quota. A field an older server does not
  // send is simply not shown.
  var office = (CONFIG.state && CONFIG.state.office) || {};
  // The office's today ("2026-12-07") on the server's clock, not this PC's: a kiosk whose clock is wrong
  // by hours (set by hand while its zone is UTC) called tomorrow's opening "today".
  var officeDay = (CONFIG.state && CONFIG.state.day) || "";
  // Whether this device may take numbers at all ([kiosk] addresses), and its address, as the server saw
  // them when it drew the page; an older server's page says nothing: as before, it may.
  var device = CONFIG.device || { allowed: true };
  var services = {};
  ((CONFIG.state && CONFIG.state.services) || []).forEach(function (sv) { services[sv.code] = sv; });
  // For tests: the live updates, the armed reset and its warning (kept: the form kept past the idle time, the server
  // out of reach), the server out of reach, the socket, and the looks at the ticket's print (how many were made, the
  // seconds to the next one or null: none comes).
  window.antrianKiosk = { live: false, resetIn: null, warnIn: null, kept: false, offline: false, socket: null,
                          printLooks: 0, printNextIn: null, stateLooks: 0,  // stateLooks: GET /api/state answers
                          deviceLooks: 0 };  // deviceLooks: checkDevice's looks at the page ended (answered or not)
  // whether Selesai on the ticket screen takes a tap now (TICKET_DONE_GUARD_MS after the ticket appeared)
  Object.defineProperty(window.antrianKiosk, "doneReady", { get: function () {
    return state.screen === "ticket" && performance.now() - ticketShownAt >= TICKET_DONE_GUARD_MS;
  } });

  function idleSeconds() {
    // ?idle=N lets a test (or an admin trying it out) shorten the idle time for one page load.
    var asked = parseInt(new URLSearchParams(location.search).get("idle"), 10);
    return asked >= 2 && asked <= 3600 ? asked : CONFIG.idle_seconds;
  }

  function t(key, params) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.id[key] || key;
    // One pass, each value put in as it is: not read again for the placeholders filled after it (a service
    // named with "{n}" in it), nor as a replace() string (a "$" in a value is kept).
    params = params || {};
    return text.replace(/\{([A-Za-z0-9_]+)\}/g, function (found, k) {
      return Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : found;
    });
  }

  // -- what the kiosk says, in the language shown ------------------------------------------------
  // A message shown on screen is kept as what it says, not as its text, so that the language toggle
  // turns it too: {key, params} (the kiosk's own words) or {text, lang, code} (the server's refusal, in
  // the language asked for; its catalogue key is `error.<code>`, or found from the text for a field's).
  function words(said) {
    if (!said) return "";
    // a summary naming fields ({key, fields}: "Belum diisi: Nama, Alamat."), their labels in the language shown
    if (said.fields) return t(said.key, { fields: said.fields.map(function (k) { return t("label_" + k); }).join(", ") });
    return said.key ? t(said.key, said.params) : serverWords(said);
  }

  function serverWords(said) {
    // The server's words as it said them; in the other language, the same catalogue message with the
    // values read from them (a service's name, a quota), the opening in the office's time zone again.
    if (said.lang === lang) return said.text;
    var from = STRINGS[said.lang] || {};
    var keys = said.code && from["error." + said.code] ? ["error." + said.code]
      : Object.keys(from).filter(function (k) { return k.indexOf("error.") === 0; });
    for (var i = 0; i < keys.length; i++) {
      var params = readParams(from[keys[i]], said.text);
      if (!params) continue;
      if ("opening" in params) {
        params.opening = " " + (office.next_opening
          ? t("hours.reopens", { when: formatOpening(office.next_opening, true) }) : t("hours.no_reopening"));
      }
      return t(keys[i], params);
    }
    return said.text;   // words the catalogue does not have: as the server said them
  }

  function $(id) { return document.getElementById(id); }
  function field(key) { return $("f-" + key); }

  function freshState() {
    // startedAt: when this visitor's first tap left the welcome screen (performance.now(), a clock that only
    // goes forward), for the form's time sent with the number (SOP steps 2-6; the dashboard's form time)
    return { screen: "welcome", service: null, serviceName: "", category: "", priority: false,
             active: "name", shift: false, caps: false, requestId: null, ticket: null, errors: {}, summary: null,
             submitError: null, printTimer: null, printPolls: 0, printChain: 0, startedAt: null,
             printLate: false,     // printLate: the ticket screen kept past its time for a slip still printing
             qrTries: 0, qrTimer: null,   // the ticket's QR code asked for again (QR_RETRY_SECONDS)
             refused: false };     // the server refused a number for the office's rules (409): see refusedStill()
  }

  // -- language ---------------------------------------------------------------------------
  // The office's announcement (the snapshot's `announcement`; null: none): a band on the welcome and closed screens,
  // in the kiosk's language when it has one in it. The office's name is fitted again to leave it room.
  var announcement = (CONFIG.state && CONFIG.state.announcement) || null;
  function renderAnnouncement() {
    var a = announcement && (announcement.text || announcement.text_en) ? announcement : null;
    var own = !a ? "" : lang === "en" ? a.text_en || a.text : a.text || a.text_en;
    var changed = false;
    document.querySelectorAll(".announcement-band").forEach(function (band) {
      var text = band.querySelector(".announcement-text");
      if (text.textContent === own && band.hidden === !own) return;
      text.textContent = own;
      band.hidden = !own;
      band.parentNode.classList.toggle("announcing", !!own); // its screen leaves it room (kiosk.css)
      changed = true;
    });
    if (changed && state && (state.screen === "welcome" || state.screen === "closed")) fitOfficeName();
  }

  function applyLang() {
    document.documentElement.lang = lang;
    document.title = t("page_title") + " \u2014 " + CONFIG.office; // the tab's name (a screen reader's first words)
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    $("ticket-qr").alt = t("qr_alt");
    labelKeys();
    renderUnregistered();
    renderOffice();
    renderAnnouncement();
    renderRefusals();
    if (state.screen === "review") renderReview();
    if (state.screen === "ticket") renderTicket();
    renderPin();
    idle.render();
  }

  // -- the office's hours and the services' figures ------------------------------------------
  function officeClosed() { return office.open === false; }

  function quotaUsedUp(code) {
    var sv = services[code] || {};
    return typeof sv.left === "number" && sv.left <= 0;
  }

  // A service a number can be taken for now: served by some counter, its daily quota not used up.
  function serviceOpen(code) { return (services[code] || {}).served !== false && !quotaUsedUp(code); }

  function soldOut() {
    // Every service's numbers taken for today (one at least by its quota): nothing to walk through to.
    var codes = CONFIG.services || [];
    return codes.length > 0 && codes.every(function (c) { return !serviceOpen(c); }) && codes.some(quotaUsedUp);
  }

  // No number can be taken at all: the welcome screen says why instead of inviting.
  function unavailable() { return officeClosed() || soldOut(); }

  // Not one of the office's kiosks: every screen is the staff's notice, with this device's address.
  function unregistered() { return device.allowed === false; }

  function renderUnregistered() {
    // The address in a box of its own, whole on one line where it fits (staff copy it into config.toml)
    [["unregistered-title", "unregistered_title"], ["unregistered-add", "unregistered_add"]].forEach(function (p) {
      var parts = t(p[1]).split("{address}");
      var ip = document.createElement("span");
      ip.className = "unregistered-ip";
      ip.textContent = device.address || "?";
      $(p[0]).textContent = "";
      $(p[0]).append(parts[0], ip, parts.slice(1).join(device.address || "?"));
    });
  }

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

  function formatOpening(iso, plain) {
    // As the server writes it (server/hours.py), in the office's time zone:
    // "besok, Senin, 30 November 2026 pukul 08.00 WIB" / "tomorrow, Monday, 30 November 2026 at 08:00 WIB"
    var when = new Date(iso);
    if (isNaN(when)) return "";
    var p = localParts(when);
    var today = /^\d{4}-\d{2}-\d{2}$/.test(officeDay)
      ? { year: officeDay.slice(0, 4), month: officeDay.slice(5, 7), day: officeDay.slice(8, 10) }
      : localParts(new Date());
    var dayKey = function (x) { return Date.UTC(+x.year, +x.month - 1, +x.day); };
    var days = Math.round((dayKey(p) - dayKey(today)) / 86400000);
    var l = lang === "en" ? "en" : "id";
    var weekday = DAYS[l][new Date(dayKey(p)).getUTCDay()];
    var date = weekday + ", " + (+p.day) + " " + MONTHS[l][+p.month - 1] + " " + p.year;
    var time = p.hour + (l === "en" ? ":" : ".") + p.minute + (zoneName() ? " " + zoneName() : "");
    // `plain`: without "today"/"tomorrow", as the server's refusal names it
    var prefix = plain ? "" : days === 0 ? t("today") + ", " : days === 1 ? t("tomorrow") + ", " : "";
    return prefix + date + " " + t("at") + " " + time;
  }

  function renderOffice() {
    // The closed screen: outside the hours, or (the office open) every service's numbers taken today.
    var full = !officeClosed() && soldOut();
    $("screen-closed").dataset.reason = full ? "quota" : "hours";
    $("closed-title").dataset.i18n = full ? "soldout_title" : "closed_title";
    $("closed-sub").dataset.i18n = full ? "soldout_sub" : "closed_sub";
    $("closed-title").textContent = t($("closed-title").dataset.i18n);
    $("closed-sub").textContent = t($("closed-sub").dataset.i18n);
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
    renderOfficeNotice();
    fitOfficeName();   // the closed screen's words, or the language, changed
  }

  function officeNotice() {
    // What stops a number while a visitor is on the way to one (null: nothing).
    var screen = state && state.screen;
    if (screen !== "service" && screen !== "form" && screen !== "review") return null;
    if (officeClosed()) {
      var opening = office.next_opening
        ? { key: "hours.reopens", params: { when: formatOpening(office.next_opening, true) } }
        : { key: "hours.no_reopening" };
      return { title: { key: "notice_closed" },
               sub: [opening, { key: screen === "service" ? "notice_ask_staff" : "notice_kept" }] };
    }
    if (screen === "service") {
      return soldOut() ? { title: { key: "soldout_title" }, sub: [{ key: "soldout_sub" }] } : null;
    }
    if (!state.service || serviceOpen(state.service)) return null;
    var name = { service: state.serviceName };
    var others = (CONFIG.services || []).some(serviceOpen);
    return {
      title: { key: quotaUsedUp(state.service) ? "notice_full" : "notice_not_served", params: name },
      // the way back to the services: Kembali on the form, Ubah then Kembali on the review (which has no Kembali)
      sub: [{ key: !others ? "notice_kept"
        : screen === "review" ? "notice_other_service_review" : "notice_other_service" }]
    };
  }

  function renderOfficeNotice() {
    // At the top of the screen, at once: the office closed (or the chosen service's numbers ran out)
    // while this visitor was choosing or typing. What they typed stays; the server still decides.
    var notice = officeNotice();
    var box = $("office-notice");
    box.hidden = !notice;
    $("office-notice-title").textContent = notice ? words(notice.title) : "";
    $("office-notice-sub").textContent = notice ? notice.sub.map(words).join(" ") : "";
    document.body.classList.toggle("office-stopped", !!notice);
    renderSubmitError();
    updateSubmit();
    notesMoved();
  }

  // The seq of the newest state taken. An answer to GET /api/state sent before a newer state came (two looks
  // crossing, one slowed on the way) is dropped: it put back older waiting counts until the next event.
  var stateSeq = -1;
  function applyState(snap, fetched) {
    // A snapshot (socket or GET /api/state): take what it has, keep what it lacks.
    if (!snap) return;
    if (typeof snap.seq === "number") {
      // (the socket's snapshot is taken whatever its seq: a server restored from a copy counts from less again)
      if (fetched && snap.seq < stateSeq) return;
      stateSeq = snap.seq;
    }
    if (snap.office) office = Object.assign({}, office, snap.office);
    if (snap.day) officeDay = snap.day;
    if (snap.announcement !== undefined) {
      announcement = snap.announcement;
      renderAnnouncement();
    }
    (snap.services || []).forEach(function (sv) { services[sv.code] = Object.assign({}, services[sv.code], sv); });
    renderOffice();
    if (state.screen === "welcome" && unavailable()) show("closed");
    else if (state.screen === "closed" && !unavailable()) show("welcome");
    scheduleOfficeChange();
  }

  // The server's clock minus this PC's, as the TV keeps it (display.js): from the time the page was drawn
  // (CONFIG.now), then from the Date of each answer to GET /api/state. A kiosk whose clock is wrong by minutes
  // or hours looked again that much early or late at the office's opening or closing, and so showed "Tutup"
  // (or the form) up to a minute after the office opened (or closed), until its next look.
  // The offset changes only when the clock as kept disagrees with an answer (a Date has whole seconds).
  var clockOffset = typeof CONFIG.now === "number" ? CONFIG.now - Date.now() : 0;
  function syncClock(sent, r) {
    var back = Date.now();
    var date = Date.parse(r.headers.get("Date") || "");   // the server's time was in [date, date + 1 s)
    if (isNaN(date)) return;
    var kept = back + clockOffset;
    if (kept >= date && kept <= date + 1000 + (back - sent)) return;
    clockOffset = date + 500 - (sent + back) / 2;
  }

  var stateTimer = null;
  function fetchState(delay) {
    // Debounced: a burst of events costs one request (and the server shares one snapshot per change).
    clearTimeout(stateTimer);
    stateTimer = setTimeout(function () {
      var sent = Date.now();
      fetch("/api/state", { cache: "no-store" })
        .then(function (r) { setLink("fetch", true); syncClock(sent, r); return r.ok ? r.json() : null; })
        .then(function (snap) { applyState(snap, true); })
        .catch(function () { setLink("fetch", false); /* the next event, the periodic look or a reconnect */ })
        .then(function () { window.antrianKiosk.stateLooks += 1; });
    }, delay == null ? 300 : delay);
  }

  var changeTimer = null;
  function scheduleOfficeChange() {
    // Look again just after the office is due to open or to stop issuing numbers (on the server's clock).
    clearTimeout(changeTimer);
    var at = Date.parse(officeClosed() ? office.next_opening : office.closes_at);
    if (isNaN(at)) return;
    var wait = at - (Date.now() + clockOffset) + 1500;
    if (wait > 0 && wait < 86400000) changeTimer = setTimeout(function () { fetchState(0); }, wait);
  }

  // -- screens ----------------------------------------------------------------------------
  function show(name) {
    if (unregistered()) name = "unregistered";   // no form that cannot give a number
    else if (name === "welcome" && unavailable()) name = "closed";
    // The second half of a double tap lands on the next screen's button under the finger (Batal under
    // Kembali, a service under Mulai, Prioritas under a service): taps just after a change are dropped.
    if (name !== state.screen) guardTaps();
    if (name === "ticket" && state.screen !== "ticket") ticketShownAt = performance.now();
    state.screen = name;
    document.querySelectorAll("section[data-screen]").forEach(function (el) { el.hidden = el.dataset.screen !== name; });
    document.body.dataset.current = name;
    hideClear();   // the question is the service screen's only
    // Back from the form with something typed: said that it is kept (else a visitor who only wanted another
    // service feared typing it all again, or took Batal for the way back). Gone once it is cleared (reset).
    $("form-kept").hidden = !(name === "service" && formTyped());
    if (name === "form") {
      activate(state.active || "name");
      updateFormMore();
    }
    if (name === "review") updateReviewMore();
    if (name === "welcome" || name === "closed") fitOfficeName();
    renderOfficeNotice();
    armIdle();
  }

  // The office's name on the welcome and closed screens: as large as leaves the rest of the screen whole (its CSS
  // size the largest, down to 28 px). At 88 px a long name (the settings allow 200 characters) pushed
  // "Sentuh layar untuk mengambil nomor antrian" below the screen, and the time of opening under "Layanan tutup".
  function fitOfficeName() {
    var least = 28;
    ["screen-welcome", "screen-closed"].forEach(function (id) {
      var screen = $(id);
      var name = screen.querySelector(".welcome-office, .closed-office");
      name.style.fontSize = "";
      if (screen.hidden) return;
      var size = parseFloat(getComputedStyle(name).fontSize);
      // (with the announcement's band at the bottom not a pixel more: its last line is on the screen's edge)
      var band = screen.querySelector(".announcement-band");
      var slack = band && !band.hidden ? 0 : 1;
      while (screen.scrollHeight > screen.clientHeight + slack && size > least) {
        size = Math.max(least, size * 0.92);
        name.style.fontSize = size.toFixed(1) + "px";
      }
    });
  }

  // -- "Hapus isian formulir?": Batal on the service screen with a form typed ----------------------------
  // Kembali on the form keeps what was typed (a service chosen again goes back to the form with it); Batal there
  // asks before it is cleared. The idle reset does not ask: nothing of one visitor may reach the next.
  function formTyped() {
    return FIELDS.some(function (k) { return field(k).value !== ""; }) || !!state.category || state.priority;
  }

  function askClear() {
    guardTaps();   // a double tap's second is not an answer
    $("confirm-clear").hidden = false;
  }

  function hideClear() { $("confirm-clear").hidden = true; }

  function reset() {
    // Back to the start for the next visitor: every field, error, choice and the ticket cleared.
    if (state) {
      clearTimeout(state.printTimer);
      clearTimeout(state.qrTimer);
    }
    window.antrianKiosk.printLooks = 0;
    window.antrianKiosk.printNextIn = null;
    state = freshState();
    submitting = false;
    pin.misses = 0;
    closePin();
    hideClearedNote();
    FIELDS.forEach(function (k) { field(k).value = ""; });
    $("visitor-form").reset();
    clearErrors();
    document.querySelectorAll("[data-category]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    $("priority").setAttribute("aria-pressed", "false");
    $("form-service").textContent = "";
    $("review").textContent = "";
    $("submit-error").hidden = true;
    $("submit-error").textContent = "";
    updateSubmit();
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
    idle.hide();
    applyLang();
    show("welcome");
    refreshIfStale();
  }

  // -- an admin changed the settings: a fresh page, but only between two visitors ----------
  var stale = false;
  var staleFor = "";   // what the snapshot that found this page stale said (drawnNow), "" for an event
  var RELOADED = "antrian-kiosk-reloaded";
  var RELOADED_FOR = "antrian-kiosk-reloaded-for";

  function reloadedLately(now) {
    // A page that differs from the snapshot even after a reload for that very snapshot's values must not
    // reload in a loop. A reload for an event (or for other values) does not count: its page may have been
    // drawn just before a second change that its snapshot then brings (two saves a second apart).
    var at = 0;
    var was = "";
    try {
      at = parseInt(sessionStorage.getItem(RELOADED), 10) || 0;
      was = sessionStorage.getItem(RELOADED_FOR) || "";
    } catch (e) { /* private mode */ }
    return Date.now() - at < 60000 && was === now;
  }

  function drawnNow(snap) {
    // The office name, its language and the services as the server has them now (CONFIG.drawn's shape).
    var services = snap.services || [];
    var office = snap.office || {};
    return JSON.stringify([office.name, office.language || "id", services.map(function (s) { return s.code; }),
      services.map(function (s) { return s.name; })]);
  }

  function idleScreen() {
    return state.screen === "welcome" || state.screen === "closed" || state.screen === "unregistered";
  }

  function refreshIfStale() {
    if (!stale || !idleScreen()) return;
    // Reload only when the server answers: a kiosk must never end on a browser error page.
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok || !idleScreen()) return;
      try {
        sessionStorage.setItem(RELOADED, String(Date.now()));
        sessionStorage.setItem(RELOADED_FOR, staleFor);
      } catch (e) { /* private mode */ }
      location.reload();
    }).catch(function () { /* offline: try again after the next visitor */ });
  }

  function markStale(now) {
    stale = true;
    staleFor = now || "";
    refreshIfStale();
  }

  // -- may this device take numbers? A fresh page says (an admin named it, or its address changed) ------
  function checkDevice() {
    fetch(location.href, { cache: "no-store" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      var el = html && new DOMParser().parseFromString(html, "text/html").getElementById("kiosk-config");
      var now = el && JSON.parse(el.textContent).device;
      if (!now) return;
      if (now.allowed && unregistered()) {
        // Named now: the page anew (only here, with the server answering: never a browser error page)
        try { sessionStorage.setItem(RELOADED, String(Date.now())); } catch (e) { /* private mode */ }
        location.reload();
      } else if (!now.allowed) {
        var was = unregistered();
        device = now;
        if (was) renderUnregistered();
        else reset();   // refused at "Ambil nomor antrian": nothing of this visitor stays, the staff are told
      }
    }).catch(function () { /* offline: the next look */ })
      .then(function () { window.antrianKiosk.deviceLooks += 1; });   // its answer acted on (a reload: the page goes)
  }

  var snapshots = 0;   // the live client's snapshots so far: the first comes with the page's own connection

  function listen() {
    setInterval(function () {
      fetchState(0);
      if (unregistered()) checkDevice();   // config.toml edited and the server restarted: on its own
    }, STATE_REFRESH_SECONDS * 1000);
    scheduleOfficeChange();
    if (typeof io !== "function") return;
    // The live client (/static/live.js): events in order after the snapshot; those that come before
    // it, or past a gap, wait for it.
    var live = connect({
      auth: { role: "kiosk" },
      hold: true,
      onSnapshot: function (snap) {   // changed while this kiosk was offline?
        window.antrianKiosk.live = true;
        applyState(snap);
        var now = drawnNow(snap);
        if (now !== JSON.stringify(CONFIG.drawn) && !reloadedLately(now)) markStale(now);
        if (unregistered() && snapshots > 0) checkDevice();   // back after a restart with a new config.toml?
        snapshots += 1;
      },
      onEvent: function (ev) {
        // (the announcement alone needs no new page: the state looked at below brings it)
        if (ev.type === "settings_changed" && !(ev.data && ev.data.section === "announcement")) markStale("");
        if (ev.office) applyState({ office: ev.office });   // office_opened / office_closed
        // A number issued, called or cancelled anywhere changes the waiting counts and what is left.
        if (ev.waiting || ev.type === "issued" || ev.office || ev.type === "settings_changed") fetchState();
        // A failed try, or a retry that printed after one (a first try that prints says nothing): look now.
        if ((ev.type === "print_failed" || ev.type === "printed") && isMine(ev.ticket)) followPrint(true);
      },
      onStatus: function (up, reason) {
        if (!up) window.antrianKiosk.live = false;
        setLink("socket", up);
        if (up) reconnectPause = 2000;
        else if (reason === "io server disconnect") reconnectLater(live);
      }
    });
    // A (re)connection that fails: Socket.IO tries again by itself, with its own growing delays, unless
    // the server refused it; then the kiosk does, after a pause growing to a minute.
    live.socket.on("connect_error", function () {
      setLink("socket", false);
      if (!live.socket.active) reconnectLater(live);
    });
    window.antrianKiosk.socket = live.socket;
  }

  // The server closed the socket (its budget, a restart): Socket.IO does not try again by itself then,
  // and the kiosk would wait behind its offline bar until someone reloads it.
  var reconnectPause = 2000;
  function reconnectLater(live) {
    setTimeout(function () { if (!live.socket.connected) live.socket.connect(); }, reconnectPause);
    reconnectPause = Math.min(reconnectPause * 2, 60000);
  }

  // -- the server out of reach: said at once on every screen, no number asked for meanwhile ---------
  var link = { socket: true, fetch: true };
  var downTimer = null;

  function offline() { return !!window.antrianKiosk.offline; }

  function setLink(what, up) {
    // A failed look at the state while the socket is up is no outage: the socket is the server answering.
    if (what === "fetch" && !up && window.antrianKiosk.socket && window.antrianKiosk.socket.connected) return;
    if (what === "socket" && !up) {
      // A socket that is back within OFFLINE_GRACE_MS (a server restart) is not worth a banner.
      if (!link.socket || downTimer) return;
      downTimer = setTimeout(function () {
        downTimer = null;
        link.socket = false;
        renderLink();
      }, OFFLINE_GRACE_MS);
      return;
    }
    if (what === "socket") {
      clearTimeout(downTimer);
      downTimer = null;
      link.fetch = true;   // connected again: the server answers
    }
    link[what] = up;
    renderLink();
  }

  function renderLink() {
    var down = !link.socket || !link.fetch;
    var was = window.antrianKiosk.offline;
    window.antrianKiosk.offline = down;
    $("offline-notice").hidden = !down;
    document.body.classList.toggle("offline", down);
    renderSubmitError();   // a network error says what can be done now: wait for the connection, or touch again
    notesMoved();
    updateSubmit();
    if (down !== was) linkChanged(down);
  }

  function linkChanged(down) {
    // Gone: a form typed is kept past its idle time (a warning on the screen says so at once). Back: the idle time
    // starts again from now, as after a touch; "Masih di sini?" still over the form stays, counting down the whole
    // idle time: the visitor gets all of it to come back to the form before anything is cleared.
    if (!state || idleScreen() || submitting) return;
    if (down) {
      if (keptOffline()) scheduleIdle(false);
      return;
    }
    if (!idleKept) return;   // armed as ever (nothing typed, the ticket screen): its time runs on
    idleFrom = performance.now();
    scheduleIdle(!$("idle-warning").hidden);
  }

  function updateSubmit() {
    // "Ambil nomor antrian" waits for the server: no number can come while it is out of reach, nor while the
    // reason the server refused one for is still so (it only got the same refusal again).
    $("submit").disabled = submitting || offline() || refusedStill();
    // Nor can the visitor leave the review while the number is on its way: Ubah, then Kembali, Batal and "Ya,
    // hapus" (a visitor changing their mind, a slow answer) reset the kiosk under a number issued and never shown,
    // called with nobody to come. The answer (the ticket, a refusal, a network error) gives Ubah back.
    $("review-edit").disabled = submitting;
  }

  function refusedStill() {
    // Refused (409: the office closed, the service's quota used up or no counter serving it) and the notice at
    // the top still says why: the state says otherwise (the quota raised, the office opened), and it is offered.
    return !!(state && state.refused) && state.screen === "review" && !!officeNotice();
  }


  function keptOffline() {
    // The server out of reach and something of this visitor's on the way to a number (typed or chosen): the idle
    // time's end does not clear it. The visitor was told to wait ("Ambil nomor antrian" cannot be pressed), and
    // waiting without a touch they lost a long form typed on the screen's keys. "Masih di sini?" comes as ever
    // and stays over it (the next person sees none of it), saying the form is kept until the server is back;
    // a touch brings the form back. Up to OFFLINE_KEEP_SECONDS without a touch.
    var screen = state && state.screen;
    return offline() && !submitting && (screen === "service" || screen === "form" || screen === "review") &&
      formTyped() && idleSeconds() < OFFLINE_KEEP_SECONDS;
  }

  function armIdle() {
    idleFrom = performance.now();
    scheduleIdle(false);
  }

  function scheduleIdle(warnNow) {
    // The idle time from idleFrom; `warnNow`: "Masih di sini?" at once, counting down the whole of it.
    clearTimeout(idleTimer);
    idle.cancel();
    idleKept = false;
    window.antrianKiosk.resetIn = null;
    window.antrianKiosk.warnIn = null;
    window.antrianKiosk.kept = false;
    if (idleScreen()) return idle.hide();
    // A number on its way (its answer may take SUBMIT_TIMEOUT_MS, longer than an idle time of 10 s): no reset
    // meanwhile, or the ticket issued is never shown. Its answer arms it again (submit()).
    if (submitting) return idle.hide();
    var seconds = idleSeconds();
    if (state.screen === "ticket") {
      seconds = printFailed() ? PRINT_FAILED_SECONDS
        : state.printLate && printPending() ? PRINT_FAILED_SECONDS - TICKET_SCREEN_SECONDS
        : Math.min(seconds, TICKET_SCREEN_SECONDS);
    }
    // A visitor on the way to a number is asked first; the ticket screen goes back by itself.
    var warn = state.screen !== "ticket" ? Math.min(IDLE_WARNING_SECONDS, Math.floor(seconds / 2)) : null;
    if (warnNow) warn = seconds;
    idleKept = keptOffline();
    var until = idleKept ? OFFLINE_KEEP_SECONDS : seconds;   // (from idleFrom)
    var gone = (performance.now() - idleFrom) / 1000;        // 0 but when the server went or came back
    window.antrianKiosk.resetIn = until;
    window.antrianKiosk.kept = idleKept;
    if (warn !== null) window.antrianKiosk.warnIn = seconds - warn;
    idleTimer = setTimeout(idleOver, Math.max(0, until - gone) * 1000);
    idle.arm(seconds - gone, warn);
  }

  function idleOver() {
    // A slip still being printed when the ticket screen's time is up (a printer that takes its timeout to fail,
    // a USB one's two when its status is learnt, a print agent's answer on its way) keeps the screen up to the
    // minute a failed one has: gone at 20 s, it took the number away with "Tiket sedang dicetak" on it, and the
    // failure came after the visitor had left, nothing noted.
    if (state.screen === "ticket" && printPending() && !state.printLate) {
      state.printLate = true;
      return armIdle();
    }
    // Armed as ever offline, with nothing to keep then (the touch of the first letter typed comes before it): kept now.
    if (!idleKept && keptOffline()) return scheduleIdle(false);
    reset();
  }

  function touched() {
    // Any touch keeps the visitor's session alive. The touch that answers "Masih di sini?" is for the
    // warning only: it goes at that touch's click (a key under the finger is not pressed), or soon after
    // a touch that was no tap. Over a form kept while the server is out of reach it asks instead (its two
    // buttons, wire()): a touch beside them does nothing, not even keep the form longer.
    if (idle.asking()) return;
    armIdle();
    idle.touched();
  }

  // -- "Ya" on the kept cover: the last digits of the form's phone first -----------------------------
  // Any passer-by could answer "Ya, lanjutkan isian saya" and read the name, phone, address and problem of the one
  // who typed them, up to OFFLINE_KEEP_SECONDS after they left. Only they know the phone they typed: its last
  // PIN_DIGITS on the cover's own pad (no keyboard on a kiosk) bring the form back; PIN_TRIES wrong answers clear
  // it, as "Bukan saya" does. A phone of fewer digits has nothing to ask: "Ya" shows the form as ever. The pad is
  // part of the cover: its keys re-arm nothing (touched() does nothing while it asks), the cover's own time runs on.
  function phoneDigits() { return field("phone").value.replace(/[^0-9]/g, ""); }

  function mine() {
    if (!idle.asking()) return;
    if (phoneDigits().length >= PIN_DIGITS) return askPin();
    formBack();
  }

  function formBack() {
    closePin();
    idle.hide();
    armIdle();
  }

  function askPin() {
    pin.typed = "";
    pin.said = null;
    $("idle-warning").classList.add("pin");
    renderPin();
  }

  function closePin() {
    pin.typed = "";
    pin.said = null;
    $("idle-warning").classList.remove("pin");
    renderPin();
  }

  function pinAsking() { return idle.asking() && $("idle-warning").classList.contains("pin"); }

  function renderPin() {
    // The boxes filled with a dot for each digit typed (the digits are not shown); what was wrong, in the language
    // shown.
    var boxes = $("pin-boxes").children;
    for (var i = 0; i < boxes.length; i++) boxes[i].classList.toggle("filled", i < pin.typed.length);
    $("pin-said").textContent = pin.said ? t(pin.said) : "";
  }

  function pinKey(k) {
    if (!pinAsking()) return;
    if (k === "delete") pin.typed = pin.typed.slice(0, -1);
    else if (pin.typed.length < PIN_DIGITS) pin.typed += k;
    if (pin.typed.length === PIN_DIGITS) return checkPin();
    renderPin();
  }

  function checkPin() {
    var right = pin.typed === phoneDigits().slice(-PIN_DIGITS);
    pin.typed = "";
    if (right) {
      pin.misses = 0;
      return formBack();
    }
    pin.misses += 1;
    if (pin.misses >= PIN_TRIES) return clearedForPrivacy();
    pin.said = pin.misses === PIN_TRIES - 1 ? "idle_pin_last" : "idle_pin_wrong";
    renderPin();
  }

  function clearedForPrivacy() {
    // Cleared as "Bukan saya" clears it, and said why over the welcome screen for a moment (a touch takes it away).
    reset();
    $("cleared-note").hidden = false;
    noteTimer = setTimeout(hideClearedNote, CLEARED_NOTE_SECONDS * 1000);
  }

  function hideClearedNote() {
    clearTimeout(noteTimer);
    noteTimer = null;
    $("cleared-note").hidden = true;
  }

  // -- the on-screen keyboard ------------------------------------------------------------
  // The keys drawn as signs (⇧, ⌫, ⇪) are named for a screen reader in the language shown, as the keyboard
  // itself is: the page draws them in Indonesian (kiosk.key_*), and they stayed so after the toggle.
  var KEY_LABELS = { shift: "key_shift", capslock: "key_caps", backspace: "key_delete" };
  function labelKeys() {
    $("osk").setAttribute("aria-label", t("keyboard"));
    document.querySelectorAll("#osk [data-key]").forEach(function (k) {
      var name = KEY_LABELS[k.dataset.key];
      if (name) k.setAttribute("aria-label", t(name));
    });
  }

  function activate(key) {
    // "Isian ini sudah penuh" is said while the visitor types in that field: left behind on a field they moved on
    // from, it read as one more refusal in red (the longest name, agency and address: four fields "wrong").
    var left = state.active;
    if (left && left !== key && state.errors[left] && state.errors[left].key === "field_full") setError(left, "");
    state.active = key;
    var el = field(key);
    document.querySelectorAll(".field").forEach(function (f) { f.classList.toggle("active", f.dataset.field === key); });
    var pad = $("osk-numpad").hidden;
    $("osk-letters").hidden = key === "phone";
    $("osk-numpad").hidden = key !== "phone";
    // the phone's pad is not as tall as the letters: the form has another height (the problem's box, the bar)
    if (pad !== $("osk-numpad").hidden) updateFormMore();
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
    if (room > 0) {
      el.setRangeText(text.slice(0, room), start, end, "end");
      caretInView(el);
      edited(state.active);
    }
    // A full field takes no more: said at the field, or the keys seemed dead to a visitor typing on (its text
    // scrolled out of sight at the end); the next edit (a letter deleted) clears it.
    if (room < text.length) setError(state.active, { key: "field_full", params: { max: el.maxLength } });
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
    else if (key === "problem") updateFormMore();   // its box grows or shrinks with it (setError fits it too)
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
  function setError(key, said) {
    // `said`: what the field's refusal says (see words()); null or "" clears it.
    var p = $("e-" + key);
    if (!p) return;
    var had = !!state.errors[key];
    var text = said ? words(said) : "";
    p.textContent = text;
    var box = document.querySelector('.field[data-field="' + key + '"]');
    if (box) box.classList.toggle("invalid", !!text);
    var input = field(key);
    if (input) {
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
    if (text) state.errors[key] = said; else delete state.errors[key];
    // A field's refusal corrected: the summary above the form names it no more ("Belum diisi: Nama, Alamat." then
    // "Belum diisi: Alamat."), and the last one corrected, the summary goes: "Formulir belum lengkap" went on saying
    // so over a form now complete. A summary that says more than the fields' (a refusal of no field) stays.
    if (had && !text && state.summary) {
      state.summary = state.summary.map(function (said) {
        if (!said.fields) return said;
        var left = said.fields.filter(function (k) { return k !== key; });
        return left.length ? { key: said.key, fields: left } : null;
      }).filter(function (said) { return said; });
      if (!state.summary.length || (!Object.keys(state.errors).length && state.summary.length === 1 && !state.summary[0].fields)) {
        state.summary = null;
        $("form-summary").hidden = true;
        $("form-summary").textContent = "";
      } else {
        renderSummary();
      }
    }
    updateFormMore();
  }

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    document.querySelectorAll(".field.invalid").forEach(function (f) { f.classList.remove("invalid"); });
    document.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    if (state) {
      state.errors = {};
      state.summary = null;
    }
    $("form-summary").hidden = true;
    $("form-summary").textContent = "";
    updateFormMore();
  }

  function showErrors(fields, summary) {
    // `fields`: each field at fault -> what its refusal says; `summary`: what the form's says (one, or a list).
    clearErrors();
    var first = null;
    Object.keys(fields).forEach(function (key) {
      if ($("e-" + key)) {
        setError(key, fields[key]);
        if (!first && FIELDS.indexOf(key) >= 0) first = key;
      }
    });
    var other = Object.keys(fields).filter(function (k) { return !$("e-" + k); });
    state.summary = [].concat(summary, other.map(function (k) { return fields[k]; }));
    renderSummary();
    $("form-summary").hidden = false;
    if (first) state.active = first;
    updateFormMore();
  }

  function renderSummary() {
    $("form-summary").textContent = (state.summary || []).map(words).join(" ");
  }

  function renderRefusals() {
    // The refusals on screen, again in the language shown.
    Object.keys(state.errors).forEach(function (key) { $("e-" + key).textContent = words(state.errors[key]); });
    if (state.summary) renderSummary();
    if (state.submitError) renderSubmitError();
  }

  function showSubmitError(said) {
    state.submitError = said;
    renderSubmitError();
  }

  function renderSubmitError() {
    // What stopped the number, in the language shown. A network error under the offline bar says the button
    // comes back with the connection (it is disabled meanwhile: "touch it again" could not be done).
    // A quota refusal with the notice at the top is not said twice: the notice says it with the way on (another
    // service), where the server's words ("datang kembali pada hari layanan berikutnya") said the opposite.
    if (!state) return;
    var said = state.submitError;
    var box = $("submit-error");
    if (said && said.key === "network_error" && offline()) said = { key: "network_error_offline" };
    box.textContent = said ? words(said) : "";
    box.hidden = !said || (said.code === "quota_reached" && !!officeNotice());
  }

  function missingFields() {
    var missing = {};
    FIELDS.forEach(function (k) { if (!field(k).value.trim()) missing[k] = { key: "required" }; });
    // A phone the server would refuse (too short, letters in it): said at its field on Lanjut, in the server's own
    // words. Before, the visitor went on to the review and learnt it only from "Ambil nomor antrian".
    if (!missing.phone && !phoneOk(field("phone").value)) missing.phone = { key: "error.phone_invalid" };
    return missing;
  }

  // server/forms.py normalize_phone, as the server checks a phone (its whitespace as clean_text leaves it): an
  // Indonesian number, 08… of 10-13 digits or a landline 0… of 9-12, written with +62 / 62, spaces, ( ) - . too.
  function phoneOk(raw) {
    var text = raw.trim().replace(/\s+/g, " ");
    if (!/^\+?[0-9 ()\-.]+$/.test(text)) return false;
    var digits = text.replace(/[^0-9]/g, "");
    if (text.charAt(0) === "+") {
      if (digits.indexOf("62") !== 0) return false;
      digits = "0" + digits.slice(2).replace(/^0/, "");
    } else if (digits.indexOf("620") === 0 && digits.length >= 12) {
      digits = digits.slice(2);
    } else if (digits.indexOf("62") === 0 && digits.length >= 11) {
      digits = "0" + digits.slice(2);
    }
    if (digits.charAt(0) !== "0" || digits.indexOf("00") === 0) return false;
    if (digits.indexOf("08") === 0) return digits.length >= 10 && digits.length <= 13;
    return digits.length >= 9 && digits.length <= 12;
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

  // Whether `list` has more below than `slack` px, measured without its bar ("▼ Masih ada …"): shown, the bar takes
  // its own height from the list, and measured so it kept itself up over a list that fits once it is gone (at
  // 1366x768 the form's priority cut at its top after the refusals under the fields were corrected).
  function sayMoreBelow(list, bar, slack) {
    bar.hidden = true;
    bar.hidden = list.scrollHeight - list.clientHeight - list.scrollTop <= slack;
  }

  function updateFormMore() {
    // The problem's box fitted to the room left first (measured without the bar: the bar's room is the form's), then
    // on a small screen the refusals under the fields push the last ones below: say so while there is more.
    $("form-more").hidden = true;
    fitProblem();
    formMore();
  }

  function formMore() {
    sayMoreBelow($("visitor-form"), $("form-more"), 12); // a field's margins: not "more"
  }

  // The problem's box grows with its text into the room the form leaves free above Kembali/Lanjut, and no further:
  // the form does not scroll for it, the category and the priority stay whole above the buttons. It shrinks back as
  // text is deleted, and as a refusal, a notice or the summary takes that room (where the form scrolls all the same,
  // at 1366x768 with refusals, it keeps its CSS height). Before, it stayed about two lines high with 200-280 px empty
  // under the priority at 1080x1920, 1920x1080 and 800x1280: a visitor checking a long problem scrolled it two lines
  // at a time.
  function fitProblem() {
    var el = field("problem");
    var form = $("visitor-form");
    var top = el.scrollTop;
    el.style.height = "";   // its CSS height: what it is empty
    var hidden = el.scrollHeight - el.clientHeight;
    if (hidden > 0 && form.clientHeight > 0) {
      var base = el.offsetHeight;
      el.style.height = base + hidden + "px";
      var over = form.scrollHeight - form.clientHeight;   // what of the form it would push below (it grows 1:1)
      if (over > 0) el.style.height = Math.max(base, base + hidden - over) + "px";
    }
    // what was in sight stays so (the end of the text while it is typed there)
    el.scrollTop = top;
    caretInView(el);
  }

  function notesMoved() {
    // A bar above the screen came or went: the form's and the review's lists have another height.
    if (!state) return;
    if (state.screen === "form") updateFormMore();
    if (state.screen === "review") updateReviewMore();
  }

  function updateReviewMore() {
    // A long form scrolls inside the list, above the buttons: say so while there is more below.
    sayMoreBelow($("review"), $("review-more"), 4);
  }

  function toReview() {
    var missing = missingFields();
    if (Object.keys(missing).length) {
      // The summary names the fields, in the form's order: a visitor at a portrait kiosk may not see the marked
      // ones under the keyboard ("Formulir belum lengkap atau ada isian yang salah." named none). Empty ones, then
      // one filled but refused (the phone).
      var keys = FIELDS.filter(function (k) { return missing[k]; });
      var empty = keys.filter(function (k) { return missing[k].key === "required"; });
      var wrong = keys.filter(function (k) { return missing[k].key !== "required"; });
      var summary = [];
      if (empty.length) summary.push({ key: "form_missing", fields: empty });
      if (wrong.length) summary.push({ key: "form_wrong", fields: wrong });
      showErrors(missing, summary);
      activate(state.active);
      return;
    }
    clearErrors();
    renderReview();
    $("submit-error").hidden = true;
    state.submitError = null;
    show("review");
  }

  function newRequestId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "kiosk-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var FORM_SECONDS_MAX = 86400;   // the server's bound (server/forms.py): a longer time is none

  function formSeconds() {
    // Whole seconds since this visitor started (the nearest); null when unknown. Elapsed time on the
    // kiosk's own monotonic clock: the server takes it as it is, whatever the kiosk's time of day says.
    if (state.startedAt === null) return null;
    var seconds = Math.round((performance.now() - state.startedAt) / 1000);
    return seconds >= 0 && seconds <= FORM_SECONDS_MAX ? seconds : null;
  }

  function submit() {
    if (submitting) return;   // a double tap sends one request; its request_id covers a retry
    if (offline()) return;    // the banner says why; the button is disabled meanwhile
    submitting = true;
    armIdle();   // no idle reset while the answer is on its way
    if (!state.requestId) state.requestId = newRequestId();
    var data = formData();
    data.request_id = state.requestId;
    var seconds = formSeconds();
    if (seconds !== null) data.form_seconds = seconds;
    var button = $("submit");
    button.disabled = true;
    $("review-edit").disabled = true;   // back with the answer (updateSubmit)
    button.textContent = t("submitting");
    $("submit-error").hidden = true;
    state.submitError = null;
    var visitor = state;
    var asked = lang;   // the refusal comes in this language; the toggle turns it afterwards
    // No answer within SUBMIT_TIMEOUT_MS (a network that hangs): said as a network error, and the retry
    // keeps the request_id; the kiosk never sits on "Memproses…".
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, SUBMIT_TIMEOUT_MS) : null;
    fetch("/api/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": asked },
      body: JSON.stringify(data),
      signal: abort ? abort.signal : undefined
    }).then(function (resp) {
      visitor.answerLost = false;   // an answer: what it says is what happened
      return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (r) {
      if (visitor !== state) return;   // the kiosk was reset meanwhile: this answer is nobody's now
      var said = function (text, code) {
        return text ? { text: text, lang: asked, code: code } : { key: "network_error" };
      };
      if (r.status === 201 || r.status === 200) {
        state.ticket = r.body.ticket;
        state.requestId = null;
        renderTicket();
        show("ticket");
        followPrint();
      } else if (r.status === 409) {
        // The office's rules (office_closed, quota_reached): the server's message says what and until when.
        state.requestId = null;
        state.refused = true;
        // The quota used up, as the server says: the notice at the top says so at once (its way on: another
        // service), not only once the state is looked at again (which then says what is left, if it differs).
        if (r.body.error === "quota_reached" && state.service) {
          services[state.service] = Object.assign({}, services[state.service], { left: 0 });
        }
        showSubmitError(said(r.body.message, r.body.error));
        renderOffice();
        fetchState(0);
      } else if (r.status === 422) {
        state.requestId = null;
        var fields = {};
        Object.keys(r.body.fields || {}).forEach(function (k) { fields[k] = said(r.body.fields[k]); });
        showErrors(fields, r.body.message ? said(r.body.message, r.body.error) : { key: "form_incomplete" });
        show("form");
      } else {
        // 429, 5xx: nothing was issued under another id; the same request_id is reused on retry.
        if (r.status === 400) state.requestId = null;
        showSubmitError(said(r.body.message, r.body.error));
        // Not a kiosk (any more: its address changed since the page was drawn): the staff's notice
        if (r.status === 403 && r.body.error === "kiosk_only") checkDevice();
      }
    }).catch(function () {
      visitor.answerLost = true;
      if (visitor !== state) return;
      showSubmitError({ key: "network_error" });
    }).then(function () {
      clearTimeout(timer);
      if (visitor !== state) return;
      submitting = false;
      updateSubmit();
      button.textContent = t("submit");
      armIdle();   // the ticket screen's time, or the review's idle time again
    });
  }

  // -- the ticket's print job: the visitor must know when no paper comes out ----------------
  function printFailed() { return !!(state.ticket && state.ticket.print === "failed"); }
  function printPending() { return !!(state.ticket && state.ticket.print === "queued"); }

  function isMine(tk) {
    return !!(tk && state.ticket && tk.label === state.ticket.label && tk.day === state.ticket.day);
  }

  function followPrint(now) {
    // Look at the ticket's status (its print job's state) with growing gaps until it is printed, then
    // every PRINT_POLL_LATER seconds for as long as the ticket screen stays: a failed print keeps the screen
    // a minute while the server's retries go on (the last ~62 s after the first try), and a slip that comes
    // out meanwhile is told ("Ambil tiket kertas Anda"), not left beside "Tiket tidak tercetak". A
    // print_failed or printed event for this ticket looks at once. Bounded: PRINT_LOOKS_MAX looks in all.
    var visitor = state;
    var tk = visitor.ticket;
    if (!tk || !tk.token || tk.print === undefined || tk.print === null) return;   // no printer / older server
    clearTimeout(visitor.printTimer);
    if (!now) {
      visitor.printPolls = 0;
      if (tk.print === "printed") return;
    }
    // One chain of looks: a look still on its way when an event starts a new one schedules nothing more.
    visitor.printChain = (visitor.printChain || 0) + 1;
    lookAtPrint(visitor, visitor.printChain, now ? 0 : PRINT_POLLS[0]);
  }

  function lookAtPrint(visitor, chain, seconds) {
    window.antrianKiosk.printNextIn = seconds;
    visitor.printTimer = setTimeout(function () {
      window.antrianKiosk.printNextIn = null;
      fetch("/api/tickets/" + encodeURIComponent(visitor.ticket.token), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (visitor !== state || !body || !body.ticket || body.ticket.print === undefined) return;
          // A look of a chain an event has since replaced (its look sent at once) was read before it: answering
          // after that look's "printed", it put back "Tiket tidak tercetak", and looked no more.
          if (chain !== visitor.printChain) return;
          var was = state.ticket.print;
          state.ticket.print = body.ticket.print;
          if (was !== state.ticket.print) {
            renderTicket();
            armIdle();   // a failure keeps the screen longer, for the number to be noted; a late print not
          }
        })
        .catch(function () { /* offline: the next look */ })
        .then(function () {
          if (visitor === state) window.antrianKiosk.printLooks += 1;
          if (visitor !== state || chain !== visitor.printChain || state.screen !== "ticket") return;
          // printed, or no print to follow any more (a slip the server no longer prints: null)
          if (state.ticket.print === "printed" || state.ticket.print === null) return;
          visitor.printPolls += 1;
          if (visitor.printPolls >= PRINT_LOOKS_MAX) return;
          var n = visitor.printPolls;
          lookAtPrint(visitor, chain, n < PRINT_POLLS.length ? PRINT_POLLS[n] : PRINT_POLL_LATER);
        });
    }, seconds * 1000);
  }

  // `text` in `node`, its ticket number (`label`) on one line: a landscape kiosk's hint broke "A-014" after
  // its hyphen ("number A-" / "014, from the printer"), and a visitor copying the number down read two parts.
  function sayWithNumber(node, text, label) {
    var at = label ? text.indexOf(label) : -1;
    node.textContent = at < 0 ? text : text.slice(0, at);
    if (at < 0) return;
    var number = document.createElement("span");
    number.className = "nowrap";
    number.textContent = label;
    node.appendChild(number);
    node.appendChild(document.createTextNode(text.slice(at + label.length)));
  }

  function renderTicket() {
    var tk = state.ticket;
    if (!tk) return;
    var print = tk.print === undefined ? null : tk.print;
    $("screen-ticket").dataset.print = print === null ? "none" : print;
    $("ticket-print-failed").hidden = print !== "failed";
    // "Ambil tiket kertas Anda" only once the server says it printed: before, the slip may never come (a
    // printer that hangs takes its timeout to fail), and a visitor sent to the printer leaves without it.
    var hints = { failed: "hint_failed", printed: "hint_paper", none: "hint_no_paper" };
    // (named: a slip printed late for the visitor before may lie in the tray)
    sayWithNumber($("ticket-hint"), t(hints[print === null ? "none" : print] || "hint_printing", { label: tk.label }),
                  tk.label);
    $("ticket-label").textContent = tk.label;
    // its length sizes it (kiosk.css): "ABC-1000" stays on one line as "A-001" does
    $("ticket-label").style.setProperty("--chars", String(String(tk.label || "").length || 5));
    $("ticket-service").textContent = tk.service_name || state.serviceName;
    $("ticket-priority").hidden = !tk.priority;
    $("ticket-ahead").textContent = tk.ahead > 0 ? t("ahead_some", { n: tk.ahead }) : t("ahead_none");
    var minutes = Math.ceil((tk.estimated_wait_s || 0) / 60);
    $("ticket-wait").textContent = minutes > 0 ? t("wait_min", { n: minutes }) : t("wait_now");
    if (tk.status_url) loadQr(CONFIG.qr_url + "?data=" + encodeURIComponent(tk.status_url));
  }

  function loadQr(src) {
    // Asked for once per ticket (a re-render, at a print's news or the language toggle, asks for nothing more);
    // one that did not load is asked for again (qrFailed).
    var img = $("ticket-qr");
    if (img.getAttribute("src") === src) return;
    clearTimeout(state.qrTimer);
    state.qrTries = 0;
    img.src = src;
  }

  function qrFailed() {
    // The QR code did not load (the server restarting at that moment): asked for again after 1, 2, 4 and 8
    // seconds, while this ticket is on the screen. Before, the visitor had no code to scan.
    var visitor = state;
    var img = $("ticket-qr");
    var src = img.getAttribute("src");
    if (!src || visitor.screen !== "ticket" || visitor.qrTries >= QR_RETRY_SECONDS.length) return;
    clearTimeout(visitor.qrTimer);
    visitor.qrTimer = setTimeout(function () {
      if (visitor !== state || img.getAttribute("src") !== src) return;
      img.removeAttribute("src");
      img.src = src;
    }, QR_RETRY_SECONDS[visitor.qrTries] * 1000);
    visitor.qrTries += 1;
  }

  // -- wiring ---------------------------------------------------------------------------------
  function wire() {
    // Any touch keeps the visitor's session alive.
    ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, touched, { capture: true, passive: true });
    });
    $("idle-warning").addEventListener("click", function () { if (!idle.asking()) idle.hide(); });
    // "Masih di sini?" over a form kept while the server was out of reach: the one who typed it may have gone
    // (to the staff, home) and the next visitor's first touch showed it all, name, phone and problem, up to 15
    // minutes after. Only "Ya, lanjutkan isian saya" shows it again (the phone's last digits first: mine());
    // "Bukan saya" clears it at once.
    $("idle-mine").addEventListener("click", mine);
    document.querySelectorAll("[data-pin]").forEach(function (b) {
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });   // the form's field keeps the focus
      b.addEventListener("click", function () { pinKey(b.dataset.pin); });
    });
    $("pin-back").addEventListener("mousedown", function (e) { e.preventDefault(); });
    $("pin-back").addEventListener("click", function () { if (pinAsking()) closePin(); });
    $("cleared-note").addEventListener("click", hideClearedNote);
    $("idle-not-mine").addEventListener("click", function () { if (idle.asking()) reset(); });
    $("ticket-qr").addEventListener("error", qrFailed);

    $("start").addEventListener("click", function () {
      // The visitor starts: the form's time runs from this tap (a reset starts a new visitor's)
      if (state.startedAt === null) state.startedAt = performance.now();
      show("service");
    });
    $("lang-toggle").addEventListener("click", function () {
      lang = lang === "id" ? "en" : "id";
      applyLang();
    });
    document.querySelectorAll("[data-action]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.dataset.action === "home") {
          // the ticket's number stays until it can have been seen (TICKET_DONE_GUARD_MS)
          if (state.screen === "ticket" && performance.now() - ticketShownAt < TICKET_DONE_GUARD_MS) return;
          // Batal with a form typed (the visitor went back with Kembali, maybe only to change the service): asked
          // once. Two deliberate taps (Kembali, then Batal under the same finger) cleared a long problem text.
          if (state.screen === "service" && formTyped()) return askClear();
          return reset();
        }
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
      // A hardware keyboard, if one is ever plugged in, still counts as an edit. A text pasted (or typed there) into
      // the empty field ends the Shift that was on by itself for its first letter: the next key tapped went on in
      // a capital mid-word ("…berkas tidak tersimpanT"). (The keys' own letters come by setRangeText: no input event.)
      el.addEventListener("input", function () {
        edited(k);
        if (k === state.active && state.shift && el.value !== "") setShift(false);
      });
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
    $("clear-keep").addEventListener("click", hideClear);
    $("clear-yes").addEventListener("click", reset);
    $("to-review").addEventListener("click", toReview);
    $("review").addEventListener("scroll", updateReviewMore, { passive: true });
    $("visitor-form").addEventListener("scroll", formMore, { passive: true });
    window.addEventListener("resize", function () { updateFormMore(); updateReviewMore(); fitOfficeName(); });
    if (document.fonts) document.fonts.ready.then(fitOfficeName);
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
