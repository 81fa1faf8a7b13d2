// `gpusim compare <workload|all> --config FILE`: each workload on the simulator (timing mode) and
// on the real GPU (warm-up, then N timed runs; both sides checked against the CPU reference),
// predicted cycles and time next to the measured median, per-kernel error, MAPE and rank
// correlation; the microbenchmarks side by side. `--record STEM` saves the GPU's measurements
// (STEM.kernels.csv, STEM.ubench.csv) and the configuration matched to the card (STEM.ini).
// `gpusim compare --recorded STEM.kernels.csv` re-simulates a recording: no GPU needed.
// Exit status: 0 all verified, 1 a check failed, a device error or an unreadable recording, 2 bad usage.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "runtime/cuda_device.h"
#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/device_run_support.h"
#include "tools/file_roles.h"
#include "tools/option_checks.h"
#include "validation/calibration_report.h"
#include "validation/calibration_rules.h"
#include "validation/comparison.h"
#include "validation/csv.h"
#include "validation/gpu_measure.h"
#include "validation/matched_config.h"
#include "validation/ubench_comparison.h"
#include "workloads/ubench_suite.h"
#include "workloads/workload.h"
#include "workloads/workload_support.h"

namespace gpusim::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using validation::ComparisonRow;

struct CompareArgs {
  std::vector<std::string> names;
  std::string config_path, size, csv, json, ubench_csv, record, recorded, only, write_config, residuals;
  std::vector<std::string> overrides;
  bool match = false, no_ubench = false, no_sim = false, calibrate = false;
  int warmup = 2, reps = 10, device = 0;
  uint64_t seed = 1;
  unsigned threads = 0;  // host threads simulating (0: the machine's)
};

// A workload to compare and its size (empty = the workload's default).
struct Selection {
  const workloads::Workload* workload;
  std::string size;
  bool from_all = false;  // chosen by "all": skipped (not an error) where its architecture is missing
};

// "all", "name" or "name:SIZE" (e.g. sgemm_tiled:512x512x512); --size applies to plain names.
std::vector<Selection> select_workloads(const std::vector<std::string>& names, const std::string& size) {
  std::vector<Selection> out;
  for (const std::string& arg : names) {
    const size_t colon = arg.find(':');
    const std::string n = arg.substr(0, colon);
    const std::string s = colon == std::string::npos ? size : arg.substr(colon + 1);
    if (n == "all") {
      for (const auto& w : workloads::all_workloads()) out.push_back({w.get(), "", true});
      continue;
    }
    const workloads::Workload* w = workloads::find_workload(n);
    if (!w) throw std::invalid_argument("unknown workload '" + n + "' (gpusim list shows them)");
    if (!s.empty()) workloads::parse_size_spec(s);  // reject a bad size before the GPU is touched
    out.push_back({w, s});
  }
  return out;
}

// "a.kernels.csv" -> "a"; anything else is its own stem.
std::string record_stem(const std::string& kernels_csv) {
  const std::string suffix = ".kernels.csv";
  if (kernels_csv.size() > suffix.size() && kernels_csv.compare(kernels_csv.size() - suffix.size(), suffix.size(), suffix) == 0)
    return kernels_csv.substr(0, kernels_csv.size() - suffix.size());
  return kernels_csv;
}

// No output is an input or another output: `--csv rec.csv` replaced an outside tester's recording
// with the result table, `--json cfg.ini` the configuration (as run, launch and exec refuse).
void check_file_roles(const CompareArgs& a) {
  FileRoles files;
  if (!a.config_path.empty()) files.reads(a.config_path, "--config");
  if (!a.recorded.empty()) {
    files.reads(a.recorded, "--recorded");
    // What a recording brings beside it: its microbenchmarks and configurations.
    const std::string stem = record_stem(a.recorded);
    files.reads(stem + ".ubench.csv", "the recording's microbenchmarks");
    if (a.config_path.empty()) {
      files.reads(stem + ".ini", "the recording's configuration");
      // --calibrate reads STEM.ini and may write the fit to STEM.calibrated.ini (the usual way).
      if (!a.calibrate) files.reads(stem + ".calibrated.ini", "the recording's calibrated configuration");
    }
  }
  const std::pair<const std::string*, const char*> outputs[] = {
      {&a.csv, "--csv"}, {&a.json, "--json"}, {&a.ubench_csv, "--ubench-csv"}, {&a.residuals, "--residuals"},
      {&a.write_config, "--write-config"}};
  for (const auto& [path, role] : outputs)
    if (!path->empty()) files.writes(*path, role);
  if (!a.record.empty())
    for (const char* suffix : {".kernels.csv", ".ubench.csv", ".ini"}) files.writes(a.record + suffix, "--record");
  files.check();
}

