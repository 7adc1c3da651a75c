#!/bin/sh
# System libraries the tests need: WeasyPrint's (pango, harfbuzz-subset), Debian's chromium for
# the browser journeys, poppler and zbar to read QR codes back, gettext for the catalogues.
# As root (CI) they are installed with apt; otherwise we say what is missing.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || missing="$missing libharfbuzz-subset0"
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
fc-list 2>/dev/null | grep -qi dejavu || missing="$missing fonts-dejavu-core"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
# zbarimg reads the EPC QR codes back from PDFs and pages; xgettext extracts the strings we use.
command -v zbarimg >/dev/null 2>&1 || missing="$missing zbar-tools"
command -v xgettext >/dev/null 2>&1 || missing="$missing gettext"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[system-deps] installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "[system-deps] missing:$missing — install them (e.g. sudo apt-get install$missing)" >&2
  exit 1
fi
