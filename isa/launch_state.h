// State shared by the threads of one CTA (shared memory, barrier) and of one launch (kernel,
// dimensions, parameter buffer, device memory). Whoever drives execution (the functional
// executor or the timing model) owns these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/async_copy_tracker.h"
#include "isa/exec_context.h"
#include "isa/warp.h"

namespace gpusim::isa {

class DeviceServices;
class SharedRaceCheck;
class SharedRaceShadow;

struct LaunchState {
  const Module* module = nullptr;
  const Function* kernel = nullptr;
  Dim3 grid, block;
  uint32_t dynamic_shared_bytes = 0;
  uint64_t dynamic_shared_base = 0;   // static shared size rounded up to 16
  // The driver's reserved shared memory (sm_80+: 1 KB per CTA), placed after the CTA's own
  // static and dynamic shared memory; 0 unless the kernel's code reads %reserved_smem_offset_*,
  // so that an access just past a kernel's own shared memory still faults.
  uint32_t reserved_shared_bytes = 0;
  std::vector<uint8_t> params;        // the kernel parameter buffer, laid out per the PTX
  GlobalMemory* global = nullptr;
  uint64_t module_global_base = 0;    // device address of the module's .global variables
  const std::vector<uint8_t>* const_bank = nullptr;  // the module's .const variables
  // printf / malloc / free / assert for the kernel's device-side runtime calls
  // (isa/device_services.h); null: such a call is an error naming the function.
  DeviceServices* services = nullptr;
  // Cooperative launch (cudaLaunchCooperativeKernel): every CTA is resident at once and the
  // CTAs run interleaved, so a grid-wide barrier can complete. `grid_workspace` is the device
  // address of the zeroed grid-barrier word pair that cooperative_groups::grid_group::sync
  // finds through %envreg1:%envreg2 (0 otherwise: nvcc's code then traps).
  bool cooperative = false;
  uint64_t grid_workspace = 0;
  // Thread-block clusters (sm_90): the CTAs of a cluster are resident together and run
  // interleaved; {1,1,1} = no clusters (each CTA is a cluster of one).
  Dim3 cluster;
  bool explicit_cluster = false;   // launched with a cluster shape (%is_explicit_cluster)
  // %clock/%clock64 source and %smid; the timing model keeps these current per SM.
  uint64_t clock = 0;
  // What %clock/%clock64/%globaltimer add to `clock`: the cycles the simulated timeline spent
  // outside kernels before this launch (copies, memsets), so the registers read the timeline
  // cudaEvents read, not only the kernels' cycles (an outside researcher's %globaltimer stood still
  // over a 1 ms copy).
  uint64_t clock_offset = 0;
  uint32_t smid = 0, nsmid = 1;
  // The SM clock in MHz: %globaltimer counts nanoseconds, so it is `clock` converted with it
  // (0: `clock` is read as nanoseconds).
  uint32_t clock_mhz = 0;
  // A launch past this many warp-instructions is stopped as a probable infinite loop (the timing
  // model checks it every core cycle; the functional executor has FunctionalLimits). 0: none.
  uint64_t max_warp_instructions = 0;
  // The timing model watches for a proven endless loop (sim/endless_loop_watch.h) once the launch
  // has run this many warp-instructions; 0: never. (Functional mode: FunctionalLimits.)
  uint64_t repeat_check_after = uint64_t(1) << 24;
  // Calls nested deeper than this are stopped as probable unbounded recursion. A GPU's limit is
  // the stack (cudaLimitStackSize bytes per thread), which the runtime turns into frames
  // (call_depth_for_stack); the default is that of CUDA's default 1 KiB stack.
  uint32_t max_call_depth = 1024;
  // A kernel whose call depth the compiler cannot bound (isa/call_graph.h): the bytes of stack each
  // thread has (cudaLimitStackSize), which its frames must fit in; 0: not checked (the driver
  // sizes a bounded kernel's stack itself).
  uint64_t stack_limit_bytes = 0;
  // --racecheck: every CTA keeps a shadow of its shared memory and reports races here
  // (isa/shared_race_check.h); null: not checked (the default: it costs a trace of every access).
  // Shared with the shadows, which hand over their hazards when their CTA ends, however late.
  std::shared_ptr<SharedRaceCheck> race_check;
  // Counters.
  uint64_t warp_instructions = 0;
  uint64_t thread_instructions = 0;
};

// The call depth allowed by a per-thread stack of `stack_bytes` (cudaLimitStackSize): a SASS
// frame holds at least a return address and usually spills, so 16 bytes a frame is a generous
// minimum; never below 1,024 frames, and at most 65,536 (each frame costs host memory per warp).
inline uint32_t call_depth_for_stack(uint64_t stack_bytes) {
  const uint64_t frames = stack_bytes / 16;
  return uint32_t(frames < 1024 ? 1024 : frames > 65536 ? 65536 : frames);
}

// One mbarrier object (functional model: arrival counting with phase parity).
struct MbarrierState {
  uint64_t addr = 0;
  uint32_t expected = 0;
  uint32_t pending = 0;
  uint32_t phase = 0;
};

// The 16 named barriers of a CTA. Arrival is per warp (all of the warp's non-exited threads,
// as on sm_70+); exited threads never hold up a CTA-wide barrier (PTX ISA, `exit`).
struct NamedBarrier {
  uint32_t expected_threads = 0;   // 0 = all non-exited threads of the CTA
  uint32_t arrived_threads = 0;
  AtomOp red = AtomOp::None;       // bar.red: popc / and / or of a predicate
  uint64_t red_value = 0;
  std::vector<Warp*> waiting;      // warps blocked in bar.sync / bar.red
  std::vector<uint32_t> red_dst;   // destination register of each waiting warp (bar.red)
};

class CtaState;

// The CTAs of one cluster and its barrier (barrier.cluster.arrive/wait, split-phase).
struct ClusterState {
  std::vector<CtaState*> ctas;       // indexed by %cluster_ctarank
  uint32_t barrier_arrived = 0;      // threads arrived in the current phase
  uint32_t barrier_completed = 0;    // phases completed so far
  uint64_t barrier_completed_clock = 0;  // LaunchState::clock when the last phase completed (timing)
};

// Shared::cluster addresses (mapa, distributed shared memory): CTA rank r's byte `off` is
// ((r + 1) << kClusterRankShift) | off; an address below 1 << kClusterRankShift is the CTA's own.
constexpr unsigned kClusterRankShift = 24;

class CtaState {
 public:
  CtaState(LaunchState& launch, Dim3 ctaid);
  ~CtaState();
  // Turns this CTA into CTA `ctaid` of the same launch as it would be constructed, reusing the
  // storage of its warps and shared memory (the functional executor runs a host thread's CTAs one
  // after another in one CtaState: per CTA of a small element-wise kernel, allocating every warp
  // anew cost as much as running it). Not for CTAs of a cluster (their peers point at them).
  void restart(Dim3 ctaid);

