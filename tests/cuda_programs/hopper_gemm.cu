// A Hopper GEMM tile the way sm_90a code is written: the Tensor Memory Accelerator loads A and B
// (128B-swizzled tiles described by cuTensorMapEncodeTiled maps passed as __grid_constant__
// parameters) into shared memory, completing on an mbarrier with a transaction count; one
// elected thread issues the copies; a warpgroup then runs wgmma.mma_async from shared-memory
// descriptors, advancing them 32 bytes per K step inside the swizzle atom. D = A * B^T is
// checked against a CPU product (integer-valued halves: exact in f32).
#include <cuda.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cuda/ptx>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "check.cuh"

namespace ptx = cuda::ptx;

constexpr int M = 64, N = 64, K = 64;

// wgmma shared-memory descriptor: 128B swizzle (mode 1), 8-row groups 1024 bytes apart.
__device__ uint64_t descriptor(const void* smem) {
  const uint32_t a = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  return uint64_t((a & 0x3ffff) >> 4) | uint64_t(1) << 16 | uint64_t(1024 >> 4) << 32 | uint64_t(1) << 62;
}

__global__ void __launch_bounds__(128) gemm_tile(const __grid_constant__ CUtensorMap map_a,
                                                 const __grid_constant__ CUtensorMap map_b, float* d) {
  __shared__ alignas(1024) __half sa[M * K];
  __shared__ alignas(1024) __half sb[N * K];
  __shared__ uint64_t bar;
  const unsigned tid = threadIdx.x;
  if (tid == 0) {
    ptx::mbarrier_init(&bar, 1);
    ptx::fence_proxy_async(ptx::space_shared);
  }
  __syncthreads();
  if (tid < 32) {
    uint32_t leader;
    asm volatile("{\n .reg .pred p;\n elect.sync _|p, 0xffffffff;\n selp.u32 %0, 1, 0, p;\n}" : "=r"(leader));
    if (leader) {
      const int origin[2] = {0, 0};
      ptx::cp_async_bulk_tensor(ptx::space_cluster, ptx::space_global, sa, &map_a, origin, &bar);
      ptx::cp_async_bulk_tensor(ptx::space_cluster, ptx::space_global, sb, &map_b, origin, &bar);
      ptx::mbarrier_arrive_expect_tx(ptx::sem_release, ptx::scope_cta, ptx::space_shared, &bar, sizeof sa + sizeof sb);
    }
  }
  while (!ptx::mbarrier_try_wait_parity(&bar, 0)) {
  }
  float c[32];
  for (float& x : c) x = 0.0f;
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
  for (int k = 0; k < K / 16; ++k) {
    const uint64_t da = descriptor(sa) + (k * 32 >> 4), db = descriptor(sb) + (k * 32 >> 4);
    asm volatile(
        "{\n .reg .pred p;\n setp.ne.b32 p, %34, 0;\n"
        " wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 "
        "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
        "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, "
        "%32, %33, p, 1, 1, 0, 0;\n}\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3]), "+f"(c[4]), "+f"(c[5]), "+f"(c[6]), "+f"(c[7]),
          "+f"(c[8]), "+f"(c[9]), "+f"(c[10]), "+f"(c[11]), "+f"(c[12]), "+f"(c[13]), "+f"(c[14]), "+f"(c[15]),
          "+f"(c[16]), "+f"(c[17]), "+f"(c[18]), "+f"(c[19]), "+f"(c[20]), "+f"(c[21]), "+f"(c[22]), "+f"(c[23]),
          "+f"(c[24]), "+f"(c[25]), "+f"(c[26]), "+f"(c[27]), "+f"(c[28]), "+f"(c[29]), "+f"(c[30]), "+f"(c[31])
        : "l"(da), "l"(db), "r"(k > 0 ? 1 : 0));
  }
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
  asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
  // The m64nN accumulator fragment: warp w holds rows 16w..16w+15; register i of lane l is
  // row 16w + l/4 + 8*((i/2)%2), column 8*(i/4) + 2*(l%4) + i%2.
  const unsigned warp = tid / 32, lane = tid % 32;
  for (int i = 0; i < 32; ++i) {
    const unsigned row = 16 * warp + lane / 4 + 8 * ((i / 2) % 2), col = 8 * (i / 4) + 2 * (lane % 4) + i % 2;
    d[row * N + col] = c[i];
  }
}

int main() {
  std::vector<__half> a(M * K), b(N * K);
  std::vector<float> af(M * K), bf(N * K);
  for (int i = 0; i < M * K; ++i) af[i] = float((i * 7 + i / K * 3) % 9 - 4);
  for (int i = 0; i < N * K; ++i) bf[i] = float((i * 5 + i / K) % 7 - 3);
  for (int i = 0; i < M * K; ++i) a[i] = __float2half(af[i]);
  for (int i = 0; i < N * K; ++i) b[i] = __float2half(bf[i]);
  __half *da, *db;
  float* dd;
  CHECK(cudaMalloc(&da, a.size() * sizeof(__half)));
  CHECK(cudaMalloc(&db, b.size() * sizeof(__half)));
  CHECK(cudaMalloc(&dd, M * N * sizeof(float)));
  CHECK(cudaMemcpy(da, a.data(), a.size() * sizeof(__half), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(db, b.data(), b.size() * sizeof(__half), cudaMemcpyHostToDevice));
  // Both operands K-major: dimension 0 is K (contiguous), dimension 1 the rows.
  CUtensorMap map_a, map_b;
  const cuuint64_t dims_a[2] = {K, M}, dims_b[2] = {K, N}, strides[1] = {K * sizeof(__half)};
  const cuuint32_t box_a[2] = {K, M}, box_b[2] = {K, N}, unit[2] = {1, 1};
  auto encode = [&](CUtensorMap* map, void* ptr, const cuuint64_t* dims, const cuuint32_t* box) {
    const CUresult r = cuTensorMapEncodeTiled(map, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2, ptr, dims, strides, box, unit,
                                              CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                              CU_TENSOR_MAP_L2_PROMOTION_NONE, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (r != CUDA_SUCCESS) {
      std::fprintf(stderr, "cuTensorMapEncodeTiled failed: %d\n", int(r));
      std::exit(2);
    }
  };
  encode(&map_a, da, dims_a, box_a);
  encode(&map_b, db, dims_b, box_b);
  gemm_tile<<<1, 128>>>(map_a, map_b, dd);
  CHECK(cudaGetLastError());
  std::vector<float> d(M * N);
  CHECK(cudaMemcpy(d.data(), dd, d.size() * sizeof(float), cudaMemcpyDeviceToHost));
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      float want = 0;
      for (int k = 0; k < K; ++k) want += af[m * K + k] * bf[n * K + k];
      if (d[m * N + n] != want) {
        std::fprintf(stderr, "D[%d][%d] = %g, expected %g\n", m, n, d[m * N + n], want);
        return 1;
      }
    }
  std::printf("hopper_gemm %dx%dx%d (TMA + wgmma): OK\n", M, N, K);
  return 0;
}
