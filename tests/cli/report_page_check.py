#!/usr/bin/env python3
"""End-to-end checks of `gpusim report` (registered with ctest in tests/CMakeLists.txt).

  wellformed: the page of a real run plus the hand-written fixture parses as XML, holds one section
              and one set of charts per kernel, and every inline SVG is well-formed.
  browser:    Debian's chromium renders the page headless; the rendered DOM holds every kernel's
              name, the section headings and numbers this script computes from the JSON itself;
              a screenshot is a PNG of the window's size with more than a blank page in it.
"""
import argparse
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
HEADINGS = ["Kernels", "Roofline", "Stall breakdown", "Occupancy and issue slots", "Memory hierarchy", "Source lines"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(command, cwd):
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        fail(" ".join(command) + " exited " + str(done.returncode) + ":\n" + done.stdout + done.stderr)
    return done.stdout


def make_page(gpusim, fixture, work):
    """A real timing run of two workloads, and the fixture with its "source" object."""
    run([gpusim, "run", "vecadd", "--size", "4096", "--mode", "timing", "--stats", "vecadd.json"], work)
    run([gpusim, "run", "transpose_unpadded", "--size", "64x64", "--mode", "timing", "--stats", "transpose.json"], work)
    shutil.copy(fixture, os.path.join(work, "fixture.json"))
    files = ["vecadd.json", "transpose.json", "fixture.json"]
    run([gpusim, "report", *files, "-o", "page.html"], work)
    launches = []
    for name in files:
        with open(os.path.join(work, name)) as f:
            launches += json.load(f)["launches"]
    return os.path.join(work, "page.html"), launches


def grouped(value):
    return "{:,}".format(value).replace(",", " ")


def check_wellformed(page, launches):
    root = ET.parse(page).getroot()  # raises on any well-formedness error
    if root.tag != XHTML + "html":
        fail("root element is " + root.tag)
    sections = [s for s in root.iter(XHTML + "section") if s.get("class") == "kernel"]
    if len(sections) != len(launches):
        fail("%d kernel sections for %d launches" % (len(sections), len(launches)))
    for section, launch in zip(sections, launches):
        title = "".join(section.find(XHTML + "h2").itertext())
        if title != "Kernel " + launch["kernel"]:
            fail("section title %r, expected kernel %r" % (title, launch["kernel"]))
        charts = list(section.iter(SVG + "svg"))
        if len(charts) != 4:  # stalls, occupancy/issue, pipes, hit rates
            fail("kernel %s has %d charts" % (launch["kernel"], len(charts)))
    roofline = root.find(".//" + XHTML + "div[@class='roofline']/" + SVG + "svg")
    if roofline is None:
        fail("no roofline SVG")
    labels = " ".join("".join(t.itertext()) for t in roofline.iter(SVG + "text"))
    for launch in launches:
        if launch["kernel"] not in labels:
            fail("the roofline does not name " + launch["kernel"])
    print("wellformed: %d kernels, %d SVG elements" % (len(launches), len(list(root.iter(SVG + "svg")))))


class TextOf(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    fail("chromium is not installed (bash scripts/setup.sh installs Debian's chromium)")


def browser(args, work):
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + os.path.join(work, "profile")]
    done = subprocess.run(base + args, cwd=work, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        fail("chromium exited %d: %s" % (done.returncode, done.stderr[-2000:]))
    return done.stdout


def expected_numbers(launch):
    """Numbers the page must show for one launch, computed here from the JSON."""
    states = launch["stall_warp_cycles"]
    total = sum(states.values())
    waiting = {k: v for k, v in states.items() if k != "selected" and v > 0}
    out = [grouped(launch["cycles"]), grouped(launch["dram"]["read_bytes"]) + " / " + grouped(launch["dram"]["write_bytes"])]
    if waiting:
        reason = max(waiting, key=lambda k: waiting[k])
        out.append("%s (%.1f%% of warp-cycles)" % (reason, 100.0 * waiting[reason] / total))
    hits, misses = launch["l2"]["read_sector_hits"], launch["l2"]["read_sector_misses"]
    if hits + misses:
        out.append("%.1f%%" % (100.0 * hits / (hits + misses)))
    if "source" in launch:
        lines = launch["source"]["lines"]
        stalls = lambda l: sum(v for k, v in l["stall_warp_cycles"].items() if k != "selected")
        top = max(lines, key=stalls)
        out.append("%s:%d" % (launch["source"]["files"][str(top["file"])], top["line"]))
    return out


def png_size_and_variety(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        fail(path + " is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    idat, at = b"", 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))


def check_browser(page, launches, work):
    dom = browser(["--dump-dom", "file://" + page], work)
    parser = TextOf()
    parser.feed(dom)
    text = " ".join(parser.parts)
    missing = [h for h in HEADINGS if h not in text]
    for launch in launches:
        if "Kernel " + launch["kernel"] not in text:
            missing.append("Kernel " + launch["kernel"])
        missing += [n for n in expected_numbers(launch) if n not in text]
    if missing:
        fail("the rendered page lacks: " + "; ".join(missing))
    shot = os.path.join(work, "report.png")
    browser(["--screenshot=" + shot, "--window-size=1366,768", "--hide-scrollbars", "file://" + page], work)
    width, height, values = png_size_and_variety(shot)
    if (width, height) != (1366, 768):
        fail("screenshot is %dx%d, expected the 1366x768 window" % (width, height))
    if values < 16:
        fail("screenshot has only %d distinct byte values: a blank page?" % values)
    print("browser: rendered %d kernels; screenshot %dx%d, %d bytes" % (len(launches), width, height, os.path.getsize(shot)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["wellformed", "browser"])
    parser.add_argument("--gpusim", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--keep", help="copy the page (and screenshot) to this folder")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gpusim_report_")
    try:
        page, launches = make_page(os.path.abspath(args.gpusim), os.path.abspath(args.fixture), work)
        if args.mode == "wellformed":
            check_wellformed(page, launches)
        else:
            check_browser(page, launches, work)
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for name in ("page.html", "report.png"):
                if os.path.exists(os.path.join(work, name)):
                    shutil.copy(os.path.join(work, name), args.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
