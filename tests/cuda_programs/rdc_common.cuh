// Shared by rdc_main.cu and rdc_lib.cu (built together with nvcc -rdc=true): an inline device
// function both translation units use, which nvcc emits as a .weak definition in each (kept out
// of line so that the linker has two definitions to choose from).
#pragma once

__device__ __noinline__ inline int triple_plus(int v) { return 3 * v + 1; }
