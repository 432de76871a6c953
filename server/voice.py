"""Recorded voice packs: announcements joined from WAV clips of a person's voice (`[tts] engine = "clips"`).

A pack is a folder of WAV files, one per word or phrase, named by the lowercase words they say with
`-` between them (`nomor-antrian.wav`, `a.wav`, `dua.wav`, `loket.wav`). A phrase is split into words;
the longest run of words that has a clip is taken first; a comma or a full stop becomes `pause_ms` of
silence. A phrase with a word that has no clip is not made from clips at all (espeak-ng says it).

Loading a pack (`prepare`) reads every clip, converts those in another format than most of the pack's
(rate, width, channels) with sox (cached by content under the work folder), trims the silence before
and after each (`trim_db`; the samples kept are copied as they are) and brings a clip whose loudness
is more than NORMALIZE_TOLERANCE_DB off the pack's median to that level. It is CPU work: the server
runs it in a child process (`python -m server.voice prepare`), waited for without blocking gevent's
event loop. The result is one file of prepared PCM and a manifest, which `load` reads into a `Pack`;
joining a phrase (`Pack.render`) is then only copying bytes. A file it cannot use is left out, and the
manifest keeps why as the catalogue's `config.clip.<code>` and its params (`problem`), said in Indonesian
and English when read (`reason`; a manifest of an earlier version kept English text, shown as it is).
"""

from __future__ import annotations

import array
import hashlib
import io
import json
import math
import operator
import os
import re
import statistics
import struct
import subprocess
import sys
import time
import wave
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.errors import Localized

# The name of a clip (without .wav), and of a pack: lowercase words of a-z and 0-9 joined by "-".
CLIP_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHIME_NAME = "chime"  # voices/NAME/chime.wav is the pack's chime, not a word
MAX_CLIPS = 2000  # clips in one pack
MAX_CLIP_BYTES = 2 * 1024 * 1024  # one clip file (an upload, or a file in the pack folder)
MAX_CLIP_SECONDS = 10.0
MAX_PACK_BYTES = 64 * 1024 * 1024  # the prepared clips of a pack, kept in memory
MAX_RUN = 8  # the most words one clip may say
RATES = (8000, 96000)  # the sample rates a clip may have
NORMALIZE_TOLERANCE_DB = 1.5  # a clip this close to the pack's median loudness is left as it is
MAX_GAIN_DB = 20.0
PEAK_CEILING_DB = -1.0  # no clip is made louder than this peak
MARGIN_SECONDS = 0.02  # kept before the first and after the last sample over the trim threshold
PREPARE_VERSION = "1"  # bumped when prepare() makes different audio from the same files
_TOKEN = re.compile(r"[^\W_]+|[,.]")


class VoiceError(Exception):
    """A pack that cannot be used at all (no folder, nothing readable, too large): str() says why in English (the
    server's log); `code` names it (the catalogue's `cli.voice.pack.<code>`, what `voice check` and the admin page
    say; None: English alone), `params` fill it, and `errors` are the files left out, each with its problem as the
    manifest keeps it (`problem`), that the command line and the admin page list under it. All of it crosses the
    child process that prepares a pack under gevent (`told`, `heard`)."""

    def __init__(self, message: str, code: str | None = None, errors: dict[str, Any] | None = None, **params: object):
        super().__init__(message)
        self.code = code
        self.params = params
        self.errors = errors or {}

    @property
    def said(self) -> Localized:
        """Why, in Indonesian and English (the English alone, twice, without a code)."""
        from server.errors import Localized
        from server.i18n import both

        if self.code is None:
            return Localized(str(self), str(self))
        return both(f"cli.voice.pack.{self.code}", **self.params)

    def told(self) -> dict[str, Any]:
        """What the child that prepares a pack prints of it (JSON, its last line) for `load` to raise it again in
        the server with its code, its values (a path as text) and its files (`errors`)."""
        params = {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in self.params.items()}
        return {"voice_error": str(self), "code": self.code, "params": params, "errors": self.errors}

    @classmethod
    def heard(cls, line: str) -> VoiceError:
        """The VoiceError a child's last line tells (`told`); any other line (an OSError's English, a crash's
        last words) is the message alone, as it was said."""
        try:
            told = json.loads(line)
            return cls(told["voice_error"], told["code"], dict(told["errors"]), **told["params"])
        except (ValueError, KeyError, TypeError):
            return cls(line)


