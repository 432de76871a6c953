// The one live client of every page (counter, front office, admin, escalations, TV display, kiosk,
// visitor's phone): a snapshot with its seq, then the numbered events after it, in order.
// Events at or below the current seq are dropped; a gap (a message whose `prev`, else whose seq less one, is
// past the current seq), a reconnect, or the office's new day (`day_changed`), asks for a fresh snapshot.
// What a page does with them (and who it says it is) stays in the page.
//
//   const live = connect({ auth, onSnapshot, onEvent, onStatus });
//   live.socket    the socket.io socket (for a page's other messages, and tests)
//   live.resync()  asks for a fresh snapshot; events wait (or are dropped) until it comes
//   live.seq()     the seq the page is current to (null before the first snapshot)
//   live.synced()  true while a snapshot is current (false while one is awaited)
//   live.knows(answer)  true when the page shows every change up to a command's answer's `seq` already (its
//                  events came first): what the answer says of a ticket is then as old as the page's, or older
//
// Options:
//   auth        socket.io's auth: an object, or a function (cb) => cb({...}) asked at every (re)connect
//   options     further socket.io options (transports, reconnection delays...)
//   seq         the seq the page already shows (drawn by the server); null: nothing until a snapshot
//   hold        keep the events that come while a snapshot is awaited (or that show a gap) and replay
//               those past the snapshot's seq after it; false: drop them, the snapshot has them
//   onHold(ev)  told of each event kept by `hold`
//   retry       ms: ask again when no snapshot came this long after a connect or a request (0: never)
//   onSnapshot(snap)       everything, replaced
//   onEvent(ev)            one change, the next in order
//   onStatus(up, reason)   connected (true) or disconnected (false, with socket.io's reason)
const MAX_HELD = 1000; // events kept while a snapshot is awaited

// Answers taken in the order their requests were sent, whatever order they come in (one slowed on the network):
// `const reads = inOrder();`, `const mine = reads.ask();` as a request goes, and `if (!reads.take(mine)) return;`
// when its answer comes (false: a request sent after it was answered already, with what is newer).
export function inOrder() {
  let asked = 0;
  let taken = 0;
  return {
    ask: () => ++asked,
    take: (mine) => {
      if (mine < taken) return false;
      taken = mine;
      return true;
    },
  };
}

export function connect({
  auth,
  options = {},
  seq: initialSeq = null,
  hold = false,
  onHold = null,
  retry = 0,
  onSnapshot,
  onEvent,
  onStatus = () => {},
}) {
  // (Object.assign, not {...options}: a phone's Safari 11.0 cannot read object spread, docs/kiosk.md "Browsers")
  const socket = window.io(Object.assign({}, options, { auth }));
  let seq = initialSeq;
  let awaiting = seq === null;
  let held = [];
  let timer = null;

  const arm = () => {
    clearTimeout(timer);
    if (retry > 0) timer = setTimeout(() => {
      if (awaiting && socket.connected) resync();
    }, retry);
  };
  const resync = () => {
    awaiting = true;
    clearTimeout(timer);
    if (socket.connected) socket.emit("snapshot");
    arm();
  };
  const keep = (ev) => {
    if (!hold) return;
    held.push(ev);
    // bounded while no snapshot comes: the oldest go first (one missing after the snapshot is a gap: resync)
    if (held.length > MAX_HELD) held.shift();
    if (onHold) onHold(ev);
  };
  const take = (ev) => {
    if (!ev || typeof ev.seq !== "number") return; // not a numbered change
    if (awaiting || seq === null) return keep(ev);
    if (ev.seq <= seq) return; // already in what the page shows
    // A public page is not told of every change (another visitor's survey answer): each of its messages names
    // the seq of the last one sent to every public page before it (`prev`). A staff page gets every seq.
    if (typeof ev.prev === "number" ? ev.prev > seq : ev.seq > seq + 1) {
      keep(ev);
      return resync(); // missed something
    }
    seq = ev.seq;
    onEvent(ev);
    // The office's day changed (its midnight): yesterday's calls, breaks and lists are over, and the
    // state says so only in a fresh snapshot. The page saw the event first (after that day's expiries).
    if (ev.type === "day_changed") resync();
  };

  socket.on("snapshot", (snap) => {
    if (!snap || typeof snap.seq !== "number") return;
    seq = snap.seq;
    awaiting = false;
    clearTimeout(timer);
    const pending = held.filter((ev) => ev.seq > seq).sort((a, b) => a.seq - b.seq);
    held = [];
    onSnapshot(snap);
    pending.forEach(take);
  });
  socket.on("event", take);
  socket.on("events", (list) => list.forEach(take)); // several changes at once
  socket.on("connect", () => {
    onStatus(true);
    arm(); // the server sends a snapshot on every connect
  });
  socket.on("disconnect", (reason) => {
    awaiting = true;
    held = [];
    clearTimeout(timer);
    onStatus(false, reason);
  });
  const knows = (answer) =>
    !awaiting && seq !== null && answer !== null && typeof answer === "object" && typeof answer.seq === "number" && answer.seq <= seq;
  return { socket, resync, seq: () => seq, synced: () => !awaiting, knows };
}

// Whether socket.io's script came: it is a plain script before the page's module, and when the server was
// away as the page loaded (restarting while a TV box boots, a phone's patchy data) it did not. Not a browser
// too old: such a page says it is not live yet and calls reloadWhenLive, so that it has its connection after
// all (server/static/fallback.js, which would call it too old, sees the page's module ran).
export function hasLive() {
  return typeof window.io === "function";
}

// Load the page again once the server answers for socket.io's script, asking every `ms` (a reload while the
// server is still away would leave the browser's own error page, which never tries again).
export function reloadWhenLive(ms) {
  const again = () =>
    setTimeout(() => {
      fetch(IO_SCRIPT, { method: "HEAD", cache: "no-store" })
        .then((r) => (r.ok ? location.reload() : again()))
        .catch(again);
    }, ms);
  again();
}
const IO_SCRIPT = "/static/vendor/socket.io.min.js";
