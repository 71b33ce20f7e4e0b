"""``fristad``: the one command line (surface.md). Output for people on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from redis.asyncio import Redis  # noqa: TID251  # a type only: clients come from open_redis

from security.passwords import generate_one_time_password, hash_password
from security.roles import Role
from security.totp import new_totp_secret, provisioning_uri
from service.redis_pool import run_with_redis
from service.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from counsellor_console.domain.staff_language import Said

EXIT_USAGE: Final = 2
EXIT_FAILURE: Final = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fristad", description="Fristad chat service")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--dev", action="store_true", help="allow a throwaway master key")

    users = sub.add_parser("users", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", help="the name visitors and colleagues see")
    add.add_argument("--languages", default="", help="languages spoken, e.g. sv,ar")
    add.add_argument("--limit", default="", help="chats at once (default FRISTAD_CHAT_LIMIT)")
    add.add_argument("--org", default="", help="a partner's organisation id in the directory")
    invite = users.add_parser("invite", help="invite a colleague (prints a one-time link)")
    invite.add_argument("username")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--name", help="the name visitors and colleagues see")
    invite.add_argument("--languages", default="", help="languages spoken, e.g. sv,ar")
    invite.add_argument("--limit", default="", help="chats at once (default FRISTAD_CHAT_LIMIT)")
    invite.add_argument("--org", default="", help="a partner's organisation id in the directory")
    disable = users.add_parser("disable", help="disable a staff account")
    disable.add_argument("username")

    directory = sub.add_parser("directory", help="the referral directory").add_subparsers(
        dest="action", required=True
    )
    imp = directory.add_parser("import", help="import organisations from CSV")
    imp.add_argument("file")
    directory.add_parser("export", help="export the directory as CSV")

    stats = sub.add_parser("stats", help="follow-up statistics").add_subparsers(
        dest="action", required=True
    )
    export = stats.add_parser("export", help="statistics as CSV")
    export.add_argument("--from", dest="date_from", required=True)
    export.add_argument("--to", dest="date_to", required=True)

    sub.add_parser("purge", help="apply the retention policy now")
    return parser


def in_english(reason: Said) -> str:
    """The command line speaks English: a refusal's words from the staff catalogue."""
    from counsellor_console.domain.staff_language import translator

    return translator("en")(reason)


def _account_fields(args: argparse.Namespace) -> tuple[str, str, tuple[str, ...], int | None]:
    """Username, display name, languages and chat limit, checked as the admin page checks them.

    Raises:
        AccountFieldError: one of them cannot be stored (the message says which).
    """
    from counsellor_console.stores.invite_store import (
        clean_display_name,
        clean_username,
        parse_chat_limit,
        parse_languages,
    )

    username = clean_username(args.username)
    name = clean_display_name(args.name or "", username)
    return username, name, parse_languages(args.languages), parse_chat_limit(args.limit)


def _users_add(settings: Settings, args: argparse.Namespace) -> int:
    from counsellor_console.domain.audit import UserAdded
    from counsellor_console.stores.audit_store import AuditLog
    from counsellor_console.stores.invite_store import AccountFieldError
    from counsellor_console.stores.store import StaffStore, UserExistsError

    try:
        username, name, languages, limit = _account_fields(args)
    except AccountFieldError as exc:
        print(f"fristad: {in_english(exc.said)}", file=sys.stderr)
        return EXIT_USAGE
    master_key = settings.require_master_key()
    password = generate_one_time_password()
    secret = new_totp_secret()

    async def add(client: Redis) -> int:
        try:
            await StaffStore(client, master_key).add_user(
                username,
                name,
                Role(args.role),
                hash_password(password),
                secret,
                languages=languages,
                chat_limit=limit,
                org_id=args.org[:64],
            )
        except UserExistsError:
            print(f"fristad: user {username} exists already", file=sys.stderr)
            return EXIT_FAILURE
        await AuditLog(client).record(UserAdded(staff="cli", username=username, role=args.role))
        return 0

    status = run_with_redis(settings.redis, add)
    if status == 0:
        print(f"password: {password}")
        print(f"totp: {provisioning_uri(secret, username)}")
    return status


