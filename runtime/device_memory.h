// The simulated device's global memory: a set of allocations with guard gaps between them, so
// that every access outside an allocation is caught and reported rather than silently landing
// in a neighbour.
//
// Storage is reserved with mmap(MAP_NORESERVE): the host commits pages only when a kernel or a
// copy touches them, so a program may cudaMalloc gigabytes it never fills (as CUDA programs do)
// without the simulator's process holding that memory. The capacity is the simulated card's
// memory size; an allocation past it fails like cudaMalloc does (DeviceOutOfMemory).
//
// Host-mapped regions (managed memory, mapped pinned memory) are host memory that kernels reach
// at the host's own address: the region's storage *is* the host buffer, so host and device see
// the same bytes without copies (the simulator runs kernels synchronously, which is as coherent
// as CUDA guarantees at its synchronisation points).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>
#include <utility>

#include "isa/exec_context.h"
#include "runtime/host_memory_headroom.h"
#include "runtime/host_pages.h"

namespace gpusim::runtime {

// An allocation that does not fit in the device's remaining capacity.
class DeviceOutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DeviceMemory final : public isa::GlobalMemory {
 public:
  // Device addresses start here (well below the generic shared/local/const windows).
  static constexpr uint64_t kBase = 0x0000'1000'0000'0000ull;
  static constexpr uint64_t kAlign = 256;  // like cudaMalloc
  static constexpr uint64_t kGuard = 256;  // unmapped bytes after each allocation
  static constexpr uint64_t kHugePageBytes = uint64_t(2) << 20;  // x86-64 transparent huge page
  // Allocations up to this size get huge pages; larger ones 4 KiB pages, so that a kernel touching
  // a huge allocation sparsely (a hash table) commits what it touches, not 512 times as much.
  static constexpr uint64_t kHugePagesUpTo = uint64_t(1) << 30;
  // Device addresses stay below this (16 TiB of address space above kBase), far under the
  // generic windows in isa/exec_context.h.
  static constexpr uint64_t kLimit = 0x0000'2000'0000'0000ull;
  // Modules' __device__ variables (and their constants' device copies) are placed from here, the
  // last TiB, away from the program's cudaMalloc allocations: an index running off a user's array
  // then lands past that array, not past a module variable the module happened to place after it
  // (an outside user's overrun of `a` was named "3344 bytes past __device__ variable 'table'").
  static constexpr uint64_t kModuleDataBase = kLimit - (uint64_t(1) << 40);
  enum class Placement { Heap, ModuleData };

  struct Region {
    uint64_t base = 0;
    uint64_t size = 0;
    bool host_mapped = false;  // storage is the host's own memory at `base`
  };

  DeviceMemory() = default;
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
  ~DeviceMemory() override;

  // Device memory the allocations may take in total; 0 = unlimited.
  // `source` names where the capacity comes from in the out-of-memory message.
  void set_capacity(uint64_t bytes, std::string source = "config key dram.capacity_mib") {
    capacity_ = bytes;
    capacity_source_ = std::move(source);
  }
  uint64_t capacity() const { return capacity_; }

  // Throws DeviceOutOfMemory (naming size, in use and capacity) when it does not fit.
  uint64_t allocate(uint64_t bytes, Placement where = Placement::Heap);
  // Makes [host, host+bytes) of this process reachable by kernels at the same address.
  // Throws std::invalid_argument if it overlaps device addresses or another mapping.
  // Registered ranges are the program's memory: their pages are checked at each copy and at
  // check_registered_ranges(), and a read-only one refuses the device's stores.
  void map_host(void* host, uint64_t bytes, HostMapping how = HostMapping::Owned);
  // Throws std::invalid_argument when `addr` is not the start of a live allocation / mapping.
  void release(uint64_t addr);
  void unmap_host(void* host);
  // Re-reads the pages of every registered range (a launch calls it first): one the program has
  // since unmapped, or made inaccessible, is closed to kernels (their accesses fault as
  // out-of-bounds) until it is mapped again, so that no kernel access reaches a missing page.
  void check_registered_ranges();
  // Why the last access refused on a registered range (a store to read-only memory, a range
  // since unmapped) was refused, naming its address, or "" when none was; clears it. For the
  // fault report, whose executor only knows that no allocation took the access.
  std::string take_refusal();

