// Relocatable device code: the prelinked containers and their linked PTX (runtime/rdc_program.h).
#include "runtime/rdc_program.h"

#include <cstdint>
#include <cstring>

#include <algorithm>

#include "isa/device_services.h"
#include "isa/ptx_link.h"

namespace gpusim::runtime {

namespace {

// __cudaPrelinkedFatbins has one slot per translation unit; a list longer than this is a wrapper
// whose 4th field is not such a list (or is not NULL-terminated).
constexpr size_t kMaxPrelinked = 1 << 16;

// The module's main source file from its `.file N "path"` lines (present with -lineinfo or -G):
// the first `.cu` one, else the first one; "" without line information.
std::string main_source_file(const std::string& ptx) {
  std::string first, cu;
  for (size_t f = ptx.find("\n.file"); f != std::string::npos && cu.empty(); f = ptx.find("\n.file", f + 1)) {
    const size_t eol = ptx.find('\n', f + 1);
    const size_t open = ptx.find('"', f);
    const size_t close = open == std::string::npos ? open : ptx.find('"', open + 1);
    if (close == std::string::npos || close > eol) continue;
    std::string path = ptx.substr(open + 1, close - open - 1);
    path = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    if (first.empty()) first = path;
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".cu") == 0) cu = path;
  }
  return cu.empty() ? first : cu;
}

}  // namespace

std::vector<Fatbin> read_prelinked_fatbins(const void* wrapper) {
  const auto* w = static_cast<const uint8_t*>(wrapper);
  const void* const* list = nullptr;
  std::memcpy(&list, w + 16, sizeof list);
  if (!list) throw FatbinError("fat binary: the version-2 wrapper lists no prelinked fat binaries");
  std::vector<Fatbin> out;
  for (size_t i = 0; list[i]; ++i) {
    if (i == kMaxPrelinked)
      throw FatbinError("fat binary: the prelinked list has no end after " + std::to_string(kMaxPrelinked) + " entries");
    try {
      out.push_back(read_fatbin_container_at(list[i]));
    } catch (const FatbinError& e) {
      throw FatbinError("prelinked fat binary " + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

std::string newer_ptx_advice(unsigned ptx_arch) {
  if (ptx_arch <= 90) return "--config configs/h100.ini simulates a compute_90 GPU";
  const std::string sm = "sm_" + std::to_string(ptx_arch);
  return "no shipped configuration is compute_" + std::to_string(ptx_arch) + ": --set chip.sm_arch=" + sm +
         " (or chip.sm_arch = " + sm + " in a configuration) simulates one";
}

std::string ptx_choice_note(const ProgramPtx& ptx, unsigned device_arch, const std::string& source,
                            const std::string& device_name) {
  const std::string device = device_name + ", compute capability " + std::to_string(device_arch / 10) + "." +
                             std::to_string(device_arch % 10);
  if (ptx.sass_arch && ptx.sass_arch != ptx.arch) {
    const std::string sm = std::to_string(ptx.sass_arch);
    return source + " is PTX for compute_" + std::to_string(ptx.arch) + ", but the binary also holds sm_" + sm +
           " machine code, which a GPU like the simulated one (" + device + ") would run instead; gpusim runs PTX only, "
           "so code conditioned on __CUDA_ARCH__ sees " + std::to_string(ptx.arch * 10) + " here and " + sm +
           "0 there (build with -gencode arch=compute_" + sm + ",code=[compute_" + sm + ",sm_" + sm +
           "] to ship PTX of the architecture the GPU runs)";
  }
  if (ptx.arch > device_arch)  // (machine code for the device is never newer than it: said above)
    return source + " is PTX for compute_" + std::to_string(ptx.arch) + ", newer than the simulated GPU (" + device +
           "); it runs here, where a GPU of that capability would refuse it (cudaErrorNoKernelImageForDevice); " +
           newer_ptx_advice(ptx.arch);
  return "";
}

ProgramPtx program_ptx(const Fatbin& fatbin, unsigned arch) {
  ProgramPtx out;
  if (fatbin.prelinked.empty()) {
    const FatbinEntry* e = fatbin.ptx_for(arch);
    if (!e) throw FatbinError("the fat binary holds no PTX (" + fatbin.describe() + ")");
    out.arch = e->arch;
    out.sass_arch = fatbin.sass_for(arch);
    out.text = e->payload;
    out.ptxas_options = e->ptxas_options;
    return out;
  }
  std::vector<isa::PtxLinkModule> modules;
  std::vector<unsigned> module_arch;
  std::string skipped;
  for (size_t i = 0; i < fatbin.prelinked.size(); ++i) {
    const Fatbin& fb = fatbin.prelinked[i];
    const FatbinEntry* e = fb.ptx_for(arch);
    if (!e) {  // nothing gpusim can run (SASS only); a kernel it held is then reported missing
      skipped += "\n// prelinked fat binary " + std::to_string(i) + " skipped: no PTX (" + fb.describe() + ")";
      continue;
    }
    isa::PtxLinkModule m;
    const std::string file = main_source_file(e->payload);
    m.name = "prelinked fat binary " + std::to_string(i) + ", compute_" + std::to_string(e->arch) + " PTX" +
             (file.empty() ? "" : ", " + file);
    m.text = e->payload;
    if (out.ptxas_options.empty()) out.ptxas_options = e->ptxas_options;
    modules.push_back(std::move(m));
    module_arch.push_back(e->arch);
  }
  if (modules.empty()) throw FatbinError("no prelinked fat binary holds PTX");
  // The program's own files share one -gencode, so their PTX has the oldest architecture.
  // PTX newer than both that and the device is library code built for other GPUs (libcudadevrt
  // ships only compute_121 PTX, all device-runtime code): linked only if a module calls into it.
  const unsigned base = *std::min_element(module_arch.begin(), module_arch.end());
  for (size_t k = 0; k < modules.size(); ++k) {
    modules[k].optional = module_arch[k] > std::max(base, arch);
    if (!modules[k].optional) out.arch = std::max(out.arch, module_arch[k]);
  }
  out.linked = true;
  out.text = isa::link_ptx(modules, [](std::string_view name) { return isa::is_device_runtime_function(std::string(name)); });
  out.text += skipped;
  return out;
}

}  // namespace gpusim::runtime
