"""The one composition root: ``create_app(settings)`` wires every part into a Starlette app."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, WebSocketRoute, websocket_session
from starlette.staticfiles import StaticFiles

from chat.live.lifecycle import running
from chat.live.visitor_endpoint import VisitorEndpoint
from chat.operations.continuity import Continuity
from chat.operations.conversations import Conversations
from chat.operations.events import EventHub
from chat.operations.safety import Safety
from chat.stores.batch_store import RedisBatcher
from chat.stores.floor_store import FloorStore
from chat.stores.pubsub_store import PubSubTransport
from chat.stores.returncode_store import ReturnCodeStore
from chat.stores.safety_store import SafetyStore
from chat.stores.stats_store import StatsReader, StatsRecorder
from chat.stores.store import ChatStore
from chat.web.visit_page import VisitPage
from chat.web.visitor_routes import create_visitor_routes
from counsellor_console.domain.metrics_counters import ChatCounters
from counsellor_console.live.console_endpoint import ConsoleEndpoint
from counsellor_console.live.supervision import Supervision
from counsellor_console.network.routes import Network
from counsellor_console.stores.audit_store import AuditLog, edit_audit
from counsellor_console.stores.canned_store import CannedStore
from counsellor_console.stores.directory_store import DirectoryStore
from counsellor_console.stores.invite_store import Accounts
from counsellor_console.stores.partner_store import ProposalStore
from counsellor_console.stores.revocation_store import ConsoleSockets
from counsellor_console.stores.store import StaffStore
from counsellor_console.web.account_routes import create_account_routes
from counsellor_console.web.admin_routes import create_staff_admin_routes
from counsellor_console.web.canned_routes import create_canned_routes
from counsellor_console.web.csrf import CsrfMiddleware, CsrfTokens
from counsellor_console.web.directory_routes import create_directory_routes
from counsellor_console.web.floor import FloorView, create_floor_routes
from counsellor_console.web.metrics import metrics_response
from counsellor_console.web.monitor import Monitor, create_admin_routes
from counsellor_console.web.partner_routes import create_partner_routes
from counsellor_console.web.riskguide_routes import create_riskguide_routes
from counsellor_console.web.staff_pages import StaffGate, create_console_routes, session_of_cookie
from kb.bank import KnowledgeBank
from kb.pages import PageChrome
from kb.store import KbStore
from kb.web import create_kb_routes
from security.address import AddressHasher
from security.address_limits import AddressLimits, AddressRateLimitMiddleware
from security.crypto import derive_key
from security.headers import SecurityHeadersMiddleware
from security.roles import StaffIdentity
from service.compression import CompressPublicResponses
from service.gc_pacing import collect_on_schedule, pace_collections, restore_collections
from service.metrics_listener import MetricsListener
from service.ops_routes import create_ops_routes
from service.redis_pool import open_redis
from service.settings import Settings, throwaway_master_key
from service.shortcut import WebSocketShortcut

log = structlog.get_logger(__name__)

ROOT: Final = Path(__file__).resolve().parent.parent
SHUTDOWN_WAIT_SECS: Final = 3.0
PURGE_INTERVAL_SECS: Final = 3600


async def purge_on_schedule(store: ChatStore, network: Network | None = None) -> None:
    """Apply the retention policy every hour (also `fristad purge`); TTLs do the rest."""
    while running():
        await asyncio.sleep(PURGE_INTERVAL_SECS)
        try:
            shredded = await store.purge_expired()
            shredded += await network.purge_expired() if network else 0
        except Exception as exc:
            log.warning("purge_failed", error=type(exc).__name__)
            continue
        if shredded:
            log.info("purged", shredded=shredded)


def return_code_pepper(master_key: bytes) -> bytes:
    """The return codes' service secret, derived so it changes only with the master key."""
    return derive_key(master_key, b"", b"fristad/return-code/pepper/v1")