  bool read(uint64_t addr, void* out, unsigned size) override;
  bool write(uint64_t addr, const void* in, unsigned size) override;
  bool span_at(uint64_t addr, isa::GlobalSpan& out) override;
  std::string describe_miss(uint64_t addr) const override;
  // Host-side copies over arbitrary lengths; throw std::out_of_range naming the allocation.
  void copy_in(uint64_t addr, const void* src, uint64_t bytes);
  void copy_out(void* dst, uint64_t addr, uint64_t bytes) const;
  void copy_within(uint64_t dst, uint64_t src, uint64_t bytes);
  void fill(uint64_t addr, int value, uint64_t bytes);

  // Names the variables inside the allocation at `base` (a module's __device__ variables share
  // one), so that a fault just outside it names the nearest variable instead of "the 75-byte
  // allocation". `name` is what the message says, e.g. "__device__ variable 'table' of k.ptx".
  struct NamedRange {
    uint64_t offset = 0, size = 0;
    std::string name;
  };
  void name_variables(uint64_t base, std::vector<NamedRange> variables);

  // The allocation or mapping containing `addr`, if any.
  std::optional<Region> region_at(uint64_t addr) const;
  uint64_t bytes_allocated() const { return bytes_in_use_; }
  size_t allocation_count() const { return allocations_.size(); }
  // Whether any host memory is mapped for kernels (pinned, registered, managed): only then can a
  // kernel wait on memory the host writes.
  bool has_host_mappings() const;

 private:
  HostMemoryHeadroom headroom_;  // host-side writes stop short of exhausting the host
  struct Storage {
    uint8_t* data = nullptr;
    uint64_t size = 0;
    uint64_t reserved = 0;  // bytes mmap'ed (0: host-mapped, not ours to unmap)
    HostMapping mapping = HostMapping::Owned;
    bool usable = true;  // a registered range's pages were there at the last check
    std::vector<NamedRange> variables{};  // by offset; empty unless named (name_variables)
    size_t last_ending_variable = 0;    // index of the variable ending last (a miss past the end names it)
  };
  using Entry = std::pair<const uint64_t, Storage>;
  // How describe_miss names the allocation `e` from just past its end (`from_end`) or just
  // before it: its variable nearest that side when named, and where that variable starts or ends.
  struct MissTarget {
    std::string text;
    uint64_t edge;
  };
  static MissTarget miss_target(const Entry& e, bool from_end);
  // The allocation containing [addr, addr+bytes), or nullptr.
  const Entry* find(uint64_t addr, uint64_t bytes) const;
  // Host bytes of [addr, addr+bytes) for a host-side copy; throws std::out_of_range outside an
  // allocation, std::invalid_argument where a registered range cannot take it now.
  uint8_t* at(uint64_t addr, uint64_t bytes, const char* what, bool write) const;
  // Throws std::invalid_argument when the host side of a copy is a device address (the pointers
  // of a copy given the wrong cudaMemcpyKind) or registered memory that cannot take it now.
  void check_host_side(const void* host, uint64_t bytes, const char* what, bool write) const;
  static void check_registered(const Entry& e, uint64_t addr, uint64_t bytes, const char* what, bool write);
  // Notes a kernel access refused on a registered range (see take_refusal).
  void refuse(uint64_t addr, const Storage& s, bool write);
  std::string describe_miss(uint64_t addr, uint64_t bytes) const;

  std::map<uint64_t, Storage> allocations_;
  static constexpr size_t kFreedRangesKept = 65536;
  std::map<uint64_t, uint64_t> freed_;  // base -> size of freed allocations, for fault messages
  // The registered (program-owned) host ranges among them, which check_registered_ranges visits:
  // a launch must not walk every allocation of a program that registers nothing.
  std::set<uint64_t> registered_;
  uint64_t next_ = kBase;                   // the next Heap address
  uint64_t next_module_ = kModuleDataBase;  // the next ModuleData address
  uint64_t bytes_in_use_ = 0;
  uint64_t capacity_ = 0;
  std::string capacity_source_;
  // Kernels' refused accesses arrive from the executor's worker threads: the first one wins.
  std::atomic<uint64_t> refused_at_{0};
  std::atomic<const char*> refused_why_{nullptr};
};

// Whether `addr` lies where the simulator places device allocations, live or freed: never a
// host pointer (DeviceMemory::map_host refuses host ranges there).
inline bool is_device_address(uint64_t addr) { return addr >= DeviceMemory::kBase && addr < DeviceMemory::kLimit; }

}  // namespace gpusim::runtime
