// Kernels in the style of the classic CUDA samples, each against its own CPU reference: bitonic
// sort in shared memory, a last-block-done reduction (__threadfence + atomicInc counter),
// separable convolution with a __constant__ filter, 256-bin histogram with per-warp shared
// sub-histograms, a work-efficient scan of warp shuffles, an 8x8 DCT through shared memory,
// n-body forces with float4 and rsqrtf, Black-Scholes, Mandelbrot iteration counts and a
// bank-conflict-free tiled transpose. Integer results must match exactly; floating-point ones
// within tolerances stated where they are checked (the CPU sums in another order or in double).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.cuh"
#include "device_vectors.cuh"

// ---- bitonic sort of 1024 keys per block ----
__global__ void bitonic_sort(unsigned* keys) {
  __shared__ unsigned s[1024];
  unsigned* k = keys + blockIdx.x * 1024;
  for (int i = threadIdx.x; i < 1024; i += blockDim.x) s[i] = k[i];
  __syncthreads();
  for (int size = 2; size <= 1024; size <<= 1)
    for (int stride = size / 2; stride > 0; stride >>= 1) {
      for (int i = threadIdx.x; i < 512; i += blockDim.x) {
        const int lo = 2 * i - (i & (stride - 1)), hi = lo + stride;
        const bool ascending = (lo & size) == 0;
        if ((s[lo] > s[hi]) == ascending) {
          const unsigned t = s[lo];
          s[lo] = s[hi], s[hi] = t;
        }
      }
      __syncthreads();
    }
  for (int i = threadIdx.x; i < 1024; i += blockDim.x) k[i] = s[i];
}

// ---- single-pass reduction: the last block to finish sums the partial results ----
__device__ unsigned blocks_done;
__global__ void fence_reduce(const int* in, long long* partial, long long* total, int n) {
  __shared__ long long s[256];
  __shared__ bool last;
  long long v = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) v += in[i];
  s[threadIdx.x] = v;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    partial[blockIdx.x] = s[0];
    __threadfence();  // the partial sum is visible before the counter says so
    last = atomicInc(&blocks_done, gridDim.x) == gridDim.x - 1;
  }
  __syncthreads();
  if (last && threadIdx.x == 0) {
    long long sum = 0;
    for (unsigned b = 0; b < gridDim.x; ++b) sum += ((volatile long long*)partial)[b];
    *total = sum;
    blocks_done = 0;  // atomicInc wrapped it already; reset for a later launch
  }
}

// ---- separable convolution: rows then columns, radius 4, filter in constant memory ----
constexpr int kRadius = 4;
__constant__ float c_filter[2 * kRadius + 1];
__global__ void convolve_rows(const float* in, float* out, int w, int h) {
  __shared__ float tile[16][64 + 2 * kRadius];
  const int x0 = blockIdx.x * 64, y = blockIdx.y * 16 + threadIdx.y;
  for (int i = threadIdx.x; i < 64 + 2 * kRadius; i += blockDim.x) {
    const int x = x0 + i - kRadius;
    tile[threadIdx.y][i] = (x >= 0 && x < w && y < h) ? in[y * w + x] : 0.0f;
  }
  __syncthreads();
  for (int i = threadIdx.x; i < 64; i += blockDim.x) {
    float acc = 0;
#pragma unroll
    for (int k = -kRadius; k <= kRadius; ++k) acc += c_filter[kRadius - k] * tile[threadIdx.y][i + kRadius + k];
    if (x0 + i < w && y < h) out[y * w + x0 + i] = acc;
  }
}
__global__ void convolve_columns(const float* in, float* out, int w, int h) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
  if (x >= w) return;
  float acc = 0;
  for (int k = -kRadius; k <= kRadius; ++k) {
    const int yy = y + k;
    acc += c_filter[kRadius - k] * (yy >= 0 && yy < h ? in[yy * w + x] : 0.0f);
  }
  out[y * w + x] = acc;
}

// ---- histogram256: one shared sub-histogram per warp, merged with global atomics ----
__global__ void histogram256(const unsigned char* data, unsigned* bins, int n) {
  __shared__ unsigned warp_hist[8][256];
  const int warp = threadIdx.x / 32;
  for (int i = threadIdx.x; i < 8 * 256; i += blockDim.x) (&warp_hist[0][0])[i] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    atomicAdd(&warp_hist[warp][data[i]], 1u);
  __syncthreads();
  for (int b = threadIdx.x; b < 256; b += blockDim.x) {
    unsigned sum = 0;
    for (int w = 0; w < 8; ++w) sum += warp_hist[w][b];
    if (sum) atomicAdd(&bins[b], sum);
  }
}

