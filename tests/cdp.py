"""A small Chrome DevTools Protocol client for the HTML report tests: one headless Chromium per test
module, pages opened in it, every network request of a page recorded.

    with Browser.launch(proxy="127.0.0.1:8123") as browser:
        page = browser.new_page(width=1280, height=900)
        page.goto("file:///tmp/report.html")
        page.evaluate("document.title")
        page.screenshot("shot.png")
        page.requests          # every URL the page (and its frames) asked for

Chromium is started with ``--remote-debugging-port=0`` on 127.0.0.1 (the port it picked is read from
``DevToolsActivePort``); the WebSocket is ``websocket-client``.  Frames are attached automatically
(``Target.setAutoAttach``, flat sessions) so requests of out-of-process frames are seen too.
"""
from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from typing import Any, Optional

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> Optional[str]:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, proc: subprocess.Popen, ws, profile: str):
        self.proc = proc
        self.ws = ws
        self.profile = profile
        self._ids = itertools.count(1)
        self._events: list[dict] = []
        self.pages: list["Page"] = []
        self._pending_children: list[str] = []

    @classmethod
    def launch(cls, executable: Optional[str] = None, proxy: Optional[str] = None, timeout: float = 30.0) -> "Browser":
        import websocket  # websocket-client

        executable = executable or find_chromium()
        if executable is None:
            raise CdpError("no chromium on PATH")
        profile = tempfile.mkdtemp(prefix="cl-chromium-")
        args = [executable, "--headless=new", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--mute-audio",
                "--hide-scrollbars", "--font-render-hinting=none", "--no-pings", "--disable-domain-reliability",
                "--disable-client-side-phishing-detection", "--disable-breakpad",
                "--disable-features=OptimizationHints,Translate,MediaRouter,AutofillServerCommunication",
                "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        if proxy:
            # every host goes through the proxy, loopback included: a request to anywhere is counted
            args[1:1] = [f"--proxy-server=http://{proxy}", "--proxy-bypass-list=<-loopback>"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while True:
            if os.path.exists(port_file):
                lines = open(port_file, encoding="utf-8").read().split()
                if len(lines) >= 2:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                shutil.rmtree(profile, ignore_errors=True)
                raise CdpError("chromium did not start")
            time.sleep(0.05)
        ws = websocket.create_connection(f"ws://127.0.0.1:{lines[0]}{lines[1]}", timeout=timeout,
                                         suppress_origin=True)
        return cls(proc, ws, profile)

    # -- protocol ------------------------------------------------------------------------------------
    def send(self, method: str, params: Optional[dict] = None, session: Optional[str] = None,
             timeout: float = 30.0) -> dict:
        mid = next(self._ids)
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == mid:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline: float) -> dict:
        if time.monotonic() > deadline:
            raise CdpError("timed out waiting for chromium")
        self.ws.settimeout(max(0.05, deadline - time.monotonic()))
        msg = json.loads(self.ws.recv())
        if "method" in msg:
            self._dispatch(msg)
        return msg

    def _dispatch(self, event: dict) -> None:
        session = event.get("sessionId")
        method = event["method"]
        params = event.get("params", {})
        for page in self.pages:
            if session in page.sessions:
                page.on_event(method, params)
                if method == "Target.attachedToTarget":    # a frame of this page: watch it too
                    child = params["sessionId"]
                    page.sessions.add(child)
                    self._pending_children.append(child)
                break
        self._events.append(event)

    def pump(self, seconds: float) -> None:
        """Process events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._receive(deadline)
            except Exception:
                break
            self._attach_children()

    def _attach_children(self) -> None:
        while self._pending_children:
            child = self._pending_children.pop()
            for method, params in (("Network.enable", {}),
                                   ("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False,
                                                             "flatten": True}),
                                   ("Runtime.runIfWaitingForDebugger", {})):
                try:
                    self.send(method, params, session=child, timeout=5)
                except CdpError:
                    pass

    def new_page(self, width: int = 1280, height: int = 900) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        self.pages.append(page)
        for method, params in (("Page.enable", {}), ("Network.enable", {}), ("Runtime.enable", {}),
                               ("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False,
                                                         "flatten": True}),
                               ("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                                       "deviceScaleFactor": 1, "mobile": False})):
            self.send(method, params, session=session)
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser: Browser, target: str, session: str):
        self.browser = browser
        self.target = target
        self.session = session
        self.sessions = {session}
        self.requests: list[str] = []
        self.navigations: list[str] = []
        self.loaded = False

    def on_event(self, method: str, params: dict) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Page.frameNavigated":
            self.navigations.append(params["frame"].get("url", ""))

    def send(self, method: str, params: Optional[dict] = None) -> dict:
        result = self.browser.send(method, params, session=self.session)
        self.browser._attach_children()
        return result

    def goto(self, url: str, settle: float = 0.5, timeout: float = 30.0) -> None:
        self.loaded = False
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while not self.loaded and time.monotonic() < deadline:
            self.browser.pump(0.1)
        if not self.loaded:
            raise CdpError(f"{url} did not load")
        self.browser.pump(settle)     # late requests (lazy frames, meta refresh…) would show up here

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: str, full_page: bool = True, max_height: int = 4000) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height),
                              "scale": 1}
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as fh:
            fh.write(data)
        return data
