// What the staff pages that list cases kept live share (escalations.js, complaints.js): the age of
// a case in words, the page's notice line, a list fetch that runs one at a time, whether a command's
// answer is older than the page's live events, and the start of the page (login, role, live connection,
// the ages ticking, the language toggle).
import { connectLive, logout, setupLangToggle, showLogin, showUser, t, whoAmI } from "./common.js";

const $ = (id) => document.getElementById(id);

// "3 hari 2 jam", "45 menit", "kurang dari 1 menit": days and hours, minutes only under a day.
export function formatAge(seconds) {
  const minutes = Math.floor(Math.max(0, seconds) / 60);
  if (minutes < 1) return t("age.now");
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [];
  if (days) parts.push(t("age.days", { n: days }));
  if (hours) parts.push(t("age.hours", { n: hours }));
  if (rest && !days) parts.push(t("age.minutes", { n: rest }));
  return parts.join(" ");
}

// The page's notice line. `words`: a function giving the notice in the page's language now (the catalogue's
// words: `() => t("new")`), said again when the language is switched, or a text as it was said (the
// server's message, in the language it was asked in).
let notice = "";

export function pageNotice(kind, words) {
  notice = words;
  $("page-notice").dataset.kind = kind;
  sayNotice();
}

function sayNotice() {
  $("page-notice").textContent = typeof notice === "function" ? notice() : notice;
}

const offline = () => t("live.offline");

let live = null; // the page's live connection (startListPage)

// Whether the page's live events are at or past a command's answer's `seq` (live.js `knows`): the command's own
// event, among them, had the list read again, so what the page shows of the case (or is about to) is as new as the
// answer, or newer (someone else's later change).
export function knows(answer) {
  return live !== null && live.knows(answer);
}

// `load(at)` fetches the list once (`at`: performance.now() of the fetch). The function returned
// runs one fetch at a time; events arriving meanwhile ask for one more, not one each.
export function oneAtATime(load) {
  let loading = false;
  let again = false;
  return async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      do {
        again = false;
        await load(performance.now());
      } while (again);
    } catch (err) {
      if (err.status === 401) return location.reload();
      pageNotice("error", err.message);
    } finally {
      loading = false;
    }
  };
}

// Log in (or take the session), check the role, then: `onStart(user)`, the list, the live connection (every
// snapshot, first or after a gap or a reconnect, fetches the list afresh; `refreshOn` events too: a list
// of event types, or a function of the event saying whether it changed the list),
// `tick` every 5 s (the ages), `onLang` when the language is switched (the notice line follows it here).
export function startListPage({ roles, refreshOn, refresh, onStart, tick, onLang }) {
  function onEvent(ev) {
    if (typeof refreshOn === "function" ? refreshOn(ev) : refreshOn.includes(ev.type)) refresh();
  }
  function onStatus(up) {
    $("live-status").dataset.state = up ? "on" : "off";
    if (!up) pageNotice("error", offline);
    else if (notice === offline) pageNotice("", "");
  }
  function start(user) {
    if (!roles.includes(user.role)) {
      document.body.dataset.view = "forbidden";
      $("forbidden").textContent = t("login.wrong_role");
      return;
    }
    document.body.dataset.view = "app";
    showUser(user);
    onStart(user);
    // The list at once, and again at every snapshot: a socket that is slow to come (or refused, its budget
    // spent) left the page saying "0" over open cases until it came.
    refresh();
    live = connectLive("counter", { onSnapshot: refresh, onEvent, onStatus });
  }
  $("logout").addEventListener("click", logout);
  setInterval(tick, 5000);
  setupLangToggle(() => {
    sayNotice();
    onLang();
  });
  whoAmI().then((user) => (user ? start(user) : showLogin(start)));
}

// What a refresh draws of a list or a box kept as it is when it says the same as what was drawn last: a case's
// facts, the cases closed lately. Drawn anew at every live event (a colleague's call, a mail sent), the text an
// officer was selecting to copy (a visitor's phone number, the problem) lost its selection, and a button about to be
// pressed (Buka lagi) was replaced under the pointer. What was drawn is compared as HTML built afresh, never as the
// page has it since (an age ticking, a button pressed and waiting for its answer).

// `box`'s children made to be `nodes` (el()'s, nulls left out) unless they are those drawn last: true if drawn anew.
export function redraw(box, nodes) {
  const fresh = document.createElement("div");
  fresh.append(...nodes.filter((n) => n !== null && n !== undefined));
  const drawn = fresh.innerHTML;
  if (box.antrianDrawn === drawn) return false;
  box.antrianDrawn = drawn;
  box.replaceChildren(...fresh.childNodes);
  return true;
}

// `box`'s rows made to be `rows` (elements built afresh, each with its own data-id): a row saying what one shown
// says keeps the node shown (its selection, its focus, its listener: the same case's), one that differs is replaced,
// and a row is moved only when out of place (a case closed since goes on top, the others stay where they are).
export function keepRows(box, rows) {
  const shown = new Map();
  for (const row of box.children) if (row.antrianDrawn !== undefined) shown.set(row.antrianDrawn, row);
  const want = rows.map((row) => {
    const drawn = row.outerHTML;
    const kept = shown.get(drawn);
    if (kept) {
      shown.delete(drawn);
      return kept;
    }
    row.antrianDrawn = drawn;
    return row;
  });
  const keep = new Set(want);
  for (const row of [...box.children]) if (!keep.has(row)) row.remove();
  want.forEach((row, i) => {
    if (box.children[i] !== row) box.insertBefore(row, box.children[i] || null);
  });
}
