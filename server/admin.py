"""Administration without editing files: office settings, services, counters, the priority table, users.

A change is a section of config.toml given anew (e.g. the whole `services` list). It is merged over
the file, checked by the same parser that checks config.toml at start-up (so a bad value names its
key), stored in the database as an override, recorded in the event log, and applied live.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

from server import core
from server.config import WEEKDAYS, ConfigError, Settings, effective_settings, file_settings, normal_hours
from server.errors import FormIncomplete, Localized, QueueError
from server.i18n import LANGS, catalogue, t
from server.service.unit import Outcome

# Sections an admin may change live, and for `office` the keys (the time zone and the server's
# address stay in the file: changing them under a running office would renumber the day).
EDITABLE = ("office", "queue", "services", "counters", "priority_classes", "kiosk", "hours", "tts", "announcement")
OFFICE_KEYS = ("name", "address", "public_url", "language")
# Of [tts], the voice an admin may choose live (the rest stays in the file).
TTS_KEYS = ("engine", "clips", "pause_ms", "trim_db")
# The sections that are tables: a change names some of their keys, each laid over the value saved before
# and over config.toml's (the lists, and `hours` null for "always open", are given whole).
TABLES = ("office", "queue", "kiosk", "tts", "hours", "announcement")
NOTHING = object()  # kept_change(): no value of the section differs from config.toml's


# A refused value is named as the page labels its input (the catalogue's admin.*): a row's field by its
# section's row, numbered from 1 as the page shows them, and its column heading.
COLUMNS = {
    "services": {"code": "col.code", "name": "col.name", "prefix": "col.prefix", "daily_quota": "col.quota"},
    "counters": {"id": "col.id", "name": "col.name", "services": "col.services", "printer": "col.printer"},
    "priority_classes": {
        "code": "col.code",
        "name": "col.name",
        "description": "col.description",
        "target_minutes": "col.target",
    },
}
TTS_LABELS = {"engine": "voice.engine", "clips": "voice.pack"}  # [tts] is the page's voice section
_ROW = re.compile(r"^(services|counters|priority_classes)\[(\d+)\](?:\.(.+))?$")


def label(key: str, lang: str) -> str:
    """A config key as the admin page names it in `lang`: `counters[0].services` is "Loket baris 1, layanan",
    `office.name` "Nama kantor"; a key with no input on the page follows its section's name ("Kios,
    addresses"); a key of a section not edited here stays as it is."""
    m = _ROW.match(key)
    if m:
        section, row, name = m.groups()
        text = t(f"admin.row.{section}", lang, row=int(row) + 1)
        if name is None:
            return text
        column = COLUMNS[section].get(name)
        if column is None:
            return f"{text}, {name}"
        heading = _short(t(f"admin.{column}", lang))
        return f"{text}, {heading[:1].lower()}{heading[1:]}"
    section, _, name = key.partition(".")
    if section not in EDITABLE:
        return key
    heading = t(f"admin.sec.{'voice' if section == 'tts' else section}", lang)
    if not name:
        return heading
    own = f"admin.{TTS_LABELS.get(name, '-')}" if section == "tts" else f"admin.{section}.{name}"
    return _short(catalogue(lang)[own]) if own in catalogue(lang) else f"{heading}, {name}"


def _short(text: str) -> str:
    """A label without its note in brackets at the end: "Target (menit)" is "Target"."""
    return re.sub(r"\s*\([^)]*\)$", "", text)


def config_refusal(err: ConfigError, more: list[ConfigError] | tuple[ConfigError, ...] = ()) -> FormIncomplete:
    """Values the config parser refused, as the admin page says them: `fields` names each key (the page marks
    its input) with the problem in words; the message names each as the page labels it, a line each after how
    many there are when more than one (`more`: the save's other refused values, every_config_error()); the
    refusal's `problems` each one's {field, label, message}. Indonesian, or English for an English page; an
    error the parser has no Indonesian for (a file's) is English in both."""
    fields: dict[str, Localized] = {}
    lines: list[Localized] = []
    problems: list[tuple[str, Localized, Localized]] = []
    for one in (err, *more):
        key, problem = one.key, one.problem
        if key is None or problem is None:
            key, _, text = str(one).partition(":")
            problem = Localized(text.strip() or str(one), text.strip() or str(one))
        if key in fields:
            continue
        name = Localized(label(key, "id"), label(key, "en"))
        line = Localized(f"{name.id_text}: {problem.id_text}", f"{name.en_text}: {problem.en_text}")
        fields[key] = problem
        lines.append(line)
        problems.append((key, name, line))
    if len(lines) > 1:
        lines.insert(0, Localized(*(t("admin.invalid_several", lang, n=len(lines)) for lang in LANGS)))
    refusal = FormIncomplete(fields, "config_invalid", detail=_joined(lines))
    refusal.problems = problems
    return refusal