// ---- inclusive scan of 1024 elements per block: warp shuffles, then the warp totals ----
__global__ void block_scan(const int* in, int* out) {
  __shared__ int warp_sums[32];
  const int i = blockIdx.x * 1024 + threadIdx.x, lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  int v = in[i];
  for (int d = 1; d < 32; d <<= 1) {
    const int up = __shfl_up_sync(0xffffffffu, v, d);
    if (lane >= d) v += up;
  }
  if (lane == 31) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) {
    int w = warp_sums[lane];
    for (int d = 1; d < 32; d <<= 1) {
      const int up = __shfl_up_sync(0xffffffffu, w, d);
      if (lane >= d) w += up;
    }
    warp_sums[lane] = w;
  }
  __syncthreads();
  out[i] = v + (warp > 0 ? warp_sums[warp - 1] : 0);
}

// ---- 8x8 DCT-II of each block of an image: rows then columns through shared memory ----
__constant__ float c_dct[8][8];
__global__ void dct8x8(const float* in, float* out, int w) {
  __shared__ float block[8][9], tmp[8][9];
  const int tx = threadIdx.x, ty = threadIdx.y, x = blockIdx.x * 8 + tx, y = blockIdx.y * 8 + ty;
  block[ty][tx] = in[y * w + x];
  __syncthreads();
  float acc = 0;
  for (int k = 0; k < 8; ++k) acc += c_dct[tx][k] * block[ty][k];  // rows
  tmp[ty][tx] = acc;
  __syncthreads();
  acc = 0;
  for (int k = 0; k < 8; ++k) acc += c_dct[ty][k] * tmp[k][tx];  // columns
  out[y * w + x] = acc;
}

// ---- n-body: acceleration on each body from all others (softened) ----
__global__ void nbody_accel(const float4* pos, float3* acc, int n, float soft2) {
  extern __shared__ float4 tile[];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const float4 me = pos[i];
  float3 a = {0, 0, 0};
  for (int base = 0; base < n; base += blockDim.x) {
    tile[threadIdx.x] = pos[base + threadIdx.x];
    __syncthreads();
    for (int j = 0; j < blockDim.x; ++j) {
      const float4 o = tile[j];
      const float dx = o.x - me.x, dy = o.y - me.y, dz = o.z - me.z;
      const float inv = rsqrtf(dx * dx + dy * dy + dz * dz + soft2);
      const float s = o.w * inv * inv * inv;
      a.x += dx * s, a.y += dy * s, a.z += dz * s;
    }
    __syncthreads();
  }
  acc[i] = a;
}

// ---- Black-Scholes call and put prices ----
__device__ float cnd(float d) {
  const float k = 1.0f / (1.0f + 0.2316419f * fabsf(d));
  const float poly = k * (0.31938153f + k * (-0.356563782f + k * (1.781477937f + k * (-1.821255978f + k * 1.330274429f))));
  const float c = 0.39894228040143267794f * __expf(-0.5f * d * d) * poly;
  return d > 0 ? 1.0f - c : c;
}
__global__ void black_scholes(const float* s, const float* x, const float* t, float* call, float* put, int n, float r,
                              float v) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float sq = sqrtf(t[i]);
    const float d1 = (__logf(s[i] / x[i]) + (r + 0.5f * v * v) * t[i]) / (v * sq), d2 = d1 - v * sq;
    const float e = __expf(-r * t[i]);
    call[i] = s[i] * cnd(d1) - x[i] * e * cnd(d2);
    put[i] = x[i] * e * (1.0f - cnd(d2)) - s[i] * (1.0f - cnd(d1));
  }
}

// ---- Mandelbrot iteration counts: every operation spelled out, so the CPU can repeat it exactly ----
__global__ void mandelbrot(int* counts, int w, int h, int max_iter) {
  const int px = blockIdx.x * blockDim.x + threadIdx.x, py = blockIdx.y * blockDim.y + threadIdx.y;
  if (px >= w || py >= h) return;
  const float cx = __fadd_rn(-2.0f, __fdiv_rn(__fmul_rn(2.5f, float(px)), float(w)));
  const float cy = __fadd_rn(-1.25f, __fdiv_rn(__fmul_rn(2.5f, float(py)), float(h)));
  float zx = 0, zy = 0;
  int it = 0;
  while (it < max_iter && __fmaf_rn(zx, zx, __fmul_rn(zy, zy)) <= 4.0f) {  // no contraction freedom
    const float nx = __fmaf_rn(zx, zx, __fmaf_rn(-zy, zy, cx));
    zy = __fmaf_rn(__fmul_rn(2.0f, zx), zy, cy);
    zx = nx;
    ++it;
  }
  counts[py * w + px] = it;
}

