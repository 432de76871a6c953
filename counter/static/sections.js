// The admin page's sections (admin.js, voice.js, skm_admin.js): a section's notice line, its fields' error
// marks, and the notes on the values saved on the page that hide config.toml's.
import { el, t } from "./common.js";

// The notice of `target` (its `.notice`, or `target` itself): `kind` (info, error, dirty) and text.
export function notice(target, kind, text) {
  const p = target.querySelector(".notice") || target;
  p.dataset.kind = kind;
  p.textContent = text;
}

// Every field's error text and invalid mark under `root`, cleared.
export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((p) => (p.textContent = ""));
  root.querySelectorAll("[aria-invalid]").forEach((x) => x.removeAttribute("aria-invalid"));
}

// ---- values saved on the page that hide config.toml's (the settings' `overridden`) ------------------
// An address of [kiosk] addresses as the admin wrote it: one device, without the "/32" the server adds.
export function shownAddress(network) {
  return network.includes(":") ? network.replace(/\/128$/, "") : network.replace(/\/32$/, "");
}

// config.toml's value of `key` in words: a list of rows by count and codes (and the first row the page's
// list differs in), "(empty)", the language's name.
export function fileText(key, value, now = null) {
  if (key === "hours") return t(value ? "kept.hours" : "kept.always_open");
  if (Array.isArray(value)) {
    if (value.some((v) => v && typeof v === "object")) {
      const codes = value.map((row) => row.code ?? row.id).join(", ");
      const text = t(value.length === 1 ? "kept.row" : "kept.rows", { count: value.length, codes }); // "1 row", "3 rows"
      const rows = Array.isArray(now) ? now : [];
      const differs = value.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(rows[i]));
      return differs < 0 ? text : `${text}, ${t("kept.row_differs", { row: differs + 1 })}`;
    }
    const items = key === "kiosk.addresses" ? value.map(shownAddress) : value;
    return items.length ? items.join(", ") : t("kept.empty");
  }
  if (value === null || value === undefined || value === "") return t("kept.empty");
  if (key === "office.language") return t(`lang.${value}`);
  return String(value);
}

// The note under a field whose saved value is used instead of config.toml's (null when it is not).
export function keptNote(overridden, key) {
  const entry = (overridden || []).find((x) => x.key === key);
  if (!entry) return null;
  return el("p", { class: "kept", dataset: { kept: key } }, t("kept.field", { value: fileText(key, entry.file, entry.value) }));
}

// A section's "Back to config.toml": the first click asks (for 4 s), the second runs `reset` (the section's
// DELETE /api/admin/settings/<section>). `name`: the section's heading key. `button.relabel()` after a
// change of language.
export function resetButton(name, reset) {
  const button = el("button", { type: "button", class: "reset-section" });
  let timer = null;
  button.relabel = () => {
    button.textContent = t(button.dataset.armed ? "btn.reset_section_confirm" : "btn.reset_section");
    button.title = t("btn.reset_section_title", { section: t(name) });
  };
  button.addEventListener("click", async (ev) => {
    if (!button.dataset.armed) {
      button.dataset.armed = "true";
      button.relabel();
      timer = setTimeout(() => {
        delete button.dataset.armed;
        button.relabel();
      }, 4000);
      return;
    }
    if (ev.detail > 1) return; // a double click's second click is no confirmation
    clearTimeout(timer);
    delete button.dataset.armed;
    button.relabel();
    button.disabled = true;
    try {
      await reset();
    } finally {
      button.disabled = false;
    }
  });
  button.relabel();
  return button;
}
