// The admin's page: office settings, services, counters, the priority table, the kiosk, service hours, accounts.
// Each section is edited as a draft and saved on its own (PUT /api/admin/settings/<section>): a list
// whole; of a table (office, queue, kiosk) only the keys the admin changed, so that the others keep
// config.toml's value, and a later edit of config.toml shows (docs/admin.md). The server checks it like
// config.toml and answers the new settings, which the page re-renders. A value saved here that is used
// instead of config.toml's is marked under its field (the answer's `overridden`), and its section gets a way
// back to config.toml's values (DELETE /api/admin/settings/<section>, as `settings reset SECTION`).
// A save or reset sends the section's version its draft started from (`base`, the answer's `versions`): when
// another admin or the command line changed the section meanwhile, the server refuses it (409
// settings_changed_meanwhile, naming who and when) and the page keeps the draft on screen with that message
// and a "Reload this section" button: nobody's change is overwritten unseen (docs/admin.md).
// Everything shown goes through textContent (el()), never innerHTML.
import { api, connectLive, dayName, doubled, el, getLang, growToText, logout, secondClick, setupLangToggle, showLogin, showUser, statusName, t, whoAmI } from "./common.js";
import { clearErrors, keptNote, notice, resetButton, shownAddress } from "./sections.js";
import { inOrder } from "/static/live.js";

const SECTIONS = ["office", "queue", "services", "counters", "priority_classes", "kiosk", "hours", "announcement"];
const OFFICE_KEYS = ["name", "address", "public_url", "language"];
const QUEUE_KEYS = ["max_calls", "max_requeues", "auto_recall_seconds", "rate_limit_per_minute", "counter_release_minutes"];
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const state = {
  me: null,
  day: null, // the office's day as the server counts it (its snapshots, day_changed): the announcement's line
  settings: null, // the server's last answer
  drafts: {}, // section -> the value being edited
  bases: {}, // section -> the server's value its draft started from (what the admin changed is sent)
  versions: {}, // section -> the server's version of that value (`versions`), sent as a save's `base`
  stale: new Set(), // edited sections changed elsewhere meanwhile (an event, or a save refused with 409)
  dirty: new Set(), // sections edited since their last load or save
  unanswered: new Set(), // sections whose save's answer the network lost (it may have been saved: load)
  unservedSaid: {}, // services or counters -> the notice its save left naming a service no counter serves
  users: [],
  resetting: null, // username whose new-password input is open
  editing: null, // username whose full name / NIP inputs are open
  counters: new Map(), // live: counter id -> {officer, paused, ticket} (staff snapshot + events)
  armedCounter: null, // counter whose Lepas button waits for its confirming click
  armedUser: null, // account whose Nonaktifkan waits for its confirming click (it holds a visitor at a counter)
  releaseSaid: null, // this page's last Lepas of a held counter: {id, seq, params, text} (sayRelease)
  released: new Map(), // counter id -> its last release {seq, returned, place, service} (events, snapshots)
  live: null, // the live connection (start): whether its events are past a release's answer (knows)
  disk: null, // the staff state's `disk`: the free disk space, an alert when low
};

const $ = (id) => document.getElementById(id);
const box = (section) => $(`sec-${section}`);
const KEPT_KEY = "antrian.admin.drafts"; // the sections being edited when the session ended (sessionStorage)
const KEPT_VERSIONS = "antrian.admin.versions"; // and the versions their drafts started from

// The sections being edited, kept in this tab over the login that follows a session's end (a save
// answered 401, or the live socket closed by the server): given back after it, marked unsaved.
function keepDrafts() {
  const kept = {};
  const versions = {};
  for (const s of state.dirty) {
    kept[s] = state.drafts[s];
    versions[s] = state.versions[s];
  }
  if (Object.keys(kept).length) {
    sessionStorage.setItem(KEPT_KEY, JSON.stringify(kept));
    sessionStorage.setItem(KEPT_VERSIONS, JSON.stringify(versions));
  }
}

// The session ended under an edit (a save answered 401): kept, then the login.
function keepDraftsAndReload() {
  keepDrafts();
  state.dirty.clear(); // kept: no "leave the page?" question for this reload
  location.reload();
}

// Leaving with edits not saved: the browser asks first. The survey's and the voice's edits too (skm_admin.js,
// voice.js: askBeforeLeaving): a reload, a link or the tab closed dropped them without a word.
const unsavedElsewhere = []; // () => whether that section has edits not saved
export function askBeforeLeaving(edited) {
  unsavedElsewhere.push(edited);
}
window.addEventListener("beforeunload", (ev) => {
  if (state.dirty.size || unsavedElsewhere.some((edited) => edited())) ev.preventDefault();
});
window.antrianSessionEnded = keepDraftsAndReload; // common.js, when the live socket finds the session gone
const clone = (v) => JSON.parse(JSON.stringify(v));

// ---- notices and field errors ------------------------------------------------------------
// A refusal: its message at the top of the section (naming the field as the page labels it, rows
// from 1), each named key's problem next to its input (`services[1].code` is the second row's code
// input): the server's words for that field (what it accepts), in the page's language. `form`: where the
// fields are, when the section has more than one form (the accounts: a new account, a row's new password or
// name). Nothing typed is cleared: the admin corrects the field named and sends again.
function showRefusal(root, err, form = root) {
  clearErrors(root);
  notice(root, "error", refusalText(err, form));
  fieldErrors(form, err.fields);
}

// An account's form refused (422 form_incomplete) said only "Formulir belum lengkap atau ada isian yang salah." at the
// top, the reason under its field alone: the top says each field's problem, a line each, in the form's order, named as
// its label says when its words do not ("Kata sandi harus 8–200 karakter."; "Nama pengguna: Wajib diisi."). A field
// with no input in `form` leaves the server's message (tests/test_admin_afternoon.py).
function refusalText(err, form) {
  if (err.body.error !== "form_incomplete") return err.message;
  const fields = err.fields || {};
  const lines = [...form.querySelectorAll("[data-key]")].filter((x) => typeof fields[x.dataset.key] === "string").map((input) => {
    const text = fields[input.dataset.key];
    const name = fieldName(input);
    return name && !text.toLowerCase().startsWith(name.toLowerCase()) ? `${name}: ${text}` : text;
  });
  return lines.length ? lines.join("\n") : err.message;
}

// An input's name as the page shows it: its label's words without their note in brackets ("Kata sandi (min. 8
// karakter)" is "Kata sandi"), else its aria-label.
function fieldName(input) {
  const label = input.closest("label");
  const span = label && label.querySelector("span");
  return ((span && span.textContent) || input.getAttribute("aria-label") || "").replace(/\s*\([^)]*\)\s*$/, "").trim();
}

