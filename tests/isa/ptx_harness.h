// Runs a tiny hand-written PTX kernel on the simulated device to test one instruction across many
// threads: thread i loads its inputs from a global array (one 64-bit slot per input, little
// endian, so narrower types read the low bytes), executes the instruction(s) under test and
// stores each output into a zero-initialised 64-bit slot.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim::test {

struct PtxReg {
  std::string name;  // "%a"
  std::string type;  // "f32", "u32", "b16", "pred", ... (f16/bf16 live in .b16, x2 in .b32)
};

// Register declaration type and ld/st type for a value type.
inline std::string storage_type(const std::string& t) {
  if (t == "f16" || t == "bf16") return "b16";
  if (t == "f16x2" || t == "bf16x2") return "b32";
  return t;
}

// Builds the kernel text for `body` with the given input and output registers.
inline std::string build_kernel(const std::vector<PtxReg>& in, const std::vector<PtxReg>& out,
                                const std::string& body) {
  std::string k =
      ".version 9.0\n.target sm_90\n.address_size 64\n"
      ".visible .entry harness(.param .u64 p_in, .param .u64 p_out)\n{\n"
      "  .reg .u32 %h_tid, %h_tmp;\n  .reg .u64 %h_in, %h_out, %h_off;\n  .reg .pred %h_p;\n";
  for (const auto* regs : {&in, &out})
    for (const auto& r : *regs) k += "  .reg ." + storage_type(r.type) + " " + r.name + ";\n";
  k += "  ld.param.u64 %h_in, [p_in];\n  ld.param.u64 %h_out, [p_out];\n"
       "  cvta.to.global.u64 %h_in, %h_in;\n  cvta.to.global.u64 %h_out, %h_out;\n"
       "  mov.u32 %h_tid, %tid.x;\n  mov.u32 %h_tmp, %ctaid.x;\n  mad.lo.u32 %h_tid, %h_tmp, 128, %h_tid;\n";
  k += "  mul.wide.u32 %h_off, %h_tid, " + std::to_string(8 * in.size()) + ";\n  add.u64 %h_in, %h_in, %h_off;\n";
  k += "  mul.wide.u32 %h_off, %h_tid, " + std::to_string(8 * out.size()) + ";\n  add.u64 %h_out, %h_out, %h_off;\n";
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string addr = "[%h_in+" + std::to_string(8 * i) + "]";
    if (in[i].type == "pred") {
      k += "  ld.global.u32 %h_tmp, " + addr + ";\n  setp.ne.u32 " + in[i].name + ", %h_tmp, 0;\n";
    } else {
      k += "  ld.global." + storage_type(in[i].type) + " " + in[i].name + ", " + addr + ";\n";
    }
  }
  k += "  " + body + "\n";
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string addr = "[%h_out+" + std::to_string(8 * i) + "]";
    if (out[i].type == "pred") {
      k += "  selp.u32 %h_tmp, 1, 0, " + out[i].name + ";\n  st.global.u32 " + addr + ", %h_tmp;\n";
    } else {
      k += "  st.global." + storage_type(out[i].type) + " " + addr + ", " + out[i].name + ";\n";
    }
  }
  k += "  ret;\n}\n";
  return k;
}

// Runs `body` once per row of `inputs` (row = one thread's input values as raw bits) and returns
// one row of output bits per thread.
inline std::vector<std::vector<uint64_t>> run_ptx(const std::vector<PtxReg>& in, const std::vector<PtxReg>& out,
                                                  const std::string& body,
                                                  const std::vector<std::vector<uint64_t>>& inputs) {
  constexpr size_t kBlock = 128;
  const size_t n = inputs.size();
  const size_t padded = (n + kBlock - 1) / kBlock * kBlock;
  std::vector<uint64_t> host_in(padded * in.size(), 0);
  for (size_t t = 0; t < n; ++t)
    for (size_t i = 0; i < in.size(); ++i) host_in[t * in.size() + i] = inputs[t].at(i);
  auto dev = runtime::make_sim_device();
  const auto mod = dev->load_ptx("ptx_harness(" + body + ")", build_kernel(in, out, body));
  const runtime::DevPtr d_in = dev->alloc(std::max<size_t>(8, host_in.size() * 8));
  if (!host_in.empty()) dev->copy_to_device(d_in, host_in.data(), host_in.size() * 8);
  const runtime::DevPtr d_out = dev->alloc(padded * out.size() * 8);
  dev->memset(d_out, 0, padded * out.size() * 8);
  runtime::LaunchConfig cfg;
  cfg.grid = {uint32_t(padded / kBlock), 1, 1};
  cfg.block = {uint32_t(kBlock), 1, 1};
  dev->launch(mod, "harness", cfg, runtime::args(d_in, d_out));
  std::vector<uint64_t> host_out = dev->download<uint64_t>(d_out, padded * out.size());
  std::vector<std::vector<uint64_t>> rows(n, std::vector<uint64_t>(out.size()));
  for (size_t t = 0; t < n; ++t)
    for (size_t j = 0; j < out.size(); ++j) rows[t][j] = host_out[t * out.size() + j];
  return rows;
}

// Convenience for the common shape: `d = op(a, b, ...)` with one output; `trailing_operands`
// appends immediates (", 0x96").
inline std::vector<uint64_t> run_op(const std::string& instr, const std::string& dtype,
                                    const std::vector<std::string>& src_types,
                                    const std::vector<std::vector<uint64_t>>& inputs,
                                    const std::string& trailing_operands = "") {
  std::vector<PtxReg> in;
  std::string operands;
  for (size_t i = 0; i < src_types.size(); ++i) {
    in.push_back({"%s" + std::to_string(i), src_types[i]});
    operands += ", %s" + std::to_string(i);
  }
  const auto rows = run_ptx(in, {{"%d", dtype}}, instr + " %d" + operands + trailing_operands + ";", inputs);
  std::vector<uint64_t> d;
  for (const auto& r : rows) d.push_back(r[0]);
  return d;
}

}  // namespace gpusim::test
