// `gpusim train`: trains the MLP 784-512-512-10 (ReLU) on Fashion-MNIST with the autodiff
// framework, on the CPU reference backend, the simulated GPU or a real GPU, and reports test
// accuracy. On a device backend it also trains a CPU twin in lockstep (same initial weights, same batches)
// and prints both losses, and prints the kernel launches of one training step.
// Exit status: 0 success, 1 data/device/verification error, 2 bad usage.
#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <stdexcept>

#include "framework/backends.h"
#include "framework/cpu_backend.h"
#include "framework/graphviz.h"
#include "sim/output_file.h"
#include "framework/ops.h"
#include "framework/trainer.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/device_run_support.h"
#include "tools/option_checks.h"

namespace gpusim::cli {
namespace po = boost::program_options;
namespace fw = gpusim::framework;

namespace {

struct TrainOptions {
  size_t epochs = 1, batch = 64, limit = 0, test_limit = 0;
  float lr = 0.0f, momentum = 0.9f;
  std::string optimizer = "sgd", backend = "cpu", data_dir, dot_path;
  uint64_t seed = 1;
  bool verify = false;
  fw::BackendSpec spec;
};

// The model and its optimizer on one backend; built from `seed` so twins start identical.
struct Trainee {
  fw::BackendPtr backend;
  fw::ContextPtr context = std::make_shared<fw::Context>();
  std::shared_ptr<fw::nn::Sequential> model;
  std::unique_ptr<fw::optim::Optimizer> optimizer;