MAX_REFUSED = 30  # values of one save named at once (a list section of 100 rows, each bad: the first 30)
# The CPU the parses again may take, in all: a section of 1,000 counters whose last 30 rows were bad is parsed 30
# times (2 s at 65 ms each on a busy PC); past this, the admin is told those found so far.
REFUSED_SECONDS = 0.5
# A row's field set aside by every_config_error (the parser checks the row's next fields, and the next rows, past
# it): a value the parser takes, in no other row, so that it makes no error of its own.
ROW_FIELDS = {
    "services": ("code", "name"),
    "counters": ("id", "name", "services"),
    "priority_classes": ("code", "name", "target_minutes"),
}


def every_config_error(old: Settings, overrides: dict[str, Any], section: str, given: Any, first: ConfigError):
    """The save's other refused values, past `first` (the parser stops at the first one): each refused value is
    set aside (a table's key: the value in force; a row's field: a value the parser takes) and the section parsed
    again, until it parses, or a value is refused that is not the section's or was named already, or
    REFUSED_SECONDS are spent. An admin who made three mistakes is told the three at once, not one a save.
    Called after the save's transaction (change_settings): run inside it, the parses held the database's write
    lock, and under gevent the server's one thread, for seconds (a kiosk's number waited 8 s, helper-337); each
    parse now lets the requests waiting run first."""
    value = json.loads(json.dumps(given))
    more: list[ConfigError] = []
    named = {first.key}
    err = first
    until = time.monotonic() + REFUSED_SECONDS
    while len(more) < MAX_REFUSED - 1 and time.monotonic() < until and _set_aside(old, section, value, err.key):
        time.sleep(1e-6)  # under gevent a timer, not sleep(0): the loop polls the sockets, the kiosks' come in
        try:
            effective_settings(old, {**overrides, section: value})
            break
        except ConfigError as again:
            if again.key in named or again.problem is None or not _of_section(again.key, section):
                break
            named.add(again.key)
            more.append(again)
            err = again
    return more


def every_reset_error(old: Settings, rest: dict[str, Any], first: ConfigError) -> list[ConfigError]:
    """A reset's other refused values, past `first`: with the reset section back at config.toml's values, each value
    of the sections still saved (`rest`) that no longer fits (a service the file lacks, named by two counters' saved
    rows) is set aside as every_config_error sets them aside and the rest parsed again, until it parses, or a value
    is refused that no saved section holds or was named already, or REFUSED_SECONDS are spent. Called after the
    reset's transaction, as every_config_error is after a save's."""
    value = json.loads(json.dumps(rest))
    more: list[ConfigError] = []
    named = {first.key}
    err = first
    until = time.monotonic() + REFUSED_SECONDS

    def saved_section(key: str | None) -> str | None:
        section = next((s for s in EDITABLE if _of_section(key, s)), None)
        return section if section in value else None

    while len(more) < MAX_REFUSED - 1 and time.monotonic() < until:
        section = saved_section(err.key)
        if section is None or not _set_aside(old, section, value[section], err.key):
            break
        time.sleep(1e-6)  # under gevent a timer, not sleep(0): the loop polls the sockets, the kiosks' come in
        try:
            effective_settings(old, value)
            break
        except ConfigError as again:
            if again.key in named or again.problem is None or saved_section(again.key) is None:
                break
            named.add(again.key)
            more.append(again)
            err = again
    return more


def _of_section(key: str | None, section: str) -> bool:
    return key is not None and (key.startswith(f"{section}.") or key.startswith(f"{section}["))


