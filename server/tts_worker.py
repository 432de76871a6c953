"""Speech worker: a child process that owns the one pyttsx3 engine.

pyttsx3 keeps a single cached engine per process and is not thread-safe, so the server never
calls it directly; `server.tts.Speech` runs this module as a subprocess and talks to it with
one JSON object per line.

Request on stdin:   {"text": "...", "voice": "id", "rate": 150, "path": "/abs/file.wav"}
Answer on stdout:   {"ok": true}  or  {"ok": false, "error": "..."}

The worker exits when stdin closes. It imports nothing from `server`, so it can be run by path.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from typing import Any, TextIO

# The parent kills a worker that is too slow long before this; it only bounds a lost callback.
FINISH_SECONDS = 60


class Synthesizer:
    """Wraps the pyttsx3 engine; created lazily so a broken install answers with an error."""

    def __init__(self) -> None:
        import pyttsx3
        from pyttsx3.drivers import _espeak

        self.engine = pyttsx3.init()
        self._espeak = _espeak
        self.voices: dict[str, str] = {}
        for voice in self.engine.getProperty("voices"):
            # espeak-ng ids look like "poz/id"; accept the full id, its last part and the name.
            for alias in (voice.id, voice.id.rsplit("/", 1)[-1], voice.name):
                if alias:
                    self.voices.setdefault(str(alias).lower(), voice.id)
        # espeak-ng calls back from its own thread, and pyttsx3's runAndWait can return
        # before that thread has written the file; "finished-utterance" fires after the write.
        self.finished = threading.Event()
        self.completed = False
        self.engine.connect("finished-utterance", self._on_finished)
        # Until its first runAndWait, pyttsx3 only queues setProperty calls; one warm-up
        # utterance makes later calls take effect at once, which save() relies on.
        with tempfile.TemporaryDirectory() as scratch:
            self._run("a", os.path.join(scratch, "warm-up.wav"))

    def _on_finished(self, completed: bool = True, **_: Any) -> None:
        self.completed = completed
        self.finished.set()

    def _run(self, text: str, path: str) -> None:
        # espeak-ng applies a rate change on its own thread, and pyttsx3's runAndWait cancels
        # whatever that thread still has pending, so wait for it to be idle first.
        self._espeak.Synchronize()
        self.finished.clear()
        self.engine.save_to_file(text, path)
        self.engine.runAndWait()
        if not self.finished.wait(FINISH_SECONDS):
            raise RuntimeError(f"espeak-ng did not finish within {FINISH_SECONDS} s")
        self._espeak.Synchronize()
        if not self.completed:
            raise RuntimeError("espeak-ng cancelled the utterance")

    def save(self, text: str, voice: str, rate: int, path: str) -> None:
        """Write `text` spoken with `voice` at `rate` to the WAV file `path`."""
        if not text.strip():
            raise ValueError("empty text")
        voice_id = self.voices.get(voice.lower())
        if voice_id is None:
            # pyttsx3 silently keeps the previous voice for an unknown name.
            raise ValueError(f"unknown voice {voice!r}")
        directory = os.path.dirname(path) or "."
        if not os.access(directory, os.W_OK):
            # pyttsx3 hangs in runAndWait when it cannot write the file.
            raise ValueError(f"cannot write to {directory}")
        self.engine.setProperty("voice", voice)
        self.engine.setProperty("rate", int(rate))
        self._espeak.Synchronize()
        now = (self.engine.getProperty("voice"), self.engine.getProperty("rate"))
        if now != (voice_id, int(rate)):
            raise RuntimeError(f"espeak-ng is set to voice/rate {now}, not {(voice_id, int(rate))}")
        self._run(text, path)
        if not os.path.exists(path) or os.path.getsize(path) <= 44:
            raise RuntimeError("no audio was written")


def handle(line: str, state: dict[str, Any]) -> dict[str, Any]:
    """Answer one request line."""
    try:
        request = json.loads(line)
        text, voice, rate, path = (request[k] for k in ("text", "voice", "rate", "path"))
    except (ValueError, KeyError, TypeError) as error:
        return {"ok": False, "error": f"bad request: {error}"}
    try:
        if "synth" not in state:
            state["synth"] = Synthesizer()
        state["synth"].save(str(text), str(voice), int(rate), str(path))
    except Exception as error:  # every failure goes back to the parent as an answer
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {"ok": True}


def serve(requests: TextIO, answers: TextIO) -> None:
    """Answer requests line by line until the input closes."""
    state: dict[str, Any] = {}
    for line in requests:
        if not line.strip():
            continue
        answers.write(json.dumps(handle(line, state)) + "\n")
        answers.flush()


def main() -> int:
    """Run the worker on stdin/stdout."""
    # pyttsx3 prints "Audio saved to ..." on stdout; keep the real stdout for answers only
    # and send everything else written to fd 1 to /dev/null.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        serve(sys.stdin, answers)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
