#!/usr/bin/env bash
# The parallel simulation's determinism tests (every workload on 1-4 host threads, timing and
# functional mode; isa's parallel functional tests) under ThreadSanitizer, build dir build-tsan.
# Builds only what those tests need; a data race in the parallel parts fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin"
source scripts/compiler_cache.sh
cmake -S . -B build-tsan -DGPUSIM_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-tsan --target test_parallel_tsan -j"$(nproc)"
# halt_on_error: the first race fails the run. The timing-mode cases are the slow part under TSan;
# the functional ones and the isa tests run in full.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
./build-tsan/tests/test_parallel_tsan