def _set_aside(old: Settings, section: str, value: Any, key: str | None) -> bool:
    """Put in `value` (the section being saved), at `key`, a value the parser takes; False when it cannot."""
    if not _of_section(key, section):
        return False
    if section in TABLES:
        name = key[len(section) + 1 :]
        if section == "hours" and isinstance(value, dict) and name in (*WEEKDAYS, "holidays", "last_ticket_minutes"):
            value[name] = "" if name in WEEKDAYS else [] if name == "holidays" else 0  # closed, no holidays: taken
            return True
        if not isinstance(value, dict) or name not in value:
            return False
        shown = view(old)[section]
        if isinstance(shown, dict) and name in shown and shown[name] != value[name]:
            value[name] = json.loads(json.dumps(shown[name]))
        else:
            del value[name]  # a key the section does not take, or one whose value in force is refused too
        return True
    m = _ROW.match(key)
    if m is None or not isinstance(value, list) or int(m.group(2)) >= len(value):
        return False
    row, name = int(m.group(2)), m.group(3)
    if not isinstance(value[row], dict) or name is None:
        value[row] = {}
        for field in ROW_FIELDS[section]:
            value[row][field] = _stand_in(old, section, value, row, field)
        return True
    if name in ROW_FIELDS[section] or name in ("prefix",):
        value[row][name] = _stand_in(old, section, value, row, name)
    elif name in value[row]:
        del value[row][name]  # an optional field (quota, printer, description) or a key a row does not take
    else:
        return False
    return True


def _stand_in(old: Settings, section: str, rows: list, row: int, field: str) -> Any:
    """A value of a row's field the parser takes, in no other row of `rows`."""
    taken = {str(r.get(k)).casefold() for r in rows if isinstance(r, dict) for k in ("code", "prefix", "name", "id")}
    if field == "id":
        return next(n for n in range(999, 0, -1) if str(n) not in taken)
    if field == "services":
        return [old.services[0].code]
    if field == "target_minutes":
        return 60
    if field == "name":
        return next(f"~{n}" for n in range(len(rows) + 2) if f"~{n}" not in taken)
    letters = "ZYXWVUTSRQ"
    return next(c for c in (a + b + z for a in letters for b in letters for z in letters) if c.casefold() not in taken)


# The sections whose value is a JSON object of some of their keys ([hours] may be null too: always open), each
# with an example of one, as the refusal of another kind of value gives it.
OBJECT_SECTIONS = {
    "office": {"name": "LPSE Kabupaten Contoh"},
    "queue": {"max_calls": 3},
    "kiosk": {"idle_seconds": 60},
    "tts": {"pause_ms": 300},
    "announcement": {"text": "Loket 2 sedang istirahat sholat Jumat"},
}


def check_change(section: str, value: Any) -> None:
    """Refuse sections and office keys an admin may not change live."""
    if section not in EDITABLE:
        raise FormIncomplete(
            {"section": "not_editable"}, "not_editable_section", section=section, sections=", ".join(EDITABLE)
        )
    if section in OBJECT_SECTIONS and not isinstance(value, dict):
        # a table's keys laid over its saved ones: `null` (or a list, a number) changed nothing and was said changed
        example = json.dumps(OBJECT_SECTIONS[section], ensure_ascii=False)
        raise FormIncomplete({section: "not_object"}, "section_not_object", section=section, example=example)
    for name, keys in (("office", OFFICE_KEYS), ("tts", TTS_KEYS)):
        if section != name:
            continue
        bad = {k: "not_editable" for k in value if k not in keys}
        if bad:
            first = f"{name}.{next(iter(bad))}"
            raise FormIncomplete(bad, "not_editable_key", key=first, section=name, keys=", ".join(keys))


def printer_null_as_none(section: str, value: Any) -> Any:
    """A counter's or the kiosk's `"printer": null` is "no printer", as `""` is (JSON's word for none; config.toml
    has no null, and its parser would refuse it as not text): `""` before the value is checked, and stored so."""
    if section == "counters" and isinstance(value, list):
        return [
            {**row, "printer": ""} if isinstance(row, dict) and row.get("printer", "") is None else row for row in value
        ]
    if section == "kiosk" and isinstance(value, dict) and "printer" in value and value["printer"] is None:
        return {**value, "printer": ""}
    return value


def in_use_field(key: str, **params: object) -> Localized:
    """What a list section's table says under it when a row may not go today (`admin.in_use.*`): the
    refusal's reason in a few words, instead of "Tidak valid." (the rows are valid, the day's queue holds them)."""
    return Localized(*(t(f"admin.in_use.{key}", lang, **params) for lang in LANGS))