  Dim3 ctaid;
  uint64_t linear_id = 0;
  std::vector<uint8_t> shared;
  std::vector<std::unique_ptr<Warp>> warps;
  std::vector<MbarrierState> mbarriers;
  NamedBarrier barriers[16];
  AsyncCopyTracker async_copies;  // cp.async copies not waited for (reading them is a race)
  // With LaunchState::race_check: the shadow of the shared memory (created at the first step).
  std::unique_ptr<SharedRaceShadow> race_shadow;
  // The cluster this CTA belongs to (null: a cluster of this CTA alone, kept in `solo`).
  ClusterState* cluster = nullptr;
  uint32_t cluster_rank = 0;
  ClusterState solo;
  ClusterState& cluster_state() { return cluster ? *cluster : solo; }
  uint32_t cluster_size() const { return cluster ? uint32_t(cluster->ctas.size()) : 1; }
  // The CTA of rank `rank` in this CTA's cluster, or null.
  CtaState* cluster_peer(uint32_t rank) {
    if (!cluster) return rank == 0 ? this : nullptr;
    return rank < cluster->ctas.size() ? cluster->ctas[rank] : nullptr;
  }

  // Releases every barrier whose participants have all arrived; returns true if any was released.
  bool release_ready_barriers();
  // Threads of the CTA that have not exited.
  uint32_t live_threads() const;

  unsigned thread_count() const { return threads_; }
  // Linear thread index -> (x, y, z) inside the CTA.
  Dim3 thread_coord(unsigned linear) const;
  // A short "kernel K, CTA (x,y,z)" description for messages.
  std::string where() const;
  // Appends the CTA's whole execution state (shared memory, barriers, mbarriers, every warp's
  // Warp::append_state) to `out`, for isa/repeat_watch.h.
  void append_state(std::vector<uint8_t>& out) const;
  const LaunchState& launch() const { return launch_; }

 private:
  LaunchState& launch_;
  unsigned threads_;
};

}  // namespace gpusim::isa
