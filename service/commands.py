"""The command line's data commands: directory, statistics, purge."""

from __future__ import annotations

import argparse
import sys

from service.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    print(f"fristad: '{args.command}' is not available yet", file=sys.stderr)
    return 1
