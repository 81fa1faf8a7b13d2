// Shared by the CUDA test programs: a host vector copied into a new device allocation, and device
// memory copied back into a host vector (every call checked by check.cuh's CHECK).
#pragma once
#include <cstddef>
#include <vector>

#include "check.cuh"

template <typename T> T* dev(const std::vector<T>& v) {
  T* p = nullptr;
  CHECK(cudaMalloc(&p, v.size() * sizeof(T)));
  CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}
template <typename T> std::vector<T> host(const T* p, size_t n) {
  std::vector<T> v(n);
  CHECK(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
  return v;
}
