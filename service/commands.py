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


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "stats" and args.action == "export":
        return _stats_export(settings, args)
    print(f"fristad: '{args.command}' is not available yet", file=sys.stderr)
    return 1
