// Koreksi catatan: the correction of a finished record, one form (_fix_dialog.html, fixform.css) for the counter page
// (the record of the ticket it finished last: counter.js) and the recap page (any row's record: recap_fix.js).
// A resolved, escalated or closed record is never edited in place: POST /api/tickets/<ref>/correct makes a new version
// (its `corrected` event keeps who, when, each field's old and new value). The form is prefilled with the record as
// the server has it when it opens; the save names that record as its `base`: a correction saved meanwhile by someone
// else is refused (409 correction_conflict, naming who), not overwritten unseen, and the typed text stays for a
// second, knowing, Simpan. A refusal is said in the form, the text typed kept.
import { api, lengthCount, requestId, t } from "./common.js";

export const FIX_FIELDS = ["solution", "escalation_note", "category", "priority_class"];

// A correction's changes as one text, whatever the order of their keys (the answer's JSON has them sorted)
export function changesKey(changes) {
  return JSON.stringify(FIX_FIELDS.filter((f) => f in changes).map((f) => [f, changes[f].new]));
}

// "jawaban, jenis permasalahan": the fields a correction changed, in the form's order
export function fixNames(changes) {
  return FIX_FIELDS.filter((f) => f in changes).map((f) => t(`fix.field.${f}`)).join(", ");
}

export function recordBase(ticket) {
  return Object.fromEntries(FIX_FIELDS.map((f) => [f, ticket[f] || ""]));
}

// The record as the server has it now, of any day: GET /api/tickets/<id>/history's `record`.
export async function readRecord(ref) {
  const { body } = await api("GET", `/api/tickets/${encodeURIComponent(ref)}/history`);
  if (!body || !body.record) throw new Error("?");
  return body.record;
}

const $ = (id) => document.getElementById(id);