class ClipError(ValueError):
    """A file a pack cannot use as a clip (read_clip, check_clip_name, the conversion): str() says why in
    English; `code` names it (the catalogue's `config.clip.<code>`, what config.toml's [tts] chime refusal
    and a pack's list of unusable clips say in both languages) and `params` fill it."""

    def __init__(self, message: str, code: str, **params: object):
        super().__init__(message)
        self.code = code
        self.params = params

    def problem(self) -> dict[str, Any]:
        """What a prepared pack's manifest keeps of it (`errors`): enough to say it in either language."""
        return {"code": self.code, "params": self.params}


def reason(problem: str | dict[str, Any]) -> Localized:
    """A clip's problem as a manifest keeps it, in both languages: {"code", "params"} is the catalogue's
    `config.clip.<code>`; a string (a pack prepared by an earlier version, in English) is said as it is."""
    from server.errors import Localized
    from server.i18n import both

    if isinstance(problem, dict):
        try:
            return both(f"config.clip.{problem['code']}", **problem.get("params", {}))
        except (KeyError, IndexError, TypeError, ValueError):  # a code this version does not know
            problem = str(problem.get("code") or problem)
    return Localized(str(problem), str(problem))


# -- phrases into clips ---------------------------------------------------------------------


def tokens(text: str) -> list[str | None]:
    """The words of `text`, lowercase, with None for each pause (a comma or a full stop); pauses at
    the ends and repeated pauses dropped."""
    out: list[str | None] = []
    for token in _TOKEN.findall(text.lower()):
        if token in ",.":
            if out and out[-1] is not None:
                out.append(None)
        else:
            out.append(token)
    while out and out[-1] is None:
        out.pop()
    return out


def plan(text: str, names: set[str] | frozenset[str], max_run: int = MAX_RUN) -> tuple[list[str | None], list[str]]:
    """The clips that say `text` (None: a pause), longest run of words first, and the words no clip says."""
    parts: list[str | None] = []
    missing: list[str] = []
    words = tokens(text)
    i = 0
    while i < len(words):
        word = words[i]
        if word is None:
            parts.append(None)
            i += 1
            continue
        for n in range(min(max_run, len(words) - i), 0, -1):
            run = words[i : i + n]
            if None in run:
                continue
            name = "-".join(run)  # type: ignore[arg-type]
            if name in names:
                parts.append(name)
                i += n
                break
        else:
            if word not in missing:
                missing.append(word)
            i += 1
    return parts, missing


# -- samples --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    rate: int
    width: int  # bytes per sample
    channels: int
    floating: bool = False  # IEEE float samples: read, but always converted to the pack's integer format

    @property
    def frame_bytes(self) -> int:
        return self.width * self.channels

    @property
    def full_scale(self) -> int:
        return 1 << (8 * self.width - 1)

    def silence(self, ms: int) -> bytes:
        frames = round(self.rate * ms / 1000)
        return (b"\x80" if self.width == 1 else b"\x00") * (frames * self.frame_bytes)

    def describe(self) -> str:
        kind = " float" if self.floating else ""
        return f"{self.rate} Hz, {8 * self.width} bit{kind}, {'mono' if self.channels == 1 else f'{self.channels} channels'}"

    def said(self) -> Localized:
        """describe() in both languages, for the command line's Indonesian line ("2 kanal" for "2 channels")."""
        from server.errors import Localized

        kind = " float" if self.floating else ""
        head = f"{self.rate} Hz, {8 * self.width} bit{kind}, "
        if self.channels == 1:
            return Localized(head + "mono", head + "mono")
        return Localized(f"{head}{self.channels} kanal", f"{head}{self.channels} channels")


