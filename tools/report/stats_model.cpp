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
  double number(const std::string& path) const {
    const json& v = at(path);
    if (!v.is_number()) fail(path, "not a number:");
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

StatsFile parse_stats(const nlohmann::json& doc, const std::string& path) {
  if (!doc.is_object() || !doc.contains("launches") || !doc["launches"].is_array())
    throw std::runtime_error(path + ": missing the 'launches' array (expected a file from gpusim run/launch/exec --stats)");
  StatsFile out{path, {}, {}};
  const json& launches = doc["launches"];
  if (launches.empty()) throw std::runtime_error(path + ": 'launches' is empty (no kernel was launched)");
  for (size_t i = 0; i < launches.size(); ++i) {
    const json& record = launches[i];
    const std::string where = path + ": launch " + std::to_string(i);
    if (record.is_object() && record.contains("faulted") && record["faulted"] == true && !record.contains("timing")) {
      const std::string kernel = record.contains("kernel") && record["kernel"].is_string() ? record["kernel"].get<std::string>() : "?";
      out.faulted.push_back(where + " (kernel '" + kernel + "') faulted: it has no statistics");
      continue;
    }
    out.kernels.push_back(read_launch(record, where));
  }
  if (out.kernels.empty()) throw std::runtime_error(path + ": every launch faulted (no statistics to show)");
  return out;
}

StatsFile read_stats_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read stats file '" + path + "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  return parse_stats(doc, path);
}

}  // namespace gpusim::report