def _users_invite(settings: Settings, args: argparse.Namespace) -> int:
    from counsellor_console.domain.audit import UserInvited
    from counsellor_console.stores.audit_store import AuditLog
    from counsellor_console.stores.invite_store import AccountFieldError, Accounts
    from counsellor_console.stores.store import StaffStore, UserExistsError

    try:
        username, name, languages, limit = _account_fields(args)
    except AccountFieldError as exc:
        print(f"fristad: {in_english(exc.said)}", file=sys.stderr)
        return EXIT_USAGE
    master_key = settings.require_master_key()

    async def invite(client: Redis) -> int:
        accounts = Accounts(StaffStore(client, master_key))
        try:
            token = await accounts.invite(
                username,
                name,
                Role(args.role),
                languages=languages,
                chat_limit=limit,
                org_id=args.org[:64],
            )
        except UserExistsError:
            print(f"fristad: user {username} exists already", file=sys.stderr)
            return EXIT_FAILURE
        await AuditLog(client).record(UserInvited(staff="cli", username=username, role=args.role))
        print(f"invite: {settings.public_url}/console/invite/{token}")
        return 0

    return run_with_redis(settings.redis_url, invite)


def _users_disable(settings: Settings, args: argparse.Namespace) -> int:
    from counsellor_console.domain.audit import UserDisabled
    from counsellor_console.stores.audit_store import AuditLog
    from counsellor_console.stores.store import StaffStore

    async def disable(client: Redis) -> int:
        if not await StaffStore(client, settings.require_master_key()).disable_user(args.username):
            print(f"fristad: no user {args.username}", file=sys.stderr)
            return EXIT_FAILURE
        await AuditLog(client).record(UserDisabled(staff="cli", username=args.username))
        print(f"disabled: {args.username}")
        return 0

    return run_with_redis(settings.redis, disable)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from service.logging import configure_logging

    configure_logging()
    if settings.master_key is None and not settings.dev:
        settings.require_master_key()
    common = {
        "host": args.host,
        "port": args.port,
        "ws": "websockets-sansio",
        # protocol.md: frames over 16 KiB close with 1009; uvicorn's default would be 16 MiB.
        "ws_max_size": 16 * 1024,
        # Chat messages are short: compression saves little and costs ~35 KiB per idle socket.
        "ws_per_message_deflate": False,
        # A socket is read however far behind its frames are (chat/live/lanes.py), so a pong is
        # late only when the network is gone.
        "ws_ping_interval": float(settings.ws_ping_secs),
        "ws_ping_timeout": float(settings.ws_ping_secs),
        "access_log": False,
        "log_config": None,
        "server_header": False,
        "lifespan": "on",
        # The client address (per-address limits) and scheme come from X-Forwarded-For and
        # -Proto only when the peer is one of FRISTAD_TRUSTED_PROXIES; uvicorn's own handling
        # takes the rightmost address that is not a trusted proxy.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
    }
    if args.workers > 1:
        import os

        if settings.dev:
            os.environ["FRISTAD_DEV"] = "1"
        uvicorn.run("service.app:create_app_from_env", factory=True, workers=args.workers, **common)
        return 0
    from service.app import create_app

    uvicorn.run(create_app(settings), **common)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(dev=getattr(args, "dev", False))
        if args.command == "serve":
            return _serve(settings, args)
        from service.logging import configure_logging

        configure_logging(stream=sys.stderr)
        if args.command == "users":
            users = {"add": _users_add, "invite": _users_invite, "disable": _users_disable}
            return users[args.action](settings, args)
        from service import commands

        return commands.run(settings, args)
    except SettingsError as exc:
        print(f"fristad: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
