#!/usr/bin/env bash
# Configures and builds gpusim into ${BUILD_DIR:-build}. Extra args go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"
build=${BUILD_DIR:-build}
source scripts/compiler_cache.sh
cmake -S . -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