def check_in_use(
    old: Settings, new: Settings, waiting_services: set[str], held_counters: set[int] | dict[int, Any]
) -> None:
    """A service with tickets waiting today, or a counter holding a ticket, cannot disappear; nor can the
    last counter serving a service whose tickets wait (they would wait for a call that never comes).
    `held_counters`: the counters holding a ticket, each with its ticket (label, status) when known: the
    refusal names it and the way out (Lepas for a ticket called, the officer's outcome for one served).

    Every problem is named at once, not the first alone (the admin fixed one, saved, and was told the next):
    one refusal with the first problem's code and params; its message each problem's words, a line each, after
    how many there are when more than one; each field's words (`services`, `counters`: under the section's table)
    each problem's of that field, in the same order, a line each."""
    # (code, params, field, the field's words, the message's words) of each problem
    problems: list[tuple[str, dict[str, Any], str, Localized, Localized]] = []
    gone_services = {s.code for s in old.services} - {s.code for s in new.services}
    for code in sorted(gone_services & waiting_services):
        field, said = in_use_field("service", service=code), in_use_field("service_said", service=code)
        problems.append(("service_in_use", {"service": code}, "services", field, said))

    def served(settings: Settings) -> set[str]:
        return {code for c in settings.counters for code in c.services}

    for code in sorted((served(old) - served(new)) & waiting_services & {s.code for s in new.services}):
        name = new.service(code).name
        field, said = in_use_field("unserved", service=name), in_use_field("unserved_said", service=name)
        problems.append(("service_unserved", {"service": name}, "counters", field, said))
    gone_counters = {c.id for c in old.counters} - {c.id for c in new.counters}
    for cid in sorted(gone_counters & set(held_counters)):
        counter = next(c for c in old.counters if c.id == cid)
        ticket = held_counters.get(cid) if isinstance(held_counters, dict) else None
        label, status = (ticket.label, ticket.status) if ticket is not None else ("?", "")
        how = "called" if status == core.CALLED else "serving" if status == core.SERVING else "held"
        field = in_use_field("counter", counter=counter.name, label=label)
        said = in_use_field(f"counter_{how}", counter=counter.name, label=label)
        problems.append(("counter_in_use", {"counter_id": cid}, "counters", field, said))
    if not problems:
        return
    fields: dict[str, list[Localized]] = {}
    for *_, key, field, _ in problems:
        fields.setdefault(key, []).append(field)
    said = [p[4] for p in problems]
    if len(problems) > 1:
        said.insert(0, in_use_field("several", n=len(problems)))
    code, params = problems[0][:2]
    raise QueueError(code, {k: _joined(v) for k, v in fields.items()}, **params, detail=_joined(said))


def check_served(old: Settings, services: Any, waiting_services: set[str]) -> None:
    """A service a counter still serves cannot go (its counters name it: the parser refused the save as "Loket baris
    2, layanan: layanan 'B' tidak dikenal", a counters row's problem said on the services' table, with no word of
    what to do): refused naming the service and its counters, the way out (untick it under Loket first), and, when
    its visitors wait today, that too and when it may go (once its line is empty, or tomorrow: its last counter may
    not untick it before, service_unserved; "untick it first" alone led there), every problem at once as
    check_in_use. `services`: the services section's new value, its rows valid (the parser refused a counter's)."""
    if not isinstance(services, list):
        return
    kept = {row.get("code") for row in services if isinstance(row, dict)}
    problems: list[tuple[str, dict[str, Any], Localized, Localized]] = []
    for s in old.services:
        counters = [c.name for c in old.counters if s.code in c.services]
        if s.code in kept or not counters:
            continue
        waiting = s.code in waiting_services
        if waiting:
            said = in_use_field("service_said", service=s.code)
            problems.append(("service_in_use", {"service": s.code}, in_use_field("service", service=s.code), said))
        # its visitors waiting, its counters may not untick it yet (service_unserved): the way out is after the line
        names, how = ", ".join(counters), "served_waiting" if waiting else "served"
        field = in_use_field(how, service=s.code, counters=names)
        said = in_use_field(f"{how}_said", service=s.code, counters=names)
        problems.append(("service_served", {"service": s.code}, field, said))
    if not problems:
        return
    said = [p[3] for p in problems]
    if len(problems) > 1:
        said.insert(0, in_use_field("several", n=len(problems)))
    code, params = problems[0][:2]
    raise QueueError(code, {"services": _joined([p[2] for p in problems])}, **params, detail=_joined(said))


def _joined(texts: list[Localized]) -> Localized:
    """Sentences said in turn, in both languages, each on a line of its own (the admin page keeps the lines)."""
    return Localized("\n".join(w.id_text for w in texts), "\n".join(w.en_text for w in texts))


