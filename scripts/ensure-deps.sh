#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Node 20 machine lacks, so `npm run demo` and `npm test` work on a fresh clone.
# Idempotent and quick when everything is present. Usage: ensure-deps.sh demo|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have ffmpeg || need+=(ffmpeg)
# central prints PDF records with Noto Sans (Vietnamese glyphs)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
if [ "$what" = test ] || [ "$what" = bench ]; then
  have mosquitto || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
  have xmllint || need+=(libxml2-utils)
  have openssl || need+=(openssl) # broker-tls.test.ts makes its certificates
  have mosquitto_passwd || need+=(mosquitto) # broker-acl.test.ts checks our hashes against it
  have chromium || need+=(chromium)
  have pdftotext || need+=(poppler-utils) # the export tests read the printed record back
  /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' >/dev/null 2>&1 ||
    need+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-rtsp)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${need[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

# node_modules missing or older than the lockfile: install exactly the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

if [ ! -d ../shared/models ] && [ -z "${MATTHAN_MODELS_DIR:-}" ] && [ -z "${MATTHAN_SHARED_DIR:-}" ]; then
  echo "ensure-deps: the shared models and media are not at ../shared; set MATTHAN_SHARED_DIR (see README)" >&2
  exit 1
fi
