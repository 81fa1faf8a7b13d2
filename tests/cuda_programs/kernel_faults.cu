// One kernel fault of each kind, chosen by argv[1]; prints the error the synchronisation returns.
// On a GPU: oob -> cudaErrorIllegalAddress, misaligned -> cudaErrorMisalignedAddress,
// trap -> cudaErrorLaunchFailure (cudaErrorIllegalInstruction on some drivers), runaway -> never
// returns (the simulator stops it after GPUSIM_MAX_WARP_INSTRUCTIONS: cudaErrorLaunchTimeout).
// readonly: a store to pages registered with cudaHostRegisterReadOnly; unmapped: a store to
// registered pages the program has since unmapped (a GPU still holds them pinned: no fault there;
// the simulator reaches them through the host's mapping, so it reports one rather than crash).
// nostride: a grid-stride loop whose stride is 0 (never returns on a GPU; functional mode proves
// it endless: cudaErrorLaunchTimeout without waiting for the budget). cpasync: a 16-byte cp.async
// from a source 8 bytes off its alignment (the PTX ISA requires both addresses aligned to the
// size: cudaErrorMisalignedAddress). cpasync_race: shared memory read after __syncthreads() but
// before the copying thread's cp.async.wait_group (a GPU may return the old contents: gpusim
// reports the race, cudaErrorLaunchFailure). gridsync: cooperative_groups' grid.sync() in a
// kernel launched with <<<>>> (a trap on a GPU, cudaErrorLaunchFailure; the report says why).
// notmember: lanes 16-31 call __shfl_sync(0x0000ffff, ...), a mask without their own bits
// (undefined on a GPU; gpusim reports it, cudaErrorLaunchFailure). cpasync_race_vector: the
// cpasync_race read as a 16-byte vector load (the fast path of aligned vectors). unchecked_malloc:
// each thread stores through a device malloc() larger than the heap, which returned NULL.
#include <cooperative_groups.h>
#include <sys/mman.h>
#include <cstring>
#include "check.cuh"

__global__ void fault(int kind, int* p, volatile int* flag) {
  switch (kind) {
    case 0: p[threadIdx.x + (1 << 24)] = 1; break;                                      // out of bounds
    case 1: *reinterpret_cast<int*>(reinterpret_cast<char*>(p) + 2) = 1; break;         // misaligned
    case 2: if (threadIdx.x == 5) __trap(); break;                                       // trap
    case 3: while (*flag == 0) {} break;                                                 // runaway loop
    case 4:  // half a warp at barrier 0, half at barrier 1: neither can complete (a divergent barrier)
      if (threadIdx.x < 16) asm volatile("bar.sync 0;"); else asm volatile("bar.sync 1;");
      p[threadIdx.x] = 4;
      break;
    case 5: case 6: p[threadIdx.x] = 1; break;                                           // registered host memory
    case 7:  // a grid-stride loop whose stride came out 0: stores the same values forever
      for (int i = threadIdx.x; i < 64; i += int(gridDim.y - 1) * blockDim.x) p[i] = 7;
      break;
    case 11:  // the upper half-warp shuffles with a mask that names only the lower half
      if ((threadIdx.x & 31) >= 16) p[threadIdx.x] = __shfl_sync(0x0000ffffu, int(threadIdx.x), 0);
      break;
    case 13: {  // 1 GiB each from the default 8 MiB heap: NULL, stored through unchecked
      int* mine = static_cast<int*>(malloc(size_t(1) << 30));
      mine[threadIdx.x] = 13;
      break;
    }
  }
}

// Its own kernel: a module's other kernels keep the timing model's endless-loop watch, which a
// kernel with cp.async in flight cannot have.
__global__ void misaligned_cp_async(int* p) {
  __shared__ __align__(16) int staged[4 * 64];
  const unsigned to = unsigned(__cvta_generic_to_shared(&staged[4 * threadIdx.x]));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(to), "l"(reinterpret_cast<char*>(p) + 8));
  asm volatile("cp.async.wait_all;" ::: "memory");
  p[threadIdx.x] = staged[4 * threadIdx.x];
}