// Each field's problem (`fields`: key -> the server's words) under its input in `form`, the input marked
// invalid and the first of them on the page focused (the answer's keys come sorted by name). The keys with
// no input there are left out: the notice has the message.
function fieldErrors(form, fields) {
  for (const [key, text] of Object.entries(fields || {})) {
    const p = [...form.querySelectorAll(".field-error")].find((x) => x.dataset.for === key);
    if (p) p.textContent = text;
    const input = [...form.querySelectorAll("[data-key]")].find((x) => x.dataset.key === key);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  const first = form.querySelector('[data-key][aria-invalid="true"]');
  if (first && first.focus) first.focus();
}

function fieldError(key) {
  return el("p", { class: "field-error", dataset: { for: key } });
}

// ---- inputs bound to a draft --------------------------------------------------------------
// A number input keeps what was typed when it is not a number, so the server names the key.
function asNumber(text) {
  const n = Number(text);
  return text.trim() !== "" && Number.isInteger(n) ? n : text;
}

// A text input has no maxlength: the browser cut a longer name at it without a word (a counter's name of 117
// characters saved as its first 100, mid-word; an office address at 300 when the server takes 500). The server
// refuses a name too long at its input, saying its length and the limit, and the whole of it stays there to shorten
// (tests/test_admin_afternoon.py). A code too: a service's code or prefix of 4 letters was cut to 3 as typed (the
// server refuses it at its input: "harus 1-3 huruf kapital"), a priority class's at 10 (the server takes it whole).
function bound(section, key, obj, prop, { type = "text", number = false, ...attrs } = {}) {
  const input = el("input", { type, dataset: { key }, ...attrs });
  input.value = obj[prop] === undefined || obj[prop] === null ? "" : String(obj[prop]);
  input.addEventListener("input", () => {
    obj[prop] = number ? asNumber(input.value) : input.value;
    markDirty(section);
  });
  return input;
}

function labelled(labelKey, input, key, note = null) {
  return el("div", { class: "field" },
    el("label", {}, el("span", {}, t(labelKey)), note ? el("small", { class: "muted" }, ` (${note})`) : null, input),
    fieldError(key), kept(key));
}

// ---- values saved here that hide config.toml's (the answer's `overridden`) ----------------------
// Under its field, "Saved on this page; config.toml has: …"; what has no field of its own (a list
// section, a key the page does not edit) at the end of its section, whose Back to config.toml drops
// every value saved for it (DELETE /api/admin/settings/<section>, as `settings reset SECTION`).
const placed = new Set(); // the keys noted under a field by the render going on

function kept(key) {
  const note = keptNote(state.settings.overridden, key);
  if (note) placed.add(key);
  return note;
}

function keptOfSection(section) {
  return (state.settings.overridden || []).filter((x) => x.key === section || x.key.startsWith(`${section}.`));
}

function keptRest(section) {
  return keptOfSection(section).filter((x) => !placed.has(x.key)).map((x) => {
    const note = keptNote(state.settings.overridden, x.key);
    const name = x.key.includes(".") ? x.key.slice(section.length + 1) : null;
    if (name) note.textContent = t("kept.other", { name, text: note.textContent });
    return note;
  });
}

function renderReset(section) {
  const row = box(section).querySelector(".save-row");
  let button = row.querySelector(".reset-section");
  if (!keptOfSection(section).length) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = resetButton(`sec.${section}`, () => resetSection(section));
    row.querySelector(".save").before(button);
  }
  button.relabel();
}

async function resetSection(section) {
  const root = box(section);
  clearErrors(root);
  try {
    const { body } = await api("DELETE", `/api/admin/settings/${section}`, { base: state.versions[section] });
    state.dirty.delete(section);
    state.stale.delete(section);
    load(body);
    renderDiscard(section);
    notice(root, "info", t("done.reset"));
  } catch (err) {
    if (err.status === 401) return keepDraftsAndReload();
    if (err.body.error === "settings_changed_meanwhile") return showStale(section, err.message);
    showRefusal(root, err);
  }
}

function markDirty(section) {
  state.dirty.add(section);
  const n = box(section).querySelector(".notice");
  if (n.dataset.kind !== "error" && !state.stale.has(section)) notice(box(section), "dirty", t("unsaved"));
  renderDiscard(section);
}

// ---- one section's edits dropped: the section as in force, the other sections' edits kept -------------------
// "Ada perubahan yang belum disimpan." had no way back but a reload of the page, which dropped every section's
// edits too. "Batalkan perubahan", while the section has edits, draws it again from the settings in force, read
// afresh (a change this page was not told of, its own account's on another PC, is in them), at their version, so a
// save after it is not refused; without the network, from the settings as the page last read them. A section
// changed elsewhere meanwhile has "Muat ulang bagian ini" instead, which does the same (one button, one way back).
// The focus goes to the section's first field (the button is gone).
function renderDiscard(section) {
  discardButton(box(section), state.dirty.has(section) && !state.stale.has(section), `sec.${section}`, () => discardSection(section));
}

// A section's "Batalkan perubahan" in its save row, before its Simpan (`.save`), there while `shown`, labelled in the
// page's language (drawn again at a switch); `name`: the section's heading key; `discard()`: what puts the section
// back (the button disabled meanwhile: drawn again after it), which ends with discarded(). The survey's and the voice's sections
// have it too (skm_admin.js, voice.js).
export function discardButton(root, shown, name, discard) {
  const save = root.querySelector(".save");
  let button = save.parentElement.querySelector(".discard-section");
  if (!shown) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = el("button", { type: "button", class: "discard-section" });
    button.addEventListener("click", () => {
      button.disabled = true;
      discard();
    });
    save.before(button);
  }
  button.disabled = false;
  button.textContent = t("btn.discard");
  button.title = t("btn.discard_title", { section: t(name) });
}

// A section put back as in force: said so, and the focus on its first field shown in `body` (an element of the
// survey opened; else its first element), or on its Simpan.
export function discarded(root, body) {
  clearErrors(root);
  notice(root, "info", t("done.discarded"));
  const fields = [...body.querySelectorAll("input, select, textarea")];
  const first = fields.find((x) => !x.disabled && !x.readOnly && x.getClientRects().length) || body.querySelector("summary");
  (first || root.querySelector(".save")).focus();
}

async function discardSection(section) {
  const root = box(section);
  state.dirty.delete(section);
  state.unanswered.delete(section);
  try {
    await refreshSettings(); // the section, no longer edited, takes the values read
  } catch (err) {
    if (err.status === 401) return keepDraftsAndReload();
  }
  if (state.dirty.has(section)) return renderDiscard(section); // typed in again meanwhile: that edit stays
  state.drafts[section] = draft(section, state.settings[section]);
  state.bases[section] = clone(state.settings[section]);
  state.versions[section] = (state.settings.versions || {})[section];
  renderSection(section);
  discarded(root, root.querySelector(".body"));
}

// ---- a section changed elsewhere while it was being edited ------------------------------------
// The draft stays as the admin left it, with `text` (the server's 409 message, or the live event's
// words) and a "Reload this section" button: the section's values now, the draft dropped. A save before
// that is refused again: the draft's version is still the one it started from.
function showStale(section, text, kind = "error") {
  state.stale.add(section);
  clearErrors(box(section));
  notice(box(section), kind, text);
  renderStale(section);
  renderDiscard(section);
}

function renderStale(section) {
  const row = box(section).querySelector(".save-row");
  let button = row.querySelector(".reload-section");
  if (!state.stale.has(section)) {
    if (button) button.remove();
    return;
  }
  if (!button) {
    button = el("button", { type: "button", class: "reload-section" });
    button.addEventListener("click", () => reloadSection(section, button));
    row.querySelector(".save").before(button);
  }
  button.textContent = t("btn.reload_section");
}

async function reloadSection(section, button) {
  const root = box(section);
  button.disabled = true;
  try {
    const { body } = await api("GET", "/api/admin/settings");
    state.dirty.delete(section);
    state.stale.delete(section);
    clearErrors(root);
    load(body);
    notice(root, "info", t("done.reloaded"));
  } catch (err) {
    if (err.status === 401) return keepDraftsAndReload();
    button.disabled = false;
    notice(root, "error", err.message);
  }
}

