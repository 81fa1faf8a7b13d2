#include "tools/stepper/views.h"

#include <cstring>
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "isa/source_position.h"
#include "sim/scoreboard.h"

namespace gpusim::stepper {

namespace {

std::string hex32(uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << std::setw(8) << std::setfill('0') << v;
  return s.str();
}

std::string trimmed(const std::string& text) {
  const size_t b = text.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
}

std::string warp_label(int sm_warp) { return "w" + std::to_string(sm_warp); }

const sim::WarpSnapshot* find_warp(const sim::SmSnapshot& snap, int sm_warp) {
  for (const auto& w : snap.warps)
    if (w.sm_warp == sm_warp) return &w;
  return nullptr;
}

std::string register_name(const isa::Warp& warp, uint32_t reg) {
  const isa::Function& fn = *warp.frame().fn;
  return reg < fn.regs.size() ? fn.regs[reg].name : "r#" + std::to_string(reg);
}

// "(long_scoreboard, memory)" or "(wait, ready in 3)": why a reader waits and for how long.
std::string pending_text(const sim::PendingRegister& p, uint64_t cycle) {
  std::string text = std::string("(") + sim::stall_reason_name(p.why);
  if (p.ready_cycle == sim::kNeverCycle) return text + ", memory)";
  return text + ", ready in " + std::to_string(p.ready_cycle - cycle) + ")";
}

// The scheduler order of a sub-core's warps, each with its state in the cycle shown.
std::string order_text(const sim::SmSnapshot& order_from, const sim::SmSnapshot& now, int subcore) {
  std::string text;
  for (int slot : order_from.subcores[static_cast<size_t>(subcore)].priority) {
    const int id = slot * static_cast<int>(now.subcores.size()) + subcore;
    const sim::WarpSnapshot* w = find_warp(now, id);
    text += (text.empty() ? "" : " ") + warp_label(id) + "=" + (w ? warp_state_name(*w) : std::string("exited"));
  }
  return text.empty() ? "-" : text;
}

void print_warp_line(std::ostream& os, const sim::WarpSnapshot& w, uint64_t cycle) {
  const isa::Dim3& c = w.cta->ctaid;
  os << "  " << std::left << std::setw(4) << warp_label(w.sm_warp) << std::right << " cta (" << c.x << "," << c.y
     << "," << c.z << ") warp " << w.warp->id();
  if (w.warp->done()) {
    os << (w.reason == sim::StallReason::Selected ? "  issued its last instruction: exited" : "  exited");
    if (w.memory_ops_in_flight) os << ", " << w.memory_ops_in_flight << " memory ops in flight";
    os << "\n";
    return;
  }
  os << "  pc " << w.warp->top().pc << "  mask " << hex32(w.warp->top().mask) << "  " << warp_state_name(w) << "\n";
  if (!w.pending.empty()) {
    os << "      scoreboard:";
    for (const sim::PendingRegister& p : w.pending) os << " " << register_name(*w.warp, p.reg) << " " << pending_text(p, cycle);
    os << "\n";
  }
  if (w.memory_ops_in_flight) os << "      memory ops in flight: " << w.memory_ops_in_flight << "\n";
}

}  // namespace

std::string warp_state_name(const sim::WarpSnapshot& w) {
  // A warp whose issued instruction this cycle was its last (a branch to the kernel's end) is
  // both: the order shows the issuing warp, as STEPPER.md describes, and that it is gone.
  if (w.finished) return w.reason == sim::StallReason::Selected ? "issued+exited" : "exited";
  switch (w.reason) {
    case sim::StallReason::Selected: return "issued";
    case sim::StallReason::NotSelected: return "ready";
    case sim::StallReason::Barrier: return "barrier";
    default: return std::string("stalled:") + sim::stall_reason_name(w.reason);
  }
}

bool warp_state_matches(const sim::WarpSnapshot& w, const std::string& name) {
  const std::string state = warp_state_name(w);
  if (state == name) return true;
  if (w.finished) return name == "exited" || (name == "issued" && w.reason == sim::StallReason::Selected);
  if (name == "stalled") return state.rfind("stalled", 0) == 0;
  return !w.finished && name == sim::stall_reason_name(w.reason);
}

std::vector<int> warps_gone(const sim::SmSnapshot& before, const sim::SmSnapshot& now) {
  std::vector<int> gone;
  for (const sim::WarpSnapshot& w : before.warps)
    if (!find_warp(now, w.sm_warp)) gone.push_back(w.sm_warp);
  return gone;
}

bool is_warp_state_name(const std::string& name) {
  for (const char* s : {"issued", "ready", "barrier", "exited", "stalled"})
    if (name == s) return true;
  for (size_t r = 0; r < static_cast<size_t>(sim::StallReason::Count); ++r)
    if (name == sim::stall_reason_name(static_cast<sim::StallReason>(r))) return true;
  return false;
}

std::string warp_state_names() {
  std::string names = "issued, ready, barrier, exited, stalled";
  for (size_t r = 0; r < static_cast<size_t>(sim::StallReason::Count); ++r) {
    const std::string n = sim::stall_reason_name(static_cast<sim::StallReason>(r));
    if (n != "selected" && n != "not_selected" && n != "barrier") names += ", " + n;
  }
  return names;
}

std::string describe_instruction(const isa::Instruction& in, const isa::Module& module) {
  std::string where = "ptx line " + std::to_string(in.line);
  if (const std::string source = isa::cuda_source_position(in, module); !source.empty()) where += ", " + source;
  return "`" + trimmed(in.text) + "` (" + where + ")";
}

void print_sm_view(std::ostream& os, const StepDriver& driver, int sm, const sim::SmSnapshot* before) {
  const uint64_t model_cycle = driver.model_cycle();
  const sim::SmSnapshot now = driver.model().sm(sm).snapshot(model_cycle);
  const uint64_t shown = model_cycle - driver.first_model_cycle();
  os << "cycle " << shown << "  SM " << sm << ": " << now.resident_ctas << " CTA" << (now.resident_ctas == 1 ? "" : "s")
     << " resident, MIO queue " << now.mio_queue << "/" << now.queue_capacity << ", LG queue " << now.lg_queue << "/"
     << now.queue_capacity << "\n";
  const std::vector<int> gone = before ? warps_gone(*before, now) : std::vector<int>{};
  const int subcores = static_cast<int>(now.subcores.size());
  for (const sim::SubcoreSnapshot& sc : now.subcores) {
    os << "sub-core " << sc.index << " [" << sim::scheduler_policy_name(sc.policy) << "]: ";
    bool has_warps = false, had_warps = false;
    for (const sim::WarpSnapshot& w : now.warps) has_warps = has_warps || w.subcore == sc.index;
    for (int id : gone) had_warps = had_warps || id % subcores == sc.index;
    if (!has_warps && !had_warps) {
      os << "no warps\n";
      continue;
    }
    const IssueRecord* r = driver.recorder().last(sm, sc.index);
    if (r && r->cycle == model_cycle) {
      os << "issued " << warp_label(r->warp) << " pc " << r->pc << " mask " << hex32(r->active_mask) << " "
         << describe_instruction(*r->inst, *driver.launch().module) << "\n";
    } else {
      os << "no issue\n";
    }
    if (before) os << "  order " << order_text(*before, now, sc.index) << "\n";
    else os << "  next order " << order_text(now, now, sc.index) << "\n";
    for (const sim::WarpSnapshot& w : now.warps)
      if (w.subcore == sc.index) print_warp_line(os, w, model_cycle);
    for (int id : gone)
      if (id % subcores == sc.index) os << "  " << warp_label(id) << " exited: its CTA retired in this cycle\n";
    std::string busy;
    for (size_t p = 0; p < sc.pipe_free_at.size(); ++p)
      if (sc.pipe_free_at[p] > model_cycle + 1)
        busy += " " + std::string(sim::pipe_name(static_cast<sim::Pipe>(p))) + " (" +
                std::to_string(sc.pipe_free_at[p] - model_cycle - 1) + " more)";
    if (!busy.empty()) os << "  busy:" << busy << "\n";
  }
}

void print_registers(std::ostream& os, const sim::WarpSnapshot& w, unsigned lane, uint64_t cycle) {
  if (w.warp->done()) throw std::invalid_argument("warp " + warp_label(w.sm_warp) + " has exited; its registers are gone");
  if (lane >= 32) throw std::invalid_argument("lane " + std::to_string(lane) + " is outside 0..31");
  const isa::CallFrame& f = w.warp->frame();
  const unsigned tid = w.warp->id() * 32 + lane;
  const isa::Dim3 t = w.cta->thread_coord(tid);
  os << warp_label(w.sm_warp) << " lane " << lane << " (thread (" << t.x << "," << t.y << "," << t.z << ")) in "
     << f.fn->name << (w.warp->live() >> lane & 1 ? "" : "  [lane not live]") << "\n";
  // The simulator is execution-driven: an instruction's result is in the register file from the
  // cycle it issues, while the timing model holds readers back until the scoreboard releases it.
  // Showing such a value unmarked would teach that a load's latency had already passed.
  std::vector<const sim::PendingRegister*> pending(f.fn->regs.size(), nullptr);
  for (const sim::PendingRegister& p : w.pending)
    if (p.reg < pending.size()) pending[p.reg] = &p;
  for (const sim::PendingRegister* p : pending)
    if (p) {
      os << "  pending: still on the scoreboard, not readable yet; the result was computed when its instruction"
            " issued: the value shown is the one that will arrive\n";
      break;
    }
  for (size_t r = 0; r < f.fn->regs.size(); ++r) {
    const isa::RegInfo& info = f.fn->regs[r];
    const uint64_t v = f.reg(uint32_t(r), lane);
    os << "  " << std::left << std::setw(8) << info.name << std::right << " " << std::setw(5)
       << isa::type_name(info.type) << "  0x" << std::hex << v << std::dec;
    if (info.type == isa::DataType::Pred) {
      os << "  " << (v & 1 ? "true" : "false");
    } else if (info.type == isa::DataType::F32) {
      float x;
      const uint32_t bits = static_cast<uint32_t>(v);
      std::memcpy(&x, &bits, sizeof x);
      os << "  " << x;
    } else if (info.type == isa::DataType::F64) {
      double x;
      std::memcpy(&x, &v, sizeof x);
      os << "  " << x;
    } else if (isa::type_is_signed(info.type)) {
      const unsigned bits = isa::type_bits(info.type);
      os << "  " << (bits >= 64 ? static_cast<int64_t>(v) : static_cast<int64_t>(v << (64 - bits)) >> (64 - bits));
    } else {
      os << "  " << v;
    }
    if (pending[r]) os << "  pending " << pending_text(*pending[r], cycle);
    os << "\n";
  }
}

namespace {
std::string sector_bits(uint32_t mask, int sectors) {
  std::string bits;
  for (int s = 0; s < sectors; ++s) bits += (mask >> s & 1) ? '1' : '0';
  return bits;
}

void print_line_state(std::ostream& os, const sim::CacheLineState& st, int sectors) {
  if (!st.present) os << "not present";
  else os << "sectors valid " << sector_bits(st.valid_mask, sectors) << " dirty " << sector_bits(st.dirty_mask, sectors);
  if (st.in_flight) os << ", fill in flight";
  os << "\n";
}
}  // namespace

void print_cache_lines(std::ostream& os, const StepDriver& driver, int sm, uint64_t address) {
  const sim::GpuConfig& c = driver.model().config();
  os << "address 0x" << std::hex << address << std::dec << " (sector bits list sector 0 first)\n";
  const std::optional<sim::CacheLineState> l1 = driver.model().sm(sm).l1_line(address);
  os << "  L1 of SM " << sm << ": ";
  if (!l1) os << "no L1 data cache\n";
  else {
    os << "line 0x" << std::hex << l1->line_address << std::dec << " ";
    print_line_state(os, *l1, c.l1_line_bytes / c.l1_sector_bytes);
  }
  int slice = 0;
  const sim::CacheLineState l2 = driver.model().l2_line(address, &slice);
  os << "  L2 slice " << slice << ": line 0x" << std::hex << l2.line_address << std::dec << " ";
  print_line_state(os, l2, c.l2_line_bytes / c.l2_sector_bytes);
}

void print_simt_stack(std::ostream& os, const sim::WarpSnapshot& w) {
  if (w.warp->done()) {
    os << warp_label(w.sm_warp) << " has exited (empty stack)\n";
    return;
  }
  const auto& frames = w.warp->frames();
  for (size_t i = 0; i < frames.size(); ++i) {
    const isa::CallFrame& f = frames[i];
    os << "frame " << i << " " << f.fn->name << " (" << f.stack.size() << " entr" << (f.stack.size() == 1 ? "y" : "ies")
       << ", top last)\n";
    for (const isa::SimtEntry& e : f.stack) {
      os << "  pc " << std::setw(4) << e.pc << "  rpc ";
      if (e.rpc >= f.fn->code.size()) os << "exit";
      else os << std::setw(4) << e.rpc;
      os << "  mask " << hex32(e.mask);
      // Independent thread scheduling (isa/spin_yield.h): a path split off a spinning warp, and
      // lanes of such a path waiting for this entry's lanes at an instruction needing them all.
      if (e.split_from >= 0) os << "  split from entry " << e.split_from;
      if (e.parked_mask) os << "  parked " << hex32(e.parked_mask) << " at pc " << e.parked_pc;
      os << "\n";
    }
  }
}

void print_shared(std::ostream& os, const sim::WarpSnapshot& w, uint64_t address, uint64_t bytes) {
  const std::vector<uint8_t>& shared = w.cta->shared;
  if (address > shared.size() || bytes > shared.size() - address)
    throw std::invalid_argument(std::to_string(bytes) + " bytes at " + std::to_string(address) + " reach outside the CTA's " +
                                std::to_string(shared.size()) + " bytes of shared memory");  // (no end that wraps)
  for (uint64_t line = address; line < address + bytes; line += 16) {
    os << "  0x" << std::hex << std::setw(5) << std::setfill('0') << line << ":";
    for (uint64_t a = line; a < std::min(line + 16, address + bytes); ++a)
      os << " " << std::setw(2) << static_cast<unsigned>(shared[a]);
    os << std::dec << std::setfill(' ') << "\n";
  }
}

}  // namespace gpusim::stepper