_TYPECODES = {2: "h", 4: "i"}


def samples(data: bytes, width: int) -> array.array | list[int]:
    """The signed samples of little-endian PCM `data` (8-bit WAV is unsigned, centred on 128)."""
    if width == 1:
        return [b - 128 for b in data]
    if width == 3:
        return [int.from_bytes(data[i : i + 3], "little", signed=True) for i in range(0, len(data) - 2, 3)]
    out = array.array(_TYPECODES[width])
    if out.itemsize != width:  # pragma: no cover - every platform this runs on has 2- and 4-byte ints
        raise VoiceError(f"no {width}-byte integers on this machine")
    out.frombytes(data[: len(data) - len(data) % width])
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out


def to_bytes(values: Any, width: int) -> bytes:
    """`samples` back to little-endian PCM bytes."""
    if width == 1:
        return bytes(v + 128 for v in values)
    if width == 3:
        return b"".join(int(v).to_bytes(3, "little", signed=True) for v in values)
    out = array.array(_TYPECODES[width], values)
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out.tobytes()


def trim(frames: bytes, fmt: Format, threshold_db: int) -> bytes:
    """`frames` without the silence before the first and after the last sample louder than `threshold_db`
    dBFS (keeping MARGIN_SECONDS on each side), the frames kept as they are; b"" when all is quieter.
    threshold_db = 0: no trimming."""
    if threshold_db == 0 or not frames:
        return frames
    values = samples(frames, fmt.width)
    limit = fmt.full_scale * 10 ** (threshold_db / 20)
    first = next((i for i, v in enumerate(values) if abs(v) > limit), None)
    if first is None:
        return b""
    last = len(values) - 1 - next(i for i, v in enumerate(reversed(values)) if abs(v) > limit)
    margin = round(fmt.rate * MARGIN_SECONDS)
    start = max(0, first // fmt.channels - margin)
    end = min(len(values) // fmt.channels, last // fmt.channels + 1 + margin)
    return frames[start * fmt.frame_bytes : end * fmt.frame_bytes]


def level_db(frames: bytes, fmt: Format) -> tuple[float, float]:
    """(RMS, peak) of `frames` in dBFS (-inf for silence)."""
    values = samples(frames, fmt.width)
    if not len(values):
        return -math.inf, -math.inf
    rms = math.sqrt(sum(map(operator.mul, values, values)) / len(values)) / fmt.full_scale
    peak = max(abs(min(values)), abs(max(values))) / fmt.full_scale
    return (20 * math.log10(rms) if rms else -math.inf), (20 * math.log10(peak) if peak else -math.inf)


def gain(frames: bytes, fmt: Format, db: float) -> bytes:
    """`frames` made `db` decibels louder (or quieter), clipped to the sample range."""
    factor = 10 ** (db / 20)
    top = fmt.full_scale - 1
    low = -fmt.full_scale
    scaled = [min(top, max(low, round(v * factor))) for v in samples(frames, fmt.width)]
    return to_bytes(scaled, fmt.width)


def wav_bytes(frames: bytes, fmt: Format) -> bytes:
    """A WAV file of `frames`."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(fmt.channels)
        w.setsampwidth(fmt.width)
        w.setframerate(fmt.rate)
        w.writeframes(frames)
    return out.getvalue()


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def parse_wav(data: bytes) -> tuple[Format, bytes]:
    """The format and sample bytes of a WAV file: integer PCM or IEEE float, also as WAVE_FORMAT_EXTENSIBLE
    (what recorders write for 24 bit and more, which Python's `wave` reads only from 3.12); ClipError (a
    ValueError) saying what is wrong with it."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ClipError("not a WAV file (no RIFF/WAVE header)", "not_wav")
    head: tuple[int, ...] | None = None
    frames: bytes | None = None
    at = 12
    while at + 8 <= len(data) and (head is None or frames is None):
        chunk, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        body = data[at + 8 : at + 8 + size]  # a size past the end (a recording cut short) gives what is there
        if chunk == b"fmt ":
            if len(body) < 16:
                raise ClipError("not a readable WAV file (its fmt chunk is too short)", "short_fmt")
            tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
            if tag == _EXTENSIBLE and len(body) >= 26:
                tag = int.from_bytes(body[24:26], "little")  # the sub-format GUID's first two bytes
            head = (tag, channels, rate, align, bits)
        elif chunk == b"data":
            frames = body
        at += 8 + size + (size & 1)
    if head is None or frames is None:
        lacking = "fmt" if head is None else "data"
        raise ClipError(f"not a readable WAV file (no {lacking} chunk)", "no_chunk", chunk=lacking)
    tag, channels, rate, align, bits = head
    if tag not in (_PCM, _FLOAT):
        raise ClipError(f"its samples are not PCM (WAV encoding {tag}); export it as PCM WAV", "not_pcm", tag=tag)
    width = align // channels if channels else 0
    floating = tag == _FLOAT
    if (
        channels not in (1, 2)
        or not RATES[0] <= rate <= RATES[1]
        or width not in ((4, 8) if floating else (1, 2, 3, 4))
    ):
        shown = f"{rate} Hz, {bits} bit, {channels} channel(s)"
        raise ClipError(
            f"unusual format ({shown}): use 8000-96000 Hz, 8-32 bit, mono or stereo",
            "unusual_format",
            rate=rate,
            bits=bits,
            channels=channels,
        )
    return Format(rate, width, channels, floating), frames


def read_clip(data: bytes) -> tuple[Format, bytes]:
    """The format and frames of a clip's WAV bytes; ClipError (a ValueError) saying what is wrong with it."""
    if len(data) > MAX_CLIP_BYTES:
        mb = MAX_CLIP_BYTES // (1024 * 1024)
        raise ClipError(f"larger than {mb} MB", "too_large", mb=mb)
    fmt, frames = parse_wav(data)
    count = len(frames) // fmt.frame_bytes
    if count == 0:
        raise ClipError("holds no sound", "no_sound")
    if count / fmt.rate > MAX_CLIP_SECONDS:
        raise ClipError(f"longer than {MAX_CLIP_SECONDS:g} s", "too_long", seconds=f"{MAX_CLIP_SECONDS:g}")
    return fmt, frames[: count * fmt.frame_bytes]


def check_clip_name(name: str) -> str:
    """The clip name of an upload's file name ("Nomor-Antrian.WAV" is not one: names are lowercase);
    ClipError (a ValueError) unless it is words of a-z and 0-9 joined by "-", and ".wav"."""
    stem = name[:-4] if name.endswith(".wav") else None
    if stem is None or not CLIP_NAME.match(stem) or len(stem) > 100 or len(stem.split("-")) > MAX_RUN:
        raise ClipError(
            f"{name!r} is not a clip name: lowercase words of a-z and 0-9 (at most {MAX_RUN} words) joined by '-',"
            " then .wav",
            "bad_name",  # the catalogue's words leave the name out: the pack's list names each file
            max_run=MAX_RUN,
        )
    return stem


# -- preparing a pack -----------------------------------------------------------------------


def _convert(source: Path, data: bytes, fmt: Format, folder: Path, timeout: float) -> bytes:
    """The frames of `source` in `fmt`, converted by sox once and cached by content in `folder`."""
    digest = hashlib.sha256(data).hexdigest()
    cached = folder / f"{digest}-{fmt.rate}-{fmt.width}-{fmt.channels}.wav"
    if not cached.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temp = cached.with_suffix(f".{os.getpid()}.tmp.wav")
        encoding = "unsigned-integer" if fmt.width == 1 else "signed-integer"
        command = ["sox", "-V1", str(source), "-r", str(fmt.rate), "-b", str(8 * fmt.width), "-e", encoding]
        command += ["-c", str(fmt.channels), str(temp)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout)
        except FileNotFoundError:
            raise ClipError("is in another format and sox, which converts it, is not installed", "no_sox") from None
        except subprocess.TimeoutExpired:
            temp.unlink(missing_ok=True)
            raise ClipError(
                f"sox did not convert it within {timeout:g} s", "convert_timeout", seconds=f"{timeout:g}"
            ) from None
        if done.returncode != 0:
            temp.unlink(missing_ok=True)
            message = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise ClipError(f"sox cannot convert it: {message[0]}", "convert_failed", message=message[0])
        os.replace(temp, cached)
    os.utime(cached)  # in use: kept by the next prune
    got, frames = read_clip(cached.read_bytes())
    if got != fmt:
        made, wanted = got.describe(), fmt.describe()
        raise ClipError(f"sox made {made}, not {wanted}", "convert_wrong", made=made, wanted=wanted)
    return frames


def source_files(folder: Path) -> list[Path]:
    """The .wav files of a pack folder, by name (the chime left out)."""
    return sorted(p for p in folder.glob("*.wav") if p.stem != CHIME_NAME and p.is_file())


def fingerprint(folder: Path, trim_db: int) -> str:
    """Names, sizes and modification times of a pack's files with the settings: a changed file changes it."""
    parts: list[Any] = [PREPARE_VERSION, str(folder.resolve()), trim_db]
    for path in source_files(folder):
        st = path.stat()
        parts.append([path.name, st.st_size, st.st_mtime_ns])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def prepare(folder: Path, work: Path, trim_db: int, timeout: float = 30.0) -> Path:
    """Prepare the pack in `folder` into `work` (see the module's text); the manifest's path.

    A pack prepared before from the same files and settings is not prepared again. `work` keeps only
    what the last pack prepared needs: older manifests, PCM files and converted clips are removed."""
    folder = Path(folder)
    work = Path(work)
    if not folder.is_dir():
        raise VoiceError(f"{folder} is not a folder", "not_folder", folder=folder)
    work.mkdir(parents=True, exist_ok=True)
    digest = fingerprint(folder, trim_db)
    manifest_path = work / f"{digest}.json"
    if manifest_path.exists() and (work / f"{digest}.pcm").exists():
        os.utime(manifest_path)
        return manifest_path
    errors: dict[str, str | dict[str, Any]] = {}  # file name -> its problem (`problem`: code and params)
    read: dict[str, tuple[Format, bytes, bytes, Path]] = {}  # name -> format, frames, file bytes, path
    files = source_files(folder)
    for path in files[:MAX_CLIPS]:
        try:
            stem = check_clip_name(path.name)
            data = path.read_bytes()
            fmt, frames = read_clip(data)
        except (ValueError, OSError) as error:
            errors[path.name] = problem(error)
            continue
        read[stem] = (fmt, frames, data, path)
    for path in files[MAX_CLIPS:]:
        errors[path.name] = ClipError(f"more than {MAX_CLIPS} clips in the pack", "too_many", max=MAX_CLIPS).problem()
    if not read:
        if errors:  # each file with why, for the command line to list
            message = f"{folder} holds no usable clip ({len(errors)} unreadable)"
            raise VoiceError(message, "no_clip_unusable", errors, folder=folder)
        raise VoiceError(f"{folder} holds no usable clip", "no_clip", folder=folder)
    counts = Counter(fmt for fmt, *_ in read.values() if not fmt.floating)
    if counts:
        pack_fmt = max(counts, key=lambda f: (counts[f], f.rate, f.width, f.channels))
    else:  # only float clips: 16 bit at their most common rate and channels
        floats = Counter(Format(f.rate, 2, f.channels) for f, *_ in read.values())
        pack_fmt = max(floats, key=lambda f: (floats[f], f.rate, f.channels))
    converted_dir = work / "converted"
    clips: dict[str, bytes] = {}
    converted = 0
    for name, (fmt, frames, data, path) in read.items():
        try:
            if fmt != pack_fmt:
                frames = _convert(path, data, pack_fmt, converted_dir, timeout)
                converted += 1
            frames = trim(frames, pack_fmt, trim_db)
        except ValueError as error:
            errors[path.name] = problem(error)
            continue
        if not frames:
            errors[path.name] = ClipError(
                f"is silent (nothing louder than {trim_db} dBFS)", "silent", db=trim_db
            ).problem()
            continue
        clips[name] = frames
    if not clips:  # every readable file was silent or failed its conversion: a pack of no clip is none
        message = f"{folder} holds no usable clip ({len(errors)} unreadable)"
        raise VoiceError(message, "no_clip_unusable", errors, folder=folder)
    levels = {name: level_db(frames, pack_fmt) for name, frames in clips.items()}
    target = statistics.median(rms for rms, _ in levels.values()) if levels else 0.0
    adjusted = {}
    for name, (rms, peak) in levels.items():
        change = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target - rms, PEAK_CEILING_DB - peak))
        if abs(target - rms) > NORMALIZE_TOLERANCE_DB and abs(change) >= 0.1:
            clips[name] = gain(clips[name], pack_fmt, change)
            adjusted[name] = round(change, 1)
    total = sum(map(len, clips.values()))
    if total > MAX_PACK_BYTES:
        mb, most = -(-total // (1024 * 1024)), MAX_PACK_BYTES // (1024 * 1024)  # rounded up: never "64 MB, over 64"
        raise VoiceError(f"{folder}: the clips take {mb} MB, over {most}", "too_large", folder=folder, mb=mb, max=most)
    offsets: dict[str, list[int]] = {}
    at = 0
    temp = work / f"{digest}.{os.getpid()}.tmp"
    with open(temp, "wb") as out:
        for name in sorted(clips):
            out.write(clips[name])
            offsets[name] = [at, len(clips[name])]
            at += len(clips[name])
    os.replace(temp, work / f"{digest}.pcm")
    audio_digest = hashlib.sha256((work / f"{digest}.pcm").read_bytes())
    audio_digest.update(json.dumps([pack_fmt.rate, pack_fmt.width, pack_fmt.channels, offsets]).encode())
    manifest = {
        "folder": str(folder),
        "format": [pack_fmt.rate, pack_fmt.width, pack_fmt.channels],
        "clips": offsets,
        "errors": errors,
        "converted": converted,
        "adjusted": adjusted,
        "level_db": round(target, 1) if levels else None,
        "digest": audio_digest.hexdigest(),
    }
    temp.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(temp, manifest_path)
    _prune(work, digest, converted_dir)
    return manifest_path


def problem(error: Exception) -> str | dict[str, Any]:
    """What the manifest keeps of why a file is not a clip: a ClipError's code and params, a file not read as
    `unreadable` (the system's words for it), anything else in English as it is."""
    if isinstance(error, ClipError):
        return error.problem()
    if isinstance(error, OSError):
        return ClipError(str(error), "unreadable", cause=error.strerror or str(error)).problem()
    return str(error)


def _prune(work: Path, keep: str, converted_dir: Path) -> None:
    """Remove every prepared pack but `keep`, and converted clips it did not use (a minute's grace)."""
    for path in work.iterdir():
        if path.is_file() and path.stem != keep and path.suffix in (".json", ".pcm", ".tmp"):
            path.unlink(missing_ok=True)
    if converted_dir.is_dir():
        unused = time.time() - 60
        for path in converted_dir.iterdir():
            try:
                if path.stat().st_mtime < unused:
                    path.unlink()
            except OSError:
                continue


# -- a loaded pack --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    """A prepared pack in memory: its format and the frames of each clip."""

    folder: Path
    fmt: Format
    clips: dict[str, bytes]
    digest: str  # of the prepared audio: part of each phrase's cache key
    pause_ms: int
    # file name -> what is wrong with it, in both languages (`reason`: the manifest's code and params)
    errors: dict[str, Localized] = field(default_factory=dict)
    converted: int = 0
    adjusted: dict[str, float] = field(default_factory=dict)  # clip -> the decibels it was changed by
    max_run: int = 1

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.clips)

    def missing(self, text: str) -> list[str]:
        """The words of `text` no clip says."""
        return plan(text, self.clips.keys(), self.max_run)[1]

    def render(self, text: str) -> bytes | None:
        """The WAV of `text` joined from the clips (pauses as silence); None when a word has no clip."""
        parts, missing = plan(text, self.clips.keys(), self.max_run)
        if missing or not parts:
            return None
        pause = self.fmt.silence(self.pause_ms)
        return wav_bytes(b"".join(pause if p is None else self.clips[p] for p in parts), self.fmt)

    def status(self, lang: str = "id") -> dict[str, Any]:
        """The pack as the admin page shows it: each unusable file's problem in `lang` ("id" or "en")."""
        return {
            "folder": str(self.folder),
            "clips": len(self.clips),
            "format": self.fmt.describe(),
            "errors": {name: why.en_text if lang == "en" else why.id_text for name, why in self.errors.items()},
            "converted": self.converted,
            "adjusted": dict(self.adjusted),
        }


