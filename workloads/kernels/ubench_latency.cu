// Pointer-chase latency microbenchmarks, measured inside the kernel with clock64() exactly as on
// silicon: one thread follows a chain of dependent loads (p = *p); the chain's elements hold the
// address of the next element, so each load's address is the previous load's result.
//
// The stop timestamp is taken by read_clock_after(p): an instruction that consumes p is issued
// first, so the clock is read only once the last load has returned (an in-order warp cannot
// issue past an instruction waiting on its operand). The per-step latency is (stop-start)/steps.

__device__ __forceinline__ unsigned long long read_clock() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%clock64;" : "=l"(t));
  return t;
}

// Waits for `dependency` (scoreboard) and then reads the clock.
__device__ __forceinline__ unsigned long long read_clock_after(unsigned long long dependency) {
  unsigned long long t;
  asm volatile("and.b64 %0, %1, 0;\n\tmov.u64 %0, %%clock64;" : "=&l"(t) : "l"(dependency));
  return t;
}

// One dependent load each (asm volatile keeps nvcc from dropping them; ptxas needs restart()).
__device__ __forceinline__ const unsigned long long* load_ca(const unsigned long long* p) {
  const unsigned long long* next;
  asm volatile("ld.global.ca.u64 %0, [%1];" : "=l"(next) : "l"(p));
  return next;
}
__device__ __forceinline__ const unsigned long long* load_cg(const unsigned long long* p) {
  const unsigned long long* next;
  asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(next) : "l"(p));
  return next;
}

// The timed chase restarts at `start`, but through a dependence on where the warm-up ended: ptxas
// deletes loads whose result is dead, and `asm volatile` does not survive into PTX, so a plain
// `p = start` let ptxas drop the whole warm-up (on the H200 the "L1 hit" chase then measured
// 103 cycles: a first lap from DRAM, then L1 hits; the "L2 hit" chase measured DRAM latency).
// The chain never holds a null link, which ptxas cannot know.
__device__ __forceinline__ const unsigned long long* restart(const unsigned long long* warm_end,
                                                             const unsigned long long* start) {
  return warm_end == nullptr ? warm_end : start;
}

// Global-memory chase. cache_policy 0: ld.global.ca (L1 and L2); 1: ld.global.cg (L2 only).
// warm_steps loads are done first without timing (to fill the cache under test), then the chain
// restarts at `start` and `steps` loads are timed. out[0] = cycles, out[1] = final pointer (keeps
// the chain live and lets the host check the walk).
extern "C" __global__ void ubench_chase_global(const unsigned long long* start, int cache_policy, int warm_steps,
                                               int steps, unsigned long long* out) {
  if (threadIdx.x != 0 || blockIdx.x != 0) return;
  const unsigned long long* p = start;
  if (cache_policy == 0) {
    for (int i = 0; i < warm_steps; ++i) p = load_ca(p);
    p = restart(p, start);
    unsigned long long t0 = read_clock_after((unsigned long long)p);
    for (int i = 0; i < steps; ++i) p = load_ca(p);
    unsigned long long t1 = read_clock_after((unsigned long long)p);
    out[0] = t1 - t0;
  } else {
    for (int i = 0; i < warm_steps; ++i) p = load_cg(p);
    p = restart(p, start);
    unsigned long long t0 = read_clock_after((unsigned long long)p);
    for (int i = 0; i < steps; ++i) p = load_cg(p);
    unsigned long long t1 = read_clock_after((unsigned long long)p);
    out[0] = t1 - t0;
  }
  out[1] = (unsigned long long)p;
}

// Launched with one thread (a barrier is not needed: the same thread writes and reads the chain).
// Shared-memory chase over `elements` 32-bit words with a step of `stride` words. The chain holds
// shared-window addresses so every ld.shared takes its address straight from the previous load.
extern "C" __global__ void ubench_chase_shared(int elements, int stride, int steps, unsigned long long* out) {
  extern __shared__ unsigned chain[];
  if (threadIdx.x != 0 || blockIdx.x != 0) return;
  for (int i = 0; i < elements; ++i)
    chain[i] = (unsigned)__cvta_generic_to_shared(&chain[(i + stride) % elements]);
  unsigned p = (unsigned)__cvta_generic_to_shared(&chain[0]);
  unsigned long long t0 = read_clock_after(p);
  for (int i = 0; i < steps; ++i) asm volatile("ld.shared.u32 %0, [%0];" : "+r"(p));
  unsigned long long t1 = read_clock_after(p);
  out[0] = t1 - t0;
  out[1] = p;
}
