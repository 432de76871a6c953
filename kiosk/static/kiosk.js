// The touchscreen kiosk: welcome -> service -> form (on-screen keyboard) -> review -> ticket.
// Nothing of a visitor stays once the kiosk returns to the welcome screen.
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("kiosk-config").textContent);
  var FIELDS = ["name", "agency", "address", "phone", "problem"];
  var TICKET_SCREEN_SECONDS = 20;

  var STRINGS = {
    id: {
      lang_toggle: "English",
      welcome_hello: "Selamat datang di",
      welcome_sub: "Layanan Helpdesk Pengadaan Secara Elektronik",
      welcome_cta: "Sentuh layar untuk mengambil nomor antrian",
      service_title: "Pilih layanan",
      cancel: "Batal",
      form_title: "Formulir Konsultasi",
      label_name: "Nama",
      label_agency: "Instansi / perusahaan",
      label_address: "Alamat",
      label_phone: "Nomor telepon / HP",
      label_problem: "Permasalahan",
      label_category: "Jenis permasalahan",
      label_priority: "Prioritas: lansia, penyandang disabilitas, ibu hamil",
      cat_pengaduan: "Pengaduan",
      cat_pertanyaan: "Pertanyaan",
      cat_konsultasi: "Konsultasi",
      back: "Kembali",
      continue: "Lanjut",
      key_space: "spasi",
      key_next: "Berikutnya",
      required: "Wajib diisi.",
      form_incomplete: "Formulir belum lengkap atau ada isian yang salah.",
      review_title: "Periksa kembali data Anda",
      review_service: "Layanan",
      review_priority: "Prioritas",
      yes: "Ya",
      no: "Tidak",
      none: "—",
      edit: "Ubah",
      submit: "Ambil nomor antrian",
      submitting: "Memproses…",
      network_error: "Tidak dapat terhubung ke server. Sentuh \u201cAmbil nomor antrian\u201d untuk mencoba lagi.",
      ticket_caption: "Nomor antrian Anda",
      ticket_priority: "Antrian prioritas",
      ahead_none: "Tidak ada antrian di depan Anda",
      ahead_some: "{n} orang di depan Anda",
      wait_now: "Perkiraan waktu tunggu: segera",
      wait_min: "Perkiraan waktu tunggu: ± {n} menit",
      ticket_note: "Catat nomor Anda atau foto kode QR",
      ticket_hint: "Pindai kode QR dengan ponsel untuk memantau antrian Anda. Tunggu sampai nomor Anda dipanggil.",
      qr_alt: "Kode QR status antrian",
      done: "Selesai"
    },
    en: {
      lang_toggle: "Bahasa Indonesia",
      welcome_hello: "Welcome to",
      welcome_sub: "E-procurement helpdesk",
      welcome_cta: "Touch the screen to take a queue number",
      service_title: "Choose a service",
      cancel: "Cancel",
      form_title: "Consultation form",
      label_name: "Name",
      label_agency: "Agency / company",
      label_address: "Address",
      label_phone: "Phone / mobile number",
      label_problem: "Problem",
      label_category: "Kind of problem",
      label_priority: "Priority: elderly, disabled, pregnant",
      cat_pengaduan: "Complaint",
      cat_pertanyaan: "Question",
      cat_konsultasi: "Consultation",
      back: "Back",
      continue: "Continue",
      key_space: "space",
      key_next: "Next",
      required: "Required.",
      form_incomplete: "The form is incomplete or has invalid fields.",
      review_title: "Check your details",
      review_service: "Service",
      review_priority: "Priority",
      yes: "Yes",
      no: "No",
      none: "—",
      edit: "Edit",
      submit: "Take a queue number",
      submitting: "Working…",
      network_error: "Cannot reach the server. Touch \u201cTake a queue number\u201d to try again.",
      ticket_caption: "Your queue number",
      ticket_priority: "Priority queue",
      ahead_none: "Nobody is ahead of you",
      ahead_some: "{n} ahead of you",
      wait_now: "Estimated wait: very soon",
      wait_min: "Estimated wait: about {n} min",
      ticket_note: "Write down your number or take a photo of the QR code",
      ticket_hint: "Scan the QR code with your phone to follow your queue. Wait until your number is called.",
      qr_alt: "QR code of your queue status",
      done: "Done"
    }
  };

  var state;          // everything this visitor entered; replaced wholesale on reset
  var lang = CONFIG.lang === "en" ? "en" : "id";
  var idleTimer = null;
  var submitting = false;

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
             active: "name", shift: false, requestId: null, ticket: null, errors: {}, summary: "" };
  }

  // -- language ---------------------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    $("ticket-qr").alt = t("qr_alt");
    if (state.screen === "review") renderReview();
    if (state.screen === "ticket") renderTicket();
  }

  // -- screens ----------------------------------------------------------------------------
  function show(name) {
    state.screen = name;
    document.querySelectorAll("section[data-screen]").forEach(function (el) { el.hidden = el.dataset.screen !== name; });
    document.body.dataset.current = name;
    if (name === "form") activate(state.active || "name");
    armIdle();
  }

  function reset() {
    // Back to the start for the next visitor: every field, error, choice and the ticket cleared.
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
    ["ticket-label", "ticket-service", "ticket-ahead", "ticket-wait"].forEach(function (id) { $(id).textContent = ""; });
    $("ticket-priority").hidden = true;
    $("ticket-qr").removeAttribute("src");
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

  function refreshIfStale() {
    if (!stale || state.screen !== "welcome") return;
    // Reload only when the server answers: a kiosk must never end on a browser error page.
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok || state.screen !== "welcome") return;
      try { sessionStorage.setItem(RELOADED, String(Date.now())); } catch (e) { /* private mode */ }
      location.reload();
    }).catch(function () { /* offline: try again after the next visitor */ });
  }

  function markStale() {
    stale = true;
    refreshIfStale();
  }

  function listen() {
    window.antrianKiosk = { live: false };   // for tests: true while the live updates are on
    if (typeof io !== "function") return;
    var socket = io({ auth: { role: "kiosk" } });
    socket.on("snapshot", function (snap) {   // changed while this kiosk was offline?
      window.antrianKiosk.live = true;
      if (drawnDiffers(snap) && !reloadedLately()) markStale();
    });
    socket.on("disconnect", function () { window.antrianKiosk.live = false; });
    function onEvent(ev) { if (ev.type === "settings_changed") markStale(); }
    socket.on("event", onEvent);
    socket.on("events", function (list) { list.forEach(onEvent); });
  }

  function armIdle() {
    clearTimeout(idleTimer);
    if (state.screen === "welcome") return;
    var seconds = idleSeconds();
    if (state.screen === "ticket") seconds = Math.min(seconds, TICKET_SCREEN_SECONDS);
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
    if (key !== "phone") setShift(el.value.length === 0);
  }

  function setShift(on) {
    state && (state.shift = on);
    var shiftKey = document.querySelector(".key-shift");
    shiftKey.setAttribute("aria-pressed", on ? "true" : "false");
    document.querySelectorAll("#osk-letters .key").forEach(function (k) {
      var ch = k.dataset.key;
      if (ch.length === 1 && /[a-z]/.test(ch)) k.textContent = on ? ch.toUpperCase() : ch;
    });
  }

  function insert(text) {
    var el = field(state.active);
    var start = el.selectionStart == null ? el.value.length : el.selectionStart;
    var end = el.selectionEnd == null ? el.value.length : el.selectionEnd;
    var room = el.maxLength > 0 ? el.maxLength - (el.value.length - (end - start)) : text.length;
    if (room <= 0) return;
    el.setRangeText(text.slice(0, room), start, end, "end");
    edited(state.active);
  }

  function backspace() {
    var el = field(state.active);
    var start = el.selectionStart == null ? el.value.length : el.selectionStart;
    var end = el.selectionEnd == null ? el.value.length : el.selectionEnd;
    if (start === end && start > 0) start -= 1;
    if (start === end) return;
    el.setRangeText("", start, end, "end");
    edited(state.active);
  }

  function edited(key) {
    // A changed form is a new submission: the next submit gets a new request_id.
    state.requestId = null;
    if (state.errors[key]) setError(key, "");
  }

  function pressKey(k) {
    if (k === "shift") return setShift(!state.shift);
    if (k === "backspace") return backspace();
    if (k === "next") {
      var i = FIELDS.indexOf(state.active);
      return activate(FIELDS[(i + 1) % FIELDS.length]);
    }
    if (k === "space") return insert(" ");
    var ch = k;
    if (state.shift && /[a-z]/.test(ch)) {
      ch = ch.toUpperCase();
      setShift(false);
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
  }

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    document.querySelectorAll(".field.invalid").forEach(function (f) { f.classList.remove("invalid"); });
    document.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    if (state) state.errors = {};
    $("form-summary").hidden = true;
    $("form-summary").textContent = "";
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
    fetch("/api/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lang": lang },
      body: JSON.stringify(data)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (r) {
      if (visitor !== state) return;   // the kiosk was reset meanwhile: this answer is nobody's now
      if (r.status === 201 || r.status === 200) {
        state.ticket = r.body.ticket;
        state.requestId = null;
        renderTicket();
        show("ticket");
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
      if (visitor !== state) return;
      $("submit-error").textContent = t("network_error");
      $("submit-error").hidden = false;
    }).then(function () {
      if (visitor !== state) return;
      submitting = false;
      button.disabled = false;
      button.textContent = t("submit");
    });
  }

  function renderTicket() {
    var tk = state.ticket;
    if (!tk) return;
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
        state.requestId = null;
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
        state.requestId = null;
        document.querySelectorAll("[data-category]").forEach(function (x) {
          x.setAttribute("aria-pressed", x.dataset.category === state.category ? "true" : "false");
        });
        setError("category", "");
      });
    });
    $("priority").addEventListener("click", function () {
      state.priority = !state.priority;
      state.requestId = null;
      $("priority").setAttribute("aria-pressed", state.priority ? "true" : "false");
    });
    document.querySelectorAll(".key").forEach(function (b) {
      // Keep the focus (and the caret) in the field while a key is pressed.
      b.addEventListener("mousedown", function (e) { e.preventDefault(); });
      b.addEventListener("click", function () { pressKey(b.dataset.key); });
    });
    $("to-review").addEventListener("click", toReview);
    $("submit").addEventListener("click", submit);
    document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  }

  state = freshState();
  wire();
  reset();
  listen();
})();
