// The simulated device's global memory: a set of allocations with guard gaps between them, so
// that every access outside an allocation is caught and reported rather than silently landing
// in a neighbour.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/exec_context.h"

namespace gpusim::runtime {

class DeviceMemory final : public isa::GlobalMemory {
 public:
  // Device addresses start here (well below the generic shared/local/const windows).
  static constexpr uint64_t kBase = 0x0000'1000'0000'0000ull;
  static constexpr uint64_t kAlign = 256;  // like cudaMalloc
  static constexpr uint64_t kGuard = 256;  // unmapped bytes after each allocation

  uint64_t allocate(uint64_t bytes);
  // Throws std::invalid_argument when `addr` is not the start of a live allocation.
  void release(uint64_t addr);
  bool read(uint64_t addr, void* out, unsigned size) override;
  bool write(uint64_t addr, const void* in, unsigned size) override;
  // Host-side copies over arbitrary lengths; throw std::out_of_range naming the allocation.
  void copy_in(uint64_t addr, const void* src, uint64_t bytes);
  void copy_out(void* dst, uint64_t addr, uint64_t bytes) const;
  void fill(uint64_t addr, int value, uint64_t bytes);
  uint64_t bytes_allocated() const { return bytes_in_use_; }
  size_t allocation_count() const { return allocations_.size(); }

 private:
  // The allocation containing [addr, addr+bytes), or nullptr.
  const std::pair<const uint64_t, std::vector<uint8_t>>* find(uint64_t addr, uint64_t bytes) const;
  std::string describe_miss(uint64_t addr, uint64_t bytes) const;

  std::map<uint64_t, std::vector<uint8_t>> allocations_;
  uint64_t next_ = kBase;
  uint64_t bytes_in_use_ = 0;
};

}  // namespace gpusim::runtime