// ---- the sections -------------------------------------------------------------------------
const render = {
  office(d) {
    const lang = el("select", { dataset: { key: "office.language" } },
      el("option", { value: "id" }, t("lang.id")), el("option", { value: "en" }, t("lang.en")));
    lang.value = d.language;
    lang.addEventListener("change", () => {
      d.language = lang.value;
      markDirty("office");
    });
    const tz = el("input", { value: state.settings.office.timezone, readonly: true, disabled: true, id: "office-timezone" });
    return [
      labelled("office.name", bound("office", "office.name", d, "name"), "office.name"),
      labelled("office.address", bound("office", "office.address", d, "address"), "office.address"),
      labelled("office.public_url", bound("office", "office.public_url", d, "public_url", { type: "url" }), "office.public_url"),
      el("div", { class: "two" },
        labelled("office.language", lang, "office.language"),
        labelled("office.timezone", tz, "office.timezone", t("office.timezone_note"))),
    ];
  },

  queue(d) {
    return QUEUE_KEYS.map((k) =>
      labelled(`queue.${k}`, bound("queue", `queue.${k}`, d, k, { type: "number", number: true, min: 0 }), `queue.${k}`));
  },

  // The kiosk PCs' addresses: one a line (commas too), as the admin writes them; a network (192.168.1.0/28)
  // is one as well. The server checks them as config.toml's [kiosk] addresses and names a bad one.
  kiosk(d) {
    const addresses = el("textarea", { rows: 3, dataset: { key: "kiosk.addresses" }, placeholder: t("kiosk.addresses_example"),
      spellcheck: "false", autocapitalize: "none", autocomplete: "off" });
    addresses.value = d.addresses;
    addresses.addEventListener("input", () => {
      d.addresses = addresses.value;
      markDirty("kiosk");
    });
    return [
      labelled("kiosk.idle_seconds",
        bound("kiosk", "kiosk.idle_seconds", d, "idle_seconds", { type: "number", number: true, min: 10 }), "kiosk.idle_seconds"),
      labelled("kiosk.footer", bound("kiosk", "kiosk.footer", d, "footer"), "kiosk.footer"),
      labelled("kiosk.addresses", addresses, "kiosk.addresses"),
    ];
  },

  // The office's announcement (docs/admin.md, Pengumuman): the draft is {text, text_en, keep}; unticked, the server
  // makes it end at the office's midnight (today's `until`). What is shown now is said under the inputs.
  announcement(d) {
    const keep = el("input", { type: "checkbox", checked: d.keep, dataset: { key: "announcement.keep" } });
    keep.addEventListener("change", () => {
      d.keep = keep.checked;
      markDirty("announcement");
    });
    // as tall as its text (300 characters: seven lines on a 1024x768 PC), read whole before Simpan, two lines at
    // least; a line break typed is sent as a space (one line on the TV)
    const text = (prop) => {
      const area = el("textarea", { rows: 2, class: "grows", dataset: { key: `announcement.${prop}` } });
      area.value = d[prop];
      area.addEventListener("input", () => {
        d[prop] = area.value;
        markDirty("announcement");
        growToText(area);
      });
      requestAnimationFrame(() => growToText(area)); // in the page by then: its width known
      return area;
    };
    return [
      el("p", { class: "muted note" }, t("announcement.note")),
      labelled("announcement.text", text("text"), "announcement.text"),
      labelled("announcement.text_en", text("text_en"), "announcement.text_en"),
      el("div", { class: "field" }, el("label", { class: "check" }, keep, el("span", {}, t("announcement.keep"))),
        fieldError("announcement.keep")),
      el("p", { class: "announcement-now", id: "announcement-now" }, announcementNow(state.settings.announcement)),
    ];
  },

  // Service hours: the draft is {always, monday..sunday, holidays (text), last_ticket_minutes};
  // "always open" sends null and leaves the other inputs as they are, greyed.
  hours(d) {
    const always = el("input", { type: "checkbox", checked: d.always, dataset: { key: "hours" } });
    always.addEventListener("change", () => {
      d.always = always.checked;
      markDirty("hours");
      renderSection("hours");
    });
    const off = d.always ? { disabled: true } : {};
    const holidays = el("textarea", { rows: 2, dataset: { key: "hours.holidays" }, ...off });
    holidays.value = d.holidays;
    holidays.addEventListener("input", () => {
      d.holidays = holidays.value;
      markDirty("hours");
    });
    return [
      el("div", { class: "field" }, el("label", { class: "check" }, always, el("span", {}, t("hours.always"))), fieldError("hours"),
        kept("hours")),
      el("p", { class: "muted note" }, t("hours.days_note")),
      el("div", { class: "days" }, WEEKDAYS.map((day) =>
        labelled(`hours.${day}`, bound("hours", `hours.${day}`, d, day, { maxlength: 100, ...off }), `hours.${day}`))),
      labelled("hours.holidays", holidays, "hours.holidays"),
      labelled("hours.last_ticket_minutes", bound("hours", "hours.last_ticket_minutes", d, "last_ticket_minutes",
        { type: "number", number: true, min: 0, max: 240, ...off }), "hours.last_ticket_minutes"),
    ];
  },

  services(rows) {
    return table("services", rows, ["col.code", "col.name", "col.prefix", "col.quota"], (row, i) => {
      const key = (k) => `services[${i}].${k}`;
      return [
        cell(bound("services", key("code"), row, "code", { class: "code", "aria-label": t("col.code") }), key("code")),
        cell(bound("services", key("name"), row, "name", { "aria-label": t("col.name") }), key("name")),
        cell(bound("services", key("prefix"), row, "prefix",
          { class: "code prefix", placeholder: t("prefix.same"), "aria-label": t("col.prefix") }), key("prefix")),
        cell(bound("services", key("daily_quota"), row, "daily_quota",
          { type: "number", number: true, min: 1, class: "num quota", placeholder: t("quota.none"),
            title: t("quota.none_title"), "aria-label": t("col.quota") }), key("daily_quota")),
      ];
    });
  },

  counters(rows) {
    const services = state.settings.services.map((s) => s.code);
    return table("counters", rows, ["col.id", "col.name", "col.services", "col.printer"], (row, i) => {
      const key = (k) => `counters[${i}].${k}`;
      const codes = [...services, ...row.services.filter((c) => !services.includes(c))];
      const boxes = el("div", { class: "checks", dataset: { key: key("services") }, tabindex: "-1" },
        codes.map((code) => {
          const cb = el("input", { type: "checkbox", value: code, checked: row.services.includes(code) });
          cb.addEventListener("change", () => {
            row.services = codes.filter((c) => (c === code ? cb.checked : row.services.includes(c)));
            markDirty("counters");
          });
          const name = (state.settings.services.find((s) => s.code === code) || {}).name || code;
          return el("label", { title: name }, cb, code);
        }));
      const printer = el("select", { dataset: { key: key("printer") }, "aria-label": t("col.printer") },
        el("option", { value: "" }, t("printer.none")),
        [...new Set([...state.settings.printers, ...(row.printer ? [row.printer] : [])])].map((p) => el("option", { value: p }, p)));
      printer.value = row.printer || "";
      printer.addEventListener("change", () => {
        row.printer = printer.value;
        markDirty("counters");
      });
      return [
        cell(bound("counters", key("id"), row, "id", { type: "number", number: true, min: 1, class: "id", "aria-label": t("col.id") }), key("id")),
        cell(bound("counters", key("name"), row, "name", { "aria-label": t("col.name") }), key("name")),
        cell(boxes, key("services")),
        cell(printer, key("printer")),
      ];
    });
  },

  priority_classes(rows) {
    return table("priority_classes", rows, ["col.code", "col.name", "col.description", "col.target"], (row, i) => {
      const key = (k) => `priority_classes[${i}].${k}`;
      return [
        cell(bound("priority_classes", key("code"), row, "code", { class: "code", "aria-label": t("col.code") }), key("code")),
        cell(bound("priority_classes", key("name"), row, "name", { class: "mid", "aria-label": t("col.name") }), key("name")),
        cell(bound("priority_classes", key("description"), row, "description", { "aria-label": t("col.description") }), key("description")),
        cell(bound("priority_classes", key("target_minutes"), row, "target_minutes",
          { type: "number", number: true, min: 1, class: "num", "aria-label": t("col.target") }), key("target_minutes")),
      ];
    });
  },
};

