/* Waiting-room TV: renders from the public snapshot plus the numbered events after it, and
   announces each call (chime, then the server's speech) strictly one after another.
   The display never lies: a gap in the seqs or a reconnect means a fresh snapshot; while the
   connection is down an OFFLINE badge says so. Test hook: window.antrianDisplay. */
import { connect, hasLive, reloadWhenLive } from "/static/live.js";

(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("display-config").textContent);
  let T = config.text; // the page's words: its language's, which may change with [office] language (setLang)
  let lang = config.lang;
  const CALL_TYPES = new Set(["called", "recalled"]);
  const ACTIVE = new Set(["called", "serving"]);
  // A call at a counter says it is at work: the server refuses calls and recalls at a paused counter, so a first
  // call ends a break it did not tell of (a recall comes only after a call, at a counter already at work).
  const PAUSE_TYPES = { counter_paused: true, counter_resumed: false, called: false };
  const RECENT_SHOWN = 5;
  const RECENT_WANTED = 2; // the latest calls a panel short of room shows at least, names cut for them (render)
  const RECENT_KEPT = 40;
  // The least size of a text a visitor reads (display.css: max(24px, ...)), whatever the screen: read from 4 to 6 m
  // across a waiting room, a cheap 1366x768 or 1280x720 TV drew a tile's service, status and "Panggilan ke-2" at
  // 17 px and its name at 20 (1.2 and 1.4 units there). tests/test_display_readability.py.
  const READABLE_PX = 24;
  const FLASH_MS = 5000;
  // A call's flash: ten blinks of two steps, black on yellow (.lit) then yellow on navy (display.css .flash), stepped
  // by one timer of the page (stepFlash), not a CSS animation: a TV PC drawing in software ticked a running animation
  // at every frame, 0.35 CPU-s per call (docs/performance.md "The TV's call flash, stepped by a timer").
  const FLASH_STEP_MS = 250;
  const PART_TIMEOUT_MS = 20000; // an audio that never ends must not stop the queue
  const RESYNC_TIMEOUT_MS = 5000;
  const MAX_REPEAT = 5;
  const KEPT = 300; // announcements remembered (played seqs, log): enough to never replay one, and bounded
  const SPEECH_KEPT = 3; // decoded phrases kept, so a repeat or a recall does not fetch again
  // decoded intros said before a call: a recall's ("Panggilan kedua.", ... "Panggilan terakhir.": at most 9, [queue]
  // max_calls <= 10) and a last chance's ("Kesempatan terakhir.", "Panggilan kedua, kesempatan terakhir.", ...: 10)
  const INTRO_KEPT = 19;
  const RESUME_WAIT_MS = 500; // a sound context still suspended after this waits for a tap
  const NO_LIVE_RETRY_MS = 30000; // socket.io's script did not come: asked for again this often
  // A sound's request waits this long for its answer, then goes again (waiting twice as long) on another connection:
  // one sent on a connection that died without a word waited minutes (fetchBounded). The server answers at once, or
  // within its 5 s for a phrase still being made: those tries are 2, 4 and 8 s, within PART_TIMEOUT_MS.
  const FETCH_WAIT_MS = 2000;
  const FETCH_TRIES = 3;
  const PROBE_WAIT_MS = 2000; // a look at /healthz: its answer comes at once, or never
  const PROBES = 6; // after a silent drop: one look per idle connection the browser may keep (6 per server)

  const filter = {
    counters: new Set(config.filter.counters),
    services: new Set(config.filter.services),
  };

  // A service's letter on the waiting counts: its numbers' prefix, the letter on the visitor's ticket and on the
  // kiosk's button (a server that sends none: its code, the prefix's default). Its code named the row: a service
  // whose letter the admin set apart from its code ("D" numbered P-001) read "D 2 orang" to visitors holding P-001.
  function letter(s) {
    return typeof s.prefix === "string" && s.prefix ? s.prefix : s.code;
  }

  const state = {
    seq: null,
    day: null,
    services: config.services.map((s) => ({ code: s.code, name: s.name, prefix: letter(s), waiting: null })),
    counters: config.counters.map((c) => ({ id: c.id, name: c.name, services: c.services, ticket: null, paused: false })),
    recent: [],
    maxCalls: config.max_calls || 3, // a ticket's calls, recalls included: the last is marked
    connected: false,
    get synced() {
      return live !== null && live.synced(); // a snapshot is current (the live client says)
    },
    status: "connecting",
  };
  // The last KEPT of each (a TV runs for days): seqs only grow, so an older one than those kept
  // counts as played too (playedFloor), and no call is ever announced twice.
  const played = []; // seqs of the announcements started, in order
  const playedSet = new Set();
  let playedFloor = -Infinity; // the newest seq dropped from `played`
  const queue = []; // announcements waiting their turn
  const log = []; // one entry per announcement: {seq, label, counter_id, start, end, parts}
  const announceBySeq = new Map(); // announce payloads of calls held while no snapshot was current, for a resync
  // Calls the server's absence cut short (their chime or phrase not fetched, the page offline meanwhile: a power cut
  // as the call was said), by seq: said once the page is back, if their ticket is still called there (sayUnsaid).
  const unsaid = new Map();
  let drops = 0; // the connection's losses so far: a call said across one may have been cut by it
  let current = null;
  let sounding = false; // a part of the current announcement has begun to play (its outline: showCalling)
  let live = null; // the live client: snapshot, seqs, gaps (/static/live.js)

  // -- filters ---------------------------------------------------------------------
  function counterShown(c) {
    if (!c) return false;
    if (filter.counters.size && !filter.counters.has(c.id)) return false;
    if (filter.services.size && !c.services.some((s) => filter.services.has(s))) return false;
    return true;
  }
  function counterById(id) {
    return state.counters.find((c) => c.id === id) || null;
  }
  function callShown(counterId, service) {
    if (!counterShown(counterById(counterId))) return false;
    return !filter.services.size || filter.services.has(service);
  }
  function serviceShown(code) {
    if (filter.services.size) return filter.services.has(code);
    if (filter.counters.size) return state.counters.some((c) => counterShown(c) && c.services.includes(code));
    return true;
  }
  function sameTicket(a, b) {
    return a.label === b.label && (!a.day || !b.day || a.day === b.day);
  }
  // A ticket of another day than the TV's is not shown at its counter: one an officer left "serving" over
  // midnight showed all the next day beside that day's own ticket of the same number (numbers restart daily).
  function ofToday(t) {
    return !t.day || !state.day || t.day === state.day;
  }
  function serviceName(code) {
    const s = state.services.find((x) => x.code === code);
    return s ? s.name : code;
  }

  // The office's name on a landscape TV: smaller on its line (its CSS size down to 2.2 rem), then on two lines
  // (2.2 down to 1.8 rem) with the address giving way (display.css .two-lines); only a name that does not fit even
  // then ends in "…". On its side its two lines (display.css) get smaller down to the same size in pixels. Again
  // when the name, the address, the screen or the connection badge (which takes room beside it) changes, and once
  // the page's fonts are in.
  // The address under a name on one line: on its line, else on two (.address-lines), it and the name smaller
  // together (down to 1.2 units and 2.2 rem) inside the header, whose height is the calls'. An address the header
  // does not show whole (a long one, under a name on two lines, on a TV on its side) is said whole in the running
  // text (addressInHeader): one of 150 characters ended in "…" at 1920x1080 and was nowhere else.
  let officeFitted = "";
  let addressInHeader = true;
  function fitOffice() {
    const box = document.querySelector(".office");
    const title = document.getElementById("office-name");
    const address = document.getElementById("office-address");
    const key = [title.textContent, address.textContent, address.hidden, innerWidth, innerHeight,
      document.body.className].join("|");
    if (key === officeFitted) return;
    officeFitted = key;
    for (const e of [title, address]) uncut(e);
    box.classList.remove("two-lines", "address-lines");
    title.style.fontSize = "";
    address.style.fontSize = "";
    fitName(box, title);
    const header = box.parentElement;
    const whole = () => address.getClientRects().length > 0 && address.scrollWidth <= address.clientWidth + 0.5
      && address.scrollHeight <= address.clientHeight + 0.5 && box.offsetHeight <= header.clientHeight + 0.5;
    let shown = !address.textContent || whole();
    if (!shown && address.getClientRects().length) {
      box.classList.add("address-lines");
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
      const wide = () => title.scrollWidth <= title.clientWidth + 0.5;
      shown = shrinkTogether([[address, least(1.2)], [title, rem * 2.2]], () => wide() && whole());
      if (!shown) { // on its line with "…", its name as it was: the running text says it whole
        box.classList.remove("address-lines");
        title.style.fontSize = "";
        address.style.fontSize = "";
        fitName(box, title);
      }
    }
    if (address.getClientRects().length && !whole()) cutAtWord(address, whole);
    if (shown !== addressInHeader) {
      addressInHeader = shown;
      showMarquee();
    }
  }
  function fitName(box, title) {
    if (!title.clientWidth) return; // the connection badge in its place (on its side)
    const wide = () => title.scrollWidth <= title.clientWidth + 0.5;
    // a line's glyphs reach a pixel or two past its line-height of 1.1: not a third line
    const high = () => title.scrollHeight <= title.clientHeight + parseFloat(getComputedStyle(title).fontSize) * 0.2;
    // on its side: its two lines, down to the landscape's smallest size in pixels
    if (matchMedia("(orientation: portrait)").matches) {
      if (!shrink(title, () => wide() && high(), least(1.8))) cutAtWord(title, () => wide() && high());
      return;
    }
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    if (shrink(title, wide, rem * 2.2)) return;
    box.classList.add("two-lines");
    const fits = () => wide() && high();
    if (!shrink(title, fits, Math.max(READABLE_PX, rem * 1.8))) cutAtWord(title, fits);
  }
  // A text the header cannot hold whole ends in "…" after its last whole word that fits, not inside a word: the
  // browser's own cut (text-overflow, line-clamp) put "…" where the letters ran out, and a TV whose connection badge
  // took the name's room (1366x768, offline) read "… Pemerintah Kabupat…". Its words stay the element's text (a span
  // drawn with "…" after it, display.css .cut-shown, and the rest in one not drawn), so what the page compares and
  // refits is the whole name; fitOffice puts it back as one text before each fit. No word fits: the browser's cut.
  // `bare`: with no word that fits, "…" alone (the rest of a name whose identity is shown whole, fitTo).
  function cutAtWord(e, fits, bare) {
    uncut(e);
    const full = e.textContent;
    const shown = el("span", "cut-shown");
    const rest = el("span", "cut-rest");
    const at = (n) => {
      shown.textContent = full.slice(0, n).replace(/[\s,;:.\-\u2013\u2014\u00b7]+$/, "");
      rest.textContent = full.slice(shown.textContent.length);
    };
    const ends = [];
    for (let i = 1; i < full.length; i++) if (/\s/.test(full[i]) && !/\s/.test(full[i - 1])) ends.push(i);
    e.textContent = "";
    e.append(shown, rest);
    let lo = 0;
    let hi = ends.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      at(ends[mid]);
      if (fits()) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best >= 0) at(ends[best]);
    else if (bare) at(0);
    else e.textContent = full;
  }
  // A text cut by cutAtWord made one text again (its words are all in it).
  function uncut(e) {
    if (e && e.childElementCount) e.textContent = e.textContent;
  }

  // -- snapshot and events ----------------------------------------------------------
  // The live client holds the events that come while no snapshot is current, and replays those
  // past the snapshot's seq after it (through onEvent).
  // The office as the admin has it now (a change reaches the TV without a reload): its name and address
  // in the header, the running text when it is the default one that names the office, and the page's
  // words in [office] language when the address names no ?lang=.
  let officeName = null;
  function showOffice(office) {
    if (!office || typeof office.name !== "string" || !office.name) return;
    officeName = office.name;
    const title = document.getElementById("office-name");
    if (title && title.textContent !== office.name) title.textContent = office.name;
    if (typeof office.address === "string") {
      const address = document.getElementById("office-address");
      if (address.textContent !== office.address) address.textContent = office.address;
      address.hidden = !office.address;
    }
    fitOffice();
    if (!config.lang_fixed && config.texts && config.texts[office.language] && office.language !== lang) {
      setLang(office.language);
    }
    showMarquee();
  }
  // Outside the service hours ([hours]: before opening, a lunch break, a day off) the running text says so first,
  // and when the kiosk gives numbers again: the default text's "Silakan ambil nomor antrian di kios" alone sent
  // visitors to a kiosk that gives none. The snapshot's office.open and next_opening, then office_opened /
  // office_closed at the hours' edges.
  let officeOpen = true;
  let nextOpening = null;
  function showHours(office) {
    if (!office || typeof office.open !== "boolean") return; // a server without [hours] fields: open
    officeOpen = office.open;
    nextOpening = typeof office.next_opening === "string" ? office.next_opening : null;
  }
  function closedText() {
    if (officeOpen) return "";
    const at = nextOpening ? new Date(nextOpening) : null;
    if (!at || isNaN(at)) return T.closed;
    const time = timeFmt.format(at) + " " + zoneName(at);
    const sameDay = dateFmt.format(at) === dateFmt.format(officeNow());
    const next = sameDay ? T.closed_today.split("{time}").join(time)
      : T.closed_next.split("{date}").join(dateFmt.format(at)).split("{time}").join(time);
    return T.closed + " " + next;
  }
  // The office's announcement (the admin page's or the front office's Pengumuman), from each snapshot: the running
  // text's first part, marked, in the page's language when it has one in it. Never spoken: the voice is for calls.
  let announcement = null;
  function showAnnouncement(a) {
    announcement = a && typeof a === "object" && (a.text || a.text_en) ? a : null;
    showMarquee();
  }
  function announcementText() {
    if (!announcement) return "";
    const own = lang === "en" ? announcement.text_en || announcement.text : announcement.text || announcement.text_en;
    return (T.announcement || "PENGUMUMAN:") + " " + own;
  }
  let marqueeText = null; // the running text as the page came: ?text= or the default one naming the office
  function showMarquee() {
    const marquee = document.getElementById("marquee-text");
    if (!marquee) return;
    if (marqueeText === null) marqueeText = marquee.textContent;
    let text = marqueeText;
    const closed = closedText();
    // the default text without its "take a number at the kiosk" while the kiosk gives none
    if (config.marquee_follows_office && officeName) {
      text = (closed ? T.marquee_closed : T.marquee).split("{office}").join(officeName);
    }
    if (closed) text = closed + " \u00a0·\u00a0 " + text;
    const address = document.getElementById("office-address");
    if (!addressInHeader && address && !address.hidden && address.textContent) {
      text += " \u00a0·\u00a0 " + address.textContent; // not whole in the header: whole here
    }
    // the announcement first, in a span of its own: a still running text (reduced motion) is fitted to show it whole
    const told = announcementText();
    const shown = marquee.querySelector(".marquee-told");
    if ((shown ? shown.textContent : "") !== told || marquee.textContent !== (told ? told + " \u00a0·\u00a0 " : "") + text) {
      marquee.textContent = told ? "" : text;
      if (told) {
        const span = document.createElement("span");
        span.className = "marquee-told";
        span.textContent = told;
        marquee.appendChild(span);
        marquee.appendChild(document.createTextNode(" \u00a0·\u00a0 " + text));
      }
      sizeMarquee();
    }
  }
  // The page's words in another language, without a reload (a reload would need another tap for sound
  // on a TV box): the template's (data-text, data-text-label), the script's, the date and the clock.
  function setLang(next) {
    lang = next;
    T = config.texts[next];
    document.documentElement.lang = next;
    document.title = T.title + " · " + (officeName || "");
    for (const e of document.querySelectorAll("[data-text]")) e.textContent = T[e.dataset.text];
    for (const e of document.querySelectorAll("[data-text-label]")) {
      e.setAttribute("aria-label", T[e.dataset.textLabel] || config.running_text[next]);
    }
    setFormats();
    setStatus(state.status);
    showClock(officeNow());
    render();
  }

  function onSnapshot(snap) {
    if (Number.isInteger(snap.max_calls) && snap.max_calls > 0) state.maxCalls = snap.max_calls;
    showHours(snap.office);
    showOffice(snap.office);
    showAnnouncement(snap.announcement);
    const prevSeq = state.seq;
    state.seq = snap.seq;
    state.day = snap.day;
    state.services = (snap.services || []).map((s) => ({
      code: s.code, name: s.name, prefix: letter(s), waiting: s.waiting,
    }));
    state.counters = (snap.counters || []).map((c) => ({
      id: c.id,
      name: c.name,
      services: c.services || [],
      ticket: c.ticket && ofToday(c.ticket) ? Object.assign({}, c.ticket) : null,
      paused: c.paused === true, // a server without counter pause sends no such field
    }));
    state.recent = (snap.recent || []).map((r) => Object.assign({}, r));
    setStatus("online");

    if (prevSeq !== null && snap.seq < prevSeq) forgetPlayed(); // a server whose numbering started over
    if (prevSeq !== null) announceMissed(snap.recent || [], prevSeq);
    sayUnsaid();
    announceBySeq.clear();
    render();
    dropStale();
  }

  // Calls made while this display was away, or hidden behind a gap: announce the ones still on
  // their counter and still called (the newest call per ticket only), never one already played. One
  // whose visitor is being served already calls no one: after a long outage the TV chimed (and flashed)
  // for every visitor served meanwhile. The snapshot shows them all, on their tiles and in the latest calls.
  function announceMissed(recent, prevSeq) {
    const seen = new Set();
    const missed = recent.filter((r) => r.seq > prevSeq).sort((a, b) => b.seq - a.seq);
    const items = [];
    for (const r of missed) {
      if (seen.has(r.label)) continue;
      seen.add(r.label);
      const c = counterById(r.counter_id);
      if (!c || !c.ticket || c.ticket.label !== r.label || c.ticket.status !== "called") continue;
      if (!callShown(r.counter_id, r.service)) continue;
      flashCall(r.counter_id, r.seq, r.label); // its tile and its row, as a live call's (render)
      // The event's announcement when it was held, else the snapshot's (a server from before it sends none: the chime)
      const said = announceBySeq.get(r.seq) || (r.announce && typeof r.announce === "object" ? r.announce : null);
      items.push({ seq: r.seq, label: r.label, counter_id: r.counter_id, counter_name: c.name, announce: said });
    }
    items.reverse().forEach(enqueue);
  }

  // The calls the server's absence cut short (cutShort), once the page is current again: each whose ticket is still
  // called at its counter is announced, chime and phrase, in their order (one whose visitor is being served, or
  // called again meanwhile and announced so, is not). Before, such a call counted as announced: a server away for
  // longer than the phrase's tries (a power cut) left the call made as it went chimed and never said, and the TV,
  // back, said nothing of it (tests/test_power_cut.py).
  function sayUnsaid() {
    const items = Array.from(unsaid.values()).sort((a, b) => a.seq - b.seq);
    unsaid.clear();
    for (const item of items) {
      const c = counterById(item.counter_id);
      if (!c || !c.ticket || c.ticket.label !== item.label || c.ticket.status !== "called") continue;
      if (queue.some((q) => q.label === item.label) || (current && current.label === item.label)) continue;
      flashCall(item.counter_id, item.seq, item.label); // its tile and its row, as a live call's
      enqueue(item);
    }
  }

  // An announcement whose words were not heard because the server was out of reach (a part refused or unanswered,
  // and the connection lost while it was said): not counted as played, kept for sayUnsaid.
  function cutShort(item, entry, dropsBefore) {
    if (drops === dropsBefore && state.connected) return;
    const wanted = item.announce && item.announce.audio ? "speech" : "chime";
    if (entry.parts.some((p) => p.kind === wanted && p.ok)) return;
    if (!entry.parts.some((p) => !p.ok && (p.why === "network" || p.why === "timeout"))) return;
    playedSet.delete(item.seq);
    const i = played.lastIndexOf(item.seq);
    if (i >= 0) played.splice(i, 1);
    unsaid.set(item.seq, item);
    if (state.connected && live && live.synced()) {
      setTimeout(() => {
        sayUnsaid(); // back already: its snapshot came
        render();
      }, 0);
    }
  }

  // The next event in order (the live client dropped the older ones and resyncs on a gap).
  function onEvent(ev) {
    state.seq = ev.seq;
    if (ev.type === "settings_changed") {
      // An admin changed services or counters: their names and lists come with a fresh snapshot.
      resyncSoon();
      return;
    }
    apply(ev);
  }

  // A connection may ask for three snapshots, then one per 10 s: an admin saving four sections within seconds
  // had the TV cut off and its address blocked for 10 s. The first save's snapshot comes at once, those of the
  // saves after it together, at most one per SETTINGS_RESYNC_MS (the last one's changes included).
  const SETTINGS_RESYNC_MS = 10000;
  let resyncAt = -Infinity;
  let resyncTimer = null;
  function resyncSoon() {
    const wait = resyncAt + SETTINGS_RESYNC_MS - Date.now();
    if (wait <= 0) {
      resyncAt = Date.now();
      live.resync();
    } else if (resyncTimer === null) {
      resyncTimer = setTimeout(() => {
        resyncTimer = null;
        resyncAt = Date.now();
        live.resync();
      }, wait);
    }
  }

  function hold(ev) {
    if (ev.announce) announceBySeq.set(ev.seq, ev.announce);
  }

  function apply(ev) {
    if (ev.type === "office_opened" || ev.type === "office_closed") {
      showHours(ev.office);
      showMarquee();
    }
    if (PAUSE_TYPES[ev.type] !== undefined) {
      const c = counterById(ev.counter_id);
      if (c) c.paused = PAUSE_TYPES[ev.type];
    }
    if (ev.waiting) {
      for (const s of state.services) if (ev.waiting[s.code] !== undefined) s.waiting = ev.waiting[s.code];
    }
    const t = ev.ticket;
    if (t && t.label) {
      // A counter shows the ticket that is called or serving there; anywhere else it is gone.
      for (const c of state.counters) {
        if (c.ticket && sameTicket(c.ticket, t) && !(ACTIVE.has(t.status) && t.counter_id === c.id)) c.ticket = null;
      }
      if (ACTIVE.has(t.status) && t.counter_id != null && ofToday(t)) {
        const c = counterById(t.counter_id);
        if (c) c.ticket = Object.assign({}, t);
      }
    }
    if (CALL_TYPES.has(ev.type) && t && t.label) {
      const counterId = ev.counter_id != null ? ev.counter_id : t.counter_id;
      const c = counterById(counterId);
      const call = {
        seq: ev.seq, at: ev.at, type: ev.type, label: t.label, service: t.service, counter_id: counterId,
        counter_name: t.counter_name || (c ? c.name : ""), calls: ev.calls != null ? ev.calls : t.calls,
      };
      if (callShown(counterId, t.service)) {
        // only the calls it shows: a TV limited to counters 2 and 3 kept the office's last RECENT_KEPT calls, and
        // after a busy morning at Loket 1 none of its own
        state.recent.unshift(call);
        state.recent.length = Math.min(state.recent.length, RECENT_KEPT);
        flashRecent.clear(); // the newest call's row flashes, the one before it stops
        flashCall(counterId, ev.seq, t.label);
        enqueue({ seq: ev.seq, label: t.label, counter_id: counterId, counter_name: call.counter_name,
          announce: ev.announce || null });
      }
    }
    render();
    dropStale();
  }

  // -- rendering ------------------------------------------------------------------------
  const $counters = document.getElementById("counters");
  const $recent = document.getElementById("recent");
  const $waiting = document.getElementById("waiting");
  const cards = new Map();
  const flashTiles = new Map(); // counter id -> when its tile began to flash
  const flashLabels = new Map(); // counter id -> the ticket whose call its tile flashes
  const flashRecent = new Map(); // seq -> when its row began to flash (a live call, or the calls a snapshot announced)
  let flashTimer = null; // stepFlash's next step, while anything flashes

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // "Panggilan ke-2", "Panggilan ke-3 (terakhir)": a recall, said on its tile and its row ("" for a first call).
  // A ticket on its last chance (skipped and requeued as often as it may be: one more skip is a no-show, the
  // server's `last_chance`) says so while it is called (many visitors have no phone page open to tell them):
  // its row "Kesempatan terakhir", then "Panggilan ke-2 (kesempatan terakhir)"; its tile "Kesempatan terakhir"
  // at every call (`tile`: the tile's room is the number's, and the last chance matters more than its count).
  function nthCall(calls, lastChance, tile) {
    const n = Number(calls);
    if (lastChance && (tile || !Number.isInteger(n) || n < 2)) return T.last_chance;
    if (!Number.isInteger(n) || n < 2) return "";
    const text = lastChance ? T.call_last_chance : n >= state.maxCalls ? T.call_last : T.call_nth;
    return text.split("{n}").join(String(n));
  }
  // A called ticket's last chance (not once it is served, nor a server that sends no such field).
  function lastChance(t) {
    return !!t && t.status === "called" && t.last_chance === true;
  }

  function card(c) {
    let k = cards.get(c.id);
    if (!k) {
      const root = el("article", "counter");
      root.dataset.counter = String(c.id);
      const head = el("div", "counter-head");
      const name = el("div", "counter-name");
      const meta = el("div", "counter-meta");
      const status = el("div", "counter-status");
      head.append(name, status, meta); // stacked, the status follows the name's last word (display.css)
      const ticket = el("div", "ticket");
      const label = el("div", "ticket-label");
      const sub = el("div", "ticket-sub");
      ticket.append(label, sub);
      root.append(head, ticket);
      k = { root, head, name, meta, status, label, sub, fitted: "" };
      cards.set(c.id, k);
    }
    return k;
  }

  let farTried = ""; // what the choice of the far sizes was made for (render), and the choice
  let farKept = false;
  let farNamesLost = ""; // the names (and screen) of which one does not fit on a line at the far size
  let tallLost = ""; // the names and screen of five or six counters on a TV on its side that one column did not hold
  // `on`: "" (one to three counters) or "4" (four: display.css sizes the tiles from their height), false for none.
  function setFar(on) {
    if (on === false) {
      if ("far" in $counters.dataset) delete $counters.dataset.far;
    } else if ($counters.dataset.far !== on) $counters.dataset.far = on;
  }
  // Some tile's name not drawn at its far size (display.css --name-h) on one line beside its number (a long name), or
  // its number under twice its size (a number too wide for its column, made smaller): "name" when a name alone takes
  // two lines at that size (whatever the tiles' tickets), else true; false when none. The tiles are fitted again after.
  function farLost(ks) {
    if (!getComputedStyle($counters).getPropertyValue("--name-h").trim()) return false; // no far sizes tried
    const lost = ks.some((k) => {
      const cs = getComputedStyle(k.name);
      const px = parseFloat(cs.fontSize);
      // (an idle tile's "—" or "ISTIRAHAT" is no number: a counter on a break with no visitor lost no size)
      return k.root.classList.contains("stacked") || k.name.offsetHeight > parseFloat(cs.lineHeight) * 1.5
        || px < k.cssName - 0.5
        || (!k.root.classList.contains("idle") // "A-1000": smaller
          && parseFloat(getComputedStyle(k.label).fontSize) + 0.5 < 2 * px);
    });
    if (!lost) return false;
    const long = ks.some((k) => {
      k.root.classList.remove("stacked", "keyed", "key-only", "name-line");
      k.name.classList.remove("clamped", "narrow");
      k.name.style.fontSize = "";
      return k.name.offsetHeight > parseFloat(getComputedStyle(k.name).lineHeight) * 1.5;
    });
    return long ? "name" : true;
  }

  function render() {
    const shown = state.counters.filter(counterShown);
    const upright = matchMedia("(orientation: portrait)").matches;
    // Five or six counters on a TV on its side: one column of tiles, each name beside its number, at the far sizes of
    // four (display.css data-far="4", from the tiles' height) while every name is drawn so, else at the sizes of
    // before (a long name among them); two columns, as before, only where a tile of one column would be too low for
    // its texts at 24 px or have its name over its number or cut (below). In two columns "Loket 1" was 28 px at
    // 1080x1920 (capitals 1 cm on a 43" TV, read to 2 m): in one, 44 px with six and 53 px with five, 36 px beside
    // names of 38 characters (tests/test_display_many_counters.py).
    const tall = upright && shown.length > 4 && shown.length <= 6;
    // (not the tiles' height, which the choice changes: display.css --tile-rows)
    const tallKey = [innerWidth, innerHeight, document.body.classList.contains("announcing")]
      .concat(shown.map((c) => c.name)).join("|");
    const cols = shown.length > 4 && !(tall && tallKey !== tallLost) ? 2 : 1;
    $counters.style.setProperty("--cols", String(cols));
    $counters.dataset.cols = String(cols); // display.css: a TV on its side stacks a tile's texts in two columns
    const tileRows = String(Math.max(1, Math.ceil(shown.length / cols)));
    $counters.style.setProperty("--rows", tileRows);
    // display.css: on a TV on its side, five rows of tiles and more take more of the screen's height (one column of
    // five or six too: without it, six names were 33 px at 1080x1920, smaller than in two columns)
    if ($counters.parentElement.style.getPropertyValue("--tile-rows") !== tileRows) {
      $counters.parentElement.style.setProperty("--tile-rows", tileRows);
    }
    // Many counters on a small screen (five rows of tiles on a landscape screen smaller than 1366x768, four on one on
    // its side under 1080 px: ten counters at 1024x768 or 1280x720, eight on an upright 768x1366 monitor): display.css
    // .dense gives the tiles the room that their texts at 24 px need, so that no tile is cramped (before, their texts
    // went down to 16 px: fitCard, cramped), the waiting counts by letter; under 1160 px across (1024x768) its side
    // column is narrow (.dense-narrow: the latest calls without their time). 1366x768 holds ten at 24 px as it is.
    const small = upright || innerWidth < 1366 || innerHeight < 768;
    const dense = cols > 1 && small && READABLE_PX > minUnit() * 1.2 && Number(tileRows) >= (upright ? 4 : 5);
    const narrow = dense && !upright && innerWidth < 1160;
    for (const [name, on] of [["dense", dense], ["dense-narrow", narrow]]) {
      if (document.body.classList.contains(name) !== on) document.body.classList.toggle(name, on);
    }
    const keep = new Set();
    shown.forEach((c, i) => {
      const k = card(c);
      keep.add(c.id);
      setName(k.name, c.name);
      k.root.classList.toggle("paused", c.paused);
      k.root.classList.toggle("idle", !c.ticket);
      if (c.ticket) {
        // A ticket at a paused counter stays on show (its visitor is still there); the badge says why.
        setText(k.label, c.ticket.label);
        setMarker(k.sub, c.ticket.status === "called" ? nthCall(c.ticket.calls, lastChance(c.ticket), true) : "");
        k.root.classList.toggle("last-chance", lastChance(c.ticket));
        setText(k.meta, serviceName(c.ticket.service));
        const status = c.paused ? "paused" : c.ticket.status === "serving" ? "serving" : "called";
        setText(k.status, status === "paused" ? T.paused : status === "serving" ? T.serving : T.called);
        k.status.dataset.status = status;
        k.root.dataset.ticket = c.ticket.label;
      } else {
        setText(k.label, c.paused ? T.paused : T.empty);
        setText(k.sub, c.paused ? T.paused_sub : "");
        k.root.classList.remove("last-chance");
        setText(k.meta, "");
        setText(k.status, "");
        delete k.status.dataset.status;
        delete k.root.dataset.ticket;
      }
      if ($counters.children[i] !== k.root) $counters.insertBefore(k.root, $counters.children[i] || null);
    });
    // A counter the admin removed leaves before the tiles are fitted: fitted with its tile still in the grid (five
    // tiles in the rows of four, each lower than it is once that one goes), a TV that stayed open as five counters
    // became four kept its tiles' names over numbers two thirds of their size (57 px where a TV opened then drew
    // 84 at 1366x768), until the next change of the tile (tests/test_tv_admin_day.py).
    for (const [id, k] of cards) {
      if (!keep.has(id)) {
        k.root.remove();
        cards.delete(id);
      }
    }
    // A TV of one to three counters (display.css .counters[data-far], on its side and 4:3 too): each tile's name large
    // enough to be read from 6 m, its number larger. Kept only while every name is drawn so, on one line beside its
    // number; a long name among them ("Loket Konsultasi Penyedia 12", the 100 characters the admin page allows) has the
    // sizes of before for all the tiles, their numbers alike, the long name as large as it was and whole
    // (tests/test_display_counter_distance.py).
    // Not tried again for names of which one took two lines at that size: a long name's TV fits its tiles once a call.
    // Four counters are sized from the tiles' real height (display.css --far-h): a standing announcement's taller
    // running text (reduced motion) leaves them less, and they are fitted again when it comes or goes.
    const areaH = $counters.clientHeight;
    // So are one to three on a TV on its side (display.css), whose announcement's seven lines take more of the height.
    const farH = cols === 1 ? areaH + "px" : "";
    if ($counters.style.getPropertyValue("--far-h") !== farH) {
      if (farH) $counters.style.setProperty("--far-h", farH);
      else $counters.style.removeProperty("--far-h");
    }
    const ks = shown.map((c) => cards.get(c.id));
    const namesKey = [cols, tileRows, innerWidth, innerHeight, areaH].concat(ks.map((k) => k.name.textContent))
      .join("|");
    const farKey = [namesKey].concat(ks.map((k) => [k.meta.textContent, k.sub.textContent, k.status.textContent,
      k.label.textContent].join("\u0001"))).join("|");
    if (farKey !== farTried) {
      farTried = farKey;
      farKept = cols === 1 && namesKey !== farNamesLost;
      setFar(farKept && (Number(tileRows) >= 4 ? "4" : ""));
      if (farKept) {
        for (const k of ks) fitCard(k, cols);
        const lost = farLost(ks);
        if (lost) {
          farKept = false;
          setFar(false);
          if (lost === "name") farNamesLost = namesKey;
        }
      }
    }
    for (const c of shown) fitCard(cards.get(c.id), cols);
    // five or six in one column, a tile too low for its texts at 24 px even so (a long name on a 768x1366 monitor: its
    // status and marker at 17 px), or one whose name goes over its number or is cut (a name of 100 characters, whole in
    // two columns): two columns, until the names or the screen change
    const worse = (k) => ["cramped", "stacked", "keyed"].some((c) => k.root.classList.contains(c))
      || (k.name.classList.contains("clamped") && overflows(k.name));
    if (tall && cols === 1 && ks.some(worse)) {
      tallLost = tallKey;
      render();
      return;
    }
    if (cols > 1) evenTexts(shown.map((c) => cards.get(c.id)));
    for (const c of shown) cutName(cards.get(c.id));
    showCalling(); // off a tile whose called ticket has left it (finished, skipped, transferred, the next one called)

    renderWaiting(); // first: its height (a long service name may take a third line) is the latest calls' room

    $recent.textContent = "";
    const labels = new Set();
    const rows = [];
    let ended = false; // a flash ended here: its call's ticket left its counter (endLeftFlash)
    for (const r of state.recent) {
      if (rows.length >= RECENT_SHOWN * 2) break; // the RECENT_SHOWN newest, and older ones for a panel short of room
      if (labels.has(r.label) || !callShown(r.counter_id, r.service)) continue;
      labels.add(r.label);
      rows.push(r);
    }
    if (!rows.length) $recent.append(el("li", "none", T.no_calls));
    rows.forEach((r, i) => {
      const li = el("li");
      li.dataset.seq = String(r.seq);
      const c = counterById(r.counter_id);
      if (!(c && c.ticket && sameTicket(c.ticket, r))) li.dataset.over = ""; // left its counter since (skipped, done)
      else if (c.ticket.status === "called") li.dataset.waiting = ""; // its visitor not at the counter yet (makeRoom)
      const to = el("span", "to");
      setTo(to, r.counter_name || (counterById(r.counter_id) || {}).name || "");
      li.append(el("span", "label", r.label), to, el("span", "time", clockTime(r.at)));
      // its last chance is said while the ticket is called at its counter (the row's call is its newest)
      const last = li.dataset.over === undefined && lastChance(c.ticket);
      // a call over (its ticket skipped or finished) no longer calls anyone: its number and counter stay, its "Panggilan
      // ke-3 (terakhir)" goes (before, a row twice as tall for a call that no longer mattered, taking an older call's room);
      // so does a call answered, its visitor being served there (as on its tile: "the last call" to someone at the counter
      // sent nobody anywhere, and on a 1366x768 TV with ten long counter names it left the panel two rows)
      const nth = li.dataset.over === undefined && c.ticket.status === "called" ? nthCall(r.calls, last) : "";
      const k = cards.get(r.counter_id);
      // On a TV on its side a service its tile leaves out (a counter's long name took its room) is in no waiting
      // count either (by letter there): said here, under the counter, while its ticket is at the counter. Not among
      // many counters (two columns of tiles), where every tile's service gives way and the latest calls keep their
      // rows (tests/test_display_many_counters.py).
      const svc = upright && cols === 1 && li.dataset.over === undefined && k && k.root.classList.contains("no-meta");
      if (svc) li.append(el("span", "svc", serviceName(r.service)));
      if (nth) li.append(el("span", "nth", nth)); // under the counter and the time
      if (last) li.classList.add("last-chance");
      // a recall its tile leaves out: said only here
      if (nth && k && k.root.classList.contains("no-sub") && li.dataset.over === undefined) li.dataset.only = "";
      if (li.dataset.over !== undefined && flashRecent.delete(r.seq)) ended = true; // its ticket left: endLeftFlash
      if (flashRecent.has(r.seq)) drawFlash(li, flashRecent.get(r.seq), Date.now()); // in step, never restarted
      $recent.append(li);
    });
    endLeftFlash(shown, ended);
    // A name that does not fit even at its smallest on three lines (.clamped), or the rest of one cut to the line of
    // its identity (.keyed), ends in "…" after its last whole word that fits (cutAtWord, as the office's name in the
    // header): the browser's own cut (line-clamp, text-overflow) put "…" where the letters ran out, inside a word.
    // The rest of a name with an identity is what is cut, its identity whole ("→ Layanan Registrasi… - Loket 5"),
    // and a number that ends a name stays after its cut ("→ Loket Pelayanan Pengadaan… 10", setTo).
    // A short name that wraps onto a second line in its column ("→ Meja / 3A" in the newest row at 1920x1200, where
    // the rows' sizes follow the screen's height and the column its width: 323 px of its 268) is drawn on one line, a
    // little smaller: down to 0.8 of its size (45.6 px there; a TV of 16:9 draws it at 51), never under 1.6 units; a
    // name that needs two lines even so keeps its size (tests/test_display_counter_distance.py).
    const oneLineName = (to) => {
      if (to.classList.contains("keyed") || to.classList.contains("one-line") || to.style.fontSize) return;
      const lines = () => to.getBoundingClientRect().height / (parseFloat(getComputedStyle(to).fontSize) * 1.2);
      if (lines() < 1.5) return;
      const px = parseFloat(getComputedStyle(to).fontSize);
      if (!shrink(to, () => lines() < 1.5 && !overflows(to), Math.max(least(1.6), px * 0.8))) to.style.fontSize = "";
    };
    const fitTo = (to) => {
      const part = to.querySelector(".name-rest") || to.querySelector(".name-text");
      uncut(part);
      oneLineName(to);
      if (overflows(to)) to.classList.toggle("clamped", !shrink(to, () => !overflows(to), least(1.6)));
      const keyed = to.classList.contains("keyed"); // its rest a box of its own on the identity's line
      const fits = () => !overflows(to) && !(keyed && overflows(part));
      to.classList.remove("key-only");
      if (part && !fits()) cutAtWord(part, fits, keyed);
      // no room for even "…" after the identity and its dash: the identity alone, "→ Loket 4 …" (display.css), not
      // "→ Loket 4 – ." (a narrow side column: many counters on a small screen)
      if (keyed && !fits()) to.classList.add("key-only");
    };
    $recent.querySelectorAll(".to").forEach(fitTo);
    // Fewer than RECENT_WANTED rows in the panel (ten counters named with 100 characters, on a TV on its side: one
    // row, the newest, a long name's recall on four lines): a name with a short identity ("Loket 10 - Layanan …",
    // nameParts) keeps it whole and its rest is cut to the same line with "…", as on its tile, so that a visitor
    // who looks up sees the last calls; the tile names it whole (or as far as it can).
    const panel = $recent.parentElement;
    const bottom = (e) => e.getBoundingClientRect().bottom;
    const shows = (n) => bottom($recent.children[Math.min(n, $recent.children.length) - 1]) <= bottom(panel) - 4;
    // A narrow side column (.dense-narrow), always: "→ Loket 8 …" on one line, as on its tile, not three lines ending
    // "Verifikasi…" that took an older call's room.
    if (narrow || !shows(RECENT_WANTED)) {
      for (const to of $recent.querySelectorAll(".to[data-key]")) {
        to.classList.remove("clamped");
        to.classList.add("keyed");
        fitTo(to);
      }
    }
    // There (1024x768), the newest call's long name cut so ("→ Loket 8 …", its tile too: no room for its rest at 24 px)
    // was whole nowhere on the screen, and a visitor told "loket delapan" could not tell which counter that was: its
    // rest is on a line (or two) of its own under "→ Loket 8", whole, in condensed letters at 24 px (display.css
    // .spelled), its recall's "Panggilan ke-2" under it.
    const newest = narrow && $recent.firstElementChild;
    const spell = newest && newest.querySelector(".to.keyed");
    if (spell && (spell.classList.contains("key-only") || spell.querySelector(".cut-shown"))) {
      uncut(spell.querySelector(".name-rest"));
      spell.classList.remove("keyed", "key-only", "clamped");
      spell.style.fontSize = "";
      newest.classList.add("spelled");
    }
    // On a TV on its side, where the newest call's name is cut in its row and on its tile too (ten counters, names of
    // 100 characters, the waiting counts over a hundred each: the latest calls short of room), its row says it whole
    // (display.css .upright-spelled): its number, "→ Loket 5" at the row's size and the rest of the name after it in
    // condensed letters at 24 px, running on under the number across the row, its time at the right of the first
    // line; then its "Panggilan ke-2", at the right of the last line where it has room. The older rows keep their
    // identity with the rest cut to its line (.keyed) when that leaves them room. Before, a name of 100 characters read
    // "Loket 5 …" on its tile and "→ Loket 5 – Registrasi &…" in its row, whole nowhere
    // (tests/test_display_upright_names.py). Not when the panel would then show fewer rows than it did, and fewer than
    // three (tests/test_display_counter_identity.py), or two on a small monitor on its side (768x1366: body.dense,
    // where the name whole takes the third row's room): the rows stay as they were.
    const top = upright && !narrow && $recent.firstElementChild;
    const to = top && top.querySelector(".to");
    const tile0 = top && rows.length ? cards.get(rows[0].counter_id) : null;
    const rowCut = (t) => t.classList.contains("key-only") || !!t.querySelector(".cut-shown") || overflows(t);
    const tileCut = (k) => !k || k.root.classList.contains("key-only") || !!k.name.querySelector(".cut-shown")
      || overflows(k.name);
    // how many rows the panel shows: the newest, and the others that fit under it, the shortest first (those kept
    // below take the room in turn)
    const kept = () => {
      let room = bottom(panel) - 4 - bottom(top);
      const heights = [...$recent.children].slice(1).map((li) => li.getBoundingClientRect().height);
      heights.sort((x, y) => x - y);
      let n = room >= 0 ? 1 : 0;
      for (const h of heights) {
        if (n >= RECENT_SHOWN || h > room) break;
        room -= h;
        n += 1;
      }
      return n;
    };
    if (to && rowCut(to) && tileCut(tile0)) {
      const need = Math.max(1, Math.min(kept(), dense ? RECENT_WANTED : 3)); // and the row itself, whole
      const was = [to.className, to.style.fontSize];
      const time = top.querySelector(".time");
      uncut(to.querySelector(".name-rest") || to.querySelector(".name-text"));
      to.classList.remove("keyed", "key-only", "clamped");
      to.style.fontSize = "";
      top.style.setProperty("--key-px", getComputedStyle(to).fontSize); // "→ Loket 5" at the row's size
      top.classList.add("upright-spelled");
      top.insertBefore(time, top.firstChild); // floated right, on the first line
      // its baseline on the number's, 0.92 of the row's size under the line's top (a line 1.15 high, DejaVu Sans 0.93 em
      // over the baseline and 0.24 under), its box no lower than that line, so that the next one has the row's width
      const rowPx = parseFloat(getComputedStyle(top).fontSize);
      const timePx = parseFloat(getComputedStyle(time).fontSize);
      time.style.lineHeight = (timePx * 1.2).toFixed(1) + "px";
      time.style.paddingTop = Math.max(0, 0.921 * rowPx - 0.946 * timePx).toFixed(1) + "px";
      const keyed = [];
      if (kept() < need) {
        for (const t of $recent.querySelectorAll("li:not(.upright-spelled) .to[data-key]:not(.keyed)")) {
          t.classList.remove("clamped");
          t.classList.add("keyed");
          fitTo(t);
          keyed.push(t);
        }
      }
      if (kept() < need || overflows(top)) { // the rows as they were
        top.classList.remove("upright-spelled");
        top.style.removeProperty("--key-px");
        top.insertBefore(time, to.nextSibling);
        time.style.lineHeight = "";
        time.style.paddingTop = "";
        to.className = was[0];
        to.style.fontSize = was[1];
        fitTo(to);
        for (const t of keyed) {
          t.classList.remove("keyed");
          fitTo(t);
        }
      }
    }
    // a service's name: on two lines, as large as fits down to 1.2 units (its size on a tile), and no larger than its
    // row's counter (fitted above): under a counter's name cut to "Loket 3 …" at 24 px (768x1366) it was drawn at 31 px,
    // the larger text of the row (tests/test_display_readability.py)
    for (const svc of $recent.querySelectorAll(".svc")) {
      const to = parseFloat(getComputedStyle(svc.parentElement.querySelector(".to")).fontSize);
      if (parseFloat(getComputedStyle(svc).fontSize) > to) svc.style.fontSize = to.toFixed(1) + "px";
      if (overflows(svc)) svc.classList.toggle("clamped", !shrink(svc, () => !overflows(svc), least(1.2), false));
    }
    // Only whole rows: when the panel has no room for all, the newest call keeps its row and the others
    // take the room left in turn, each where it fits (a shorter, older row may fit where a longer one did
    // not): first a recall whose tile had no room for its "Panggilan ke-2" (data-only: said nowhere
    // else), then the calls still at their counters, then those over (skipped or finished), newest first; then
    // the same among the RECENT_SHOWN older calls, so that calls over (which cannot go under the older ones kept)
    // leave no empty room under the rows: before, the newest call and one still at its counter were shown, and
    // nothing under them, the other calls of the five being over.
    const room = () => bottom($recent.lastElementChild) <= bottom(panel) - 4;
    // A row short of room by the second line of its counter's name ("→ Meja / Informasi", a short name wrapped at the
    // row's size) takes it smaller, down to the least a name has there (fitTo, 1.6 units), before it gives way: at
    // 1920x1080, a fourth service in the waiting counts left a call still at its counter out of the panel, and as much
    // empty room under the rows as it needed (tests/test_tv_admin_day.py). A name cut already (its "…" placed at its
    // size) or cut to its identity's line keeps its size.
    const smaller = (li) => {
      const to = li.querySelector(".to");
      if (!to || to.classList.contains("keyed") || to.classList.contains("clamped") || to.querySelector(".cut-shown")) {
        return false;
      }
      // a name on one line: smaller, its row is no lower (the number sets its height)
      if (to.getBoundingClientRect().height < parseFloat(getComputedStyle(to).fontSize) * 1.2 * 1.5) return false;
      const was = to.style.fontSize;
      if (shrink(to, () => room() && !overflows(to), least(1.6), false)) return true;
      to.style.fontSize = was;
      return false;
    };
    // A row's counter on one line: a name with a short identity keeps it whole and its rest is cut on that line
    // (.keyed, "→ Loket 2 – Registrasi…"), one without is smaller (down to 1.6 units), then cut after its last whole
    // word that fits (.one-line, "→ Meja Konsultasi…"); its tile names it whole. Not the newest call's name said whole
    // under it (.spelled, .upright-spelled). Whether it was on more than one line.
    const oneLine = (li) => {
      const to = li.querySelector(".to");
      if (!to || li.classList.contains("spelled") || li.classList.contains("upright-spelled")) return false;
      if (to.classList.contains("keyed") || to.classList.contains("one-line")) return false;
      const lines = to.getBoundingClientRect().height / (parseFloat(getComputedStyle(to).fontSize) * 1.2);
      if (lines < 1.5) return false;
      uncut(to.querySelector(".name-rest") || to.querySelector(".name-text"));
      to.classList.remove("clamped");
      to.classList.add(to.dataset.key ? "keyed" : "one-line");
      fitTo(to);
      return true;
    };
    // A call still waiting at its counter (its visitor not there yet) with no room for its row: its counter's name on
    // one line, then the names of the rows over it on one line each, the oldest first, then the rows' recall lines and
    // services at 24 px, then (on a TV on its side) the services said under the rows; only a row that has no room even
    // so gives way, the other rows as they were (and no older call goes under its place: render). Before, a row on
    // three lines (a counter named with 40 characters over its "Panggilan ke-2") gave way to an older or a shorter
    // call, or the panel kept one row and empty room under it, while the call still waited for its visitor
    // (tests/test_display_upright_names.py).
    const makeRoom = (li) => {
      const undo = []; // what was changed, as it was
      const line = (e) => {
        const to = e.querySelector(".to");
        const was = to.cloneNode(true);
        if (!oneLine(e)) return false;
        undo.push(() => to.replaceWith(was));
        return room();
      };
      // on a TV on its side, a row's service (its tile left it out): its visitor chose it at the kiosk, and the ticket's
      // letter says it; the number and the counter matter more to the room
      const unsaid = (e) => {
        const svc = e.querySelector(".svc");
        if (!svc) return false;
        const next = svc.nextSibling;
        svc.remove();
        undo.push(() => e.insertBefore(svc, next));
        return room();
      };
      // a row's recall line ("Panggilan ke-2") and its service at 1.2 units (24 px: their size on a tile), not the
      // row's 1.6rem (43 px at 1080x1920): on a TV on its side with three counters, two recalls' lines left the third
      // call, still waiting, 3 px short of the panel, and it was not listed (nor its service, which its tile left out)
      const lower = (e) => {
        const parts = [...e.querySelectorAll(".nth, .svc")]
          .filter((x) => parseFloat(getComputedStyle(x).fontSize) > least(1.2) + 0.5);
        if (!parts.length) return false;
        for (const x of parts) {
          const was = x.style.fontSize;
          x.style.fontSize = least(1.2).toFixed(1) + "px";
          undo.push(() => {
            x.style.fontSize = was;
          });
        }
        return room();
      };
      const rows = [li, ...[...$recent.children].filter((e) => e !== li).reverse()];
      if (rows.some(line) || rows.some(lower) || rows.some(unsaid)) return true;
      for (const back of undo.reverse()) back();
      return false;
    };
    const all = [...$recent.children];
    for (const li of all.slice(RECENT_SHOWN)) li.remove();
    if ($recent.children.length > 1 && !room()) {
      // a call over (skipped, finished) 0, its visitor being served 1, waiting at its counter 2, and a recall its tile
      // leaves out (said only here) 3
      const rank = (li) =>
        li.dataset.over !== undefined ? 0 : li.dataset.only !== undefined ? 3 : li.dataset.waiting !== undefined ? 2 : 1;
      const byRank = (a, b) => rank(b) - rank(a) || all.indexOf(a) - all.indexOf(b);
      const order = [...all.slice(1, RECENT_SHOWN).sort(byRank), ...all.slice(RECENT_SHOWN).sort(byRank)];
      for (const li of order) li.remove();
      // the newest call still waiting left out: no older row goes under its place (a visitor who finds the list going on
      // past their number takes it that they were not called), but for a second row
      let left = Infinity;
      for (const li of order) {
        if ($recent.children.length >= RECENT_SHOWN) break;
        if (all.indexOf(li) > left && $recent.children.length >= RECENT_WANTED) continue;
        $recent.insertBefore(li, all.slice(all.indexOf(li) + 1).find((next) => next.isConnected) || null);
        if (room() || smaller(li)) continue;
        const waiting = rank(li) >= 2 && all.indexOf(li) < RECENT_SHOWN;
        if (waiting && makeRoom(li)) continue;
        li.remove();
        if (waiting) left = Math.min(left, all.indexOf(li));
      }
    }
  }

  // How many wait per service: a row per service, kept (an event changes its count), its name fitted
  // again only when the name, the count's width or the screen changed.
  const waitingRows = new Map(); // service code -> {li, name, count, shown, fitted}
  function renderWaiting() {
    const shown = state.services.filter((s) => serviceShown(s.code));
    shown.forEach((s, i) => {
      let row = waitingRows.get(s.code);
      if (!row) {
        const li = el("li");
        li.dataset.service = s.code;
        row = { li, code: el("span", "code"), name: el("span", "name"), count: el("span", "count"), shown: null,
          fitted: "" };
        li.append(row.code, row.name, row.count);
        waitingRows.set(s.code, row);
      }
      setText(row.code, s.prefix);
      setText(row.name, s.name);
      const n = s.waiting == null ? "–" : String(s.waiting);
      const unit = s.waiting === 1 ? T.person : T.people; // "1 person", "2 people"; "orang" for both
      if (row.shown !== `${n} ${unit}`) {
        fill(row.count, n, el("span", "unit", unit)); // the unit follows a language changed live too
        row.shown = `${n} ${unit}`;
      }
      if ($waiting.children[i] !== row.li) $waiting.insertBefore(row.li, $waiting.children[i] || null);
    });
    const keep = new Set(shown.map((s) => s.code));
    for (const [code, row] of waitingRows) {
      if (!keep.has(code)) {
        row.li.remove();
        waitingRows.delete(code);
      }
    }
    for (const s of shown) fitServiceName(waitingRows.get(s.code));
    fitWaiting();
  }
  // On a TV on its side the counts stand by letter, side by side: three services of three digits each ("C 100
  // people") took a second line on a 768x1366 monitor, some 60 px of the latest calls' room. Counts that take fewer
  // lines drawn closer (display.css .waiting.tight: condensed letters, the unit 24 px or more) are drawn so.
  let waitingFitted = "";
  function fitWaiting() {
    const upright = matchMedia("(orientation: portrait)").matches;
    const key = [$waiting.textContent, innerWidth, innerHeight, upright, document.body.classList.contains("dense")];
    if (waitingFitted === key.join("|")) return;
    waitingFitted = key.join("|");
    const lines = () => new Set([...$waiting.children].map((li) => Math.round(li.getBoundingClientRect().top))).size;
    $waiting.classList.remove("tight");
    if (!upright || $waiting.children.length < 2) return;
    const loose = lines();
    if (loose < 2) return;
    $waiting.classList.add("tight");
    if (lines() >= loose) $waiting.classList.remove("tight");
  }

  // A service's name in the waiting list, whole: as large as fits on two lines (display.css, 1.6rem),
  // down to 1.4 units; a longer one takes a third line, then a fourth (the row grows, the columns stay),
  // each as large as fits down to 1.2 units, the smallest a service's name is on a tile (never under READABLE_PX).
  // Only a name that does not fit even then is cut, with "…": the 100 characters the settings allow fit in three
  // or four, but at 24 px on a 1366x768 TV (a fifth line took the latest calls' second row: they keep it).
  function fitServiceName(row) {
    const e = row.name;
    const key = [e.textContent, row.shown, innerWidth, innerHeight, document.body.classList.contains("dense")].join("|");
    if (row.fitted === key) return;
    row.fitted = key;
    const fits = () => !overflows(e);
    e.classList.remove("clamped");
    for (const lines of [2, 3, 4]) {
      e.dataset.lines = String(lines);
      if (shrink(e, fits, least(lines === 2 ? 1.4 : 1.2))) return;
    }
    e.classList.add("clamped");
  }

  function setText(e, text) {
    if (e.textContent !== text) e.textContent = text;
  }
  // A counter's name in its parts: its short identity ("Loket 3", .name-key), the separator and the rest, so that
  // when a long name must be cut (ten counters with names of 100 characters) the identity stays whole and the
  // rest is cut (fitTexts, display.css .keyed). The identity begins the name ("Loket 3 – Layanan …", "Loket 3:
  // …", "Loket 3 Layanan …"), or ends it after a dash ("Layanan … – Loket 3"), up to 24 characters; a name with
  // none is one text, as before. Its text is the name's, whole, whatever is shown.
  const KEY_MAX = 24;
  const KEY_FIRST = /^(.+?)(\s[-\u2013\u2014|]\s|[:,]\s)(.*\S.*)$/;
  const KEY_NUMBERED = /^(\S+\s\d+[A-Za-z]?)(\s)(.*\S.*)$/;
  const KEY_LAST = /^(.*\S)(\s[-\u2013\u2014|]\s)(.+)$/;
  function nameParts(name) {
    const text = name.trim();
    if (text !== name || text.length <= KEY_MAX) return null;
    let m = KEY_FIRST.exec(text);
    if (!m || m[1].length > KEY_MAX) m = KEY_NUMBERED.exec(text);
    if (m && m[1].length <= KEY_MAX) return { key: m[1], sep: m[2], rest: m[3], end: false };
    m = KEY_LAST.exec(text);
    if (m && m[3].length <= KEY_MAX && /\d/.test(m[3])) return { key: m[3], sep: m[2], rest: m[1], end: true };
    return null;
  }
  // A name ending with a number ("Loket Pelayanan Pengadaan Elektronik 10"): [, its words, " 10"], else null.
  function numbered(name) {
    return /^(.*\S)(\s+\d{1,3}[A-Za-z]?)$/.exec(name);
  }
  // A latest call's counter, "→ Loket 3 - Layanan …", in the name's parts when it has a short identity: a panel
  // short of room (render) keeps the identity whole and cuts the rest (display.css .recent .to.keyed), the identity
  // first on that line also for a name that ends with it. Its text is the arrow and the whole name.
  function setTo(e, name) {
    const p = nameParts(name);
    e.append(el("span", "arrow", "\u2192\u00a0"));
    if (!p) {
      // its own element, cut after a whole word (fitTo); a number ending it ("Loket Pelayanan Pengadaan Elektronik
      // 10") stays after the cut, "Loket Pelayanan Pengadaan… 10": cut with it, ten such rows all read "Loket
      // Pelayanan Pengadaan…", and none said which counter
      const m = numbered(name);
      if (m) e.append(el("span", "name-text", m[1]), el("span", "name-num", m[2]));
      else e.append(el("span", "name-text", name));
      return;
    }
    const key = el("span", "name-key", p.key);
    const sep = el("span", "name-sep", p.sep);
    const rest = el("span", "name-rest", p.rest);
    if (p.end) e.append(rest, sep, key);
    else e.append(key, sep, rest);
    e.dataset.key = p.end ? "end" : "start";
  }
  function setName(e, name) {
    if (e.textContent === name) return;
    const p = nameParts(name);
    if (!p) {
      const m = numbered(name); // a number ending it stays after a cut (cutName), as in the latest calls
      if (m) fill(e, el("span", "name-text", m[1]), el("span", "name-num", m[2]));
      else e.textContent = name;
      delete e.dataset.key;
      return;
    }
    const key = el("span", "name-key", p.key);
    const sep = el("span", "name-sep", p.sep);
    const rest = el("span", "name-rest", p.rest);
    if (p.end) fill(e, rest, sep, key);
    else fill(e, key, sep, rest);
    e.dataset.key = p.end ? "end" : "start";
  }
  // A recall's marker on its tile: on two lines it breaks before its "(terakhir)" only, never inside
  // "Panggilan ke-3" (display.css: its parts do not wrap); "Kesempatan terakhir" between its words.
  function setMarker(e, text) {
    if (e.textContent === text) return;
    const parts = !text ? [] : text === T.last_chance ? text.split(" ") : text.split(/ (?=\()/);
    fill(e);
    parts.forEach((part, i) => {
      if (i) e.append(" ");
      e.append(el("span", "", part));
    });
  }
  // What replaceChildren() does (Chromium 86: a TV box's WebView may be older, docs/display.md "Browsers").
  function fill(e, ...nodes) {
    e.textContent = "";
    e.append(...nodes);
  }

  // Shrink a text until it fits its box (its CSS size is the largest): a counter name may take three
  // lines (its tile permitting) and is cut, with an ellipsis, only when even the smallest size does not fit.
  function overflows(e) {
    return e.scrollWidth > e.clientWidth + 0.5 || e.scrollHeight > e.clientHeight + 0.5;
  }
  // The unit of the smallest sizes: the root size of a landscape screen (display.css: its height / 54),
  // so a TV on its side (whose root size follows its width) keeps the same smallest texts in pixels.
  function minUnit() {
    return Math.min(innerWidth, innerHeight) / 54;
  }
  // The smallest size of a text: `units` of minUnit, and never under READABLE_PX (but on a tile too cramped for its
  // texts at 24 px: fitCard, floorPx).
  let floorPx = READABLE_PX;
  function least(units) {
    return Math.max(floorPx, minUnit() * units);
  }
  function shrink(e, fits, minPx, fromCss = true) {
    if (fromCss) e.style.fontSize = "";
    let size = parseFloat(getComputedStyle(e).fontSize);
    while (!fits() && size > minPx) {
      size = Math.max(minPx, size * 0.93);
      e.style.fontSize = size.toFixed(1) + "px";
    }
    return fits();
  }
  // Make several texts smaller together, each by the same step down to its own smallest size, until
  // `fits` (items: [element, smallest px]).
  function shrinkTogether(items, fits) {
    const sizes = items.map(([e]) => parseFloat(getComputedStyle(e).fontSize));
    while (!fits()) {
      let moved = false;
      items.forEach(([e, minPx], i) => {
        if (sizes[i] <= minPx) return;
        sizes[i] = Math.max(minPx, sizes[i] * 0.93);
        e.style.fontSize = sizes[i].toFixed(1) + "px";
        moved = true;
      });
      if (!moved) break;
    }
    return fits();
  }
  // A tile's texts, whole, the number the largest: the name and the service get smaller (down to 1.4
  // and 1.2 units) before anything else. Beside the number (one column of tiles) a name that still
  // does not fit takes a fourth line, the service giving way; one that needs more than that, and every
  // tile of two columns, is .stacked: name and service across the tile, the number under them, which
  // gets smaller (down to 70 % of its size, then to 2 units) only when the texts above it are at
  // their smallest.
  function fitCard(k, cols) {
    const key = [k.name.textContent, k.meta.textContent, k.status.textContent, k.label.textContent, k.sub.textContent,
      innerWidth, innerHeight, cols, $counters.style.getPropertyValue("--rows"),
      "far" in $counters.dataset ? "far" + $counters.dataset.far : "", $counters.clientHeight].join("|");
    if (k.fitted === key) return;
    k.fitted = key;
    uncut(cutPart(k)); // fitted whole, cut after (cutName)
    k.cut = "";
    k.root.classList.remove("cramped");
    fitTexts(k, cols);
    // A tile whose name has no short identity and leaves its texts no room at 24 px (a counter named "Meja Konsultasi
    // Pengadaan Barang dan Jas" on a 768x1366 monitor, four or ten counters) is fitted again with its name giving way
    // first: on fewer lines beside its number, or on one line with its status over it, cut after a whole word
    // (cutName); the number keeps its size, the status and "Panggilan ke-2" 24 px. Before, the whole tile took the
    // cramped sizes below: "DIPANGGIL" and "Panggilan ke-2" at 17 px (tests/test_display_upright_names.py).
    if (READABLE_PX > minUnit() * 1.2 && cramped(k) && !k.name.dataset.key) fitTexts(k, cols, true);
    // A tile too low or too narrow for its texts at 24 px (ten counters on a 1024x768 monitor or at 1280x720, eight
    // on a monitor on its side, before their layout of their own, render: body.dense): at 24 px its recall's "Panggilan ke-2" was on neither it nor its row, or its number
    // was down to 2 units, or "Loket 10 DIPANGGIL" took two lines and the number's row was gone. Fitted again with
    // its texts down to 1.2 units, as before the floor: what a visitor must not lose comes first (the number large,
    // "Loket N", the marker, the status), their size after. tests/test_display_many_counters.py.
    if (READABLE_PX > minUnit() * 1.2 && cramped(k)) {
      floorPx = 0;
      k.root.classList.add("cramped"); // display.css: the texts' sizes without the floor
      try {
        fitTexts(k, cols);
      } finally {
        floorPx = READABLE_PX;
      }
    }
    if (k.sub.textContent && !k.root.classList.contains("idle")) {
      const half = parseFloat(getComputedStyle(k.label).fontSize) / 2;
      if (parseFloat(getComputedStyle(k.sub).fontSize) > half) k.sub.style.fontSize = half.toFixed(1) + "px";
    }
    k.fit = { name: parseFloat(getComputedStyle(k.name).fontSize), meta: parseFloat(getComputedStyle(k.meta).fontSize) };
  }
  // A tile of two columns whose fit at 24 px lost what a visitor must not: its recall's marker (not on it), its
  // number's size (under 3 units) or room (a text past its box, the number past its row).
  function cramped(k) {
    if (!k.root.classList.contains("stacked") || k.root.classList.contains("idle")) return false;
    const ticket = k.label.parentElement;
    return (!!k.sub.textContent && k.root.classList.contains("no-sub"))
      || parseFloat(getComputedStyle(k.label).fontSize) < minUnit() * 3 - 0.5
      || (overflows(k.name) && !k.root.classList.contains("name-line")) // cut after a whole word there (cutName)
      || overflows(k.meta) || overflows(k.head) || k.label.offsetHeight > ticket.clientHeight + 0.5;
  }
  // A tile's name cut by its last resort (fitTexts: .clamped on its lines, or the rest of a name under its identity,
  // .keyed) ends in "…" after its last whole word that fits, as the latest calls' names and the office's do
  // (cutAtWord): the browser's line-clamp read "Layanan Verifikasi Berkas Penyedi…" across the room. Once its fit
  // (and its size among the tiles, evenTexts) is known; the name's text stays whole.
  // A number ending the name stays after the cut ("Loket Layanan Pengadaan Secara… 10", setName): cut without it, an
  // admin's longer name for Loket 10 read "Loket Layanan Pengadaan Secara…" and said no counter.
  function cutName(k) {
    const keyed = k.root.classList.contains("keyed");
    const box = keyed ? (k.root.classList.contains("key-only") ? null : k.name.querySelector(".name-rest"))
      : k.name.classList.contains("clamped") && !k.name.dataset.key ? k.name : null;
    const key = [k.fitted, k.name.style.fontSize, !!box].join("|");
    if (!box || k.cut === key) return;
    k.cut = key;
    const e = cutPart(k);
    uncut(e);
    const fits = () => box.scrollHeight <= box.clientHeight + 0.5 && box.scrollWidth <= box.clientWidth + 0.5;
    if (!fits()) cutAtWord(e, fits, keyed);
  }
  // What of a tile's name a cut shortens: the rest of one with an identity, the words before a number ending it, or
  // the whole name.
  function cutPart(k) {
    return k.name.dataset.key ? k.name.querySelector(".name-rest") : k.name.querySelector(".name-text") || k.name;
  }
  // Two columns of tiles: their names, and their services, all at one size (the smallest one of them
  // needed), so the tiles read alike. Not a tile whose long name left its service out: its name is
  // smaller than the rest need be.
  function evenTexts(ks) {
    const alike = ks.filter((k) => k.root.classList.contains("stacked") && !k.root.classList.contains("no-meta"));
    const smallest = (sizes) => (sizes.length ? Math.min(...sizes) : 0);
    const name = smallest(alike.map((k) => k.fit.name));
    const meta = smallest(alike.filter((k) => k.meta.textContent).map((k) => k.fit.meta));
    for (const k of alike) {
      k.name.style.fontSize = name.toFixed(1) + "px";
      if (meta) k.meta.style.fontSize = meta.toFixed(1) + "px";
    }
  }
  // `gives`: the name gives way first (fitCard: a tile that has no room for its texts at 24 px).
  function fitTexts(k, cols, gives) {
    const unit = minUnit();
    // A recall's "Panggilan ke-2" under the number gets smaller with the texts above it (down to 1.2 units,
    // never more than half the number's size). On a low tile (many counters) it goes beside the number
    // (.sub-beside), the service giving way to it if need be; it gives way itself (.no-sub: its row in the
    // latest calls says it too) only where neither fits with the number at its least (the longest names).
    const recall = !k.root.classList.contains("idle") && k.sub.textContent ? [[k.sub, least(1.2)]] : [];
    const head = [[k.name, least(1.4)], [k.meta, least(1.2)]];
    const labelWide = () => k.label.scrollWidth <= k.label.clientWidth + 0.5;
    const reset = (stacked) => {
      k.root.classList.toggle("stacked", stacked);
      k.root.classList.remove("no-meta", "no-sub", "sub-beside", "sub-wide", "sub-loose", "keyed", "key-only",
        "name-line");
      k.name.classList.remove("clamped", "narrow");
      k.name.style.removeProperty("--name-lines");
      for (const e of [k.name, k.meta, k.label, k.sub]) e.style.fontSize = "";
      k.sub.style.marginRight = "";
    };
    let nameCut = false; // the name giving way: cut to its lines after a whole word (cutName), not whole
    const texts = () => (nameCut || !overflows(k.name)) && !overflows(k.meta);
    // The height the number takes with what is under or beside it ("On break", a recall's line).
    const below = () => {
      if (!k.sub.textContent || k.root.classList.contains("no-sub")) return k.label.offsetHeight;
      const a = k.label.getBoundingClientRect(), b = k.sub.getBoundingClientRect();
      return Math.max(a.bottom, b.bottom) - Math.min(a.top, b.top);
    };

    if (cols === 1) {
      reset(false);
      k.cssName = parseFloat(getComputedStyle(k.name).fontSize); // its size before any fit (farLost)
      shrink(k.label, labelWide, unit * 2);
      // A marker on two lines ("Panggilan ke-3 / (terakhir)", "Kesempatan / terakhir") under the number of a low tile
      // (four counters at 1366x768, 1280x720, on a TV on its side) goes on one line under it, as wide as it needs, into
      // the name's column where that has room beside the name, the service and the status (.sub-wide), the number
      // keeping its size and place: on two lines, it pushed the number onto the tile's top edge and its second line
      // past the bottom one (6 to 11 px). Where it has no room there either, the tile goes over to the name over its
      // number (below).
      // the marker's words as drawn (under the number they may be wider than its column, centred on it)
      const subText = () => {
        const range = document.createRange();
        range.selectNodeContents(k.sub);
        return range.getBoundingClientRect();
      };
      const clear = (e) => {
        const s = subText();
        return ![...e.getClientRects()].some((r) => Math.min(r.right, s.right) - Math.max(r.left, s.left) >= 0.5
          && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) >= 0.5);
      };
      // not past half the tile's padding ("Panggilan ke-2" at 24 px under a number of 56 px, six counters in one column
      // on a 768x1366 monitor, ran past its column to the tile's edge); on one line into the name's column (.sub-wide),
      // clear of the name, the service and the status
      const wide = () => {
        if (!k.sub.textContent || k.root.classList.contains("idle")) return true;
        const s = subText(), cs = getComputedStyle(k.root);
        const edge = k.root.getBoundingClientRect().right - parseFloat(cs.borderRightWidth)
          - parseFloat(cs.paddingRight) / 2;
        if ($counters.dataset.far === "4" && s.right > edge + 0.5) return false; // (a low tile's 24 px marker)
        return !k.root.classList.contains("sub-wide")
          || (s.left >= k.head.getBoundingClientRect().left - 0.5 && [k.name, k.meta, k.status].every(clear));
      };
      // the number and what is under it within the tile (its padding box: they are centred in its row)
      const fits = () => texts() && !overflows(k.head) && below() <= k.root.clientHeight + 0.5 && wide();
      const fitted = () => {
        if (shrinkTogether(head, fits)) return true;
        if (!recall.length) return false;
        k.root.classList.add("sub-wide");
        // its right edge at the number's (centred in its column)
        k.sub.style.marginRight = Math.max(0, (k.label.parentElement.clientWidth - k.label.offsetWidth) / 2) + "px";
        for (const e of [k.name, k.meta]) e.style.fontSize = "";
        if (shrinkTogether(head, fits)) return true;
        k.root.classList.remove("sub-wide");
        k.sub.style.marginRight = "";
        return false;
      };
      // A TV of one to three counters (display.css --name-h) draws a short name to be read from 6 m: its
      // service gets smaller first (down to 1.2 units), and under 1080 px (where the service's 24 px take a second line
      // beside the larger number) gives way, before the name goes under that size. Shrunk with it, "Loket 10" over the
      // service "Konsultasi Non-Penyedia (PPK/Pokja/PP)" would be 36 px at 1280x720 (1.9 cm on a 43" TV, read to 3.9 m),
      // smaller than before (tests/test_display_counter_distance.py). A name that does not fit at its size even then
      // (on two lines or more) gets smaller with its service, as before.
      // Four counters (data-far="4": tiles a quarter of the height) the same at every size, 1920x1080 too, where the
      // service on two lines left the name no room; and a recall's marker wider than the number's column (at 1280x720
      // "Panggilan ke-3 (terakhir)") runs under the number into the name's column (.sub-wide) first with the service,
      // then without it, before the name gets smaller (which would take the far sizes from every tile: farLost).
      if (getComputedStyle($counters).getPropertyValue("--name-h").trim()) {
        const four = $counters.dataset.far === "4";
        // on its side, the service a tile leaves out is said under its row in the latest calls (render: .svc)
        const upright = matchMedia("(orientation: portrait)").matches;
        const ways = recall.length && four ? [false, true] : [false];
        for (const gone of [false, true]) {
          if (gone && !(k.meta.textContent && (four || upright || READABLE_PX > unit * 1.2))) break;
          k.root.classList.toggle("no-meta", gone);
          for (const wide of ways) {
            k.root.classList.toggle("sub-wide", wide);
            k.sub.style.marginRight = wide
              ? Math.max(0, (k.label.parentElement.clientWidth - k.label.offsetWidth) / 2) + "px" : "";
            k.meta.style.fontSize = "";
            if (gone ? fits() : shrinkTogether([[k.meta, least(1.2)]], fits)) return;
          }
        }
        k.root.classList.remove("no-meta", "sub-wide");
        k.sub.style.marginRight = "";
        k.meta.style.fontSize = "";
      }
      if (fitted()) return;
      k.root.classList.add("no-meta");
      k.name.classList.add("clamped");
      k.name.style.fontSize = "";
      if (fitted()) return;
      // the name giving way: on three lines, two, one, cut after a whole word (cutName), beside the number at its size
      nameCut = gives;
      for (let lines = 3; gives && lines >= 1; lines--) {
        k.name.style.setProperty("--name-lines", String(lines));
        k.name.style.fontSize = "";
        if (fitted()) return;
      }
      nameCut = false;
    }

    // Name over number: the number's row holds the number (and "On break" under it when paused).
    reset(true);
    const ticket = k.label.parentElement;
    // A ticket's number at least twice the size of every other text on its tile (not "ISTIRAHAT").
    const idle = k.root.classList.contains("idle");
    const shown = (e) => e.textContent && getComputedStyle(e).display !== "none";
    const size = (e) => parseFloat(getComputedStyle(e).fontSize);
    const textSizes = () => [k.name, k.meta, k.status, k.sub].filter(shown).map(size);
    const twice = () => idle || size(k.label) + 0.5 >= 2 * Math.max(...textSizes());
    const fits = () => texts() && below() <= ticket.clientHeight + 0.5 && twice();
    shrink(k.label, labelWide, unit * 2);
    const full = parseFloat(getComputedStyle(k.label).fontSize);
    const number = (floor, check = fits) => shrink(k.label, () => labelWide() && check(), Math.min(full, floor), false);
    const again = (items, floor, check = fits) => {
      for (const e of [k.name, k.label]) e.style.fontSize = "";
      shrink(k.label, labelWide, unit * 2);
      return shrinkTogether(items, check) || number(floor, check);
    };
    const most = Math.max(unit * 2, full * 0.7);
    const keep = Math.min(full, Math.max(most, unit * 3.5)); // the number's least while the service has its line
    if (gives && nameLine()) return;
    if (recall.length) {
      // Whole (nothing past its box), on two lines at most (three when it breaks inside "Panggilan ke-3": the
      // last resort, .sub-loose), at least 1.2 units and at most half the number.
      let lines = 2;
      const whole = () => {
        const rows = Math.round(k.sub.offsetHeight / parseFloat(getComputedStyle(k.sub).lineHeight));
        return rows <= lines && k.sub.scrollWidth <= k.sub.clientWidth + 0.5;
      };
      const marked = () => {
        const half = size(k.label) / 2;
        if (size(k.sub) > half) k.sub.style.fontSize = half.toFixed(1) + "px";
        return size(k.sub) >= least(1.2) - 0.05 && whole() && fits();
      };
      // In turn (each step under the number or beside it, whichever leaves the number, then the name, the
      // larger; under when alike): the texts above at their size (the tiles' names are one size: evenTexts),
      // then smaller, then the number smaller (not under 3.5 units while the service has its line), then
      // without the service, then a long name's number down to 70 %; each with the marker on two lines, then
      // on three (.sub-loose); then a long name down to 1.2 units.
      const all = [...head, ...recall];
      const long = [[k.name, least(1.2)], ...recall]; // a long name, as small as it may be without the service
      const steps = [[false, recall, full], [false, all, full], [false, all, keep], [true, all, keep],
        [true, all, most]];
      const tries = [...steps.map((step) => [false, ...step]), ...steps.map((step) => [true, ...step]),
        [false, true, long, most], [true, true, long, most]]; // [.sub-loose, the service gives way, items, floor]
      // The most room a try can make, every text it may shrink at its least and the number too: a try with
      // no room even then is not made (one layout instead of dozens; most tries of a cramped tile end here).
      const room = (items, floor) => {
        for (const [e, min] of items) e.style.fontSize = min.toFixed(1) + "px";
        const lowest = Math.max(Math.min(full, floor), 2 * Math.max(...textSizes()) - 0.5); // and twice the texts
        if (lowest > full + 0.5) return false;
        k.label.style.fontSize = lowest.toFixed(1) + "px";
        return labelWide() && texts() && below() <= ticket.clientHeight + 0.5 && whole();
      };
      const attempt = (noMeta, beside, items, floor) => {
        k.root.classList.toggle("no-meta", noMeta);
        k.root.classList.toggle("sub-beside", beside);
        for (const e of [k.meta, k.sub]) e.style.fontSize = "";
        if (!room(items, Math.max(floor, unit * 2.4))) return false;
        for (const e of [k.meta, k.sub]) e.style.fontSize = "";
        return again(items, Math.max(floor, unit * 2.4), marked);
      };
      // Whether any try on two (three) lines may fit: the one with the most room, under the number or beside it.
      // Three lines go beside the number only (under it, the tile's width is the marker's).
      const placements = (loose) => (loose ? [true] : [false, true]);
      const possible = new Map();
      for (const [loose, noMeta, items, floor] of tries) {
        k.root.classList.toggle("sub-loose", loose);
        lines = loose ? 3 : 2;
        if (!possible.has(loose)) {
          possible.set(loose, placements(loose).some((beside) => {
            k.root.classList.toggle("no-meta", true);
            k.root.classList.toggle("sub-beside", beside);
            for (const e of [k.meta, k.sub]) e.style.fontSize = "";
            return room(long, Math.max(most, unit * 2.4));
          }));
        }
        if (!possible.get(loose)) continue;
        let best = null;
        let score = -1;
        let fitted = false; // the last try fitted (no need to make it again)
        for (const beside of placements(loose)) {
          fitted = attempt(noMeta, beside, items, floor);
          const s = fitted ? size(k.label) * 1000 + size(k.name) : -1;
          if (fitted && s > score + 0.5) [best, score] = [beside, s];
        }
        if (best === true && fitted) return;
        if (best !== null && attempt(noMeta, best, items, floor)) return;
      }
      k.root.classList.remove("no-meta", "sub-beside", "sub-loose");
      k.root.classList.add("no-sub");
      for (const e of [k.name, k.meta, k.sub]) e.style.fontSize = "";
    }
    const name = [[k.name, least(1.2)]];
    // A recall's marker comes before the rest of a long name with a short identity ("Loket 4 – Registrasi &
    // Verifikasi Akun"): a tile with no room for both (no service, the name at its least: tried above) keeps
    // "Loket 4", the number and "Panggilan ke-2", the rest of the name cut for them (below). At 24 px, eight
    // counters at 1366x768 said Loket 4's recall nowhere: its tile kept the whole name, its row in the latest calls
    // had no room (tests/test_display_readability.py).
    const markerFirst = recall.length > 0 && !!k.name.dataset.key;
    const nameWhole = () => { // the name whole, the marker given up: its row in the latest calls says it
      if (again(head, keep)) return true;
      k.root.classList.add("no-meta"); // the service gives way
      if (again(head, most) || again(name, most)) return true;
      k.name.classList.add("narrow"); // a very long name: condensed letters
      return again(name, most) || again(name, unit * 2);
    };
    k.root.classList.toggle("no-meta", markerFirst); // the service gives way first
    if (!markerFirst && nameWhole()) return;
    // The last resort: the name cut with "…" on four lines, then on fewer, until the number under it is whole
    // (ten counters with the longest names on a TV: on four lines the name left the number no room, and it
    // was cut off at the tile's edge, or drawn over by the name's status).
    const clamped = () => !overflows(k.meta) && below() <= ticket.clientHeight + 0.5 && twice();
    // A name with a short identity ("Loket 3 – Layanan Konsultasi …", nameParts) keeps it whole, at the size of the
    // other tiles' names (1.4 units, 1.2 at the least) with the status beside it, and only the rest is cut, on its
    // own lines in condensed letters at 1.2 units: two lines if the number keeps its size, else one, else none
    // (the identity alone, "Loket 3 …"). The identity ending a name ("Layanan … – Loket 3") is under the rest.
    // A recall's marker given up above ("Panggilan ke-3 (terakhir)", a last chance) comes back here: the number at
    // the size it has without it, the marker beside it (no line of its own) else under it, on two lines at most, at
    // least 1.2 units, the rest of the name cut shorter for it (two lines, one, none). Only a tile with no room for
    // it even then leaves it to its row in the latest calls (.no-sub). Ten counters with names of 100 characters
    // showed a last call on no tile: its tile read like every other called one, its row alone said it.
    const key = k.name.dataset.key ? k.name.querySelector(".name-key") : null;
    if (key) {
      k.name.classList.remove("narrow");
      k.root.classList.add("keyed");
      const keyWhole = () => key.scrollWidth <= key.clientWidth + 0.5 && clamped();
      const tries = [[2, 1.4, full], [1, 1.4, unit * 2], [1, 1.2, unit * 2], [0, 1.4, unit * 2], [0, 1.2, unit * 2]];
      const keyed = ([lines, units, floor], items, check) => {
        k.root.classList.toggle("key-only", lines === 0);
        k.name.style.setProperty("--name-lines", String(Math.max(1, lines)));
        return again([[k.name, least(units)], ...items], floor, check);
      };
      const fitted = tries.find((t) => keyed(t, [], keyWhole));
      if (fitted && recall.length) {
        const number = size(k.label); // the marker's tries keep it
        let loose = false;
        const marked = () => {
          const half = size(k.label) / 2;
          if (size(k.sub) > half) k.sub.style.fontSize = half.toFixed(1) + "px";
          const rows = Math.round(k.sub.offsetHeight / parseFloat(getComputedStyle(k.sub).lineHeight));
          return size(k.sub) >= least(1.2) - 0.05 && rows <= (loose ? 3 : 2)
            && k.sub.scrollWidth <= k.sub.clientWidth + 0.5 && keyWhole();
        };
        k.root.classList.remove("no-sub");
        // beside the number, under it, then beside it on three lines ("Panggilan / ke-3 / (terakhir)": a narrow
        // tile at 24 px, 768x1366)
        // then, where none fits at the number's size, with the number smaller (not under 3 units, nor 70 %)
        const floors = [number, Math.min(number, Math.max(most, unit * 3))];
        const ways = [[true, false], [false, false], [true, true]];
        const placings = []; // (no flatMap: Chromium 69, and the TVs' baseline is older)
        floors.forEach((f, i) => {
          if (i && f >= number - 0.5) return;
          ways.forEach((w) => placings.push([f, w[0], w[1]]));
        });
        for (const [floor, beside, threeLines] of placings) {
          loose = threeLines;
          k.root.classList.toggle("sub-beside", beside);
          k.root.classList.toggle("sub-loose", loose);
          // the most room it may have: the name's rest left out, the identity and the marker at their least
          k.sub.style.fontSize = "";
          k.root.classList.add("key-only");
          k.name.style.fontSize = least(1.2).toFixed(1) + "px";
          k.sub.style.fontSize = least(1.2).toFixed(1) + "px";
          k.label.style.fontSize = floor.toFixed(1) + "px";
          if (!(labelWide() && marked())) continue;
          for (const [lines, units] of tries) {
            k.sub.style.fontSize = "";
            if (keyed([lines, units, floor], recall, marked)) return;
          }
        }
        k.root.classList.remove("sub-beside", "sub-loose");
        k.root.classList.add("no-sub");
        k.sub.style.fontSize = "";
        if (markerFirst) { // no room for the marker even with "Loket N" alone: the name whole, if it fits
          k.root.classList.remove("keyed", "key-only");
          k.name.style.removeProperty("--name-lines");
          if (nameWhole()) return;
          k.name.classList.remove("narrow");
          k.root.classList.add("keyed");
        }
        keyed(fitted, [], keyWhole);
      }
      if (fitted) return;
      k.root.classList.remove("keyed", "key-only");
      k.name.style.removeProperty("--name-lines");
      if (markerFirst && nameWhole()) return;
      k.name.classList.add("narrow");
    }
    k.name.classList.add("clamped");
    for (let lines = 4; lines >= 1; lines--) {
      k.name.style.setProperty("--name-lines", String(lines));
      if (again(name, unit * 2, clamped)) return;
    }

    // A name with no short identity giving way (fitCard): on one line with its status (.name-line), cut after its last
    // whole word that fits (cutName), the service left out; the number at its size, else smaller (not under 3 units,
    // nor 70 %), a recall's marker beside it, under it, or beside it on three lines, at 24 px (1.2 units) at least.
    // Its first word at least, with its "…", beside the status: in its letters, smaller (not under 1.4 units), else in
    // condensed letters (.narrow), before the number gets smaller. "Pelayanan…" beside "DIPANGGIL" in a tile 345 px
    // wide (768x1366, ten counters) was 2 px too wide in its letters, and the tile took the cramped sizes: "DIPANGGIL"
    // and "Panggilan ke-2" at 17 px (tests/test_display_upright_names.py).
    function nameLine() {
      k.root.classList.add("name-line", "no-meta");
      k.name.classList.add("clamped");
      const lineFits = () => below() <= ticket.clientHeight + 0.5 && twice() && !overflows(k.head);
      // its first word at least, with its "…", beside the status (cut as cutName will, then made whole again)
      const wordFits = () => {
        const e = cutPart(k);
        const wide = () => k.name.scrollWidth <= k.name.clientWidth + 0.5;
        cutAtWord(e, wide);
        const fits = wide();
        uncut(e);
        return fits;
      };
      const floors = [full, Math.min(full, Math.max(most, unit * 3))];
      let lines = 2;
      const marked = () => {
        const half = size(k.label) / 2;
        if (size(k.sub) > half) k.sub.style.fontSize = half.toFixed(1) + "px";
        const rows = Math.round(k.sub.offsetHeight / parseFloat(getComputedStyle(k.sub).lineHeight));
        return size(k.sub) >= least(1.2) - 0.05 && rows <= lines && k.sub.scrollWidth <= k.sub.clientWidth + 0.5
          && lineFits();
      };
      const fitted = (floor) => {
        if (!recall.length) return again([[k.name, least(1.4)]], floor, lineFits);
        for (const [beside, loose] of [[true, false], [false, false], [true, true]]) {
          lines = loose ? 3 : 2;
          k.root.classList.toggle("sub-beside", beside);
          k.root.classList.toggle("sub-loose", loose);
          k.sub.style.fontSize = "";
          if (again([[k.name, least(1.4)], ...recall], floor, marked)) return true;
        }
        return false;
      };
      // the name smaller (what is beside it and under it as fitted) until its first word fits
      const worded = () => shrink(k.name, () => wordFits() && (recall.length ? marked() : lineFits()), least(1.4), false);
      for (const floor of floors) {
        for (const narrow of [false, true]) {
          k.name.classList.toggle("narrow", narrow);
          if (fitted(floor) && worded()) return true;
        }
      }
      k.root.classList.remove("name-line", "no-meta", "sub-beside", "sub-loose");
      k.name.classList.remove("clamped", "narrow");
      k.sub.style.fontSize = "";
      return false;
    }
  }

  // A call's tile, and its row in the latest calls, blink together for FLASH_MS from now: a new call at a counter
  // starts its tile's flash again. render draws a row it makes in the step of its flash, and ends both once the
  // called ticket has left its counter (endLeftFlash).
  function flashCall(counterId, seq, label) {
    const now = Date.now();
    if (cards.has(counterId)) {
      flashTiles.set(counterId, now);
      flashLabels.set(counterId, label);
    }
    flashRecent.set(seq, now);
    stepFlash();
  }

  // A tile whose called ticket has left it within its call's flash (cancelled at the front office, skipped, finished,
  // transferred) stops blinking at once, and so does the call's row (render: a row whose call is over): before, the
  // tile blinked black on yellow around its "—" for the rest of the 5 s, and the row of a call that called nobody
  // any more with it, the most eye-catching thing on the screen (tests/test_display_flash.py).
  function endLeftFlash(shown, ended) {
    for (const c of shown) {
      if (!flashTiles.has(c.id) || (c.ticket && c.ticket.label === flashLabels.get(c.id))) continue;
      flashTiles.delete(c.id);
      flashLabels.delete(c.id);
      ended = true;
    }
    if (ended) stepFlash(); // drawn still, and its timer gone with the last flash
  }

  // Whether a flash begun at `start` is on `now` (not once a clock set back puts its start ahead).
  function flashing(start, now) {
    return now >= start && now - start < FLASH_MS;
  }

  // An element's flash `now`, begun at `start`: .flash through FLASH_MS, .lit in the first step of each blink.
  function drawFlash(e, start, now) {
    const on = flashing(start, now);
    e.classList.toggle("flash", on);
    e.classList.toggle("lit", on && Math.floor((now - start) / FLASH_STEP_MS) % 2 === 0);
  }

  // The one timer of every flash: each tile and row drawn in its step, the timer set for the next step of any, none
  // once nothing flashes. Steps and end are read from the clock, not counted: a timer late or skipped (a busy or
  // hidden page), a re-render or a snapshot never leaves a flash on or out of step.
  function stepFlash() {
    clearTimeout(flashTimer);
    flashTimer = null;
    const now = Date.now();
    for (const [id, start] of flashTiles) {
      if (!cards.has(id) || !flashing(start, now)) {
        flashTiles.delete(id);
        flashLabels.delete(id);
      }
    }
    for (const [seq, start] of flashRecent) if (!flashing(start, now)) flashRecent.delete(seq);
    for (const [id, k] of cards) drawFlash(k.root, flashTiles.has(id) ? flashTiles.get(id) : -Infinity, now);
    for (const li of $recent.children) {
      const seq = Number(li.dataset.seq);
      drawFlash(li, flashRecent.has(seq) ? flashRecent.get(seq) : -Infinity, now);
    }
    let next = Infinity;
    for (const start of Array.from(flashTiles.values()).concat(Array.from(flashRecent.values()))) {
      next = Math.min(next, start + (Math.floor((now - start) / FLASH_STEP_MS) + 1) * FLASH_STEP_MS);
    }
    if (next < Infinity) flashTimer = setTimeout(stepFlash, Math.max(0, next - Date.now()));
  }

  function setStatus(status) {
    state.status = status;
    document.body.classList.toggle("online", status === "online");
    document.body.classList.toggle("offline", status === "offline");
    document.body.classList.toggle("connecting", status === "connecting");
    document.getElementById("status-badge").textContent = status === "offline" ? T.offline : T.connecting;
    fitOffice();
  }

  // -- announcements -------------------------------------------------------------------
  function stillCurrent(item) {
    const c = counterById(item.counter_id);
    return !!(c && c.ticket && c.ticket.label === item.label);
  }

  // A queued call whose ticket has left its counter is not announced any more (a sound check stays), and the call
  // being said stops: its sound at once, its parts still to come (the chime's end, "Panggilan kedua.", the phrase,
  // its repeats) not played. Before, a visitor cancelled, served and closed at once, or transferred while their call
  // was said lost the outline but the rest was said: "… silakan menuju loket dua" for a ticket that was gone. Only
  // that call: its ticket is the one that left its counter (stillCurrent), and the next in the queue plays whole.
  function dropStale() {
    for (let i = queue.length - 1; i >= 0; i--) if (!queue[i].test && !stillCurrent(queue[i])) queue.splice(i, 1);
    if (current && !current.test && !current.left && !stillCurrent(current)) {
      current.left = true;
      if (current.stop) current.stop();
    }
  }

  // The admin's sound check (POST /api/admin/voice/test-call): a call's chime and speech, in its turn
  // after any real call, shown as a test; it is not a change (no seq), not in the latest calls, and not
  // remembered as played. One waits at most: a second while one waits is dropped.
  function testCall(msg) {
    if (!msg || typeof msg !== "object" || queue.some((q) => q.test)) return;
    queue.push({
      seq: null,
      test: true,
      label: String(msg.label || "").slice(0, 12),
      counter_name: String(msg.counter_name || "").slice(0, 100),
      counter_id: msg.counter_id,
      announce: msg.announce && typeof msg.announce === "object" ? msg.announce : null,
    });
    pump();
  }

  function wasPlayed(seq) {
    return seq <= playedFloor || playedSet.has(seq);
  }

  function remember(item, entry) {
    played.push(item.seq);
    playedSet.add(item.seq);
    while (played.length > KEPT) {
      const old = played.shift();
      playedSet.delete(old);
      playedFloor = Math.max(playedFloor, old);
    }
    log.push(entry);
    if (log.length > KEPT) log.splice(0, log.length - KEPT);
  }

  function forgetPlayed() {
    played.length = 0;
    playedSet.clear();
    playedFloor = -Infinity;
  }

  function enqueue(item) {
    if (wasPlayed(item.seq) || queue.some((q) => q.seq === item.seq)) return;
    if (current && current.seq === item.seq) return;
    queue.push(item);
    pump();
  }

  // The outline (.calling) marks the counter whose call is being said now, for the visitor across the room: one tile
  // at most, from its chime's first sound to its phrase's end, and only while the called ticket is still that tile's.
  // It used to be set when the announcement's turn came and taken off when it ended: a TV waiting for a tap (sound
  // not yet allowed) outlined the first call's tile until someone tapped, and a ticket finished, skipped or
  // transferred (or the next one called) while its call was said kept the outline over whatever the tile showed
  // next. A call waiting its turn behind another flashes at once and gets its outline when its turn comes.
  function showCalling() {
    const on = current && !current.test && sounding && stillCurrent(current) ? current.counter_id : null;
    for (const [id, k] of cards) {
      if (k.root.classList.contains("calling") !== (id === on)) k.root.classList.toggle("calling", id === on);
    }
  }

  async function pump() {
    if (current || !queue.length) return;
    const item = queue.shift();
    if (!item.test && (!stillCurrent(item) || wasPlayed(item.seq))) {
      pump();
      return;
    }
    current = item;
    const said = item.announce && typeof item.announce.text === "string" ? item.announce.text : null;
    const dropsBefore = drops;
    const entry = { seq: item.seq, label: item.label, counter_id: item.counter_id, text: said, start: performance.now(), end: null, parts: [] };
    if (item.test) {
      entry.test = true;
      log.push(entry);
      if (log.length > KEPT) log.splice(0, log.length - KEPT);
      document.getElementById("test-call-what").textContent = `${item.label} · ${item.counter_name}`;
      document.getElementById("test-call").hidden = false;
    } else {
      remember(item, entry);
    }
    sounding = false; // its outline comes with its first sound (playPart), not while it waits for a tap
    // each part in turn, none once its ticket has left its counter (dropStale stops the one playing then)
    const part = (url, kind) => (item.left ? null : playPart(url, kind, entry, item));
    try {
      await part(config.chime, "chime");
      const a = item.announce;
      if (a && a.audio) {
        const times = Math.max(1, Math.min(MAX_REPEAT, parseInt(a.repeat, 10) || 1));
        // A recall's intro ("Panggilan kedua.", a file of its own) is said before the call, each time; so is a last
        // chance's ("Kesempatan terakhir.", at its first call too).
        const intro = typeof a.intro === "string" && a.intro ? a.intro : null;
        for (let i = 0; i < times && !item.left; i++) {
          if (intro) await part(intro, "intro");
          await part(a.audio, "speech");
        }
      }
    } finally {
      if (item.left) entry.left = true; // for tests: its ticket left its counter while it was said
      entry.end = performance.now();
      if (!item.test) cutShort(item, entry, dropsBefore);
      if (item.test) document.getElementById("test-call").hidden = true;
      current = null;
      sounding = false;
      showCalling();
      setTimeout(pump, 0);
    }
  }

  // -- sound -------------------------------------------------------------------------------
  // One AudioContext for the page; each part is fetched, decoded into an AudioBuffer and played by
  // an AudioBufferSourceNode of its own, not by a media element (and media pipeline) per part. The
  // chime is fetched and decoded once; of the phrases only the last SPEECH_KEPT are kept (and of the
  // recalls' intros INTRO_KEPT), so the page's memory stays flat over any number of calls
  // (docs/performance.md, "TV page memory").
  let audioCtx = null;
  const decoded = { chime: new Map(), speech: new Map(), intro: new Map() }; // url -> Promise<AudioBuffer>, oldest first
  const DECODED_KEPT = { chime: 1, speech: SPEECH_KEPT, intro: INTRO_KEPT };

  function audioContext() {
    if (!audioCtx) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) throw failure("unsupported");
      audioCtx = new Context();
    }
    return audioCtx;
  }

  function failure(why) {
    return Object.assign(new Error(why), { why });
  }

  // A request the browser may send on one of its idle keep-alive connections to the server. After a connection that
  // died without a word (a router that dropped the TV's flows, a cable pulled between two switches) those are as
  // dead, and no close came to say so: the request went out on one and its answer never came (Chromium waits
  // minutes), so the call the TV learnt of at its reconnect was neither chimed nor said. Each try waits `wait` ms
  // for the answer, then is aborted, which closes its connection, and goes again, waiting twice as long, up to
  // `tries` times; a browser without AbortController leaves the try behind, and the next takes another connection.
  // A try refused at once (the server restarting: nobody on its port for a second or two) is tried again when its
  // wait is over, as one unanswered: the call made as the server stopped was chimed and never said (helper-319).
  function fetchBounded(url, init, wait, tries) {
    return new Promise((resolve, reject) => {
      let n = 0;
      const attempt = () => {
        n += 1;
        const mine = n;
        const abort = typeof AbortController === "function" ? new AbortController() : null;
        let settled = false;
        const timer = setTimeout(() => {
          if (settled) return;
          settled = true;
          if (abort) abort.abort();
          if (n < tries) attempt();
          else reject(failure("timeout"));
        }, wait * Math.pow(2, n - 1));
        const settle = (then) => (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          then(value);
        };
        const refused = settle(reject);
        fetch(url, abort ? Object.assign({ signal: abort.signal }, init) : init).then(settle(resolve), (err) => {
          if (mine >= tries) refused(err); // else its timer tries again
        });
      };
      attempt();
    });
  }

  // A look at the server (/healthz) that gives up after PROBE_WAIT_MS (aborted, where the browser can); `then` gets
  // the answer, nothing when none came or the server is out of reach. It runs right on fetch's answer (its reaction,
  // not one chained after others: tests/test_office_zones.py counts the clock's looks so).
  function probe(then, url) {
    const abort = typeof AbortController === "function" ? new AbortController() : null;
    const timer = setTimeout(() => {
      if (abort) abort.abort();
    }, PROBE_WAIT_MS);
    const init = { method: "HEAD", cache: "no-store" };
    return fetch(url || "/healthz", abort ? Object.assign({ signal: abort.signal }, init) : init)
      .then((r) => {
        clearTimeout(timer);
        if (then) then(r);
      })
      .catch(() => clearTimeout(timer));
  }

  // After a silent drop the browser's idle connections to the server are dead as well, and each next request
  // would wait for one of them to be given up: at the reconnect PROBES looks go at once, each taking one of them
  // (or a new connection), and those not answered are aborted, which closes theirs. The chime and the call's
  // speech then go out on live connections. (`?drop`: not the clock's looks, in a test's count of them or a log.)
  function dropDeadConnections() {
    for (let i = 0; i < PROBES; i++) probe(null, "/healthz?drop");
  }

  async function fetchDecoded(url) {
    let bytes;
    try {
      const r = await fetchBounded(url, { credentials: "same-origin" }, FETCH_WAIT_MS, FETCH_TRIES);
      if (!r.ok) throw failure("http " + r.status);
      bytes = await r.arrayBuffer();
    } catch (err) {
      throw err.why ? err : failure("network");
    }
    return new Promise((resolve, reject) => {
      // The callback form: an older WebKit returns no promise from decodeAudioData.
      const p = audioContext().decodeAudioData(bytes, resolve, () => reject(failure("decode")));
      if (p && p.catch) p.catch(() => {}); // the error callback has it
    });
  }

  function load(url, kind) {
    const cache = decoded[kind] || decoded.speech;
    let p = cache.get(url);
    if (p) {
      cache.delete(url); // the newest again
    } else {
      p = fetchDecoded(url);
      p.catch(() => {
        if (cache.get(url) === p) cache.delete(url); // a failure is tried again next time
      });
    }
    cache.set(url, p);
    while (cache.size > (DECODED_KEPT[kind] || SPEECH_KEPT)) cache.delete(cache.keys().next().value);
    return p;
  }

  function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // Resolves once the context runs. A browser that allows no sound before a user gesture keeps it
  // suspended (resume() rejects, or never settles): the banner asks for a tap, which resumes it.
  async function whenRunning(ctx) {
    while (ctx.state !== "running") {
      const resumed = await Promise.race([ctx.resume().then(() => true, () => false), delay(RESUME_WAIT_MS).then(() => false)]);
      if (resumed && ctx.state === "running") break;
      showBanner();
      await whenTapped();
    }
    hideBanner();
  }

  // Plays one sound to its end; resolves (never rejects) on end, error or timeout, so a missing or
  // broken speech file only costs its own turn. A browser that blocks sound gets the tap banner.
  // `item.stop()` ends it at once (why "left": its ticket left its counter, dropStale).
  function playPart(url, kind, entry, item) {
    return new Promise((resolve) => {
      const part = { kind, url, start: performance.now(), end: null, ok: false, why: null };
      entry.parts.push(part);
      let done = false;
      let timer = null;
      let source = null;
      const arm = (ms) => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(false, "timeout"), ms);
      };
      const finish = (ok, why) => {
        if (done) return;
        done = true;
        if (item.stop === stop) item.stop = null;
        clearTimeout(timer);
        part.end = performance.now();
        part.ok = ok;
        part.why = why;
        if (source) {
          source.onended = null;
          try {
            source.stop();
          } catch (e) {
            // never started
          }
          source.disconnect();
          source = null;
        }
        resolve();
      };
      const stop = () => finish(false, "left");
      item.stop = stop;
      const play = async () => {
        arm(PART_TIMEOUT_MS);
        const ctx = audioContext();
        const loading = load(url, kind);
        loading.catch(() => {}); // awaited below, maybe after a tap
        if (ctx.state !== "running") {
          clearTimeout(timer); // no timeout while the sound waits for a tap
          await whenRunning(ctx);
          if (done) return;
          arm(PART_TIMEOUT_MS);
        }
        const buffer = await loading;
        if (done) return;
        source = ctx.createBufferSource();
        source.buffer = buffer;
        source.connect(ctx.destination);
        source.onended = () => finish(true, "ended");
        arm(buffer.duration * 1000 + 3000);
        source.start();
        if (!sounding) {
          sounding = true; // the announcement is heard from now: its tile's outline (showCalling)
          showCalling();
        }
      };
      play().catch((err) => finish(false, (err && (err.why || err.name)) || "error"));
    });
  }

  const $banner = document.getElementById("sound-banner");
  let tapWaiters = [];
  function showBanner() {
    $banner.hidden = false;
  }
  function hideBanner() {
    $banner.hidden = true;
  }
  function whenTapped() {
    return new Promise((resolve) => tapWaiters.push(resolve));
  }
  function onTap() {
    hideBanner();
    // Resumed inside the gesture itself, as some browsers require.
    if (audioCtx && audioCtx.state !== "running") audioCtx.resume().catch(() => {});
    const waiters = tapWaiters;
    tapWaiters = [];
    waiters.forEach((w) => w());
  }
  // A touch screen's tap allows sound from its pointerup / touchend on, a mouse from its pointerdown.
  for (const type of ["pointerdown", "pointerup", "keydown", "touchstart", "touchend"]) {
    document.addEventListener(type, onTap, { passive: true });
  }

  // -- clock, running text, media --------------------------------------------------------
  const ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };
  let locale, dateFmt, timeFmt;
  let tz = config.timezone;
  try {
    new Intl.DateTimeFormat("id-ID", { timeZone: tz });
  } catch (e) {
    tz = undefined; // an unknown zone: the TV's own clock is still better than none
  }
  function setFormats() {
    locale = lang === "en" ? "en-GB" : "id-ID";
    dateFmt = new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" });
    timeFmt = new Intl.DateTimeFormat(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  setFormats();
  function clockTime(at) {
    const d = at ? new Date(at) : null;
    return d && !isNaN(d) ? timeFmt.format(d) : "";
  }
  function zoneName(now) {
    if (ZONES[tz]) return ZONES[tz];
    const part = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: "short" }).formatToParts(now).find((p) => p.type === "timeZoneName");
    return part ? part.value : "";
  }
  // The server's clock minus the TV's: from the time the page was drawn (config.now), then from the Date
  // of a look at the server every few minutes (a box's clock set right after the page was drawn, by NTP or
  // by hand, is followed). A TV box whose clock is wrong by hours (no clock battery, or set by hand to
  // the office's hour while its zone is UTC) showed 01.30 for 16.30 and the next day's date.
  // The offset is changed only when the clock as kept disagrees with the answer: a `Date` has whole seconds,
  // and taking each one's middle moved the clock up to a second either way at every look (a minute, even a
  // date, shown again for a moment when it stepped back).
  const CLOCK_SYNC_MS = 5 * 60 * 1000;
  let clockOffset = Number.isFinite(config.now) ? config.now - Date.now() : 0;
  function officeNow() {
    return new Date(Date.now() + clockOffset);
  }
  function syncClock() {
    const sent = Date.now();
    // bounded: a look sent on a connection dead without a word held it for minutes (the offset kept meanwhile)
    probe((r) => {
      const back = Date.now();
      const date = Date.parse(r.headers.get("Date") || ""); // the server's time was in [date, date + 1 s)
      if (isNaN(date)) return;
      const kept = back + clockOffset; // what the clock says now: agrees if within that second and the trip
      if (kept >= date && kept <= date + 1000 + (back - sent)) return;
      clockOffset = date + 500 - (sent + back) / 2;
    });
  }
  syncClock(); // at once too: the page's time was taken before the page travelled
  setInterval(syncClock, CLOCK_SYNC_MS);
  function showClock(now) {
    document.getElementById("clock").textContent = timeFmt.format(now) + " " + zoneName(now);
    document.getElementById("date").textContent = dateFmt.format(now);
  }
  function tick() {
    const now = officeNow();
    showClock(now);
    setTimeout(tick, 1000 - (now.getTime() % 1000) + 20);
  }
  tick();

  const $marquee = document.getElementById("marquee-text");
  function sizeMarquee() {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 20;
    const seconds = Math.max(10, $marquee.scrollWidth / (rem * 7));
    $marquee.style.setProperty("--marquee-seconds", seconds.toFixed(1) + "s");
    // Start with the text already on screen, not after a screen-wide empty run.
    const lead = window.innerWidth / Math.max(1, $marquee.scrollWidth);
    $marquee.style.animationDelay = (-seconds * lead * 0.97).toFixed(1) + "s";
    fitStill();
  }
  // A running text that stands still (reduced motion: a TV box without a GPU) shows up to two lines, four with an
  // announcement (seven upright), whose whole text is made smaller (to 20 px) when those lines at the usual size cannot
  // hold it; the TV's own text after it is cut with "…" as before. A moving one runs on one line, however long.
  const stillQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  function fitStill() {
    const told = $marquee.querySelector(".marquee-told");
    document.body.classList.toggle("announcing", !!told);
    $marquee.style.fontSize = "";
    if (!told || !stillQuery || !stillQuery.matches) return;
    const least = 20;
    let size = parseFloat(getComputedStyle($marquee).fontSize);
    while (toldCut(told) && size > least) {
      size = Math.max(least, size * 0.94);
      $marquee.style.fontSize = size.toFixed(1) + "px";
    }
  }
  function toldCut(told) {
    const rects = told.getClientRects();
    const last = rects[rects.length - 1];
    return !!last && last.bottom > $marquee.getBoundingClientRect().bottom + 0.5;
  }
  sizeMarquee();
  window.addEventListener("resize", () => {
    sizeMarquee();
    fitOffice();
    render();
  });
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(() => {
      officeFitted = "";
      waitingFitted = "";
      fitOffice();
      render(); // the latest calls' names fitted again in the page's letters (their cuts: fitTo)
    });
  }

  if (config.media.length) {
    const $media = document.getElementById("media");
    const img = el("img");
    img.alt = "";
    $media.append(img);
    $media.hidden = false;
    let i = 0;
    const show = () => {
      img.src = config.media[i % config.media.length];
      i += 1;
    };
    show();
    if (config.media.length > 1) setInterval(show, config.media_seconds * 1000);
  }

  // -- connection -------------------------------------------------------------------------
  // for tests: the page's state, its announcements, its socket
  const hook = {
    state, played, queue, log, socket: null, config,
    kept: KEPT,
    get current() {
      return current;
    },
    get flashTimer() {
      return flashTimer; // the call flash's one timer: null while nothing flashes
    },
    flashStart(id) {
      return flashTiles.has(id) ? flashTiles.get(id) : null; // the page's clock when a tile's flash began (flashCall)
    },
    enqueue,
  };
  if (!hasLive()) {
    // socket.io's script did not come: the server was restarting as the TV booted. The TV says it is
    // connecting, as while the server is away, and loads itself again once the server is back.
    setStatus("connecting");
    render();
    window.antrianDisplay = hook;
    reloadWhenLive(NO_LIVE_RETRY_MS);
    return;
  }
  let silentDrop = false; // the connection died without a word: at the reconnect, the idle ones are dropped
  // The server sends a snapshot on every connect; until it arrives (asked again every
  // RESYNC_TIMEOUT_MS) events wait, held by the live client.
  // A TV limited to some counters or services names them: its snapshot's latest calls are then the last tickets it
  // shows called, not the office's (a reconnected `?counters=2,3` or `?services=B` showed one or two of its own where
  // one left open showed five). Only what can be a service's code: the server ignores a list with anything else.
  const auth = { role: "display" };
  if (filter.counters.size) auth.counters = Array.from(filter.counters);
  const codes = Array.from(filter.services).filter((code) => /^[A-Z]{1,3}$/.test(code));
  if (codes.length) auth.services = codes;
  live = connect({
    auth,
    options: {
      transports: ["websocket"],
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 8000,
    },
    hold: true,
    onHold: hold,
    retry: RESYNC_TIMEOUT_MS,
    onSnapshot,
    onEvent,
    onStatus(up, reason) {
      state.connected = up;
      if (up) {
        if (silentDrop) dropDeadConnections();
        silentDrop = false;
        return;
      }
      // Socket.IO's heartbeat noticed it (no close came): the browser's other connections are gone with it.
      if (reason === "ping timeout" || reason === "transport error") silentDrop = true;
      drops += 1;
      setStatus("offline");
      // The server (not the network) closed us: socket.io will not retry on its own.
      if (reason === "io server disconnect") setTimeout(() => live.socket.connect(), 2000);
    },
  });
  const socket = live.socket;
  socket.on("test_call", testCall);
  socket.on("connect_error", () => {
    setStatus("offline");
    // A refused handshake is not retried by socket.io itself; a TV must keep trying forever.
    if (!socket.active) setTimeout(() => socket.connect(), 3000);
  });

  render();
  hook.socket = socket;
  window.antrianDisplay = hook;
})();