  Trainee(fw::BackendPtr b, const TrainOptions& o) : backend(std::move(b)) {
    std::mt19937 rng(static_cast<uint32_t>(o.seed));
    model = fw::nn::make_mlp({784, 512, 512, 10}, rng, backend, context);
    if (o.optimizer == "adam") optimizer = std::make_unique<fw::optim::Adam>(model->parameters(), o.lr);
    else optimizer = std::make_unique<fw::optim::SGD>(model->parameters(), o.lr, o.momentum);
  }
};

void progress_bar(std::ostream& os, size_t done, size_t total, float loss, double images_per_s) {
  constexpr int kWidth = 30;
  const int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
  os << "\r  [" << std::string(filled, '=') << (filled < kWidth ? ">" : "") << std::string(kWidth - std::min(filled + 1, kWidth), ' ')
     << "] " << done << "/" << total << "  loss " << std::fixed << std::setprecision(4) << loss << "  "
     << std::setprecision(0) << images_per_s << " img/s   " << std::flush;
  os.unsetf(std::ios::fixed);
}

// Kernel launches of one step, grouped by (op, kernel) in first-seen order.
void print_launch_table(std::ostream& os, const std::vector<fw::LaunchRecord>& launches) {
  struct Row {
    std::string op, kernel;
    uint64_t launches = 0, warp_instructions = 0, cycles = 0;
    double seconds = 0.0, host_seconds = 0.0;
  };
  std::vector<Row> rows;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const fw::LaunchRecord& l : launches) {
    auto [it, fresh] = index.try_emplace({l.op, l.stats.kernel}, rows.size());
    if (fresh) rows.push_back({l.op, l.stats.kernel});
    Row& r = rows[it->second];
    ++r.launches;
    r.warp_instructions += l.stats.warp_instructions;
    r.cycles += l.stats.cycles;
    r.seconds += l.stats.seconds;
    r.host_seconds += l.stats.host_seconds;
  }
  Row total{"total", ""};
  os << "kernel launches of one training step:\n"
     << std::left << std::setw(26) << "  op" << std::setw(24) << "kernel" << std::right << std::setw(9) << "launches"
     << std::setw(16) << "warp-instr" << std::setw(14) << "cycles" << std::setw(14) << "sim time us"
     << std::setw(12) << "host s" << "\n";
  auto print = [&](const Row& r) {
    os << std::left << "  " << std::setw(24) << r.op << std::setw(24) << r.kernel << std::right << std::setw(9)
       << r.launches << std::setw(16) << r.warp_instructions << std::setw(14)
       << (r.cycles ? std::to_string(r.cycles) : "-") << std::setw(14);
    if (r.seconds > 0) os << std::fixed << std::setprecision(2) << r.seconds * 1e6;
    else os << "-";
    os << std::setw(12) << std::fixed << std::setprecision(3) << r.host_seconds << "\n";
    os.unsetf(std::ios::fixed);
  };
  for (const Row& r : rows) {
    print(r);
    total.launches += r.launches;
    total.warp_instructions += r.warp_instructions;
    total.cycles += r.cycles;
    total.seconds += r.seconds;
    total.host_seconds += r.host_seconds;
  }
  print(total);
}

int run_training(const TrainOptions& o) {
  const std::string dir = o.data_dir.empty() ? fw::data::kFashionMnistDir : o.data_dir;
  const fw::data::Dataset train = fw::data::load_fashion_mnist(dir, "train", o.limit);
  const fw::data::Dataset test = fw::data::load_fashion_mnist(dir, "t10k", o.test_limit);
  Trainee main(fw::make_backend(o.spec), o);
  // The CPU reference run in lockstep with a simulator run (on a real GPU it would be the bottleneck).
  std::unique_ptr<Trainee> twin;
  if (o.backend == "sim") twin = std::make_unique<Trainee>(fw::make_cpu_backend(), o);

  std::cout << "model    " << main.model->name() << "\n"
            << "data     " << train.count << " training / " << test.count << " test images from " << dir << "\n"
            << "training " << o.epochs << " epoch(s), batch " << o.batch << ", " << o.optimizer << " lr " << o.lr
            << (o.optimizer == "sgd" ? ", momentum " + std::to_string(o.momentum).substr(0, 4) : "") << ", seed "
            << o.seed << ", backend " << main.backend->name() << (o.verify ? " (verified against the CPU)" : "") << "\n";

  fw::DeviceBackend* device = fw::device_backend_of(main.backend);
  fw::data::BatchIterator batches(train, o.batch, true, o.seed);
  double max_loss_diff = 0.0;
  for (size_t epoch = 0; epoch < o.epochs; ++epoch) {
    batches.start_epoch();
    fw::data::Batch batch;
    size_t step = 0, seen = 0;
    double loss_sum = 0.0;
    const auto start = std::chrono::steady_clock::now();
    while (batches.next(batch)) {
      if (epoch == 0 && step == 0 && !o.dot_path.empty()) {  // before recording: not part of the step
        const fw::Tensor x = fw::Tensor::from_vector(batch.images, {batch.size, train.features}, main.backend, main.context);
        sim::write_file_completely(o.dot_path, fw::to_dot(fw::cross_entropy((*main.model)(x), batch.labels)));
      }
      const bool profile = device && epoch == 0 && step == 0;
      if (profile) device->set_recording(true);
      const float loss = fw::train_step(*main.model, *main.optimizer, batch, train.features, main.backend, main.context);
      if (profile) {
        device->set_recording(false);
        std::cerr << "\n";
        print_launch_table(std::cout, device->launches());
        device->clear_launches();
      }
      if (twin) {
        const float cpu_loss = fw::train_step(*twin->model, *twin->optimizer, batch, train.features, twin->backend, twin->context);
        max_loss_diff = std::max(max_loss_diff, std::fabs(double{loss} - cpu_loss));
        std::cout << "  step " << step << ": loss " << std::setprecision(7) << loss << " (" << main.backend->name()
                  << "), " << cpu_loss << " (cpu)\n";
      }
      loss_sum += loss;
      seen += batch.size;
      ++step;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!twin) progress_bar(std::cerr, step, batches.batches_per_epoch(), static_cast<float>(loss_sum / step), seen / secs);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!twin) std::cerr << "\n";
    std::cout << "epoch " << epoch + 1 << ": mean loss " << std::setprecision(4) << loss_sum / std::max<size_t>(step, 1)
              << ", " << std::setprecision(1) << std::fixed << secs << " s, " << std::setprecision(0) << seen / secs
              << " images/s\n";
    std::cout.unsetf(std::ios::fixed);
  }
  if (twin) std::cout << "max |loss(" << main.backend->name() << ") - loss(cpu)| = " << max_loss_diff << "\n";
  const double accuracy = fw::evaluate_accuracy(*main.model, test, 256, main.backend, main.context);
  std::cout << "test accuracy " << std::fixed << std::setprecision(2) << 100.0 * accuracy << " % (" << test.count
            << " images)\n";
  return 0;
}

}  // namespace

