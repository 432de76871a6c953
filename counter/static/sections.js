// The admin page's sections (admin.js, voice.js, skm_admin.js): a section's notice line and its
// fields' error marks.

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
