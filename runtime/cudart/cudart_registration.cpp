// Start-up registration: every .cu file of the program registers its fat binary, kernels and
// variables from a static constructor before main() (shared/reference/cuda-runtime-abi.md).
// Nothing is parsed or simulated here: the fat binary is read (cheap), and its PTX is loaded on
// the first launch or variable access, so that errors surface at an API call the program checks.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/cudart/cudart_context.h"
#include "runtime/rdc_program.h"

using gpusim::cudart::context;
using gpusim::cudart::ModuleRecord;

namespace {

// The nvcc flag that puts PTX beside the machine code the program was built for: for the newest
// SASS architecture it holds (sm_75 SASS: compute_75, which the simulated GPUs of that capability
// run), compute_80 when it names none.
std::string ptx_flag(const gpusim::runtime::Fatbin& fb) {
  unsigned arch = 0;
  for (const gpusim::runtime::FatbinEntry& e : fb.entries)
    if (e.kind == gpusim::runtime::FatbinEntry::Kind::Elf) arch = std::max(arch, e.arch);
  for (const gpusim::runtime::Fatbin& unit : fb.prelinked)
    for (const gpusim::runtime::FatbinEntry& e : unit.entries)
      if (e.kind == gpusim::runtime::FatbinEntry::Kind::Elf) arch = std::max(arch, e.arch);
  const std::string xx = std::to_string(arch ? arch : 80);
  return "-gencode arch=compute_" + xx + ",code=compute_" + xx;
}

// Why a fat binary cannot run on the simulator, with the nvcc flag that fixes it; "" if it can.
std::string why_not_runnable(const gpusim::runtime::Fatbin& fb) {
  if (fb.wrapper_version == 2) {  // relocatable device code: each prelinked container's PTX is linked
    for (const gpusim::runtime::Fatbin& unit : fb.prelinked)
      if (unit.ptx_for(0)) return "";
    std::string held;
    for (const gpusim::runtime::Fatbin& unit : fb.prelinked) held += (held.empty() ? "" : "; ") + unit.describe();
    return "no translation unit of the program (built with relocatable device code) holds PTX (" + held +
           "); gpusim executes PTX: rebuild with nvcc " + ptx_flag(fb);
  }
  if (fb.wrapper_version != 1)
    return "its fat binary wrapper has version " + std::to_string(fb.wrapper_version) + ", which gpusim does not know";
  if (!fb.ptx_for(0))
    return "the program's fat binary holds no PTX (" + fb.describe() +
           "); gpusim executes PTX: rebuild with nvcc " + ptx_flag(fb) + " (or add code=compute_XX to each -gencode)";
  return "";
}

}  // namespace

extern "C" {

void** __cudaRegisterFatBinary(void* fat_cubin) {
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  gpusim::runtime::Fatbin fb;
  std::string error;
  try {
    fb = gpusim::runtime::read_fatbin_wrapper(fat_cubin);
    if (fb.wrapper_version == 2) fb.prelinked = gpusim::runtime::read_prelinked_fatbins(fat_cubin);
    error = why_not_runnable(fb);
  } catch (const std::exception& e) {
    error = std::string("its fat binary could not be read: ") + e.what();
  }
  ModuleRecord* m = ctx.add_module(std::move(fb), error);
  // The handle the program passes back is a pointer to a slot holding the record.
  auto** handle = new void*(m);
  return handle;
}

void __cudaRegisterFatBinaryEnd(void** handle) {}

void __cudaUnregisterFatBinary(void** handle) {
  // Records stay alive until the process ends: static destructors may still launch or copy.
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  ctx.flush_device_output();
}

void __cudaRegisterFunction(void** handle, const char* host_function, char* device_function, const char* device_name,
                            int thread_limit, uint3* tid, uint3* bid, dim3* block_dim, dim3* grid_dim, int* warp_size) {
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  ctx.add_kernel(static_cast<ModuleRecord*>(*handle), host_function, device_name);
}

void __cudaRegisterVar(void** handle, char* host_var, char* device_address, const char* device_name, int ext,
                       size_t size, int constant, int global) {
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  gpusim::cudart::VariableRecord var;
  var.name = device_name;
  var.size = size;
  var.constant = constant != 0;
  ctx.add_variable(static_cast<ModuleRecord*>(*handle), host_var, std::move(var));
}

void __cudaRegisterManagedVar(void** handle, void** host_slot, char* device_address, const char* device_name, int ext,
                              size_t size, int constant, int global) {
  auto& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  gpusim::cudart::VariableRecord var;
  var.name = device_name;
  var.size = size;
  // The host's copy until the module is loaded (Context::loaded then points the slot at the
  // device's placement); the program dereferences *host_slot after __cudaInitModule.
  var.host_copy = std::calloc(1, size ? size : 1);
  var.managed_host = var.host_copy;
  *host_slot = var.managed_host;
  ctx.add_variable(static_cast<ModuleRecord*>(*handle), host_slot, std::move(var));
}

char __cudaInitModule(void** handle) {
  return gpusim::cudart::api("__cudaInitModule", [&](gpusim::cudart::Context& c) {
           c.loaded(*static_cast<ModuleRecord*>(*handle));
         }) == cudaSuccess;
}

void __cudaRegisterHostVar(void**, const char*, char*, size_t) {}

}  // extern "C"