// ---- transpose through a padded shared tile (32x33: no bank conflicts) ----
__global__ void transpose(const float* in, float* out, int w, int h) {
  __shared__ float tile[32][33];
  int x = blockIdx.x * 32 + threadIdx.x, y = blockIdx.y * 32 + threadIdx.y;
  for (int j = 0; j < 32; j += 8)
    if (x < w && y + j < h) tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * w + x];
  __syncthreads();
  x = blockIdx.y * 32 + threadIdx.x, y = blockIdx.x * 32 + threadIdx.y;
  for (int j = 0; j < 32; j += 8)
    if (x < h && y + j < w) out[(y + j) * h + x] = tile[threadIdx.x][threadIdx.y + j];
}

// ---------------- host side ----------------
#define FAIL(...) (std::fprintf(stderr, "classic_kernels: " __VA_ARGS__), std::exit(1))

uint32_t lcg(uint32_t& s) { return s = s * 1664525u + 1013904223u; }

void test_sort_and_reduce() {
  uint32_t seed = 1;
  std::vector<unsigned> keys(4 * 1024);
  for (auto& k : keys) k = lcg(seed) >> 8;
  unsigned* d = dev(keys);
  bitonic_sort<<<4, 256>>>(d);
  std::vector<unsigned> got = host(d, keys.size());
  for (int b = 0; b < 4; ++b) {
    std::vector<unsigned> want(keys.begin() + b * 1024, keys.begin() + (b + 1) * 1024);
    // Insertion sort on the host: a different algorithm from the kernel's network.
    for (size_t i = 1; i < want.size(); ++i)
      for (size_t j = i; j > 0 && want[j - 1] > want[j]; --j) std::swap(want[j - 1], want[j]);
    for (int i = 0; i < 1024; ++i)
      if (got[b * 1024 + i] != want[i]) FAIL("bitonic block %d element %d: %u, expected %u\n", b, i, got[b * 1024 + i], want[i]);
  }
  const int n = 100000;
  std::vector<int> in(n);
  long long want = 0;
  for (int i = 0; i < n; ++i) want += in[i] = int(lcg(seed) % 20001) - 10000;
  int* d_in = dev(in);
  long long *d_partial, *d_total;
  CHECK(cudaMalloc(&d_partial, 48 * sizeof(long long)));
  CHECK(cudaMalloc(&d_total, sizeof(long long)));
  for (int rep = 0; rep < 2; ++rep) {  // the second launch relies on the last block's reset
    CHECK(cudaMemset(d_total, 0, sizeof(long long)));
    fence_reduce<<<48, 256>>>(d_in, d_partial, d_total, n);
    const long long got_total = host(d_total, 1)[0];
    if (got_total != want) FAIL("fence_reduce launch %d: %lld, expected %lld\n", rep, got_total, want);
  }
}

void test_convolution() {
  const int w = 200, h = 70;
  const float filter[2 * kRadius + 1] = {1 / 32.f, 2 / 32.f, 3 / 32.f, 4 / 32.f, 12 / 32.f, 4 / 32.f, 3 / 32.f, 2 / 32.f, 1 / 32.f};
  CHECK(cudaMemcpyToSymbol(c_filter, filter, sizeof filter));
  std::vector<float> img(w * h);
  uint32_t seed = 2;
  for (auto& v : img) v = float(lcg(seed) % 256);
  float *d_img = dev(img), *d_tmp, *d_out;
  CHECK(cudaMalloc(&d_tmp, img.size() * sizeof(float)));
  CHECK(cudaMalloc(&d_out, img.size() * sizeof(float)));
  convolve_rows<<<dim3((w + 63) / 64, (h + 15) / 16), dim3(16, 16)>>>(d_img, d_tmp, w, h);
  convolve_columns<<<dim3((w + 127) / 128, h), 128>>>(d_tmp, d_out, w, h);
  const std::vector<float> got = host(d_out, img.size());
  // Dyadic weights and integer pixels: every sum is exact, in any order.
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double want = 0;
      for (int ky = -kRadius; ky <= kRadius; ++ky)
        for (int kx = -kRadius; kx <= kRadius; ++kx) {
          const int xx = x + kx, yy = y + ky;
          if (xx >= 0 && xx < w && yy >= 0 && yy < h)
            want += double(filter[kRadius - kx]) * filter[kRadius - ky] * img[yy * w + xx];
        }
      if (got[y * w + x] != float(want)) FAIL("convolution (%d,%d): %.9g, expected %.9g\n", x, y, got[y * w + x], want);
    }
}