def read_manifest(manifest_path: Path, pause_ms: int) -> Pack:
    """The Pack a manifest and its PCM file describe."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    with open(Path(manifest_path).with_suffix(".pcm"), "rb") as file:
        blob = file.read(MAX_PACK_BYTES + 1)
    if len(blob) > MAX_PACK_BYTES:
        most = MAX_PACK_BYTES // (1024 * 1024)
        raise VoiceError(
            "the prepared pack is too large", "prepared_too_large", work=Path(manifest_path).parent, max=most
        )
    view = memoryview(blob)
    clips = {name: bytes(view[at : at + n]) for name, (at, n) in manifest["clips"].items()}
    return Pack(
        folder=Path(manifest["folder"]),
        fmt=Format(*manifest["format"]),
        clips=clips,
        digest=manifest["digest"],
        pause_ms=pause_ms,
        errors={name: reason(why) for name, why in manifest["errors"].items()},
        converted=manifest["converted"],
        adjusted=manifest["adjusted"],
        max_run=max((name.count("-") + 1 for name in clips), default=1),
    )


def load(folder: Path, work: Path, trim_db: int, pause_ms: int, timeout: float = 300.0) -> Pack:
    """Prepare (if needed) and read the pack in `folder`. Under gevent the preparing runs in a child
    process, waited for cooperatively; elsewhere (tests, the command line) in this one."""
    from shared.runtime import on_gevent, run_command

    if not on_gevent():
        return read_manifest(prepare(folder, work, trim_db), pause_ms)
    command = [sys.executable, "-m", "server.voice", "prepare", str(folder), str(work), str(trim_db)]
    try:
        code, output = run_command(command, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise VoiceError(f"preparing {folder} failed: {error or 'no answer in time'}") from error
    lines = output.strip().splitlines()
    if code != 0 or not lines:
        raise VoiceError.heard(lines[-1]) if lines else VoiceError(f"preparing {folder} failed with exit code {code}")
    return read_manifest(Path(lines[-1]), pause_ms)


# -- what an office needs ------------------------------------------------------------------


def template_runs(template: str) -> list[str]:
    """The clips that say the fixed words of an announcement template, one per run of words between
    pauses and placeholders: "Nomor antrian, {letter}, ..." -> ["nomor-antrian", ...]."""
    import string

    runs: list[str] = []
    for literal, *_ in string.Formatter().parse(template):
        run: list[str] = []
        for token in [*tokens(literal), None]:
            if token is None:
                if run and "-".join(run) not in runs:
                    runs.append("-".join(run))
                run = []
            else:
                run.append(token)
    return runs


def recall_intros(settings: Any) -> list[str]:
    """What the office's recalls say before the call, in its language ([queue] max_calls): "Panggilan kedua.",
    ..., "Panggilan terakhir." (none with max_calls = 1), then what a ticket on its last chance says before each of
    its calls: "Kesempatan terakhir.", "Panggilan kedua, kesempatan terakhir.", ... (server.tts.recall_words)."""
    from server.tts import recall_words

    max_calls, lang = settings.queue.max_calls, settings.office.language
    recalls = [recall_words(n, max_calls, lang) for n in range(2, max_calls + 1)]
    return recalls + [recall_words(n, max_calls, lang, last_chance=True) for n in range(1, max_calls + 1)]


def office_clips(settings: Any, up_to: int = 999) -> list[str]:
    """The clips a pack for this office needs: the template's runs of words, the letters A-Z, the number
    words from 0 to `up_to`, the words of the counters' names, those the recalls and last chances say before the
    call (`panggilan`, `kedua`, `terakhir`, `kesempatan`) and the sound check's (`tes`, `suara`: server.tts
    SOUND_TEST, said by espeak-ng when the pack lacks them), in the office's language."""
    from server.tts import SOUND_TEST, counter_words, number_words

    lang, tts = settings.office.language, settings.tts
    template = tts.template_en if lang == "en" else tts.template
    names = template_runs(template) + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    for n in range(up_to + 1):
        names += [w for w in tokens(number_words(n, lang)) if w]
    for counter in settings.counters:
        names += [w for w in tokens(counter_words(counter.name, lang, tts.say_as_word, tts.spell_out)) if w]
    for intro in [*recall_intros(settings), SOUND_TEST.get(lang, SOUND_TEST["id"])]:
        names += [w for w in tokens(intro) if w]
    return list(dict.fromkeys(names))


