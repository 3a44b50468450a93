#!/usr/bin/env python3
"""report_render.py — renders an HTML report in Debian's headless Chromium and reports what a
reader would see, for tests/report_html.sh.

Chromium is driven over the DevTools protocol through --remote-debugging-pipe (fd 3 in, fd 4
out, NUL-terminated JSON): standard library only, no chromedriver or selenium. It records every
network request and every console message or exception while the page loads, takes a PNG
screenshot, and measures the production / wait / stop bands of one day's timeline FROM THE
PIXELS of a screenshot of that band (4 device pixels per CSS pixel): each pixel of the band's
middle rows is classified by hue (green production, amber wait, red stop) and counted against
the width of the production window's rectangle as laid out by the browser.

Usage: report_render.py REPORT.html OUT_DIR [--machine NAME --day YYYY-MM-DD] [--width PX]
Prints one JSON object: requests (URLs other than the report itself), console (messages),
screenshot (path), bands ({"production": pct, "attente": pct, "arret": pct, "other": pct})
when --machine/--day are given, plus layout facts (sections, days, title).
"""
import argparse
import base64
import colorsys
import fcntl
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("report_render: no chromium binary (apt-get install chromium)")


class Browser:
    """One headless Chromium over --remote-debugging-pipe."""

    def __init__(self, profile):
        cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
        ev_r, ev_w = os.pipe()  # Chromium writes fd 4, we read
        # The child's ends move above 10 first, so that putting them on 3 and 4 cannot
        # clobber (or close) one of them.
        hi_r, hi_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(ev_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(ev_w)
        cmd_r, ev_w = hi_r, hi_w

        # bash (dash takes one-digit fds only) puts the pipes on fds 3 and 4, where Chromium expects them.
        args = [
            "/bin/bash", "-c", f'exec "$0" "$@" 3<&{cmd_r} 4>&{ev_w} {cmd_r}<&- {ev_w}>&-',
            chromium_binary(), "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
            "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
            "--mute-audio", "--font-render-hinting=none", f"--user-data-dir={profile}",
            "about:blank",
        ]
        self.proc = subprocess.Popen(args, pass_fds=(cmd_r, ev_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(ev_w)
        self.w = os.fdopen(cmd_w, "wb", buffering=0)
        self.r = os.fdopen(ev_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = self.r.read(1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            m = self._read_message(deadline)
            if "method" in m:
                if m["method"] == method:
                    return m
                self.events.append(m)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def png_pixels(data):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): (w, h, rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG format"
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def classify(rgb):
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    if s < 0.35 or v < 0.2:
        return "other"
    deg = h * 360
    if 90 <= deg <= 170:
        return "production"
    if 30 <= deg <= 60:
        return "attente"
    if deg <= 15 or deg >= 345:
        return "arret"
    return "other"


FACTS_JS = r"""
(() => {
  const sections = [...document.querySelectorAll('section.m')].map(s => s.dataset.machine);
  const days = document.querySelectorAll('section.m tr[data-jour]').length;
  const title = document.title;
  const lang = document.documentElement.lang;
  const ext = [...document.querySelectorAll('[src],[href],link,script,img,iframe,object')]
      .map(e => e.outerHTML.slice(0, 120));
  return {sections, days, title, lang, external_elements: ext,
          height: document.documentElement.scrollHeight};
})()
"""

WINDOW_JS = r"""
((machine, day) => {
  const sec = [...document.querySelectorAll('section.m')].find(s => s.dataset.machine === machine);
  if (!sec) return null;
  const row = sec.querySelector(`tr[data-jour="${day}"]`);
  if (!row) return null;
  const win = row.querySelector('rect.win');
  if (!win) return null;
  const r = win.getBoundingClientRect();
  return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};
})
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("outdir")
    ap.add_argument("--machine")
    ap.add_argument("--day")
    ap.add_argument("--width", type=int, default=1240)
    ap.add_argument("--screenshot-height", type=int, default=0,
                    help="clip the full-page screenshot to this many CSS pixels (0: all)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    url = "file://" + os.path.abspath(a.report)
    profile = tempfile.mkdtemp(prefix="cuwatch-chromium.")
    b = Browser(profile)
    out = {}
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Network.enable", "Runtime.enable", "Log.enable", "Page.enable"):
            b.send(m, session=sid)
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": a.width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
               session=sid)
        b.events.clear()
        b.send("Page.navigate", {"url": url}, session=sid)
        b.wait_event("Page.loadEventFired")
        facts = b.send("Runtime.evaluate", {"expression": FACTS_JS, "returnByValue": True},
                       session=sid)["result"]["value"]
        out.update(facts)
        # Everything the page asked for while loading, except the report itself.
        out["requests"] = sorted({e["params"]["request"]["url"] for e in b.events
                                  if e["method"] == "Network.requestWillBeSent"
                                  and e["params"]["request"]["url"] != url})
        out["console"] = (
            [" ".join(str(x.get("value", x.get("description", ""))) for x in e["params"]["args"])
             for e in b.events if e["method"] == "Runtime.consoleAPICalled"]
            + [e["params"]["exceptionDetails"].get("text", "exception")
               for e in b.events if e["method"] == "Runtime.exceptionThrown"]
            + [e["params"]["entry"]["text"] for e in b.events
               if e["method"] == "Log.entryAdded"
               and e["params"]["entry"]["level"] in ("error", "warning")])

        # The whole page as a PNG (what the README shows).
        height = facts["height"] if not a.screenshot_height else min(facts["height"],
                                                                      a.screenshot_height)
        shot = b.send("Page.captureScreenshot",
                      {"format": "png", "captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": a.width, "height": height,
                                "scale": 1}}, session=sid)
        path = os.path.join(a.outdir, "report.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        out["screenshot"] = path

        if a.machine and a.day:
            fn = WINDOW_JS + f"({json.dumps(a.machine)}, {json.dumps(a.day)})"
            win = b.send("Runtime.evaluate", {"expression": fn, "returnByValue": True},
                         session=sid)["result"].get("value")
            if not win:
                out["bands"] = None
            else:
                scale = int(os.environ.get("CU_BAND_SCALE", "16"))
                clip = dict(win, scale=scale)
                band = b.send("Page.captureScreenshot",
                              {"format": "png", "captureBeyondViewport": True, "clip": clip},
                              session=sid)
                png = base64.b64decode(band["data"])
                with open(os.path.join(a.outdir, "band.png"), "wb") as f:
                    f.write(png)
                w, h, rows = png_pixels(png)
                counts = {"production": 0, "attente": 0, "arret": 0, "other": 0}
                mid = [rows[y] for y in range(h * 3 // 8, h * 5 // 8)]
                for row in mid:
                    for px in row:
                        counts[classify(px)] += 1
                total = len(mid) * w
                out["window_px"] = {"css": win["width"], "device": w}
                out["bands"] = {k: round(100.0 * v / total, 3) for k, v in counts.items()}
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