void test_histogram_and_scan() {
  const int n = 1 << 18;
  std::vector<unsigned char> data(n);
  uint32_t seed = 3;
  for (auto& v : data) v = (unsigned char)((lcg(seed) >> 24) & ((lcg(seed) & 1) ? 0xff : 0x0f));  // skewed
  unsigned char* d_data = dev(data);
  unsigned* d_bins = dev(std::vector<unsigned>(256, 0));
  histogram256<<<40, 256>>>(d_data, d_bins, n);
  const std::vector<unsigned> bins = host(d_bins, 256);
  std::vector<unsigned> want(256, 0);
  for (unsigned char v : data) ++want[v];
  for (int b = 0; b < 256; ++b)
    if (bins[b] != want[b]) FAIL("histogram bin %d: %u, expected %u\n", b, bins[b], want[b]);
  std::vector<int> in(8 * 1024);
  for (auto& v : in) v = int(lcg(seed) % 201) - 100;
  int* d_in = dev(in);
  int* d_out;
  CHECK(cudaMalloc(&d_out, in.size() * sizeof(int)));
  block_scan<<<8, 1024>>>(d_in, d_out);
  const std::vector<int> got = host(d_out, in.size());
  for (int b = 0; b < 8; ++b) {
    int run = 0;
    for (int i = 0; i < 1024; ++i) {
      run += in[b * 1024 + i];
      if (got[b * 1024 + i] != run) FAIL("scan block %d element %d: %d, expected %d\n", b, i, got[b * 1024 + i], run);
    }
  }
}

void test_dct_and_transpose() {
  const int w = 64, h = 48;
  float coef[8][8];
  for (int k = 0; k < 8; ++k)
    for (int i = 0; i < 8; ++i) coef[k][i] = float((k ? std::sqrt(2.0 / 8) : std::sqrt(1.0 / 8)) * std::cos(M_PI * (2 * i + 1) * k / 16));
  CHECK(cudaMemcpyToSymbol(c_dct, coef, sizeof coef));
  std::vector<float> img(w * h);
  for (int i = 0; i < w * h; ++i) img[i] = float((i * 7919) % 256) - 128;
  float *d_img = dev(img), *d_out;
  CHECK(cudaMalloc(&d_out, img.size() * sizeof(float)));
  dct8x8<<<dim3(w / 8, h / 8), dim3(8, 8)>>>(d_img, d_out, w);
  std::vector<float> got = host(d_out, img.size());
  for (int by = 0; by < h; by += 8)
    for (int bx = 0; bx < w; bx += 8)
      for (int v = 0; v < 8; ++v)
        for (int u = 0; u < 8; ++u) {
          // The 2-D DCT as one double sum (the kernel does rows, then columns, in float).
          double want = 0;
          for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) want += double(coef[v][y]) * coef[u][x] * img[(by + y) * w + bx + x];
          if (std::fabs(got[(by + v) * w + bx + u] - want) > 2e-3) FAIL("dct (%d,%d) coefficient (%d,%d): %g, expected %g\n", bx, by, u, v, got[(by + v) * w + bx + u], want);
        }
  const int tw = 100, th = 70;
  std::vector<float> m(tw * th);
  for (int i = 0; i < tw * th; ++i) m[i] = float(i);
  float *d_m = dev(m), *d_t;
  CHECK(cudaMalloc(&d_t, m.size() * sizeof(float)));
  transpose<<<dim3((tw + 31) / 32, (th + 31) / 32), dim3(32, 8)>>>(d_m, d_t, tw, th);
  got = host(d_t, m.size());
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x)
      if (got[x * th + y] != m[y * tw + x]) FAIL("transpose (%d,%d)\n", x, y);
}

