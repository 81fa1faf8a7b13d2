#include "sim/trace_writer.h"
#include "sim/output_file.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace gpusim::sim {

namespace {

// Thread ids inside an SM's process: sub-cores from 0, CTA lanes and warp slots above them.
constexpr int kCtaLaneTid = 100;
constexpr int kWarpTid = 1000;

uint64_t parse_number(const std::string& text, const std::string& what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
    throw std::invalid_argument(what + ": '" + text + "' is not a whole number");
  return std::stoull(text);
}

std::string json_string(const std::string& s) { return nlohmann::json(s).dump(); }

const char* kind_name(MemPacket::Kind k) {
  switch (k) {
    case MemPacket::Kind::Read: return "read";
    case MemPacket::Kind::Write: return "write";
    case MemPacket::Kind::Atomic: return "atomic";
  }
  return "?";
}

}  // namespace

std::vector<int> parse_sm_list(const std::string& text, int num_sms) {
  if (text == "all") return {};
  std::vector<int> sms;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const size_t dash = item.find('-');
    const std::string what = "--trace-sms '" + text + "'";
    const uint64_t lo = parse_number(item.substr(0, dash), what);
    const uint64_t hi = dash == std::string::npos ? lo : parse_number(item.substr(dash + 1), what);
    if (hi < lo) throw std::invalid_argument(what + ": SM range '" + item + "' runs backwards (write LOW-HIGH)");
    if (hi >= uint64_t(num_sms))
      throw std::invalid_argument(what + ": SM range '" + item + "' is outside 0.." + std::to_string(num_sms - 1));
    for (uint64_t s = lo; s <= hi; ++s) sms.push_back(static_cast<int>(s));
    start = end + 1;
  }
  std::sort(sms.begin(), sms.end());
  sms.erase(std::unique(sms.begin(), sms.end()), sms.end());
  return sms;
}

void parse_cycle_window(const std::string& text, TraceOptions* options) {
  const size_t colon = text.find(':');
  const std::string what = "--trace-cycles '" + text + "' (expected FROM:TO)";
  if (colon == std::string::npos) throw std::invalid_argument(what);
  const std::string from = text.substr(0, colon), to = text.substr(colon + 1);
  options->from_cycle = from.empty() ? 0 : parse_number(from, what);
  options->to_cycle = to.empty() ? UINT64_MAX : parse_number(to, what);
  if (options->to_cycle <= options->from_cycle) throw std::invalid_argument(what + ": the window is empty");
}

TraceWriter::TraceWriter(const std::string& path, const GpuConfig& config, TraceOptions options)
    : out_(path), path_(path), config_(config), options_(std::move(options)) {
  if (!out_) throw std::runtime_error(cannot_write(path));
  sms_.resize(static_cast<size_t>(config_.num_sms));
  for (size_t s = 0; s < sms_.size(); ++s) {
    const bool traced = options_.sms.empty() ||
                        std::find(options_.sms.begin(), options_.sms.end(), static_cast<int>(s)) != options_.sms.end();
    sms_[s].traced = traced;
    if (!traced) continue;
    sms_[s].warps.resize(static_cast<size_t>(config_.max_warps_per_sm()));
    sms_[s].warp_named.assign(sms_[s].warps.size(), false);
  }
  out_ << "{\"otherData\": {\"time_unit\": \"core cycles (1 ts unit = 1 cycle)\", "
       << "\"config\": " << json_string(config_.name) << ", \"core_clock_mhz\": " << config_.core_clock_mhz << "},\n"
       << "\"traceEvents\": [\n"
       << R"({"ph":"M","pid":0,"tid":0,"name":"process_name","args":{"name":"GPU"}})" << ",\n"
       << R"({"ph":"M","pid":0,"tid":0,"name":"thread_name","args":{"name":"kernels"}})" << ",\n"
       << R"({"ph":"M","pid":0,"tid":1,"name":"thread_name","args":{"name":"copies and memsets"}})";
}

TraceWriter::~TraceWriter() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; finish() is called explicitly where errors matter
  }
}

void TraceWriter::event(const std::string& json) {
  if (finished_) return;
  out_ << ",\n" << json;
  ++events_;
}

TraceWriter::SmTracks* TraceWriter::tracks(int sm) {
  if (sm < 0 || static_cast<size_t>(sm) >= sms_.size() || !sms_[sm].traced) return nullptr;
  SmTracks& t = sms_[sm];
  if (!t.named) name_sm(sm, t);
  return &t;
}