def check_prefixes(old: Settings, new: Settings, prefix_services: dict[str, list[tuple[str, str]]]) -> None:
    """A service may take a new prefix only when no ticket of today carries it for another service.

    A label is unique per day (the store's UNIQUE (day, label) and numbering per prefix hold it
    whatever happens); this keeps a prefix meaning one service all day, so that swapping the prefixes
    of A and B while their tickets wait cannot give an A ticket a "B-" label beside B's own.
    `prefix_services`: per prefix on today's tickets, their (service, transferred_from) pairs; a
    ticket transferred away from the service still counts as its own.
    """
    before = {s.code: s.prefix for s in old.services}
    for i, s in enumerate(new.services):
        if before.get(s.code) == s.prefix:
            continue
        if any(s.code not in pair for pair in prefix_services.get(s.prefix, ())):
            field = in_use_field("prefix", prefix=s.prefix)
            raise QueueError("prefix_in_use", {f"services[{i}].prefix": field}, prefix=s.prefix)
        if s.code in before and any(s.code in pair for pair in prefix_services.get(before[s.code], ())):
            # its numbers of today carry the old prefix: two prefixes for one service in a day, and the
            # daily quota (counted per prefix) would start again
            raise QueueError(
                "prefix_change_today",
                {f"services[{i}].prefix": in_use_field("prefix_today", prefix=before[s.code])},
                service=s.name,
                prefix=before[s.code],
            )


def view(settings: Settings) -> dict[str, Any]:
    """The editable sections as an admin page shows them."""
    return {
        "office": {k: getattr(settings.office, k) for k in OFFICE_KEYS} | {"timezone": settings.office.timezone},
        "queue": asdict(settings.queue),
        "services": [asdict(s) for s in settings.services],
        "counters": [asdict(c) | {"services": list(c.services)} for c in settings.counters],
        "priority_classes": [asdict(p) for p in settings.priority_classes],
        "kiosk": asdict(settings.kiosk),
        "hours": hours_view(settings),
        "tts": {k: getattr(settings.tts, k) for k in TTS_KEYS},
        "announcement": asdict(settings.announcement),
        "printers": sorted(settings.printers),
    }


def hours_view(settings: Settings) -> dict[str, Any] | None:
    """[hours] as config.toml writes it (None: no service hours, always open)."""
    from server.config import WEEKDAYS, format_day_ranges

    h = settings.hours
    if not h.enabled:
        return None
    days = {day: format_day_ranges(ranges) for day, ranges in zip(WEEKDAYS, h.days, strict=True)}
    return {**days, "holidays": list(h.holidays), "last_ticket_minutes": h.last_ticket_minutes}


def kept_change(settings: Settings, new: Settings, section: str, value: Any) -> Any:
    """What of a section's change is stored: only what differs from config.toml. Of a table, the keys whose
    value is not the file's (a value equal to the file's is left to the file, so that a later edit of
    config.toml shows); a list or "always open" whole, unless it is the file's. NOTHING when nothing differs.
    `new`: the settings with the change, `settings`: any settings read from the same config.toml."""
    try:
        file = view(file_settings(settings))[section] if settings.source is not None else NOTHING
    except ConfigError:  # config.toml edited badly meanwhile: kept as given
        file = NOTHING
    if file is NOTHING:
        return value
    now = view(new)[section]
    # [hours] is kept whole: its days have no defaults, so days kept alone would stop the start once
    # config.toml had no [hours] left to fill in the others
    if section != "hours" and isinstance(value, dict) and isinstance(file, dict) and isinstance(now, dict):
        value = {k: v for k, v in value.items() if not (k in file and k in now and file[k] == now[k])}
        return value or NOTHING
    return NOTHING if now == file else value