def office_missing(pack: Pack, settings: Any, up_to: int = 999) -> dict[str, str]:
    """The words this office's calls need that `pack` lacks, each with a phrase that needs it: every
    service's letters and every counter with number 1, every number from 1 to `up_to`, and the words the
    recalls say before the call (a pack without them says a recall as a first call: server.announce)."""
    calls, intros = missing_words(pack, settings, up_to)
    return {**calls, **intros}


def missing_words(pack: Pack, settings: Any, up_to: int = 999) -> tuple[dict[str, str], dict[str, str]]:
    """`office_missing` in two: the words a call cannot be said without in the pack's voice (espeak-ng says a
    call lacking one), and those only the intros of recalls and last chances lack ("Panggilan kedua.", "Kesempatan
    terakhir.": without them such a call is said as a first call, in the pack's voice), each word with a phrase that
    needs it."""
    from server.tts import announcement_text

    lang, tts = settings.office.language, settings.tts
    template = tts.template_en if lang == "en" else tts.template
    prefixes = sorted({s.prefix for s in settings.services}) or ["A"]
    counters = [c.name for c in settings.counters] or ["1"]
    labels = [(f"{p}-1", c) for p in prefixes for c in counters]
    labels += [(f"{prefixes[0]}-{n}", counters[0]) for n in range(2, up_to + 1)]
    calls: dict[str, str] = {}
    for label, counter in labels:
        text = announcement_text(label, counter, template, lang, tts.say_as_word, tts.spell_out)
        for word in pack.missing(text):
            calls.setdefault(word, text)
    first = announcement_text(labels[0][0], labels[0][1], template, lang, tts.say_as_word, tts.spell_out)
    intros: dict[str, str] = {}
    for intro in recall_intros(settings):
        for word in pack.missing(intro):
            if word not in calls:
                intros.setdefault(word, f"{intro} {first}")
    return calls, intros


def main(argv: list[str]) -> int:
    """python -m server.voice prepare FOLDER WORK TRIM_DB: prepare a pack; prints the manifest's path."""
    if len(argv) != 4 or argv[0] != "prepare":
        print("usage: python -m server.voice prepare FOLDER WORK TRIM_DB", file=sys.stderr)
        return 2
    try:
        print(prepare(Path(argv[1]), Path(argv[2]), int(argv[3])))
    except VoiceError as error:  # its code and values too: the admin page says it in its own language
        print(json.dumps(error.told()))  # ASCII: a folder's name of any bytes crosses whatever the locale
        return 1
    except OSError as error:
        print(error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
