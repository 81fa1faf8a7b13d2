// `gpusim launch FILE.ptx|FILE.cu [--kernel NAME] --grid X[,Y,Z] --block X[,Y,Z] [--shared BYTES]
//  --arg SPEC... [--backend sim|cuda|both]`: runs one kernel of the user's PTX (or of CUDA C++ that
// nvcc compiles to PTX first: tools/cuda_source_compile.h) with arguments
// given on the command line (scalars, and device buffers read from and saved to .npy or raw
// files; grammar in tools/launch/arg_spec.h), then saves the output buffers.
// Exit status: 0 ok, 1 file/device error, kernel fault or backends that disagree, 2 bad usage
// (options, argument specs, kernel choice, arguments that do not fit the kernel's parameters).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "isa/ptx_parser.h"
#include "runtime/device.h"
#include "sim/device_file.h"
#include "runtime/sim_device.h"
#include "sim/gpu_config.h"
#include "sim/option_error_text.h"
#include "tools/commands.h"
#include "tools/option_checks.h"
#include "tools/device_run_support.h"
#include "tools/interrupted_run.h"
#include "tools/launch/arg_spec.h"
#include "tools/stepped_commands.h"
#include "tools/launch/host_buffer.h"
#include "tools/launch/kernel_params.h"
#include "tools/launch_plan.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

using launch::ArgSpec;
using launch::BufferArg;
using launch::BufferRole;
using launch::HostBuffer;


const char* const kArgHelp =
    "argument specs, one --arg per kernel parameter, in order (TYPE: s8 s16 s32 s64 u8 u16 u32 u64 b8 b16 b32 b64 "
    "f16 bf16 f32 f64):\n"
    "  TYPE:VALUE               a scalar (u32:5, f32:1.5, s64:-3, b32:0xff, f64:0x1.8p3, f32:inf)\n"
    "  in:TYPE:FILE             a buffer uploaded from FILE (.npy with a matching dtype, otherwise raw bytes)\n"
    "  out:TYPE:COUNT:FILE      a zero-filled buffer of COUNT elements (N or a shape like 64x64), saved to FILE\n"
    "  inout:TYPE:INPUT:OUTPUT  uploaded from INPUT, saved to OUTPUT after the launch (INPUT without ':')\n"
    "  zeros:TYPE:COUNT         a zero-filled scratch buffer, not saved\n"
    "  rand:TYPE:COUNT[:SEED[:FILE]]  an input of random values: floats uniform in [-1, 1), integers in\n"
    "                           [0, 99] (SplitMix64 of SEED, default 1: the same on every machine); FILE gets a copy\n"
    "  iota:TYPE:COUNT          an input holding 0, 1, 2, ...\n"
    "  fill:TYPE:COUNT:VALUE    an input holding VALUE in every element (fill:f32:1024:1.5)\n"
    "  struct:TYPE:VALUE,...    a struct by value, its fields in C layout (struct:f32:1.5,s32:2)\n"
    "A pointer to structs is a buffer of bytes: in:u8:FILE with the structs as the host lays them out.\n"
    "--kernel takes the PTX name, the demangled signature (const float* or float const*), the name with\n"
    "template arguments (--kernel 'scale<float>') or the plain name when only one kernel has it.\n"
    "--shared over 48 KB: the launch opts in up to the chip's maximum for you, as a program must itself with\n"
    "cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, BYTES) before its launch.\n"
    "Buffers are passed as 64-bit device addresses. Files ending in .npy are NumPy arrays (C order, little\n"
    "endian; bf16 as '<u2' bit patterns); other names are raw little-endian elements.\n"
    "--backend both saves the GPU's buffers beside the simulator's (c.npy -> c.cuda.npy) and compares them.\n"
    "Exit status: 0 ok; 1 file, device or kernel error, or backends that disagree; 2 bad usage.\n";

void print_usage(std::ostream& os, const po::options_description& opts) {
  os << "usage: gpusim launch FILE.ptx|FILE.cu [--kernel NAME] --grid X[,Y,Z] --block X[,Y,Z] [--shared BYTES] --arg SPEC...\n"
     << "Runs one kernel of a PTX file (nvcc -ptx output), or of a CUDA C++ file that nvcc compiles to PTX first\n"
     << "(-ptx -lineinfo for the configuration's architecture; --nvcc-flag adds flags), on the simulator or the GPU\n"
     << "and saves its output buffers.\n\n"
     << opts << "\n" << kArgHelp;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s;
  for (uint64_t e : shape) s += (s.empty() ? "" : "x") + std::to_string(e);
  return s.empty() ? "1" : s;
}