void write_outputs(const CompareArgs& a, const validation::ComparisonContext& context,
                   const std::vector<ComparisonRow>& rows, const validation::ComparisonSummary& summary,
                   const std::vector<validation::UbenchPair>& ubench) {
  if (!a.csv.empty()) validation::write_comparison_csv(a.csv, context, rows);
  if (!a.json.empty()) validation::write_comparison_json(a.json, context, rows, summary);
  if (!a.ubench_csv.empty()) validation::write_ubench_pairs_csv(a.ubench_csv, context.config_name, context.gpu, ubench);
  if (!a.residuals.empty()) validation::write_residuals_csv(a.residuals, context, rows);
}

// --calibrate: fits every registered parameter (validation/calibration_rules.h) to the measured
// microbenchmarks, prints the fit, writes --write-config, and returns the overrides to simulate with.
std::vector<std::string> calibrated_overrides(const CompareArgs& a, const std::string& config_path,
                                              const std::vector<std::string>& overrides,
                                              const std::vector<validation::MeasuredUbench>& measured,
                                              const std::string& fitted_from) {
  std::cerr << "calibrating from the microbenchmarks of " << fitted_from << "\n";
  const validation::CalibrationResult c = validation::calibrate(config_path, overrides, measured);
  validation::print_calibration(std::cout, c);
  std::vector<std::string> out = overrides;
  for (const std::string& o : c.overrides()) out.push_back(o);
  if (!a.write_config.empty()) {
    sim::write_file_completely(a.write_config, validation::fitted_config_ini(config_path, out, c, fitted_from));
    std::cerr << "wrote the fitted configuration to " << a.write_config << "\n";
  }
  return out;
}

int report(const CompareArgs& a, const validation::ComparisonContext& context, const std::vector<ComparisonRow>& rows,
           const std::vector<validation::UbenchPair>& ubench) {
  const validation::ComparisonSummary summary = validation::summarize(rows);
  std::cout << "\n";
  validation::print_comparison(std::cout, context, rows, summary);
  if (!ubench.empty()) {
    std::cout << "\n# microbenchmarks (latencies: clock64 in the kernel on both sides)\n";
    validation::print_ubench_pairs(std::cout, ubench);
  }
  write_outputs(a, context, rows, summary, ubench);
  return summary.unverified == 0 ? 0 : 1;
}

runtime::SimDeviceOptions sim_options(const std::string& config_path, const std::vector<std::string>& overrides,
                                      unsigned threads) {
  runtime::SimDeviceOptions o;
  o.threads = threads;
  o.config_path = config_path;
  o.overrides = overrides;
  o.mode = runtime::SimMode::Timing;
  return o;
}

