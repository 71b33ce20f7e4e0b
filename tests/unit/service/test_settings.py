"""Settings: every one documented, bad values refused with a message naming the variable."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from service.settings import SETTINGS_DOC, SettingsError, load_settings

DOCS = Path(__file__).resolve().parents[3] / "docs" / "settings.md"
KEY = base64.b64encode(bytes(32)).decode()


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(SETTINGS_DOC)


def test_every_variable_the_loader_reads_is_in_the_table() -> None:
    source = (Path(__file__).resolve().parents[3] / "service" / "settings.py").read_text()
    read = set(re.findall(r'"((?:FRISTAD_|REDIS_)[A-Z_]+)"', source))
    assert read <= set(SETTINGS_DOC)


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.master_key is None
    assert settings.chat.queue_max == 500
    assert settings.chat.resume_grace_secs == 120
    assert settings.chat.session_cap == 5
    assert settings.chat.visitor_rate == (10.0, 20)
    assert settings.chat.console_rate == (100.0, 200)
    assert settings.chat.retention_secs == 0
    assert settings.chat.opening_hours is None


def test_master_key_from_file(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(KEY + "\n")
    assert load_settings({"FRISTAD_MASTER_KEY_FILE": str(path)}).master_key == bytes(32)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRISTAD_MASTER_KEY", "too-short"),
        ("FRISTAD_QUEUE_MAX", "many"),
        ("FRISTAD_QUEUE_MAX", "0"),
        ("FRISTAD_VISITOR_RATE", "fast"),
        ("FRISTAD_OPENING_HOURS", "weekdays 9-5"),
        ("FRISTAD_RESUME_GRACE_S", "-1"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load_settings({name: value})
    assert name in str(excinfo.value)


def test_a_bad_master_key_is_never_echoed() -> None:
    secret = "c2VjcmV0LWJ1dC13cm9uZy1sZW5ndGg="
    with pytest.raises(SettingsError) as excinfo:
        load_settings({"FRISTAD_MASTER_KEY": secret})
    assert secret not in str(excinfo.value)


def test_production_mode_needs_a_master_key() -> None:
    with pytest.raises(SettingsError, match="FRISTAD_MASTER_KEY"):
        load_settings({}).require_master_key()


def test_allowed_origins_are_normalised() -> None:
    settings = load_settings({"FRISTAD_ALLOWED_ORIGINS": "https://A.example/ , https://b.example"})
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


def test_trusted_proxies() -> None:
    assert load_settings({}).trusted_proxies == ("127.0.0.1", "::1")
    assert load_settings({"FRISTAD_TRUSTED_PROXIES": "none"}).trusted_proxies == ()
    spread = load_settings({"FRISTAD_TRUSTED_PROXIES": "10.0.0.7, 172.28.0.0/16"})
    assert spread.trusted_proxies == ("10.0.0.7", "172.28.0.0/16")
    for bad in ("*", "nginx", "10.0.0.0/33"):
        with pytest.raises(SettingsError, match="FRISTAD_TRUSTED_PROXIES"):
            load_settings({"FRISTAD_TRUSTED_PROXIES": bad})


def test_sentinels() -> None:
    settings = load_settings(
        {"FRISTAD_REDIS_SENTINELS": "10.0.0.1:26379, [::1]:26380", "FRISTAD_ACK_REPLICAS": "1"}
    )
    assert settings.redis.sentinels == (("10.0.0.1", 26379), ("::1", 26380))
    assert settings.redis.service == "fristad"
    assert settings.ack_replicas == 1
    assert settings.ack_timeout_ms == 500
    assert load_settings({}).redis.sentinels == ()
    for bad in ("10.0.0.1", "10.0.0.1:x", ":26379", "h:70000"):
        with pytest.raises(SettingsError, match="FRISTAD_REDIS_SENTINELS"):
            load_settings({"FRISTAD_REDIS_SENTINELS": bad})
