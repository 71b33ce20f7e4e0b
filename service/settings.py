"""Settings from the environment, read once, validated, frozen.

Nothing else in the project reads environment variables: the command line and the service
both build a ``Settings`` here, so ``REDIS_URL=... fristad users add`` writes where
``REDIS_URL=... fristad serve`` reads.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from chat.domain.config import (
    DEFAULT_CHAT_LIMIT,
    DEFAULT_QUEUE_MAX,
    DEFAULT_RESUME_GRACE_SECS,
    DEFAULT_RETENTION_SECS,
    DEFAULT_SESSION_CAP,
    MAX_CHAT_LIMIT,
    ChatConfig,
)
from chat.domain.hours import HoursFormatError, OpeningHours, parse_opening_hours
from counsellor_console.domain.policy import (
    LOGIN_LOCKOUT_SECS,
    STAFF_IDLE_SECS,
    STAFF_SESSION_MAX_SECS,
    StaffPolicy,
)
from counsellor_console.network.agenda import DEFAULT_TALK_RETENTION_SECS
from counsellor_console.network.experts import DEFAULT_EXPERTS_RETENTION_SECS
from security.address_limits import (
    DEFAULT_HTTP_REQUESTS_PER_MINUTE,
    DEFAULT_MAX_SOCKETS_PER_ADDRESS,
    DEFAULT_NEW_CHATS_PER_MINUTE,
)
from security.crypto import KeyFormatError, load_master_key
from security.ratelimit import RateFormatError, parse_rate

DEFAULT_REDIS_URL: Final = "redis://127.0.0.1:6379/0"
DEFAULT_REDIS_SERVICE: Final = "fristad"
DEFAULT_ACK_TIMEOUT_MS: Final = 500
# A reverse proxy on the same host; its X-Forwarded-For is believed, nobody else's.
DEFAULT_TRUSTED_PROXIES: Final = "127.0.0.1,::1"
DEFAULT_EXIT_URL: Final = "https://www.smhi.se/"
DEFAULT_PUBLIC_URL: Final = "http://127.0.0.1:8000"
DEFAULT_VISITOR_RATE: Final = "10/20"
DEFAULT_CONSOLE_RATE: Final = "100/200"
# Codes and their continuity records are forgotten after this long without use (issue 3).
DEFAULT_RETURN_CODE_TTL_SECS: Final = 180 * 24 * 3600

# name -> (meaning, default as documented); docs/settings.md is tested against this table.
SETTINGS_DOC: Final[dict[str, tuple[str, str]]] = {
    "REDIS_URL": ("the Redis to use", DEFAULT_REDIS_URL),
    "FRISTAD_REDIS_SENTINELS": (
        "Redis Sentinels, host:port comma-separated; REDIS_URL is then ignored",
        "none",
    ),
    "FRISTAD_REDIS_SERVICE": ("the Sentinels' name for the Redis to use", DEFAULT_REDIS_SERVICE),
    "FRISTAD_REDIS_PASSWORD": ("the password of Redis behind Sentinel", "none"),
    "FRISTAD_ACK_REPLICAS": ("replicas that must hold a message before its ack (WAIT)", "0"),
    "FRISTAD_ACK_TIMEOUT_MS": (
        "how long an ack waits for those replicas, then goes out anyway",
        str(DEFAULT_ACK_TIMEOUT_MS),
    ),
    "FRISTAD_MASTER_KEY": ("32 random bytes, base64: wraps every chat's data key", "none"),
    "FRISTAD_MASTER_KEY_FILE": ("a file holding FRISTAD_MASTER_KEY", "none"),
    "FRISTAD_ALLOWED_ORIGINS": (
        "extra origins allowed to open a WebSocket, comma-separated",
        "none",
    ),
    "FRISTAD_OPENING_HOURS": ("when chat is open, Europe/Stockholm time", "always open"),
    "FRISTAD_QUEUE_MAX": ("how many may wait per channel", str(DEFAULT_QUEUE_MAX)),
    "FRISTAD_RESUME_GRACE_S": (
        "how long a dropped visitor may resume",
        str(DEFAULT_RESUME_GRACE_SECS),
    ),
    "FRISTAD_SESSION_CAP": ("support conversations per return code", str(DEFAULT_SESSION_CAP)),
    "FRISTAD_VISITOR_RATE": ("visitor frames per second, RATE/BURST", DEFAULT_VISITOR_RATE),
    "FRISTAD_CONSOLE_RATE": ("console frames per second, RATE/BURST", DEFAULT_CONSOLE_RATE),
    "FRISTAD_RETENTION_S": (
        "seconds a transcript is kept after the end; 0 shreds at once",
        str(DEFAULT_RETENTION_SECS),
    ),
    "FRISTAD_RETURN_CODE_TTL_S": (
        "seconds a return code lives without use",
        str(DEFAULT_RETURN_CODE_TTL_SECS),
    ),
    "FRISTAD_ADDRESS_SOCKETS": (
        "open visitor sockets allowed from one address",
        str(DEFAULT_MAX_SOCKETS_PER_ADDRESS),
    ),
    "FRISTAD_ADDRESS_HTTP_RATE": (
        "HTTP requests a minute from one address",
        str(DEFAULT_HTTP_REQUESTS_PER_MINUTE),
    ),
    "FRISTAD_ADDRESS_CHAT_RATE": (
        "new chats a minute from one address",
        str(DEFAULT_NEW_CHATS_PER_MINUTE),
    ),
    "FRISTAD_TRUSTED_PROXIES": (
        "proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated; none",
        DEFAULT_TRUSTED_PROXIES,
    ),
    "FRISTAD_WS_PING_S": (
        "seconds between keepalive pings on a socket, and how long its pong may take",
        "20",
    ),
    "FRISTAD_EXPERTS_RETENTION_S": (
        "seconds an experts' thread is kept after its last post or its closing",
        str(DEFAULT_EXPERTS_RETENTION_SECS),
    ),
    "FRISTAD_TALK_REQUEST_RETENTION_S": (
        "seconds a school's talk request is kept (30 days at most once answered)",
        str(DEFAULT_TALK_RETENTION_SECS),
    ),
    "FRISTAD_EXIT_URL": ("the neutral page quick exit goes to", DEFAULT_EXIT_URL),
    "FRISTAD_HSTS": ("1 to send Strict-Transport-Security (behind https)", "0"),
    "FRISTAD_DEV": ("1 for development mode (throwaway master key allowed)", "0"),
    "FRISTAD_PUBLIC_URL": (
        "where staff reach the service; `fristad users invite` prints links under it",
        DEFAULT_PUBLIC_URL,
    ),
    "FRISTAD_STAFF_IDLE_S": ("seconds a staff session lives without use", str(STAFF_IDLE_SECS)),
    "FRISTAD_STAFF_SESSION_MAX_S": (
        "seconds a staff session lives at most after the login",
        str(STAFF_SESSION_MAX_SECS),
    ),
    "FRISTAD_LOGIN_LOCKOUT_S": (
        "seconds failed logins are counted (and a lockout lasts at most)",
        str(LOGIN_LOCKOUT_SECS),
    ),
    "FRISTAD_CHAT_LIMIT": (
        f"chats a counsellor holds at once, 0 to {MAX_CHAT_LIMIT}, unless set per person",
        str(DEFAULT_CHAT_LIMIT),
    ),
    "FRISTAD_HEAVY_PAUSE_S": (
        "seconds a counsellor's new accepts pause after they mark a heavy chat; 0: no pause",
        "0",
    ),
    "FRISTAD_METRICS_ADDR": (
        "host:port of a second listener serving only /metrics, without a staff session",
        "none",
    ),
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable, never its value."""


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """Where Redis is: a URL, or the Sentinels that know which server is the primary now."""

    url: str = DEFAULT_REDIS_URL
    sentinels: tuple[tuple[str, int], ...] = ()
    service: str = DEFAULT_REDIS_SERVICE
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    redis_url: str = DEFAULT_REDIS_URL
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_service: str = DEFAULT_REDIS_SERVICE
    redis_password: str | None = None
    ack_replicas: int = 0
    ack_timeout_ms: int = DEFAULT_ACK_TIMEOUT_MS
    master_key: bytes | None = None
    dev: bool = False
    allowed_origins: tuple[str, ...] = ()
    chat: ChatConfig = field(default_factory=ChatConfig)
    exit_url: str = DEFAULT_EXIT_URL
    hsts: bool = False
    return_code_ttl_secs: int = DEFAULT_RETURN_CODE_TTL_SECS
    address_sockets: int = DEFAULT_MAX_SOCKETS_PER_ADDRESS
    address_http_per_minute: int = DEFAULT_HTTP_REQUESTS_PER_MINUTE
    address_chats_per_minute: int = DEFAULT_NEW_CHATS_PER_MINUTE
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    #: FRISTAD_WS_PING_S: uvicorn's ws_ping_interval and ws_ping_timeout (service/cli.py).
    ws_ping_secs: int = 20
    #: FRISTAD_METRICS_ADDR: the metrics-only listener (service/metrics_listener.py).
    metrics_addr: tuple[str, int] | None = None

    @property
    def redis(self) -> RedisTarget:
        return RedisTarget(
            self.redis_url, self.redis_sentinels, self.redis_service, self.redis_password
        )

    staff: StaffPolicy = field(default_factory=StaffPolicy)
    public_url: str = DEFAULT_PUBLIC_URL
    experts_retention_secs: int = DEFAULT_EXPERTS_RETENTION_SECS
    talk_request_retention_secs: int = DEFAULT_TALK_RETENTION_SECS

    def require_master_key(self) -> bytes:
        if self.master_key is None:
            raise SettingsError(
                "FRISTAD_MASTER_KEY (or FRISTAD_MASTER_KEY_FILE) is not set; "
                "only `fristad serve --dev` starts without one"
            )
        return self.master_key


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _rate(env: Mapping[str, str], name: str, default: str) -> tuple[float, int]:
    try:
        return parse_rate(env.get(name) or default)
    except RateFormatError:
        raise SettingsError(f"{name} must look like RATE/BURST, e.g. {default}") from None


