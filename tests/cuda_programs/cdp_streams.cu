// Dynamic parallelism (CDP2) streams, checked against CPU code: every CTA of a parent grid
// launches its own children into the block's NULL stream (two in a row: the second reads what
// the first wrote), into a stream it creates with cudaStreamCreateWithFlags (two in a row, the
// same way), into cudaStreamFireAndForget, and a checking grid into cudaStreamTailLaunch that
// runs after all of them. Device-side cudaGetDevice and cudaDeviceGetAttribute must agree with
// the host's answers. A kernel that may query a function's attributes on the device (CUB's
// dispatch does) pulls libcudadevrt's compute_121 PTX into the link: the kernels must still report
// the program's own compute_80, as on a GPU.
#include <cstdio>
#include <vector>

#include "check.cuh"

constexpr int kCtas = 6;
constexpr int kN = 64;  // elements per child grid

__global__ void fill(int* out, int value) { out[threadIdx.x] = value + threadIdx.x; }
__global__ void twice_of(const int* in, int* out) { out[threadIdx.x] = 2 * in[threadIdx.x]; }
__global__ void scale(int* out, int factor) { out[blockIdx.x * blockDim.x + threadIdx.x] *= factor; }

// Runs after the parent's CTA work and every child: sums what they wrote for CTA `c`.
__global__ void tail_check(const int* buf, long long* sums, int c) {
  long long s = 0;
  for (int i = 0; i < 5 * kN; ++i) s += buf[c * 5 * kN + i];
  sums[c] = s;
}

__global__ void parent(int* buf, long long* sums, int* device_answers) {
  int* mine = buf + blockIdx.x * 5 * kN;  // 5 regions of kN per CTA
  const int c = blockIdx.x;
  if (threadIdx.x == 0) {
    fill<<<1, kN>>>(mine, 1000 * c);                 // NULL stream: in order within the block
    twice_of<<<1, kN>>>(mine, mine + kN);
  } else if (threadIdx.x == 32) {
    cudaStream_t s;
    if (cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess) {
      fill<<<1, kN, 0, s>>>(mine + 2 * kN, 7 * c);
      scale<<<2, kN / 2, 0, s>>>(mine + 2 * kN, 3);   // after the fill: the same stream
      cudaStreamDestroy(s);                           // launched work still runs
    }
  } else if (threadIdx.x == 64) {
    fill<<<1, kN, 0, cudaStreamFireAndForget>>>(mine + 3 * kN, -c);
    fill<<<1, kN, 0, cudaStreamFireAndForget>>>(mine + 4 * kN, 5);
  }
  __syncthreads();
  if (threadIdx.x == 0) tail_check<<<1, 1, 0, cudaStreamTailLaunch>>>(buf, sums, c);
  if (c == 0 && threadIdx.x == 0) {
    int dev = -1, sms = -1, warp = -1;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    cudaDeviceGetAttribute(&warp, cudaDevAttrWarpSize, dev);
    device_answers[0] = dev;
    device_answers[1] = sms;
    device_answers[2] = warp;
    device_answers[3] = cudaGetLastError();
  }
}

// Asks the device runtime only when told to (never here): the call alone links libcudadevrt in.
__global__ void maybe_query(int* out, bool query) {
  int regs = -1;
  if (query) {
    cudaFuncAttributes attr;
    if (cudaFuncGetAttributes(&attr, fill) == cudaSuccess) regs = attr.numRegs;
  }
  out[0] = regs;
}

int main() {
  int* buf = nullptr;
  long long* sums = nullptr;
  int* answers = nullptr;
  CHECK(cudaMalloc(&buf, kCtas * 5 * kN * sizeof(int)));
  CHECK(cudaMalloc(&sums, kCtas * sizeof(long long)));
  CHECK(cudaMalloc(&answers, 4 * sizeof(int)));
  CHECK(cudaMemset(buf, 0, kCtas * 5 * kN * sizeof(int)));
  parent<<<kCtas, 96>>>(buf, sums, answers);
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());

  std::vector<int> got(kCtas * 5 * kN);
  std::vector<long long> got_sums(kCtas);
  int got_answers[4];
  CHECK(cudaMemcpy(got.data(), buf, got.size() * sizeof(int), cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(got_sums.data(), sums, got_sums.size() * sizeof(long long), cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(got_answers, answers, sizeof got_answers, cudaMemcpyDeviceToHost));
  for (int c = 0; c < kCtas; ++c) {
    long long s = 0;
    for (int i = 0; i < kN; ++i) {
      const int expect[5] = {1000 * c + i, 2 * (1000 * c + i), 3 * (7 * c + i), -c + i, 5 + i};
      for (int r = 0; r < 5; ++r) {
        const int v = got[(c * 5 + r) * kN + i];
        if (v != expect[r]) {
          std::fprintf(stderr, "CTA %d region %d element %d: %d, expected %d\n", c, r, i, v, expect[r]);
          return 1;
        }
        s += expect[r];
      }
    }
    EXPECT(got_sums[c] == s);
  }
  int sms = 0;
  CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  EXPECT(got_answers[0] == 0);
  EXPECT(got_answers[1] == sms);
  EXPECT(got_answers[2] == 32);
  EXPECT(got_answers[3] == cudaSuccess);
  cudaFuncAttributes attr{};
  CHECK(cudaFuncGetAttributes(&attr, parent));
  EXPECT(attr.ptxVersion == 80);
  maybe_query<<<1, 1>>>(answers, false);
  CHECK(cudaDeviceSynchronize());
  CHECK(cudaMemcpy(got_answers, answers, sizeof(int), cudaMemcpyDeviceToHost));
  EXPECT(got_answers[0] == -1);
  std::printf("cdp_streams: %d CTAs x 7 child grids + tail checks on %d SMs: OK\n", kCtas, sms);
  return 0;
}
