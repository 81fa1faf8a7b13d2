#!/usr/bin/env bash
# From nothing to the main job: install dependencies, build, run the default workload on the
# embedded default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
./build/gpusim run
