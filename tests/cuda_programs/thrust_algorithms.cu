// Thrust as users write it: transform, reduce, inclusive_scan and sort on device vectors (CUB's
// kernels underneath, launched through cudaLaunchKernelEx), checked against CPU results.
#include <thrust/device_vector.h>
#include <thrust/host_vector.h>
#include <thrust/sort.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>
#include <thrust/scan.h>
#include <algorithm>
#include <cstdio>
#include <vector>
struct sq { __host__ __device__ int operator()(int x) const { return x * x; } };
int main() {
  const int n = 1000;
  thrust::host_vector<int> h(n);
  for (int i = 0; i < n; ++i) h[i] = (i * 7919) % 1000 - 500;
  thrust::device_vector<int> d = h;
  thrust::transform(d.begin(), d.end(), d.begin(), sq());
  long s = thrust::reduce(d.begin(), d.end(), 0L);
  thrust::inclusive_scan(d.begin(), d.end(), d.begin());
  thrust::host_vector<int> scanned = d;
  long running = 0;
  bool scan_ok = true;
  for (int i = 0; i < n; ++i) running += h[i] * h[i], scan_ok &= scanned[i] == running;
  thrust::device_vector<int> e = h;
  thrust::sort(e.begin(), e.end());
  thrust::host_vector<int> r = e;
  long ref = 0; for (int i = 0; i < n; ++i) ref += (long)h[i]*h[i];
  bool sorted = true; for (int i = 1; i < n; ++i) sorted &= r[i-1] <= r[i];
  std::vector<int> expect(h.begin(), h.end());
  std::sort(expect.begin(), expect.end());
  for (int i = 0; i < n; ++i) sorted &= r[i] == expect[i];
  const bool ok = s == ref && sorted && scan_ok;
  printf("thrust_algorithms: %s (sum %ld, reference %ld; scan %s; sort %s)\n", ok ? "OK" : "WRONG", s, ref,
         scan_ok ? "matches" : "differs", sorted ? "matches" : "differs");
  return ok ? 0 : 1;
}
