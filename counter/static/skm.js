// The SKM page kept current while it is open (docs/skm.md, "Pages"). The server draws it (counter/__init__.py
// skm_page); on the staff feed's changes that move its figures (a survey answered or corrected, a visitor
// served, a complaint answered or closed, the questionnaire's words) and at every snapshot (its first, a
// reconnect, a gap: what changed while the socket was away is in no event it got), the page reads itself again
// and puts in what differs below its toolbar (a date being typed there stays, and so do the parts unchanged).
//
// Reads are coalesced: one at a time, at most one every GAP_MS, the events of a burst taken by one read. Anyone
// holding a ticket's token sends survey answers: a burst of fifty is one or two reads, not fifty, of a report
// that may be a year's. The feed is the staff's (the page needs a login, as its socket does).
import { connect } from "/static/live.js";

const GAP_MS = 5000; // between the starts of two reads, at least
const SETTLE_MS = 300; // a first change waits this long for the rest of its burst
// A ticket's end that changes the population: served (resolved, escalated; closing an escalation does not), or
// ended unserved after being served before a transfer (server/core.py partly_served).
const SERVED_ENDS = ["resolved", "escalated"];
const UNSERVED_ENDS = ["no_show", "cancelled", "expired"];
const UNSERVED_EVENTS = ["no_show", "skipped", "cancelled", "expired"]; // (a skip past the last requeue: no_show)
const ALWAYS = ["survey_answered", "complaint_answered", "complaint_closed", "complaint_reopened", "settings_changed"];

const body = document.body;
let timer = null;
let loading = false;
let again = false;
let last = -Infinity;
let reads = 0;
// For tests: how many reads the page made, and whether one is due or under way.
window.antrianSkm = { reads: () => reads, busy: () => loading || timer !== null };

function inPeriod(day) {
  return typeof day === "string" && day >= body.dataset.from && day <= body.dataset.to;
}

function moves(ev) {
  if (ev.type === "survey_answered") return !ev.ticket || inPeriod(ev.ticket.day);
  if (ALWAYS.includes(ev.type)) return true;
  const ticket = ev.ticket;
  if (!ticket || !inPeriod(ticket.day)) return false;
  if (SERVED_ENDS.includes(ticket.status)) return ev.type === ticket.status;
  return UNSERVED_EVENTS.includes(ev.type) && UNSERVED_ENDS.includes(ticket.status) && ticket.served_before_ms > 0;
}

function soon() {
  if (loading) {
    again = true;
    return;
  }
  if (timer !== null) return;
  timer = setTimeout(read, Math.max(SETTLE_MS, last + GAP_MS - performance.now()));
}

async function read() {
  timer = null;
  loading = true;
  last = performance.now();
  reads += 1;
  const since = connects; // a read begun on the feed as it is now: its answer is as current as the feed
  try {
    const resp = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (resp.redirected) return location.reload(); // the session ended: the login
    if (!resp.ok) again = true; // (a 429, a restart) read again after the gap
    else if (take(new DOMParser().parseFromString(await resp.text(), "text/html"))) current(since);
  } catch (err) {
    again = true; // offline: the next snapshot, or the gap, reads again
  } finally {
    loading = false;
    if (again) {
      again = false;
      soon();
    }
  }
}

// What follows the toolbar, node by node: one equal to its new self stays (the selection in it, and no flicker).
function after(root) {
  const toolbar = root.querySelector("form.toolbar");
  const nodes = [];
  for (let n = toolbar && toolbar.nextSibling; n; n = n.nextSibling) nodes.push(n);
  return nodes;
}

function take(doc) {
  if (!doc.body || !doc.querySelector("form.toolbar")) return false;
  body.dataset.from = doc.body.dataset.from || body.dataset.from; // the default period moves with the day
  body.dataset.to = doc.body.dataset.to || body.dataset.to;
  if (doc.title) document.title = doc.title;
  const old = after(document);
  const next = after(doc);
  next.forEach((node, i) => {
    const was = old[i];
    const mine = document.adoptNode(node);
    if (!was) body.append(mine);
    else if (!was.isEqualNode(mine)) was.replaceWith(mine);
  });
  for (const gone of old.slice(next.length)) gone.remove();
  return true;
}

// The figures are those of the last read while the feed is away: said after OFFLINE_MS (not for a blip), and
// until a read begun after the feed came back is answered (what changed meanwhile is in no event the page got:
// at the reconnect, the figures shown are still the old ones). A read that fails leaves it said.
const OFFLINE_MS = 3000;
let offlineTimer = null;
let up = false;
let connects = 0; // the feed's connects and drops: a read's answer is current if none came since it began
function offline(connected) {
  const notice = document.getElementById("skm-offline");
  up = connected;
  connects += 1;
  clearTimeout(offlineTimer);
  offlineTimer = null;
  if (notice && !connected) offlineTimer = setTimeout(() => (notice.hidden = false), OFFLINE_MS);
}

function current(since) {
  const notice = document.getElementById("skm-offline");
  if (notice && up && since === connects) notice.hidden = true;
}

let pause = 2000;
function comeBack(live) {
  // Refused or closed by the server (the session ended, the socket's budget): socket.io does not try again by
  // itself. A read says which (the login, after a session's end); else connect again, later each time.
  setTimeout(() => {
    soon();
    if (!live.socket.connected) live.socket.connect();
  }, pause);
  pause = Math.min(pause * 2, 60000);
}

if (body.dataset.live === "on" && typeof window.io === "function") {
  const live = connect({
    auth: { role: "staff" },
    onSnapshot: soon,
    onEvent: (ev) => {
      if (moves(ev)) soon();
    },
    onStatus: (up, reason) => {
      body.dataset.connected = up ? "on" : "off";
      offline(up);
      if (up) pause = 2000;
      else if (reason === "io server disconnect") comeBack(live);
    },
  });
  live.socket.on("connect_error", () => {
    if (!live.socket.active) comeBack(live);
  });
}
