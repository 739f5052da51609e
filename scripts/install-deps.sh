#!/usr/bin/env bash
# Installs every build, test and runtime dependency of mlmdx from Debian 12
# packages. Safe to run repeatedly; needs root (or sudo).
#
# With --build-only, installs just what building the mlmdx program needs
# (cmake -DMLMDX_BUILD_TESTS=OFF -DMLMDX_BUILD_BENCHMARKS=OFF), as the
# Dockerfile's build stage does.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ca-certificates
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc grpc-proto
  libabsl-dev
  libsqlite3-dev
  libpq-dev
  libboost-graph-dev
  libcli11-dev nlohmann-json3-dev
  libssl-dev libjwt-dev
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev
)
if [ "${1:-}" != "--build-only" ]; then
  packages+=(
    git openssl
    clang clang-format libclang-rt-14-dev
    sqlite3 postgresql
    graphviz chromium fonts-dejavu-core
    libgtest-dev libgmock-dev libpng-dev
    libbenchmark-dev
    python3
  )
  # The grpc-web client test runs in Node with packages from npm. A Node
  # installed otherwise (with its own npm) is kept: Debian's npm would
  # conflict with it.
  if ! command -v node >/dev/null; then packages+=(nodejs); fi
  if ! command -v npm >/dev/null; then packages+=(npm); fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
