// The admin page's voice section: the engine and voice pack (PUT /api/admin/settings/tts), the pack as
// the server loaded it (its unusable clips and why, in the page's language) and the words it lacks, those a
// call needs apart from those only a recall's intro says (GET /api/admin/voice), clip uploads and a preview of
// any call: a first call, a recall ("Panggilan kedua.") or the last ("Panggilan terakhir."), and each of them for a
// ticket on its last chance ("Kesempatan terakhir.", "Panggilan kedua, kesempatan terakhir."), its intro played
// before the call as the TVs do.
// It starts when admin.js has the admin logged in ("admin:ready"). Words come from the catalogue (t()).
import { askBeforeLeaving, discardButton, discarded } from "./admin.js";
import { api, el, say, t } from "./common.js";
import { clearErrors, keptNote, notice, resetButton } from "./sections.js";

const $ = (id) => document.getElementById(id);
const root = $("sec-voice");
const state = { settings: null, voice: null, poll: null, asked: 0, shown: null, playing: null, uploadPack: null };

// A refusal: its message on top, each named field's problem beside its input.
function showRefusal(err) {
  clearErrors(root);
  notice(root, "error", err.message);
  for (const [field, text] of Object.entries(err.fields || {})) {
    const key = field.startsWith("tts.") ? field : `voice.${field}`; // the upload's and preview's own fields
    const p = [...root.querySelectorAll(".field-error")].find((x) => x.dataset.for === key);
    if (p) p.textContent = text;
    const input = [...root.querySelectorAll("[data-key]")].find((x) => x.dataset.key === key);
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

function renderChoice() {
  const tts = state.settings.tts;
  // The admin's choice on screen, changed since it was drawn, stays: a look at the pack's state answered late (one
  // asked at another admin's change) drew the saved voice over it, and the save then sent that one back.
  const mine = state.shown !== null && chosen() !== state.shown ? [$("voice-engine").value, $("voice-pack").value] : null;
  $("voice-engine").value = tts.engine;
  const packs = state.voice ? state.voice.packs : [];
  const select = $("voice-pack");
  const options = packs.map((p) => el("option", { value: p.clips, dataset: { path: p.path } }, p.name));
  if (tts.clips && !packs.some((p) => p.path === tts.clips)) options.push(el("option", { value: tts.clips, dataset: { path: tts.clips } }, tts.clips));
  if (!options.length) options.push(el("option", { value: "" }, t("voice.no_pack")));
  select.replaceChildren(...options);
  const current = options.find((o) => o.dataset.path === tts.clips);
  if (current) select.value = current.value;
  // "Ke paket" names the pack in use, and follows it when another is saved (here, on another PC, from config.toml);
  // a name the admin typed there (a new pack's) stays.
  const upload = $("voice-upload-pack");
  const inUse = (current && current.textContent) || (packs[0] && packs[0].name) || "";
  if (!upload.value || upload.value === state.uploadPack) upload.value = inUse;
  state.uploadPack = inUse;
  renderCounters();
  renderCalls();
  renderKept();
  state.shown = chosen(); // what the admin's choice is told from
  if (mine && [...select.options].some((o) => o.value === mine[1])) [$("voice-engine").value, select.value] = mine;
  renderDiscard();
}

// The engine or the pack on screen is not the voice in force: the admin changed it, not saved yet.
function edited() {
  return state.shown !== null && chosen() !== state.shown;
}

// A change of the engine or the pack said nothing, and had no way back but a reload of the page (which dropped the
// other sections' edits too) or the old choice picked again by hand: it says "Ada perubahan yang belum disimpan." and
// has "Batalkan perubahan" while it differs from the voice in force, as the other sections (admin.js). A voice changed
// elsewhere meanwhile, refused at its save, has "Muat ulang bagian ini" instead (showStale), which does the same.
function onChoice() {
  const n = root.querySelector(".notice");
  if (edited()) {
    if (n.dataset.kind !== "error" && !stale()) notice(root, "dirty", t("unsaved"));
  } else if (n.dataset.kind === "dirty") notice(root, "info", ""); // picked back: nothing to save
  renderDiscard();
}

function stale() {
  return Boolean(root.querySelector(".reload-section"));
}

function renderDiscard() {
  discardButton(root, edited() && !stale(), "sec.voice", discardChoice);
}

// The voice in force, read afresh (without the network, as the page last read it), drawn over the choice on screen.
async function discardChoice() {
  try {
    takeTts((await api("GET", "/api/admin/settings")).body);
  } catch (err) {
    if (err.status === 401) return location.reload();
  }
  state.shown = null; // drawn whole, over the choice on screen
  renderChoice();
  discarded(root, $("voice-form"));
  loadVoice(); // the pack as the server loads it now, the words it lacks
}

// The voice's part of the settings read again (`fresh`: GET /api/admin/settings).
function takeTts(fresh) {
  state.settings = { ...state.settings, tts: fresh.tts, overridden: fresh.overridden, versions: fresh.versions };
}

// The counter the preview names (the settings' counters; the admin's choice kept while it is one: a language switch
// draws the section again, and the preview must not go back to the first counter).
function renderCounters() {
  const select = $("voice-counter");
  const keep = select.value;
  select.replaceChildren(...state.settings.counters.map((c) => el("option", { value: String(c.id) }, c.name)));
  if (state.settings.counters.some((c) => String(c.id) === keep)) select.value = keep;
}

// Which call the preview says: the first, each recall, the last ([queue] max_calls; the choice kept while it is one).
function renderCalls() {
  const select = $("voice-calls");
  const keep = select.value;
  const max = Math.max(1, Number((state.settings.queue || {}).max_calls) || 1);
  const options = [];
  for (let n = 1; n <= max; n++) {
    const text = n === 1 ? t("voice.call_first") : n === max ? t("voice.call_last", { n }) : t("voice.call_nth", { n });
    options.push(el("option", { value: String(n) }, text));
  }
  select.replaceChildren(...options);
  if (keep && Number(keep) <= max) select.value = keep;
}

// The engine and pack the inputs show (as renderChoice left them, or as the admin changed them).
function chosen() {
  return `${$("voice-engine").value}|${$("voice-pack").value}`;
}

// The voice saved here that hides config.toml's [tts] (the settings' `overridden`): a note under the engine's
// and the pack's input, one at the form's end for the keys set from the command line (pause_ms, trim_db),
// and Back to config.toml (DELETE /api/admin/settings/tts).
function renderKept() {
  const form = $("voice-form");
  form.querySelectorAll(".kept").forEach((p) => p.remove());
  const kept = (state.settings.overridden || []).filter((x) => x.key.startsWith("tts."));
  for (const { key } of kept) {
    const note = keptNote(state.settings.overridden, key);
    const field = form.querySelector(`.field-error[data-for="${key}"]`);
    if (field) field.after(note);
    else {
      note.textContent = t("kept.other", { name: key.slice(4), text: note.textContent });
      form.querySelector(".save-row").before(note);
    }
  }
  let button = form.querySelector(".reset-section");
  if (!kept.length) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = resetButton("sec.voice", resetVoice);
    form.querySelector(".save-row button[type=submit]").before(button);
  }
  button.relabel();
}

async function resetVoice() {
  clearErrors(root);
  try {
    state.settings = (await api("DELETE", "/api/admin/settings/tts", { base: version() })).body;
    notice(root, "info", t("done.reset"));
    state.shown = null; // config.toml's voice drawn whole, over any choice on screen
    await loadVoice();
  } catch (err) {
    if (err.status === 401) return location.reload();
    if (err.body.error === "settings_changed_meanwhile") return showStale(err);
    showRefusal(err);
  }
}

// The version of [tts] the choice shown was loaded at (the settings' `versions`), sent as a save's `base`: a
// voice changed meanwhile (another admin, the command line) is not overwritten unseen (409), the choice stays
// with the server's message and a "Reload this section" button.
function version() {
  return (state.settings.versions || {}).tts;
}

function showStale(err) {
  showRefusal(err);
  const row = $("voice-form").querySelector(".save-row");
  if (row.querySelector(".reload-section")) return;
  const button = el("button", { type: "button", class: "reload-section", dataset: { i18n: "btn.reload_section" } }, t("btn.reload_section"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      takeTts((await api("GET", "/api/admin/settings")).body);
      button.remove();
      clearErrors(root);
      notice(root, "info", t("done.reloaded"));
      state.shown = null; // the section as the server has it, over the choice on screen
      await loadVoice();
    } catch (e) {
      button.disabled = false;
      notice(root, "error", e.message);
    }
  });
  row.querySelector("button[type=submit]").before(button);
  renderDiscard(); // one way back: this one
}