// the announcement's boxes follow their text (common.js growToText)
window.addEventListener("resize", () => document.querySelectorAll("textarea.grows").forEach(growToText));

// The office's day now, as the server counts it (its time zone), YYYY-MM-DD: its snapshot's or day_changed's, else
// this PC's clock in the office's time zone.
function officeToday() {
  if (state.day) return state.day;
  const zone = state.settings.office.timezone;
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  } catch (err) {
    return new Date().toISOString().slice(0, 10);
  }
}

// What the saved announcement is now: none, shown until midnight, until removed, until a day, or over.
function announcementNow(a) {
  if (!a || !(a.text || a.text_en)) return t("announcement.none");
  if (!a.until) return t("announcement.shown_kept");
  const today = officeToday();
  // its day in words ("Minggu, 6 Desember 2026"), as the escalations name theirs: "2026-12-06" read as a code
  if (a.until < today) return t("announcement.over", { day: dayName(a.until) });
  return a.until === today ? t("announcement.shown_today") : t("announcement.shown_until", { day: dayName(a.until) });
}

// The line under the announcement's inputs said again: a page left open overnight said "Sedang tampil; berakhir pukul
// 24.00 hari ini." of yesterday's the next morning, while the TVs no longer showed it.
function sayAnnouncementNow(day) {
  if (!day || day === state.day) return;
  state.day = day;
  const line = document.getElementById("announcement-now");
  if (line && state.settings) line.textContent = announcementNow(state.settings.announcement);
}

// "Hapus pengumuman": the announcement blank, saved at once (the TVs and the kiosk drop it).
async function clearAnnouncement() {
  state.drafts.announcement = { text: "", text_en: "", keep: false };
  markDirty("announcement");
  renderSection("announcement");
  await save("announcement");
}

function cell(input, key) {
  return el("td", {}, input, fieldError(key));
}

function table(section, rows, heads, cells) {
  const body = rows.map((row, i) => {
    const remove = el("button", { type: "button", class: "small remove", title: t("btn.remove") }, t("btn.remove"));
    remove.addEventListener("click", () => {
      rows.splice(i, 1);
      markDirty(section);
      renderSection(section);
    });
    return el("tr", { dataset: { row: String(i) } }, cells(row, i), el("td", { class: "acts" }, remove));
  });
  return [el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, heads.map((h) => el("th", {}, t(h))), el("th", {}))),
    el("tbody", {}, body)),
  fieldError(section)];
}

function newRow(section) {
  const rows = state.drafts[section];
  if (section === "services") return { code: "", name: "", prefix: "", daily_quota: null };
  if (section === "counters") return { id: Math.max(0, ...rows.map((c) => Number(c.id) || 0)) + 1, name: "", services: [], printer: "" };
  return { code: "", name: "", description: "", target_minutes: 60 };
}

function renderSection(section) {
  const form = box(section).querySelector(".body");
  placed.clear();
  const fields = render[section](state.drafts[section]);
  form.replaceChildren(...fields, ...keptRest(section));
  renderReset(section);
  renderStale(section);
  renderDiscard(section);
}

// A section's draft from the server's value: [hours] (null = always open) and the kiosks' addresses
// become inputs' text.
function draft(section, value) {
  if (section === "kiosk") return { ...clone(value), addresses: value.addresses.map(shownAddress).join("\n") };
  if (section === "announcement") return { text: value.text, text_en: value.text_en, keep: value.until === "" && !!(value.text || value.text_en) };
  if (section !== "hours") return clone(value);
  const h = value || {};
  return {
    always: value === null || value === undefined,
    ...Object.fromEntries(WEEKDAYS.map((day) => [day, h[day] || ""])),
    holidays: (h.holidays || []).join(", "),
    last_ticket_minutes: h.last_ticket_minutes ?? 0,
  };
}

// Of a table, the keys whose value the admin changed: a key sent is saved over config.toml's value
// (server: only while it differs from it), one left out keeps the value it had.
function changedKeys(section, value) {
  const base = state.bases[section] || {};
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(base[k])));
}

// What a section's draft is sent as: numbers typed, blank prefixes left to default to the code,
// a blank quota as none (null), holidays split at commas and line breaks; of a table what changed.
function payload(section) {
  const d = clone(state.drafts[section]);
  if (section === "office") return changedKeys(section, Object.fromEntries(OFFICE_KEYS.map((k) => [k, d[k]])));
  if (section === "kiosk") {
    const value = changedKeys(section, { idle_seconds: d.idle_seconds, footer: d.footer });
    const addresses = d.addresses.split(/[\s,;]+/).filter((x) => x);
    if (JSON.stringify(addresses) !== JSON.stringify((state.bases.kiosk.addresses || []).map(shownAddress))) value.addresses = addresses;
    return value;
  }
  if (section === "queue") return changedKeys(section, d);
  if (section === "announcement") {
    const line = (text) => text.replace(/\s*[\r\n]+\s*/g, " "); // the TV's running text is one line
    return { text: line(d.text), text_en: line(d.text_en), keep: d.keep }; // whole: its day anew
  }
  if (section === "services") {
    return d.map((s) => {
      const quota = s.daily_quota === "" || s.daily_quota === undefined ? null : s.daily_quota;
      return { code: s.code, name: s.name, ...(s.prefix ? { prefix: s.prefix } : {}), daily_quota: quota };
    });
  }
  if (section === "hours") {
    if (d.always) return null;
    return {
      ...Object.fromEntries(WEEKDAYS.map((day) => [day, d[day].trim()])),
      holidays: d.holidays.split(/[\s,;]+/).filter((x) => x),
      last_ticket_minutes: d.last_ticket_minutes === "" ? 0 : d.last_ticket_minutes,
    };
  }
  return d;
}

// The service hours saved, as the admin checks them against the office's notice board: the days with the same
// hours together ("Jam layanan disimpan: Senin–Kamis 08.00–12.00, 13.00–16.00; Jumat 08.00–11.00; Sabtu–Minggu
// tutup"), then the holidays and the last number's minutes when there are; `hours`: the answer's (null: always open).
function hoursSaid(hours) {
  if (!hours) return t("hours_saved_always");
  const time = (text) => (getLang() === "en" ? text : text.replace(/:/g, "."));
  const ranges = (text) => (text ? text.split(",").map((r) => time(r.trim()).replace("-", "\u2013")).join(", ") : t("hours_closed"));
  const groups = [];
  WEEKDAYS.forEach((day, i) => {
    const last = groups[groups.length - 1];
    if (last && last.text === hours[day]) last.to = i;
    else groups.push({ from: i, to: i, text: hours[day] });
  });
  const parts = groups.map((g) => {
    const first = t(`hours.${WEEKDAYS[g.from]}`);
    const days = g.from === g.to ? first : `${first}\u2013${t(`hours.${WEEKDAYS[g.to]}`)}`;
    return `${days} ${ranges(g.text)}`;
  });
  if (hours.holidays && hours.holidays.length) parts.push(t("hours_holidays", { dates: hours.holidays.join(", ") }));
  if (hours.last_ticket_minutes) parts.push(t("hours_last_ticket", { n: hours.last_ticket_minutes }));
  return t("hours_saved", { days: parts.join("; ") });
}