void TraceWriter::name_sm(int sm, SmTracks& t) {
  t.named = true;
  const int pid = sm + 1;
  char buf[160];
  std::snprintf(buf, sizeof buf, R"({"ph":"M","pid":%d,"tid":0,"name":"process_name","args":{"name":"SM %d"}})", pid, sm);
  out_ << ",\n" << buf;
  std::snprintf(buf, sizeof buf, R"({"ph":"M","pid":%d,"tid":0,"name":"process_sort_index","args":{"sort_index":%d}})",
                pid, pid);
  out_ << ",\n" << buf;
  for (int k = 0; k < config_.subcores_per_sm; ++k) {
    std::snprintf(buf, sizeof buf, R"({"ph":"M","pid":%d,"tid":%d,"name":"thread_name","args":{"name":"sub-core %d issue"}})",
                  pid, k, k);
    out_ << ",\n" << buf;
  }
}

const std::string& TraceWriter::opcode_name(const isa::Instruction& inst) {
  auto it = names_.find(&inst);
  if (it != names_.end()) return it->second;
  // The mnemonic with its modifiers as written ("ld.global.f32"), after any guard.
  std::string text = inst.text;
  size_t b = text.find_first_not_of(" \t");
  if (b != std::string::npos && text[b] == '@') b = text.find_first_not_of(" \t", text.find_first_of(" \t", b));
  std::string name = b == std::string::npos ? "" : text.substr(b, text.find_first_of(" \t;", b) - b);
  if (name.empty()) name = isa::opcode_name(inst.op);
  return names_.emplace(&inst, json_string(name)).first->second;
}

int TraceWriter::stream_track(const std::string& stream) {
  if (stream.empty()) return 0;
  auto it = stream_tracks_.find(stream);
  if (it != stream_tracks_.end()) return it->second;
  const int tid = 2 + static_cast<int>(stream_tracks_.size());  // 0: kernels of no stream, 1: copies
  stream_tracks_.emplace(stream, tid);
  out_ << ",\n"
       << R"({"ph":"M","pid":0,"tid":)" << tid << R"(,"name":"thread_name","args":{"name":)" << json_string(stream) << "}}";
  return tid;
}

void TraceWriter::begin_kernel(const std::string& name, uint64_t cycle, const std::string& stream) {
  kernel_ = name;
  kernel_stream_ = stream;
  kernel_start_ = cycle;
  in_kernel_ = true;
}

void TraceWriter::end_kernel(uint64_t cycle) {
  for (size_t s = 0; s < sms_.size(); ++s) {
    if (!sms_[s].traced) continue;
    for (size_t w = 0; w < sms_[s].warps.size(); ++w) close_stall(static_cast<int>(s), static_cast<int>(w), sms_[s].warps[w]);
  }
  if (!in_kernel_) return;
  in_kernel_ = false;
  if (kernels_ended_++ == 0) first_kernel_ts_ = ts(kernel_start_);
  last_kernel_end_ts_ = ts(cycle);
  const uint64_t from = std::max(ts(kernel_start_), options_.from_cycle), to = std::min(ts(cycle), options_.to_cycle);
  if (to < from) return;
  ++kernels_in_window_;
  const int tid = stream_track(kernel_stream_);
  char buf[96];
  std::snprintf(buf, sizeof buf, R"(,"ts":%llu,"dur":%llu,"args":{"cycles":%llu)", (unsigned long long)from,
                (unsigned long long)(to - from), (unsigned long long)(cycle - kernel_start_));
  const std::string stream_arg = kernel_stream_.empty() ? "" : ",\"stream\":" + json_string(kernel_stream_);
  event(std::string(R"({"ph":"X","cat":"kernel","pid":0,"tid":)") + std::to_string(tid) + ",\"name\":" + json_string(kernel_) +
        buf + stream_arg + "}}");
}

void TraceWriter::idle(uint64_t cycle, uint64_t cycles, const std::string& what) {
  const uint64_t from = std::max(ts(cycle), options_.from_cycle), to = std::min(ts(cycle) + cycles, options_.to_cycle);
  shift_ += cycles;
  if (cycles == 0 || to <= from) return;
  char buf[96];
  std::snprintf(buf, sizeof buf, R"(,"ts":%llu,"dur":%llu,"args":{"cycles":%llu}})", (unsigned long long)from,
                (unsigned long long)(to - from), (unsigned long long)cycles);
  event(std::string(R"({"ph":"X","cat":"host","pid":0,"tid":1,"name":)") + json_string(what) + buf);
}