def create_app(settings: Settings) -> Starlette:
    """Build the whole service from its settings; shared resources live in the lifespan."""
    master_key = settings.master_key
    if master_key is None:
        if not settings.dev:
            settings.require_master_key()
        master_key = throwaway_master_key()
        log.warning("throwaway_master_key", reason="--dev without FRISTAD_MASTER_KEY")
    redis = open_redis(settings.redis)
    batcher = RedisBatcher(
        redis, ack_replicas=settings.ack_replicas, ack_timeout_ms=settings.ack_timeout_ms
    )
    transport = PubSubTransport(redis, batcher)
    hub = EventHub(transport)
    # One clock for the chat (issue 9): the store, the statistics and the operations read it.
    clock = time.time
    store = ChatStore(
        redis,
        master_key,
        retention_secs=settings.chat.retention_secs,
        batcher=batcher,
        clock=clock,
    )
    stats = StatsRecorder(redis, clock=clock)
    codes = ReturnCodeStore(redis, return_code_pepper(master_key), settings.return_code_ttl_secs)
    continuity = Continuity(codes, store, settings.chat.session_cap)
    ops = Conversations(store, hub, settings.chat, stats=stats, continuity=continuity, clock=clock)
    staff_store = StaffStore(redis, master_key, settings.staff)

    async def counsellors_online() -> int:
        return len(await staff_store.online_staff())

    ops.counsellors_online = counsellors_online
    counters = ChatCounters()
    ops.metrics = counters
    ops.floor = FloorStore(redis, clock)
    directory = DirectoryStore(redis)
    address_hasher = AddressHasher(derive_key(master_key, b"", b"fristad/address-hash/v1"))
    csrf = CsrfTokens(derive_key(master_key, b"", b"fristad/csrf/v1"))
    console_sockets = ConsoleSockets(redis, staff_store.sessions)
    gate = StaffGate(
        staff_store,
        csrf=csrf,
        sockets=console_sockets,
        address_key=lambda address: address_hasher.hash_address(
            address, datetime.now(tz=UTC).date()
        ),
    )
    audit = AuditLog(redis)
    network = Network.open(
        redis, master_key, settings.experts_retention_secs, settings.talk_request_retention_secs
    )
    origins = frozenset(settings.allowed_origins)
    address_limits = AddressLimits(
        redis,
        address_hasher,
        max_sockets=settings.address_sockets,
        http_per_minute=settings.address_http_per_minute,
        chats_per_minute=settings.address_chats_per_minute,
    )
    visitor = VisitorEndpoint(
        ops,
        address_limits=address_limits,
        allowed_origins=origins,
        rate=settings.chat.visitor_rate,
        continuity=continuity,
        stats=stats,
    )
    console = ConsoleEndpoint(
        ops,
        gate,
        allowed_origins=origins,
        rate=settings.chat.console_rate,
        directory=directory,
        audit=audit,
    )
    safety = Safety(ops, SafetyStore(redis))
    visitor.safety = safety
    supervision = Supervision(safety, staff_store, audit, console.sockets)
    console.supervision = supervision
    transport.on_reconnect = hub.resync

    async def current_staff(request: Request) -> StaffIdentity | None:
        return await gate.identify(request)

    async def metrics() -> Response:
        return await metrics_response(ops, staff_store, counters)

    page = VisitPage(resume_grace_s=settings.chat.resume_grace_secs)
    kb_chrome = PageChrome(exit_url=settings.exit_url, head_html=page.head_html)
    routes: list[BaseRoute] = [
        *create_visitor_routes(settings.exit_url, settings.chat, ops, page),
        *create_ops_routes(redis.ping, gate, metrics),
        *create_console_routes(gate, origins, audit),
        *create_account_routes(gate, Accounts(staff_store), audit, origins),
        *create_staff_admin_routes(gate, Accounts(staff_store), audit, directory),
        *create_canned_routes(gate, CannedStore(redis), audit),
        *create_floor_routes(
            gate,
            FloorView(
                ops,
                staff_store,
                StatsReader(redis),
                ops.floor,
                clock,
                default_limit=settings.chat.chat_limit,
            ),
        ),
        *create_directory_routes(gate, directory),
        *create_partner_routes(gate, directory, ProposalStore(redis), audit),
        *create_riskguide_routes(gate, stats, origins),
        *create_admin_routes(gate, Monitor(ops, staff_store, StatsReader(redis), time.time), audit),
        *create_kb_routes(
            KnowledgeBank.default(),
            current_staff,
            KbStore(redis),
            edit_audit(audit),
            kb_chrome,
        ),
        *network.routes(gate, audit, kb_chrome),
        WebSocketRoute("/ws/visit", visitor.serve),
        WebSocketRoute("/ws/console", console.serve),
        Mount(
            "/static/visit",
            StaticFiles(directory=ROOT / "chat" / "web" / "static"),
            name="static-visit",
        ),
        # The shared helpers, for the staff pages' ES-module imports (the visitor's pages
        # carry them inline).
        Mount(
            "/static/common",
            StaticFiles(directory=ROOT / "chat" / "web" / "static" / "common"),
            name="static-common",
        ),
        Mount(
            "/static/console",
            StaticFiles(directory=ROOT / "counsellor_console" / "static"),
            name="static-console",
        ),
        Mount("/static/kb", StaticFiles(directory=ROOT / "kb" / "static"), name="static-kb"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(transport.run(hub.dispatch), name="events"),
            asyncio.create_task(visitor.keep_positions_fresh(), name="positions"),
            asyncio.create_task(visitor.keep_chats_alive(), name="liveness"),
            asyncio.create_task(console.broadcast_queue(), name="queue-broadcast"),
            asyncio.create_task(console.keep_presence(), name="presence"),
            asyncio.create_task(supervision.broadcast_chats(), name="chats-broadcast"),
            asyncio.create_task(console.colleagues.broadcast(), name="staff-broadcast"),
            asyncio.create_task(console_sockets.listen(), name="revocations"),
            asyncio.create_task(console_sockets.sweep(), name="session-sweep"),
            asyncio.create_task(purge_on_schedule(store, network), name="purge"),
            asyncio.create_task(collect_on_schedule(), name="gc"),
        ]
        thresholds = pace_collections()
        listener = (
            MetricsListener(settings.metrics_addr, metrics) if settings.metrics_addr else None
        )
        if listener is not None:
            listener.start()
        log.info("service_started", dev=settings.dev)
        try:
            yield
        finally:
            if listener is not None:
                await listener.stop()
            for task in tasks:
                task.cancel()
            # Loops check for the cancel between rounds; do not wait for ever on one that
            # is stuck in a dead connection.
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT_SECS)
            await redis.aclose()
            restore_collections(thresholds)

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(CsrfMiddleware, tokens=csrf, session_of=session_of_cookie)
    app.add_middleware(AddressRateLimitMiddleware, limits=address_limits)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.hsts, script_hashes=page.hashes)
    # Outside the headers middleware: what it adds (Cache-Control: no-store, CSP) is kept.
    app.add_middleware(CompressPublicResponses)
    app.add_middleware(
        WebSocketShortcut,
        routes={
            "/ws/visit": websocket_session(visitor.serve),
            "/ws/console": websocket_session(console.serve),
        },
    )
    app.state.started_at = time.time()
    return app


def create_app_from_env() -> Starlette:
    """For ``uvicorn --factory`` with several workers: each worker builds its own app."""
    from service.logging import configure_logging
    from service.settings import load_settings

    configure_logging()
    return create_app(load_settings())