// --recorded: re-simulates every (workload, size, seed) of the file and pairs the launches.
int compare_recorded(const CompareArgs& a) {
  std::vector<std::string> row_locations;  // file:line of each kernel row
  const validation::KernelRecord record = validation::read_kernel_record(a.recorded, &row_locations);
  const std::string stem = record_stem(a.recorded);
  std::string config_path = a.config_path;
  if (config_path.empty()) {
    // The fitted configuration (--calibrate --write-config) when committed, else the matched one;
    // --calibrate fits from the matched one.
    config_path = !a.calibrate && fs::exists(stem + ".calibrated.ini") ? stem + ".calibrated.ini" : stem + ".ini";
    if (!fs::exists(config_path))
      throw std::invalid_argument("no --config given and no matched configuration '" + stem + ".ini' beside " + a.recorded);
    std::cerr << "configuration: " << config_path << "\n";
  }
  std::vector<std::string> overrides = a.overrides;
  if (a.calibrate) {
    const validation::UbenchRecord measured = validation::read_ubench_record(stem + ".ubench.csv");
    const double empty_us = record.kernels.empty() ? 0 : record.kernels.front().launch_overhead_us;
    overrides = calibrated_overrides(a, config_path, overrides, validation::with_empty_kernel(measured.rows, empty_us),
                                     stem + ".ubench.csv + the empty kernel of " + a.recorded);
  }
  const sim::GpuConfig config = sim::load_gpu_config(config_path, overrides);
  std::vector<std::string> only;
  for (size_t p = 0; !a.only.empty() && p != std::string::npos;) {
    const size_t comma = a.only.find(',', p);
    only.push_back(a.only.substr(p, comma == std::string::npos ? std::string::npos : comma - p));
    p = comma == std::string::npos ? comma : comma + 1;
  }
  for (const std::string& n : only)
    if (!workloads::find_workload(n)) throw std::invalid_argument("--only: unknown workload '" + n + "'");

  // Group the file's launches by run, in file order.
  std::vector<std::vector<validation::MeasuredKernel>> runs;
  std::vector<std::string> run_rows;  // file:line of each run's first row, for error messages
  std::map<std::string, size_t> run_index;
  for (size_t i = 0; i < record.kernels.size(); ++i) {
    const validation::MeasuredKernel& k = record.kernels[i];
    if (!only.empty() && std::find(only.begin(), only.end(), k.workload) == only.end()) continue;
    const std::string key = k.workload + "|" + k.size + "|" + std::to_string(k.seed);
    auto [it, added] = run_index.emplace(key, runs.size());
    if (added) {
      runs.emplace_back();
      run_rows.push_back(row_locations.at(i));
    }
    runs[it->second].push_back(k);
  }
  if (runs.empty()) throw std::invalid_argument(a.recorded + ": no recorded launches" + (only.empty() ? "" : " of --only's workloads"));

  std::vector<ComparisonRow> rows;
  for (size_t r_i = 0; r_i < runs.size(); ++r_i) {
    const auto& run = runs[r_i];
    const workloads::Workload* w = workloads::find_workload(run.front().workload);
    if (!w) throw std::invalid_argument(run_rows[r_i] + ": unknown workload '" + run.front().workload + "'");
    workloads::WorkloadParams params;
    try {
      params.size = workloads::parse_size_spec(run.front().size);
    } catch (const std::exception& e) {
      throw std::invalid_argument(run_rows[r_i] + ": column 'size': " + e.what());
    }
    params.seed = run.front().seed;
    std::cerr << "simulating " << w->name() << " " << run.front().size << " on " << config.name << "\n";
    const workloads::WorkloadResult sim = validation::simulate_workload(*w, params, sim_options(config_path, overrides, a.threads));
    const std::vector<ComparisonRow> r = validation::pair_launches(sim, run);
    rows.insert(rows.end(), r.begin(), r.end());
  }

  std::vector<validation::UbenchPair> ubench;
  if (!a.no_ubench && fs::exists(stem + ".ubench.csv")) {
    const validation::UbenchRecord measured = validation::read_ubench_record(stem + ".ubench.csv");
    std::cerr << "running the microbenchmarks on " << config.name << "\n";
    std::unique_ptr<runtime::Device> sim = runtime::make_sim_device(sim_options(config_path, overrides, a.threads));
    ubench = validation::pair_ubench(workloads::ubench::run_suite(*sim, config), measured.rows);
  }
  return report(a, {config.name, record.gpu, "recorded " + a.recorded}, rows, ubench);
}

