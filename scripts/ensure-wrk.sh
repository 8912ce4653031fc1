#!/usr/bin/env bash
# The load benchmark drives the server with wrk. Install Debian's package when it is missing
# and we may (root with apt-get); otherwise say how to get it, and fail: no wrk, no benchmark.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's wrk for the load benchmark..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  exit 0
fi
echo "wrk is missing and cannot be installed here (not root, or no apt-get)." >&2
echo "Install it (Debian/Ubuntu: sudo apt-get install wrk) and run make bench again." >&2
exit 1
