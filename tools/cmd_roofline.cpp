// `gpusim roofline`: the configuration's roofs and, from `--stats` files of `gpusim run`/`launch`,
// where each simulated kernel sits under them (and, with --recorded, the same kernels at their
// measured times), as an SVG plot and as a table on stdout.
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "isa/kernel_names.h"
#include "sim/config_fingerprint.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/file_roles.h"
#include "tools/report/run_configuration.h"
#include "tools/roofline.h"
#include "validation/csv.h"
#include "validation/measured_record.h"

namespace gpusim::cli {

namespace {

namespace po = boost::program_options;

// A number at a "/"-separated path inside one launch's statistics, or an error naming the file,
// the launch and what is missing.
double stats_number(const nlohmann::json& launch, const std::string& path, const std::string& where) {
  const nlohmann::json* node = &launch;
  size_t begin = 0;
  while (begin <= path.size()) {
    const size_t end = std::min(path.find('/', begin), path.size());
    const std::string key = path.substr(begin, end - begin);
    if (!node->is_object() || !node->contains(key))
      throw std::runtime_error(where + ": missing '" + path + "'" +
                               (path.rfind("flops", 0) == 0 ? " (written by an older gpusim? rerun with --stats)" : ""));
    node = &(*node)[key];
    begin = end + 1;
  }
  // Every number the roofline reads is a count (FLOPs, bytes, cycles): a negative one is a damaged
  // file, which `gpusim report` refuses too (it was plotted as "FLOPs -inf").
  if (!node->is_number() || !(node->get<double>() >= 0))
    throw std::runtime_error(where + ": '" + path + "' is not a non-negative number");
  return node->get<double>();
}

// The kernels of one --stats file: {"launches": [timing_to_json objects, or exec's records]}.
std::vector<KernelPoint> read_stats(const std::string& file, std::vector<report::RunConfigSource>& sources) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read stats file '" + file + "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("launches") || !doc["launches"].is_array())
    throw std::runtime_error(file + ": missing the 'launches' array (expected a file from gpusim run/launch --stats)");
  std::vector<KernelPoint> points;
  for (size_t i = 0; i < doc["launches"].size(); ++i) {
    const nlohmann::json& record = doc["launches"][i];
    std::string where = file + ": launch " + std::to_string(i);
    if (record.is_object() && record.contains("kernel") && record["kernel"].is_string())
      where += " (kernel '" + record["kernel"].get<std::string>() + "')";
    // `gpusim exec --stats` wraps a launch's timing statistics as "timing" in a record naming the
    // kernel (demangled; with "mangled" beside it); `run`/`launch --stats` write them as the launch.
    const bool wrapped = record.is_object() && record.contains("mangled");
    if (record.is_object() && record.contains("faulted") && record["faulted"] == true && !record.contains("timing")) {
      std::cerr << "gpusim roofline: note: " << where << " faulted: it has no statistics; left out\n";
      continue;
    }
    if ((wrapped && !record.contains("timing")) || (record.is_object() && record.empty()))
      throw std::runtime_error(where + ": no timing statistics (was it run in functional mode? use the timing mode)");
    const nlohmann::json& launch = wrapped ? record["timing"] : record;
    KernelPoint p;
    if (!record.contains("kernel") || !record["kernel"].is_string()) throw std::runtime_error(where + ": missing 'kernel'");
    p.label = isa::demangled_kernel_name(record["kernel"].get<std::string>());  // run/launch keep the mangled name
    p.fp32_flops = stats_number(launch, "flops/fp32", where);
    p.fp64_flops = stats_number(launch, "flops/fp64", where);
    p.tensor_flops = stats_number(launch, "flops/tensor", where);
    p.dram_bytes = stats_number(launch, "dram/read_bytes", where) + stats_number(launch, "dram/write_bytes", where);
    p.seconds = stats_number(launch, "seconds", where);
    if (launch.contains("bound") && launch["bound"].is_string()) p.model_bound = launch["bound"].get<std::string>();
    if (launch.contains("config") && launch["config"].is_string()) p.config = launch["config"].get<std::string>();
    if (launch.contains("config_fingerprint") && launch["config_fingerprint"].is_string())
      p.config_fingerprint = launch["config_fingerprint"].get<std::string>();
    sources.push_back(report::run_config_source(launch));
    points.push_back(p);
  }
  if (doc["launches"].empty()) throw std::runtime_error(file + ": 'launches' is empty (no kernel was launched)");
  if (points.empty()) throw std::runtime_error(file + ": every launch faulted (no statistics to plot)");
  return points;
}

// Recorded kernels at the simulated FLOPs and bytes of the first simulated kernel with the same
// name, timed by the measured median. The two only belong together when the --stats run used the
// recorded problem size (gpusim run W --size S), which the caller must see to: the label says S.
std::vector<KernelPoint> recorded_points(const std::string& file, const std::vector<KernelPoint>& simulated) {
  const validation::KernelRecord record = validation::read_kernel_record(file);
  std::vector<KernelPoint> out;
  for (const validation::MeasuredKernel& m : record.kernels) {
    const KernelPoint* match = nullptr;
    for (const KernelPoint& s : simulated)
      if (s.label == m.kernel) {
        match = &s;
        break;
      }
    if (!match) {
      std::cerr << "gpusim roofline: " << file << ": recorded kernel '" << m.kernel << "' (" << m.workload << " "
                << m.size << ") has no simulated kernel of that name in the --stats files; not placed\n";
      continue;
    }
    KernelPoint p = *match;
    // The stats do not say which problem size they simulated: the label names the recorded one.
    p.label = m.kernel + " (measured on " + record.gpu.name + ", size " + m.size + ")";
    p.seconds = m.median_us * 1e-6;
    p.model_bound.clear();  // a measurement has no timing model's class
    out.push_back(p);
  }
  return out;
}

}  // namespace

