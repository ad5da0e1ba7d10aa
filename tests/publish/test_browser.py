"""The report in a real browser: every chart draws, no console error, no request leaves the machine.

The demo history's report is built once for the module and every page (``index.html`` and each
``NN_*.html``) is opened in one headless Chromium, driven over the Chrome DevTools Protocol. A page
passes when every Vega-Embed container (``div#altair-viz-…``) holds a drawn canvas or SVG whose
Vega scene has at least one data mark, nothing was logged as an error or thrown, and every request
it made was ``file:``, ``data:`` or ``blob:``. Chromium is also started with every host name
unresolvable and a dead proxy, so a page that does try the internet fails here without reaching it.
The last test proves the check fails on pages broken in each of those ways.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websocket

from slanb.params import load_params
from slanb.publish.deliver import find_chromium
from slanb.publish.report import build_report
from slanb.store.demo import build_demo

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["index"] + [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
LOCAL = ("file:", "data:", "blob:")
NO_CHROMIUM = "Chromium is not installed: make browser-deps (as root) or apt-get install chromium"
START_TIMEOUT = 30.0  # seconds for Chromium to print its DevTools address
PAGE_TIMEOUT = 20.0  # seconds for a page to load and draw every chart
CONTAINER = re.compile(r'<div id="(altair-viz-[0-9a-f]+)"')

# Before any page script: keep each Vega view that vegaEmbed resolves with, so the test can read
# the scene it drew whatever the renderer (canvas by default). Observes only; failures stay the
# page's own (its catch still runs).
WATCH_EMBEDS = """
(() => {
  const views = [];
  Object.defineProperty(window, "__slanbViews", { value: views });
  let embed;
  Object.defineProperty(window, "vegaEmbed", {
    configurable: true,
    get() { return embed; },
    set(fn) {
      if (typeof fn !== "function") { embed = fn; return; }
      embed = Object.assign(function (el, ...rest) {
        const result = fn.call(this, el, ...rest);
        Promise.resolve(result).then((r) => views.push({ el, view: r.view }), () => {});
        return result;
      }, fn);
    },
  });
})();
"""

# Each chart container: whether vegaEmbed resolved for it, how many data marks its scene holds
# (marks of role "mark": not axes, legends or titles), the size of what it drew, any error shown.
CHARTS = """
(() => {
  const countMarks = (mark) => {
    let n = 0;
    for (const item of mark.items || []) {
      if (mark.role === "mark" && mark.marktype !== "group") n += 1;
      for (const child of item.items || []) n += countMarks(child);
    }
    return n;
  };
  const views = window.__slanbViews || [];
  return [...document.querySelectorAll('div[id^="altair-viz-"]')].map((el) => {
    const found = views.find((v) => v.el === el);
    const surface = el.querySelector("canvas, svg");
    const box = surface ? surface.getBoundingClientRect() : null;
    const error = el.querySelector(".error");
    return {
      id: el.id,
      embedded: Boolean(found),
      marks: found ? countMarks(found.view.scenegraph().root) : 0,
      surface: surface ? surface.tagName.toLowerCase() : null,
      width: box ? box.width : 0,
      height: box ? box.height : 0,
      error: error ? error.textContent : null,
    };
  });
})()
"""


@dataclass
class Visit:
    """What one page did in the browser."""

    url: str
    charts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors, error logs, exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    seconds: float = 0.0

    def undrawn(self) -> list[dict[str, Any]]:
        """The charts that did not draw: no view, no data mark, nothing of any size, an error."""
        return [c for c in self.charts if not _drawn(c)]

    def remote(self) -> list[str]:
        """The requests that would leave the machine."""
        return [u for u in self.requests if not u.startswith(LOCAL)]


def _drawn(chart: dict[str, Any]) -> bool:
    return (
        chart["embedded"]
        and chart["marks"] > 0
        and chart["surface"] in ("canvas", "svg")
        and chart["width"] > 0
        and chart["height"] > 0
        and chart["error"] is None
    )


class Browser:
    """One headless Chromium and one tab, spoken to over the DevTools Protocol (a websocket)."""

    def __init__(self, chromium: str, profile: Path) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        self._stderr = (profile / "stderr.log").open("w+", encoding="utf-8")
        cmd = [
            chromium,
            "--headless",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            # a page that asks for the internet is caught by the test, never served by it
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "about:blank",
        ]
        if os.geteuid() == 0:
            cmd.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self._ws: websocket.WebSocket | None = None
        try:
            self._ws = websocket.create_connection(
                self._devtools_url(), timeout=PAGE_TIMEOUT, suppress_origin=True
            )
            target = self._call("Target.createTarget", url="about:blank")["targetId"]
            attached = self._call("Target.attachToTarget", targetId=target, flatten=True)
            self._session = attached["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                self._call(f"{domain}.enable", session=True)
            self._call("Page.addScriptToEvaluateOnNewDocument", session=True, source=WATCH_EMBEDS)
        except BaseException:
            self.close()
            raise

    def _devtools_url(self) -> str:
        """The ``ws://`` address Chromium prints on stderr once it listens."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._stderr.seek(0)
            found = re.search(r"DevTools listening on (ws://\S+)", self._stderr.read())
            if found:
                return found.group(1)
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        self._stderr.seek(0)
        said = self._stderr.read()[-2000:]
        code = self._proc.poll()
        why = f"exited {code}" if code is not None else f"not within {START_TIMEOUT:.0f} s"
        pytest.fail(f"Chromium gave no DevTools address ({why}):\n{said}")

    def _call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events read meanwhile are kept."""
        call_id = next(self._ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._ws.send(json.dumps(message))
        while True:
            reply = json.loads(self._ws.recv())
            if reply.get("id") == call_id:
                if "error" in reply:
                    pytest.fail(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_for(self, method: str, deadline: float) -> bool:
        """Read events until ``method`` arrives on the tab (True) or the deadline passes."""
        while time.monotonic() < deadline:
            if any(e["method"] == method for e in self._events):
                return True
            self._ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                message = json.loads(self._ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            finally:
                self._ws.settimeout(PAGE_TIMEOUT)
            if "method" in message:
                self._events.append(message)
        return any(e["method"] == method for e in self._events)

    def visit(self, page: Path) -> Visit:
        """Open ``page``, wait until it loaded and every chart drew (or the timeout), and say what it did."""
        started = time.monotonic()
        deadline = started + PAGE_TIMEOUT
        visit = Visit(page.resolve().as_uri())
        self._events.clear()
        navigated = self._call("Page.navigate", session=True, url=visit.url)
        if navigated.get("errorText"):
            pytest.fail(f"{page.name} did not open: {navigated['errorText']}")
        if not self._wait_for("Page.loadEventFired", deadline):
            visit.errors.append(f"no load event within {PAGE_TIMEOUT:.0f} s")
        while True:  # until each chart drew or showed an error (it will not draw then)
            visit.charts = self._evaluate(CHARTS)
            settled = all(_drawn(c) or c["error"] is not None for c in visit.charts)
            if settled or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self._evaluate("0")  # one more round trip: events the page sent meanwhile are read
        visit.seconds = time.monotonic() - started
        for event in self._events:
            _record(visit, event)
        return visit

    def _evaluate(self, expression: str) -> Any:
        result = self._call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            pytest.fail(f"the test's own script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        """Close Chromium (politely, then by force) and its stderr log."""
        try:
            if self._ws is not None:
                with contextlib.suppress(OSError, websocket.WebSocketException):
                    self._ws.send(json.dumps({"id": next(self._ids), "method": "Browser.close"}))
                    self._ws.close()
            else:
                self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        finally:
            self._stderr.close()


def _record(visit: Visit, event: dict[str, Any]) -> None:
    """File one DevTools event under the page's errors or requests."""
    method, params = event["method"], event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params["exceptionDetails"]
        thrown = details.get("exception", {})
        what = thrown.get("description") or thrown.get("value") or ""
        visit.errors.append(f"{details['text']} {what}".strip())
    elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
        said = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
        visit.errors.append(f"console.{params['type']}: {said}")
    elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
        entry = params["entry"]
        visit.errors.append(f"log ({entry['source']}): {entry['text']} {entry.get('url', '')}")
    elif method == "Network.requestWillBeSent":
        visit.requests.append(params["request"]["url"])
    elif method == "Network.webSocketCreated":
        visit.requests.append(params["url"])


