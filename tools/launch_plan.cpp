#include "tools/launch_plan.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "isa/kernel_names.h"
#include "isa/ptx_parser.h"
#include "runtime/fatbin.h"
#include "runtime/rdc_program.h"
#include "runtime/sim_loaded_module.h"
#include "sim/device_file.h"
#include "sim/gpu_config.h"
#include "sim/output_file.h"
#include "tools/cuda_source_compile.h"
#include "tools/device_run_support.h"
#include "tools/file_roles.h"
#include "tools/launch/kernel_choice.h"
#include "tools/launch/kernel_params.h"

namespace gpusim::cli {
namespace po = boost::program_options;

namespace {

using launch::ArgSpec;
using launch::BufferArg;
using launch::BufferRole;
using launch::HostBuffer;

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error("'" + path + "' is a directory, not a PTX file");
  if (sim::is_device_file(path))
    throw std::runtime_error("'" + path + "' is a device, not a PTX file");
  std::string text, error, step;
  if (!sim::read_whole_file(path, text, error, step)) throw std::runtime_error("cannot " + step + " '" + path + "': " + error);
  return text;
}

std::string kernel_names(const isa::Module& m) {
  std::vector<std::string> names;
  for (const isa::Function& f : m.functions)
    if (f.is_entry) names.push_back(launch::describe_kernel_name(f.name));
  return isa::listed_names(names);
}

// The --kernel named (launch/kernel_choice.h: mangled, demangled or plain), or the file's only
// kernel when none is named.
const isa::Function& select_kernel(const isa::Module& m, const std::string& file, const std::string& name) {
  size_t entries = 0;
  const isa::Function* only = nullptr;
  for (const isa::Function& f : m.functions)
    if (f.is_entry) ++entries, only = &f;
  if (entries == 0) throw std::runtime_error(file + " has no kernel (no .entry)");
  if (!name.empty()) {
    const std::vector<const isa::Function*> found = launch::kernels_named(m, name);
    if (found.size() == 1) return *found.front();
    if (found.empty())
      throw UsageError("no kernel named '" + name + "' in " + file + " (kernels: " + kernel_names(m) + ")");
    std::string which;
    for (const isa::Function* f : found) which += (which.empty() ? "" : ", ") + launch::describe_kernel_name(f->name);
    throw UsageError("--kernel '" + name + "' matches " + std::to_string(found.size()) + " kernels in " + file + " (" +
                     which + "): give the template arguments or the PTX name");
  }
  if (entries > 1)
    throw UsageError(file + " has " + std::to_string(entries) + " kernels (" + kernel_names(m) +
                     "): choose one with --kernel NAME");
  return *only;
}


// --symbol NAME:TYPE:FILE, checked against the module's variables (it must exist and the file
// must fit in it) before anything runs.
void add_symbol(LaunchPlan& plan, const std::string& spec) {
  const size_t first = spec.find(':'), second = first == std::string::npos ? first : spec.find(':', first + 1);
  if (second == std::string::npos) throw UsageError("--symbol '" + spec + "': expected NAME:TYPE:FILE");
  const std::string name = spec.substr(0, first), path = spec.substr(second + 1);
  const auto type = launch::parse_element_type(spec.substr(first + 1, second - first - 1));
  if (!type) throw UsageError("--symbol '" + spec + "': '" + spec.substr(first + 1, second - first - 1) + "' is not a type");
  const isa::Symbol* symbol = nullptr;
  for (const isa::Symbol& sym : plan.module.symbols)
    if (sym.owner == -1 && sym.name == name &&
        (sym.space == isa::StateSpace::Const || sym.space == isa::StateSpace::Global))
      symbol = &sym;
  if (!symbol) throw UsageError("--symbol '" + spec + "': " + plan.ptx_path + " has no __constant__ or __device__ variable '" + name + "'");
  HostBuffer contents;
  try {
    contents = launch::load_buffer_file(path, *type);
  } catch (const std::exception& e) {
    throw std::runtime_error("--symbol '" + spec + "': " + e.what());
  }
  if (contents.bytes.size() > symbol->size)
    throw UsageError("--symbol '" + spec + "': " + std::to_string(contents.bytes.size()) + " bytes do not fit in '" + name +
                     "' (" + std::to_string(symbol->size) + " bytes)");
  // Filling only the start may be meant, but a truncated table silently gives wrong results (an
  // outside user's 100-byte file for a 256-byte SHA-256 constant table): said, not refused.
  if (contents.bytes.size() < symbol->size)
    std::cerr << "gpusim launch: note: --symbol '" << spec << "': the file holds " << contents.bytes.size() << " of '" << name
              << "''s " << symbol->size << " bytes; the rest keeps the value the PTX gives it ("
              << (symbol->init.empty() ? "zeros" : "its initializer") << ")\n";
  plan.symbols[name] = std::move(contents);
}


// Two buffers saved to one file is a usage error.
void check_output_paths(const std::vector<ArgSpec>& args) {
  std::map<std::string, size_t> saved_to;
  for (const ArgSpec& a : args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b || b->output_path.empty()) continue;
    if (auto [it, fresh] = saved_to.emplace(b->output_path, a.index); !fresh)
      throw UsageError("arguments " + std::to_string(it->second) + " and " + std::to_string(a.index) +
                       " both save to '" + b->output_path + "'");
  }
}

