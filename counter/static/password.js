// The account's own new password (Ganti kata sandi), for every staff role: POST /api/me/password with the
// current password and the new one. The new one is typed twice and the two are compared here; the server
// checks the rest (the current password as a login checks it, 8-200 characters, not the current one) and
// says what is wrong at each field. Once it is changed, the account's other sessions are over and this one
// goes on: the form is emptied and the page says so. Every staff page's bar leads here through the account's
// name (common.js showUser).
import { api, logout, say, setupLangToggle, showLogin, showUser, t, whoAmI } from "./common.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["current", "new", "repeat"]; // the inputs pw-<name>, each with its pw-<name>-error
const form = $("password-form");
let saving = false; // a new password on its way (below: leaving the page is asked first)

// A field's problem under it: a key of the catalogue (said again when the language is switched), or the
// server's words as they came (in the language they were asked in); nothing clears it.
function fieldError(name, key, text) {
  const box = $(`pw-${name}-error`);
  if (key) say(box, key);
  else {
    say(box, null);
    box.textContent = text || "";
  }
  const input = $(`pw-${name}`);
  if (key || text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// The form's line: "ok" with a key of the catalogue, "error" with the server's message, or nothing.
function notice(kind, key, text) {
  const box = $("password-notice");
  box.dataset.kind = kind || "";
  if (key) say(box, key);
  else {
    say(box, null);
    box.textContent = text || "";
  }
}

function showPasswords(shown) {
  for (const name of FIELDS) $(`pw-${name}`).type = shown ? "text" : "password";
}

async function submit(event) {
  event.preventDefault();
  const values = Object.fromEntries(FIELDS.map((name) => [name, $(`pw-${name}`).value]));
  for (const name of FIELDS) fieldError(name, null);
  notice("", null);
  const wrong = [];
  for (const name of FIELDS) {
    if (!values[name]) {
      fieldError(name, "password.required");
      wrong.push(name);
    }
  }
  if (values.new && values.repeat && values.new !== values.repeat) {
    fieldError("repeat", "password.mismatch");
    wrong.push("repeat");
  }
  if (wrong.length) {
    $(`pw-${wrong[0]}`).focus();
    return;
  }
  const button = $("pw-submit");
  button.disabled = true;
  saving = true;
  try {
    const { body } = await api("POST", "/api/me/password", { current: values.current, new: values.new });
    form.reset();
    showPasswords(false);
    showUser(body.user);
    notice("ok", "password.done");
  } catch (err) {
    if (err.status === 401) return location.reload(); // the session ended meanwhile: the login form
    const named = FIELDS.filter((name) => err.fields && err.fields[name]);
    for (const name of named) fieldError(name, null, err.fields[name]);
    if (named.length) {
      const first = $(`pw-${named[0]}`);
      first.focus();
      first.select();
    } else notice("error", null, err.message);
  } finally {
    button.disabled = false;
    saving = false;
  }
}

// A new password on its way: leaving the page (the bar's Loket, a link) dropped its answer, the cookie that keeps
// this browser signed in with it, while the server made the change: the next page was signed out, "kata sandi akun
// ini diganti", the promise "di sini tetap masuk" broken. The browser asks first while it is on its way.
window.addEventListener("beforeunload", (ev) => {
  if (saving) ev.preventDefault();
});

function start(user) {
  document.body.dataset.view = "app";
  showUser(user);
  const name = (user.full_name || "").trim() || user.username;
  say($("password-lead"), "password.lead", { name: name === user.username ? name : `${name} (${user.username})` });
  $("pw-current").focus();
}

form.addEventListener("submit", submit);
$("pw-show").addEventListener("change", (event) => showPasswords(event.currentTarget.checked));
$("logout").addEventListener("click", logout);
setupLangToggle(() => {});
whoAmI().then((user) => (user ? start(user) : showLogin(start)));