def overridden(settings: Settings, file: Settings, overrides: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The values saved on the admin page (or by `settings set`) that differ from config.toml's:
    (key, config.toml's value, the value in use) as view() has them (docs/api.md); a list section, and
    [hours] where one side has no service hours, as a whole (key `services`, `hours`)."""
    before, after = view(file), view(settings)
    out = []
    for section in EDITABLE:
        if section not in overrides or before[section] == after[section]:
            continue
        if section == "announcement" and not (before[section]["text"] or before[section]["text_en"]):
            continue  # the day's announcement hides nothing of a config.toml that has none
        a, b = before[section], after[section]
        if isinstance(a, dict) and isinstance(b, dict):
            out += [(f"{section}.{k}", a.get(k), b[k]) for k in b if a.get(k) != b[k]]
        else:
            out.append((section, a, b))
    return out


def change_settings(service: Any, section: str, value: Any, actor: str, base: str | None = None) -> Settings:
    """Validate one section's new value, store what differs from config.toml, log it and apply it live;
    returns the new settings. A table's keys not given keep the value saved before (or config.toml's).
    `base`: the section's version the change was made on (versions()); when the section changed since,
    QueueError settings_changed_meanwhile and nothing is saved. None: saved whatever changed meanwhile."""
    check_change(section, value)
    check_base(base)
    value = printer_null_as_none(section, value)
    if section == "hours":
        value = normal_hours(value)  # "13.00-16.00", as the pages write times, stored as "13:00-16:00"
    was: list[Settings] = []  # the settings in force when the transaction began, then the new ones
    refused: list[tuple[Settings, dict, Any, ConfigError]] = []  # a refused value's save: the rest found after it

    def run(tx, now):
        # read and merged in the transaction: a change saved meanwhile (another admin's, the command
        # line's) is what the table's keys are laid over, and what `base` is compared with
        old = service.settings
        was.append(old)
        overrides = tx.settings_overrides()
        given, saved = value, overrides.get(section)
        if section in TABLES and isinstance(given, dict) and isinstance(saved, dict):
            given = {**saved, **given}
        if section == "announcement":
            given = dated(value, given, service.day(now))
        if base is not None and base != _version(view(old)[section], overrides.get(section)):
            if _in_force(old, overrides, section, given):
                # the value is the one in force already: most often this page's own save sent again after its
                # answer was lost (the network dropped), or another admin's same change; nothing to overwrite
                was.append(old)
                return Outcome()
            check_version(service, tx, section, base, overrides)
        try:
            new = effective_settings(old, {**overrides, section: given})
        except ConfigError as err:
            if section == "services" and (err.key or "").startswith("counters["):  # the services' rows are valid
                check_served(old, given, {code for code, n in tx.waiting_counts(service.day(now)).items() if n})
            refused.append((old, overrides, given, err))  # its other refused values: after the transaction
            # the command line prints `err`, naming the key as config.toml does
            raise config_refusal(err) from err
        kept = kept_change(old, new, section, given)
        stored = overrides.get(section, NOTHING)
        if view(new)[section] == view(old)[section] and (kept is stored or kept == stored):
            # nothing to change, nor to log: the same value saved again (a save whose answer was lost, sent once
            # more by a page that has the section's new version by then)
            was.append(old)
            return Outcome()
        if kept is NOTHING:  # config.toml's values: nothing to lay over it
            tx.drop_settings_override(section)
        else:
            tx.set_settings_override(section, kept, actor, now)
        _commit(service, tx, now, old, new, actor, {"section": section}, checked=True)
        was.append(new)
        return Outcome()

    try:
        service.run_command(None, run, alone=True)  # it applies the settings before its COMMIT
    except BaseException as failed:
        if was and service.settings is not was[0]:  # applied, then not committed
            service.apply_settings(was[0])
        if refused and isinstance(failed, FormIncomplete):  # every refused value, not the first, found unlocked
            old, overrides, given, err = refused[-1]
            raise config_refusal(err, every_config_error(old, overrides, section, given, err)) from err
        raise
    return was[1]


def dated(value: dict[str, Any], given: dict[str, Any], day: str) -> dict[str, Any]:
    """An announcement's change with its `until`: `keep` true (*tetap sampai dihapus*) none, else the office's `day`
    (it ends at the office's midnight by itself), unless `until` itself was given (the command line); none when
    both texts are blank (nothing to end, nothing kept). `value`: the change as sent, `given`: laid over the saved."""
    keep = value.get("keep")
    if keep is not None and not isinstance(keep, bool):
        raise FormIncomplete({"announcement.keep": "not_boolean"})
    given = {k: v for k, v in given.items() if k != "keep"}
    if keep is True:
        given["until"] = ""
    elif keep is False or "until" not in value:
        given["until"] = day
    texts = [given.get(k, "") for k in ("text", "text_en")]
    if all(isinstance(x, str) and not x.strip() for x in texts):
        given["until"] = ""
    return given


def _in_force(old: Settings, overrides: dict[str, Any], section: str, given: Any) -> bool:
    """Whether the section's value with the change `given` is the value in force: such a save changes nothing."""
    try:
        return view(effective_settings(old, {**overrides, section: given}))[section] == view(old)[section]
    except ConfigError:
        return False


def check_base(base: Any) -> None:
    """A request's `base` is a version token (a string) or absent (None)."""
    if base is not None and (not isinstance(base, str) or len(base) > 100):
        raise FormIncomplete({"base": "invalid"})


def _version(shown: Any, stored: Any) -> str:
    """A section's version token: a hash of its value in force (as view() shows it) and of the value stored
    for it (what the admin page or `settings set` saved; None when nothing is). Both live through a restart;
    the stored one changes with a save or reset from another process (the command line) at once, before
    this server re-reads it."""
    text = json.dumps([shown, stored], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def versions(service: Any) -> dict[str, str]:
    """Each editable section's version token (docs/api.md, `versions`): what a PUT or DELETE of the
    section sends back as `base`, so that a change saved meanwhile is not overwritten unseen."""
    with service.store.read() as tx:
        overrides = tx.settings_overrides()
    shown = view(service.settings)
    return {section: _version(shown[section], overrides.get(section)) for section in EDITABLE}


def check_version(service: Any, tx: Any, section: str, base: str, overrides: dict[str, Any]) -> None:
    """In the change's transaction: refuse it (409 settings_changed_meanwhile) when the section is no
    longer at version `base`, naming who changed it last and when (its latest settings_changed event)."""
    if base == _version(view(service.settings)[section], overrides.get(section)):
        return
    last = tx.last_settings_change(section)
    by = Localized(*(t("admin.meanwhile.unknown", lang) for lang in LANGS))
    if last is not None:
        from server.hours import when

        at = datetime.fromisoformat(last["at"])
        tz = service.settings.office.tz

        def who(lang: str) -> str:
            actor = last["actor"] or "?"
            name = t("admin.meanwhile.cli", lang) if actor == "cli" else actor
            return t("admin.meanwhile.by", lang, actor=name, when=when(at, tz, lang))

        by = Localized(who("id"), who("en"))
    name = Localized(label(section, "id"), label(section, "en"))
    raise QueueError("settings_changed_meanwhile", {"base": "stale"}, section=name, by=by)


# A list section's rows as the event log names them: by their code or id, which a change of another row leaves alone.
ROW_IDS = {"services": "code", "counters": "id", "priority_classes": "code"}


def what_changed(section: str, before: Any, after: Any) -> list[dict[str, Any]]:
    """A section's change as the event log keeps it: each value that changed, {key, old, new}, a table's by its
    key (`office.name`), a list's row by its code or id (`services[A].daily_quota`; a row added or removed
    whole, `counters[4]`, its old or new value null), the rest whole (`hours` to or from always open)."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [*before, *(k for k in after if k not in before)]
        return [{"key": f"{section}.{k}", "old": before.get(k), "new": after.get(k)} for k in keys
                if before.get(k) != after.get(k)]  # fmt: skip
    ident = ROW_IDS.get(section)
    if ident is None or not isinstance(before, list) or not isinstance(after, list):
        return [] if before == after else [{"key": section, "old": before, "new": after}]
    old, new = {r[ident]: r for r in before}, {r[ident]: r for r in after}
    out: list[dict[str, Any]] = []
    for row in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(row), new.get(row)
        if a is None or b is None:
            out.append({"key": f"{section}[{row}]", "old": a, "new": b})
        else:
            out += [{"key": f"{section}[{row}].{k}", "old": a.get(k), "new": b[k]} for k in b if a.get(k) != b[k]]
    if not out and before != after:  # the same rows in another order (the kiosk's and the TV's order)
        out.append({"key": section, "old": [r[ident] for r in before], "new": [r[ident] for r in after]})
    return out


def _commit(
    service: Any, tx: Any, now: Any, old: Settings, new: Settings, actor: str, data: dict, checked: bool
) -> None:
    """The rest of a settings change, in its transaction: (when `checked`) no service with tickets waiting or
    counter holding one disappears, no prefix of today's tickets changes hands; accounts bound to a counter
    that is gone are unbound; the counters table follows; the `settings_changed` event; the new settings
    applied before the commit, so that the event's clients re-read the new state."""
    day = service.day(now)
    if checked:
        waiting = {code for code, n in tx.waiting_counts(day).items() if n}
        held = {t.counter_id: t for t in tx.tickets_with_status(core.ACTIVE) if t.counter_id is not None}
        check_in_use(old, new, waiting, held)
        check_prefixes(old, new, tx.prefix_services(day))
    # An account bound to a counter that is gone could not work at all (every call refused): it is
    # unbound, picks a counter again, and the change is logged as any account change.
    kept = {c.id for c in new.counters}
    for user in tx.users():
        if user["counter_id"] is not None and user["counter_id"] not in kept:
            tx.update_user(user["username"], counter_id=None)
            change = {"username": user["username"], "change": "counter", "counter_id": None}
            tx.add_event("user_changed", now, day, None, None, actor, change)
    tx.sync_counters([asdict(c) for c in new.counters])
    section = data.get("section")
    if section in EDITABLE:  # the event log says what changed, not only which section (staff events alone)
        data = {**data, "changes": what_changed(section, view(old)[section], view(new)[section])}
    tx.add_event("settings_changed", now, day, None, None, actor, data)
    service.apply_settings(new)


def reset_settings(service: Any, section: str, actor: str, checked: bool = False, base: str | None = None) -> bool:
    """Drop the stored change of one section: config.toml's value again, logged and applied live (in this
    process at once; a running server that another process's reset reaches reloads it within a second).
    False when the section had no stored change. The way back when config.toml was edited so that a stored
    change no longer fits it: it does not need the stored changes to fit (the command line runs it on the
    file's settings then; what is left is applied once it fits). `checked` (the admin page): refused as a
    save would be when a service with tickets waiting today, or a counter holding a ticket, would go.
    `base`: as change_settings' (a section changed since is not reset: 409 settings_changed_meanwhile)."""
    if section not in EDITABLE:
        raise FormIncomplete(
            {"section": "not_editable"}, "not_editable_section", section=section, sections=", ".join(EDITABLE)
        )
    check_base(base)
    was: list[Settings] = []  # the settings in force when the transaction began
    dropped: list[bool] = []
    refused: list[tuple[Settings, dict, ConfigError]] = []  # a refused reset's: the rest found after it

    def run(tx, now):
        old = service.settings
        was.append(old)
        overrides = tx.settings_overrides()
        if base is not None:
            check_version(service, tx, section, base, overrides)
        rest = {k: v for k, v in overrides.items() if k != section}
        dropped.append(tx.drop_settings_override(section))
        if not dropped[0]:
            return Outcome()
        data = {"section": section, "reset": True}
        try:  # what is left laid over config.toml as it is now
            new = effective_settings(old, rest) if rest else file_settings(old)
        except ConfigError as err:
            if checked:  # the page would say "config.toml's values again" with none applied: say why not
                refused.append((old, rest, err))  # its other refused values: after the transaction
                raise config_refusal(err) from err  # nothing dropped (the transaction is rolled back)
            new = None
        if new is None:
            tx.add_event("settings_changed", now, service.day(now), None, None, actor, data)
        else:
            _commit(service, tx, now, old, new, actor, data, checked)
        return Outcome()

    try:
        service.run_command(None, run, alone=True)  # it applies the settings before its COMMIT
    except BaseException as failed:
        if was and service.settings is not was[0]:  # applied, then not committed
            service.apply_settings(was[0])
        if refused and isinstance(failed, FormIncomplete):  # every refused value, as a save names them
            old, rest, err = refused[-1]
            raise config_refusal(err, every_reset_error(old, rest, err)) from err
        raise
    return dropped[0]


def hidden_values(service: Any) -> list[dict[str, Any]]:
    """What the admin page marks: each value saved on it (or by `settings set`) that is used instead of
    config.toml's, as overridden() names it: {key, file (config.toml's value), value (the one in use)}.
    Only the keys a stored change holds (config.toml edited since the start, not yet in use, is not one);
    [] when config.toml cannot be read or parsed (the start and `settings show` say why)."""
    settings = service.settings
    if settings.source is None:
        return []
    with service.store.read() as tx:
        overrides = tx.settings_overrides()
    if not overrides:
        return []
    try:
        file = file_settings(settings)
    except (ConfigError, QueueError):
        return []

    def stored(key: str) -> bool:
        section, _, name = key.partition(".")
        saved = overrides.get(section)
        return not name or not isinstance(saved, dict) or section == "hours" or name in saved

    return [
        {"key": key, "file": was, "value": now}
        for key, was, now in overridden(settings, file, overrides)
        if stored(key)
    ]
