"""deploy/compose.yaml and deploy/Dockerfile hold together (no image can be pulled here, so
this is what can be checked without one): the compose file parses, its settings are ones the
service accepts, nginx's upstreams name every process, and the image copies every package."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from service.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def processes(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data["services"].items() if k.startswith("fristad-")}


def test_processes_have_valid_settings() -> None:
    data = compose()
    nginx_ip = data["services"]["nginx"]["networks"]["backend"]["ipv4_address"]
    found = processes(data)
    assert len(found) >= 2
    sentinels = [k for k in data["services"] if k.startswith("sentinel-")]
    for name, service in found.items():
        env = {k: str(v) for k, v in service["environment"].items()}
        env.pop("FRISTAD_MASTER_KEY_FILE")  # a secret mounted at run time
        settings = load_settings(env)
        assert sorted(h for h, _ in settings.redis.sentinels) == sorted(sentinels), name
        assert settings.trusted_proxies == (nginx_ip,), name
        assert settings.ack_replicas == 1
        assert (DEPLOY.parent / service["build"]["dockerfile"]).exists()


def test_nginx_upstreams_name_every_process() -> None:
    data = compose()
    script = data["services"]["nginx"]["command"][0]
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for pattern, replacement in re.findall(r"-e 's/(.*?)/(.*?)/'", script):
        assert pattern in conf, pattern
        conf = conf.replace(pattern, replacement.replace("\\n", "\n"))
    upstreams = re.findall(r"^\s*server (\S+):8000;", conf, flags=re.MULTILINE)
    assert sorted(upstreams) == sorted(processes(data))
    assert "127.0.0.1:800" not in conf


def test_sentinels_watch_the_primary_with_a_quorum() -> None:
    data = compose()
    sentinels = [v for k, v in data["services"].items() if k.startswith("sentinel-")]
    assert len(sentinels) == 3
    for sentinel in sentinels:
        monitor = re.search(
            r"sentinel monitor fristad redis-primary 6379 (\d+)", sentinel["command"][0]
        )
        assert monitor is not None
        assert 1 < int(monitor.group(1)) <= len(sentinels)
    replica = data["services"]["redis-replica"]["command"]
    assert replica[replica.index("--replicaof") + 1] == "redis-primary"


def test_image_is_debian_python_and_copies_every_package() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert base is not None
    assert re.fullmatch(r"python:3\.1[1-9]-slim-bookworm", base.group(1))
    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for include in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = include.rstrip("*")
        assert f"COPY {package} ./{package}" in text, package
    assert "USER fristad" in text
