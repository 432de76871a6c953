"""The public-satisfaction survey (SKM): responses (one per ticket), the sums the index is made of,
the respondent profile's counts, the suggestions and complaints with their answers, the wording an
admin changed, and retention's cut of the link to the ticket (server/migrations.py m018)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from server.store.base import SERVED_SQL, TxBase, _iso

SCORE_COLUMNS = tuple(f"u{i}" for i in range(1, 10))
PROFILE_COLUMNS = ("sex", "age", "education", "occupation")
# What a response row holds besides its id and the complaint's answer.
RESPONSE_COLUMNS = ("ticket_id", "day", "service", "counter_id", "channel", *SCORE_COLUMNS, *PROFILE_COLUMNS)


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
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.db.execute(f"INSERT INTO survey_responses ({cols}) VALUES ({marks})", list(values.values()))
        return cur.lastrowid

    def update_survey_response(
        self, response_id: int, row: dict[str, Any], suggestion: str | None, now: datetime
    ) -> None:
        """A correction: the scores, profile, suggestion and channel given anew (the answer to a complaint
        stays)."""
        values = {k: row.get(k) for k in ("channel", *SCORE_COLUMNS, *PROFILE_COLUMNS)}
        values.update(suggestion=suggestion, updated_at=_iso(now))
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"UPDATE survey_responses SET {sets} WHERE id = ?", [*values.values(), response_id])

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
        (resolved, escalated, closed)."""
        where, params = _survey_where(day_from, day_to, service, counter_id, alias="t")
        return self.rows(
            f"SELECT t.service, t.counter_id, COUNT(*) AS n FROM tickets t WHERE {where}"
            f" AND t.status IN ({SERVED_SQL}) GROUP BY t.service, t.counter_id",
            params,
        )

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
        suggestion, answer, answered_at} (never who gave them)."""
        where, params = _survey_where(day_from, day_to, service, counter_id)
        return self.rows(
            "SELECT r.id, r.day, r.created_at, r.service, r.counter_id, r.suggestion, r.answer, r.answered_at"
            f" FROM survey_responses r WHERE {where} AND r.suggestion IS NOT NULL ORDER BY r.created_at, r.id",
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
    def complaints(
        self, status: str = "all", day_from: str | None = None, day_to: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """Responses with a suggestion or complaint (with their ticket's label while linked): the open ones
        oldest first, then the answered ones most recently answered first; at most `limit`."""
        sql = "r.suggestion IS NOT NULL"
        params: list[Any] = []
        if status == "open":
            sql += " AND r.answered_at IS NULL"
        elif status == "answered":
            sql += " AND r.answered_at IS NOT NULL"
        if day_from is not None and day_to is not None:
            sql += " AND r.day BETWEEN ? AND ?"
            params += [day_from, day_to]
        return self.rows(
            "SELECT r.id, r.ticket_id, r.day, r.service, r.counter_id, r.suggestion, r.created_at, r.updated_at,"
            " r.answer, r.answered_by, r.answered_at, t.label FROM survey_responses r"
            f" LEFT JOIN tickets t ON t.id = r.ticket_id WHERE {sql}"
            " ORDER BY r.answered_at IS NOT NULL, CASE WHEN r.answered_at IS NULL THEN r.created_at END,"
            " r.answered_at DESC, r.id LIMIT ?",
            [*params, limit],
        )

    def answer_complaint(self, response_id: int, answer: str, actor: str, now: datetime) -> None:
        """Record the office's answer to a complaint (a second answer replaces the first)."""
        self.db.execute(
            "UPDATE survey_responses SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
            [answer, actor, _iso(now), response_id],
        )

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
