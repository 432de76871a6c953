"""Announcements: the phrase for each call, its speech made in the background, served to displays."""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from server.config import Settings
from server.tts import Speech, announcement_text, vorbis_available

log = logging.getLogger("antrian.announce")
KEY = re.compile(r"^[0-9a-f]{64}$")


class Announcer:
    """Makes each call's announcement: its text at once, its WAV by one background worker."""

    def __init__(self, settings: Settings, speech: Speech | None = None):
        self.settings = settings
        tts = settings.tts
        if speech is None:
            # The TVs get Ogg Vorbis (a seventh of a WAV); aplay on the server plays WAV only.
            audio_format = "wav"
            if tts.output == "display" and tts.enabled:
                if vorbis_available():
                    audio_format = "ogg"
                else:
                    log.warning("sox is not installed: the speech for the displays is kept as WAV, 7 times larger")
            speech = Speech(
                settings.server.data_dir / "speech",
                voice=tts.voice,
                rate=tts.rate,
                enabled=tts.enabled,
                player_cmd=list(tts.player) or None,
                audio_format=audio_format,
                cache_mb=tts.cache_mb,
            )
        self.speech = speech
        self.jobs: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.ready: OrderedDict[str, threading.Event] = OrderedDict()  # key -> set once tried

    def announce(self, label: str, counter_name: str) -> dict[str, Any] | None:
        """The announcement of a call (text, audio URL, repeat); synthesis is queued, never awaited here."""
        tts = self.settings.tts
        if not tts.enabled:
            return None
        lang = self.settings.office.language  # the office's language speaks; Indonesian by default
        text = announcement_text(label, counter_name, tts.template_en if lang == "en" else tts.template, lang=lang)
        key = self.speech.key(text)
        with self.lock:
            event = self.ready.get(key)
            if event is None:
                event = threading.Event()
                self.ready[key] = event
                while len(self.ready) > 1000:
                    self.ready.popitem(last=False)
        self.jobs.put((key, text))
        out: dict[str, Any] = {"text": text, "repeat": tts.repeat, "audio": None}
        if tts.output == "display":
            out["audio"] = f"/api/tts/{key}.{self.speech.audio_format}"
        return out

    def hold_audio(self, key: str, audio_format: str, wait: float = 5.0) -> Path | None:
        """The speech file for `key`, held in the cache until `self.speech.release(path)`; None if unknown,
        failed or in another format than this server makes. Waits up to `wait` seconds while it is made."""
        if not KEY.match(key):
            return None
        path = self.speech.path_for(key, audio_format)
        if self.speech.hold(path):
            return path
        if audio_format != self.speech.audio_format:  # only a file left from before, never made now
            return None
        with self.lock:
            event = self.ready.get(key)
        if event is None:
            return None
        event.wait(wait)
        return path if self.speech.hold(path) else None

    def run_once(self, block: bool = True, timeout: float = 1.0) -> bool:
        """Make (or play) one queued announcement; False when none came."""
        try:
            key, text = self.jobs.get(block=block, timeout=timeout)
        except queue.Empty:
            return False
        try:
            path = self.speech.synthesize(text)  # a cache hit returns at once; failures are logged once
            if path is not None and self.settings.tts.output == "server":
                with self.speech.holding(path) as there:  # not pruned while it plays
                    for _ in range(self.settings.tts.repeat if there else 0):
                        self.speech.play(path)
        finally:
            with self.lock:
                event = self.ready.get(key)
            if event is not None:
                event.set()
        return True

    def loop(self, stopping: threading.Event) -> None:
        """Forever: one announcement at a time, in call order."""
        while not stopping.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("announcement failed")
        self.speech.close()