int gpusim_cmd_train(int argc, char** argv) {
  TrainOptions o;
  std::string mode;
  po::options_description opts("gpusim train options");
  opts.add_options()("help,h", "show this help")(
      "epochs", po::value(&o.epochs)->default_value(1), "passes over the training set")(
      "batch", po::value(&o.batch)->default_value(64), "mini-batch size")(
      "lr", po::value(&o.lr), "learning rate (default 0.05 for sgd, 0.001 for adam)")(
      "momentum", po::value(&o.momentum)->default_value(0.9f), "SGD momentum")(
      "optimizer", po::value(&o.optimizer)->default_value("sgd"), "sgd | adam")(
      "backend", po::value(&o.backend)->default_value("cpu"), "cpu | sim | gpu")(
      "limit", po::value(&o.limit)->default_value(0), "train on the first N images only (0 = all 60000)")(
      "test-limit", po::value(&o.test_limit), "evaluate on the first N test images (default: all, but 256 on sim)")(
      "seed", po::value(&o.seed)->default_value(1), "seed for initial weights and shuffling")(
      "data", po::value(&o.data_dir), "directory with the Fashion-MNIST IDX files")(
      "verify", po::bool_switch(&o.verify), "re-run every device op on the CPU and stop at the first mismatch")(
      "mode", po::value(&mode)->default_value("functional"), "simulator mode: functional | timing")(
      "config", po::value(&o.spec.sim.config_path), "GPU configuration INI file for the simulator")(
      "set", po::value(&o.spec.sim.overrides)->composing(), "override a config key: --set key=value")(
      "threads", po::value<std::string>(), kThreadsOptionHelp)(
      "dot", po::value(&o.dot_path), "write the first step's computation graph as Graphviz DOT to FILE");
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::parse_command_line(argc, argv, opts);
    reject_negative_unsigned(parsed);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpusim train: " << sim::option_error_text(e) << "\n\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: gpusim train [options]\nTrains the MLP 784-512-512-10 on Fashion-MNIST.\n\n" << opts;
    return 0;
  }
  auto usage_error = [](const std::string& msg) {
    std::cerr << "gpusim train: " << msg << "\n";
    return 2;
  };
  if (o.optimizer != "sgd" && o.optimizer != "adam") return usage_error("--optimizer must be sgd or adam, not '" + o.optimizer + "'");
  if (o.backend != "cpu" && o.backend != "sim" && o.backend != "gpu")
    return usage_error("--backend must be cpu, sim or gpu, not '" + o.backend + "'");
  if (mode != "functional" && mode != "timing") return usage_error("--mode must be functional or timing, not '" + mode + "'");
  if (o.batch == 0 || o.epochs == 0) return usage_error("--batch and --epochs must be positive");
  if (o.verify && o.backend == "cpu") return usage_error("--verify checks a device backend against the CPU; use --backend sim or gpu");
  if (!vm.count("lr")) o.lr = o.optimizer == "adam" ? 1e-3f : 0.05f;
  if (!(o.lr > 0.0f)) return usage_error("--lr must be positive");
  if (!vm.count("test-limit")) o.test_limit = o.backend == "sim" ? 256 : 0;
  o.spec.name = o.backend;
  o.spec.verify = o.verify;
  o.spec.sim.mode = mode == "timing" ? runtime::SimMode::Timing : runtime::SimMode::Functional;
  if (vm.count("threads")) {
    if (o.backend != "sim") return usage_error("--threads sets the simulator's host threads; use it with --backend sim");
    try {
      o.spec.sim.threads = parse_threads_option(vm["threads"].as<std::string>());
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    }
  }
  try {
    return run_training(o);
  } catch (const std::exception& e) {
    std::cerr << "\ngpusim train: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