// Each thread stages its word with cp.async, commits, and reads its neighbour's after the barrier
// without waiting for its own copy group first.
__global__ void unwaited_cp_async(int* p) {
  __shared__ __align__(16) int staged[4 * 64];
  const unsigned to = unsigned(__cvta_generic_to_shared(&staged[4 * threadIdx.x]));
  asm volatile("cp.async.ca.shared.global [%0], [%1], 16;" ::"r"(to), "l"(p + 4 * threadIdx.x));
  asm volatile("cp.async.commit_group;" ::: "memory");
  __syncthreads();  // missing before it: cp.async.wait_group 0
  p[threadIdx.x] = staged[(4 * threadIdx.x + 4) % (4 * 64)];
}

// The same read as a 16-byte vector load, as pipelines read their stages (the fast path for
// aligned vectors skipped the check: a packet-processing user's double buffer read its last stage
// after only wait_prior<1> and got the right answer here).
__global__ void unwaited_cp_async_vector(int* p) {
  __shared__ __align__(16) int staged[4 * 64];
  const unsigned to = unsigned(__cvta_generic_to_shared(&staged[4 * threadIdx.x]));
  asm volatile("cp.async.ca.shared.global [%0], [%1], 16;" ::"r"(to), "l"(p + 4 * threadIdx.x));
  asm volatile("cp.async.commit_group;" ::: "memory");
  __syncthreads();  // missing before it: cp.async.wait_group 0
  const int4 v = reinterpret_cast<const int4*>(staged)[(threadIdx.x + 1) % 64];
  p[threadIdx.x] = v.x + v.w;
}

__global__ void grid_sync_without_cooperative_launch(int* p) {
  p[blockIdx.x] = 1;
  cooperative_groups::this_grid().sync();
  p[blockIdx.x] += p[(blockIdx.x + 1) % gridDim.x];
}

int main(int argc, char** argv) {
  const char* kinds[] = {"oob", "misaligned", "trap", "runaway", "deadlock", "readonly", "unmapped", "nostride", "cpasync", "cpasync_race", "gridsync", "notmember", "cpasync_race_vector", "unchecked_malloc"};
  int kind = -1;
  for (int i = 0; i < 14; ++i)
    if (argc > 1 && std::strcmp(argv[1], kinds[i]) == 0) kind = i;
  EXPECT(kind >= 0);
  int* d;
  CHECK(cudaMalloc(&d, 1024));
  CHECK(cudaMemset(d, 0, 1024));
  int* p = d;
  if (kind >= 5 && kind <= 10) {
    const int prot = kind == 5 ? PROT_READ : PROT_READ | PROT_WRITE;
    // Asked for far below where mmap puts new mappings, so that once unmapped these addresses stay
    // unmapped: a range freed among the others is taken by the next mapping the process makes,
    // and a kernel would then write into that (the simulator reaches host memory through the
    // program's own address space).
    void* const far_below_the_mmap_area = reinterpret_cast<void*>(0x3e0000000000ull);
    p = static_cast<int*>(mmap(far_below_the_mmap_area, 1 << 16, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK(cudaHostRegister(p, 1 << 16, cudaHostRegisterMapped | (kind == 5 ? cudaHostRegisterReadOnly : 0)));
    if (kind == 6) munmap(p, 1 << 16);
  }
  if (kind == 8) misaligned_cp_async<<<1, 64>>>(p);
  else if (kind == 9) unwaited_cp_async<<<1, 64>>>(p);
  else if (kind == 10) grid_sync_without_cooperative_launch<<<2, 32>>>(p);
  else if (kind == 12) unwaited_cp_async_vector<<<1, 64>>>(p);
  else fault<<<1, 64>>>(kind, p, d);
  std::printf("%s: %s\n", kinds[kind], cudaGetErrorName(cudaDeviceSynchronize()));
  return 0;
}
