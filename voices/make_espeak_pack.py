"""Make a voice pack of clips spoken by espeak-ng, for trying `[tts] engine = "clips"` without a recording.

    .venv/bin/python voices/make_espeak_pack.py voices/espeak-id [--config config.toml] [--up-to 999]

Writes one WAV per clip the office needs (server.voice.office_clips: the template's runs of words such
as nomor-antrian.wav and silakan-menuju.wav, the letters a.wav-z.wav, the number words up to
--up-to, the words of the counters' names), each said alone by espeak-ng in the configured voice and
rate. The tests and the demo build their pack with it; an office replaces the files by a person's
recordings of the same names (docs/display.md). It lives beside the packs it makes, in voices/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def make_clip(folder: Path, name: str, voice: str, rate: int) -> None:
    """Write folder/NAME.wav: the words of NAME (its "-" as spaces) said by espeak-ng."""
    text = name.replace("-", " ")
    if len(text) == 1:
        text = text.upper()  # espeak-ng says a lone lowercase letter as a word in some voices
    out = folder / f"{name}.wav"
    temp = out.with_suffix(".tmp")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(temp), text], check=True, capture_output=True)
    temp.replace(out)


def make_pack(folder: Path, names: list[str], voice: str = "id", rate: int = 150, jobs: int = 2) -> list[Path]:
    """Write a clip for each of `names` into `folder` (made if absent); the files written."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (Debian package espeak-ng)")
    folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        list(pool.map(lambda name: make_clip(folder, name, voice, rate), names))
    return [folder / f"{name}.wav" for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make_espeak_pack.py", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the pack's folder, e.g. voices/espeak-id")
    parser.add_argument("--config", default="config.toml", help="the office's config (default: config.toml)")
    parser.add_argument("--up-to", type=int, default=999, help="the highest number to have words for (999)")
    parser.add_argument("--jobs", type=int, default=2, help="espeak-ng runs at once (2)")
    args = parser.parse_args(argv)

    from server.config import ConfigError, load_settings
    from server.voice import office_clips

    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    names = office_clips(settings, args.up_to)
    voice = "en" if settings.office.language == "en" else settings.tts.voice
    make_pack(args.folder, names, voice, settings.tts.rate, args.jobs)
    print(f"{len(names)} clips in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
