#include "tools/report/stats_model.h"

#include "isa/kernel_names.h"

#include <fstream>
#include <limits>
#include <stdexcept>

namespace gpusim::report {

namespace {

using nlohmann::json;

// Looks up "/"-separated paths inside one JSON object; every failure names `where` and the path.
class Fields {
 public:
  Fields(const json& node, std::string where) : node_(node), where_(std::move(where)) {}

  const json& at(const std::string& path) const {
    const json* node = &node_;
    size_t begin = 0;
    while (begin <= path.size()) {
      const size_t end = std::min(path.find('/', begin), path.size());
      const std::string key = path.substr(begin, end - begin);
      if (!node->is_object() || !node->contains(key)) fail(path, "missing");
      node = &(*node)[key];
      begin = end + 1;
    }
    return *node;
  }
  // Every real number the report reads is a quantity (time, rate, share, FLOPs): never negative.
  double number(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_number() || v.get<double>() < 0) fail(path, "not a non-negative number:");
    return v.get<double>();
  }
  uint64_t count(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0))
      fail(path, "not a non-negative integer:");
    return v.get<uint64_t>();
  }
  int integer(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_number_integer() || v.get<int64_t>() < std::numeric_limits<int>::min() ||
        v.get<int64_t>() > std::numeric_limits<int>::max())
      fail(path, "not an integer:");
    return int(v.get<int64_t>());
  }
  std::string text(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_string()) fail(path, "not a string:");
    return v.get<std::string>();
  }
  const json& object(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_object()) fail(path, "not an object:");
    return v;
  }
  const json& array(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_array()) fail(path, "not an array:");
    return v;
  }
  const std::string& where() const { return where_; }
  bool has(const std::string& key) const { return node_.is_object() && node_.contains(key); }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw std::runtime_error(where_ + ": " + what + " '" + path + "'");
  }
  const json& node_;
  std::string where_;
};

std::vector<StateCycles> read_states(const Fields& f, const std::string& path) {
  std::vector<StateCycles> out;
  for (const auto& [reason, value] : f.object(path).items()) out.push_back({reason, f.count(path + "/" + reason)});
  return out;
}

void read_line_common(const Fields& f, LineStats& line) {
  line.file = f.integer("file");
  const int number = f.integer("line");
  if (number < 0) throw std::runtime_error(f.where() + ": negative 'line'");
  line.line = uint32_t(number);
  line.issued = f.count("issued");
  if (f.has("active_lanes")) line.active_lanes = static_cast<int64_t>(f.count("active_lanes"));
  line.states = read_states(f, "stall_warp_cycles");
  line.global_bytes = f.count("global_bytes");
  line.shared_bytes = f.count("shared_bytes");
  if (f.has("called_from")) {
    const Fields call(f.object("called_from"), f.where() + ": called_from");
    line.call_file = call.integer("file");
    const int call_line = call.integer("line");
    if (call_line < 0) throw std::runtime_error(call.where() + ": negative 'line'");
    line.call_line = uint32_t(call_line);
  }
}