# ---- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip(NO_CHROMIUM)
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory, chromium) -> Path:
    """The demo history's October 2026 report: every step and chart has data."""
    root = tmp_path_factory.mktemp("browser")
    build_demo(root / "demo.duckdb", end="2026-10")
    params = load_params(db=str(root / "demo.duckdb"), month="2026-10")
    return build_report(params, out=root / "reports", progress=lambda _: None).folder


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory) -> Iterator[Browser]:
    b = Browser(chromium, tmp_path_factory.mktemp("chromium") / "profile")
    yield b
    b.close()


@pytest.fixture(scope="module")
def visits(report, browser) -> dict[str, Visit]:
    """Every page of the report, opened once, in order."""
    return {page: browser.visit(report / f"{page}.html") for page in PAGES}


# ---- the report --------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_the_page_draws(visits, report, page):
    visit = visits[page]
    in_file = CONTAINER.findall((report / f"{page}.html").read_text(encoding="utf-8"))
    assert [c["id"] for c in visit.charts] == in_file  # every container the page holds was read
    if page != "index":
        assert in_file, f"{page} has no chart; the demo history gives every step one"
    assert visit.undrawn() == [], f"{page}: charts that did not draw"


@pytest.mark.parametrize("page", PAGES)
def test_no_console_error_and_no_uncaught_exception(visits, page):
    errors = visits[page].errors
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("page", PAGES)
def test_no_request_leaves_the_machine(visits, page):
    visit = visits[page]
    assert visit.url in visit.requests  # the page itself: requests are being seen
    assert visit.remote() == [], "\n".join(visit.remote())


# ---- the check itself --------------------------------------------------------------------------
# name: (the last occurrence of this in a page, is replaced by this, and caught by this check)
BREAKAGES = {
    "a fetch to the internet": (
        "</body>",
        '<script>fetch("https://example.invalid/x")</script></body>',
        Visit.remote,
    ),
    "an image from the internet": (
        "</body>",
        '<img src="http://example.invalid/pixel.png"></body>',
        Visit.remote,
    ),
    "a console error": (
        "</body>",
        '<script>console.error("broken on purpose")</script></body>',
        lambda v: v.errors,
    ),
    "an uncaught exception": (
        "</body>",
        '<script>throw new Error("broken on purpose")</script></body>',
        lambda v: v.errors,
    ),
    "a broken chart spec": (
        '"mark": {"type": "bar"',
        '"mark": {"type": "no-such-mark"',
        Visit.undrawn,
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_the_check_catches_a_broken_page(visits, report, browser, tmp_path, breakage):
    """Each kind of failure, written into a copy of a page, is caught by the assertion for it."""
    del visits  # the report's own pages are opened first, in a browser no broken page has used
    old, new, caught = BREAKAGES[breakage]
    page = tmp_path / "03_revenue_target.html"
    text = (report / page.name).read_text(encoding="utf-8")
    head, found, tail = text.rpartition(old)  # the last: the vega bundle holds a "</body>" too
    assert found
    page.write_text(head + new + tail, encoding="utf-8")
    visit = browser.visit(page)
    assert caught(visit), visit
