#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs the whole test suite
# (unit, end-to-end through the real server, benchmark smoke runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci -j "$(nproc)"