SourceReport read_source(const Fields& launch) {
  const std::string where = launch.where() + ": source";
  SourceReport out;
  const Fields source(launch.object("source"), where);
  for (const auto& [number, path] : source.object("files").items()) {
    size_t used = 0;
    int file = -1;
    try {
      file = std::stoi(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != number.size() || number.empty())
      throw std::runtime_error(where + ": files: key '" + number + "' is not a file number");
    out.files[file] = source.text("files/" + number);
  }
  const json& ptx = source.array("ptx");
  for (size_t i = 0; i < ptx.size(); ++i) {
    const Fields f(ptx[i], where + ": ptx[" + std::to_string(i) + "]");
    PtxLineStats p;
    read_line_common(f, p);
    p.pc = f.count("pc");
    p.ptx_line = f.integer("ptx_line");
    p.text = f.text("text");
    out.ptx.push_back(std::move(p));
  }
  const json& lines = source.array("lines");
  for (size_t i = 0; i < lines.size(); ++i) {
    const Fields f(lines[i], where + ": lines[" + std::to_string(i) + "]");
    LineStats l;
    read_line_common(f, l);
    out.lines.push_back(std::move(l));
  }
  return out;
}

// `gpusim run/launch --stats` write the timing object as the launch itself; `gpusim exec --stats`
// wraps it as "timing" in a launch record whose "kernel" is the demangled name (the one shown).
KernelStats read_launch(const json& record, const std::string& where) {
  const bool wrapped = record.is_object() && record.contains("mangled");
  const bool untimed = wrapped ? !record.contains("timing") : record.is_object() && record.empty();
  std::string name;
  if (record.is_object() && record.contains("kernel") && record["kernel"].is_string())
    name = " (kernel '" + record["kernel"].get<std::string>() + "')";
  if (untimed)
    throw std::runtime_error(where + name +
                             ": no timing statistics (was it run in functional mode? rerun with --mode timing)");
  const Fields f(record, where);
  KernelStats k;
  k.kernel = isa::demangled_kernel_name(f.text("kernel"));  // run/launch --stats keep the PTX (mangled) name
  const json& launch = wrapped ? f.object("timing") : record;
  const Fields fk(launch, where + " (kernel '" + k.kernel + "')" + (wrapped ? ": timing" : ""));
  k.config = fk.text("config");
  if (fk.has("config_fingerprint")) k.config_fingerprint = fk.text("config_fingerprint");
  k.config_source = run_config_source(launch);
  k.cycles = fk.count("cycles");
  k.seconds = fk.number("seconds");
  k.sms_used = fk.integer("sms_used");
  k.warp_instructions = fk.count("instructions/warp");
  k.thread_instructions = fk.count("instructions/thread");
  k.fp32_flops = fk.number("flops/fp32");
  k.fp64_flops = fk.number("flops/fp64");
  k.tensor_flops = fk.number("flops/tensor");
  k.ipc_per_sm = fk.number("ipc_per_sm");
  k.issue_slot_utilization = fk.number("issue_slot_utilization");
  k.states = read_states(fk, "stall_warp_cycles");
  for (const auto& [pipe, value] : fk.object("pipe_busy_cycles").items())
    k.pipe_busy.emplace_back(pipe, fk.count("pipe_busy_cycles/" + pipe));
  k.occupancy_theoretical = fk.number("occupancy/theoretical");
  k.occupancy_achieved = fk.number("occupancy/achieved");
  k.ctas_per_sm = fk.integer("occupancy/ctas_per_sm");
  k.occupancy_limiter = fk.text("occupancy/limiter");
  k.l1_hit_rate = fk.number("l1/hit_rate");
  k.l1_sector_hits = fk.count("l1/read_sector_hits");
  k.l1_sector_misses = fk.count("l1/read_sector_misses");
  k.sectors_per_request = fk.number("l1/sectors_per_request");
  if (fk.object("l1").contains("sectors_per_store_request"))
    k.sectors_per_store_request = fk.number("l1/sectors_per_store_request");
  k.global_load_requests = fk.count("l1/global_load_requests");
  k.global_store_requests = fk.count("l1/global_store_requests");
  k.shared_requests = fk.count("shared/requests");
  k.shared_wavefronts = fk.count("shared/wavefronts");
  k.shared_bank_conflicts = fk.count("shared/bank_conflicts");
  k.l2_hit_rate = fk.number("l2/hit_rate");
  k.l2_sector_hits = fk.count("l2/read_sector_hits");
  k.l2_sector_misses = fk.count("l2/read_sector_misses");
  k.l2_atomics = fk.count("l2/atomics");
  k.dram_read_bytes = fk.count("dram/read_bytes");
  k.dram_write_bytes = fk.count("dram/write_bytes");
  k.dram_bandwidth_gbs = fk.number("dram/bandwidth_gbs");
  k.dram_bandwidth_fraction = fk.number("dram/bandwidth_fraction_of_peak");
  k.tensor_utilization = fk.number("tensor_utilization");
  k.register_bank_conflicts = fk.count("register_bank_conflicts");
  if (launch.contains("source")) k.source = read_source(fk);
  else if (wrapped && record.contains("source")) k.source = read_source(Fields(record, where + " (kernel '" + k.kernel + "')"));
  return k;
}

}  // namespace

uint64_t LineStats::stall_cycles() const {
  uint64_t total = 0;
  for (const StateCycles& s : states)
    if (s.reason != "selected") total += s.warp_cycles;
  return total;
}

const StateCycles* LineStats::dominant_stall() const {
  const StateCycles* best = nullptr;
  for (const StateCycles& s : states)
    if (s.reason != "selected" && s.warp_cycles > 0 && (!best || s.warp_cycles > best->warp_cycles)) best = &s;
  return best;
}

std::string SourceReport::file_name(int file) const {
  const auto it = files.find(file);
  return it != files.end() ? it->second : "file " + std::to_string(file);
}

uint64_t KernelStats::total_state_cycles() const {
  uint64_t total = 0;
  for (const StateCycles& s : states) total += s.warp_cycles;
  return total;
}

namespace {

// Collects a file's launches as they are read: the first kLaunchesShownOneByOne timed launches
// whole, and per kernel the sums and its longest launch, so that memory stays bounded by the
// number of kernels however many launches the file holds.
class StatsFileBuilder {
 public:
  explicit StatsFileBuilder(const std::string& path) { out_.path = path; }

