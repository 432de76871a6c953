"""A stand-in for server.tts.Speech: records what it was asked and makes no sound."""

from __future__ import annotations

from pathlib import Path


class FakeSpeech:
    """Stands in for Speech in tests: records what it was asked and makes no sound."""

    audio_format = "wav"

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.spoken: list[str] = []
        self.played: list[Path] = []

    def synthesize(self, text: str) -> Path | None:
        """Record `text`; there is never a file."""
        if self.enabled:
            self.spoken.append(text)
        return None

    def play(self, path: Path) -> bool:
        """Record `path`."""
        self.played.append(path)
        return True

    def hold(self, path: Path) -> bool:
        """There is never a file to hold."""
        return False

    def release(self, path: Path) -> None:
        """Nothing is held."""

    def close(self) -> None:
        """Nothing to stop."""
