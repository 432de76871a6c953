"""Make a voice pack of clips spoken by espeak-ng, for trying `[tts] engine = "clips"` without a recording.

    .venv/bin/python voices/make_espeak_pack.py voices/espeak-id [--config config.toml] [--up-to 999] [--overwrite]

Writes one WAV per clip the office needs (server.voice.office_clips: the template's runs of words such
as nomor-antrian.wav and silakan-menuju.wav, the letters a.wav-z.wav, the number words up to
--up-to, the words of the counters' names, and those a recall says before the call: panggilan.wav,
kedua.wav, terakhir.wav, and a last chance's kesempatan.wav), each said alone by espeak-ng in the configured voice and
rate. The tests and the demo build their pack with it; an office replaces the files by a person's
recordings of the same names (docs/display.md); a clip already in the folder is kept (it may be such a
recording) unless --overwrite. It lives beside the packs it makes, in voices/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server.argv import int_between

MAX_NUMBER = 9999  # as `python -m server voice check --up-to`


class EspeakError(Exception):
    """espeak-ng could not say a clip; the message says which and why."""


def make_clip(folder: Path, name: str, voice: str, rate: int) -> None:
    """Write folder/NAME.wav: the words of NAME (its "-" as spaces) said by espeak-ng."""
    text = name.replace("-", " ")
    if len(text) == 1:
        text = text.upper()  # espeak-ng says a lone lowercase letter as a word in some voices
    out = folder / f"{name}.wav"
    temp = out.with_suffix(".tmp")
    command = ["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(temp), text]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        temp.unlink(missing_ok=True)
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[0]
        raise EspeakError(f"espeak-ng (voice {voice!r}) could not say {name}.wav: {why}")
    temp.replace(out)


def make_pack(
    folder: Path, names: list[str], voice: str = "id", rate: int = 150, jobs: int = 2, overwrite: bool = False
) -> list[Path]:
    """Write a clip for each of `names` into `folder` (made if absent), but over a clip already there only
    with `overwrite`; the files written."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (Debian package espeak-ng)")
    folder.mkdir(parents=True, exist_ok=True)
    names = [name for name in names if overwrite or not (folder / f"{name}.wav").exists()]
    if names:
        make_clip(folder, names[0], voice, rate)  # a voice espeak-ng lacks stops here, once
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        list(pool.map(lambda name: make_clip(folder, name, voice, rate), names[1:]))
    return [folder / f"{name}.wav" for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make_espeak_pack.py", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the pack's folder, e.g. voices/espeak-id")
    parser.add_argument("--config", default="config.toml", help="the office's config (default: config.toml)")
    parser.add_argument(
        "--up-to", type=int_between(1, MAX_NUMBER), default=999, help="the highest number to have words for (999)"
    )
    parser.add_argument("--jobs", type=int_between(1, 64), default=2, help="espeak-ng runs at once (2)")
    parser.add_argument("--overwrite", action="store_true", help="replace the clips already in the folder")
    args = parser.parse_args(argv)

    from server.config import ConfigError, load_settings
    from server.voice import office_clips

    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        return 2
    if args.folder.exists() and not args.folder.is_dir():
        print(f"error: {args.folder}: a file, not a folder", file=sys.stderr)
        return 2
    names = office_clips(settings, args.up_to)
    voice = "en" if settings.office.language == "en" else settings.tts.voice
    try:
        written = make_pack(args.folder, names, voice, settings.tts.rate, args.jobs, args.overwrite)
    except EspeakError as err:
        print(f"error: {err} (is [tts] voice one of `espeak-ng --voices`?)", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {args.folder}: {err.strerror or err}", file=sys.stderr)
        return 2
    skipped = len(names) - len(written)
    kept = f"; {skipped} already there kept (--overwrite to replace them)" if skipped else ""
    print(f"{len(written)} clips written in {args.folder}{kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
