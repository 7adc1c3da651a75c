"""Screenshots of pages of a running smartcoop, to look at what we build.

    .venv/bin/python scripts/screenshot.py URL [URL ...] [--login EMAIL] [--lang nl]
        [--out DIR] [--width 1280] [--mobile]

Logs in first when --login is given (demo password; staff get their TOTP code from the demo
secret). Files are written to DIR (default /tmp/shots) named after the path."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def totp_now() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from smartcoop.core.demo_constants import DEMO_TOTP_SECRET
    from smartcoop.core.totp import current_code

    return current_code(DEMO_TOTP_SECRET)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--password", default="smartcoop-demo")
    parser.add_argument("--lang")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--mobile", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = "{0.scheme}://{0.netloc}".format(urlparse(args.urls[0]))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        viewport = (
            {"width": 390, "height": 844} if args.mobile else {"width": args.width, "height": 900}
        )
        page = browser.new_page(viewport=viewport)
        if args.login:
            page.goto(base + "/accounts/login/")
            page.fill("input[name=login]", args.login)
            page.fill("input[name=password]", args.password)
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            if page.locator("input[name=code]").count():
                page.fill("input[name=code]", totp_now())
                page.locator("main form button[type=submit]").first.click()
                page.wait_for_load_state()
        # After login: logging in restores the account's own language, which --lang overrides.
        if args.lang:
            page.context.add_cookies(
                [{"name": "smartcoop_language", "value": args.lang, "url": base}]
            )
        for url in args.urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            name = re.sub(r"[^a-zA-Z0-9]+", "_", urlparse(url).path).strip("_") or "root"
            suffix = ("_mobile" if args.mobile else "") + (f"_{args.lang}" if args.lang else "")
            target = out / f"{name}{suffix}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