async function save(section) {
  const root = box(section);
  const button = root.querySelector(".save");
  button.disabled = true;
  clearErrors(root);
  const base = state.versions[section];
  const quotas = section === "services" ? quotasOf(state.bases.services) : null; // before the save (sayQuotaReached)
  try {
    const { body } = await api("PUT", `/api/admin/settings/${section}`, { value: payload(section), base });
    state.dirty.delete(section);
    state.stale.delete(section);
    load(body);
    renderDiscard(section); // a save of the values in force already draws nothing again (load)
    renderStale(section);
    const cleared = section === "announcement" && !body.announcement.text && !body.announcement.text_en;
    notice(root, "info", section === "hours" ? hoursSaid(body.hours) : cleared ? t("announcement.cleared")
      : `${t("saved")}${unservedSaid(section, body)}`);
    sayUnservedAgain(section, body);
    if (section === "hours") {
      // the new hours may close the office this minute: say so, the kiosk already shows "Layanan tutup"
      const { body: now } = await api("GET", "/api/state");
      if (now && now.office && now.office.open === false) notice(root, "info", `${hoursSaid(body.hours)} ${t("closed_now")}`);
    }
    if (section === "services") await sayQuotaReached(root, quotas, body);
  } catch (err) {
    if (err.status === 401) return keepDraftsAndReload();
    if (err.body.error === "settings_changed_meanwhile") return showStale(section, err.message);
    // A read of the settings answered while this save's answer was on its way (a snapshot's, another admin's
    // change) found what was typed in force (load): the save was made, its answer lost. Said so, not "the network
    // failed" over a section already saved, which no later read would have corrected.
    if (err.body.error === "network" && !state.dirty.has(section) && state.versions[section] !== base) {
      return notice(root, "info", t("saved"));
    }
    if (err.body.error === "network") state.unanswered.add(section); // it may have been saved: load() looks
    showRefusal(root, err);
  } finally {
    button.disabled = false;
  }
}

function quotasOf(services) {
  return new Map((services || []).map((s) => [s.code, s.daily_quota === undefined ? null : s.daily_quota]));
}

// A daily quota set (lowered, or new) below the numbers given today: the kiosk refuses that service from now on, and
// the page said only "Tersimpan.", so the admin learnt it from a visitor turned away. The public state says each
// service's numbers given and left: a quota this save changed that has none left is said after "Tersimpan." (as
// the hours' "Layanan sekarang tutup"). `before`: the quotas as they were (quotasOf); `settings`: the save's answer.
async function sayQuotaReached(root, before, settings) {
  const changed = settings.services.filter((s) => s.daily_quota !== null && s.daily_quota !== before.get(s.code));
  if (!changed.length) return;
  const p = root.querySelector(".notice");
  const saved = p.textContent; // "Tersimpan." (and the services no counter serves)
  let now;
  try {
    ({ body: now } = await api("GET", "/api/state"));
  } catch (err) {
    return; // saved all the same: "Tersimpan." stands
  }
  const reached = changed.map((s) => (now.services || []).find((x) => x.code === s.code))
    .filter((x) => x && x.quota !== null && x.left === 0 && Number.isInteger(x.issued));
  if (!reached.length || p.textContent !== saved) return; // none reached, or another notice since (typing, a save)
  const said = reached.map((x) => t("quota_reached_now", { code: x.code, issued: x.issued, quota: x.quota }));
  notice(root, "info", `${saved} ${said.join(" ")}`);
  if (state.unservedSaid.services === saved) state.unservedSaid.services = p.textContent; // (sayUnservedAgain)
}

// A service saved with no counter serving it (one just added, most often): the kiosk greys it out and gives no number
// for it, and the page said only "Tersimpan.", so the admin who added it learnt why at the kiosk. The save of the
// services or the counters names each, and where to tick it (tests/test_admin_afternoon.py).
function unservedSaid(section, settings) {
  if (section !== "services" && section !== "counters") return "";
  const served = new Set(settings.counters.flatMap((c) => c.services));
  const unserved = settings.services.filter((s) => !served.has(s.code));
  if (!unserved.length) return "";
  return ` ${t("unserved", { services: unserved.map((s) => `${s.code} (${s.name})`).join(", ") })}`;
}

// The other of services and counters, after a save of one: its notice that still named a service no counter served
// (the service's save, before the counter that serves it was ticked and saved) said so after it was no longer so,
// and the admin was left to wonder; it is said again as the settings are now. A notice since replaced is left.
function sayUnservedAgain(section, settings) {
  if (section !== "services" && section !== "counters") return;
  const p = box(section).querySelector(".notice");
  if (unservedSaid(section, settings)) state.unservedSaid[section] = p.textContent;
  else delete state.unservedSaid[section];
  const other = section === "services" ? "counters" : "services";
  const said = state.unservedSaid[other];
  const q = box(other).querySelector(".notice");
  if (said === undefined || q.textContent !== said) return;
  const still = unservedSaid(other, settings);
  notice(box(other), "info", `${t("saved")}${still}`);
  if (still) state.unservedSaid[other] = q.textContent;
  else delete state.unservedSaid[other];
}

// A fresh answer from the server: sections not being edited take it; edited ones keep their draft (and the
// version it started from, so that a save of it is refused if the section changed meanwhile).
// Returns the edited sections the answer has at another version than their drafts started from (changed elsewhere).
function load(settings) {
  // The same as shown (a snapshot's read again after a reconnect, most often): nothing is drawn again, so the
  // input being typed in keeps its focus (drawn again, it lost it at every reconnect of the page's socket). A
  // section not being edited whose inputs are not of these values (one reloaded: its draft dropped) is drawn.
  const shown = (s) => state.dirty.has(s) || (state.versions[s] === (settings.versions || {})[s]
    && JSON.stringify(state.bases[s]) === JSON.stringify(settings[s]));
  if (state.settings && JSON.stringify(settings) === JSON.stringify(state.settings) && SECTIONS.every(shown)) return [];
  const names = counterNames();
  state.settings = settings;
  const changed = [];
  for (const s of SECTIONS) {
    const version = (settings.versions || {})[s];
    if (state.dirty.has(s) && version !== state.versions[s]
      && JSON.stringify(state.drafts[s]) === JSON.stringify(draft(s, settings[s]))) {
      // What this page has typed is what is in force: its own save whose answer the network lost (or another
      // admin's same change), not a change made elsewhere to warn of ("diubah di tempat lain … akan ditolak"), which
      // a reconnect's read said of it.
      state.dirty.delete(s);
      state.stale.delete(s);
      renderStale(s);
      if (state.unanswered.has(s)) notice(box(s), "info", t("saved"));
    }
    state.unanswered.delete(s);
    if (!state.dirty.has(s)) {
      state.drafts[s] = draft(s, settings[s]);
      state.bases[s] = clone(settings[s]);
      state.versions[s] = (settings.versions || {})[s];
    } else if ((settings.versions || {})[s] !== state.versions[s]) changed.push(s);
    renderSection(s);
  }
  renderCounterChoice();
  renderLive(); // Loket sekarang: a counter added or removed, a new name
  if (counterNames() !== names) renderUsers(); // the accounts' counters by their names now
  showOfficeName(settings.office && settings.office.name);
  document.dispatchEvent(new CustomEvent("admin:settings", { detail: settings })); // voice.js: the preview's counters
  return changed;
}

