"""The visitor page over a slow phone connection: bytes sent (compressed) and time to usable.

Chromium (Debian's, through Playwright) loads `/` from a real `fristad serve` under DevTools'
"Fast 3G" throttling profile (Network.emulateNetworkConditions with the preset's numbers:
1.6 Mbit/s down and 750 kbit/s up, both x 0.9, and 150 ms x 3.75 = 562.5 ms of latency per
request), each run in a fresh browser context (nothing cached, as for a first visit, and
the page is no-store anyway).

"Usable" is the moment the page's script has run and wired every button (it then puts
class `js` on <html>, and the quick exit and the start form work): recorded in the page by an
observer installed before the page's own scripts. Bytes are everything the page loads by
itself (its scripts, styles and first API calls), headers included, as Chromium counts them
on the wire (encodedDataLength).

    python -m bench.page [--runs 5]

Goals (issue 10): under 60 KB compressed, usable in under 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import redis
from playwright.async_api import CDPSession, async_playwright

from tests.support.net import free_port
from tests.support.server import start_server

CHROMIUM: Final = "/usr/bin/chromium"
# DevTools' presets (front_end/core/sdk/NetworkManager.ts), bytes per second and ms.
FAST_3G: Final = {
    "offline": False,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
    "latency": 150 * 3.75,
}
GOAL_BYTES: Final = 60_000
GOAL_USABLE_S: Final = 1.5
MARK_USABLE: Final = """
new MutationObserver(function (_, observer) {
  if (document.documentElement && document.documentElement.classList.contains('js')) {
    window.__usableAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['class']});
"""


@dataclass
class Load:
    usable_s: float
    wire_bytes: int
    body_bytes: int
    requests: int


async def one_load(
    browser: Any, url: str, throttle: dict[str, Any] | None, *, compressed: bool = True
) -> Load:
    # A cookie is what turns compression off (service/compression.py): the comparison run.
    headers = {} if compressed else {"Cookie": "bench=uncompressed"}
    context = await browser.new_context(
        viewport={"width": 412, "height": 900}, extra_http_headers=headers
    )
    try:
        page = await context.new_page()
        await page.add_init_script(MARK_USABLE)
        cdp: CDPSession = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if throttle is not None:
            await cdp.send("Network.emulateNetworkConditions", throttle)
        finished: list[dict[str, Any]] = []
        sizes: dict[str, int] = {}

        def on_finished(event: dict[str, Any]) -> None:
            finished.append(event)

        def on_data(event: dict[str, Any]) -> None:
            sizes[event["requestId"]] = sizes.get(event["requestId"], 0) + event["dataLength"]

        cdp.on("Network.loadingFinished", on_finished)
        cdp.on("Network.dataReceived", on_data)
        await page.goto(url, wait_until="commit")
        # Polled (the page's CSP forbids the eval wait_for_function needs); the time itself
        # is taken in the page.
        deadline = time.monotonic() + 30
        usable_ms: float | None = None
        while usable_ms is None:
            usable_ms = await page.evaluate("window.__usableAt")
            if time.monotonic() > deadline:
                raise TimeoutError("the page never became usable")
            await asyncio.sleep(0.02)
        # The page's weight: everything it loads on its own (its API calls included).
        await page.wait_for_load_state("networkidle")
        return Load(
            usable_s=usable_ms / 1000,
            wire_bytes=int(sum(e["encodedDataLength"] for e in finished)),
            body_bytes=sum(sizes.values()),
            requests=len(finished),
        )
    finally:
        await context.close()


async def measure(url: str, runs: int) -> dict[str, list[Load]]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        try:
            out: dict[str, list[Load]] = {"fast 3G": [], "unthrottled": [], "3G, no gzip": []}
            for _ in range(runs):
                out["fast 3G"].append(await one_load(browser, url, FAST_3G))
                out["unthrottled"].append(await one_load(browser, url, None))
                out["3G, no gzip"].append(await one_load(browser, url, FAST_3G, compressed=False))
            return out
        finally:
            await browser.close()


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed: run `make install`"
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            with redis.Redis.from_url(url) as client:
                client.ping()
            return proc, url
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)


def report(results: dict[str, list[Load]]) -> bool:
    ok = True
    for name, loads in results.items():
        usable = statistics.median(load.usable_s for load in loads)
        wire = statistics.median(load.wire_bytes for load in loads)
        body = statistics.median(load.body_bytes for load in loads)
        requests = statistics.median(load.requests for load in loads)
        print(
            f"{name:12} usable {usable:.2f} s (runs: "
            + ", ".join(f"{load.usable_s:.2f}" for load in loads)
            + f"), {wire / 1000:.1f} KB on the wire ({body / 1000:.1f} KB of bodies), "
            f"{requests:.0f} requests"
        )
        if name == "fast 3G":
            ok = usable < GOAL_USABLE_S and wire < GOAL_BYTES
    print(f"goals: under {GOAL_BYTES / 1000:.0f} KB, usable under {GOAL_USABLE_S} s on fast 3G")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fristad-page-") as tmp:
        workdir = Path(tmp)
        redis_proc, redis_url = start_redis(workdir)
        server = start_server(redis_url, workdir)
        try:
            results = asyncio.run(measure(f"{server.base_url}/", args.runs))
        finally:
            server.stop()
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
    print("meets the goals" if report(results) else "misses a goal")


if __name__ == "__main__":
    main()
