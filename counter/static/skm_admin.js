// The admin page's SKM questionnaire section: the nine elements' questions and four answer choices,
// Indonesian first, English second (GET / PUT /api/admin/survey). An element left as the model
// questionnaire has it is "default"; "Back to the default" sends null for it. It starts when admin.js
// has the admin logged in ("admin:ready"). Words come from the catalogue (t()).
import { askBeforeLeaving, discardButton, discarded } from "./admin.js";
import { api, el, t } from "./common.js";
import { clearErrors, notice } from "./sections.js";
import { inOrder } from "/static/live.js";

const LANGS = ["id", "en"];
const root = document.getElementById("sec-survey");
const state = { elements: [], dirty: new Set() };

// A refusal: its message on top, each named field's problem under its input ("elements.U1.choices.2.en",
// the choice of score 2).
function showRefusal(err) {
  clearErrors(root);
  notice(root, "error", refusalText(err));
  for (const [field, text] of Object.entries(err.fields || {})) {
    const input = root.querySelector(`[data-key="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      const p = input.closest(".cell").querySelector(".field-error");
      if (p) p.textContent = text;
    } else {
      const code = field.split(".")[1];
      const p = root.querySelector(`details[data-code="${CSS.escape(code || "")}"] .element-error`);
      if (p) p.textContent = text;
    }
    const box = (input || root).closest("details");
    if (box) box.open = true;
  }
}

// A wording refused (422 form_incomplete) said only "Formulir belum lengkap atau ada isian yang salah." at the top, the
// reason under its element alone, which may be far below (U9) or in an element the admin had closed: the top says
// each problem, a line each, named as its input is ("U1 Nilai 2 (Inggris): …"), or by its element ("U1 Persyaratan: Urutan
// pilihan terbalik …"); tests/test_admin_refusals.py.
function refusalText(err) {
  if (err.body.error !== "form_incomplete") return err.message;
  const lang = document.documentElement.lang === "en" ? "en" : "id";
  const lines = Object.entries(err.fields || {}).map(([field, text]) => {
    const input = root.querySelector(`[data-key="${CSS.escape(field)}"]`);
    const code = field.split(".")[1] || "";
    const element = state.elements.find((e) => e.code === code);
    const name = input ? input.getAttribute("aria-label") : element ? `${code} ${element.name[lang]}` : "";
    return name ? `${name}: ${text}` : text;
  });
  return lines.length ? lines.join("\n") : err.message;
}

// One input of the wording; its label names what and which language (the column heads are hidden on a phone).
function cell(key, value, multiline, label, describedBy) {
  const attrs = { "data-key": key, value, maxlength: multiline ? 500 : 100, autocomplete: "off", "aria-label": label };
  if (describedBy) attrs["aria-describedby"] = describedBy;
  const input = multiline ? el("textarea", { ...attrs, rows: 2 }) : el("input", attrs);
  if (multiline) input.value = value;
  return el("div", { class: "cell" }, input, el("p", { class: "field-error" }));
}

function badge(element) {
  const custom = !element.default;
  return el("span", { class: `badge ${custom ? "custom" : "default"}` }, t(custom ? "survey.custom" : "survey.default"));
}

function renderElement(element) {
  const code = element.code;
  const base = `elements.${code}`;
  const grid = el(
    "div",
    { class: "survey-grid" },
    el("span", { class: "head" }),
    el("span", { class: "head" }, t("survey.lang_id")),
    el("span", { class: "head" }, t("survey.lang_en")),
    el("span", { class: "what" }, t("survey.question")),
    ...LANGS.map((lang) => cell(`${base}.question.${lang}`, element.question[lang], true, `${code} ${t("survey.question")} (${t(`survey.lang_${lang}`)})`)),
    // the scale's rule, at the choices: a choice's place is its score (the server refuses the model's
    // own choices in the reverse order, check_texts)
    el("p", { class: "scale-rule", id: `scale-rule-${code}` }, t("survey.scale_rule")),
    ...element.choices.flatMap((choice, i) => [
      el("span", { class: "what" }, t("survey.choice", { score: i + 1 })),
      // the API counts the choices 1-4, as their scores
      ...LANGS.map((lang) => cell(`${base}.choices.${i + 1}.${lang}`, choice[lang], false, `${code} ${t("survey.choice", { score: i + 1 })} (${t(`survey.lang_${lang}`)})`, `scale-rule-${code}`)),
    ]),
  );
  const reset = el("button", { type: "button", class: "reset", disabled: element.default }, t("survey.reset"));
  reset.addEventListener("click", () => save({ [code]: null }));
  const details = el(
    "details",
    { dataset: { code } },
    el(
      "summary",
      {},
      el("strong", {}, code),
      " ",
      element.name[document.documentElement.lang === "en" ? "en" : "id"],
      " ",
      badge(element),
      el("span", { class: "preview muted" }, element.question[document.documentElement.lang === "en" ? "en" : "id"]),
    ),
    grid,
    el("p", { class: "field-error element-error" }),
    el("div", { class: "save-row" }, reset),
  );
  details.addEventListener("input", (ev) => {
    state.dirty.add(code);
    ev.target.removeAttribute("aria-invalid");
    const p = ev.target.closest(".cell") && ev.target.closest(".cell").querySelector(".field-error");
    if (p) p.textContent = "";
    notice(root, "dirty", t("unsaved"));
    renderDiscard();
  });
  return details;
}

function render() {
  const open = new Set([...root.querySelectorAll("details[open]")].map((d) => d.dataset.code));
  const body = root.querySelector(".survey-elements");
  body.replaceChildren(...state.elements.map(renderElement));
  for (const d of body.querySelectorAll("details")) d.open = open.has(d.dataset.code);
}

// What the admin typed for one element: {question: {id, en}, choices: [{id, en} x4]}.
function collect(code) {
  const value = (key) => root.querySelector(`[data-key="elements.${code}.${key}"]`).value;
  return {
    question: Object.fromEntries(LANGS.map((lang) => [lang, value(`question.${lang}`)])),
    choices: [1, 2, 3, 4].map((score) => Object.fromEntries(LANGS.map((lang) => [lang, value(`choices.${score}.${lang}`)]))),
  };
}

async function save(changes) {
  const button = root.querySelector("button.save");
  if (!changes) {
    if (!state.dirty.size) return notice(root, "info", t("survey.saved"));
    changes = Object.fromEntries([...state.dirty].map((code) => [code, collect(code)]));
  }
  clearErrors(root);
  button.disabled = true;
  try {
    const { body } = await api("PUT", "/api/admin/survey", { elements: changes });
    for (const code of Object.keys(changes)) state.dirty.delete(code);
    state.elements = body.elements;
    render();
    renderDiscard();
    notice(root, "info", t("survey.saved"));
  } catch (err) {
    if (err.status === 401) return location.reload();
    showRefusal(err);
  } finally {
    button.disabled = false;
  }
}

// The wording read (again): drawn only when it differs from what is shown (an element opened, the focus, stay),
// and not over an edit begun meanwhile.
// Answers in the order the reads were sent (one sent earlier answering later is dropped: a later one has it).
const reads = inOrder();
async function load() {
  const mine = reads.ask();
  try {
    const elements = (await api("GET", "/api/admin/survey")).body.elements;
    if (!reads.take(mine)) return;
    if (state.dirty.size) return; // typing began while it was on its way: the edit stays (its save sends it)
    if (JSON.stringify(elements) === JSON.stringify(state.elements)) return;
    state.elements = elements;
    render();
  } catch (err) {
    notice(root, "error", err.message);
  }
}

// "Batalkan perubahan" while an element has edits not saved, as the other sections have it (admin.js): the wording
// as in force, read afresh (without the network, as the page last read it); an admin who changed a question and
// then their mind had to reload the page, which dropped the other sections' edits too, or undo it by hand.
function renderDiscard() {
  discardButton(root, state.dirty.size > 0, "sec.survey", discard);
}

async function discard() {
  state.dirty.clear();
  const mine = reads.ask();
  try {
    const elements = (await api("GET", "/api/admin/survey")).body.elements;
    if (reads.take(mine)) state.elements = elements;
  } catch (err) {
    if (err.status === 401) return location.reload();
  }
  if (state.dirty.size) return renderDiscard(); // typed in again meanwhile: that edit stays
  render();
  renderDiscard();
  discarded(root, root.querySelector(".survey-elements"));
}

root.querySelector("button.save").addEventListener("click", () => save());
askBeforeLeaving(() => state.dirty.size > 0);
document.addEventListener("admin:ready", load);
// Another admin changed the wording: take theirs, unless this admin is editing it (admin.js says so).
document.addEventListener("admin:changed", (ev) => {
  if (ev.detail === "survey" && !state.dirty.size) load();
});
// The live socket's snapshot (its first, a reconnect): a change of the wording made before it came, or while it
// was away, was told to nobody here. Read again, unless this admin is editing it.
document.addEventListener("admin:resync", () => {
  if (!state.dirty.size) load();
});
document.addEventListener("admin:lang", () => {
  if (!state.dirty.size) render(); // the labels in the new language; typed values are kept otherwise
  renderDiscard();
});