// The office's name in the page's bar and title (server-drawn) as it is now: a name just saved here, or by another
// admin, stood there old until the page was reloaded.
function showOfficeName(name) {
  const shown = document.querySelector(".brand .office");
  if (!name || !shown || shown.textContent === name) return;
  const old = shown.textContent;
  shown.textContent = name;
  if (document.title.endsWith(` · ${old}`)) document.title = `${document.title.slice(0, -old.length)}${name}`;
}

function counterNames() {
  return JSON.stringify(((state.settings && state.settings.counters) || []).map((c) => [c.id, c.name]));
}

// The settings read again (another admin's change, a snapshot of the socket) and taken: the answers in the order
// the reads were sent (one sent earlier answering later is dropped: a later one has it). The edited sections
// changed elsewhere meanwhile (load), or null when the answer was dropped.
const settingsReads = inOrder();
async function refreshSettings() {
  const mine = settingsReads.ask();
  const { body } = await api("GET", "/api/admin/settings");
  if (!settingsReads.take(mine)) return null;
  return load(body);
}

// ---- users ----------------------------------------------------------------------------------
function renderCounterChoice() {
  const select = $("add-user").counter_id;
  const was = select.value;
  select.replaceChildren(el("option", { value: "" }, t("counter.none")),
    ...state.settings.counters.map((c) => el("option", { value: String(c.id) }, `${c.id} · ${c.name}`)));
  select.value = [...select.options].some((o) => o.value === was) ? was : "";
}

// What is typed in a row's open form (a new password, a name and NIP being changed), by row and input: drawn
// again (another admin's change, the language switched, a refusal), the row's form keeps it.
function typedInUsers() {
  const typed = new Map();
  for (const input of document.querySelectorAll("#users tr[data-user] form input:not([hidden])")) {
    typed.set(`${input.closest("tr").dataset.user}\n${input.name}`, input.value);
  }
  return typed;
}

function renderUsers() {
  const counters = Object.fromEntries((state.settings ? state.settings.counters : []).map((c) => [c.id, c.name]));
  const typed = typedInUsers();
  const keep = (u, input) => {
    const value = typed.get(`${u.username}\n${input.name}`);
    if (value !== undefined) input.value = value;
    return input;
  };
  const rows = state.users.map((u) => {
    const me = state.me && u.username === state.me.username;
    const armed = u.active && state.armedUser === u.username;
    const toggle = el("button", { type: "button", class: "small", dataset: { act: "active" }, disabled: me && u.active },
      u.active ? t(armed ? "btn.disable_confirm" : "btn.disable") : t("btn.enable"));
    toggle.addEventListener("click", (ev) => (u.active ? disableUser(u, ev) : setActive(u, true)));
    const reset = el("button", { type: "button", class: "small", dataset: { act: "reset" } }, t("btn.reset_password"));
    reset.addEventListener("click", () => {
      state.resetting = state.resetting === u.username ? null : u.username;
      renderUsers();
      const input = document.querySelector("#users input[name=new-password]");
      if (input) input.focus();
    });
    const edit = el("button", { type: "button", class: "small", dataset: { act: "profile" } }, t("btn.profile"));
    edit.addEventListener("click", () => {
      state.editing = state.editing === u.username ? null : u.username;
      renderUsers();
      const input = document.querySelector("#users input[name=full_name]");
      if (input) input.focus();
    });
    let profileForm = null;
    if (state.editing === u.username) {
      const name = el("input", { name: "full_name", value: u.full_name || "", "aria-label": t("users.full_name"),
        placeholder: t("users.full_name"), dataset: { key: "full_name" } });
      const nip = el("input", { name: "nip", maxlength: 40, inputmode: "numeric", value: u.nip || "", "aria-label": t("users.nip"),
        placeholder: t("users.nip"), dataset: { key: "nip" } });
      keep(u, name);
      keep(u, nip);
      const save = el("button", { type: "submit", class: "small primary" }, t("btn.save_profile"));
      profileForm = el("form", { class: "profile", novalidate: true },
        el("div", {}, name, fieldError("full_name")), el("div", {}, nip, fieldError("nip")), save);
      profileForm.addEventListener("submit", (ev) => {
        ev.preventDefault();
        saveProfile(u, name.value, nip.value, save, profileForm);
      });
    }
    let resetForm = null;
    if (state.resetting === u.username) {
      const input = el("input", { type: "password", name: "new-password", autocomplete: "new-password",
        placeholder: t("users.new_password"), "aria-label": t("users.new_password"), dataset: { key: "password" } });
      keep(u, input);
      const set = el("button", { type: "submit", class: "small primary" }, t("btn.set_password"));
      const who = el("input", { type: "text", name: "username", value: u.username, autocomplete: "username", hidden: true });
      resetForm = el("form", { class: "reset", novalidate: true }, who, el("div", {}, input, fieldError("password")), set);
      resetForm.addEventListener("submit", (ev) => {
        ev.preventDefault();
        resetPassword(u, input.value, set, resetForm);
      });
    }
    return el("tr", { dataset: { user: u.username, active: String(u.active) } },
      el("td", {}, el("strong", {}, u.username), me ? el("span", { class: "muted" }, ` ${t("users.you")}`) : null),
      el("td", { class: "person" },
        u.full_name ? el("span", { class: "full-name" }, u.full_name) : el("span", { class: "muted" }, t("users.no_name")),
        u.nip ? el("small", { class: "nip" }, `NIP ${nipText(u.nip)}`) : null,
        profileForm),
      el("td", {}, t(`role.${u.role}`)),
      el("td", {}, u.counter_id ? counters[u.counter_id] || String(u.counter_id) : ""),
      el("td", {}, el("span", { class: u.active ? "badge on" : "badge off" }, u.active ? t("user.active") : t("user.disabled"))),
      el("td", {}, el("div", { class: "acts" }, edit, reset, toggle), resetForm));
  });
  $("users").replaceChildren(...rows);
}

function nipText(nip) {
  return /^[0-9]{18}$/.test(nip) ? `${nip.slice(0, 8)} ${nip.slice(8, 14)} ${nip.slice(14, 15)} ${nip.slice(15)}` : nip;
}

async function saveProfile(user, fullName, nip, button, form) {
  button.disabled = true;
  clearErrors(box("users"));
  try {
    const { body } = await api("POST", `/api/admin/users/${encodeURIComponent(user.username)}/profile`, { full_name: fullName, nip });
    Object.assign(user, body.user);
    state.editing = null;
    renderUsers();
    usersNotice("info", t("done.profile", { username: user.username }));
  } catch (err) {
    if (err.status === 401) return location.reload();
    button.disabled = false;
    showRefusal(box("users"), err, form);
  }
}

// The accounts read again, drawn only when they differ from those shown (a new password or name being typed
// stays). Answers in the order the reads were sent, as refreshSettings.
const usersReads = inOrder();
async function loadUsers() {
  const mine = usersReads.ask();
  const { body } = await api("GET", "/api/admin/users");
  if (!usersReads.take(mine)) return;
  if (JSON.stringify(body.users) === JSON.stringify(state.users)) return;
  state.users = body.users;
  renderUsers();
}

function usersNotice(kind, text) {
  notice(box("users"), kind, text);
}