function renderState() {
  const v = state.voice;
  const out = [];
  if (v && v.engine === "clips") {
    if (v.loading) out.push(el("p", { class: "muted" }, t("voice.loading")));
    if (v.error) out.push(el("p", { class: "field-error", id: "voice-error" }, t("voice.error", { error: v.error })));
    // a pack none of whose files could be used: each, with why, under it (its words say "below")
    const unusable = Object.entries(v.error_clips || {});
    if (v.error && unusable.length) {
      out.push(el("ul", { class: "voice-bad", id: "voice-error-clips" },
        unusable.map(([file, why]) => el("li", {}, el("code", {}, file), ` ${why}`))));
    }
    if (v.pack) {
      out.push(el("p", {}, t("voice.loaded", { folder: v.pack.folder, clips: v.pack.clips, format: v.pack.format })));
      const bad = Object.entries(v.pack.errors);
      if (bad.length) {
        out.push(el("p", { class: "warning" }, t("voice.bad_clips")),
          el("ul", { class: "voice-bad" }, bad.map(([file, why]) => el("li", {}, el("code", {}, file), ` ${why}`))));
      }
      const missing = [...new Set([...Object.keys(v.office_missing), ...v.missing])];
      if (missing.length) {
        out.push(el("p", { class: "warning", id: "voice-missing-title" }, t("voice.missing")),
          el("ul", { class: "voice-missing", id: "voice-missing" }, missing.map((w) => el("li", {}, el("code", {}, `${w}.wav`)))));
      } else {
        out.push(el("p", { class: "ok" }, t("voice.none_missing")));
      }
      // The words only a recall's intro says ("Panggilan kedua."): without them the recall is said from the
      // recordings, without its intro; espeak-ng does not say it for them.
      const intro = Object.keys(v.intro_missing || {});
      if (intro.length) {
        out.push(el("p", { class: "warning", id: "voice-intro-missing-title" }, t("voice.intro_missing")),
          el("ul", { class: "voice-missing", id: "voice-intro-missing" }, intro.map((w) => el("li", {}, el("code", {}, `${w}.wav`)))));
      }
    }
  }
  $("voice-state").replaceChildren(...out);
}

