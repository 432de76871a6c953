"""An officer's login while strangers guess passwords: its time with and without a device cookie.

The server checks passwords one at a time (scrypt, about 0.1 s each, in one native thread). This starts the
real server (`python -m server serve`, gevent) on 127.0.0.1 with production (scrypt) hashes, lets N addresses
(127.0.10.1 onwards: all of 127/8 is loopback) guess the admin's and two officers' passwords, each address
sending its next guess as soon as the last is answered (0.1 s after a 429), and while they do, times one
officer's login (budi, from 127.0.0.2):

- *with cookie*: the browser budi logged in from before the attack, which holds the device cookie the server
  gave it then (server/auth.py DeviceTrust): its check goes ahead of the strangers';
- *without*: a browser budi never logged in from: its first answer (200, or 429 login_busy at once when the
  strangers' line is full), and how long until it is in, trying again a second after each 429 as a person would.

Each count of addresses runs --rounds times on fresh addresses (the login throttle's counts are per address),
the guesses stopped and their checks done between rounds. Run it from an older tree (the same command) for the
figures before: there no cookie is given, and both logins wait in the one line.

    .venv/bin/python bench/bench_logins.py [--addresses 0,25,100,200] [--rounds 3] [--json]

It reports; it does not assert. The server stops at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_bench_config  # noqa: E402
from live import LiveServer  # noqa: E402  (tests/live.py, put on sys.path by common)

PASSWORD = "rahasia-123"
TARGETS = ("kepala", "sari", "dewi")  # the accounts the strangers guess at (10 guesses a name per address)
OFFICER = "budi"
OFFICER_PC = "127.0.0.2"
NEW_PC = "127.0.0.3"


def post_login(port: int, source: str, username: str, password: str, cookie: str = "", timeout: float = 60.0):
    """POST /api/login from `source`: (status, error code, seconds, the device cookie it set or '')."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    body = json.dumps({"username": username, "password": password})
    headers = {"Content-Type": "application/json", "Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    t0 = time.perf_counter()
    try:
        conn.request("POST", "/api/login", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        took = time.perf_counter() - t0
        device = ""
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie" and value.startswith("antrian_device="):
                device = value.split(";", 1)[0]
        code = ""
        if resp.status != 200:
            try:
                code = json.loads(data).get("error", "")
            except ValueError:
                code = "not_json"
        return resp.status, code, took, device
    except OSError as err:
        return 0, type(err).__name__, time.perf_counter() - t0, ""
    finally:
        conn.close()


class Attack:
    """N addresses guessing, each one request at a time, until stopped."""

    def __init__(self, port: int, addresses: list[str]):
        self.port = port
        self.addresses = addresses
        self.stop = threading.Event()
        self.answers: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._guess, args=(a,), daemon=True) for a in addresses]

    def _guess(self, address: str) -> None:
        n = 0
        while not self.stop.is_set():
            status, code, _, _ = post_login(self.port, address, TARGETS[n % len(TARGETS)], f"tebakan-{n}")
            n += 1
            with self.lock:
                self.answers[f"{status} {code}".strip()] += 1
            if status != 401:
                self.stop.wait(0.1 if status == 429 else 0.5)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def end(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(120)


def until_in(port: int, source: str, limit: float = 30.0) -> tuple[float, int, str, float]:
    """A login from a browser without a device cookie, tried again a second after each refusal: (its first
    answer's seconds, its status, its error code, the seconds until it was in (or `limit`))."""
    t0 = time.perf_counter()
    first = None
    while True:
        status, code, took, _ = post_login(port, source, OFFICER, PASSWORD)
        if first is None:
            first = (took, status, code)
        if status == 200 or time.perf_counter() - t0 > limit:
            return (*first, time.perf_counter() - t0)
        time.sleep(1.0)


def addresses(start: int, n: int) -> list[str]:
    """`n` addresses of 127/8 not used before (the `start`th onwards), from 127.10.0.1."""
    return [f"127.{10 + k // 62500}.{k // 250 % 250}.{k % 250 + 1}" for k in range(start, start + n)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--addresses", default="0,25,100,200", help="counts of guessing addresses, comma-separated")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--ramp", type=float, default=1.5, help="seconds the guesses run before the officer logs in")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    counts = [int(x) for x in args.addresses.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-logins-") as tmp:
        server = LiveServer(write_bench_config(Path(tmp), counters=2)).start()
        try:
            for name in (OFFICER, *TARGETS):
                server.add_user(name, "admin" if name == "kepala" else "officer", password=PASSWORD, scrypt=True)
            # budi's own PC: logged in there before (the cookie the server gave it then, if it gives one)
            status, code, _, device = post_login(server.port, OFFICER_PC, OFFICER, PASSWORD)
            if status != 200:
                sys.exit(f"bench: budi's first login answered {status} {code}")
            used = 0
            for n in counts:
                for r in range(args.rounds):
                    attack = Attack(server.port, addresses(used, n))
                    used += n
                    attack.start()
                    time.sleep(args.ramp)  # the strangers' guesses fill the line
                    s1, c1, with_cookie, renewed = post_login(server.port, OFFICER_PC, OFFICER, PASSWORD, device)
                    device = renewed or device
                    first, s2, c2, in_after = until_in(server.port, NEW_PC)
                    attack.end()
                    row = {
                        "addresses": n,
                        "round": r + 1,
                        "with_cookie_s": round(with_cookie, 3),
                        "with_cookie_status": f"{s1} {c1}".strip(),
                        "without_first_s": round(first, 3),
                        "without_first_status": f"{s2} {c2}".strip(),
                        "without_in_s": round(in_after, 2),
                        "guesses": dict(attack.answers),
                    }
                    results.append(row)
                    if not args.json:
                        print(
                            f"{n:4d} addresses, round {r + 1}: with cookie {with_cookie:6.2f} s"
                            f" ({row['with_cookie_status']}); without: first answer {first:6.2f} s"
                            f" ({row['without_first_status']}), in after {in_after:6.2f} s;"
                            f" guesses answered {dict(attack.answers)}",
                            flush=True,
                        )
        finally:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print("\naddresses | with cookie, median s | without: first answer, median s | without: in after, median s")
    for n in counts:
        rows = [r for r in results if r["addresses"] == n]
        med = [statistics.median(r[k] for r in rows) for k in ("with_cookie_s", "without_first_s", "without_in_s")]
        print(f"{n:9d} | {med[0]:21.2f} | {med[1]:32.2f} | {med[2]:26.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
