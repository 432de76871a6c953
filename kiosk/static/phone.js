// The visitor's phone: the live status of one ticket, and a loud "go to counter N" when it is called.
// It shows only its own ticket; other tickets in the events only prompt a refetch of its own status.
import { connect as connectLive } from "/static/live.js";

(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("phone-config").textContent);
  // The words ({id: {...}, en: {...}}) are the server's one catalogue (server/i18n/*.json, keys
  // `phone.*`), in the page's `i18n` JSON element.
  var STRINGS = JSON.parse(document.getElementById("i18n").textContent);

  // A ticket in one of these is done: it will never be called again, so no call sound to turn on.
  var FINISHED = ["resolved", "escalated", "closed", "no_show", "cancelled", "expired"];
  var lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "id";
  var ticket = CONFIG.ticket;
  var alertedCalls = ticket.status === "called" ? ticket.calls : 0;  // no sound for a call already shown
  var audio = null;
  var refetchTimer = null;

  function $(id) { return document.getElementById(id); }
  function t(key, params) {
    var text = STRINGS[lang][key] || STRINGS.id[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.replace("{" + k + "}", params[k]); });
    return text;
  }

  function render() {
    var s = ticket.status;
    document.body.dataset.status = s;
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    if (audio) $("sound").textContent = t("sound_ready");
    $("sound").hidden = FINISHED.indexOf(s) >= 0;
    $("label").textContent = ticket.label;
    $("service").textContent = ticket.service_name || ticket.service;
    $("status").textContent = t(s);
    $("status").className = "status-" + s;
    var counter = ticket.counter_name || "";
    $("called").hidden = s !== "called";
    if (s === "called") {
      // "Loket 2" stays on one line: the counter goes in its own unbreakable span.
      var parts = t("go").split("{counter}");
      var go = $("called-go");
      var span = document.createElement("span");
      span.className = "counter";
      span.textContent = counter;
      go.textContent = "";
      go.append(parts[0], span, parts[1] || "");
      $("called-sub").textContent = ticket.calls > 1 ? t("go_sub_n", { label: ticket.label, n: ticket.calls })
                                                      : t("go_sub", { label: ticket.label });
    }
    $("facts").hidden = s !== "waiting";
    if (s === "waiting") {
      $("position").textContent = t("position", { n: ticket.position }) + " · " +
        (ticket.ahead > 0 ? t("ahead_some", { n: ticket.ahead }) : t("ahead_none"));
      var minutes = Math.ceil((ticket.estimated_wait_s || 0) / 60);
      $("wait").textContent = minutes > 0 ? t("wait_min", { n: minutes }) : t("wait_now");
    }
    $("note").textContent = s === "called" ? "" : t("note_" + s, { counter: counter });
    document.title = ticket.label + " — " + t(s);
  }

  function update(view) {
    if (!view) return;
    ticket = Object.assign({}, ticket, view);
    if (ticket.status === "called" && ticket.calls > alertedCalls) {
      alertedCalls = ticket.calls;
      alarm();
    }
    if (ticket.status !== "called") alertedCalls = 0;
    render();
  }

  // -- sound and vibration ------------------------------------------------------------------
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  function alarm() {
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
    var ctx;
    try { ctx = unlockAudio(); } catch (e) { ctx = null; }
    if (!ctx) return;
    [0, 0.35, 0.7].forEach(function (at) {
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
    });
    document.body.classList.remove("flash");
    void document.body.offsetWidth;
    document.body.classList.add("flash");
  }

  // -- live updates ---------------------------------------------------------------------------
  function refetch() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(function () {
      fetch("/api/tickets/" + encodeURIComponent(CONFIG.token) + "?lang=" + lang, { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body) update(body.ticket); })
        .catch(function () {});
    }, 150);
  }

  function mine(ev) {
    return ev.ticket && ev.ticket.label === ticket.label && ev.ticket.day === ticket.day;
  }

  function connect() {
    if (typeof io !== "function") return;
    // The live client (/static/live.js) drops what we already show and asks for a snapshot on a gap;
    // the page starts from the seq it was drawn at, and the snapshot brings this ticket's view.
    connectLive({
      auth: { role: "ticket", token: CONFIG.token },
      seq: ticket.seq || 0,
      onSnapshot: function (snap) {
        $("conn").textContent = "";
        if (snap.ticket) update(snap.ticket);
      },
      onEvent: function (ev) {
        if (mine(ev)) update(ev.ticket);   // the call shows at once; position and wait follow
        refetch();
      },
      onStatus: function (up) { if (!up) $("conn").textContent = t("conn_lost"); }
    });
  }

  $("sound").addEventListener("click", function () {
    try { unlockAudio(); } catch (e) { /* no WebAudio: vibration only */ }
    render();
  });
  $("lang-toggle").addEventListener("click", function () {
    lang = lang === "id" ? "en" : "id";
    render();
  });

  render();
  connect();
})();