std::string TraceWriter::missed_window_note() const {
  if (kernels_ended_ == 0 || kernels_in_window_ > 0) return "";
  const std::string to = options_.to_cycle == UINT64_MAX ? "" : std::to_string(options_.to_cycle);
  return "the --trace-cycles window " + std::to_string(options_.from_cycle) + ":" + to + " holds none of the " +
         std::to_string(kernels_ended_) + " traced launch(es), which ran between cycles " +
         std::to_string(first_kernel_ts_) + " and " + std::to_string(last_kernel_end_ts_) +
         " of the program's timeline (earlier launches, copies and memsets included): the trace has no kernel events";
}

void TraceWriter::finish() {
  if (finished_) return;
  end_kernel(now_);
  finished_ = true;
  out_ << "\n]}\n";
  close_or_throw(out_, path_);  // a full disk shows only now, when the buffer is written
}

void TraceWriter::on_issue(uint64_t cycle, int sm, int subcore, int warp, uint32_t pc, const isa::Instruction& inst,
                           uint32_t active_mask) {
  SmTracks* t = tracks(sm);
  if (!t) return;
  if (static_cast<size_t>(warp) < t->warps.size()) close_stall(sm, warp, t->warps[warp]);
  if (!in_window(cycle)) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, R"(,"cat":"issue","ph":"X","pid":%d,"tid":%d,"ts":%llu,"dur":1,"args":{"warp":%d,"pc":%u,"active":"0x%08x"}})",
                sm + 1, subcore, (unsigned long long)ts(cycle), warp, pc, active_mask);
  event("{\"name\":" + opcode_name(inst) + buf);
}

void TraceWriter::on_stall(uint64_t cycle, int sm, int, int warp, StallReason reason) {
  SmTracks* t = tracks(sm);
  if (!t || static_cast<size_t>(warp) >= t->warps.size() || !in_window(cycle)) return;
  StallRun& run = t->warps[warp];
  if (run.reason == reason && run.last + 1 == cycle) {
    run.last = cycle;
    return;
  }
  close_stall(sm, warp, run);
  run = {reason, cycle, cycle};
}

void TraceWriter::close_stall(int sm, int warp, StallRun& run) {
  if (run.reason == StallReason::Count) return;
  SmTracks& t = sms_[sm];
  char buf[200];
  if (!t.warp_named[warp]) {
    t.warp_named[warp] = true;
    std::snprintf(buf, sizeof buf, R"({"ph":"M","pid":%d,"tid":%d,"name":"thread_name","args":{"name":"warp %d, sub-core %d"}})",
                  sm + 1, kWarpTid + warp, warp, warp % config_.subcores_per_sm);
    out_ << ",\n" << buf;
  }
  std::snprintf(buf, sizeof buf, R"({"name":"%s","cat":"stall","ph":"X","pid":%d,"tid":%d,"ts":%llu,"dur":%llu})",
                stall_reason_name(run.reason), sm + 1, kWarpTid + warp, (unsigned long long)ts(run.start),
                (unsigned long long)(run.last - run.start + 1));
  event(buf);
  run.reason = StallReason::Count;
}