def _master_key(env: Mapping[str, str]) -> bytes | None:
    text = env.get("FRISTAD_MASTER_KEY")
    path = env.get("FRISTAD_MASTER_KEY_FILE")
    if not text and path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise SettingsError("FRISTAD_MASTER_KEY_FILE cannot be read") from None
    if not text:
        return None
    try:
        return load_master_key(text)
    except KeyFormatError:
        raise SettingsError("FRISTAD_MASTER_KEY must be 32 bytes, base64-encoded") from None


def _hours(env: Mapping[str, str]) -> OpeningHours | None:
    text = env.get("FRISTAD_OPENING_HOURS", "").strip()
    if not text:
        return None
    try:
        return parse_opening_hours(text)
    except HoursFormatError as exc:
        raise SettingsError(f"FRISTAD_OPENING_HOURS: {exc}") from None


def _sentinels(env: Mapping[str, str]) -> tuple[tuple[str, int], ...]:
    out: list[tuple[str, int]] = []
    for item in (p.strip() for p in env.get("FRISTAD_REDIS_SENTINELS", "").split(",")):
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError("FRISTAD_REDIS_SENTINELS must look like host:port,host:port")
        out.append((host.strip("[]"), int(port)))
    return tuple(out)


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """Addresses or CIDR networks; never a wildcard, which would let any client pick the
    address the per-address limits count (and so escape them)."""
    raw = env.get("FRISTAD_TRUSTED_PROXIES")
    if raw is None or raw.strip() == "":
        raw = DEFAULT_TRUSTED_PROXIES
    if raw.strip().lower() == "none":
        return ()
    proxies: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                "FRISTAD_TRUSTED_PROXIES must list IP addresses or networks (no wildcard)"
            ) from None
        proxies.append(str(network.network_address) if network.num_addresses == 1 else str(network))
    return tuple(proxies)


