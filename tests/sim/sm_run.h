// A harness that drives one SmCore cycle by cycle on a small PTX kernel, with the memory side
// behind it, recording every issue (shared by the SM core tests).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "sim/gpu_config.h"
#include "sim/memory_partitions.h"
#include "sim/sm_core.h"
#include "tests/sim/flat_memory.h"

namespace gpusim::sim::testing {

constexpr uint64_t kGlobalBase = 0x10000;
constexpr size_t kMemoryBytes = 1 << 20;
constexpr uint64_t kModuleGlobals = kGlobalBase + kMemoryBytes - 0x10000;  // the module's .global variables

struct Issue {
  uint64_t cycle;
  int subcore, warp;
  uint32_t pc;
  isa::Opcode op;
};

class Recorder : public SimObserver {
 public:
  void on_issue(uint64_t cycle, int, int subcore, int warp, uint32_t pc, const isa::Instruction& inst, uint32_t) override {
    issues.push_back({cycle, subcore, warp, pc, inst.op});
  }
  std::vector<Issue> issues;
  std::vector<Issue> of_warp(int warp) const {
    std::vector<Issue> out;
    for (const Issue& i : issues)
      if (i.warp == warp) out.push_back(i);
    return out;
  }
};

inline std::string kernel(const std::string& name, const std::string& params, const std::string& body) {
  return ".version 9.0\n.target sm_75\n.address_size 64\n\n.visible .entry " + name + "(" + params + ")\n{\n" + body +
         "}\n";
}

// An SM, the memory side and a launch of `ptx`'s kernel, run to completion.
struct SmRun {
  GpuConfig config;
  isa::Module module;
  FlatMemory memory{kGlobalBase, kMemoryBytes};
  Recorder recorder;
  std::unique_ptr<MemoryPartitions> partitions;
  std::unique_ptr<SmCore> sm;
  isa::LaunchState launch;
  uint64_t cycles = 0;

  std::vector<uint8_t> const_bank;

  SmRun(const std::string& ptx, const GpuConfig& cfg, int sm_id = 0, const std::string& kernel_name = "")
      : config(cfg), module(isa::parse_ptx(ptx, "test.ptx")) {
    partitions = std::make_unique<MemoryPartitions>(config, nullptr);
    sm = std::make_unique<SmCore>(sm_id, config, *partitions, &recorder);
    launch.module = &module;
    launch.kernel = kernel_name.empty() ? &module.functions.at(0) : module.find_function(kernel_name);
    if (!launch.kernel) throw std::invalid_argument("no kernel " + kernel_name);
    // Module variables: .global ones at kModuleGlobals, .const ones in the constant bank.
    launch.module_global_base = kModuleGlobals;
    const_bank.assign(module.const_bytes, 0);
    launch.const_bank = &const_bank;
    for (const isa::Symbol& sym : module.symbols) {
      if (sym.owner != -1 || sym.init.empty()) continue;
      if (sym.space == isa::StateSpace::Global)
        std::copy(sym.init.begin(), sym.init.end(), memory.bytes().begin() + long(kModuleGlobals - kGlobalBase + sym.offset));
      if (sym.space == isa::StateSpace::Const)
        std::copy(sym.init.begin(), sym.init.end(), const_bank.begin() + long(sym.offset));
    }
    launch.global = &memory;
    launch.nsmid = static_cast<uint32_t>(config.num_sms);
    launch.params.assign(launch.kernel->param_bytes, 0);
  }
  void set_param(unsigned index, uint64_t value) {
    const isa::Symbol& s = module.symbols.at(launch.kernel->params.at(index));
    std::memcpy(launch.params.data() + s.offset, &value, std::min<size_t>(s.size, sizeof value));
  }

  // Runs `ctas` CTAs of `threads` threads, at most `resident` at once. Returns the cycles taken.
  uint64_t go(unsigned ctas, unsigned threads, int resident = 1) {
    launch.grid = {ctas, 1, 1};
    launch.block = {threads, 1, 1};
    return go_launch(resident);
  }
  uint64_t go_launch(int resident) {
    const unsigned ctas = static_cast<unsigned>(launch.grid.count());
    launch.dynamic_shared_base = (launch.kernel->static_shared_bytes + 15) / 16 * 16;
    sm->begin_launch(&launch, resident, 16 * 1024);
    const uint64_t core_ps = 1000000 / config.core_clock_mhz, dram_ps = 1000000 / config.dram_clock_mhz;
    uint64_t next_dram = 0;
    unsigned started = 0;
    uint64_t cycle = 0;
    for (; cycle < 2000000; ++cycle) {
      const uint64_t now = cycle * core_ps;
      while (started < ctas && sm->can_accept_cta())
        sm->add_cta(std::make_unique<isa::CtaState>(
                        launch, isa::Dim3{started % launch.grid.x, started / launch.grid.x % launch.grid.y,
                                          started / (launch.grid.x * launch.grid.y)}),
                    cycle),
            ++started;
      if (started == ctas && sm->idle() && partitions->idle()) break;
      sm->tick(cycle, now);
      sm->commit(cycle, now);
      partitions->tick_l2(now);  // the L2 runs at the core clock in the default config
      for (; next_dram <= now; next_dram += dram_ps) partitions->tick_dram(next_dram);
    }
    EXPECT_LT(cycle, 2000000u) << "the launch did not finish";
    cycles = cycle;
    return cycle;
  }
  uint64_t stall(StallReason r) const { return sm->stats().stall_warp_cycles[static_cast<size_t>(r)]; }
};

inline std::string ffma_kernel(int n, bool dependent) {
  std::ostringstream body;
  body << ".reg .f32 %f<" << n + 4 << ">;\n";
  body << "mov.f32 %f1, 0f3F800000;\nmov.f32 %f2, 0f40000000;\nmov.f32 %f3, 0f00000000;\n";
  for (int i = 0; i < n; ++i) {
    if (dependent) body << "fma.rn.f32 %f3, %f3, %f2, %f1;\n";
    else body << "fma.rn.f32 %f" << 4 + i << ", %f1, %f2, %f1;\n";
  }
  body << "ret;\n";
  return kernel("ffma", "", body.str());
}
}  // namespace gpusim::sim::testing