// The kernel's output buffers (out / inout) by argument index, and the launch's statistics.
struct LaunchOutcome {
  runtime::LaunchStats stats;
  std::map<size_t, HostBuffer> outputs;
};

LaunchOutcome run_on(runtime::Device& device, const LaunchPlan& plan) {
  const runtime::ModuleHandle module = device.load_ptx(plan.ptx_path, plan.ptx_text);
  if (plan.max_registers) device.cap_registers(module, plan.max_registers);  // as ptxas -maxrregcount would
  for (const auto& [name, contents] : plan.symbols)
    device.write_symbol(module, name, 0, contents.bytes.data(), contents.bytes.size());
  runtime::KernelArgs kernel_args;
  std::map<size_t, runtime::DevPtr> pointers;
  for (const ArgSpec& a : plan.args) {
    if (const auto* s = std::get_if<launch::ScalarArg>(&a.value)) {
      kernel_args.push_back(runtime::KernelArg{s->bytes});
      continue;
    }
    const auto& b = std::get<BufferArg>(a.value);
    const uint64_t bytes = buffer_bytes(plan, a.index, b);
    const runtime::DevPtr p = device.alloc(bytes == 0 ? 1 : bytes);
    pointers[a.index] = p;
    if (auto it = plan.inputs.find(a.index); it != plan.inputs.end())
      device.copy_to_device(p, it->second.bytes.data(), bytes);
    else
      device.memset(p, 0, bytes);
    kernel_args.push_back(runtime::KernelArg::of(p));
  }
  LaunchOutcome outcome;
  outcome.stats = device.launch(module, plan.kernel->name, plan.config, kernel_args);
  for (const ArgSpec& a : plan.args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b || (b->role != BufferRole::Out && b->role != BufferRole::InOut)) continue;
    HostBuffer out;
    out.type = b->type;
    out.shape = b->role == BufferRole::Out ? b->shape : plan.inputs.at(a.index).shape;
    out.bytes.resize(buffer_bytes(plan, a.index, *b));
    device.copy_to_host(out.bytes.data(), pointers.at(a.index), out.bytes.size());
    outcome.outputs[a.index] = std::move(out);
  }
  for (const auto& [index, p] : pointers) device.free(p);
  return outcome;
}

void save_outputs(const LaunchPlan& plan, const LaunchOutcome& outcome, bool gpu_copy) {
  for (const auto& [index, buffer] : outcome.outputs) {
    const auto& b = std::get<BufferArg>(plan.args[index].value);
    const std::string path = gpu_copy ? launch::tagged_output_path(b.output_path, "cuda") : b.output_path;
    try {
      launch::save_buffer_file(path, buffer);
    } catch (const std::exception& e) {
      throw std::runtime_error("argument " + std::to_string(index) + " ('" + plan.args[index].text + "'): " + e.what());
    }
    std::cout << "saved    argument " << index << ": " << shape_text(buffer.shape) << " "
              << launch::element_type_name(buffer.type) << " to " << path << "\n";
  }
}

// Compares every output buffer of the two backends; true when all match.
// One buffer against another, the rest of a line: "all N elements match" or where they differ,
// naming the two sides; true when they match.
bool say_difference(const HostBuffer& a, const HostBuffer& b, double tolerance, const char* a_name, const char* b_name) {
  const launch::BufferDifference d = launch::compare_buffers(a.type, a.bytes, b.bytes, tolerance);
  if (d.differing == 0) {
    std::cout << "all " << d.elements << " elements match\n";
    return true;
  }
  std::cout << d.differing << " of " << d.elements << " elements differ; first at index " << d.first_index << " ("
            << a_name << " " << d.first_a << ", " << b_name << " " << d.first_b << "), max abs difference "
            << d.max_abs_difference << "\n";
  return false;
}

bool compare_outputs(const LaunchPlan& plan, const LaunchOutcome& sim, const LaunchOutcome& gpu, double tolerance) {
  bool all_match = true;
  std::cout << "compare  simulator vs GPU"
            << (tolerance > 0 ? " (relative tolerance " + std::to_string(tolerance) + ")" : ", exact") << ":\n";
  for (const auto& [index, s] : sim.outputs) {
    std::cout << "  argument " << index << " ('" << plan.args[index].text << "'): ";
    all_match = say_difference(s, gpu.outputs.at(index), tolerance, "simulator", "GPU") && all_match;
  }
  return all_match;
}

