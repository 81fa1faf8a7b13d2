#include "isa/warp.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "isa/repeat_watch.h"

namespace gpusim::isa {

namespace {
constexpr uint64_t kFrameAlign = 16;
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

Warp::Warp(const Module& module, const Function& kernel, unsigned warp_id, uint32_t lanes_mask)
    : module_(module), id_(warp_id), present_(lanes_mask) {
  push_frame(kernel, lanes_mask, nullptr);
}

void Warp::append_state(std::vector<uint8_t>& out) const {
  append_state_bytes(out, exited_);
  append_state_bytes(out, carry);
  append_state_bytes(out, spin.iterations);
  append_state_bytes(out, uint8_t(spin.polled | spin.wrote << 1 | at_barrier << 2));
  append_state_bytes(out, barrier_id);
  append_state_bytes(out, cp_async_groups);
  append_state_bytes(out, cluster_barrier_target);
  append_state_bytes(out, uint64_t(frames_.size()));
  for (const CallFrame& f : frames_) {
    append_state_bytes(out, f.fn);
    append_state_bytes(out, f.local_base);
    append_state_bytes(out, f.param_base);
    append_state_bytes(out, f.returned);
    append_state_bytes(out, f.call_site);
    append_state_bytes(out, uint64_t(f.stack.size()));
    for (const SimtEntry& e : f.stack) {
      append_state_bytes(out, e.pc);
      append_state_bytes(out, e.rpc);
      append_state_bytes(out, e.mask);
      append_state_bytes(out, e.parked_pc);
      append_state_bytes(out, e.parked_mask);
      append_state_bytes(out, e.split_from);
    }
    append_state_bytes(out, uint64_t(f.stack_top.size()));
    for (uint64_t t : f.stack_top) append_state_bytes(out, t);
    append_state_bytes(out, uint64_t(f.regs.bytes()));
    out.insert(out.end(), f.regs.data(), f.regs.data() + f.regs.bytes());
  }
  for (unsigned l = 0; l < 32; ++l) {
    append_state_bytes(out, uint64_t(local_[l].size()));
    out.insert(out.end(), local_[l].begin(), local_[l].end());
    append_state_bytes(out, uint64_t(params_[l].size()));
    out.insert(out.end(), params_[l].begin(), params_[l].end());
  }
}

void Warp::restart(const Function& kernel) {
  exited_ = 0;
  carry = 0;
  spin = SpinWatch{};
  at_barrier = false;
  barrier_id = 0;
  cp_async_groups = 0;
  cluster_barrier_target = 0;
  wgmma_issued = 0;
  // A CTA stopped by a fault leaves frames behind; a finished one none.
  while (!frames_.empty()) spare_ = std::move(frames_.back()), frames_.pop_back();
  // push_frame zero-fills what it grows, as for a new warp; clear() keeps the buffers.
  for (unsigned lane = 0; lane < 32; ++lane) local_[lane].clear(), params_[lane].clear();
  push_frame(kernel, present_, nullptr);
}

uint64_t Warp::local_end() const {
  const CallFrame& f = frames_.back();
  uint64_t end = f.local_base + f.fn->local_bytes;
  for (uint64_t top : f.stack_top) end = std::max(end, top);  // its alloca'd memory
  return end;
}

void Warp::push_frame(const Function& fn, uint32_t mask, const Instruction* site) {
  CallFrame f;
  f.fn = &fn;
  if (spare_.regs.data() && spare_.regs.bytes() == fn.register_bytes) {
    f.regs = std::move(spare_.regs);
    f.regs.zero();
    f.stack = std::move(spare_.stack);
    f.stack.clear();
  } else {
    f.regs = RegisterFile(fn.register_bytes);
  }
  f.stack.push_back(SimtEntry{0, static_cast<uint32_t>(fn.code.size()), mask});
  f.call_site = site;
  if (!frames_.empty()) {
    const CallFrame& caller = frames_.back();
    f.local_base = align_up(local_end(), kFrameAlign);
    f.param_base = align_up(caller.param_base + caller.fn->frame_param_bytes, kFrameAlign);
    f.saved_register_bytes = caller.saved_register_bytes + call_frame_saved_register_bytes(fn);
  }
  // Grow every present lane's local and param memory to cover the new frame. Memory is
  // zero-filled on first growth; frames reuse it afterwards, like a real stack.
  const uint64_t local_end = f.local_base + fn.local_bytes;
  const uint64_t param_end = f.param_base + fn.frame_param_bytes;
  if (local_end > kMaxThreadStackBytes || param_end > kMaxThreadStackBytes)  // a call: exec_Call names the warp
    throw std::runtime_error("calling '" + fn.name + "' would grow each thread's stack to " +
                             std::to_string(std::max(local_end, param_end)) + " bytes, past the " +
                             std::to_string(kMaxThreadStackBytes) + " gpusim allows (unbounded recursion?)");
  for (unsigned lane = 0; lane < 32; ++lane) {
    if (!(present_ >> lane & 1)) continue;
    if (local_[lane].size() < local_end) local_[lane].resize(local_end, 0);
    if (params_[lane].size() < param_end) params_[lane].resize(param_end, 0);
  }
  frames_.push_back(std::move(f));
}

uint64_t Warp::stack_pointer(unsigned lane) const {
  const CallFrame& f = frames_.back();
  return f.stack_top.empty() ? f.local_base + f.fn->local_bytes : f.stack_top[lane];
}

void Warp::set_stack_pointer(unsigned lane, uint64_t sp) {
  CallFrame& f = frames_.back();
  if (f.stack_top.empty()) f.stack_top.assign(32, f.local_base + f.fn->local_bytes);
  f.stack_top[lane] = sp;
  if (local_[lane].size() < sp) local_[lane].resize(sp, 0);
}

void Warp::branch(uint32_t taken, uint32_t target, uint32_t reconverge_pc) {
  SimtEntry& tos = top();
  const uint32_t active = tos.mask;
  taken &= active;
  if (taken == active) {
    tos.pc = target;
    return;
  }
  if (taken == 0) {
    tos.pc += 1;
    return;
  }
  // Divergence: the current entry waits at the reconvergence point with all lanes; the
  // fall-through path runs after the taken path.
  const uint32_t fallthrough = tos.pc + 1;
  tos.pc = reconverge_pc;
  CallFrame& f = frame();
  f.stack.push_back(SimtEntry{fallthrough, reconverge_pc, active & ~taken});
  f.stack.push_back(SimtEntry{target, reconverge_pc, taken});
}

void Warp::call(const Function& callee, const Instruction& site) {
  // Checked before the callee's frame exists, so the fault names the caller and its PC.
  const Operand& argv = site.ops[2];
  if (argv.count != callee.params.size())
    throw std::runtime_error("call to '" + callee.name + "' passes " + std::to_string(argv.count) +
                             " arguments, the function declares " + std::to_string(callee.params.size()));
  const uint32_t mask = top().mask;
  top().pc += 1;  // the caller resumes after the call
  const CallFrame& caller = frame();
  const uint64_t caller_param_base = caller.param_base;
  push_frame(callee, mask, &site);
  CallFrame& f = frame();
  // Copy-in: argument .param variables of the caller to the callee's parameters.
  for (unsigned i = 0; i < argv.count; ++i) {
    const Symbol& from = module_.symbols[site.elems[argv.first + i].sym];
    const Symbol& to = module_.symbols[callee.params[i]];
    const uint64_t n = std::min(from.size, to.size);
    for (unsigned lane = 0; lane < 32; ++lane) {
      if (!(mask >> lane & 1)) continue;
      std::memcpy(params_[lane].data() + f.param_base + to.offset,
                  params_[lane].data() + caller_param_base + from.offset, n);
    }
  }
}

void Warp::prune(uint32_t gone) {
  for (CallFrame& f : frames_)
    for (SimtEntry& e : f.stack) {
      e.mask &= ~gone;
      e.parked_mask &= ~gone;
    }
}

void Warp::ret(uint32_t lanes) {
  if (frames_.size() == 1) {  // returning from the kernel ends the thread
    exit(lanes);
    return;
  }
  CallFrame& f = frame();
  f.returned |= lanes;
  for (SimtEntry& e : f.stack) {
    e.mask &= ~lanes;
    e.parked_mask &= ~lanes;
  }
}

void Warp::exit(uint32_t lanes) {
  exited_ |= lanes;
  prune(lanes);
}

void Warp::settle() {
  while (!frames_.empty()) {
    auto& st = frames_.back().stack;
    while (!st.empty() && (st.back().mask == 0 || st.back().pc == st.back().rpc)) {
      SimtEntry& e = st.back();
      if (e.parked_mask) {
        // The entry's own lanes left its region without passing the instruction its split-off
        // lanes wait at (isa/spin_yield.h): those lanes go on from there by themselves.
        e.pc = e.parked_pc;
        e.mask = e.parked_mask;
        e.parked_mask = 0;
        continue;
      }
      st.pop_back();
    }
    if (!st.empty()) return;
    CallFrame done = std::move(frames_.back());
    frames_.pop_back();
    if (!frames_.empty() && done.call_site) {
      // Copy-out: the callee's return parameters to the caller's receiving .param variables.
      const Operand& retv = done.call_site->ops[0];
      const uint32_t lanes = done.returned & ~exited_;
      for (unsigned i = 0; i < retv.count && i < done.fn->returns.size(); ++i) {
        const Symbol& from = module_.symbols[done.fn->returns[i]];
        const Symbol& to = module_.symbols[done.call_site->elems[retv.first + i].sym];
        const uint64_t n = std::min(from.size, to.size);
        for (unsigned lane = 0; lane < 32; ++lane) {
          if (!(lanes >> lane & 1)) continue;
          std::memcpy(params_[lane].data() + frames_.back().param_base + to.offset,
                      params_[lane].data() + done.param_base + from.offset, n);
        }
      }
    }
    spare_ = std::move(done);
  }
}

}  // namespace gpusim::isa