void test_nbody() {
  const int n = 512;
  const float soft2 = 0.01f;
  std::vector<float4> pos(n);
  uint32_t seed = 4;
  for (auto& p : pos) {
    auto u = [&] { return float(lcg(seed) >> 8) / float(1 << 24) * 2 - 1; };
    p = make_float4(u() * 10, u() * 10, u() * 10, 0.5f + (u() + 1));
  }
  float4* d_pos = dev(pos);
  float3* d_acc;
  CHECK(cudaMalloc(&d_acc, n * sizeof(float3)));
  nbody_accel<<<n / 128, 128, 128 * sizeof(float4)>>>(d_pos, d_acc, n, soft2);
  const std::vector<float3> acc = host(d_acc, n);
  for (int i = 0; i < n; ++i) {
    double a[3] = {0, 0, 0}, scale = 0;
    for (int j = 0; j < n; ++j) {
      const double d[3] = {double(pos[j].x) - pos[i].x, double(pos[j].y) - pos[i].y, double(pos[j].z) - pos[i].z};
      const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + soft2;
      const double s = pos[j].w / (r2 * std::sqrt(r2));
      for (int k = 0; k < 3; ++k) a[k] += d[k] * s, scale += std::fabs(d[k] * s);
    }
    const float g[3] = {acc[i].x, acc[i].y, acc[i].z};
    for (int k = 0; k < 3; ++k)
      if (std::fabs(g[k] - a[k]) > 3e-5 * scale + 1e-6) FAIL("nbody body %d axis %d: %g, expected %g\n", i, k, g[k], a[k]);
  }
}

void test_black_scholes_and_mandelbrot() {
  const int n = 4000;
  const float r = 0.02f, v = 0.30f;
  std::vector<float> s(n), x(n), t(n);
  uint32_t seed = 5;
  for (int i = 0; i < n; ++i) {
    s[i] = 5 + float(lcg(seed) % 2500) / 100, x[i] = 1 + float(lcg(seed) % 9900) / 100, t[i] = 0.25f + float(lcg(seed) % 975) / 100;
  }
  float *d_s = dev(s), *d_x = dev(x), *d_t = dev(t), *d_call, *d_put;
  CHECK(cudaMalloc(&d_call, n * sizeof(float)));
  CHECK(cudaMalloc(&d_put, n * sizeof(float)));
  black_scholes<<<16, 128>>>(d_s, d_x, d_t, d_call, d_put, n, r, v);
  const std::vector<float> call = host(d_call, n), put = host(d_put, n);
  for (int i = 0; i < n; ++i) {
    // Exact normal CDF (erfc) in double: the kernel's polynomial is good to ~1e-7.
    auto N = [](double d) { return 0.5 * std::erfc(-d / std::sqrt(2.0)); };
    const double sq = std::sqrt(double(t[i])), d1 = (std::log(double(s[i]) / x[i]) + (r + 0.5 * v * v) * t[i]) / (v * sq);
    const double d2 = d1 - v * sq, e = std::exp(-double(r) * t[i]);
    const double c = s[i] * N(d1) - x[i] * e * N(d2), p = x[i] * e * N(-d2) - s[i] * N(-d1);
    if (std::fabs(call[i] - c) > 2e-4 * (s[i] + x[i]) || std::fabs(put[i] - p) > 2e-4 * (s[i] + x[i]))
      FAIL("black_scholes option %d: call %g put %g, expected %g %g\n", i, call[i], put[i], c, p);
  }
  const int w = 96, h = 64, max_iter = 200;
  int* d_counts;
  CHECK(cudaMalloc(&d_counts, w * h * sizeof(int)));
  mandelbrot<<<dim3(w / 16, h / 16), dim3(16, 16)>>>(d_counts, w, h, max_iter);
  const std::vector<int> counts = host(d_counts, w * h);
  for (int py = 0; py < h; ++py)
    for (int px = 0; px < w; ++px) {
      const float cx = -2.0f + (2.5f * float(px)) / float(w), cy = -1.25f + (2.5f * float(py)) / float(h);
      float zx = 0, zy = 0;
      int it = 0;
      while (it < max_iter && std::fmaf(zx, zx, zy * zy) <= 4.0f) {
        const float nx = std::fmaf(zx, zx, std::fmaf(-zy, zy, cx));
        zy = std::fmaf(2.0f * zx, zy, cy);
        zx = nx;
        ++it;
      }
      if (counts[py * w + px] != it) FAIL("mandelbrot (%d,%d): %d iterations, expected %d\n", px, py, counts[py * w + px], it);
    }
}

int main() {
  test_sort_and_reduce();
  test_convolution();
  test_histogram_and_scan();
  test_dct_and_transpose();
  test_nbody();
  test_black_scholes_and_mandelbrot();
  std::printf("classic_kernels: OK\n");
  return 0;
}