void TraceWriter::on_cta(uint64_t cycle, int sm, uint64_t cta, bool started) {
  SmTracks* t = tracks(sm);
  if (!t) return;
  // The dispatcher and the SM both report a start; the first one counts.
  if (started) {
    t->cta_start.emplace(cta, cycle);
    return;
  }
  auto it = t->cta_start.find(cta);
  if (it == t->cta_start.end()) return;
  const uint64_t start = it->second;
  t->cta_start.erase(it);
  // The lowest lane whose CTA retired, so slices on one lane never overlap.
  size_t lane = 0;
  while (lane < t->cta_lanes.size() && t->cta_lanes[lane] > static_cast<int64_t>(start)) ++lane;
  char buf[200];
  if (lane == t->cta_lanes.size()) {
    t->cta_lanes.push_back(0);
    std::snprintf(buf, sizeof buf, R"({"ph":"M","pid":%d,"tid":%d,"name":"thread_name","args":{"name":"CTA lane %zu"}})",
                  sm + 1, kCtaLaneTid + static_cast<int>(lane), lane);
    out_ << ",\n" << buf;
  }
  t->cta_lanes[lane] = static_cast<int64_t>(cycle);
  if (ts(start) >= options_.to_cycle || ts(cycle) < options_.from_cycle) return;  // outside the window
  const uint64_t from = std::max(ts(start), options_.from_cycle), to = std::min(ts(cycle), options_.to_cycle);
  std::snprintf(buf, sizeof buf, R"({"name":"CTA %llu","cat":"cta","ph":"X","pid":%d,"tid":%d,"ts":%llu,"dur":%llu,"args":{"cta":%llu,"dispatched":%llu,"retired":%llu}})",
                (unsigned long long)cta, sm + 1, kCtaLaneTid + static_cast<int>(lane), (unsigned long long)from,
                (unsigned long long)(to - from), (unsigned long long)cta, (unsigned long long)ts(start),
                (unsigned long long)ts(cycle));
  event(buf);
}

// A request enters the memory side ("L2" request, timed at the SM's current cycle), the memory
// side answers ("L2", "DRAM" when DRAM read sectors for it, "L2 (waited for DRAM)" when it waited
// for a fill another request caused) and the answer reaches the SM ("L1"). `dram_bytes` summed over
// the events is what DRAM read for the traced SMs' requests.
void TraceWriter::on_mem_request(uint64_t, int sm, const MemPacket& p, const char* level) {
  SmTracks* t = tracks(sm);
  if (!t || level[0] != 'L' || level[1] != '2' || !in_window(now_)) return;
  const uint32_t bytes = p.kind == MemPacket::Kind::Read
                             ? uint32_t(std::popcount(p.sector_mask)) * uint32_t(config_.l2_sector_bytes)
                             : p.bytes;
  t->mem_start[p.id] = {now_, bytes};
}

void TraceWriter::on_mem_response(uint64_t, int sm, const MemPacket& p, const char* level) {
  SmTracks* t = tracks(sm);
  if (!t) return;
  if (level[0] != 'L' || level[1] != '1') {
    // The memory side's answer: DRAM's carries, as its sector mask, the sectors DRAM read for it.
    const bool dram = level[0] == 'D';
    const uint32_t dram_bytes = dram ? uint32_t(std::popcount(p.sector_mask)) * uint32_t(config_.l2_sector_bytes) : 0;
    if (t->mem_start.count(p.id)) t->mem_level[p.id] = {level, dram_bytes};
    return;
  }
  auto it = t->mem_start.find(p.id);
  if (it == t->mem_start.end()) return;
  const uint64_t start = it->second.cycle;
  const unsigned bytes = it->second.bytes;
  t->mem_start.erase(it);
  const char* served = "L2";
  uint32_t dram_bytes = 0;
  if (auto l = t->mem_level.find(p.id); l != t->mem_level.end()) {
    served = l->second.level;
    dram_bytes = l->second.dram_bytes;
    t->mem_level.erase(l);
  }
  const unsigned long long id = (unsigned long long)(uint64_t(sm) << 40 | p.id);
  char buf[360];
  std::snprintf(buf, sizeof buf,
                R"({"name":"%s %s","cat":"memory","ph":"b","id":"0x%llx","pid":%d,"tid":0,"ts":%llu,"args":{"level":"%s","latency_cycles":%llu,"bytes":%u,"dram_bytes":%u,"kind":"%s","line_address":"0x%llx"}})",
                kind_name(p.kind), served, id, sm + 1, (unsigned long long)ts(start), served,
                (unsigned long long)(now_ - start), bytes, dram_bytes, kind_name(p.kind), (unsigned long long)p.line_address);
  event(buf);
  // Clipped to the --trace-cycles window as the slices are (latency_cycles keeps the whole time).
  const uint64_t end = std::min(ts(now_), options_.to_cycle);
  std::snprintf(buf, sizeof buf, R"({"name":"%s %s","cat":"memory","ph":"e","id":"0x%llx","pid":%d,"tid":0,"ts":%llu})",
                kind_name(p.kind), served, id, sm + 1, (unsigned long long)end);
  out_ << ",\n" << buf;
}

}  // namespace gpusim::sim