  void add(const json& record) {
    const size_t index = records_++;
    const std::string where = out_.path + ": launch " + std::to_string(index);
    if (record.is_object() && record.contains("faulted") && record["faulted"] == true && !record.contains("timing")) {
      const std::string kernel = record.contains("kernel") && record["kernel"].is_string() ? record["kernel"].get<std::string>() : "?";
      if (out_.faulted.size() < kFaultNotesAtMost)
        out_.faulted.push_back(where + " (kernel '" + kernel + "') faulted: it has no statistics");
      ++out_.faulted_launches;
      return;
    }
    KernelStats k = read_launch(record, where);
    k.launch = index;
    auto [it, fresh] = kernel_index_.emplace(k.kernel, kernels_.size());
    if (fresh) kernels_.emplace_back();
    Kernel& kernel = kernels_[it->second];
    ++kernel.totals.launches;
    kernel.totals.cycles += k.cycles;
    kernel.totals.seconds += k.seconds;
    const bool longest = !kernel.longest || k.cycles > kernel.longest->cycles;
    if (++out_.timed_launches <= kLaunchesShownOneByOne) {
      if (longest) kernel.longest = k;
      out_.kernels.push_back(std::move(k));
    } else {
      out_.kernels.clear();  // summarised from here on (already empty after the first time)
      if (longest) kernel.longest = std::move(k);
    }
  }

  // A kernel's launches past the ones `gpusim exec` kept whole ("folded_launches",
  // runtime/folded_launches.h): into its totals, which the page then shows for every kernel.
  void add_folded(const json& folded) {
    for (const json& k : folded) {
      if (!k.is_object() || !k.contains("kernel") || !k["kernel"].is_string()) continue;
      const uint64_t launches = k.value("launches", uint64_t(0));
      out_.folded_launches += launches;
      const auto it = kernel_index_.find(isa::demangled_kernel_name(k["kernel"].get<std::string>()));
      if (it == kernel_index_.end()) {
        out_.unshown.push_back(out_.path + ": kernel '" + k["kernel"].get<std::string>() + "': its " + std::to_string(launches) +
                               " launches were all past the ones kept whole (exec --launch-records)");
        continue;
      }
      KernelLaunches& totals = kernels_[it->second].totals;
      totals.launches += launches;
      totals.cycles += k.value("cycles", uint64_t(0));
      totals.seconds += k.value("seconds", 0.0);
    }
  }

  StatsFile finish() {
    if (records_ == 0) throw std::runtime_error(out_.path + ": 'launches' is empty (no kernel was launched)");
    if (out_.timed_launches == 0) throw std::runtime_error(out_.path + ": every launch faulted (no statistics to show)");
    if (out_.timed_launches > kLaunchesShownOneByOne || out_.folded_launches > 0) {
      out_.kernels.clear();
      for (Kernel& kernel : kernels_) {
        out_.kernels.push_back(std::move(*kernel.longest));
        out_.totals.push_back(kernel.totals);
      }
    }
    return std::move(out_);
  }

 private:
  struct Kernel {
    KernelLaunches totals;
    std::optional<KernelStats> longest;
  };
  StatsFile out_;
  size_t records_ = 0;
  std::map<std::string, size_t> kernel_index_;
  std::vector<Kernel> kernels_;  // in the order of their first launch
};

[[noreturn]] void missing_launches(const std::string& path) {
  throw std::runtime_error(path + ": missing the 'launches' array (expected a file from gpusim run/launch/exec --stats)");
}

}  // namespace

StatsFile parse_stats(const nlohmann::json& doc, const std::string& path) {
  if (!doc.is_object() || !doc.contains("launches") || !doc["launches"].is_array()) missing_launches(path);
  StatsFileBuilder builder(path);
  for (const json& record : doc["launches"]) builder.add(record);
  if (doc.contains("folded_launches") && doc["folded_launches"].is_array()) builder.add_folded(doc["folded_launches"]);
  return builder.finish();
}

StatsFile read_stats_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read stats file '" + path + "'");
  StatsFileBuilder builder(path);
  // Each element of the top-level "launches" array is handed to the builder when the parser has
  // read it and then dropped from the document: a 369 MB file of 100,000 launches took 4.5 GB as
  // one document.
  bool launches_key = false, in_launches = false;
  const json::parser_callback_t one_launch_at_a_time = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) {
      launches_key = parsed == "launches";
      in_launches = false;
    } else if (depth == 1 && event == json::parse_event_t::array_start) {
      in_launches = launches_key;
    } else if (depth == 1 && event == json::parse_event_t::array_end) {
      in_launches = false;
    } else if (in_launches && depth == 2 &&
               (event == json::parse_event_t::object_end || event == json::parse_event_t::array_end ||
                event == json::parse_event_t::value)) {
      builder.add(parsed);
      return false;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(in, one_launch_at_a_time);
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("launches") || !doc["launches"].is_array()) missing_launches(path);
  if (doc.contains("folded_launches") && doc["folded_launches"].is_array()) builder.add_folded(doc["folded_launches"]);
  return builder.finish();
}

}  // namespace gpusim::report
