"""A headless Chromium driven through the Chrome DevTools protocol, for the browser tests.

The browser runs with ``--remote-debugging-pipe``: it reads protocol messages (JSON, each ended
by a NUL byte) on its file descriptor 3 and writes its answers and events on descriptor 4, so
no port, no websocket library and no network are involved. :func:`find_or_install_chromium`
installs Debian's ``chromium`` package when no browser is on the PATH (as root, or through a
password-less sudo) and fails with the reason when it cannot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(RuntimeError):
    """The browser could not be found, installed, started, or answered with an error."""


def _which() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_or_install_chromium() -> str:
    """The path of a Chromium executable, installing Debian's ``chromium`` when missing."""
    found = _which()
    if found:
        return found
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        raise BrowserError(
            "no Chromium on the PATH and no way to install it: the browser tests need root or "
            "password-less sudo to run `apt-get install -y chromium` (or install it by hand)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = subprocess.run([*prefix, "apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                             capture_output=True, text=True, env=env)
    if install.returncode != 0:
        subprocess.run([*prefix, "apt-get", "update"], capture_output=True, env=env)
        install = subprocess.run([*prefix, "apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                                 capture_output=True, text=True, env=env)
    found = _which()
    if install.returncode != 0 or not found:
        raise BrowserError(f"`apt-get install -y chromium` failed (exit {install.returncode}):\n"
                           f"{install.stderr[-2000:]}")
    return found


class Browser:
    """One headless Chromium process and one page (tab) in it."""

    def __init__(self, executable: str, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="miroir-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child sees our pipe ends as its descriptors 3 (commands) and 4 (answers)
        def child_fds() -> None:
            # through fresh copies: a pipe end may itself be 3 or 4, and dup2 onto the same
            # descriptor would leave it close-on-exec
            commands, answers = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(
            [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
             "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--font-render-hinting=none", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            # close_fds=False: the dup2'd descriptors 3 and 4 survive (Python's own are not
            # inheritable, so nothing else leaks into the browser)
            preexec_fn=child_fds, close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target = page["targetId"] if page else self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.page("Page.enable")
        self.page("Runtime.enable")

    # --- the protocol -----------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise BrowserError(f"the browser closed its pipe (exit {self.process.poll()}): {err[-1500:]}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self.session, **params)

    # --- what the tests do -------------------------------------------------------------------

    def open(self, path: Path, *, width: int, height: int = 900, media: str = "screen") -> None:
        """Load a local file at a viewport ``width`` (CSS pixels) with the given CSS media."""
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.page("Emulation.setEmulatedMedia", media=media)
        self.page("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise BrowserError(f"{path} did not finish loading")
            time.sleep(0.05)

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def print_pdf(self, path: Path) -> Path:
        """Print to PDF on A4 with the page's own margins (``@page``)."""
        data = self.page("Page.printToPDF", paperWidth=8.27, paperHeight=11.69,
                         preferCSSPageSize=True, printBackground=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
