#include "runtime/device_memory.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "isa/hex_text.h"

namespace gpusim::runtime {

namespace {
std::string mib(uint64_t bytes) {
  char b[48];
  std::snprintf(b, sizeof b, "%llu bytes (%.1f MiB)", static_cast<unsigned long long>(bytes), double(bytes) / (1 << 20));
  return b;
}
}  // namespace

DeviceMemory::~DeviceMemory() {
  for (auto& [addr, s] : allocations_)
    if (s.reserved) munmap(s.data, s.reserved);
}

uint64_t DeviceMemory::allocate(uint64_t bytes) {
  if (bytes == 0) bytes = 1;  // a distinct, valid pointer even for empty allocations
  if (capacity_ && (bytes > capacity_ || bytes_in_use_ > capacity_ - bytes))
    throw DeviceOutOfMemory("out of device memory: allocating " + mib(bytes) + " with " + mib(bytes_in_use_) +
                            " in use of the device's " + mib(capacity_) + " (config key dram.capacity_mib)");
  const uint64_t span = (bytes + kGuard + kAlign - 1) / kAlign * kAlign;
  if (span < bytes || next_ > kLimit - span)
    throw DeviceOutOfMemory("out of device address space: allocating " + mib(bytes) + " at " + isa::hex_text(next_));
  const uint64_t reserved = (bytes + 4095) / 4096 * 4096;
  void* data = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data == MAP_FAILED)
    throw DeviceOutOfMemory("the host could not reserve " + mib(bytes) + " of address space for a device allocation");
  // Large allocations in transparent huge pages where the host allows them (a hint; ignored where
  // it does not): the first touch of each 4 KiB page is a page fault, and a kernel streaming
  // through a fresh 64 MiB output took 16,384 of them inside its launch (in a VM, each costs
  // several microseconds beyond zeroing the page).
  if (reserved >= kHugePageBytes) madvise(data, reserved, MADV_HUGEPAGE);
  const uint64_t addr = next_;
  allocations_.emplace(addr, Storage{static_cast<uint8_t*>(data), bytes, reserved});
  next_ += span;
  bytes_in_use_ += bytes;
  return addr;
}

void DeviceMemory::map_host(void* host, uint64_t bytes) {
  const uint64_t addr = reinterpret_cast<uint64_t>(host);
  if (!host || bytes == 0 || addr + bytes < addr) throw std::invalid_argument("map of an empty or wrapping host range");
  if (addr < kLimit && addr + bytes > kBase)
    throw std::invalid_argument("host range " + isa::hex_text(addr) + " overlaps the simulated device's address space");
  auto next = allocations_.lower_bound(addr);
  if (next != allocations_.end() && next->first < addr + bytes)
    throw std::invalid_argument("host range " + isa::hex_text(addr) + " overlaps a mapping at " + isa::hex_text(next->first));
  if (next != allocations_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second.size > addr)
      throw std::invalid_argument("host range " + isa::hex_text(addr) + " overlaps a mapping at " + isa::hex_text(prev->first));
  }
  allocations_.emplace(addr, Storage{static_cast<uint8_t*>(host), bytes, 0});
}

void DeviceMemory::release(uint64_t addr) {
  auto it = allocations_.find(addr);
  if (it == allocations_.end() || !it->second.reserved)
    throw std::invalid_argument("free of " + isa::hex_text(addr) + ", which is not the start of a live allocation");
  munmap(it->second.data, it->second.reserved);
  bytes_in_use_ -= it->second.size;
  allocations_.erase(it);
  allocation_removed();
}

void DeviceMemory::unmap_host(void* host) {
  auto it = allocations_.find(reinterpret_cast<uint64_t>(host));
  if (it == allocations_.end() || it->second.reserved)
    throw std::invalid_argument("unmap of " + isa::hex_text(reinterpret_cast<uint64_t>(host)) + ", which is not a mapped host range");
  allocations_.erase(it);
  allocation_removed();
}

const DeviceMemory::Entry* DeviceMemory::find(uint64_t addr, uint64_t bytes) const {
  auto it = allocations_.upper_bound(addr);
  if (it == allocations_.begin()) return nullptr;
  --it;
  const uint64_t off = addr - it->first;
  if (off > it->second.size || bytes > it->second.size - off) return nullptr;
  return &*it;
}

std::optional<DeviceMemory::Region> DeviceMemory::region_at(uint64_t addr) const {
  const Entry* e = find(addr, 1);
  if (!e) return std::nullopt;
  return Region{e->first, e->second.size, e->second.reserved == 0};
}

std::string DeviceMemory::describe_miss(uint64_t addr, uint64_t bytes) const {
  auto it = allocations_.upper_bound(addr);
  if (it != allocations_.begin()) {
    --it;
    return "[" + isa::hex_text(addr) + ", +" + std::to_string(bytes) + ") overruns the allocation at " + isa::hex_text(it->first) +
           " of " + std::to_string(it->second.size) + " bytes";
  }
  return "[" + isa::hex_text(addr) + ", +" + std::to_string(bytes) + ") is not inside any allocation";
}

uint8_t* DeviceMemory::at(uint64_t addr, uint64_t bytes, const char* what) const {
  const Entry* e = find(addr, bytes);
  if (!e) throw std::out_of_range(std::string(what) + ": " + describe_miss(addr, bytes));
  return e->second.data + (addr - e->first);
}

bool DeviceMemory::read(uint64_t addr, void* out, unsigned size) {
  const Entry* e = find(addr, size);
  if (!e) return false;
  std::memcpy(out, e->second.data + (addr - e->first), size);
  return true;
}

bool DeviceMemory::span_at(uint64_t addr, isa::GlobalSpan& out) {
  const Entry* e = find(addr, 1);
  if (!e) return false;
  out = isa::GlobalSpan{e->first, e->second.size, e->second.data};
  return true;
}

bool DeviceMemory::write(uint64_t addr, const void* in, unsigned size) {
  const Entry* e = find(addr, size);
  if (!e) return false;
  std::memcpy(e->second.data + (addr - e->first), in, size);
  return true;
}

void DeviceMemory::copy_in(uint64_t addr, const void* src, uint64_t bytes) {
  if (bytes) std::memcpy(at(addr, bytes, "copy to device"), src, bytes);
}

void DeviceMemory::copy_out(void* dst, uint64_t addr, uint64_t bytes) const {
  if (bytes) std::memcpy(dst, at(addr, bytes, "copy to host"), bytes);
}

void DeviceMemory::copy_within(uint64_t dst, uint64_t src, uint64_t bytes) {
  if (bytes) std::memmove(at(dst, bytes, "device-to-device copy destination"), at(src, bytes, "device-to-device copy source"), bytes);
}

void DeviceMemory::fill(uint64_t addr, int value, uint64_t bytes) {
  if (bytes) std::memset(at(addr, bytes, "memset"), value, bytes);
}

}  // namespace gpusim::runtime
