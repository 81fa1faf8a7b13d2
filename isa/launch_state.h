// State shared by the threads of one CTA (shared memory, barrier) and of one launch (kernel,
// dimensions, parameter buffer, device memory). Whoever drives execution (the functional
// executor or the timing model) owns these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/exec_context.h"
#include "isa/warp.h"

namespace gpusim::isa {

class DeviceServices;

struct LaunchState {
  const Module* module = nullptr;
  const Function* kernel = nullptr;
  Dim3 grid, block;
  uint32_t dynamic_shared_bytes = 0;
  uint64_t dynamic_shared_base = 0;   // static shared size rounded up to 16
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
  // %clock/%clock64 source and %smid; the timing model keeps these current per SM.
  uint64_t clock = 0;
  uint32_t smid = 0, nsmid = 1;
  // A launch past this many warp-instructions is stopped as a probable infinite loop (the timing
  // model checks it every core cycle; the functional executor has FunctionalLimits). 0: none.
  uint64_t max_warp_instructions = 0;
  // Counters.
  uint64_t warp_instructions = 0;
  uint64_t thread_instructions = 0;
};

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

class CtaState {
 public:
  CtaState(LaunchState& launch, Dim3 ctaid);

  Dim3 ctaid;
  uint64_t linear_id = 0;
  std::vector<uint8_t> shared;
  std::vector<std::unique_ptr<Warp>> warps;
  std::vector<MbarrierState> mbarriers;
  NamedBarrier barriers[16];

  // Releases every barrier whose participants have all arrived; returns true if any was released.
  bool release_ready_barriers();
  // Threads of the CTA that have not exited.
  uint32_t live_threads() const;

  unsigned thread_count() const { return threads_; }
  // Linear thread index -> (x, y, z) inside the CTA.
  Dim3 thread_coord(unsigned linear) const;
  // A short "kernel K, CTA (x,y,z)" description for messages.
  std::string where() const;
  const LaunchState& launch() const { return launch_; }

 private:
  LaunchState& launch_;
  unsigned threads_;
};

}  // namespace gpusim::isa
