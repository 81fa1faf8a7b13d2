// `gpusim sweep SPEC [--db FILE] [--jobs N] [--slurm [--batch K] [--sbatch-args "..."]]`: runs a
// grid of configurations x workloads x sizes x --set values (docs/SWEEPS.md), each point as a
// child process, into an SQLite database; resumable (points already ok are skipped).
// `gpusim sweep --report DB [--metric M] [--against P] [-o plot.svg]`: the table and a plot.
// `gpusim sweep --run-points DB --task-index I`: what one SLURM array task runs.
// Exit status: 0 every point ok, 1 some point failed (or a database/SLURM error), 2 bad usage/spec.
#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "runtime/interrupt_signals.h"
#include "sim/interrupt_flag.h"
#include "sim/option_error_text.h"
#include "sim/output_file.h"
#include "tools/commands.h"
#include "tools/file_roles.h"
#include "sim/build_revision.h"
#include "tools/sweep/sweep_report.h"
#include "tools/sweep/sweep_runners.h"
#include "tools/sweep/sweep_spec.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

using namespace sweep;

void print_usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: gpusim sweep SPEC [--db FILE] [--jobs N] [--slurm [--batch K] [--sbatch-args \"...\"]]\n"
     << "       gpusim sweep --report DB [--metric M] [--against P] [-o plot.svg]\n"
     << "Runs every point of a sweep spec (configs x workloads x sizes x --set values) as a child process and\n"
     << "records each result in an SQLite database; points already ok there are skipped, so rerunning resumes.\n"
     << "Spec format, database schema and example queries: docs/SWEEPS.md.\n\n"
     << opts;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

ChildSettings child_settings(const po::variables_map& vm) {
  ChildSettings s;
  s.gpusim = self_executable();
  s.revision = sim::build_revision();
  s.timeout_s = vm["timeout"].as<double>();
  return s;
}

int jobs_option(const po::variables_map& vm) {
  if (vm.count("jobs")) {
    const unsigned jobs = vm["jobs"].as<unsigned>();
    // An unsigned option takes "-1" as 4294967295.
    if (jobs == 0 || jobs > 4096) throw std::invalid_argument("--jobs " + std::to_string(int(jobs)) + ": expected 1 to 4096");
    return static_cast<int>(jobs);
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int report(const po::variables_map& vm) {
  const std::string db = vm["report"].as<std::string>();
  if (!std::filesystem::exists(db)) throw std::invalid_argument("no sweep database '" + db + "'");
  PointStore store(db, /*read_only=*/true);
  std::vector<StoredPoint> points = store.all_points();
  tell_config_versions_apart(points);
  const std::string metric = vm["metric"].as<std::string>();
  // A metric no finished point has, or an axis no point varies, is a typo: said, not a table of
  // "-" or a plot with every point at x = 0.
  const bool any_ok = std::any_of(points.begin(), points.end(), [](const StoredPoint& p) { return p.status == "ok"; });
  if (any_ok && std::none_of(points.begin(), points.end(), [&](const StoredPoint& p) { return metric_value(p, metric); }))
    throw std::invalid_argument("--metric '" + metric + "': none of the finished points has it (cycles, seconds, "
                                "host_seconds, ipc, or a key of their statistics such as dram.bandwidth_gbs, sum:KEY)");
  // The plot's axis is checked before the table is printed, as the metric is; also when given
  // without -o (an outside architect's typo passed silently there).
  const std::string against = vm["against"].as<std::string>();
  if ((vm.count("output") || !vm["against"].defaulted()) &&
      std::none_of(points.begin(), points.end(), [&](const StoredPoint& p) { return !parameter_value(p, against).empty(); }))
    throw std::invalid_argument("--against '" + against + "': no point has it (size, config, mode, workload, kind, "
                                "or a --set key of the sweep such as sm.count)");
  if (vm.count("output")) {
    // The plot must not replace the database it is drawn from (an outside tester's -o t.db did).
    FileRoles files;
    files.reads(db, "the sweep database");
    files.writes(vm["output"].as<std::string>(), "-o");
    files.check();
  }
  std::cout << report_table(points, metric);
  if (vm.count("output")) {
    const std::string path = vm["output"].as<std::string>();
    sim::write_file_completely(path, plot_svg(plot_panels(points, metric, against), metric, against));
    std::cout << "plot of " << metric << " against " << against << " written to " << path << "\n";
  }
  return 0;
}

int run_task(const po::variables_map& vm) {
  if (!vm.count("task-index")) throw std::invalid_argument("--run-points needs --task-index");
  PointStore store(vm["run-points"].as<std::string>());
  const int task = static_cast<int>(vm["task-index"].as<unsigned>());
  const std::vector<RunnablePoint> points = store.task_points(task);
  std::cout << "task " << task << ": " << points.size() << " points\n";
  const int jobs = vm.count("jobs") ? jobs_option(vm) : 1;
  // scancel sends the task SIGTERM: its running points stop with their output and are recorded.
  runtime::install_interrupt_handlers(runtime::InterruptAction::Flag);
  run_points_locally(store, points, child_settings(vm), jobs, slurm_task_label(), std::cout);
  if (const int signal = sim::interrupt_signal()) return 128 + signal;
  return 0;  // failed points are recorded; the task itself succeeded
}

int run_sweep(const po::variables_map& vm) {
  // Options that would be ignored are refused before anything runs: a negative --timeout ran with
  // no limit, --batch without --slurm did nothing (an outside researcher's report).
  if (!(vm["timeout"].as<double>() >= 0))
    throw std::invalid_argument("--timeout must be 0 (no limit) or a positive number of seconds");
  if (!vm.count("slurm") && (!vm["batch"].defaulted() || vm.count("sbatch-args")))
    throw std::invalid_argument("--batch and --sbatch-args apply to --slurm runs");
  const std::string spec_path = vm["spec"].as<std::string>();
  const SweepSpec spec = load_sweep_spec(spec_path);
  const std::vector<SweepPoint> points = expand_points(spec);
  const std::string db = vm.count("db") ? vm["db"].as<std::string>()
                                        : std::filesystem::path(spec_path).replace_extension(".db").string();
  if (vm.count("dry-run")) {
    for (const SweepPoint& p : points) {
      std::cout << p.id << "  gpusim";
      for (const std::string& w : p.command) std::cout << " " << w;
      std::cout << "\n";
    }
    std::cout << points.size() << " points\n";
    return 0;
  }
  PointStore store(db);
  store.add_points(points, spec.path);
  std::vector<std::string> ids;
  for (const SweepPoint& p : points) ids.push_back(p.id);
  const std::vector<RunnablePoint> todo = store.to_run(ids, vm.count("rerun") > 0);
  std::cout << "sweep " << spec.path << ": " << points.size() << " points, " << points.size() - todo.size()
            << " already ok in " << db << ", " << todo.size() << " to run\n";
  const auto start = std::chrono::steady_clock::now();
  RunSummary summary;
  if (vm.count("slurm")) {
    SlurmSettings slurm;
    slurm.batch = static_cast<int>(vm["batch"].as<unsigned>());
    if (slurm.batch == 0) throw std::invalid_argument("--batch must be positive");
    slurm.jobs_per_task = vm.count("jobs") ? jobs_option(vm) : 1;
    if (vm.count("sbatch-args")) slurm.sbatch_args = split_words(vm["sbatch-args"].as<std::string>());
    summary = run_points_on_slurm(store, db, todo, child_settings(vm), slurm, std::cout);
  } else {
    // Ctrl-C or SIGTERM: no new point starts, each running one gets SIGTERM (it stops at a safe
    // point, keeping its output) and is recorded failed, the scratch files go, and the sweep exits
    // 128 + signal; before, the sweep died at once and its points simulated on as orphans.
    runtime::install_interrupt_handlers(runtime::InterruptAction::Flag);
    summary = run_points_locally(store, todo, child_settings(vm), jobs_option(vm), "", std::cout);
    if (const int signal = sim::interrupt_signal()) {
      std::cout << "sweep " << runtime::interrupted_message(signal) << ": " << summary.ok << " ok, " << summary.failed
                << " failed or stopped, " << todo.size() - summary.ok - summary.failed
                << " not started; results in " << db << " (rerun the same command to resume)\n";
      return 128 + signal;
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "done: " << summary.ok << " ok, " << summary.failed << " failed in " << wall << " s";
  if (wall > 0 && !todo.empty()) std::cout << " (" << todo.size() / wall << " points/s)";
  std::cout << "; results in " << db << (summary.failed ? " (rerun the same command to retry the failed points)" : "")
            << "\n";
  return summary.failed ? 1 : 0;
}

}  // namespace

int gpusim_cmd_sweep(int argc, char** argv) {
  po::options_description opts("gpusim sweep options");
  opts.add_options()("help,h", "show this help")(
      "db", po::value<std::string>(), "the SQLite database (default: SPEC with the extension .db)")(
      "jobs,j", po::value<unsigned>(), "points run at once (default: all cores; with --slurm: per array task, default 1)")(
      "timeout", po::value<double>()->default_value(0), "kill a point running longer than this many seconds (0: never)")(
      "rerun", "run every point again, also those already ok")(
      "dry-run", "list the points and their gpusim command lines, run nothing")(
      "slurm", "run the points as one SLURM job array (sbatch --wait) instead of locally")(
      "batch", po::value<unsigned>()->default_value(1), "with --slurm: points per array task")(
      "sbatch-args", po::value<std::string>(), "with --slurm: extra sbatch options, e.g. \"--partition=short --time=10\"")(
      "report", po::value<std::string>(), "print the points of this database as a table (no sweep runs)")(
      "metric", po::value<std::string>()->default_value("cycles"),
      "with --report: cycles | seconds | host_seconds | ipc | a stats key (dram.bandwidth_gbs) | sum:KEY")(
      "against", po::value<std::string>()->default_value("size"),
      "with --report -o: the x axis: size | config | mode | a --set key (sm.count)")(
      "output,o", po::value<std::string>(), "with --report: write the SVG plot here");
  po::options_description hidden;
  hidden.add_options()("spec", po::value<std::string>(), "sweep spec")(
      "run-points", po::value<std::string>(), "run one SLURM task's points of this database")(
      "task-index", po::value<unsigned>(), "the SLURM array task index");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("spec", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim sweep: " << sim::option_error_text(e) << "\n\n";
    print_usage(std::cerr, opts);
    return 2;
  }
  if (vm.count("help")) {
    print_usage(std::cout, opts);
    return 0;
  }
  try {
    if (vm.count("report")) return report(vm);
    if (vm.count("run-points")) return run_task(vm);
    if (!vm.count("spec")) {
      std::cerr << "gpusim sweep: give a sweep spec (or --report DB)\n\n";
      print_usage(std::cerr, opts);
      return 2;
    }
    return run_sweep(vm);
  } catch (const SpecError& e) {
    std::cerr << "gpusim sweep: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "gpusim sweep: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gpusim sweep: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
