// The set-up the sm_90 instruction tests (bulk copies, clusters, tensor copies, wgmma, small
// sm_90 instructions) share: a simulated device, a zeroed output buffer of 32-bit words, and a
// launch that hands back either the output words or the launch's fault message, so that each
// test only writes its PTX body and its expected values.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim::test {

// The first lines of every sm_90a test kernel.
inline const char* const kSm90PtxHeader = ".version 8.0\n.target sm_90a\n.address_size 64\n";

// Kernel k(.u64 p_src, .u64 p_out), the bulk-copy and cluster tests' shape: %tid, %src and %out
// loaded; a 128-byte-aligned `buf` of `buf_bytes` and an mbarrier `bar` in shared memory, their
// addresses in %sb and %sbar; registers %r<8>, %a<4> (.u64), %st (.u64), %p, %q, plus the .u32
// registers `extra_u32` names; `prologue` runs before `body`.
inline std::string src_out_kernel(unsigned buf_bytes, const std::string& extra_u32, const std::string& prologue,
                                  const std::string& body) {
  return std::string(kSm90PtxHeader) + ".visible .entry k(.param .u64 p_src, .param .u64 p_out)\n{\n" +
         "  .reg .u32 %tid, %r<8>, %sb, %sbar" + (extra_u32.empty() ? "" : ", " + extra_u32) + ";\n" +
         "  .reg .u64 %src, %out, %a<4>, %st;\n  .reg .pred %p, %q;\n" +
         "  .shared .align 128 .b8 buf[" + std::to_string(buf_bytes) + "];\n  .shared .align 8 .b64 bar;\n" +
         "  mov.u32 %tid, %tid.x;\n  ld.param.u64 %src, [p_src];\n  ld.param.u64 %out, [p_out];\n"
         "  mov.u32 %sb, buf;\n  mov.u32 %sbar, bar;\n" +
         prologue + body + "  ret;\n}\n";
}

struct KernelRun {
  std::vector<uint32_t> out;  // the output buffer after the launch; empty when it faulted
  std::string error;          // the launch's fault message, empty when it ran
};

inline runtime::LaunchConfig launch_config(unsigned threads, runtime::Dim3 grid = {1, 1, 1},
                                           uint32_t dynamic_shared_bytes = 0) {
  runtime::LaunchConfig cfg;
  cfg.grid = grid;
  cfg.block = {threads, 1, 1};
  cfg.dynamic_shared_bytes = dynamic_shared_bytes;
  return cfg;
}

// One simulated device and a zeroed output buffer of `out_words` 32-bit words.
class Sm90Kernel {
 public:
  explicit Sm90Kernel(size_t out_words) : dev_(runtime::make_sim_device()), out_words_(out_words) {
    out_ = dev_->alloc(std::max<size_t>(4, out_words * 4));
    dev_->memset(out_, 0, std::max<size_t>(4, out_words * 4));
  }

  runtime::Device& device() { return *dev_; }
  runtime::DevPtr out() const { return out_; }

  // A device copy of `data` (at least one word, so that an empty input still has an address).
  template <typename T>
  runtime::DevPtr upload(const std::vector<T>& data) {
    const size_t bytes = data.size() * sizeof(T);
    const runtime::DevPtr p = dev_->alloc(std::max<size_t>(4, bytes));
    if (bytes) dev_->copy_to_device(p, data.data(), bytes);
    return p;
  }

  // Loads `ptx` (named `source_name` in messages; a parse error throws, failing the test) and
  // runs kernel `entry`; a launch fault is caught and returned as the run's error.
  KernelRun run(const std::string& source_name, const std::string& ptx, const runtime::LaunchConfig& cfg,
                const runtime::KernelArgs& args, const std::string& entry = "k") {
    const auto mod = dev_->load_ptx(source_name, ptx);
    KernelRun r;
    try {
      dev_->launch(mod, entry, cfg, args);
    } catch (const std::exception& e) {
      r.error = e.what();
      return r;
    }
    r.out = dev_->download<uint32_t>(out_, out_words_);
    return r;
  }

 private:
  std::unique_ptr<runtime::Device> dev_;
  size_t out_words_;
  runtime::DevPtr out_;
};

}  // namespace gpusim::test
