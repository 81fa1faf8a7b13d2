// Untrusted PTX, executed: a text that parses is loaded the way the simulator's device loads a
// module (module globals in device memory, .const bank from the initializers), its first two
// kernels pass the launch checks every API applies and then run on the functional executor
// with a small grid, pointer parameters aimed at a 64 KiB buffer and a short instruction budget
// (the endless-loop watch looking on after the first 2,000).
// Every outcome must be a parse error, a launch refusal or an execution fault with its message
// (isa::ExecError, runtime::Error, a resource or allocation refusal); anything else (a crash, a
// sanitizer report, another exception escaping, a hang past libFuzzer's timeout) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "isa/exec_context.h"
#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"
#include "runtime/launch_checks.h"
#include "sim/gpu_config.h"

namespace {

using namespace gpusim;

constexpr uint64_t kBufferBytes = 64 * 1024;
constexpr uint64_t kMaxModuleGlobalBytes = 16 << 20;  // bigger module variables: not this target's subject

// The parameter buffer: 8-byte parameters hold the buffer's address (a pointer argument), the
// others small values (counts and sizes), so a kernel gets past its first loads.
std::vector<uint8_t> fill_params(const isa::Module& module, const isa::Function& kernel, uint64_t buffer) {
  std::vector<uint8_t> params(kernel.param_bytes, 0);
  for (uint32_t id : kernel.params) {
    const isa::Symbol& p = module.symbols.at(id);
    if (p.offset >= params.size()) continue;
    const uint64_t room = params.size() - p.offset;
    if (p.size == 8 && room >= 8) std::memcpy(&params[p.offset], &buffer, 8);
    else if (p.size == 4 && room >= 4) params[p.offset] = 37;
  }
  return params;
}

void run_kernel(const isa::Module& module, const isa::Function& kernel, runtime::DeviceMemory& memory,
                uint64_t globals, const std::vector<uint8_t>& const_bank, uint64_t buffer) {
  runtime::LaunchConfig cfg;
  cfg.grid = isa::Dim3{2, 1, 1};
  const uint32_t threads = kernel.max_threads_per_block && kernel.max_threads_per_block < 64
                               ? kernel.max_threads_per_block : 64;
  cfg.block = isa::Dim3{threads, 1, 1};
  runtime::check_launch(sim::default_gpu_config(), kernel, cfg);
  isa::LaunchState ls;
  ls.module = &module;
  ls.kernel = &kernel;
  ls.grid = cfg.grid;
  ls.block = cfg.block;
  ls.dynamic_shared_base = (kernel.static_shared_bytes + 15) / 16 * 16;
  ls.params = fill_params(module, kernel, buffer);
  ls.global = &memory;
  ls.module_global_base = globals;
  ls.const_bank = &const_bank;
  ls.cluster = isa::Dim3{1, 1, 1};
  isa::FunctionalLimits limits;
  limits.max_warp_instructions = 20000;
  // The endless-loop watch (isa/repeat_watch.h) looks on from early on, so that its state images
  // and write log meet the fuzzed programs too.
  limits.repeat_check_after = 2000;
  isa::run_grid_functional(ls, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  isa::Module module;
  try {
    module = isa::parse_ptx(text, "fuzz.ptx");
  } catch (const isa::ParseError&) {
    return 0;
  }
  if (module.global_bytes > kMaxModuleGlobalBytes) return 0;
  runtime::DeviceMemory memory;
  memory.set_capacity(64 << 20);
  const uint64_t globals = module.global_bytes ? memory.allocate(module.global_bytes) : 0;
  std::vector<uint8_t> const_bank(module.const_bytes, 0);
  for (const isa::Symbol& s : module.symbols) {
    if (s.owner != -1 || s.init.empty()) continue;
    if (s.space == isa::StateSpace::Global) memory.copy_in(globals + s.offset, s.init.data(), s.init.size());
    if (s.space == isa::StateSpace::Const) std::memcpy(const_bank.data() + s.offset, s.init.data(), s.init.size());
  }
  const uint64_t buffer = memory.allocate(kBufferBytes);
  memory.fill(buffer, 0, kBufferBytes);
  int kernels = 0;
  for (const isa::Function& f : module.functions) {
    if (!f.is_entry || !f.has_body || kernels++ == 2) continue;
    try {
      run_kernel(module, f, memory, globals, const_bank, buffer);
    } catch (const isa::ExecError&) {
    } catch (const runtime::Error&) {
    }
  }
  return 0;
}
