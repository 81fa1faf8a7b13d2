// `gpusim l2-fanin`: k SMs load the same L2 lines at once (workloads/ubench_fanin.h), on the timing
// model with l2.merge_limit_blocks = 0 and = 1 side by side, on the real GPU, or both; with both,
// it names the merge_limit_blocks value whose cold cycles/line are nearer the card's (the rule of
// docs/VALIDATION.md, "L2 fan-in").
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "runtime/cuda_device.h"
#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "workloads/ubench_fanin.h"

namespace gpusim::cli {
namespace {

namespace po = boost::program_options;
using workloads::ubench::FaninResult;

using workloads::ubench::FaninKind;

struct Row {
  uint32_t ctas = 1;
  FaninKind kind = FaninKind::Cold;
  double model[2] = {0, 0};  // cycles/line with merge_limit_blocks = 0, 1
  double card = -1;          // < 0: not measured
  workloads::ubench::FaninResult detail[2];  // the model's runs, merge_limit_blocks = 0 and 1
};

std::vector<uint32_t> parse_ctas(const std::string& text) {
  std::vector<uint32_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    unsigned long v = 0;
    try {
      v = std::stoul(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || v < 1 || v > 4096)
      throw std::invalid_argument("--ctas '" + text + "': '" + item + "' is not a CTA count in 1..4096");
    out.push_back(uint32_t(v));
  }
  if (out.empty()) throw std::invalid_argument("--ctas is empty");
  return out;
}

}  // namespace

int gpusim_cmd_l2_fanin(int argc, char** argv) {
  po::options_description options("gpusim l2-fanin [--config FILE] [--set k=v]... [--backend B] [--ctas LIST] [--lines N]");
  std::string config_path, csv_path, backend = "sim", ctas_text = "1,2,4,8,16";
  std::vector<std::string> overrides;
  uint32_t lines = 4096, warps = 8;
  options.add_options()
      ("help,h", "print this help")
      ("config", po::value(&config_path), "GPU configuration INI file (default: the embedded V100-like chip)")
      ("set", po::value(&overrides)->composing(), "override one key (repeatable)")
      ("backend", po::value(&backend), "sim (timing model, merge_limit_blocks 0 and 1) | cuda (the GPU) | both")
      ("ctas", po::value(&ctas_text), "comma-separated CTA counts k (one CTA per SM), default 1,2,4,8,16")
      ("lines", po::value(&lines), "128-B lines every CTA loads (default 4096: 512 KiB, above the L1, which the simulator uses for .cg)")
      ("warps", po::value(&warps), "warps per CTA, even (default 8; mixed: half load the shared lines, half their own)")
      ("csv", po::value(&csv_path), "also write the table as CSV to this file");
  po::variables_map args;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), args);
    po::notify(args);
  } catch (const po::error& e) {
    std::cerr << "gpusim l2-fanin: " << sim::option_error_text(e) << "\n" << options;
    return 2;
  }
  if (args.count("help")) {
    std::cout << options
              << "\nk CTAs, one per SM, load the same lines with ld.global.cg at once, cold (DRAM through the\n"
                 "L2), warm (L2 hits) and mixed (one cold shared line in eight, the rest hits on lines of the\n"
                 "CTA's own); prints cycles per line per CTA. Cold, the L2 merges a line's\n"
                 "concurrent misses up to its MSHR merge limit; l2.merge_limit_blocks sets what a request\n"
                 "beyond it does (1: stalls its slice until the fill; 0: waits aside).\n";
    return 0;
  }
  if (backend != "sim" && backend != "cuda" && backend != "both") {
    std::cerr << "gpusim l2-fanin: --backend '" << backend << "': expected sim, cuda or both\n";
    return 2;
  }
  std::vector<Row> rows;
  try {
    const std::vector<uint32_t> ctas = parse_ctas(ctas_text);
    for (FaninKind kind : {FaninKind::Cold, FaninKind::Warm, FaninKind::Mixed})
      for (uint32_t k : ctas) {
        Row r;
        r.ctas = k;
        r.kind = kind;
        rows.push_back(r);
      }
    sim::GpuConfig config = sim::load_gpu_config(config_path, overrides);  // checks the file and keys first
    if (backend != "cuda") {
      std::cout << "# gpusim l2-fanin on " << config.name << ", timing mode, " << lines
                << " lines x " << warps << " warps per CTA\n";
      for (int blocks = 0; blocks < 2; ++blocks) {
        runtime::SimDeviceOptions o;
        o.config_path = config_path;
        o.overrides = overrides;
        o.overrides.push_back("l2.merge_limit_blocks=" + std::to_string(blocks));
        o.mode = runtime::SimMode::Timing;
        for (Row& r : rows) {
          auto dev = runtime::make_sim_device(o);  // a fresh (cold) L2 for every row
          const workloads::ubench::FaninResult f = workloads::ubench::measure_l2_fanin(*dev, r.ctas, lines, r.kind, warps);
          r.model[blocks] = f.cycles_per_line;
          r.detail[blocks] = f;
        }
      }
    }
    if (backend != "sim") {
      std::unique_ptr<runtime::Device> gpu = runtime::make_cuda_device();
      std::cout << "# gpusim l2-fanin on " << gpu->name() << "\n";
      for (Row& r : rows) {
        // Cold needs lines the L2 has not seen: a fresh allocation each time (the previous one is freed).
        r.card = workloads::ubench::measure_l2_fanin(*gpu, r.ctas, lines, r.kind, warps).cycles_per_line;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "gpusim l2-fanin: " << e.what() << "\n";
    return 1;
  }
  std::cout << std::left << std::setw(6) << "k" << std::setw(6) << "kind" << std::right;
  if (backend != "cuda") std::cout << std::setw(14) << "merge_blk=0" << std::setw(14) << "merge_blk=1";
  if (backend != "sim") std::cout << std::setw(12) << "card";
  if (backend != "cuda")
    std::cout << "   model, merge_blk=0: slowest CTA; L2 hit/miss sectors, merge-limit refusals, DRAM bytes;"
                 " slice-blocked cycles with merge_blk=1";
  std::cout << "\n" << std::fixed << std::setprecision(1);
  for (const Row& r : rows) {
    std::cout << std::left << std::setw(6) << r.ctas << std::setw(6) << workloads::ubench::fanin_kind_name(r.kind) << std::right;
    if (backend != "cuda") std::cout << std::setw(14) << r.model[0] << std::setw(14) << r.model[1];
    if (backend != "sim") std::cout << std::setw(12) << r.card;
    if (backend != "cuda")
      std::cout << "   " << r.detail[0].slowest_cycles_per_line << "; " << r.detail[0].l2_hit_sectors << " / "
                << r.detail[0].l2_miss_sectors << ", " << r.detail[0].merge_limit_stalls << ", " << r.detail[0].dram_read_bytes
                << "; " << r.detail[1].blocked_slice_cycles;
    std::cout << "\n";
  }
  std::cout << "(cycles per line per CTA: the timed pass's clock64 cycles / lines, mean over the CTAs)\n";
  if (backend == "both") {
    for (const Row& r : rows) {
      if (r.kind != FaninKind::Mixed || r.ctas != 8) continue;
      std::cout << "k = 8 mixed: the card's " << r.card << " cycles/line selects l2.merge_limit_blocks = "
                << workloads::ubench::nearer_merge_limit_setting(r.card, r.model[0], r.model[1]) << "\n";
    }
  }
  if (!csv_path.empty()) {
    std::ostringstream csv;
    csv << "ctas,kind,model_merge_limit_blocks_0,model_merge_limit_blocks_1,card\n";
    for (const Row& r : rows)
      csv << r.ctas << "," << workloads::ubench::fanin_kind_name(r.kind) << "," << r.model[0] << "," << r.model[1] << "," << r.card << "\n";
    try {
      sim::write_file_completely(csv_path, csv.str());
    } catch (const std::runtime_error& e) {
      std::cerr << "gpusim l2-fanin: --csv: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace gpusim::cli
