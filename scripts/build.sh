#!/usr/bin/env bash
# Configures and builds gpusim into ${BUILD_DIR:-build}. Extra args go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"
build=${BUILD_DIR:-build}
# ccache, where installed, makes rebuilds in fresh trees cheap; the build does not need it.
# The precompiled headers (CMakeLists.txt) are cached only with these sloppiness settings.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros}
fi
cmake -S . -B "$build" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