async function loadVoice() {
  const asked = ++state.asked;
  let body;
  try {
    body = (await api("GET", "/api/admin/voice")).body;
  } catch (err) {
    if (asked === state.asked) notice(root, "error", err.message);
    return;
  }
  if (asked !== state.asked) return; // a later one (after a change of language) answers instead
  state.voice = body;
  renderChoice();
  renderState();
  clearTimeout(state.poll);
  if (state.voice.loading) state.poll = setTimeout(loadVoice, 1000); // the speech worker loads it
}

async function saveChoice(ev) {
  ev.preventDefault();
  clearErrors(root);
  // The pack always: "" (none) takes away one saved before, which espeak would otherwise keep, and whose
  // folder, once deleted, would stop the server from starting (a saved section's other keys are kept).
  const value = { engine: $("voice-engine").value, clips: $("voice-pack").value || "" };
  try {
    state.settings = (await api("PUT", "/api/admin/settings/tts", { value, base: version() })).body;
    const stale = root.querySelector(".reload-section");
    if (stale) stale.remove();
    notice(root, "info", t("saved"));
    await loadVoice();
  } catch (err) {
    if (err.body.error === "settings_changed_meanwhile") return showStale(err);
    showRefusal(err);
  }
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function upload(ev) {
  ev.preventDefault();
  clearErrors(root);
  const pack = $("voice-upload-pack").value.trim();
  const files = [...$("voice-files").files];
  let saved = 0;
  for (const file of files) {
    try {
      await api("POST", "/api/admin/voice/clips", { pack, name: file.name, data: base64(await file.arrayBuffer()) });
      saved += 1;
    } catch (err) {
      showRefusal(err);
      root.querySelector(".notice").textContent = `${file.name}: ${err.message}`;
      break;
    }
  }
  if (saved === files.length) notice(root, "info", t("voice.uploaded", { count: saved }));
  if (saved) {
    $("voice-files").value = "";
    renderChosen();
    await loadVoice();
  }
}

// The files chosen for the upload, beside its button, in the page's language (say(): it follows the switch).
function renderChosen() {
  const files = [...$("voice-files").files];
  if (!files.length) say($("voice-files-chosen"), "voice.no_files");
  else say($("voice-files-chosen"), "voice.files_chosen", { count: files.length, names: files.map((f) => f.name).join(", ") });
}

// The call the preview and the sound check say: the number, the counter, which of its calls it is and whether the
// ticket is on its last chance (Tiket: Kesempatan terakhir).
function asked() {
  const calls = Number($("voice-calls").value) || 1;
  const last_chance = $("voice-chance").value === "last";
  return { label: $("voice-label").value.trim(), counter_id: Number($("voice-counter").value), calls, last_chance };
}

// Play `urls` one after the other, each to its end (a recall's intro, then the call); a new preview stops it.
async function playInOrder(urls) {
  if (state.playing) state.playing();
  let stopped = false;
  for (const url of urls) {
    const audio = new Audio(url);
    await new Promise((resolve, reject) => {
      state.playing = () => {
        stopped = true;
        audio.pause();
        resolve();
      };
      audio.addEventListener("ended", resolve, { once: true });
      audio.addEventListener("error", () => reject(new Error(url)), { once: true });
      audio.play().catch(reject);
    }).catch((err) => {
      if (!stopped) throw err;
    });
    if (stopped) return;
  }
  state.playing = null;
}

async function preview(ev) {
  ev.preventDefault();
  clearErrors(root);
  const out = $("voice-preview-text");
  const call = asked();
  try {
    const { body } = await api("POST", "/api/admin/voice/preview", call);
    // what is said, in the office's language; who says it, in the page's (following its switch)
    const by = el("span");
    say(by, body.engine === "clips" ? "voice.spoken_by_clips" : "voice.spoken_by_espeak");
    // A recall or a last chance with no intro: the pack lacks the intro's words (the answer's `missing`), and the
    // call is said alone, as a first call. Said here, with the clips it lacks, rather than played as if it were
    // the recall or the last chance.
    const bare = (call.calls > 1 || call.last_chance) && !body.intro;
    const note = el("span", { class: "voice-no-intro" });
    const clips = (body.missing || []).map((w) => `${w}.wav`).join(", ") || "?";
    if (bare) say(note, call.last_chance ? "voice.no_intro_last_chance" : "voice.no_intro", { clips });
    out.replaceChildren(`“${body.text}” — `, by, ...(bare ? [" ", note] : []));
    out.dataset.engine = body.engine;
    out.dataset.intro = bare ? "missing" : body.intro ? "said" : "none";
    const urls = body.intro ? [body.intro, body.audio] : [body.audio];
    playInOrder(urls).catch(() => notice(root, "error", t("voice.play_failed")));
  } catch (err) {
    showRefusal(err);
  }
}

// The TVs' sound check: the same call on every TV display, marked there as a test (the queue is not touched).
async function testCall() {
  clearErrors(root);
  const out = $("voice-test-call-text");
  say(out, null);
  try {
    const { body } = await api("POST", "/api/admin/voice/test-call", asked());
    say(out, body.displays ? "voice.test_call_sent" : "voice.test_call_none", { count: body.displays });
    out.dataset.displays = String(body.displays);
  } catch (err) {
    showRefusal(err);
  }
}

document.addEventListener("admin:ready", (ev) => {
  state.settings = ev.detail;
  loadVoice();
});
// The settings as admin.js read them again (a section saved on the page, another admin's change, a snapshot of the
// live socket: its first, a reconnect): the preview's counters follow (a counter renamed, added or removed), and
// so does the voice changed elsewhere, unless this admin changed the choice on screen (it stays, and its save is
// refused as changed meanwhile, 409).
document.addEventListener("admin:settings", (ev) => {
  if (!state.settings) return;
  const fresh = ev.detail;
  state.settings = { ...state.settings, counters: fresh.counters, queue: fresh.queue, overridden: fresh.overridden };
  const versions = fresh.versions || {};
  if (versions.tts !== version() && (state.shown === null || chosen() === state.shown)) { // (null: not drawn yet)
    state.settings = { ...state.settings, tts: fresh.tts, versions: { ...state.settings.versions, tts: versions.tts } };
    renderChoice();
    loadVoice(); // the pack as the server loads it now, the words it lacks
  } else {
    renderKept();
    renderCalls();
    renderCounters();
  }
});
document.addEventListener("admin:lang", () => {
  if (!state.settings) return;
  renderChoice();
  renderState();
  loadVoice(); // why each clip is unusable: the server says it in the language asked (X-Lang)
});
$("voice-form").addEventListener("submit", saveChoice);
$("voice-engine").addEventListener("change", onChoice);
$("voice-pack").addEventListener("change", onChoice);
askBeforeLeaving(edited);
$("voice-upload").addEventListener("submit", upload);
$("voice-files").addEventListener("change", renderChosen);
$("voice-preview").addEventListener("submit", preview);
$("voice-test-call").addEventListener("click", testCall);
