"""Announcements: the phrase for each call, its speech made in the background, served to displays.

With `[tts] engine = "clips"` the speech is joined from a recorded voice pack (server/voice.py), loaded
by the announcement worker (never in a request) when it starts and whenever the pack or its settings
change; a phrase the pack lacks a word of is spoken by espeak-ng, and the words are remembered for the
admin page (`voice_status`)."""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server import voice
from server.config import Settings
from server.tts import Speech, announcement_text, speech_voice, vorbis_available

log = logging.getLogger("antrian.announce")
KEY = re.compile(r"^[0-9a-f]{64}$")
MISSING_KEPT = 200  # the words lacking a clip remembered for the admin page


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
        self.pack: voice.Pack | None = None  # the loaded voice pack, with engine = "clips"
        self.pack_error: str | None = None  # why the configured pack could not be loaded
        self._pack_for: tuple | None = None  # the settings the pack (or its error) was loaded with
        self._reload = threading.Event()  # a clip was uploaded: load the pack again
        self._loading = False
        self.missing: OrderedDict[str, int] = OrderedDict()  # word -> calls spoken by espeak-ng for lack of it
        self._office_missing: tuple | None = None  # (what it was made from, office_missing's answer)
        self.work_dir = settings.server.data_dir / "voice"

    # -- the voice pack ------------------------------------------------------------------

    def _voice_settings(self) -> tuple | None:
        tts = self.settings.tts
        return (tts.clips, tts.trim_db, tts.pause_ms) if tts.engine == "clips" and tts.enabled else None

    def reload_voice(self) -> None:
        """Load the pack again at the worker's next turn (its clips changed)."""
        self._reload.set()

    def refresh_voice(self) -> bool:
        """Load, or drop, the voice pack when the settings changed or `reload_voice` asked; True if it did.
        Runs in the announcement worker: preparing a pack is slow (server.voice.load)."""
        wanted = self._voice_settings()
        if wanted == self._pack_for and not self._reload.is_set():
            self.office_missing()  # made here, off the requests, when the services or counters changed
            return False
        self._reload.clear()
        self._loading = True  # until the new pack is in place (requests are answered meanwhile)
        pack, error = None, None
        if wanted is not None:
            clips, trim_db, pause_ms = wanted
            try:
                pack = voice.load(Path(clips), self.work_dir, trim_db, pause_ms)
            except (voice.VoiceError, OSError, ValueError) as err:
                error = str(err)
                log.error("voice pack %s cannot be used, espeak-ng speaks instead: %s", clips, error)
            except Exception as err:  # a bug must not leave the pack "loading" for ever
                error = f"{type(err).__name__}: {err}"
                log.exception("voice pack %s cannot be used, espeak-ng speaks instead", clips)
            else:
                for name, why in pack.errors.items():
                    log.warning("voice pack %s: %s %s", clips, name, why.en_text)
                log.info("voice pack %s: %d clips, %s", clips, len(pack.clips), pack.fmt.describe())
        self.pack, self.pack_error, self._pack_for = pack, error, wanted
        self._loading = False
        with self.lock:
            self.missing.clear()
        self.office_missing()
        return True

    def office_missing(self) -> dict[str, str]:
        """The words the pack lacks for this office's calls (numbers up to 999), each with a phrase needing
        it; kept until the pack, the services, the counters or the template change."""
        pack, settings = self.pack, self.settings
        if pack is None:
            return {}
        tts = settings.tts
        key = (
            pack.digest,
            settings.services,
            settings.counters,
            tts.template,
            tts.template_en,
            settings.office.language,
        )
        cached = self._office_missing
        if cached is None or cached[0] != key:
            cached = (key, voice.office_missing(pack, settings, 999))
            self._office_missing = cached
        return cached[1]

    def _choose(self, text: str) -> tuple[voice.Pack | None, list[str]]:
        """The pack that says `text` (None: espeak-ng) and the words it lacks."""
        pack = self.pack
        if pack is None or self._voice_settings() is None:
            return None, []
        missing = pack.missing(text)
        if not missing:
            return pack, []
        return None, missing

    def _count_missing(self, missing: list[str]) -> None:
        """The words a phrase said lacked, counted for the admin page (the newest MISSING_KEPT)."""
        if not missing:
            return
        with self.lock:
            for word in missing:
                self.missing[word] = self.missing.pop(word, 0) + 1
            while len(self.missing) > MISSING_KEPT:
                self.missing.popitem(last=False)

    def voice_status(self, lang: str = "id") -> dict[str, Any]:
        """The engine, the pack as loaded (clips, format, unreadable files, why each, in `lang`) and the words
        calls lacked."""
        tts = self.settings.tts
        with self.lock:
            missing = list(self.missing)
        pack = self.pack
        return {
            "engine": tts.engine,
            "clips": tts.clips or None,
            "loading": self._loading or self._voice_settings() != self._pack_for or self._reload.is_set(),
            "pack": pack.status(lang) if pack is not None else None,
            "error": self.pack_error,
            "missing": missing,
            "office_missing": self.office_missing() if self._voice_settings() is not None else {},
        }

    def announce(self, label: str, counter_name: str) -> dict[str, Any] | None:
        """The announcement of a call (text, audio URL, repeat); synthesis is queued, never awaited here."""
        out, start = self.announce_later(label, counter_name)
        if start is not None:
            start()
        return out

    def announce_later(self, label: str, counter_name: str) -> tuple[dict[str, Any] | None, Callable[[], None] | None]:
        """The announcement of a call, and what starts it: queues its synthesis (and its playing on the server's
        speakers), never awaited. A call's is started only once the call is committed (the unit of work runs
        it after the COMMIT): a call rolled back, or run again in a transaction of its own after a shared one
        was rolled back, is never said, nor said twice."""
        tts = self.settings.tts
        if not tts.enabled:
            return None, None
        lang = self.settings.office.language  # the office's language speaks; Indonesian by default
        text = announcement_text(label, counter_name, tts.template_en if lang == "en" else tts.template, lang=lang)
        key, _, _, start = self._prepare(text, play=True, lang=lang)
        out: dict[str, Any] = {"text": text, "repeat": tts.repeat, "audio": None}
        if tts.output == "display":
            out["audio"] = f"/api/tts/{key}.{self.speech.audio_format}"
        return out, start

    def preview(self, label: str, counter_name: str) -> dict[str, Any]:
        """An announcement made for the admin page to play (never on the server's speakers): its text, audio
        URL, the engine that says it and the words the pack lacks. ValueError for a malformed label."""
        lang = self.settings.office.language
        tts = self.settings.tts
        text = announcement_text(label, counter_name, tts.template_en if lang == "en" else tts.template, lang=lang)
        key, pack, missing = self._queue(text, play=False, lang=lang)
        engine = "clips" if pack is not None else "espeak"
        return {
            "text": text,
            "audio": f"/api/tts/{key}.{self.speech.audio_format}",
            "engine": engine,
            "missing": missing,
        }

    def _queue(self, text: str, play: bool, lang: str = "id") -> tuple[str, voice.Pack | None, list[str]]:
        key, pack, missing, start = self._prepare(text, play, lang)
        start()
        return key, pack, missing

    def _prepare(
        self, text: str, play: bool, lang: str = "id"
    ) -> tuple[str, voice.Pack | None, list[str], Callable[[], None]]:
        """The key of `text`'s speech, the pack that says it, the words the pack lacks, and what queues it
        (counting those words then)."""
        pack, missing = self._choose(text)
        # espeak-ng says an English office's calls in an English voice (server.tts.speech_voice)
        said_by = speech_voice(self.speech.voice, lang)
        key = self.speech.key(text, pack) if pack is not None else self.speech.key(text, voice=said_by)

        def start() -> None:
            self._count_missing(missing)
            with self.lock:
                event = self.ready.get(key)
                if event is None:
                    event = threading.Event()
                    self.ready[key] = event
                    while len(self.ready) > 1000:
                        self.ready.popitem(last=False)
            self.jobs.put((key, text, pack, said_by, play))

        return key, pack, missing, start

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
        self.refresh_voice()
        try:
            job = self.jobs.get(block=block, timeout=timeout)
        except queue.Empty:
            return False
        if job is None:  # wake(): the server stops
            return False
        key, text, pack, said_by, play = job
        try:
            # a cache hit returns at once; failures are logged once
            if pack is not None:
                path = self.speech.synthesize(text, pack)
            else:
                path = self.speech.synthesize(text, voice=said_by)
            if path is not None and play and self.settings.tts.output == "server":
                with self.speech.holding(path) as there:  # not pruned while it plays
                    for _ in range(self.settings.tts.repeat if there else 0):
                        self.speech.play(path)
        finally:
            with self.lock:
                event = self.ready.get(key)
            if event is not None:
                event.set()
        return True

    def wake(self) -> None:
        """The loop looks at once whether the server stops (not within the second its wait for a job takes)."""
        self.jobs.put(None)

    def loop(self, stopping: threading.Event) -> None:
        """Forever: one announcement at a time, in call order."""
        while not stopping.is_set():
            try:
                self.run_once()  # loads the voice pack first when its settings changed
            except Exception:
                log.exception("announcement failed")
        self.speech.close()
