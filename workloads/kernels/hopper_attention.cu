// hopper_attention_d64 / _d128: a FlashAttention-3-style forward pass for sm_90a, written the
// way Hopper code is written (simplified): O = softmax(Q K^T / sqrt(D)) V for bf16 Q, K, V of
// shape [batch*heads, L, D], O in f32.
//
// One CTA owns 128 query rows of one (batch, head) and has three warpgroups (warp specialised):
//   - warpgroup 0, the producer, gives registers away (setmaxnreg.dec) and one elected thread
//     loads Q once and then K and V tiles of 64 keys with the Tensor Memory Accelerator
//     (cp.async.bulk.tensor; CUtensorMaps passed as __grid_constant__ parameters, 128B swizzle)
//     into a STAGES-deep shared ring; each stage has a "full" mbarrier (one arrival plus the
//     tile's bytes as a transaction count) and an "empty" mbarrier the consumers release;
//   - warpgroups 1 and 2, the consumers, own 64 query rows each: S = Q K^T by wgmma.mma_async
//     from shared-memory descriptors, the online softmax in registers (running row max and sum,
//     exp2f of scores pre-scaled by log2(e)/sqrt(D)), P rounded to bf16 straight from the
//     accumulator registers into the register-A fragment, O += P V by wgmma with V as a
//     transposed (MN-major) B operand, and at the end O / rowsum written as f32.
// Not modelled from FA3: the ping-pong between consumer warpgroups and the overlap of the next
// tile's Q K^T with this tile's softmax; causal masking.
//
// Used by the built-in workload flash_attention (workloads/flash_attention.cpp) and, through an
// #include, by the nvcc test program tests/cuda_programs/hopper_attention.cu.
#include <cuda.h>
#include <cuda_bf16.h>

#include <cuda/ptx>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ptx = cuda::ptx;

namespace hopper_attention {

constexpr int kRowsPerWarpgroup = 64, kConsumers = 2, kBlockM = kRowsPerWarpgroup * kConsumers;
constexpr int kBlockN = 64;            // keys per K/V tile
constexpr int kStages = 2;             // depth of the K/V ring
constexpr int kChunk = 64 * 64 * 2;    // one TMA box: 64 rows x 64 bf16 (128 bytes, one swizzle row)
constexpr int kThreads = 128 * (1 + kConsumers);

// wgmma shared-memory descriptor with 128B swizzle: start, leading and stride byte offsets.
__device__ uint64_t descriptor(uint32_t smem_addr, uint32_t leading, uint32_t stride) {
  return uint64_t((smem_addr & 0x3ffff) >> 4) | uint64_t(leading >> 4) << 16 | uint64_t(stride >> 4) << 32 |
         uint64_t(1) << 62;
}

__device__ uint32_t pack_bf16(float lo, float hi) {
  __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  uint32_t r;
  memcpy(&r, &h, 4);
  return r;
}

#define ACC8(a, i) "+f"(a[i]), "+f"(a[i + 1]), "+f"(a[i + 2]), "+f"(a[i + 3]), "+f"(a[i + 4]), "+f"(a[i + 5]), \
                   "+f"(a[i + 6]), "+f"(a[i + 7])
#define ACC32(a, i) ACC8(a, i), ACC8(a, i + 8), ACC8(a, i + 16), ACC8(a, i + 24)
#define REGS32 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, " \
               "%20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define REGS64 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, " \
               "%20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, "   \
               "%38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, "   \
               "%56, %57, %58, %59, %60, %61, %62, %63}"

// S (64 x 64 f32) {+}= Q_chunk (64 x 16) * K_chunk^T, both K-major in shared memory.
__device__ void wgmma_qk(float (&s)[32], uint64_t desc_q, uint64_t desc_k, int accumulate) {
  asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %34, 0;\n"
               " wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 " REGS32 ", %32, %33, p, 1, 1, 0, 0;\n}\n"
               : ACC32(s, 0)
               : "l"(desc_q), "l"(desc_k), "r"(accumulate));
}

// O (64 x D f32) += P_chunk (64 x 16 bf16, registers) * V_chunk (16 x D), V MN-major (trans-b).
template <int D>
__device__ void wgmma_pv(float (&o)[D / 2], const uint32_t (&a)[4], uint64_t desc_v) {
  if constexpr (D == 64) {
    asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %37, 0;\n"
                 " wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 " REGS32
                 ", {%32, %33, %34, %35}, %36, p, 1, 1, 1;\n}\n"
                 : ACC32(o, 0)
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc_v), "r"(1));
  } else {
    asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %69, 0;\n"
                 " wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 " REGS64
                 ", {%64, %65, %66, %67}, %68, p, 1, 1, 1;\n}\n"
                 : ACC32(o, 0), ACC32(o, 32)
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc_v), "r"(1));
  }
}

