#include "runtime/device_memory.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace gpusim::runtime {

namespace {
std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
}  // namespace

uint64_t DeviceMemory::allocate(uint64_t bytes) {
  if (bytes == 0) bytes = 1;  // a distinct, valid pointer even for empty allocations
  const uint64_t addr = next_;
  allocations_.emplace(addr, std::vector<uint8_t>(bytes, 0));
  next_ = (addr + bytes + kGuard + kAlign - 1) / kAlign * kAlign;
  bytes_in_use_ += bytes;
  return addr;
}

void DeviceMemory::release(uint64_t addr) {
  auto it = allocations_.find(addr);
  if (it == allocations_.end())
    throw std::invalid_argument("free of " + hex(addr) + ", which is not the start of a live allocation");
  bytes_in_use_ -= it->second.size();
  allocations_.erase(it);
}

const std::pair<const uint64_t, std::vector<uint8_t>>* DeviceMemory::find(uint64_t addr, uint64_t bytes) const {
  auto it = allocations_.upper_bound(addr);
  if (it == allocations_.begin()) return nullptr;
  --it;
  const uint64_t off = addr - it->first;
  if (off > it->second.size() || bytes > it->second.size() - off) return nullptr;
  return &*it;
}

std::string DeviceMemory::describe_miss(uint64_t addr, uint64_t bytes) const {
  auto it = allocations_.upper_bound(addr);
  if (it != allocations_.begin()) {
    --it;
    return "[" + hex(addr) + ", +" + std::to_string(bytes) + ") overruns the allocation at " + hex(it->first) +
           " of " + std::to_string(it->second.size()) + " bytes";
  }
  return "[" + hex(addr) + ", +" + std::to_string(bytes) + ") is not inside any allocation";
}

bool DeviceMemory::read(uint64_t addr, void* out, unsigned size) {
  const auto* a = find(addr, size);
  if (!a) return false;
  std::memcpy(out, a->second.data() + (addr - a->first), size);
  return true;
}

bool DeviceMemory::write(uint64_t addr, const void* in, unsigned size) {
  const auto* a = find(addr, size);
  if (!a) return false;
  std::memcpy(const_cast<uint8_t*>(a->second.data()) + (addr - a->first), in, size);
  return true;
}

void DeviceMemory::copy_in(uint64_t addr, const void* src, uint64_t bytes) {
  if (bytes == 0) return;
  const auto* a = find(addr, bytes);
  if (!a) throw std::out_of_range("copy to device: " + describe_miss(addr, bytes));
  std::memcpy(const_cast<uint8_t*>(a->second.data()) + (addr - a->first), src, bytes);
}

void DeviceMemory::copy_out(void* dst, uint64_t addr, uint64_t bytes) const {
  if (bytes == 0) return;
  const auto* a = find(addr, bytes);
  if (!a) throw std::out_of_range("copy to host: " + describe_miss(addr, bytes));
  std::memcpy(dst, a->second.data() + (addr - a->first), bytes);
}

void DeviceMemory::fill(uint64_t addr, int value, uint64_t bytes) {
  if (bytes == 0) return;
  const auto* a = find(addr, bytes);
  if (!a) throw std::out_of_range("memset: " + describe_miss(addr, bytes));
  std::memset(const_cast<uint8_t*>(a->second.data()) + (addr - a->first), value, bytes);
}

}  // namespace gpusim::runtime
