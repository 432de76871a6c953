"""Call to the first byte of its speech, espeak-ng against a recorded voice pack (`[tts] engine = "clips"`).

A real server (`python -m server serve`, gevent) for each engine; the clips server speaks with a pack
made by voices/make_espeak_pack.py (espeak-ng's words, recorded once). A display's Socket.IO client
listens as a TV does. For each of N calls, each a new ticket and so a new phrase:

- miss: from the officer's call-next to the first byte of `/api/tts/<key>.ogg` served (the event's
  announce.audio): the phrase is made after the call (espeak-ng, or the clips joined) and encoded to Ogg
  Vorbis by sox, the request waiting while it is made;
- hit: from a recall of the same ticket (its second call) to the first byte of the same URL, the file now
  cached (asked after the recall's intro, as the TV does).

A recall says which call it is before the call ("Panggilan kedua.", the last "Panggilan terakhir."), a file of
its own (the event's announce.intro) that the TV plays first, so it is the recall's first sound. Each ticket is
recalled twice (its second and last call; [queue] max_calls = 3):

- intro-new: from the recall to the first byte of its intro, the first time that intro is said (made, then
  kept: one per call count, so two a run, both the warm-up ticket's);
- intro-hit: the same for every later recall, the intro cached;
- intro-play, call-play: how long the intro and the call play (ms of sound, the served Ogg's length): the
  intro is heard before the call, each of the `repeat` times.

One warm-up call before each run (espeak-ng's worker starts; the pack is loaded first). Then, in this
process and without sox, the making of a WAV alone: espeak-ng's (`Speech.synthesize`, a new phrase each
time) against the clips joined (`Pack.render`, the same phrases), and the intros' (made anew each time).
Prints p50/p99 (ms) per engine and case; `--json` for the rows. It reports; it does not assert.

    .venv/bin/python bench/bench_voice.py [--calls 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import queue
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, percentile, write_bench_config  # noqa: E402
from conftest import visitor  # noqa: E402  (tests/, put on sys.path by common)
from live import LiveServer  # noqa: E402

PASSWORD = "rahasia-123"
RESOLVE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}


def first_byte(url: str) -> int:
    """GET `url` and read its first byte; the status."""
    with requests.get(url, stream=True, timeout=30) as r:
        r.raw.read(1)
        return r.status_code


def play_ms(url: str, tmp: Path) -> float:
    """How long the audio at `url` plays, in milliseconds (soxi reads the file's length)."""
    r = requests.get(url, timeout=30)
    r.raise_for_status()
    path = tmp / ("played." + url.rsplit(".", 1)[-1])
    path.write_bytes(r.content)
    done = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(done.stdout) * 1000


def wait_for_pack(server: LiveServer, admin: requests.Session, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = admin.get(f"{server.url}/api/admin/voice", timeout=5).json()
        if status["pack"] and not status["loading"]:
            return status
        time.sleep(0.1)
    raise RuntimeError("the voice pack was not loaded")


def run_engine(engine: str, calls: int, tmp: Path) -> dict[str, list[float]]:
    config = write_bench_config(tmp, counters=1)
    if engine == "clips":
        pack = tmp / "voices" / "espeak-id"
        script = ROOT / "voices" / "make_espeak_pack.py"
        subprocess.run([sys.executable, str(script), str(pack), "--config", str(config)], check=True)
        text = config.read_text(encoding="utf-8")
        text = text.replace("cache_mb = 200 ", f'engine = "clips"\nclips = "{pack}"\ncache_mb = 200 ', 1)
        config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start()
    events: queue.Queue = queue.Queue()
    sio = socketio.Client(reconnection=False)
    out: dict[str, list[float]] = {
        "miss": [],
        "hit": [],
        "intro-new": [],
        "intro-hit": [],
        "intro-play": [],
        "call-play": [],
    }
    played: set[str] = set()  # the intros whose length is taken (one each)
    try:
        server.add_user("loket1", "officer", scrypt=True)
        server.add_user("kepala", "admin", scrypt=True)
        officer = server.session("loket1", PASSWORD)
        admin = server.session("kepala", PASSWORD)
        if engine == "clips":
            status = wait_for_pack(server, admin)
            print(f"# pack: {status['pack']['clips']} clips, {status['pack']['format']}", file=sys.stderr)
        sio.on("event", lambda ev: events.put(ev))
        sio.on("events", lambda evs: [events.put(ev) for ev in evs])
        sio.connect(server.url, auth={"role": "display"}, transports=["websocket"], wait_timeout=10)

        def announced(kind: str, label: str) -> dict:
            while True:
                ev = events.get(timeout=30)
                if ev.get("type") == kind and (ev.get("ticket") or {}).get("label") == label:
                    return ev["announce"]

        for i in range(calls + 1):  # the first is the warm-up
            r = requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=10)
            assert r.status_code == 201, r.text
            label = r.json()["ticket"]["label"]
            started = time.perf_counter()
            r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=10)
            assert r.status_code == 200, r.text
            assert first_byte(server.url + announced("called", label)["audio"]) == 200
            miss = time.perf_counter() - started
            for n in (2, 3):  # the second call, then the last: each with its intro before the call
                started = time.perf_counter()
                r = officer.post(f"{server.url}/api/counters/1/recall", json={}, timeout=10)
                assert r.status_code == 200, r.text
                announce = announced("recalled", label)
                assert announce["intro"], announce  # "Panggilan kedua." / "Panggilan terakhir."
                assert first_byte(server.url + announce["intro"]) == 200  # the TV plays it first
                intro = time.perf_counter() - started
                assert first_byte(server.url + announce["audio"]) == 200
                hit = time.perf_counter() - started
                out["intro-new" if announce["intro"] not in played else "intro-hit"].append(intro * 1000)
                if announce["intro"] not in played:
                    played.add(announce["intro"])
                    out["intro-play"].append(play_ms(server.url + announce["intro"], tmp))
                if i and n == 2:
                    out["hit"].append(hit * 1000)
            if i:
                out["miss"].append(miss * 1000)
                out["call-play"].append(play_ms(server.url + announce["audio"], tmp))
            for action, payload in (("start", {}), ("resolve", RESOLVE)):
                r = officer.post(f"{server.url}/api/counters/1/{action}", json=payload, timeout=10)
                assert r.status_code == 200, r.text
    finally:
        if sio.connected:
            sio.disconnect()
        server.stop()
    return out