__device__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ void wgmma_commit_and_wait() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
  asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
}
__device__ void wait_phase(uint64_t* bar, uint32_t parity) {
  while (!ptx::mbarrier_try_wait_parity(bar, parity)) {
  }
}

// Dynamic shared memory: Q [consumer][D/64 chunks], then K and V [stage][D/64 chunks]; each chunk
// 1024-byte aligned so the TMA's and wgmma's 128B swizzle patterns agree.
template <int D>
constexpr int shared_bytes() {
  return 1024 + kChunk * (D / 64) * (kConsumers + 2 * kStages);
}

template <int D>
__device__ __forceinline__ void forward(const CUtensorMap* map_q, const CUtensorMap* map_k, const CUtensorMap* map_v,
                                        float* out, int seq_len, float scale_log2) {
  constexpr int kChunks = D / 64;
  extern __shared__ uint8_t dynamic_smem[];
  __shared__ uint64_t q_full, full[kStages], empty[kStages];
  uint8_t* base = dynamic_smem + ((1024 - (__cvta_generic_to_shared(dynamic_smem) & 1023)) & 1023);
  uint8_t* sq = base;
  uint8_t* sk = sq + kChunk * kChunks * kConsumers;
  uint8_t* sv = sk + kChunk * kChunks * kStages;

  const int warpgroup = threadIdx.x / 128, bh = blockIdx.y, tiles = seq_len / kBlockN;
  // This (batch, head)'s first row in the [BH * L, D] tensors, and this CTA's first query row in it.
  const int row_base = bh * seq_len, q_tile = int(blockIdx.x) * kBlockM;
  if (threadIdx.x == 0) {
    ptx::mbarrier_init(&q_full, 1);
    for (int s = 0; s < kStages; ++s) {
      ptx::mbarrier_init(&full[s], 1);
      ptx::mbarrier_init(&empty[s], kConsumers * 4);  // one arrival per consumer warp
    }
    ptx::fence_proxy_async(ptx::space_shared);
  }
  __syncthreads();

  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (threadIdx.x >= 32) return;
    uint32_t leader;
    asm volatile("{\n .reg .pred p;\n elect.sync _|p, 0xffffffff;\n selp.u32 %0, 1, 0, p;\n}" : "=r"(leader));
    if (!leader) return;
    ptx::mbarrier_arrive_expect_tx(ptx::sem_release, ptx::scope_cta, ptx::space_shared, &q_full,
                                   kChunk * kChunks * kConsumers);
    for (int c = 0; c < kConsumers; ++c)
      for (int d = 0; d < kChunks; ++d) {
        const int at[2] = {64 * d, row_base + q_tile + c * kRowsPerWarpgroup};
        ptx::cp_async_bulk_tensor(ptx::space_cluster, ptx::space_global, sq + kChunk * (c * kChunks + d), map_q, at,
                                  &q_full);
      }
    for (int j = 0; j < tiles; ++j) {
      const int s = j % kStages;
      if (j >= kStages) wait_phase(&empty[s], (j / kStages - 1) & 1);  // consumers done with tile j - kStages
      ptx::mbarrier_arrive_expect_tx(ptx::sem_release, ptx::scope_cta, ptx::space_shared, &full[s],
                                     2 * kChunk * kChunks);
      for (int d = 0; d < kChunks; ++d) {
        const int at[2] = {64 * d, row_base + j * kBlockN};
        ptx::cp_async_bulk_tensor(ptx::space_cluster, ptx::space_global, sk + kChunk * (s * kChunks + d), map_k, at,
                                  &full[s]);
        ptx::cp_async_bulk_tensor(ptx::space_cluster, ptx::space_global, sv + kChunk * (s * kChunks + d), map_v, at,
                                  &full[s]);
      }
    }
    return;
  }

  // Consumers. Accumulator register i of lane l (warp w of the warpgroup) holds row
  // 16w + l/4 + 8*half(i), half(i) = (i/2)%2, column 8*(i/4) + 2*(l%4) + i%2.
  asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
  const int consumer = warpgroup - 1, warp = (threadIdx.x / 32) % 4, lane = threadIdx.x % 32;
  const uint32_t q_addr = uint32_t(__cvta_generic_to_shared(sq + kChunk * kChunks * consumer));
  const uint32_t k_addr = uint32_t(__cvta_generic_to_shared(sk)), v_addr = uint32_t(__cvta_generic_to_shared(sv));
  float o[D / 2];
  for (float& x : o) x = 0.0f;
  float row_max[2] = {-INFINITY, -INFINITY}, row_sum[2] = {0.0f, 0.0f};  // row_sum: this thread's part
  wait_phase(&q_full, 0);
  for (int j = 0; j < tiles; ++j) {
    const int s = j % kStages;
    wait_phase(&full[s], (j / kStages) & 1);
    float sc[32];
    wgmma_fence();
    for (int k = 0; k < D / 16; ++k) {  // 16 head-dim columns per step, 32 bytes inside a swizzle row
      const uint32_t offset = kChunk * (k / 4) + 32 * (k % 4);
      wgmma_qk(sc, descriptor(q_addr + offset, 16, 1024), descriptor(k_addr + kChunk * kChunks * s + offset, 16, 1024),
               k > 0);
    }
    wgmma_commit_and_wait();

    // Online softmax in the log2 domain; the max is shared by the 4 lanes holding a row.
    float correction[2];
    for (int h = 0; h < 2; ++h) {
      float m = row_max[h];
      for (int i = 2 * h; i < 32; i += 4) m = fmaxf(m, fmaxf(sc[i], sc[i + 1]) * scale_log2);
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
      m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
      correction[h] = exp2f(row_max[h] - m);
      row_max[h] = m;
      row_sum[h] *= correction[h];
    }
    for (int i = 0; i < 32; ++i) {
      const int h = (i / 2) % 2;
      sc[i] = exp2f(sc[i] * scale_log2 - row_max[h]);
      row_sum[h] += sc[i];
    }
    for (int i = 0; i < D / 2; ++i) o[i] *= correction[(i / 2) % 2];

    // O += P V: P's accumulator registers 8k..8k+7 are exactly the register-A fragment of
    // keys 16k..16k+15 (bf16 pairs, lower column in the low half).
    wgmma_fence();
    for (int k = 0; k < kBlockN / 16; ++k) {
      const uint32_t a[4] = {pack_bf16(sc[8 * k], sc[8 * k + 1]), pack_bf16(sc[8 * k + 2], sc[8 * k + 3]),
                             pack_bf16(sc[8 * k + 4], sc[8 * k + 5]), pack_bf16(sc[8 * k + 6], sc[8 * k + 7])};
      // 16 keys = 16 rows of 128 bytes; 8-key groups 1024 bytes apart (SBO); the next 64 head-dim
      // columns one chunk further (LBO).
      wgmma_pv<D>(o, a, descriptor(v_addr + kChunk * kChunks * s + 2048 * k, kChunk, 1024));
    }
    wgmma_commit_and_wait();
    __syncwarp();
    if (lane == 0) ptx::mbarrier_arrive(&empty[s]);
  }

  for (int h = 0; h < 2; ++h) {
    row_sum[h] += __shfl_xor_sync(0xffffffffu, row_sum[h], 1);
    row_sum[h] += __shfl_xor_sync(0xffffffffu, row_sum[h], 2);
  }
  const int row0 = row_base + q_tile + consumer * kRowsPerWarpgroup + 16 * warp + lane / 4;
  for (int i = 0; i < D / 2; ++i) {
    const int h = (i / 2) % 2, col = 8 * (i / 4) + 2 * (lane % 4) + i % 2;
    out[size_t(row0 + 8 * h) * D + col] = o[i] / row_sum[h];
  }
}

}  // namespace hopper_attention

// The entry points, one per head dim. The tensor maps are __grid_constant__ kernel parameters;
// TMA reads them through their (parameter-space) addresses. Grid: (L / 128, batch * heads);
// 384 threads; hopper_attention::shared_bytes<D>() bytes of dynamic shared memory.
#define HOPPER_ATTENTION_ENTRY(D)                                                                                   \
  extern "C" __global__ void __launch_bounds__(hopper_attention::kThreads, 1) hopper_attention_d##D(               \
      const __grid_constant__ CUtensorMap map_q, const __grid_constant__ CUtensorMap map_k,                        \
      const __grid_constant__ CUtensorMap map_v, float* out, int seq_len, float scale_log2) {                        \
    hopper_attention::forward<D>(&map_q, &map_k, &map_v, out, seq_len, scale_log2);                                 \
  }
HOPPER_ATTENTION_ENTRY(64)
HOPPER_ATTENTION_ENTRY(128)
#undef HOPPER_ATTENTION_ENTRY
