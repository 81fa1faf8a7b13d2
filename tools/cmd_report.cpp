// `gpusim report STATS.json [more.json ...] -o report.html`: one self-contained HTML page per run
// (tools/report/report_page.h) from the --stats files of gpusim run/launch/exec.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/file_roles.h"
#include "tools/report/report_page.h"
#include "tools/report/run_configuration.h"

namespace gpusim::cli {

int gpusim_cmd_report(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description options(
      "gpusim report STATS.json [more.json ...] -o report.html [--config FILE] [--set k=v]... "
      "[--recorded X.kernels.csv]");
  std::string config_path, recorded, html_path;
  std::vector<std::string> overrides, stats_files;
  options.add_options()
      ("help,h", "print this help")
      ("output,o", po::value(&html_path), "write the HTML page to this file (required)")
      ("config", po::value(&config_path), "GPU configuration INI of the run, for the roofs (default: the one the statistics name, else the embedded one)")
      ("set", po::value(&overrides)->composing(), "override one key, as given to the run (repeatable)")
      ("recorded", po::value(&recorded), "also place the kernels measured on a real GPU (configs/measured/*.kernels.csv)")
      ("stats", po::value(&stats_files)->composing(), "a statistics file of gpusim run/launch/exec --stats (or positional)");
  po::positional_options_description positional;
  positional.add("stats", -1);
  po::variables_map args;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "gpusim report: " << sim::option_error_text(e) << "\n" << options;
    return 2;
  }
  if (args.count("help")) {
    std::cout << options;
    return 0;
  }
  if (stats_files.empty() || html_path.empty()) {
    std::cerr << "gpusim report: needs at least one STATS.json (from gpusim run --mode timing --stats FILE) and "
                 "-o report.html\n"
              << options;
    return 2;
  }
  try {
    FileRoles files;
    for (const std::string& file : stats_files) files.reads(file, "the statistics file");
    if (!config_path.empty()) files.reads(config_path, "--config");
    if (!recorded.empty()) files.reads(recorded, "--recorded");
    files.writes(html_path, "-o");
    files.check();
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim report: " << e.what() << "\n";
    return 2;
  }
  try {
    report::ReportInputs inputs;
    inputs.config = sim::load_gpu_config(config_path, overrides);
    for (const std::string& file : stats_files) {
      inputs.files.push_back(report::read_stats_file(file));
      const report::StatsFile& read = inputs.files.back();
      for (const std::string& note : read.faulted) std::cerr << "gpusim report: note: " << note << "; left out\n";
      if (read.faulted_launches > read.faulted.size())
        std::cerr << "gpusim report: note: " << file << ": " << read.faulted_launches - read.faulted.size()
                  << " more faulted launches left out\n";
      if (read.folded_launches > 0)
        std::cerr << "gpusim report: note: " << file << ": " << read.folded_launches
                  << " launches past the ones kept whole are in their kernels' totals (one row per kernel)\n";
      for (const std::string& note : read.unshown) std::cerr << "gpusim report: note: " << note << "; not shown\n";
    }
    if (config_path.empty() && overrides.empty()) {  // the roofs of the chip the statistics name
      std::vector<report::RunConfigSource> runs;
      for (const report::StatsFile& f : inputs.files)
        for (const report::KernelStats& k : f.kernels) runs.push_back(k.config_source);
      if (const auto named = report::configuration_of_runs(runs, "report", std::cerr)) {
        inputs.config = named->config;
        if (!named->source.file.empty() || !named->source.overrides.empty())  // the embedded default goes without saying
          std::cerr << "gpusim report: roofs of " << named->config.name << " (" << report::describe_source(named->source)
                    << ", the run's configuration)\n";
      }
    }
    if (!recorded.empty()) inputs.recorded = validation::read_kernel_record(recorded);
    // On the terminal too, as gpusim roofline warns: a student saw it only inside the page.
    if (const auto m = report::first_config_mismatch(inputs))
      std::cerr << "gpusim report: warning: kernel '" << m->kernel << "' was simulated on " << m->config
                << (m->values_only ? " with other values than the roofs drawn here: pass the run's --config and --set options\n"
                                   : ", not on " + inputs.config.name + " whose roofs are drawn: pass the run's --config\n");
    const std::string page = report::report_html(inputs);
    sim::write_file_completely(html_path, page);
    size_t kernels = 0, launches = 0;
    for (const auto& f : inputs.files) kernels += f.kernels.size(), launches += f.timed_launches;
    std::cout << "wrote " << html_path << " (" << kernels << " kernel" << (kernels == 1 ? "" : "s");
    if (launches != kernels) std::cout << " of " << launches << " launches";
    std::cout << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "gpusim report: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace gpusim::cli
