"""The command line's data commands: directory, statistics, purge."""

from __future__ import annotations

import argparse
import sys

from service.settings import Settings


def _stats_export(settings: Settings, args: argparse.Namespace) -> int:
    """`fristad stats export --from DATE --to DATE`: the same CSV as /admin/stats.csv."""
    import asyncio

    from chat.stats import StatsRangeError, parse_range, render_csv
    from chat.stats_store import StatsReader
    from service.redis_pool import open_redis

    try:
        span = parse_range(args.date_from, args.date_to)
    except StatsRangeError as exc:
        print(f"fristad: stats export: {exc}", file=sys.stderr)
        return 2  # usage, as cli.EXIT_USAGE

    async def export() -> str:
        client = open_redis(settings.redis_url)
        try:
            return render_csv(span, await StatsReader(client).counts(span))
        finally:
            await client.aclose()

    sys.stdout.write(asyncio.run(export()))
    return 0


def _directory_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import organisations from CSV: every bad row is reported by line, good rows are kept."""
    import asyncio
    from pathlib import Path

    from counsellor_console.directory import parse_directory_csv
    from counsellor_console.directory_store import DirectoryStore
    from service.redis_pool import open_redis

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"fristad: directory import: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    report = parse_directory_csv(text)
    for error in report.errors:
        print(f"line {error.line}: {error.message}", file=sys.stderr)

    async def store() -> None:
        client = open_redis(settings.redis_url)
        try:
            await DirectoryStore(client).upsert(report.orgs)
        finally:
            await client.aclose()

    if report.orgs:
        asyncio.run(store())
    print(f"imported: {len(report.orgs)}, rejected: {len(report.errors)}")
    return 1 if report.errors else 0


def _directory_export(settings: Settings) -> int:
    import asyncio

    from counsellor_console.directory import export_directory_csv
    from counsellor_console.directory_store import DirectoryStore
    from service.redis_pool import open_redis

    async def load() -> str:
        client = open_redis(settings.redis_url)
        try:
            return export_directory_csv(await DirectoryStore(client).all())
        finally:
            await client.aclose()

    sys.stdout.write(asyncio.run(load()))
    return 0


def _purge(settings: Settings) -> int:
    """Shred every ended chat whose retention has passed, now (Redis TTLs do it anyway)."""
    import asyncio

    from chat.store import ChatStore
    from service.redis_pool import open_redis

    async def purge() -> int:
        client = open_redis(settings.redis_url)
        try:
            store = ChatStore(
                client, settings.require_master_key(), retention_secs=settings.chat.retention_secs
            )
            return await store.purge_expired()
        finally:
            await client.aclose()

    print(f"shredded: {asyncio.run(purge())}")
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
