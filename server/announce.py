"""Announcements: the phrase for each call, its speech made in the background, served to displays.

With `[tts] engine = "clips"` the speech is joined from a recorded voice pack (server/voice.py), loaded
by the announcement worker (never in a request) when it starts and whenever the pack or its settings
change; a phrase the pack lacks a word of is spoken by espeak-ng, and the words are remembered for the
admin page (`voice_status`).

A recall says which call it is before the call ("Panggilan kedua.", "Panggilan terakhir.": server.tts.recall_words),
and a ticket on its last chance says so ("Kesempatan terakhir.", "Panggilan kedua, kesempatan terakhir."): those
words are a file of their own (the `intro` of the announcement), played before the call's, so the call's phrase stays
the one cache entry of every call of that ticket and the intros are a handful (one per call count, last chance or
not, and language). A pack that lacks the intro's words says the plain call in its own voice (the words counted as missing
for the admin page); a call the pack cannot say is espeak-ng's, intro and all."""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from server import voice
from server.config import Settings
from server.errors import Localized
from server.i18n import both, catalogue
from server.tts import SOUND_TEST, Speech, announcement_text, recall_words, speech_voice, vorbis_available

log = logging.getLogger("antrian.announce")
KEY = re.compile(r"^[0-9a-f]{64}$")
MISSING_KEPT = 200  # the words lacking a clip remembered for the admin page


