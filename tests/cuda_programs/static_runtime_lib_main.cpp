// A host-only program using a CUDA library that carries its own static CUDA runtime
// (static_runtime_lib.cu); checks the library's results against the CPU.
#include "static_runtime_lib_check.h"

extern "C" int library_transform(int* host, int n, int factor, const int table[4], unsigned int* launches);

int main() { return check_library_transform(library_transform, "static_runtime_lib"); }