// A folder that does not exist is found before a possibly long simulation rather than after it.
void check_output_folders(const std::vector<ArgSpec>& args) {
  for (const ArgSpec& a : args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b || b->output_path.empty()) continue;
    const std::filesystem::path folder = std::filesystem::path(b->output_path).parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
      throw std::runtime_error("argument " + std::to_string(a.index) + " ('" + a.text + "'): " + b->output_path +
                               ": cannot be written: folder '" + folder.string() + "' does not exist");
  }
}

// No output may be an input or another output (tools/file_roles.h).
void check_file_roles(const LaunchPlan& plan, const po::variables_map& vm) {
  FileRoles files = device_option_files(vm);
  files.reads(vm["file"].as<std::vector<std::string>>().front(), "the kernel file");
  if (vm.count("keep-ptx")) files.writes(vm["keep-ptx"].as<std::string>(), "--keep-ptx");
  if (vm.count("expect"))  // a reference an output would overwrite is lost to the next run
    for (const std::string& spec : vm["expect"].as<std::vector<std::string>>())
      if (const size_t colon = spec.find(':'); colon != std::string::npos)
        files.reads(spec.substr(colon + 1), "--expect " + spec.substr(0, colon) + "'s reference");
  for (const ArgSpec& a : plan.args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b) continue;
    const std::string name = "argument " + std::to_string(a.index) + " ('" + a.text + "')";
    // inout:T:F:F updates F in place (read whole before the launch, written after it): fine.
    if (!b->input_path.empty() && !FileRoles::same_file(b->input_path, b->output_path))
      files.reads(b->input_path, name + "'s input");
    if (!b->output_path.empty()) files.writes(b->output_path, name + "'s output");
    if (!b->generated_copy_path.empty()) files.writes(b->generated_copy_path, name + "'s copy of its values");
  }
  try {
    files.check();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}


}  // namespace

uint64_t buffer_bytes(const LaunchPlan& plan, size_t index, const BufferArg& b) {
  if (auto it = plan.inputs.find(index); it != plan.inputs.end()) return it->second.bytes.size();
  return launch::element_count(b.shape) * launch::element_size(b.type);
}