def pack_words(err: voice.VoiceError) -> Localized:
    """Why a pack cannot be used, in both languages, for the admin page: what `voice check` says (the catalogue's
    `cli.voice.pack.<code>`), but where that names the command to run again, the page's own words for it
    (`admin.voice.pack.<code>`). Its English alone when the catalogue cannot say it: the pack must never stay
    "loading" for want of words."""
    own = f"admin.voice.pack.{err.code}"
    try:
        return both(own, **err.params) if err.code is not None and own in catalogue("id") else err.said
    except (KeyError, IndexError, ValueError):
        return Localized(str(err), str(err))


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
        self.pack_error: Localized | None = None  # why the configured pack could not be loaded, in both languages
        self.pack_error_clips: dict[str, Localized] = {}  # its files, each with why, when none could be used
        self._pack_for: tuple | None = None  # the settings the pack (or its error) was loaded with
        self._reload = threading.Event()  # a clip was uploaded: load the pack again
        self._loading = False
        self.missing: OrderedDict[str, int] = OrderedDict()  # word -> calls spoken by espeak-ng for lack of it
        self._office_missing: tuple | None = None  # (what it was made from, (the calls' words, the intros'))
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
        pack, error, error_clips = None, None, {}
        if wanted is not None:
            clips, trim_db, pause_ms = wanted
            try:
                pack = voice.load(Path(clips), self.work_dir, trim_db, pause_ms)
            except voice.VoiceError as err:  # the log's English; the admin page's words in both languages
                log.error("voice pack %s cannot be used, espeak-ng speaks instead: %s", clips, err)
                error = pack_words(err)
                error_clips = {name: voice.reason(why) for name, why in err.errors.items()}
            except (OSError, ValueError) as err:  # no code: said as it is, in English
                log.error("voice pack %s cannot be used, espeak-ng speaks instead: %s", clips, err)
                error = Localized(str(err), str(err))
            except Exception as err:  # a bug must not leave the pack "loading" for ever
                error = Localized(f"{type(err).__name__}: {err}", f"{type(err).__name__}: {err}")
                log.exception("voice pack %s cannot be used, espeak-ng speaks instead", clips)
            else:
                for name, why in pack.errors.items():
                    log.warning("voice pack %s: %s %s", clips, name, why.en_text)
                log.info("voice pack %s: %d clips, %s", clips, len(pack.clips), pack.fmt.describe())
        self.pack, self.pack_error, self.pack_error_clips, self._pack_for = pack, error, error_clips, wanted
        self._loading = False
        with self.lock:
            self.missing.clear()
        self.office_missing()
        return True

    def office_missing(self) -> dict[str, str]:
        """The words the pack lacks for this office's calls (numbers up to 999), each with a phrase needing it:
        a call lacking one is said by espeak-ng. Those only a recall's intro lacks: `intro_missing`."""
        return self._missing_words()[0]

    def intro_missing(self) -> dict[str, str]:
        """The words the pack lacks for the recalls' and last chances' intros alone ("Panggilan kedua.", "Kesempatan
        terakhir."), each with a phrase needing it: such a call is then said from the recordings without its intro,
        as a first call."""
        return self._missing_words()[1]

    def _missing_words(self) -> tuple[dict[str, str], dict[str, str]]:
        """server.voice.missing_words for the loaded pack and this office (numbers up to 999), kept until the
        pack, the services, the counters, the template, the language, max_calls or the words said or spelled change."""
        pack, settings = self.pack, self.settings
        if pack is None:
            return {}, {}
        tts = settings.tts
        key = (
            pack.digest,
            settings.services,
            settings.counters,
            tts.template,
            tts.template_en,
            settings.office.language,
            settings.queue.max_calls,  # the recalls' words ("Panggilan kedua.")
            tts.say_as_word,  # a counter's "KUA" said "kua" or spelled "k u a"
            tts.spell_out,
        )
        cached = self._office_missing
        if cached is None or cached[0] != key:
            cached = (key, voice.missing_words(pack, settings, 999))
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
        """The engine, the pack as loaded (clips, format, unreadable files, why each, in `lang`) or why it cannot be
        (in `lang`, with its files, each with why, when none could be used), the words calls lacked (said by
        espeak-ng for it), and those this office's calls lack and its recalls' intros alone lack."""
        tts = self.settings.tts
        with self.lock:
            missing = list(self.missing)
        pack, error = self.pack, self.pack_error

        def said(words: Localized) -> str:
            return words.en_text if lang == "en" else words.id_text

        return {
            "engine": tts.engine,
            "clips": tts.clips or None,
            "loading": self._loading or self._voice_settings() != self._pack_for or self._reload.is_set(),
            "pack": pack.status(lang) if pack is not None else None,
            "error": said(error) if error is not None else None,
            "error_clips": {name: said(why) for name, why in self.pack_error_clips.items()},
            "missing": missing,
            "office_missing": self.office_missing() if self._voice_settings() is not None else {},
            "intro_missing": self.intro_missing() if self._voice_settings() is not None else {},
        }

    def announce(self, label: str, counter_name: str) -> dict[str, Any] | None:
        """The announcement of a first call (text, audio URL, repeat); synthesis is queued, never awaited here."""
        out, start = self.announce_later(label, counter_name)
        if start is not None:
            start()
        return out

    def announce_later(
        self, label: str, counter_name: str, calls: int = 1, last_chance: bool = False, test: bool = False
    ) -> tuple[dict[str, Any] | None, Callable[[], None] | None]:
        """The announcement of a ticket's `calls`-th call (on its `last_chance`: one more skip is a no-show), and
        what starts it: queues its synthesis (and its
        playing on the server's speakers), never awaited. A call's is started only once the call is committed
        (the unit of work runs it after the COMMIT): a call rolled back, or run again in a transaction of its
        own after a shared one was rolled back, is never said, nor said twice.

        `text` is all that is said; a recall's `intro` ("Panggilan kedua.", on a last chance "Panggilan kedua,
        kesempatan terakhir.", and "Kesempatan terakhir." at its first call) is a file of its own, played before
        `audio` (the call's phrase, the same as at its first call), each of the `repeat` times; None for a
        first call not on its last chance, and when the voice pack lacks its words.

        The admin's sound check (`test`) says "Tes suara." ("Sound test.") first in its intro, before a recall's or
        a last chance's words: never a call a visitor could take for a real one (`_prepare_call`)."""
        tts = self.settings.tts
        if not tts.enabled:
            return None, None
        lang = self.settings.office.language  # the office's language speaks; Indonesian by default
        template = tts.template_en if lang == "en" else tts.template
        text = announcement_text(label, counter_name, template, lang, tts.say_as_word, tts.spell_out)
        intro = recall_words(calls, self.settings.queue.max_calls, lang, last_chance)
        key, intro_key, start, _, _, intro = self._prepare_call(text, intro, lang, test=test)
        said = f"{intro} {text}" if intro_key is not None else text
        out: dict[str, Any] = {"text": said, "repeat": tts.repeat, "audio": None, "intro": None}
        if tts.output == "display":
            out["audio"] = f"/api/tts/{key}.{self.speech.audio_format}"
            if intro_key is not None:
                out["intro"] = f"/api/tts/{intro_key}.{self.speech.audio_format}"
        return out, start

    def preview(self, label: str, counter_name: str, calls: int = 1, last_chance: bool = False) -> dict[str, Any]:
        """An announcement made for the admin page to play (never on the server's speakers), as the ticket's
        `calls`-th call says it (on its `last_chance` too): its text, the audio URL of the call and that of the
        `intro` (a recall's "Panggilan kedua.", a last chance's "Kesempatan terakhir.", played before it; None for
        an ordinary first call and when the pack lacks its words), the engine that says it and the words the pack
        lacks. ValueError for a malformed label."""
        lang = self.settings.office.language
        tts = self.settings.tts
        template = tts.template_en if lang == "en" else tts.template
        text = announcement_text(label, counter_name, template, lang, tts.say_as_word, tts.spell_out)
        intro = recall_words(calls, self.settings.queue.max_calls, lang, last_chance)
        key, intro_key, start, pack, missing, intro = self._prepare_call(text, intro, lang, play=False)
        start()
        fmt = self.speech.audio_format
        return {
            "text": f"{intro} {text}" if intro_key is not None else text,
            "audio": f"/api/tts/{key}.{fmt}",
            "intro": f"/api/tts/{intro_key}.{fmt}" if intro_key is not None else None,
            "engine": "clips" if pack is not None else "espeak",
            "missing": missing,
        }

    def _prepare_call(
        self, text: str, intro: str, lang: str, play: bool = True, test: bool = False
    ) -> tuple[str, str | None, Callable[[], None], voice.Pack | None, list[str], str]:
        """A call's `text` with its `intro` (a recall's "Panggilan kedua.", a last chance's "Kesempatan terakhir.",
        "" for a first call): the key of the
        call's speech, that of the intro (None: none is said), what queues both, the intro first, counting then
        the words that made espeak-ng say the call (the call played on the server's speakers when `play`), the
        pack that says them (None: espeak-ng; espeak-ng says an English office's calls in an English voice) and
        the words the pack lacks for them, and the intro said ("": none).
        The intro is said by whoever says the call; a pack that lacks its words says the call without it.
        A sound check's (`test`) begins with "Tes suara." (SOUND_TEST), always said: by the pack that says the call
        when it has the intro's words, else by espeak-ng (the call still the pack's, as a real call sounds)."""
        pack, missing = self._choose(text)
        counted = missing  # the words that made espeak-ng say the call (an intro's alone: `intro_missing`)
        said_by = speech_voice(self.speech.voice, lang)
        if intro and pack is not None and pack.missing(intro):
            missing = pack.missing(intro)  # the recorded call is said as a first call
            intro = ""
        elif intro and missing and self.pack is not None:  # espeak-ng says it all; the pack's words lacked
            missing = missing + [w for w in self.pack.missing(intro) if w not in missing]
        intro_pack = pack
        if test:
            intro = f"{SOUND_TEST.get(lang, SOUND_TEST['id'])} {intro}".strip()
            if pack is not None and pack.missing(intro):
                intro_pack = None  # a pack without `tes.wav`, `suara.wav`: espeak-ng says them
        key = self._key(text, pack, said_by)
        intro_key = self._key(intro, intro_pack, said_by) if intro else None

        def start() -> None:
            self._count_missing(counted)
            if intro_key is not None:
                self._expect(intro_key)
                self.jobs.put((intro_key, intro, intro_pack, said_by, False, None))
            self._expect(key)
            self.jobs.put((key, text, pack, said_by, play, intro_key))

        return key, intro_key, start, pack, missing, intro

    def _key(self, text: str, pack: voice.Pack | None, said_by: str) -> str:
        return self.speech.key(text, pack) if pack is not None else self.speech.key(text, voice=said_by)

    def _expect(self, key: str) -> None:
        """`hold_audio` waits for `key`'s file until the worker has tried to make it (the newest 1000 keys). A
        key tried before (a recall's intro, said again and again) waits again: its file may have left the cache
        since and be made anew by this job, and a TV asking for it meanwhile got a 404 at once."""
        with self.lock:
            event = self.ready.pop(key, None)
            self.ready[key] = event if event is not None and not event.is_set() else threading.Event()
            while len(self.ready) > 1000:
                self.ready.popitem(last=False)

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
        key, text, pack, said_by, play, intro_key = job
        try:
            # a cache hit returns at once; failures are logged once
            if pack is not None:
                path = self.speech.synthesize(text, pack)
            else:
                path = self.speech.synthesize(text, voice=said_by)
            if path is not None and play and self.settings.tts.output == "server":
                # a recall's intro (made by the job before this one) is said before the call, each time
                intro = self.speech.path_for(intro_key) if intro_key is not None else None
                with self.speech.holding(path) as there, ExitStack() as stack:  # neither pruned while they play
                    if intro is not None and not stack.enter_context(self.speech.holding(intro)):
                        intro = None  # it failed: the call alone, as a first call
                    for _ in range(self.settings.tts.repeat if there else 0):
                        if intro is not None:
                            self.speech.play(intro)
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