async function addUser(ev) {
  ev.preventDefault();
  const form = $("add-user");
  const data = { username: form.username.value.trim(), password: form.password.value, role: form.role.value };
  if (form.counter_id.value) data.counter_id = Number(form.counter_id.value);
  if (form.full_name.value.trim()) data.full_name = form.full_name.value;
  if (form.nip.value.trim()) data.nip = form.nip.value;
  clearErrors(box("users"));
  try {
    const { body } = await api("POST", "/api/admin/users", data);
    form.reset();
    usersNotice("info", t("done.user_added", { username: body.user.username }));
    await loadUsers();
  } catch (err) {
    if (err.status === 401) return location.reload();
    showRefusal(box("users"), err, form); // a name taken (409 user_exists) is said under the name too
  }
}

// A row's new password: refused, the reason under its input (the password kept there to correct).
async function resetPassword(user, password, button, form) {
  button.disabled = true;
  clearErrors(box("users"));
  try {
    await api("POST", `/api/admin/users/${encodeURIComponent(user.username)}/password`, { password });
    state.resetting = null;
    renderUsers();
    usersNotice("info", t("done.password", { username: user.username }));
  } catch (err) {
    if (err.status === 401) return location.reload();
    button.disabled = false;
    showRefusal(box("users"), err, form);
  }
}

// The visitors an account has at the counters it holds now (Loket sekarang): {counter, label, status} of each
// counter with a ticket called or served there.
function visitorsHeldBy(username) {
  return [...state.counters].filter(([, e]) => e.officer === username && e.ticket)
    .map(([id, e]) => ({ counter: counterName(id), label: e.ticket.label, status: e.ticket.status }));
}

// Nonaktifkan of an account that holds a visitor at a counter: its session ends and its counter is freed at once,
// the visitor left at the counter with nobody (or sent back to the line). The admin pressed it mid-serve and was
// told only "budi dinonaktifkan."; now the first click says what will happen to whom and the second does it.
function disableUser(user, ev) {
  const held = visitorsHeldBy(user.username);
  if (held.length && state.armedUser !== user.username) {
    state.armedUser = user.username;
    const visits = held.map((h) => t(h.status === "called" ? "users.holds_called" : "users.holds_serving", h)).join("; ");
    usersNotice("warn", t("users.disable_warn", { username: user.username, visits }));
    renderUsers();
    setTimeout(() => {
      if (state.armedUser !== user.username) return;
      state.armedUser = null;
      renderUsers();
    }, 8000);
    return;
  }
  if (held.length && doubled(ev)) return; // a double click is not a confirmation
  state.armedUser = null;
  setActive(user, false, held);
}

// `held`: the visitors the account had at its counters as it was disabled (disableUser): where each is now.
async function setActive(user, active, held = []) {
  try {
    const { body } = await api("POST", `/api/admin/users/${encodeURIComponent(user.username)}/active`, { active });
    Object.assign(user, body.user);
    renderUsers();
    const after = held.map((h) => ` ${t(h.status === "called" ? "done.disabled_called" : "done.disabled_serving", h)}`);
    usersNotice("info", t(active ? "done.enabled" : "done.disabled", { username: user.username }) + after.join(""));
  } catch (err) {
    if (err.status === 401) return location.reload();
    usersNotice("error", err.message);
  }
}

// ---- counters now: who holds each; free one whose officer left (POST /api/counters/<id>/release) ----
// A counter nobody holds with a ticket called there (its officer logged out before it went back, an admin
// called it) gets the same Lepas: the release sends that ticket back to the line at its place (as front.js).
function counterName(id) {
  const c = ((state.settings && state.settings.counters) || []).find((x) => x.id === id);
  return c ? c.name : t("counter_unknown", { id });
}

function renderLive() {
  // The settings' counters (once the staff snapshot came): a counter added since is there at once, free, with
  // no ticket, as the server has it (the snapshot taken before it knew nothing of it); one removed goes.
  const ids = state.settings && state.counters.size ? state.settings.counters.map((c) => c.id) : [...state.counters.keys()];
  const rows = ids.map((id) => {
    const entry = state.counters.get(id) || { officer: null, paused: false, ticket: null };
    const ticket = entry.ticket;
    let release = null;
    const stranded = !entry.officer && ticket && ticket.status === "called"; // called there, nobody to serve it
    if (entry.officer || stranded) {
      const title = entry.officer
        ? t("btn.release_title", { counter: counterName(id), officer: entry.officer })
        : t("btn.return_title", { counter: counterName(id), label: ticket.label });
      release = el("button", { type: "button", class: "small", dataset: { act: "release" }, title },
        state.armedCounter === id ? t("btn.release_confirm") : t("btn.release"));
      release.addEventListener("click", (ev) => releaseCounter(id, release, ev, stranded ? ticket.label : null));
    }
    return el("tr", { dataset: { counter: String(id), held: String(Boolean(entry.officer)) } },
      el("td", {}, el("strong", {}, counterName(id))),
      el("td", {}, entry.officer || el("span", { class: "muted" }, t("live.free"))),
      el("td", {}, ticket ? `${ticket.label} · ${statusName(ticket.status)}` : el("span", { class: "muted" }, t("live.idle")),
        entry.paused ? el("span", { class: "badge paused" }, t("live.paused")) : null),
      el("td", { class: "acts" }, release));
  });
  $("live-counters").replaceChildren(...rows);
}

// `label`: the ticket called at a counter nobody holds, which the release sends back to the line.
async function releaseCounter(id, button, ev, label = null) {
  const entry = state.counters.get(id) || {};
  if (!secondClick(state, id, button, renderLive, ev)) return;
  button.disabled = true;
  try {
    const { body } = await api("POST", `/api/counters/${id}/release`, {});
    const params = { counter: counterName(id), officer: entry.officer || "?", label };
    if (entry.officer) {
      state.releaseSaid = { id, seq: body.seq, params, text: null };
      sayRelease();
    } else notice(box("live"), "info", t("done.returned", params));
    // The page's events past the answer's seq (its own release, and a counter its officer took again or a ticket
    // called there again meanwhile) drew the counters as they are: freed by the answer, they would show free.
    if (!(state.live && state.live.knows(body))) {
      const now = state.counters.get(id) || {};
      state.counters.set(id, { ...now, officer: null, ticket: label ? null : now.ticket }); // sent back: not here
    }
  } catch (err) {
    if (err.status === 401) return location.reload();
    notice(box("live"), "error", err.message);
  }
  renderLive();
}

// What this page's Lepas of a held counter did: "Loket 2 dilepas dari dewi.", and, when its officer was calling a
// visitor, where that ticket waits now, as the officer's page and the front office say it ("Tiket A-002 yang
// dipanggil kembali menunggu di antrian A di tempatnya: urutan ke-2."): the page said only the first, the ticket not
// at all. The answer has only its seq; the release's `counter_released` event (the same seq) has `returned` and
// `place`, and comes before the answer or after it: said at the answer, told again as the event comes (a snapshot's
// `released`, the event missed: without the place). A notice replaced since is left.
function sayRelease() {
  const said = state.releaseSaid;
  if (!said) return;
  const shown = box("live").querySelector(".notice");
  if (said.text !== null && shown.textContent !== said.text) return;
  const r = state.released.get(said.id);
  let text = t("done.released", said.params);
  if (r && r.seq === said.seq && r.returned) {
    const place = Number.isInteger(r.place) && r.service;
    const params = { ...said.params, label: r.returned, service: r.service, place: r.place };
    text = t(place ? "done.released_returned" : "done.released_returned_line", params);
  }
  notice(box("live"), "info", text);
  said.text = shown.textContent;
}

