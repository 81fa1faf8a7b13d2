// A Device decorator's base: every call goes through to the wrapped device, so a decorator
// overrides only what it changes (time launches, record or corrupt copies, count calls) and
// cannot silently lose a capability the wrapped device has: a hand-written decorator that forgot
// to forward properties() once made every Hopper timing on a card fail.
#pragma once

#include <memory>
#include <string>

#include "runtime/device.h"

namespace gpusim::runtime {

class ForwardingDevice : public Device {
 public:
  // `inner` must outlive this object.
  explicit ForwardingDevice(Device& inner) : inner_(inner) {}
  // Owns the wrapped device.
  explicit ForwardingDevice(std::unique_ptr<Device> inner) : owned_(std::move(inner)), inner_(*owned_) {}

  std::string name() const override { return inner_.name(); }
  DevPtr alloc(size_t bytes) override { return inner_.alloc(bytes); }
  void free(DevPtr ptr) override { inner_.free(ptr); }
  void copy_to_device(DevPtr dst, const void* src, size_t bytes) override { inner_.copy_to_device(dst, src, bytes); }
  void copy_to_host(void* dst, DevPtr src, size_t bytes) override { inner_.copy_to_host(dst, src, bytes); }
  void memset(DevPtr dst, int value, size_t bytes) override { inner_.memset(dst, value, bytes); }
  ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) override {
    return inner_.load_ptx(source_name, ptx);
  }
  void unload_module(ModuleHandle module) override { inner_.unload_module(module); }
  LaunchStats launch(ModuleHandle module, const std::string& kernel, const LaunchConfig& cfg,
                     const KernelArgs& args) override {
    return inner_.launch(module, kernel, cfg, args);
  }
  void synchronize() override { inner_.synchronize(); }

  DeviceProperties properties() const override { return inner_.properties(); }
  void copy_device_to_device(DevPtr dst, DevPtr src, size_t bytes) override {
    inner_.copy_device_to_device(dst, src, bytes);
  }
  void map_host_memory(void* host, size_t bytes, HostMapping how = HostMapping::Owned) override {
    inner_.map_host_memory(host, bytes, how);
  }
  void unmap_host_memory(void* host) override { inner_.unmap_host_memory(host); }
  std::optional<AllocationInfo> allocation_at(DevPtr addr) const override { return inner_.allocation_at(addr); }
  void cap_registers(ModuleHandle module, unsigned max_registers) override { inner_.cap_registers(module, max_registers); }
  KernelInfo kernel_info(ModuleHandle module, const std::string& kernel, bool with_registers = false) override {
    return inner_.kernel_info(module, kernel, with_registers);
  }
  SymbolInfo symbol(ModuleHandle module, const std::string& symbol_name) override {
    return inner_.symbol(module, symbol_name);
  }
  void write_symbol(ModuleHandle module, const std::string& symbol_name, size_t offset, const void* src,
                    size_t bytes) override {
    inner_.write_symbol(module, symbol_name, offset, src, bytes);
  }
  void read_symbol(ModuleHandle module, const std::string& symbol_name, size_t offset, void* dst,
                   size_t bytes) override {
    inner_.read_symbol(module, symbol_name, offset, dst, bytes);
  }
  void set_limit(DeviceLimit limit, uint64_t value) override { inner_.set_limit(limit, value); }
  uint64_t get_limit(DeviceLimit limit) override { return inner_.get_limit(limit); }
  KernelArg encode_tensor_map_tiled(const TiledTensorMapSpec& spec) override {
    return inner_.encode_tensor_map_tiled(spec);
  }

 protected:
  Device& inner() const { return inner_; }

 private:
  std::unique_ptr<Device> owned_;  // before inner_: it is initialised first
  Device& inner_;
};

}  // namespace gpusim::runtime
