"""The command line's data commands: directory, statistics, purge."""

from __future__ import annotations

import argparse
import sys

from redis.asyncio import Redis  # noqa: TID251  # a type only: clients come from redis_pool

from service.settings import Settings


def _stats_export(settings: Settings, args: argparse.Namespace) -> int:
    """`fristad stats export --from DATE --to DATE`: the same CSV as /admin/stats.csv."""
    from chat.domain.stats import StatsRangeError, parse_range, render_csv
    from chat.stores.stats_store import StatsReader
    from service.redis_pool import run_with_redis

    try:
        span = parse_range(args.date_from, args.date_to)
    except StatsRangeError as exc:
        print(f"fristad: stats export: {exc}", file=sys.stderr)
        return 2  # usage, as cli.EXIT_USAGE

    async def export(client: Redis) -> str:
        from counsellor_console.domain.audit import StatsExported
        from counsellor_console.stores.audit_store import AuditLog

        body = render_csv(span, await StatsReader(client).counts(span))
        await AuditLog(client).record(
            StatsExported(
                staff="cli", first=span.first.isoformat(), last=span.last.isoformat(), via="cli"
            )
        )
        return body

    sys.stdout.write(run_with_redis(settings.redis, export))
    return 0


def _directory_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import organisations from CSV: every bad row is reported by line, good rows are kept."""
    from pathlib import Path

    from counsellor_console.domain.directory_csv import parse_directory_csv
    from counsellor_console.stores.directory_store import DirectoryStore
    from service.redis_pool import run_with_redis

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"fristad: directory import: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    report = parse_directory_csv(text)
    for error in report.errors:
        print(f"line {error.line}: {error.message}", file=sys.stderr)

    async def store(client: Redis) -> None:
        await DirectoryStore(client).upsert(report.orgs)

    if report.orgs:
        run_with_redis(settings.redis, store)
    print(f"imported: {len(report.orgs)}, rejected: {len(report.errors)}")
    return 1 if report.errors else 0


def _directory_export(settings: Settings) -> int:
    from counsellor_console.domain.directory_csv import export_directory_csv
    from counsellor_console.stores.directory_store import DirectoryStore
    from service.redis_pool import run_with_redis

    async def load(client: Redis) -> str:
        return export_directory_csv(await DirectoryStore(client).all())

    sys.stdout.write(run_with_redis(settings.redis, load))
    return 0


def _purge(settings: Settings) -> int:
    """Shred every ended chat whose retention has passed, now (Redis TTLs do it anyway)."""
    from chat.stores.store import ChatStore
    from counsellor_console.network.routes import Network
    from service.redis_pool import run_with_redis

    master_key = settings.require_master_key()

    async def purge(client: Redis) -> int:
        store = ChatStore(client, master_key, retention_secs=settings.chat.retention_secs)
        network = Network.open(
            client,
            master_key,
            settings.experts_retention_secs,
            settings.talk_request_retention_secs,
        )
        return await store.purge_expired() + await network.purge_expired()

    print(f"shredded: {run_with_redis(settings.redis, purge)}")
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "stats" and args.action == "export":
        return _stats_export(settings, args)
    if args.command == "directory":
        if args.action == "import":
            return _directory_import(settings, args)
        return _directory_export(settings)
    if args.command == "purge":
        return _purge(settings)
    print(f"fristad: unknown command {args.command}", file=sys.stderr)
    return 2