def wav_only(calls: int, tmp: Path) -> dict[str, list[float]]:
    """Milliseconds to make each of `calls` new phrases as WAV: espeak-ng, and the clips joined."""
    from server import voice
    from server.config import load_settings
    from server.tts import Speech, announcement_text, recall_words

    config = write_bench_config(tmp, counters=1)
    settings = load_settings(config)
    pack_dir = tmp / "voices" / "espeak-id"
    script = ROOT / "voices" / "make_espeak_pack.py"
    subprocess.run([sys.executable, str(script), str(pack_dir), "--config", str(config)], check=True)
    pack = voice.load(pack_dir, tmp / "work", settings.tts.trim_db, settings.tts.pause_ms)
    texts = [announcement_text(f"A-{n}", "Loket 1", settings.tts.template) for n in range(101, 102 + calls)]
    intros = [recall_words(n, settings.queue.max_calls) for n in range(2, settings.queue.max_calls + 1)]
    out: dict[str, list[float]] = {"espeak": [], "clips": [], "espeak-intro": [], "clips-intro": []}
    with Speech(tmp / "speech", audio_format="wav") as speech:
        speech.synthesize(texts[0])  # the worker starts
        for text in texts[1:]:
            started = time.perf_counter()
            assert speech.synthesize(text) is not None
            out["espeak"].append((time.perf_counter() - started) * 1000)
        for i in range(calls):  # each intro made anew: its file taken out of the cache first
            intro = intros[i % len(intros)]
            speech.path_for(speech.key(intro)).unlink(missing_ok=True)
            started = time.perf_counter()
            assert speech.synthesize(intro) is not None
            out["espeak-intro"].append((time.perf_counter() - started) * 1000)
    for text in texts[1:]:
        started = time.perf_counter()
        assert pack.render(text) is not None
        out["clips"].append((time.perf_counter() - started) * 1000)
    for i in range(calls):
        started = time.perf_counter()
        assert pack.render(intros[i % len(intros)]) is not None
        out["clips-intro"].append((time.perf_counter() - started) * 1000)
    return out


def row(engine: str, case: str, values: list[float]) -> dict:
    return {
        "engine": engine,
        "case": case,
        "calls": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30, help="calls per engine (30), after one warm-up")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = []
    for engine in ("espeak", "clips"):
        with tempfile.TemporaryDirectory(prefix=f"bench-voice-{engine}-") as tmp:
            times = run_engine(engine, args.calls, Path(tmp))
        for case in ("miss", "hit", "intro-new", "intro-hit", "intro-play", "call-play"):
            rows.append(row(engine, case, times[case]))
    with tempfile.TemporaryDirectory(prefix="bench-voice-wav-") as tmp:
        times = wav_only(args.calls, Path(tmp))
    for engine in ("espeak", "clips"):
        rows.append(row(engine, "wav", times[engine]))
        rows.append(row(engine, "wav-intro", times[f"{engine}-intro"]))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'engine':8} {'case':10} {'calls':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for r in rows:
            print(
                f"{r['engine']:8} {r['case']:10} {r['calls']:5}"
                f" {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['max_ms']:8.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
