"""A real headless Chromium for end-to-end tests, driven over the DevTools protocol with the
``websockets`` client the suite already has (no browser-automation package to install).

Only what the tests need: open a page as a phone, set a cookie, go to a URL, run JavaScript
in it and wait for a condition. Chromium comes from the system (``apt-get install chromium``);
``find_chromium`` returns None when it is missing, and the tests skip with that reason.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--remote-debugging-port=0",
]
# An ordinary phone: 390 × 844 CSS pixels at 3× (the size of a common recent smartphone).
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
LAPTOP = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A Chromium process; ``await browser.page()`` opens a tab."""

    def __init__(self, process: subprocess.Popen, port: int, profile: str):
        self.process, self.port, self.profile = process, port, profile

    @classmethod
    def launch(cls, executable: str, timeout: float = 30) -> Browser:
        profile = tempfile.mkdtemp(prefix="rongke-chromium-")
        process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                return cls(process, int(found.group(1)), profile)
            if not line and process.poll() is not None:
                break
        process.kill()
        raise RuntimeError("Chromium did not start its DevTools endpoint")

    async def page(self, *, phone: bool = True) -> Page:
        """A new tab: sized as a phone (touch) by default, else as the window (a laptop)."""

        def new_tab() -> str:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT"
            )
            with urllib.request.urlopen(request) as reply:  # noqa: S310 (local http)
                return json.load(reply)["webSocketDebuggerUrl"]

        from websockets.asyncio.client import connect

        url = await asyncio.to_thread(new_tab)
        page = Page(await connect(url, max_size=None))
        if phone:
            await page.send("Emulation.setDeviceMetricsOverride", **PHONE)
            await page.send("Emulation.setTouchEmulationEnabled", enabled=True)
        else:
            await page.send("Emulation.setDeviceMetricsOverride", **LAPTOP)
        return page

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab. Console errors and uncaught exceptions of the page are kept in ``errors``."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.errors: list[str] = []

    async def send(self, method: str, **params) -> dict:
        call = next(self.ids)
        await self.ws.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._note(message)

    def _note(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append(
                " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )

    async def open(self, url: str, *, cookies: dict[str, str]) -> None:
        await self.send("Runtime.enable")
        for name, value in cookies.items():
            await self.send("Network.setCookie", name=name, value=value, url=url)
        await self.send("Page.navigate", url=url)

    async def evaluate(self, expression: str):
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 10.0):
        """The first truthy value of ``expression``, polled every 50 ms (return a string or
        a boolean: a DOM node comes back as an empty object)."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}; errors: {self.errors}")
            await asyncio.sleep(0.05)

    async def screenshot(self, path: str | os.PathLike) -> None:
        import base64

        shot = await self.send("Page.captureScreenshot", format="png")
        Path(path).write_bytes(base64.b64decode(shot["data"]))

    async def close(self) -> None:
        await self.ws.close()
