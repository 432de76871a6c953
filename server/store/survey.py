"""The public-satisfaction survey (SKM): responses (one per ticket), the sums the index is made of,
the respondent profile's counts, the suggestions and complaints with their answers or closes and the
history of what replaced them, the wording an admin changed and every wording the office used (each
response says which it was answered under), and retention's cut of the link to the ticket
(server/migrations.py m018, m020, m021)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from server import core
from server.store.base import SERVED_SQL, TxBase, _iso, sql_words

_UNSERVED_SQL = sql_words(core.UNSERVED_ENDS)
# The counter that last sent the ticket `t` on to another service (events by ticket: idx_events_ticket_seq).
_TRANSFER_COUNTER = (
    "SELECT e.counter_id FROM events e WHERE e.ticket_id = t.id AND e.type = 'transferred' ORDER BY e.seq DESC LIMIT 1"
)

SCORE_COLUMNS = tuple(f"u{i}" for i in range(1, 10))
PROFILE_COLUMNS = ("sex", "age", "education", "occupation")
# What a response row holds besides its id and the complaint's answer.
RESPONSE_COLUMNS = (
    "ticket_id",
    "day",
    "service",
    "counter_id",
    "channel",
    "wording",
    *SCORE_COLUMNS,
    *PROFILE_COLUMNS,
)


def _survey_where(
    day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None, alias: str = "r"
) -> tuple[str, list[Any]]:
    """The WHERE clause over survey responses (or tickets, `alias`) of the days and filters."""
    sql = f"{alias}.day BETWEEN ? AND ?"
    params: list[Any] = [day_from, day_to]
    if service:
        sql += f" AND {alias}.service = ?"
        params.append(service)
    if counter_id is not None:
        sql += f" AND {alias}.counter_id = ?"
        params.append(counter_id)
    return sql, params


class SurveyQueries(TxBase):
    """Survey responses, their sums, complaints and the questionnaire's wording."""

    # -- one response ----------------------------------------------------------------------
    def survey_response(self, ticket_id: int) -> dict[str, Any] | None:
        """The response given for a ticket, or None."""
        return self.one("SELECT * FROM survey_responses WHERE ticket_id = ?", [ticket_id])

    def survey_response_by_id(self, response_id: int) -> dict[str, Any] | None:
        """A response by its id (with its ticket's label while the link is kept), or None."""
        return self.one(
            "SELECT r.*, t.label FROM survey_responses r LEFT JOIN tickets t ON t.id = r.ticket_id WHERE r.id = ?",
            [response_id],
        )

    def insert_survey_response(self, row: dict[str, Any], suggestion: str | None, now: datetime) -> int:
        """Store a first response (row: RESPONSE_COLUMNS); its id."""
        values = {k: row.get(k) for k in RESPONSE_COLUMNS}
        values.update(suggestion=suggestion, created_at=_iso(now), updated_at=_iso(now))
        values["text_at"] = _iso(now) if suggestion is not None else None
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.db.execute(f"INSERT INTO survey_responses ({cols}) VALUES ({marks})", list(values.values()))
        return cur.lastrowid

    def update_survey_response(self, response_id: int, row: dict[str, Any], now: datetime) -> None:
        """A correction: the scores, profile, channel and the wording they were given under anew, counted (the
        text is set_complaint_text's)."""
        values = {k: row.get(k) for k in ("channel", "wording", *SCORE_COLUMNS, *PROFILE_COLUMNS)}
        values["updated_at"] = _iso(now)
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(
            f"UPDATE survey_responses SET {sets}, corrections = corrections + 1 WHERE id = ?",
            [*values.values(), response_id],
        )

    # -- the index ---------------------------------------------------------------------------
    def skm_sums(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Per (service, counter_id): {service, counter_id, respondents, s_u1..s_u9, n_u1..n_u9}, each element's
        sum of scores and number of answers. Sums add up: the totals per service, per counter and of
        everything are made from these (one pass over the responses)."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        sums = ", ".join(f"SUM(r.{c}) AS s_{c}, COUNT(r.{c}) AS n_{c}" for c in SCORE_COLUMNS)
        return self.rows(
            f"SELECT r.service, r.counter_id, COUNT(*) AS respondents, {sums} FROM survey_responses r"
            f" WHERE {where} GROUP BY r.service, r.counter_id",
            params,
        )

    def served_population(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The survey's population per (service, counter_id): {service, counter_id, n} visitors served
        (resolved, escalated, closed), and those served before a transfer and never at the service they were
        sent to (core.partly_served), counted where they were served: the service they were sent on from
        and the counter that sent them (transfer_counter), as their responses are."""
        served = f"t.status IN ({SERVED_SQL})"
        where = f"t.day BETWEEN ? AND ? AND ({served} OR (t.status IN ({_UNSERVED_SQL}) AND t.served_before_ms > 0))"
        params: list[Any] = [day_from, day_to]
        at_service = f"CASE WHEN {served} THEN t.service ELSE COALESCE(NULLIF(t.transferred_from, ''), t.service) END"
        at_counter = f"CASE WHEN {served} THEN t.counter_id ELSE ({_TRANSFER_COUNTER}) END"
        if service:
            where += f" AND {at_service} = ?"
            params.append(service)
        if counter_id is not None:
            where += f" AND {at_counter} = ?"
            params.append(counter_id)
        return self.rows(
            f"SELECT {at_service} AS service, {at_counter} AS counter_id, COUNT(*) AS n FROM tickets t"
            f" WHERE {where} GROUP BY 1, 2",
            params,
        )

    def transfer_counter(self, ticket_id: int) -> int | None:
        """The counter that last sent a ticket on to another service (its latest `transferred` event), or None."""
        row = self.one(
            "SELECT counter_id FROM events WHERE ticket_id = ? AND type = 'transferred' ORDER BY seq DESC LIMIT 1",
            [ticket_id],
        )
        return row["counter_id"] if row else None

    def skm_profile_counts(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> list[tuple[Any, ...]]:
        """(sex, age, education, occupation, respondents) per combination given (None: not given), in one
        pass; the report counts each item from these."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        return self.db.execute(
            f"SELECT r.sex, r.age, r.education, r.occupation, COUNT(*) FROM survey_responses r WHERE {where}"
            " GROUP BY r.sex, r.age, r.education, r.occupation",
            params,
        ).fetchall()

    def skm_suggestions(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The suggestions and complaints of the days, oldest first: {id, day, created_at, service, counter_id,
        suggestion, answer, answered_at, closed_at} (never who gave them)."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        return self.rows(
            "SELECT r.id, r.day, r.created_at, r.service, r.counter_id, r.suggestion, r.answer, r.answered_at,"
            f" r.closed_at FROM survey_responses r WHERE {where} AND r.suggestion IS NOT NULL ORDER BY r.created_at, r.id",
            params,
        )

    def skm_wording_counts(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Per wording the days' responses were answered under (None: not recorded, m021): {wording,
        responses, first_day, last_day}, the unrecorded first, then oldest first."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        return self.rows(
            "SELECT r.wording, COUNT(*) AS responses, MIN(r.day) AS first_day, MAX(r.day) AS last_day"
            f" FROM survey_responses r WHERE {where} GROUP BY r.wording ORDER BY r.wording IS NOT NULL, r.wording",
            params,
        )

    def skm_scores_iter(
        self, day_from: str, day_to: str, service: str | None = None, counter_id: int | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Each response's (day, service, counter_id, u1..u9), oldest first: the report's data table."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        cols = ", ".join(f"r.{c}" for c in SCORE_COLUMNS)
        yield from self.db.execute(
            f"SELECT r.day, r.service, r.counter_id, {cols} FROM survey_responses r WHERE {where}"
            " ORDER BY r.day, r.created_at, r.id",
            params,
        )

    # -- complaints ----------------------------------------------------------------------------
    # A complaint is a response with text: open, answered (answer, answered_by, answered_at) or closed
    # without a reply (closed_by, closed_at), never both. What a later change replaces (a text, a reply,
    # a close) is kept in complaint_history with who and when, so nothing written is lost.
    _COMPLAINT_COLUMNS = (
        "r.id, r.ticket_id, r.day, r.service, r.counter_id, r.suggestion, r.created_at, r.updated_at,"
        " COALESCE(r.text_at, r.created_at) AS text_at, r.answer, r.answered_by, r.answered_at, r.closed_by,"
        " r.closed_at"
    )
    _DONE = {
        "answered": "r.answered_at IS NOT NULL",
        "closed": "r.closed_at IS NOT NULL",
        "all": "(r.answered_at IS NOT NULL OR r.closed_at IS NOT NULL)",
    }

    def _complaint_filters(
        self, day_from: str | None, day_to: str | None, done_between: tuple[str, str] | None
    ) -> tuple[str, list[Any], dict[str, tuple[str, list[Any]]]]:
        """The WHERE clauses of a complaints list: (the open ones', its params, per done status ("answered",
        "closed", "all") its clause and params). Of the days (`day_from`..`day_to`, the ticket's day: when it
        was received) when given; `done_between` ([start, end) as UTC ISO instants) lists instead every open
        one whatever its day, and the answered or closed ones done between the two."""
        base = "r.suggestion IS NOT NULL"
        params: list[Any] = []
        if done_between is None and day_from is not None and day_to is not None:
            base += " AND r.day BETWEEN ? AND ?"
            params += [day_from, day_to]
        open_where = f"{base} AND r.answered_at IS NULL AND r.closed_at IS NULL"
        if done_between is None:
            done = {status: (f"{base} AND {cond}", params) for status, cond in self._DONE.items()}
            return open_where, params, done
        start, end = done_between
        answered = ("r.answered_at >= ? AND r.answered_at < ?", [start, end])
        closed = ("r.closed_at >= ? AND r.closed_at < ?", [start, end])
        done = {
            "answered": (f"{base} AND {answered[0]}", answered[1]),
            "closed": (f"{base} AND {closed[0]}", closed[1]),
            "all": (f"{base} AND (({answered[0]}) OR ({closed[0]}))", [*answered[1], *closed[1]]),
        }
        return open_where, params, done

    def complaints(
        self,
        status: str = "all",
        day_from: str | None = None,
        day_to: str | None = None,
        limit: int = 1000,
        done_between: tuple[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Responses with a suggestion or complaint (with their ticket's label while linked): the open ones
        (the newest `limit`, listed oldest first, so that a new one is never left out), then the answered or
        closed ones most recently done first (at most `limit`). Of the days, or `done_between`
        (_complaint_filters)."""
        open_where, open_params, done = self._complaint_filters(day_from, day_to, done_between)
        select = f"SELECT {self._COMPLAINT_COLUMNS}, t.label FROM survey_responses r LEFT JOIN tickets t ON t.id = r.ticket_id"
        out: list[dict[str, Any]] = []
        if status in ("all", "open"):
            newest = self.rows(
                f"{select} WHERE {open_where} ORDER BY COALESCE(r.text_at, r.created_at) DESC, r.id DESC LIMIT ?",
                [*open_params, limit],
            )
            out += reversed(newest)
        if status in done:
            where, params = done[status]
            out += self.rows(
                f"{select} WHERE {where} ORDER BY COALESCE(r.answered_at, r.closed_at) DESC, r.id LIMIT ?",
                [*params, limit],
            )
        return out

    def complaints_iter(
        self,
        status: str = "all",
        day_from: str | None = None,
        day_to: str | None = None,
        done_between: tuple[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every complaint of a list (complaints' filters, no limit), one at a time in the order received
        (the text's time, then the id): the export's rows, however many."""
        open_where, open_params, done = self._complaint_filters(day_from, day_to, done_between)
        parts = []
        if status in ("all", "open"):
            parts.append((open_where, open_params))
        if status in done:
            parts.append(done[status])
        if not parts:
            return
        where = " OR ".join(f"({w})" for w, _ in parts)
        params = [p for _, ps in parts for p in ps]
        cur = self.db.execute(
            f"SELECT {self._COMPLAINT_COLUMNS}, t.label FROM survey_responses r"
            f" LEFT JOIN tickets t ON t.id = r.ticket_id WHERE {where} ORDER BY COALESCE(r.text_at, r.created_at), r.id",
            params,
        )
        cols = [c[0] for c in cur.description]
        for row in cur:
            yield dict(zip(cols, row, strict=True))

    def served_by(self, ticket_ids: list[int], username: str) -> set[int]:
        """Which of these tickets `username` served: started serving it (at any of its services, before a
        transfer too: each start is a `started` event) or finished it."""
        if not ticket_ids:
            return set()
        ids = json.dumps(ticket_ids)
        rows = self.rows(
            "SELECT id FROM tickets WHERE officer = ? AND id IN (SELECT value FROM json_each(?))"
            " UNION SELECT ticket_id FROM events WHERE type = 'started' AND actor = ?"
            " AND ticket_id IN (SELECT value FROM json_each(?))",
            [username, ids, username, ids],
        )
        return {r["id"] for r in rows}

    def complaint_counts(
        self, day_from: str | None = None, day_to: str | None = None, done_between: tuple[str, str] | None = None
    ) -> dict[str, int]:
        """How many complaints are open, answered and closed (of the days, when given; or every open one and
        those answered or closed `done_between`, _complaint_filters): the true totals, whatever a list
        leaves out."""
        open_where, open_params, done = self._complaint_filters(day_from, day_to, done_between)
        counts = {"open": self.one(f"SELECT COUNT(*) AS n FROM survey_responses r WHERE {open_where}", open_params)}
        for status in ("answered", "closed"):
            where, params = done[status]
            counts[status] = self.one(f"SELECT COUNT(*) AS n FROM survey_responses r WHERE {where}", params)
        return {k: (row["n"] if row else 0) or 0 for k, row in counts.items()}

    def complaint_history(self, response_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """What was replaced on these complaints, per id, oldest first: {kind ("text", "answer", "closed"),
        text, actor, at (when it was written), replaced_at}."""
        out: dict[int, list[dict[str, Any]]] = {}
        if not response_ids:
            return out
        rows = self.rows(
            "SELECT response_id, kind, text, actor, at, replaced_at FROM complaint_history"
            " WHERE response_id IN (SELECT value FROM json_each(?)) ORDER BY response_id, id",
            [json.dumps(response_ids)],
        )
        for r in rows:
            out.setdefault(r.pop("response_id"), []).append(r)
        return out

    def _keep(self, response_id: int, kind: str, text: str | None, actor: str | None, at: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO complaint_history (response_id, kind, text, actor, at, replaced_at) VALUES (?, ?, ?, ?, ?, ?)",
            [response_id, kind, text, actor, at, _iso(now)],
        )

    def _keep_reply(self, old: dict[str, Any], now: datetime) -> None:
        """Keep the complaint's reply or close in the history (before it is replaced or undone)."""
        if old.get("answered_at"):
            self._keep(old["id"], "answer", old["answer"], old["answered_by"], old["answered_at"], now)
        if old.get("closed_at"):
            self._keep(old["id"], "closed", None, old["closed_by"], old["closed_at"], now)

    def set_complaint_text(self, old: dict[str, Any], text: str, now: datetime) -> None:
        """A visitor's new text (a correction): the earlier text and its reply or close go to the history,
        and the complaint is open again, its age counted from now."""
        if old["suggestion"] is not None:
            self._keep(old["id"], "text", old["suggestion"], None, old.get("text_at") or old["created_at"], now)
        self._keep_reply(old, now)
        self.db.execute(
            "UPDATE survey_responses SET suggestion = ?, text_at = ?, answer = NULL, answered_by = NULL,"
            " answered_at = NULL, closed_by = NULL, closed_at = NULL WHERE id = ?",
            [text, _iso(now), old["id"]],
        )

    def answer_complaint(self, old: dict[str, Any], answer: str, actor: str, now: datetime) -> None:
        """Record the office's answer to a complaint; an earlier answer, or its close, goes to the history."""
        self._keep_reply(old, now)
        self.db.execute(
            "UPDATE survey_responses SET answer = ?, answered_by = ?, answered_at = ?, closed_by = NULL,"
            " closed_at = NULL WHERE id = ?",
            [answer, actor, _iso(now), old["id"]],
        )

    def close_complaint(self, response_id: int, actor: str, now: datetime) -> None:
        """Close a complaint that needs no reply ("Tidak perlu dijawab"), with who and when."""
        self.db.execute(
            "UPDATE survey_responses SET closed_by = ?, closed_at = ? WHERE id = ?", [actor, _iso(now), response_id]
        )

    def reopen_complaint(self, old: dict[str, Any], now: datetime) -> None:
        """Undo a close: the close goes to the history, the complaint is open again."""
        self._keep_reply(old, now)
        self.db.execute("UPDATE survey_responses SET closed_by = NULL, closed_at = NULL WHERE id = ?", [old["id"]])

    # -- the questionnaire's wording --------------------------------------------------------------
    def survey_texts(self) -> dict[str, dict[str, Any]]:
        """The wording an admin set, per element ({question, choices}); elements left at the defaults are
        absent."""
        return {r["element"]: json.loads(r["value"]) for r in self.rows("SELECT element, value FROM survey_texts")}

    def set_survey_text(self, element: str, value: dict[str, Any] | None, actor: str, now: datetime) -> None:
        """Store an element's wording (None: back to the default)."""
        if value is None:
            self.db.execute("DELETE FROM survey_texts WHERE element = ?", [element])
            return
        self.db.execute(
            "INSERT INTO survey_texts (element, value, updated_at, actor) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(element) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " actor = excluded.actor",
            [element, json.dumps(value, ensure_ascii=False), _iso(now), actor],
        )

    # -- the wordings the office used --------------------------------------------------------------
    # Each is the whole questionnaire ({element: {question, choices}}), kept for good: a response names
    # the one it was answered under. A new one is added whenever the wording in use changes.
    @staticmethod
    def _wording(row: dict[str, Any] | None) -> dict[str, Any] | None:
        if row is None:
            return None
        return {**row, "texts": json.loads(row["texts"]), "custom": json.loads(row["custom"])}

    def survey_wording_latest(self) -> dict[str, Any] | None:
        """The newest wording kept ({id, texts, custom, set_at, actor}), or None."""
        return self._wording(self.one("SELECT * FROM survey_wordings ORDER BY id DESC LIMIT 1"))

    def survey_wordings(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """The wordings of these ids, by id."""
        if not ids:
            return {}
        rows = self.rows(
            "SELECT * FROM survey_wordings WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", [json.dumps(ids)]
        )
        return {r["id"]: self._wording(r) for r in rows}

    def add_survey_wording(self, texts: dict[str, Any], custom: list[str], actor: str | None, now: datetime) -> int:
        """Keep a new wording in use from `now` (`custom`: the elements whose words are not the model
        questionnaire's; actor None: not an admin's, e.g. a new release's model questionnaire); its id."""
        cur = self.db.execute(
            "INSERT INTO survey_wordings (texts, custom, set_at, actor) VALUES (?, ?, ?, ?)",
            [json.dumps(texts, ensure_ascii=False), json.dumps(sorted(custom)), _iso(now), actor],
        )
        return cur.lastrowid

    # -- retention and the archive ---------------------------------------------------------------
    def unlink_survey_before(self, day: str) -> int:
        """Cut the link of the responses of days before `day` to their tickets (the scores, service,
        counter and day stay for the index); how many were cut."""
        return self.db.execute(
            "UPDATE survey_responses SET ticket_id = NULL WHERE day < ? AND ticket_id IS NOT NULL", [day]
        ).rowcount

    def survey_archive_rows(self, day_from: str, day_to: str) -> list[dict[str, Any]]:
        """The days' responses for the monthly archive, with their ticket's label while linked (no name)."""
        return self.rows(
            "SELECT r.*, t.label FROM survey_responses r LEFT JOIN tickets t ON t.id = r.ticket_id"
            " WHERE r.day BETWEEN ? AND ? ORDER BY r.id",
            [day_from, day_to],
        )

    def survey_wording_archive_rows(self, day_from: str, day_to: str) -> list[dict[str, Any]]:
        """The wordings the days' responses were answered under, for the monthly archive."""
        return self.rows(
            "SELECT * FROM survey_wordings WHERE id IN (SELECT wording FROM survey_responses"
            " WHERE day BETWEEN ? AND ?) ORDER BY id",
            [day_from, day_to],
        )

    def complaint_history_archive_rows(self, day_from: str, day_to: str) -> list[dict[str, Any]]:
        """The replaced texts, replies and closes of the days' responses, for the monthly archive."""
        return self.rows(
            "SELECT h.* FROM complaint_history h JOIN survey_responses r ON r.id = h.response_id"
            " WHERE r.day BETWEEN ? AND ? ORDER BY h.id",
            [day_from, day_to],
        )