// Reads every in/inout file, and refuses buffers that cannot fit in this host's memory (the
// simulator keeps a device copy beside the host copy) instead of dying in an allocation.
namespace {
void load_inputs(LaunchPlan& plan) {
  uint64_t total = 0;
  for (const ArgSpec& a : plan.args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b) continue;
    const bool generated = b->generator.kind != launch::BufferGenerator::Kind::None;
    if ((b->role == BufferRole::In && !generated) || b->role == BufferRole::InOut) {
      try {
        plan.inputs[a.index] = launch::load_buffer_file(b->input_path, b->type);
      } catch (const std::exception& e) {
        throw std::runtime_error("argument " + std::to_string(a.index) + " ('" + a.text + "'): " + e.what());
      }
    }
    const uint64_t bytes = buffer_bytes(plan, a.index, *b);
    total = bytes > ~uint64_t(0) - total ? ~uint64_t(0) : total + bytes;  // each is below 2^62; many may not be
  }
  const uint64_t host_bytes = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGE_SIZE));
  if (host_bytes > 0 && total > host_bytes / 2)
    throw std::runtime_error("the buffers need " + std::to_string(total) + " bytes, more than half of this host's " +
                             std::to_string(host_bytes) + " bytes of memory");
  // Generated inputs once they are known to fit; a rand: copy written for the user's reference.
  for (const ArgSpec& a : plan.args) {
    const auto* b = std::get_if<BufferArg>(&a.value);
    if (!b || b->generator.kind == launch::BufferGenerator::Kind::None) continue;
    plan.inputs[a.index] = launch::generate_buffer(b->generator, b->type, b->shape);
    if (b->generated_copy_path.empty()) continue;
    try {
      launch::save_buffer_file(b->generated_copy_path, plan.inputs[a.index]);
    } catch (const std::exception& e) {
      throw std::runtime_error("argument " + std::to_string(a.index) + " ('" + a.text + "'): " + e.what());
    }
  }
}

// --expect N:FILE: argument N must be an output (out / inout), FILE its reference in the argument's
// type and of its size; read now, so a wrong path fails before the simulation.
void add_expectation(LaunchPlan& plan, const std::string& spec) {
  const size_t colon = spec.find(':');
  uint64_t index = 0;
  try {
    if (colon == std::string::npos) throw std::invalid_argument("");
    index = launch::parse_unsigned(spec.substr(0, colon), plan.args.empty() ? 0 : plan.args.size() - 1, "--expect");
  } catch (const std::invalid_argument&) {
    throw UsageError("--expect '" + spec + "': expected N:FILE, N the index of an out or inout --arg (0 to " +
                     std::to_string(plan.args.empty() ? 0 : plan.args.size() - 1) + ")");
  }
  const auto* b = std::get_if<BufferArg>(&plan.args[index].value);
  if (!b || (b->role != BufferRole::Out && b->role != BufferRole::InOut))
    throw UsageError("--expect '" + spec + "': argument " + std::to_string(index) + " ('" + plan.args[index].text +
                     "') is not an output buffer (out:... or inout:...)");
  HostBuffer reference;
  try {
    reference = launch::load_buffer_file(spec.substr(colon + 1), b->type);
  } catch (const std::exception& e) {
    throw std::runtime_error("--expect '" + spec + "': " + e.what());
  }
  const uint64_t bytes = buffer_bytes(plan, index, *b);
  if (reference.bytes.size() != bytes)
    throw UsageError("--expect '" + spec + "': the file holds " + std::to_string(reference.bytes.size()) +
                     " bytes, argument " + std::to_string(index) + " " + std::to_string(bytes));
  plan.expected[index] = std::move(reference);
  plan.expected_files[index] = spec.substr(colon + 1);
}

}  // namespace

