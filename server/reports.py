"""The recap (Rekap Penanganan Permasalahan) in the seed's six columns."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

RECAP_COLUMNS = ("No", "Nama", "Alamat", "Permasalahan", "Solusi", "Keterangan")
CATEGORY_NAMES = {"pengaduan": "Pengaduan", "pertanyaan": "Pertanyaan", "konsultasi": "Konsultasi"}
OUTCOME_NAMES = {"resolved": "Selesai", "escalated": "Eskalasi ke Helpdesk LKPP", "closed": "Eskalasi LKPP, dijawab"}
MAX_RANGE_DAYS = 3660


def check_range(day_from: object, day_to: object) -> dict[str, str]:
    """Field problems of a from/to pair of YYYY-MM-DD days (empty when fine)."""
    bad: dict[str, str] = {}
    parsed = {}
    for key, value in (("from", day_from), ("to", day_to)):
        if not value:
            bad[key] = "required"
            continue
        try:
            parsed[key] = date.fromisoformat(str(value))
            if len(str(value)) != 10:
                raise ValueError
        except ValueError:
            bad[key] = "invalid"
    if not bad and (parsed["to"] < parsed["from"] or (parsed["to"] - parsed["from"]).days > MAX_RANGE_DAYS):
        bad["to"] = "invalid"
    return bad


def keterangan(row: dict[str, Any]) -> str:
    """Remarks: the category, the outcome and, for escalations, the LKPP ticket number."""
    parts = []
    if row.get("category"):
        parts.append(CATEGORY_NAMES.get(row["category"], row["category"]))
    parts.append(OUTCOME_NAMES.get(row["status"], row["status"]))
    if row["status"] in ("escalated", "closed") and row.get("lkpp_ticket"):
        parts.append(f"Tiket LKPP {row['lkpp_ticket']}")
    return "; ".join(parts)


def solusi(row: dict[str, Any]) -> str:
    """The written solution, or for an escalation the analysis and, once closed, LKPP's answer."""
    if row["status"] == "resolved":
        return row.get("solution") or ""
    text = row.get("escalation_note") or ""
    if row.get("lkpp_answer"):
        text = f"{text}\nJawaban LKPP: {row['lkpp_answer']}".strip()
    return text


def recap_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store rows (ticket joined with its form) as recap rows keyed by the six headings."""
    return [
        {
            "No": i,
            "Nama": r["name"],
            "Alamat": r["address"],
            "Permasalahan": r["problem"],
            "Solusi": solusi(r),
            "Keterangan": keterangan(r),
        }
        for i, r in enumerate(rows, start=1)
    ]


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def recap_csv(rows: list[dict[str, Any]]) -> bytes:
    """CSV, UTF-8 with a BOM so that Excel opens it right."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(RECAP_COLUMNS)
    for r in rows:
        writer.writerow([_cell(r[c]) for c in RECAP_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