int gpusim_cmd_roofline(int argc, char** argv) {
  po::options_description options(
      "gpusim roofline [--config FILE] [--set k=v]... [--stats STATS.json]... [--recorded X.kernels.csv] [-o roofline.svg]");
  std::string config_path, recorded, svg_path;
  std::vector<std::string> overrides, stats_files;
  options.add_options()
      ("help,h", "print this help")
      ("config", po::value(&config_path), "GPU configuration INI file (default: the one the --stats files name, else the embedded V100-like chip)")
      ("set", po::value(&overrides)->composing(), "override one key, e.g. --set sm.count=40 (repeatable)")
      ("stats", po::value(&stats_files)->composing(), "per-launch statistics from gpusim run/launch --stats (repeatable)")
      ("recorded", po::value(&recorded), "also place the kernels measured on a real GPU (configs/measured/*.kernels.csv)")
      ("output,o", po::value(&svg_path), "write the plot as SVG to this file");
  po::variables_map args;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "gpusim roofline: " << sim::option_error_text(e) << "\n" << options;
    return 2;
  }
  if (args.count("help")) {
    std::cout << options;
    return 0;
  }
  try {
    FileRoles files;
    for (const std::string& file : stats_files) files.reads(file, "--stats");
    if (!config_path.empty()) files.reads(config_path, "--config");
    if (!recorded.empty()) files.reads(recorded, "--recorded");
    if (!svg_path.empty()) files.writes(svg_path, "-o");
    files.check();
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim roofline: " << e.what() << "\n";
    return 2;
  }
  try {
    std::vector<KernelPoint> points;
    std::vector<report::RunConfigSource> sources;
    for (const std::string& file : stats_files) {
      std::vector<KernelPoint> more = read_stats(file, sources);
      points.insert(points.end(), more.begin(), more.end());
    }
    // Without --config or --set: the chip the statistics name (tools/report/run_configuration.h).
    std::optional<report::RunConfiguration> named;
    if (config_path.empty() && overrides.empty()) named = report::configuration_of_runs(sources, "roofline", std::cerr);
    const sim::GpuConfig config = named ? named->config : sim::load_gpu_config(config_path, overrides);
    const std::vector<Roof> roofs = roofs_of(config);
    // As gpusim report warns: roofs of one chip under kernels simulated on another mislead, also
    // where only values differ (a run with --set sm.count=8 keeps the file's name).
    const std::string fingerprint = sim::config_fingerprint(config);
    for (const KernelPoint& p : points)
      if (!p.config.empty() && p.config != config.name) {
        std::cerr << "gpusim roofline: warning: kernel '" << p.label << "' was simulated on " << p.config
                  << ", not on " << config.name << " whose roofs are drawn: pass the run's --config\n";
        break;
      } else if (!p.config_fingerprint.empty() && p.config_fingerprint != fingerprint) {
        std::cerr << "gpusim roofline: warning: kernel '" << p.label << "' was simulated on " << p.config
                  << " with other values than the roofs drawn here: pass the run's --config and --set options\n";
        break;
      }
    if (!recorded.empty()) {
      std::vector<KernelPoint> measured = recorded_points(recorded, points);
      points.insert(points.end(), measured.begin(), measured.end());
    }
    std::cout << "# Roofline of " << config.name << "\n" << roofline_table(roofs, points);
    if (!svg_path.empty()) {
      sim::write_file_completely(svg_path, roofline_svg("Roofline of " + config.name, roofs, points));
      std::cout << "\nwrote " << svg_path << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "gpusim roofline: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace gpusim::cli
