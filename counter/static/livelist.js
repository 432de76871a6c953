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
