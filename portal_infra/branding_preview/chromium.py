"""Screenshots with headless Chromium (Debian's `chromium` package), a few browser processes at a time.

`chromium --headless --screenshot=...` starts a whole browser for one picture: 1.2 s each on a 2-core
machine, 2 minutes for 100 accounts. Instead each worker starts one browser and drives it over the
DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON messages ended by NUL, commands on fd 3,
answers on fd 4), loading page after page in one tab. Nothing but the standard library is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM_ENV = "PORTAL_INFRA_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Not a timing assumption: a browser that says nothing for this long has hung, and the run says so.
_SILENCE_LIMIT = 120.0


class ChromiumError(RuntimeError):
    """Chromium is missing or failed; the message says what to do."""


def find_chromium() -> str:
    """The browser binary: $PORTAL_INFRA_CHROMIUM, else the first of chromium, chromium-browser,
    google-chrome on PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        if shutil.which(named) is None:
            raise ChromiumError(f"{CHROMIUM_ENV}={named} is not an executable; point it at a Chromium binary")
        return named
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumError("no Chromium on PATH (looked for " + ", ".join(_NAMES) + "); install Debian's chromium "
                        "package (as root: `bash scripts/chromium.sh`, or `apt-get install chromium`), or set "
                        f"{CHROMIUM_ENV} to a Chromium or Chrome binary")


@dataclass(frozen=True)
class Shot:
    html: Path
    png: Path
    width: int
    height: int


class Browser:
    """One headless Chromium and one tab, driven over the DevTools pipe. Use it from one thread."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or find_chromium()
        self._profile = tempfile.TemporaryDirectory(prefix="portal-infra-chromium-")
        self._log = Path(self._profile.name) / "chromium.log"
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._session = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._commands = self._answers = -1

    def __enter__(self) -> Browser:
        commands_r, self._commands = os.pipe()
        self._answers, answers_w = os.pipe()
        flags = ["--headless", "--remote-debugging-pipe", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--mute-audio", "--disable-dev-shm-usage",
                 "--force-color-profile=srgb", "--allow-file-access-from-files",
                 f"--user-data-dir={self._profile.name}/profile"]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox on
        # The pipe ends come in as stdin and stdout; the shell moves them to fds 3 and 4, where Chromium
        # expects them, points stdin and stdout elsewhere, then becomes Chromium.
        script = 'exec "$@" 3<&0 4>&1 </dev/null >&2'
        with self._log.open("wb") as log:
            self._proc = subprocess.Popen(["sh", "-c", script, "sh", self.binary, *flags, "about:blank"],
                                          stdin=commands_r, stdout=answers_w, stderr=log, start_new_session=True)
        os.close(commands_r)
        os.close(answers_w)
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", {}, session=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def screenshot(self, shot: Shot) -> None:
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": shot.width, "height": shot.height, "deviceScaleFactor": 1, "mobile": False},
                   session=True)
        self._events.clear()
        answer = self._call("Page.navigate", {"url": shot.html.resolve().as_uri()}, session=True)
        if answer.get("errorText"):
            raise ChromiumError(f"Chromium could not open {shot.html}: {answer['errorText']}")
        self._wait_for("Page.loadEventFired")
        data = self._call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        shot.png.write_bytes(base64.b64decode(data))

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        proc = self._proc
        try:
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ChromiumError, OSError):
                    self._send("Browser.close", {})
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    # Its own process group (start_new_session): this browser and its helpers only.
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        finally:
            for fd in (self._commands, self._answers):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._commands = self._answers = -1
            self._profile.cleanup()

    # --- the DevTools pipe -------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any], session: bool = False) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _call(self, method: str, params: dict[str, Any], session: bool = False) -> dict[str, Any]:
        wanted = self._send(method, params, session)
        while True:
            message = self._read()
            if message.get("id") == wanted:
                if "error" in message:
                    raise ChromiumError(f"Chromium refused {method}: {message['error'].get('message')}")
                result: dict[str, Any] = message.get("result") or {}
                return result
            if "method" in message:
                self._events.append(message)

    def _wait_for(self, event: str) -> None:
        while not any(e.get("method") == event and e.get("sessionId") == self._session for e in self._events):
            message = self._read()
            if "method" in message:
                self._events.append(message)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._answers], [], [], _SILENCE_LIMIT)
            chunk = os.read(self._answers, 1 << 20) if ready else b""
            if not chunk:
                raise ChromiumError(f"Chromium ({self.binary}) {'stopped' if ready else 'stopped answering'}; "
                                    f"its last words: {self._last_words()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _last_words(self) -> str:
        try:
            lines = [line for line in self._log.read_text(errors="replace").splitlines()
                     if "dbus" not in line and line.strip()]
        except OSError:
            return "(no log)"
        return " | ".join(lines[-3:]) or "(nothing)"


def default_processes() -> int:
    """A small pool: one browser per core, at most 4 (each holds ~150 MB)."""
    return max(1, min(os.cpu_count() or 1, 4))


def render(shots: Iterable[Shot], processes: int | None = None, binary: str | None = None) -> int:
    """Take every shot, spread over up to `processes` browsers; the number of browsers started."""
    todo: queue.Queue[Shot] = queue.Queue()
    count = 0
    for shot in shots:
        todo.put(shot)
        count += 1
    if count == 0:
        return 0
    binary = binary or find_chromium()
    workers = min(count, processes or default_processes())
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Browser(binary) as browser:
                while not errors:
                    try:
                        shot = todo.get_nowait()
                    except queue.Empty:
                        return
                    browser.screenshot(shot)
        except BaseException as err:  # handed to the caller's thread below
            errors.append(err)

    threads = [threading.Thread(target=work, name=f"chromium-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return workers