// --expect: each output against its reference file (the --tolerance for floats); false on a
// difference, which is said element and values.
bool check_expectations(const LaunchPlan& plan, const LaunchOutcome& outcome, double tolerance) {
  bool all_match = true;
  for (const auto& [index, reference] : plan.expected) {
    std::cout << "expect   argument " << index << " ('" << plan.args[index].text << "') against "
              << plan.expected_files.at(index) << (tolerance > 0 ? " (relative tolerance " + std::to_string(tolerance) + ")" : "")
              << ": ";
    all_match = say_difference(outcome.outputs.at(index), reference, tolerance, "got", "expected") && all_match;
  }
  return all_match;
}

// The output files the --arg specs name, space-separated ("" for none or unparsable specs).
std::string output_files(const po::variables_map& vm) {
  if (!vm.count("arg")) return "";
  std::string names;
  const std::vector<std::string> specs = vm["arg"].as<std::vector<std::string>>();
  for (size_t i = 0; i < specs.size(); ++i) {
    try {
      const launch::ArgSpec a = launch::parse_arg_spec(specs[i], i);
      if (const auto* b = std::get_if<launch::BufferArg>(&a.value); b && !b->output_path.empty())
        names += (names.empty() ? "" : " ") + b->output_path;
    } catch (const std::invalid_argument&) {
    }
  }
  return names;
}

// Said, not left to be noticed: a launch that faulted or never ran has no statistics and no
// results to save, and files of those names from an earlier run (left as they were) would pass
// for this one's (an outside architect's loop over configurations read a refused variant's
// --stats file as the previous variant's numbers).
void say_not_written(std::ostream& err, const std::string& prefix, const po::variables_map& vm, const std::string& why) {
  if (vm.count("stats"))
    err << prefix << "--stats " << vm["stats"].as<std::string>() << " not written: " << why
        << " (its output buffers were not written either)\n";
  else if (const std::string outputs = output_files(vm); !outputs.empty())
    err << prefix << "output buffers not written: " << why << " (" << outputs << " left as they were, where they exist)\n";
}


// Runs the plan on the chosen backends, prints and saves the results; the exit status.
int execute(const LaunchPlan& plan, const po::variables_map& vm, Backend backend,
            const runtime::SimDeviceOptions& sim_options, double tolerance) {
  const runtime::Dim3& g = plan.config.grid;
  const runtime::Dim3& b = plan.config.block;
  std::cout << "kernel   " << plan.kernel->name << " from " << plan.ptx_path << ", " << plan.args.size() << (plan.args.size() == 1 ? " argument\n" : " arguments\n")
            << "launch   grid " << g.x << "," << g.y << "," << g.z << ", block " << b.x << "," << b.y << "," << b.z
            << ", " << plan.config.dynamic_shared_bytes << " bytes dynamic shared\n";
  LaunchOutcome measured, simulated;
  if (backend != Backend::Sim) {
    std::unique_ptr<runtime::Device> gpu = open_cuda_backend("launch", backend, std::cerr);
    if (!gpu) return 1;
    std::cout << "device   " << gpu->name() << "\n";
    measured = run_on(*gpu, plan);
    print_measured_launch(std::cout, measured.stats);
    save_outputs(plan, measured, backend == Backend::Both);
    if (backend == Backend::Cuda && !check_expectations(plan, measured, tolerance)) return 1;
  }
  if (backend != Backend::Cuda) {
    std::unique_ptr<runtime::Device> device = runtime::make_sim_device(sim_options);
    std::cout << "device   " << device->name() << ", " << vm["mode"].as<std::string>() << " mode\n";
    try {
      simulated = run_on(*device, plan);
    } catch (const runtime::Interrupted& e) {  // no output buffers: the kernel did not finish
      return finish_interrupted("launch", e.signal(), *device, vm, {});
    }
    print_launch(std::cout, simulated.stats);
    std::cout << simulated.stats.report_text;
    if (const int signal = pending_interrupt()) return finish_interrupted("launch", signal, *device, vm, {simulated.stats});
    // The kernel's results first: a --stats or --trace file that cannot be written (a full disk)
    // must not cost the user the buffers the simulation produced.
    save_outputs(plan, simulated, false);
    if (vm.count("stats")) write_stats(vm["stats"].as<std::string>(), {simulated.stats});
    if (!finish_profiling_files("launch", *device)) return 1;
    if (!check_expectations(plan, simulated, tolerance)) return 1;
  }
  if (backend != Backend::Both) return 0;
  print_side_by_side(std::cout, {simulated.stats}, {measured.stats});
  return compare_outputs(plan, simulated, measured, tolerance) ? 0 : 1;
}

}  // namespace