function onSnapshot(snap) {
  state.counters = new Map((snap.counters || []).map((c) => [c.id, { officer: c.officer, paused: Boolean(c.paused), ticket: c.ticket }]));
  for (const c of snap.counters || []) {
    const r = c.released;
    const known = state.released.get(c.id); // its event's, with the place: kept
    if (!r || typeof r.seq !== "number" || (known && known.seq === r.seq)) continue;
    state.released.set(c.id, { seq: r.seq, returned: r.returned || null, place: null, service: null });
  }
  sayRelease();
  renderLive();
  onDisk(snap.disk);
  sayAnnouncementNow(snap.day);
  resync();
}

// The settings, the accounts, the survey's wording and the voice are read when the page starts, and again when
// another admin's change of them is told live. One made between that read's answer and the socket's start, or
// while the socket was away (a reconnect, a gap in the events), is in no event this page got: they are read again
// at each snapshot of the socket. A section being edited keeps its draft; changed meanwhile, it says so (as when
// told live) and offers to reload it, and its save is refused (409) as before.
async function resync() {
  if (!state.settings) return; // the page did not start (its first read failed): nothing shown to bring up to date
  document.dispatchEvent(new CustomEvent("admin:resync")); // skm_admin.js: the wording (voice.js: admin:settings)
  try {
    const changed = await refreshSettings();
    for (const s of changed || []) {
      if (!state.stale.has(s)) showStale(s, t("meanwhile.dirty_elsewhere", { section: t(`sec.${s}`) }), "dirty");
    }
    await loadUsers();
  } catch (err) {
    if (err.status === 401) return keepDraftsAndReload();
    notice($("page-notice"), "error", err.message);
  }
}

// Low disk space (the staff state's `disk`, in the server's words) at the top of the page while it lasts.
function onDisk(disk) {
  state.disk = disk || null;
  const message = state.disk && state.disk.message; // a low disk, a failed daily backup
  $("disk-alert").textContent = message ? message[getLang()] || message.id : "";
}

function liveEvent(ev) {
  const data = ev.data || {};
  const id = ev.counter_id ?? data.counter_id;
  if (["counter_paused", "counter_resumed", "counter_released", "counter_claimed"].includes(ev.type)) {
    const entry = { ...(state.counters.get(id) || {}) };
    if (ev.type === "counter_claimed") entry.officer = ev.actor;
    else if (ev.type !== "counter_released") entry.paused = ev.type === "counter_paused";
    else entry.officer = null; // a pause outlives the release: the next officer ends it
    state.counters.set(id, entry);
    if (ev.type === "counter_released") {
      const service = ev.ticket && ev.ticket.service;
      state.released.set(id, { seq: ev.seq, returned: data.returned || null, place: data.place, service: service || null });
      if (state.releaseSaid && state.releaseSaid.seq === ev.seq) sayRelease();
    }
  }
  const ticket = ev.ticket;
  if (ticket && ticket.id !== undefined) {
    for (const [cid, entry] of state.counters) {
      const here = ticket.counter_id === cid && (ticket.status === "called" || ticket.status === "serving");
      // who holds it is said by `counter_claimed` alone: an admin calls at any counter without holding it
      if (here) state.counters.set(cid, { ...entry, ticket });
      else if (entry.ticket && entry.ticket.label === ticket.label) state.counters.set(cid, { ...entry, ticket: null });
    }
  }
  renderLive();
}

// ---- live: another admin's change refreshes what is not being edited -----------------------
// A section being edited keeps its draft: its notice says who changed it, and offers to reload it.
async function onEvent(ev) {
  liveEvent(ev);
  if (ev.type === "day_changed") sayAnnouncementNow(ev.data && ev.data.day);
  if (!state.me) return;
  // The accounts read again after any change of one, this page's own too: a counter removed here unbinds the
  // officers bound to it (user_changed, change "counter", by this admin), and Pengguna went on naming the removed
  // counter by its number until the page was reloaded (tests/test_admin_page.py).
  if (ev.type === "user_changed") return loadUsers().catch(() => {});
  if (ev.actor === state.me.username) return;
  if (ev.type !== "settings_changed") return;
  const section = ev.data && ev.data.section;
  document.dispatchEvent(new CustomEvent("admin:changed", { detail: section })); // skm_admin.js: the wording
  try {
    await refreshSettings();
  } catch (err) {
    return notice($("page-notice"), "error", err.message);
  }
  const params = { section: t(`sec.${section === "tts" ? "voice" : section}`), actor: ev.actor === "cli" ? t("meanwhile.cli") : ev.actor || "?" };
  const edited = state.dirty.has(section) && SECTIONS.includes(section);
  notice($("page-notice"), "info", t(edited ? "changed.elsewhere_dirty" : "changed.elsewhere", params));
  if (edited) showStale(section, t("meanwhile.dirty", params), "dirty");
}

function onStatus(up) {
  $("live-status").dataset.state = up ? "on" : "off";
}

// ---- start ------------------------------------------------------------------------------------
function refuse() {
  document.body.dataset.view = "forbidden";
  $("forbidden").textContent = t("login.wrong_role");
}

async function start(user) {
  state.me = user;
  if (user.role !== "admin") return refuse();
  try {
    const { body } = await api("GET", "/api/admin/settings");
    document.body.dataset.view = "app";
    showUser(user);
    let kept = {};
    let keptVersions = {};
    try {
      kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) || "{}") || {};
      keptVersions = JSON.parse(sessionStorage.getItem(KEPT_VERSIONS) || "{}") || {};
    } catch (err) {
      kept = {};
    }
    sessionStorage.removeItem(KEPT_KEY);
    sessionStorage.removeItem(KEPT_VERSIONS);
    for (const [s, value] of Object.entries(kept)) {
      if (!SECTIONS.includes(s)) continue;
      state.drafts[s] = value;
      state.bases[s] = clone(body[s]); // what the admin changed is told from the server's value now
      state.versions[s] = keptVersions[s] ?? (body.versions || {})[s]; // changed while away: the save says so
      state.dirty.add(s);
    }
    load(body);
    for (const s of Object.keys(kept)) if (SECTIONS.includes(s)) notice(box(s), "dirty", t("kept_after_login"));
    await loadUsers();
    document.dispatchEvent(new CustomEvent("admin:ready", { detail: body })); // voice.js: the voice section
  } catch (err) {
    if (err.status === 401) return location.reload();
    if (err.status === 403) return refuse();
    notice($("page-notice"), "error", err.message);
  }
  const live = connectLive("staff", { onSnapshot, onEvent, onStatus });
  state.live = live;
  live.socket.on("disk", onDisk); // changed while low: no seq
  window.antrianAdmin = { live }; // for tests: the socket (a reconnect)
}

for (const section of SECTIONS) {
  const root = box(section);
  root.querySelector(".save").addEventListener("click", () => save(section));
  root.querySelector(".body").addEventListener("submit", (ev) => {
    ev.preventDefault();
    save(section);
  });
  const add = root.querySelector(".add");
  if (add) {
    add.addEventListener("click", () => {
      state.drafts[section].push(newRow(section));
      markDirty(section);
      renderSection(section);
      const first = root.querySelector("tbody tr:last-child input");
      if (first) first.focus();
    });
  }
}
$("clear-announcement").addEventListener("click", clearAnnouncement);
$("add-user").addEventListener("submit", addUser);
$("logout").addEventListener("click", logout);
setupLangToggle(() => {
  if (!state.settings) return;
  for (const s of SECTIONS) renderSection(s);
  renderCounterChoice();
  renderUsers();
  renderLive();
  onDisk(state.disk);
  document.dispatchEvent(new CustomEvent("admin:lang"));
});

whoAmI().then((user) => (user ? start(user) : showLogin(start)));