// Live: the GPU and the simulator side by side.
int compare_live(const CompareArgs& a) {
  const std::vector<Selection> selected = select_workloads(a.names, a.size);
  if (a.no_sim && a.record.empty()) throw std::invalid_argument("--no-sim only measures: give --record STEM to keep the measurements");
  std::unique_ptr<runtime::Device> gpu;
  try {
    gpu = runtime::make_cuda_device(a.device);
  } catch (const runtime::Error& e) {
    std::cerr << "gpusim compare: the GPU backend is unavailable: " << e.what()
              << "\nWithout a GPU, compare against recorded measurements: gpusim compare --recorded "
                 "configs/measured/<file>.kernels.csv\n";
    return 1;
  }
  const runtime::CudaDeviceInfo& info = *runtime::cuda_device_info(*gpu);
  std::cerr << "characterising " << gpu->name() << "\n";
  const double overhead_us = validation::measure_launch_overhead_us(*gpu);
  const double clock_mhz = validation::measure_sm_clock_mhz(*gpu);
  const validation::GpuIdentity identity = validation::identify_gpu(info, clock_mhz);

  // The microbenchmarks on the GPU come first: --calibrate derives DRAM efficiency from them.
  // The card's own figures, as overrides of the base configuration (used by the microbenchmarks
  // on the GPU always, by the simulator with --match).
  const std::vector<std::string> card = validation::matched_config_overrides(sim::load_gpu_config(a.config_path), identity);
  std::vector<workloads::ubench::SuiteRow> gpu_ubench;
  if (!a.no_ubench) {
    std::cerr << "running the microbenchmarks on the GPU\n";
    gpu_ubench = validation::measure_ubench_on_gpu(*gpu, sim::load_gpu_config(a.config_path, card), info.l2_bytes);
  }
  std::vector<std::string> overrides, calibrated;
  if (a.match) overrides = card;
  overrides.insert(overrides.end(), a.overrides.begin(), a.overrides.end());
  if (a.calibrate) {
    const size_t before = overrides.size();
    overrides = calibrated_overrides(a, a.config_path, overrides,
                                     validation::with_empty_kernel(validation::to_measured(gpu_ubench), overhead_us),
                                     "the GPU (" + identity.name + ")");
    calibrated.assign(overrides.begin() + long(before), overrides.end());
  }
  const sim::GpuConfig config = sim::load_gpu_config(a.config_path, overrides);

  validation::KernelRecord record{identity, {}};
  std::vector<ComparisonRow> rows;
  for (const Selection& sel : selected) {
    const workloads::Workload* w = sel.workload;
    if (sel.from_all && w->required_sm() != 0) {
      // "all" also lists sm_90a workloads: leave them out when the card or the configuration is older.
      runtime::DeviceProperties card_props;
      card_props.name = gpu->name();
      card_props.compute_major = info.compute_capability_major;
      card_props.compute_minor = info.compute_capability_minor;
      std::string why = workloads::architecture_mismatch(*w, card_props);
      if (why.empty() && !a.no_sim) why = workloads::architecture_mismatch(*w, runtime::properties_from_config(config));
      if (!why.empty()) {
        std::cerr << "skipping " << w->name() << ": " << why << "\n";
        continue;
      }
    }
    workloads::WorkloadParams params;
    params.seed = a.seed;
    if (!sel.size.empty()) params.size = workloads::parse_size_spec(sel.size);
    std::cerr << "measuring " << w->name() << " on the GPU (" << a.warmup << " warm-up + " << a.reps << " runs)\n";
    const validation::WorkloadMeasurement m =
        validation::measure_workload(*gpu, info.l2_bytes, *w, params, {a.warmup, a.reps}, overhead_us);
    if (!m.verified) std::cerr << "  GPU result does not match the CPU reference: " << m.detail << "\n";
    record.kernels.insert(record.kernels.end(), m.kernels.begin(), m.kernels.end());
    if (a.no_sim) continue;
    std::cerr << "simulating " << w->name() << " on " << config.name << "\n";
    const workloads::WorkloadResult sim = validation::simulate_workload(*w, params, sim_options(a.config_path, overrides, a.threads));
    if (!sim.passed) std::cerr << "  simulated result does not match the CPU reference: " << sim.detail << "\n";
    const std::vector<ComparisonRow> r = validation::pair_launches(sim, m.kernels);
    rows.insert(rows.end(), r.begin(), r.end());
  }

  std::vector<validation::UbenchPair> ubench;
  if (!gpu_ubench.empty() && !a.no_sim) {
    std::cerr << "running the microbenchmarks on " << config.name << "\n";
    std::unique_ptr<runtime::Device> sim = runtime::make_sim_device(sim_options(a.config_path, overrides, a.threads));
    ubench = validation::pair_ubench(workloads::ubench::run_suite(*sim, config), validation::to_measured(gpu_ubench));
  }
  if (!a.record.empty()) {
    validation::write_kernel_record(a.record + ".kernels.csv", record);
    if (!gpu_ubench.empty()) validation::write_ubench_record(a.record + ".ubench.csv", {identity, validation::to_measured(gpu_ubench)});
    sim::write_file_completely(a.record + ".ini", validation::matched_config_ini(a.config_path, identity, calibrated));
    std::cerr << "recorded " << a.record << ".kernels.csv, " << (gpu_ubench.empty() ? "" : ".ubench.csv, ") << ".ini\n";
  }
  if (a.no_sim) {
    std::cout << "measured " << record.kernels.size() << " launches on " << identity.name << "; re-simulate with: gpusim compare --recorded "
              << a.record << ".kernels.csv\n";
    for (const validation::MeasuredKernel& k : record.kernels)
      if (!k.verified) return 1;
    return 0;
  }
  return report(a, {config.name, identity, "live"}, rows, ubench);
}

}  // namespace