int gpusim_cmd_launch(int argc, char** argv) {
  catch_interrupts();  // not for `gpusim step`, which shares launch_command
  return launch_command(argc, argv, {});
}

int launch_command(int argc, char** argv, const runtime::TimedLaunchRunner& runner) {
  // Stepping runs this command for `gpusim step`: its messages carry the name the user typed.
  const char* const prefix = runner ? "gpusim step: " : "gpusim launch: ";
  po::options_description opts("gpusim launch options");
  opts.add_options()("help,h", "show this help")(
      "kernel", po::value<std::string>(), "the kernel (.entry) to run; may be omitted when the file has one")(
      "grid", po::value<std::string>(), "grid size in CTAs: X, X,Y or X,Y,Z")(
      "block", po::value<std::string>(), "CTA size in threads: X, X,Y or X,Y,Z")(
      "shared", po::value<std::string>(), "dynamic shared memory per CTA, bytes (default 0)")(
      "arg", po::value<std::vector<std::string>>()->composing(), "one kernel argument (repeat in parameter order; see below)")(
      "symbol", po::value<std::vector<std::string>>()->composing(),
      "NAME:TYPE:FILE: write a __constant__ or __device__ variable of the PTX before the launch (repeatable)")(
      "tolerance", po::value<double>()->default_value(0.0),
      "--backend both and --expect: relative tolerance for float elements (0: bit-exact, NaN equals NaN)")(
      "expect", po::value<std::vector<std::string>>()->composing(),
      "N:FILE: output argument N must equal FILE (.npy or raw, its type) after the launch, else exit status 1 "
      "(repeatable)")(
      "nvcc-flag", po::value<std::vector<std::string>>()->composing(),
      "FILE.cu: one more nvcc flag (repeatable: --nvcc-flag=-DN=4 --nvcc-flag=-arch=compute_80)")(
      "keep-ptx", po::value<std::string>(), "FILE.cu: write the PTX nvcc made to this file (the one messages cite)");
  add_device_options(opts, "sim (the simulator) | cuda (the real GPU, same PTX) | both (one run each: times side by side, "
                           "output buffers compared)");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "the PTX or CUDA C++ file");
  opts.add(resource_limit_options());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("file", -1);

  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(all).positional(positional).extra_style_parser(bare_source_report).run();
    reject_negative_unsigned(parsed);
    po::store(parsed, vm);
    po::notify(vm);
    apply_resource_limit_options(vm);
  } catch (const std::invalid_argument& e) {
    std::cerr << prefix << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << prefix << sim::option_error_text(e) << "\n\n";
    print_usage(std::cerr, opts);
    return 2;
  }
  if (vm.count("help")) {
    print_usage(std::cout, opts);
    return 0;
  }
  if (vm.count("file") && vm["file"].as<std::vector<std::string>>().size() > 1) {
    std::cerr << prefix << "one file at a time (got " << vm["file"].as<std::vector<std::string>>().size() << ")\n";
    return 2;
  }

  runtime::SimDeviceOptions sim_options;
  Backend backend = Backend::Sim;
  const double tolerance = vm["tolerance"].as<double>();
  try {
    sim_options = sim_device_options(vm);
    sim_options.check_ptx_with_ptxas = true;  // hand-written PTX: ptxas's verdict in functional mode too
    backend = parse_backend(vm["backend"].as<std::string>());
    if (!(tolerance >= 0)) throw std::invalid_argument("--tolerance must be a non-negative number");
    if (runner) {
      require_steppable(sim_options, vm["backend"].as<std::string>());
      sim_options.timed_launch_runner = runner;
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << prefix << e.what() << "\n";
    return 2;
  }
  std::string kernel = "the kernel";
  try {
    const LaunchPlan plan = plan_launch(vm, sim_options);
    kernel = plan.kernel->name;
    return execute(plan, vm, backend, sim_options, tolerance);
  } catch (const UsageError& e) {
    std::cerr << prefix << e.what() << "\n";
    return 2;
  } catch (const isa::ParseError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  } catch (const runtime::KernelFault& e) {  // the simulator's report names kernel, CTA, thread, PC and line
    std::cerr << prefix << e.what() << "\n";
    say_not_written(std::cerr, prefix, vm, "the launch faulted");
    return 1;
  } catch (const runtime::Error& e) {  // refused (resources, shape) or failed before it ran
    std::cerr << prefix << device_error_text(kernel, e.what()) << "\n";
    say_not_written(std::cerr, prefix, vm, "the launch did not run");
    return 1;
  } catch (const std::exception& e) {
    std::cerr << prefix << e.what() << "\n";
    return 1;
  }
}

}  // namespace gpusim::cli
