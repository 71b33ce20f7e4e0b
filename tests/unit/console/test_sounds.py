"""The alert sounds the console ships are the ones counsellor_console.domain.sounds draws, and
short."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from counsellor_console.domain import sounds

STATIC = Path(sounds.__file__).parents[1] / "static"


@pytest.mark.parametrize("name", sorted(sounds.SOUNDS))
def test_committed_file_is_what_the_module_draws(name: str) -> None:
    assert (STATIC / name).read_bytes() == sounds.wav_bytes(sounds.SOUNDS[name]())


@pytest.mark.parametrize("name", sorted(sounds.SOUNDS))
def test_sound_is_short_mono_and_not_silent(name: str) -> None:
    with wave.open(io.BytesIO((STATIC / name).read_bytes())) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 0.2 < seconds < 1.5
    assert max(frames) > 0


def test_urgent_is_louder_and_longer_than_the_chat_chime() -> None:
    chat = sounds.chat_tone()
    urgent = sounds.urgent_tone()
    assert len(urgent) > len(chat)
    assert max(abs(s) for s in urgent) > max(abs(s) for s in chat)
