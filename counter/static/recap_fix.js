// The recap page's Koreksi (recap.html, for an officer or an admin: the API's rule for POST /api/tickets/<ref>/correct).
// A typo found in last Tuesday's record, a wrong kind of problem seen by the head of the office reading the recap:
// each finished record's row opens the counter page's correction form (fixform.js, _fix_dialog.html) for that record,
// read from the server as it is now (GET …/history's `record`), with its limits, counts, keys and refusals. Saved,
// the row is drawn again as the server draws it (its Solusi and Keterangan, "dikoreksi oleh …" when someone other
// than the officer in Petugas corrected it: docs/reports.md), without a reload, and marked corrected on the screen.
// The recap follows no live events: a colleague's correction meanwhile is said by the save's refusal (409).
// A session that ended under the form (back from lunch: the save answered 401) goes to the login as the other staff
// pages do, the correction typed kept in this tab (sessionStorage) over it: the login says why the session ended and
// that the correction is kept (counter.js, the staff's login page), comes back here (?next=) and the form opens
// again with the text typed, saying it was not saved yet.
import { PAGE, getLang, officeNow, t, whoAmI, whyEnded } from "./common.js";
import { fixForm, fixNames } from "./fixform.js";

const KEPT_KEY = "antrian.recap.fix"; // the correction typed when the session ended, for after the login
const ENDED_KEY = "antrian.counter.ended"; // what the staff's login page (counter.js) says of a session's end

const table = document.querySelector("table.recap");
const notice = document.getElementById("fix-notice");

// What a correction came to, above the table (role=status); null: nothing said.
function say(text, kind = "info") {
  notice.hidden = !text;
  notice.textContent = text || "";
  notice.dataset.kind = kind;
}

async function openRow(button) {
  const row = button.closest("tr");
  const label = row.dataset.label;
  say(t("fix.loading", { label }));
  try {
    await form.open(row.dataset.ticket, button);
    say(null);
  } catch (err) {
    if (err.status === 401) return sessionEnded(null);
    say(t("fix.load_failed", { label, text: err.message || "?" }), "error");
  }
}

// The row as the server draws it now: the recap of its day (a few dozen rows), the row of its record taken from it.
async function redraw(row) {
  const day = row.dataset.day;
  const url = new URL(location.pathname, location.origin);
  url.search = new URLSearchParams({ from: day, to: day, lang: document.documentElement.lang }).toString();
  const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
  const page = new DOMParser().parseFromString(await resp.text(), "text/html");
  const fresh = page.querySelector(`table.recap tr[data-ticket="${row.dataset.ticket}"]`);
  if (!fresh || fresh.cells.length !== row.cells.length) throw new Error("?");
  // every cell but No (the row's number in this page's period, not in its day's)
  for (let i = 1; i < row.cells.length; i += 1) {
    row.cells[i].replaceChildren(...[...fresh.cells[i].childNodes].map((n) => document.importNode(n, true)));
  }
}

async function saved(target, body, changes) {
  const row = table.querySelector(`tr[data-ticket="${target.id}"]`);
  say(t("fix.done", { label: target.label, fields: fixNames(changes) }));
  if (!row) return;
  // the office's time (this PC's clock corrected by the server's), "10.05" / "10:05"
  const at = new Intl.DateTimeFormat(getLang() === "en" ? "en-GB" : "id-ID", {
    timeZone: PAGE.timezone || "Asia/Jakarta",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(officeNow());
  try {
    await redraw(row);
  } catch (err) {
    say(t("fix.row_unread", { label: target.label }), "error");
  }
  // corrected, on the screen (never printed: the printed remark is the server's)
  row.classList.add("fixed");
  const cell = row.querySelector("button.row-fix") ? row.querySelector("button.row-fix").parentElement : row.cells[5];
  let mark = cell.querySelector(".fix-mark");
  if (!mark) {
    mark = document.createElement("span");
    mark.className = "fix-mark";
    mark.lang = document.documentElement.lang;
    cell.append(mark);
  }
  mark.textContent = t("fix.row_done", { time: at, fields: fixNames(changes) });
  // the cursor back on the row's Koreksi (drawn again with the row)
  const button = row.querySelector("button.row-fix");
  if (button && (document.activeElement === document.body || !document.activeElement)) button.focus();
}

// The session ended (a 401): the correction typed (`kept`: fixform's {ticket, base, values}) kept in this tab, the
// login told why (GET /api/me's `ended`) and that it is kept; the page loaded again goes to the login, which comes
// back here after it (counter/__init__.py _logged_in: ?next= this page, its period and filters).
let ending = false;
let me = null; // the login name, once /api/me answered

async function sessionEnded(given) {
  if (ending) return;
  ending = true;
  const username = me || "";
  const reason = await whyEnded();
  // the correction a refused Simpan handed over, or the one typed in the form open when the session ended another way
  const kept = given || form.typed();
  try {
    if (kept) sessionStorage.setItem(KEPT_KEY, JSON.stringify({ ...kept, username }));
    sessionStorage.setItem(ENDED_KEY, JSON.stringify({ action: null, typed: false, fix: Boolean(kept), username, reason }));
  } catch (err) {
    // storage off: the login alone
  }
  location.reload();
}

// After the login: the correction kept is given back, in its form, for the officer who typed it.
function restoreKept(user) {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT_KEY) || "null");
    sessionStorage.removeItem(KEPT_KEY);
  } catch (err) {
    kept = null;
  }
  if (!kept || !kept.ticket || !user || (kept.username && kept.username !== user.username)) return;
  const row = table.querySelector(`tr[data-ticket="${kept.ticket.id}"]`);
  const opener = row ? row.querySelector("button.row-fix") : null;
  if (form.restore(kept, t("fix.kept_after_login", { label: kept.ticket.label })) && opener) {
    opener.scrollIntoView({ block: "nearest" });
  }
}

const form = fixForm({ saved, sessionEnded });
table.addEventListener("click", (ev) => {
  const button = ev.target.closest("button.row-fix");
  if (button) openRow(button);
});
// the session's CSRF token, which the save sends; then a correction kept over a login is given back
whoAmI()
  .then((user) => {
    me = user ? user.username : null;
    restoreKept(user);
  })
  .catch(() => null);
