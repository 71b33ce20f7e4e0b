"""The console's alert sounds, drawn here and shipped as WAV files with its static files.

No third party and no recording: two short tones built from sine waves with Python's ``wave``
module. ``python -m counsellor_console.domain.sounds`` writes them to
``counsellor_console/static/``; ``tests/unit/console/test_sounds.py`` checks that the committed
files are exactly what this module draws, so the files can always be rebuilt and never drift.

- ``alert-chat.wav``: gentle, two soft rising notes: a chat entered the queue or a message came
  in a chat that is not in front of the counsellor.
- ``alert-urgent.wav``: more insistent, three quick higher pulses twice: an urgent chat queued.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

__all__ = ["RATE", "SOUNDS", "chat_tone", "urgent_tone", "wav_bytes", "write_all"]

#: Samples per second: plenty for tones under 1.3 kHz, and small files.
RATE = 16_000
_PEAK = 32_767


def _note(freq: float, seconds: float, volume: float, decay: float) -> list[float]:
    """One sine note with a 5 ms attack (no click) and an exponential fade."""
    n = int(RATE * seconds)
    attack = int(RATE * 0.005)
    out: list[float] = []
    for i in range(n):
        t = i / RATE
        env = math.exp(-decay * t) * (min(1.0, i / attack) if attack else 1.0)
        tail = min(1.0, (n - i) / attack) if attack else 1.0
        # A touch of the octave makes it a chime rather than a beep.
        wave_ = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
        out.append(volume * env * tail * wave_ / 1.25)
    return out


def _silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def chat_tone() -> list[float]:
    """Two soft rising notes (E5, A5), under half a second."""
    return _note(659.25, 0.20, 0.22, 9.0) + _note(880.0, 0.28, 0.22, 7.0)


def urgent_tone() -> list[float]:
    """Three quick pulses (A5, D6, A5), twice: hard to miss, still not a siren."""
    pulse: list[float] = []
    for freq in (880.0, 1174.66, 880.0):
        pulse += _note(freq, 0.11, 0.45, 6.0) + _silence(0.04)
    return pulse + _silence(0.16) + pulse


def wav_bytes(samples: list[float]) -> bytes:
    """Mono 16-bit PCM WAV of the samples (each in -1..1)."""
    frames = b"".join(struct.pack("<h", round(max(-1.0, min(1.0, s)) * _PEAK)) for s in samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return buf.getvalue()


#: File name -> its samples, as served under /static/console/.
SOUNDS = {"alert-chat.wav": chat_tone, "alert-urgent.wav": urgent_tone}


def write_all(directory: Path) -> list[Path]:
    """Write every sound into ``directory``; returns the paths written."""
    written = []
    for name, draw in SOUNDS.items():
        path = directory / name
        path.write_bytes(wav_bytes(draw()))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for p in write_all(Path(__file__).resolve().parents[1] / "static"):
        print(p, p.stat().st_size)
