// Device memory for the SM-level tests: one flat zero-filled allocation at a fixed base address;
// accesses outside it fail as the simulator's memory reports a bad address.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::sim::testing {

class FlatMemory : public isa::GlobalMemory {
 public:
  FlatMemory(uint64_t base, size_t bytes) : base_(base), bytes_(bytes, 0) {}
  bool read(uint64_t addr, void* out, unsigned size) override {
    if (!inside(addr, size)) return false;
    std::memcpy(out, bytes_.data() + (addr - base_), size);
    return true;
  }
  bool write(uint64_t addr, const void* in, unsigned size) override {
    if (!inside(addr, size)) return false;
    std::memcpy(bytes_.data() + (addr - base_), in, size);
    return true;
  }
  uint64_t base() const { return base_; }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  bool inside(uint64_t addr, unsigned size) const { return addr >= base_ && addr + size <= base_ + bytes_.size(); }
  uint64_t base_;
  std::vector<uint8_t> bytes_;
};

}  // namespace gpusim::sim::testing
