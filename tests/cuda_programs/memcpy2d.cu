// Pitched 2-D allocations and copies, 2-D memset, cudaMemcpyDefault and device-to-device copies.
#include <vector>
#include "check.cuh"

__global__ void transpose_pitched(const float* in, size_t in_pitch, float* out, size_t out_pitch, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    const float* row = reinterpret_cast<const float*>(reinterpret_cast<const char*>(in) + y * in_pitch);
    float* out_row = reinterpret_cast<float*>(reinterpret_cast<char*>(out) + x * out_pitch);
    out_row[y] = row[x];
  }
}

int main() {
  const int w = 70, h = 45;
  std::vector<float> a(w * h);
  for (int i = 0; i < w * h; ++i) a[i] = float(i) * 0.25f;
  float *d_in, *d_out;
  size_t in_pitch, out_pitch;
  CHECK(cudaMallocPitch(reinterpret_cast<void**>(&d_in), &in_pitch, w * sizeof(float), h));
  CHECK(cudaMallocPitch(reinterpret_cast<void**>(&d_out), &out_pitch, h * sizeof(float), w));
  EXPECT(in_pitch >= w * sizeof(float) && in_pitch % 256 == 0);
  CHECK(cudaMemset2D(d_out, out_pitch, 0xFF, h * sizeof(float), w));
  CHECK(cudaMemcpy2D(d_in, in_pitch, a.data(), w * sizeof(float), w * sizeof(float), h, cudaMemcpyHostToDevice));
  transpose_pitched<<<dim3((w + 15) / 16, (h + 15) / 16), dim3(16, 16)>>>(d_in, in_pitch, d_out, out_pitch, w, h);
  CHECK(cudaGetLastError());
  std::vector<float> t(w * h);
  CHECK(cudaMemcpy2D(t.data(), h * sizeof(float), d_out, out_pitch, h * sizeof(float), w, cudaMemcpyDefault));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) EXPECT(t[x * h + y] == a[y * w + x]);
  // Device-to-device, then back with cudaMemcpyDefault (direction from the pointers).
  float* d_copy;
  CHECK(cudaMalloc(&d_copy, w * sizeof(float)));
  CHECK(cudaMemcpy(d_copy, d_in, w * sizeof(float), cudaMemcpyDeviceToDevice));
  std::vector<float> row(w);
  CHECK(cudaMemcpy(row.data(), d_copy, w * sizeof(float), cudaMemcpyDefault));
  for (int x = 0; x < w; ++x) EXPECT(row[x] == a[x]);
  // A width wider than the pitch is CUDA's cudaErrorInvalidPitchValue.
  EXPECT(cudaMemcpy2D(t.data(), 4, d_out, out_pitch, 8, 2, cudaMemcpyDeviceToHost) == cudaErrorInvalidPitchValue);
  cudaGetLastError();
  size_t free_bytes = 0, total = 0;
  CHECK(cudaMemGetInfo(&free_bytes, &total));
  EXPECT(total > 0 && free_bytes < total);
  std::printf("memcpy2d: OK\n");
  return 0;
}