int gpusim_cmd_compare(int argc, char** argv) {
  CompareArgs a;
  po::options_description opts("gpusim compare <workload[:SIZE]|all>... --config FILE [options]\n"
                               "gpusim compare --recorded STEM.kernels.csv [options]");
  opts.add_options()("help,h", "show this help")(
      "config", po::value(&a.config_path), "simulator configuration INI file (default: the embedded default; "
                                          "with --recorded: STEM.ini beside the recording)")(
      "set", po::value(&a.overrides)->composing(), "override a config key: --set key=value (repeatable)")(
      "match", po::bool_switch(&a.match), "set the SM count, clocks, DRAM bus and L2 size from the GPU")(
      "size", po::value(&a.size), "problem size for the named workloads (or name:SIZE per workload; default: each one's default)")(
      "seed", po::value(&a.seed)->default_value(1), "seed for the input data")(
      "warmup", po::value(&a.warmup)->default_value(2), "untimed GPU runs per workload")(
      "reps", po::value(&a.reps)->default_value(10), "timed GPU runs per workload (median, min, max)")(
      "device", po::value(&a.device)->default_value(0), "CUDA device ordinal")(
      "no-ubench", po::bool_switch(&a.no_ubench), "skip the microbenchmark comparison")(
      "calibrate", po::bool_switch(&a.calibrate),
      "fit every calibrated parameter (p-chase latencies, legacy tensor rate, DRAM efficiency, CTA dispatch, "
      "launch path) to the measured microbenchmarks (live: needs them; --recorded: STEM.ubench.csv and the "
      "empty-kernel time) and simulate with the fitted values")(
      "write-config", po::value(&a.write_config), "with --calibrate: write the fitted configuration as an INI file")(
      "residuals", po::value(&a.residuals),
      "write the per-kernel residuals (bound, size class, errors) the error bars come from")(
      "no-sim", po::bool_switch(&a.no_sim), "only measure on the GPU and --record (re-simulate later with --recorded)")(
      "csv", po::value(&a.csv), "write the per-kernel comparison as CSV")(
      "json", po::value(&a.json), "write the per-kernel comparison and summary as JSON")(
      "ubench-csv", po::value(&a.ubench_csv), "write the microbenchmark comparison as CSV")(
      "record", po::value(&a.record), "save the GPU measurements as STEM.kernels.csv, STEM.ubench.csv, STEM.ini")(
      "recorded", po::value(&a.recorded), "re-simulate a recording (STEM.kernels.csv) instead of using a GPU")(
      "only", po::value(&a.only), "with --recorded: only these workloads (comma-separated)")(
      "threads", po::value<std::string>(), kThreadsOptionHelp);
  po::options_description hidden;
  hidden.add_options()("workload", po::value(&a.names), "workloads");
  opts.add(resource_limit_options());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("workload", -1);
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).positional(positional).run();
    reject_negative_unsigned(parsed);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim compare: " << sim::option_error_text(e) << "\n\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts
              << "\nMeasured times are CUDA-event medians of whole-workload runs, each launch after an L2 flush,\n"
                 "every run checked against the CPU reference; predicted times are the timing model's cycles at\n"
                 "the configuration's core clock. Error = (predicted - measured) / measured.\n";
    return 0;
  }
  try {
    apply_resource_limit_options(vm);
    if (vm.count("threads")) a.threads = parse_threads_option(vm["threads"].as<std::string>());
    check_file_roles(a);
    if (!a.recorded.empty()) {
      if (!a.names.empty()) throw std::invalid_argument("--recorded re-simulates the file's workloads; name none (use --only)");
      return compare_recorded(a);
    }
    if (a.names.empty()) throw std::invalid_argument("name a workload or 'all' (or --recorded FILE)");
    if (a.reps < 1 || a.warmup < 0) throw std::invalid_argument("--reps must be >= 1 and --warmup >= 0");
    if (a.calibrate && a.no_ubench) throw std::invalid_argument("--calibrate needs the microbenchmarks (drop --no-ubench)");
    return compare_live(a);
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim compare: " << e.what() << "\n";
    return 2;
  } catch (const sim::GpuConfigError& e) {
    std::cerr << "gpusim compare: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // a recording that cannot be read (validation::CsvError) is a file error
    std::cerr << "gpusim compare: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
