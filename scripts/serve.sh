#!/usr/bin/env bash
# Installs the dependencies, builds mlmdx and serves the MLMD gRPC API on
# port 8080 from ./mlmd.sqlite (override with any `mlmdx serve` flag, e.g.
# `scripts/serve.sh --db /data/mlmd.sqlite --grpc_port 9090`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release -DMLMDX_BUILD_TESTS=OFF -DMLMDX_BUILD_BENCHMARKS=OFF
cmake --build --preset release --target mlmdx
exec ./build/release/cli/mlmdx serve "$@"