def _metrics_addr(env: Mapping[str, str]) -> tuple[str, int] | None:
    raw = env.get("FRISTAD_METRICS_ADDR")
    if raw is None or not raw.strip():
        return None
    host, sep, port = raw.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError("FRISTAD_METRICS_ADDR must look like host:port")
    return host, int(port)


def _chat_limit(env: Mapping[str, str]) -> int:
    limit = _int(env, "FRISTAD_CHAT_LIMIT", DEFAULT_CHAT_LIMIT)
    if limit > MAX_CHAT_LIMIT:
        raise SettingsError(f"FRISTAD_CHAT_LIMIT must be at most {MAX_CHAT_LIMIT}")
    return limit


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def load_settings(env: Mapping[str, str] | None = None, *, dev: bool = False) -> Settings:
    """Read and check every setting.

    Raises:
        SettingsError: a value is malformed (the message says which variable).
    """
    env = os.environ if env is None else env
    origins = tuple(
        o.strip().rstrip("/").lower()
        for o in env.get("FRISTAD_ALLOWED_ORIGINS", "").split(",")
        if o.strip()
    )
    chat = ChatConfig(
        queue_max=_int(env, "FRISTAD_QUEUE_MAX", DEFAULT_QUEUE_MAX, minimum=1),
        resume_grace_secs=_int(env, "FRISTAD_RESUME_GRACE_S", DEFAULT_RESUME_GRACE_SECS, minimum=1),
        session_cap=_int(env, "FRISTAD_SESSION_CAP", DEFAULT_SESSION_CAP, minimum=1),
        retention_secs=_int(env, "FRISTAD_RETENTION_S", DEFAULT_RETENTION_SECS),
        visitor_rate=_rate(env, "FRISTAD_VISITOR_RATE", DEFAULT_VISITOR_RATE),
        console_rate=_rate(env, "FRISTAD_CONSOLE_RATE", DEFAULT_CONSOLE_RATE),
        opening_hours=_hours(env),
        chat_limit=_chat_limit(env),
        heavy_pause_secs=_int(env, "FRISTAD_HEAVY_PAUSE_S", 0),
    )
    return Settings(
        redis_url=env.get("REDIS_URL") or DEFAULT_REDIS_URL,
        redis_sentinels=_sentinels(env),
        redis_service=env.get("FRISTAD_REDIS_SERVICE") or DEFAULT_REDIS_SERVICE,
        redis_password=env.get("FRISTAD_REDIS_PASSWORD") or None,
        ack_replicas=_int(env, "FRISTAD_ACK_REPLICAS", 0),
        ack_timeout_ms=_int(env, "FRISTAD_ACK_TIMEOUT_MS", DEFAULT_ACK_TIMEOUT_MS, minimum=1),
        master_key=_master_key(env),
        dev=dev or _flag(env, "FRISTAD_DEV"),
        allowed_origins=origins,
        chat=chat,
        exit_url=env.get("FRISTAD_EXIT_URL") or DEFAULT_EXIT_URL,
        hsts=_flag(env, "FRISTAD_HSTS"),
        address_sockets=_int(
            env, "FRISTAD_ADDRESS_SOCKETS", DEFAULT_MAX_SOCKETS_PER_ADDRESS, minimum=1
        ),
        address_http_per_minute=_int(
            env, "FRISTAD_ADDRESS_HTTP_RATE", DEFAULT_HTTP_REQUESTS_PER_MINUTE, minimum=1
        ),
        address_chats_per_minute=_int(
            env, "FRISTAD_ADDRESS_CHAT_RATE", DEFAULT_NEW_CHATS_PER_MINUTE, minimum=1
        ),
        return_code_ttl_secs=_int(
            env, "FRISTAD_RETURN_CODE_TTL_S", DEFAULT_RETURN_CODE_TTL_SECS, minimum=60
        ),
        trusted_proxies=_trusted_proxies(env),
        ws_ping_secs=_int(env, "FRISTAD_WS_PING_S", 20, minimum=1),
        metrics_addr=_metrics_addr(env),
        public_url=(env.get("FRISTAD_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
        staff=StaffPolicy(
            idle_secs=_int(env, "FRISTAD_STAFF_IDLE_S", STAFF_IDLE_SECS, minimum=1),
            max_secs=_int(env, "FRISTAD_STAFF_SESSION_MAX_S", STAFF_SESSION_MAX_SECS, minimum=1),
            lockout_secs=_int(env, "FRISTAD_LOGIN_LOCKOUT_S", LOGIN_LOCKOUT_SECS, minimum=1),
        ),
        experts_retention_secs=_int(
            env, "FRISTAD_EXPERTS_RETENTION_S", DEFAULT_EXPERTS_RETENTION_SECS, minimum=60
        ),
        talk_request_retention_secs=_int(
            env, "FRISTAD_TALK_REQUEST_RETENTION_S", DEFAULT_TALK_RETENTION_SECS, minimum=60
        ),
    )


def throwaway_master_key() -> bytes:
    """For ``--dev`` only: chats encrypted under it are unreadable after a restart."""
    return base64.b64decode(base64.b64encode(os.urandom(32)))
