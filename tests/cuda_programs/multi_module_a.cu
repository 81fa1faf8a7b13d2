// Two translation units (two fat binaries) in one program, templates instantiated in both.
#include <vector>
#include "check.cuh"

template <typename T>
__global__ void scale(T* p, T factor, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] *= factor;
}

void launch_offset(int* p, int offset, int n);  // multi_module_b.cu

int main() {
  const int n = 1000;
  std::vector<int> h(n);
  for (int i = 0; i < n; ++i) h[i] = i;
  int* d;
  CHECK(cudaMalloc(&d, n * sizeof(int)));
  CHECK(cudaMemcpy(d, h.data(), n * sizeof(int), cudaMemcpyHostToDevice));
  scale<int><<<(n + 127) / 128, 128>>>(d, 3, n);
  CHECK(cudaGetLastError());
  launch_offset(d, 5, n);
  std::vector<double> hd(n, 1.5);
  double* dd;
  CHECK(cudaMalloc(&dd, n * sizeof(double)));
  CHECK(cudaMemcpy(dd, hd.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  scale<double><<<(n + 127) / 128, 128>>>(dd, 0.25, n);
  CHECK(cudaMemcpy(h.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(hd.data(), dd, n * sizeof(double), cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) EXPECT(h[i] == 3 * i + 5);
  for (int i = 0; i < n; ++i) EXPECT(hd[i] == 0.375);
  std::printf("multi_module: OK\n");
  return 0;
}
