// Shared by the CUDA test programs: every CUDA call is checked and a failure names file and line;
// every result is compared against a CPU computation and the program exits non-zero on a mismatch.
#pragma once
#include <cstdio>
#include <cstdlib>

#define CHECK(call)                                                                                      \
  do {                                                                                                   \
    cudaError_t check_err_ = (call);                                                                     \
    if (check_err_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", __FILE__, __LINE__, #call,                    \
                   cudaGetErrorString(check_err_), cudaGetErrorName(check_err_));                        \
      std::exit(2);                                                                                      \
    }                                                                                                    \
  } while (0)

#define EXPECT(cond)                                                                                     \
  do {                                                                                                   \
    if (!(cond)) {                                                                                       \
      std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);                           \
      std::exit(1);                                                                                      \
    }                                                                                                    \
  } while (0)

// A call that must fail with `code` (an expected error); the sticky last error is cleared after it.
#define EXPECT_CODE(call, code)                                                                              \
  do {                                                                                                       \
    const cudaError_t e_ = (call);                                                                           \
    if (e_ != (code)) {                                                                                      \
      std::fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #call, cudaGetErrorName(e_), #code); \
      std::exit(1);                                                                                          \
    }                                                                                                        \
    cudaGetLastError();                                                                                      \
  } while (0)
