#!/usr/bin/env bash
# Installs what the benchmarks drive the servers with: wrk (Debian's package).
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
