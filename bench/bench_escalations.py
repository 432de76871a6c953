"""The Eskalasi page's list with many cases open: GET /api/escalations on a real server.

    .venv/bin/python bench/bench_escalations.py [--cases 300] [--requests 200] [--json]

Starts `python -m server serve` (gevent, SQLite WAL) on a free port of 127.0.0.1 with a bench copy of config.toml,
e-mail on to a real SMTP server on 127.0.0.1 (aiosmtpd, tests/smtp.py), and opens N cases over the API: an officer
at Loket 1 issues, calls, serves and escalates each (a priority class in three of four), the mail sender sends
their mails, then every third case's analysis is corrected after its mail went (the list then says LKPP has the
old text). It then GETs /api/escalations `--requests` times on one keep-alive connection, as the front office's
page loads it, and prints p50/p99/max of the answer's time and its size. It reports; it never asserts (exit 0).
docs/performance.md, "The Eskalasi list with many cases open".
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, write_bench_config  # noqa: E402  (puts tests/ on sys.path)
from conftest import visitor  # noqa: E402
from live import LiveServer, free_port  # noqa: E402
from smtp import SmtpServer  # noqa: E402

PASSWORD = "rahasia-123"


def open_cases(server: LiveServer, officer: requests.Session, cases: int) -> list[int]:
    """N cases escalated at Loket 1 by the officer; their ticket ids."""
    ids = []
    for i in range(cases):
        r = requests.post(server.url + "/api/tickets", json=visitor(name=f"Pengunjung {i}"), timeout=10)
        r.raise_for_status()
        note = {"note": f"Analisis kasus {i}: perlu dicek LKPP", "category": "pengaduan"}
        if i % 4:
            note["priority_class"] = ("P1", "P2", "P3")[i % 3]
        for action, body in (("call-next", {}), ("start", {}), ("escalate", note)):
            r = officer.post(f"{server.url}/api/counters/1/{action}", json=body, timeout=10)
            r.raise_for_status()
        ids.append(r.json()["ticket"]["id"])
    return ids


def wait_mails_sent(server: LiveServer, officer: requests.Session, cases: int, seconds: float = 120.0) -> int:
    """Until every case's mail is sent (or `seconds` pass): how many are."""
    deadline = time.monotonic() + seconds
    while True:
        listed = officer.get(server.url + "/api/escalations", timeout=30).json()["escalations"]
        sent = sum(1 for c in listed if (c["mail"] or {}).get("status") == "sent")
        if sent >= cases or time.monotonic() > deadline:
            return sent
        time.sleep(0.2)


def run(args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="antrian-bench-escalations-"))
    smtp = SmtpServer(free_port())
    smtp.start()
    cfg = write_bench_config(tmp, counters=3)
    text = cfg.read_text(encoding="utf-8")
    text = re.sub(
        r'(\[escalation\][^\[]*?)enabled = false\nhost = "127.0.0.1"\nport = 25',
        rf'\1enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}',
        text,
    )
    cfg.write_text(text, encoding="utf-8")
    server = LiveServer(cfg)
    try:
        server.start()
        server.add_user("budi", "officer", PASSWORD, scrypt=True)
        officer = server.session("budi", PASSWORD)
        started = time.monotonic()
        ids = open_cases(server, officer, args.cases)
        sent = wait_mails_sent(server, officer, args.cases)
        for tid in ids[::3]:  # corrected after the mail went: the case's events are read for it
            r = officer.post(f"{server.url}/api/tickets/{tid}/correct", json={"escalation_note": "Dikoreksi."})
            r.raise_for_status()
        filled = time.monotonic() - started
        times, size = [], 0
        for _ in range(args.requests):
            t0 = time.perf_counter()
            r = officer.get(server.url + "/api/escalations", timeout=30)
            times.append((time.perf_counter() - t0) * 1000)
            r.raise_for_status()
            size = len(r.content)
        listed = r.json()["escalations"]
        return {
            "cases": len(listed),
            "mails_sent": sent,
            "corrected_after_mail": sum(1 for c in listed if (c["mail"] or {}).get("corrected_at")),
            "fill_s": round(filled, 1),
            "requests": len(times),
            "bytes": size,
            "p50_ms": round(percentile(times, 50), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "max_ms": round(max(times), 1),
        }
    finally:
        server.stop()
        smtp.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=300, help="open escalations (default 300)")
    ap.add_argument("--requests", type=int, default=200, help="GET /api/escalations this many times (default 200)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"GET /api/escalations, {result['cases']} open cases ({result['mails_sent']} mails sent, "
            f"{result['corrected_after_mail']} corrected since), {result['bytes']:,} bytes, {result['requests']} "
            f"requests: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