// The form on this page. `read(ref)`: the record now ({id, label, status, token?, solution, escalation_note,
// category, priority_class}); `saved(target, body, changes)`: after a save, the form closed (target: {id, label,
// ref, status}); `sessionEnded(kept)`: a 401 (the form closed: the page's own way back to the login; `kept`, what was
// typed, {ticket, base, values}, for `restore` after it, on the recap's and the counter's pages; `typed()` hands over
// the same when the session ends without a Simpan), else a 401 is said in the form as any refusal.
export function fixForm({ read = readRecord, saved = () => {}, sessionEnded = null } = {}) {
  const dialog = $("fix-dialog");
  const fix = {
    ticket: null, // {id, label, ref, status}: the record the form is open for
    base: null, // {field: value}: that record as the form showed it (what the save names as its base)
    saving: false,
    own: new Set(), // the `changes` this page saved (changesKey): their `corrected` events are this page's, not news
    elsewhere: null, // {actor, changes}: a correction of the open record by someone else, said in the form
    sent: null, // {id, values}: the save on its way
    said: null, // the refusal said at the form's top
    opener: null, // the button the form was opened from: the cursor goes back to it
  };
  const counted = {
    solution: lengthCount($("fix-solution"), $("fix-solution-count")),
    note: lengthCount($("fix-note"), $("fix-note-count")),
  };

  function boxes() {
    return [["solution", $("fix-solution")], ["escalation_note", $("fix-note")], ["category", $("fix-category")],
      ["priority_class", $("fix-class")]];
  }

  function render() {
    if (!fix.ticket) return;
    $("fix-title").textContent = t("fix.title", { label: fix.ticket.label });
    for (const count of Object.values(counted)) count.render();
    $("fix-save").disabled = fix.saving;
    if (fix.elsewhere && !fix.said) {
      const { actor, changes } = fix.elsewhere;
      $("fix-said").textContent = t("fix.elsewhere_open", { actor, fields: fixNames(changes) });
    }
  }

  // A refusal (or a colleague's correction) said at the form's top; null: nothing said.
  function say(text) {
    fix.said = text;
    $("fix-said").hidden = !text && !fix.elsewhere;
    $("fix-said").textContent = text || "";
    render();
  }

  // The form, prefilled with `ticket` (the record as the server has it now), over the page.
  function show(ticket, opener) {
    fix.ticket = { id: ticket.id, label: ticket.label, ref: ticket.token || String(ticket.id), status: ticket.status };
    fix.base = recordBase(ticket);
    fix.elsewhere = null;
    fix.opener = opener || null;
    $("fix-solution").value = fix.base.solution;
    $("fix-note").value = fix.base.escalation_note;
    $("fix-category").value = fix.base.category;
    $("fix-class").value = fix.base.priority_class;
    // an escalated (or closed) case: its analysis, and its answer only when it has one; a resolved one: its answer
    const escalated = ticket.status !== "resolved";
    $("fix-note-box").hidden = !escalated;
    $("fix-solution-box").hidden = escalated && !fix.base.solution;
    for (const count of Object.values(counted)) count.reset();
    say(null);
    for (const p of dialog.querySelectorAll(".field-error")) p.textContent = "";
    render();
    dialog.showModal();
    const first = escalated ? $("fix-note") : $("fix-solution");
    first.focus();
    first.setSelectionRange(first.value.length, first.value.length);
  }

  // Opens the form for the record `ref`, read from the server first; false when a form is open or saving already.
  // A refused read is thrown (the page says it where it says its news).
  async function open(ref, opener) {
    if (fix.saving || dialog.open) return false;
    const ticket = await read(ref);
    if (dialog.open) return false;
    show(ticket, opener);
    return true;
  }

  function close() {
    if (dialog.open) dialog.close();
    fix.ticket = null;
    fix.base = null;
    fix.elsewhere = null;
    const opener = fix.opener;
    fix.opener = null;
    if (opener && opener.isConnected) opener.focus();
  }

  // The form's fields as typed (those shown: an escalated case's answer box may be hidden)
  function values() {
    const typed = {};
    if (!$("fix-solution-box").hidden) typed.solution = $("fix-solution").value;
    if (!$("fix-note-box").hidden) typed.escalation_note = $("fix-note").value;
    typed.category = $("fix-category").value;
    typed.priority_class = $("fix-class").value;
    return typed;
  }

  async function save() {
    if (!fix.ticket || fix.saving) return;
    const target = fix.ticket;
    const payload = { base: fix.base, request_id: requestId(), ...values() };
    fix.saving = true;
    fix.sent = { id: target.id, values: payload }; // its event may come before its answer (heard)
    render();
    let body;
    try {
      ({ body } = await api("POST", `/api/tickets/${encodeURIComponent(target.ref)}/correct`, payload));
    } catch (err) {
      fix.saving = false;
      fix.sent = null;
      if (err.status === 401 && sessionEnded) {
        // what was typed, for the page to keep over the login (the recap gives it back after it: restore)
        const kept = { ticket: target, base: fix.base, values: payload };
        close();
        return sessionEnded(kept);
      }
      return refused(target, err);
    }
    const changes = (body && body.changes) || {};
    fix.own.add(`${target.id}:${changesKey(changes)}`);
    if (fix.own.size > 20) fix.own.delete(fix.own.values().next().value);
    fix.sent = null;
    fix.saving = false;
    const opener = fix.opener;
    close();
    saved(target, body, changes, opener);
  }

  async function refused(target, err) {
    const fields = (err.body && err.body.fields) || {};
    for (const p of dialog.querySelectorAll(".field-error")) p.textContent = fields[p.dataset.fix] || "";
    fix.elsewhere = null;
    const conflict = err.status === 409 && err.body && err.body.error === "correction_conflict";
    // "nothing changed" is the refusal's own words (its message is the generic "form incomplete"); a colleague's
    // correction meanwhile is the server's message alone, which names the record and says "tidak disimpan" once
    say(conflict ? err.message : t("fix.refused", { label: target.label, text: fields._ || err.message }));
    if (conflict) {
      // What the colleague saved is the base now: a field the officer left as it was shows their value (a second
      // Simpan must not put the old one back), one the officer changed keeps the text typed; that second Simpan,
      // made knowing it, saves it.
      try {
        const now = recordBase(await read(target.id));
        if (fix.ticket !== target) return;
        for (const [field, box] of boxes()) if (box.value === fix.base[field]) box.value = now[field];
        fix.base = now;
        render();
      } catch (e) {
        /* the base stays: the next Simpan is refused again, and says so */
      }
    }
  }

  // A live `corrected` event: null when it is this page's own save (its answer, or its event before it), else
  // {actor, changes}, said in the form when it is open for that record (above the text typed, kept: its Simpan is
  // then refused once, naming who, as the base is the record shown). `me`: this page's login name.
  function heard(ev, me) {
    const ticket = ev.ticket;
    const changes = (ev.data && ev.data.changes) || {};
    if (!ticket) return null;
    if (fix.own.has(`${ticket.id}:${changesKey(changes)}`)) return null; // this page's own (its event may come twice)
    // this page's save on its way, its event first: its fields' new values are the ones sent
    const sent = fix.sent;
    const same = ([f, c]) => sent.values[f] !== undefined && String(sent.values[f]).trim() === c.new;
    if (me && ev.actor === me && sent && sent.id === ticket.id && Object.entries(changes).every(same)) return null;
    const actor = (ev.data && ev.data.actor_name) || ev.actor || "?";
    if (fix.ticket && fix.ticket.id === ticket.id && dialog.open) {
      fix.elsewhere = { actor, changes };
      say(null);
    }
    return { actor, changes };
  }

  // A correction typed when the session ended (sessionEnded's `kept`), given back after the login: the form open
  // for its record with the text typed and the base it was typed on (a colleague's correction meanwhile refuses its
  // Simpan once, naming them), `text` said at its top; `opener`, the button the cursor goes back to after it. false
  // when a form is open already.
  function restore(kept, text, opener = null) {
    if (fix.saving || dialog.open || !kept || !kept.ticket || !kept.base || !kept.values) return false;
    const { ticket, base, values } = kept;
    show({ ...ticket, token: ticket.ref, ...base }, opener);
    fix.base = recordBase(base);
    for (const [field, box] of boxes()) if (typeof values[field] === "string") box.value = values[field];
    for (const count of Object.values(counted)) count.render();
    say(text);
    return true;
  }

  // What is typed in the open form, as a refused save hands it to `sessionEnded` ({ticket, base, values}, for
  // `restore`): for the page's own way to the login when the session ends without a Simpan (the live connection
  // finding it gone, another action's 401). null when no form is open or nothing differs from the record shown.
  function typed() {
    if (!fix.ticket || !fix.base || !dialog.open) return null;
    const now = values();
    if (Object.entries(now).every(([field, value]) => value === fix.base[field])) return null;
    return { ticket: fix.ticket, base: fix.base, values: now };
  }

  dialog.addEventListener("cancel", (ev) => {
    // Esc: closed as Batal (the cursor back on the button that opened it)
    ev.preventDefault();
    close();
  });
  $("fix-cancel").addEventListener("click", close);
  $("fix-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    save();
  });
  $("fix-form").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      save();
    } else if (ev.key === "Enter" && ev.target.tagName === "SELECT") ev.preventDefault(); // no save from a list
  });
  $("fix-form").addEventListener("input", (ev) => {
    const p = dialog.querySelector(`.field-error[data-fix="${ev.target.name}"]`);
    if (p) p.textContent = "";
  });

  return {
    open,
    restore,
    typed,
    close,
    render,
    heard,
    isOpen: () => dialog.open,
    busy: () => fix.saving || dialog.open,
  };
}
