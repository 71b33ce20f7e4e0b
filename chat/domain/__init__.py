"""The chat's pure domain: states, records, limits, codes and counts. No I/O: import-linter forbids
asyncio, redis, starlette and structlog here.
"""
