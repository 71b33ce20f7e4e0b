"""The staff side's pure logic: audit events, canned replies, the directory and its hours,
partners' changes, the risk guide, the staff's words, roles, policies. No I/O: import-linter
forbids asyncio, redis, starlette and structlog here."""