LaunchPlan plan_launch(const po::variables_map& vm, const runtime::SimDeviceOptions& sim_options) {
  LaunchPlan plan;
  if (!vm.count("file")) throw UsageError("missing FILE.ptx or FILE.cu");
  if (!vm.count("grid")) throw UsageError("missing --grid X[,Y,Z]");
  if (!vm.count("block")) throw UsageError("missing --block X[,Y,Z]");
  const std::vector<std::string> specs = vm.count("arg") ? vm["arg"].as<std::vector<std::string>>() : std::vector<std::string>{};
  try {
    const launch::Extent3 grid = launch::parse_extent3(vm["grid"].as<std::string>(), "--grid");
    const launch::Extent3 block = launch::parse_extent3(vm["block"].as<std::string>(), "--block");
    plan.config.grid = isa::Dim3{grid.x, grid.y, grid.z};
    plan.config.block = isa::Dim3{block.x, block.y, block.z};
    if (vm.count("shared"))
      plan.config.dynamic_shared_bytes =
          static_cast<uint32_t>(launch::parse_unsigned(vm["shared"].as<std::string>(), 0xffffffffu, "--shared"));
    for (size_t i = 0; i < specs.size(); ++i) plan.args.push_back(launch::parse_arg_spec(specs[i], i));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  check_output_paths(plan.args);
  check_file_roles(plan, vm);  // before anything is written (--keep-ptx's file at the compile)

  plan.ptx_path = vm["file"].as<std::vector<std::string>>().front();
  const sim::GpuConfig config = sim::load_gpu_config(sim_options.config_path, sim_options.overrides);
  if (is_cuda_source(plan.ptx_path)) {
    const std::vector<std::string> flags =
        vm.count("nvcc-flag") ? vm["nvcc-flag"].as<std::vector<std::string>>() : std::vector<std::string>{};
    const CompiledSource compiled = compile_cuda_source(plan.ptx_path, config.sm_arch, flags);
    std::cerr << "gpusim launch: " << compiled.command << "\n";
    plan.ptx_text = compiled.ptx_text;
    std::string joined;
    for (const std::string& f : flags) joined += f + " ";
    plan.max_registers = runtime::max_registers_option(joined);
    if (vm.count("keep-ptx")) {
      // Messages cite PTX lines; kept, the file they cite exists (nvcc's own goes with its scratch folder).
      // (check_file_roles, above, made sure it is not the .cu file or another output.)
      plan.ptx_path = vm["keep-ptx"].as<std::string>();
      sim::write_file_completely(plan.ptx_path, plan.ptx_text);
    } else {
      plan.ptx_path += ".ptx";  // messages name PTX lines as FILE.cu.ptx:N, CUDA lines (-lineinfo) as FILE.cu:N
    }
  } else {
    if (vm.count("keep-ptx")) throw UsageError("--keep-ptx applies to a .cu file; " + plan.ptx_path + " is PTX already");
    if (vm.count("nvcc-flag")) throw UsageError("--nvcc-flag applies to a .cu file, not to " + plan.ptx_path);
    refuse_misnamed_cuda_source(plan.ptx_path);
    plan.ptx_text = read_text_file(plan.ptx_path);
  }
  plan.module = isa::parse_ptx(plan.ptx_text, plan.ptx_path);
  // As `gpusim exec` says it: PTX newer than the simulated chip runs here and not on such a GPU.
  runtime::ProgramPtx ptx;
  ptx.arch = runtime::ptx_target_arch(plan.module.target);
  const std::string note =
      runtime::ptx_choice_note(ptx, runtime::ptx_target_arch(config.sm_arch), plan.ptx_path, config.name);
  if (!note.empty()) std::cerr << "gpusim launch: note: " << note << "\n";
  plan.kernel = &select_kernel(plan.module, plan.ptx_path, vm.count("kernel") ? vm["kernel"].as<std::string>() : "");
  try {
    for (const std::string& note : launch::check_kernel_args(plan.module, *plan.kernel, plan.args))
      std::cerr << "gpusim launch: note: " << note << "\n";
  } catch (const launch::ArgSpecError& e) {
    throw UsageError(e.what());
  }
  check_output_folders(plan.args);
  load_inputs(plan);
  if (vm.count("symbol"))
    for (const std::string& spec : vm["symbol"].as<std::vector<std::string>>()) add_symbol(plan, spec);
  if (vm.count("expect"))
    for (const std::string& spec : vm["expect"].as<std::vector<std::string>>()) add_expectation(plan, spec);
  return plan;
}

}  // namespace gpusim::cli
