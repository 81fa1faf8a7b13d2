#include "runtime/device_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "isa/exec_context.h"
#include "isa/hex_text.h"

namespace gpusim::runtime {

namespace {
std::string mib(uint64_t bytes) {
  char b[80];  // 20 digits of bytes and 17 of MiB fit
  std::snprintf(b, sizeof b, "%llu bytes (%.1f MiB)", static_cast<unsigned long long>(bytes), double(bytes) / (1 << 20));
  return b;
}
}  // namespace

bool DeviceMemory::has_host_mappings() const {
  for (const auto& [addr, s] : allocations_)
    if (!s.reserved) return true;
  return false;
}

DeviceMemory::~DeviceMemory() {
  for (auto& [addr, s] : allocations_)
    if (s.reserved) munmap(s.data, s.reserved);
}

uint64_t DeviceMemory::allocate(uint64_t bytes, Placement where) {
  if (bytes == 0) bytes = 1;  // a distinct, valid pointer even for empty allocations
  if (capacity_ && (bytes > capacity_ || bytes_in_use_ > capacity_ - bytes))
    throw DeviceOutOfMemory("out of device memory: allocating " + mib(bytes) + " with " + mib(bytes_in_use_) +
                            " in use of the device's " + mib(capacity_) + " (" + capacity_source_ + ")");
  const uint64_t span = (bytes + kGuard + kAlign - 1) / kAlign * kAlign;
  uint64_t& next = where == Placement::Heap ? next_ : next_module_;
  const uint64_t end = where == Placement::Heap ? kModuleDataBase : kLimit;
  if (span < bytes || next > end - span)
    throw DeviceOutOfMemory("out of device address space: allocating " + mib(bytes) + " at " + isa::hex_text(next));
  const uint64_t reserved = (bytes + 4095) / 4096 * 4096;
  void* data = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data == MAP_FAILED)
    throw DeviceOutOfMemory("the host could not reserve " + mib(bytes) + " of address space for a device allocation");
  // Large allocations in transparent huge pages where the host allows them (a hint; ignored where
  // it does not): the first touch of each 4 KiB page is a page fault, and a kernel streaming
  // through a fresh 64 MiB output took 16,384 of them inside its launch (in a VM, each costs
  // several microseconds beyond zeroing the page). Not beyond kHugePagesUpTo: 256 one-byte stores
  // into a 4 GiB allocation committed 541 MB of host memory, stores every MiB all 4 GiB (an
  // outside reliability engineer's sparse kernel), where 4 KiB pages commit 1 MiB and 4 MiB.
  if (reserved >= kHugePageBytes && reserved <= kHugePagesUpTo) madvise(data, reserved, MADV_HUGEPAGE);
  const uint64_t addr = next;
  allocations_.emplace(addr, Storage{static_cast<uint8_t*>(data), bytes, reserved});
  next += span;
  bytes_in_use_ += bytes;
  return addr;
}

void DeviceMemory::map_host(void* host, uint64_t bytes, HostMapping how) {
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
  allocations_.emplace(addr, Storage{static_cast<uint8_t*>(host), bytes, 0, how, true});
  if (how != HostMapping::Owned) registered_.insert(addr);
}

void DeviceMemory::check_registered_ranges() {
  bool changed = false;
  for (const uint64_t addr : registered_) {
    Storage& s = allocations_.at(addr);
    const HostPages pages = host_pages(s.data, s.size);
    const bool usable = pages == HostPages::ReadWrite || (pages == HostPages::ReadOnly && s.mapping == HostMapping::RegisteredReadOnly);
    changed |= usable != s.usable;
    s.usable = usable;
  }
  if (changed) allocation_removed();  // executors drop the spans they cached
}

std::string DeviceMemory::take_refusal() {
  const char* why = refused_why_.exchange(nullptr);
  const uint64_t addr = refused_at_.exchange(0);
  if (!why) return "";
  return std::string("address ") + isa::hex_text(addr) + " is in " + why;
}

void DeviceMemory::refuse(uint64_t addr, const Storage& s, bool write) {
  const char* why = !s.usable ? "host memory registered with cudaHostRegister that the program has since unmapped or protected"
                    : write   ? "host memory registered read-only (cudaHostRegisterReadOnly), which the device may not write"
                              : nullptr;
  const char* none = nullptr;
  if (why && refused_why_.compare_exchange_strong(none, why)) refused_at_.store(addr);
}

void DeviceMemory::release(uint64_t addr) {
  auto it = allocations_.find(addr);
  if (it == allocations_.end() || !it->second.reserved)
    throw std::invalid_argument("free of " + isa::hex_text(addr) + ", which is not the start of a live allocation");
  munmap(it->second.data, it->second.reserved);
  bytes_in_use_ -= it->second.size;
  // Device addresses are never handed out twice, so a freed range stays recognisable: an access
  // to it later is named a use after free (the most recent frees are kept).
  freed_[addr] = it->second.size;
  if (freed_.size() > kFreedRangesKept) freed_.erase(freed_.begin());  // the lowest address: the oldest
  allocations_.erase(it);
  allocation_removed();
}

void DeviceMemory::unmap_host(void* host) {
  auto it = allocations_.find(reinterpret_cast<uint64_t>(host));
  if (it == allocations_.end() || it->second.reserved)
    throw std::invalid_argument("unmap of " + isa::hex_text(reinterpret_cast<uint64_t>(host)) + ", which is not a mapped host range");
  registered_.erase(it->first);
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
  const std::string range = "[" + isa::hex_text(addr) + ", +" + std::to_string(bytes) + ")";
  auto it = allocations_.upper_bound(addr);
  if (it != allocations_.begin()) {
    --it;
    if (addr < it->first + it->second.size)  // starts inside it, ends past it
      return range + " overruns the allocation at " + isa::hex_text(it->first) + " of " + std::to_string(it->second.size) +
             " bytes";
  }
  return range + " is not inside any allocation: " + describe_miss(addr);
}

void DeviceMemory::name_variables(uint64_t base, std::vector<NamedRange> variables) {
  const auto it = allocations_.find(base);
  if (it == allocations_.end()) throw std::invalid_argument("name_variables: " + isa::hex_text(base) + " is no allocation");
  std::sort(variables.begin(), variables.end(), [](const NamedRange& a, const NamedRange& b) { return a.offset < b.offset; });
  size_t last = 0;
  for (size_t i = 1; i < variables.size(); ++i)
    if (variables[i].offset + variables[i].size >= variables[last].offset + variables[last].size) last = i;
  it->second.variables = std::move(variables);
  it->second.last_ending_variable = last;
}

DeviceMemory::MissTarget DeviceMemory::miss_target(const Entry& e, bool from_end) {
  const Storage& s = e.second;
  if (s.variables.empty())
    return {"the " + std::to_string(s.size) + "-byte allocation at " + isa::hex_text(e.first),
            from_end ? e.first + s.size : e.first};
  // Past the end: the variable ending last; before the start: the first.
  const NamedRange* v = from_end ? &s.variables[s.last_ending_variable] : &s.variables.front();
  const uint64_t start = e.first + v->offset;
  return {v->name + " (" + std::to_string(v->size) + " bytes at " + isa::hex_text(start) + ")",
          from_end ? start + v->size : start};
}

std::string DeviceMemory::describe_miss(uint64_t addr) const {
  if (auto freed = freed_.upper_bound(addr); freed != freed_.begin()) {
    --freed;
    if (addr < freed->first + std::max<uint64_t>(freed->second, 1))
      return "inside the " + std::to_string(freed->second) + "-byte allocation at " + isa::hex_text(freed->first) +
             ", which was freed (a use after free)";
  }
  // The nearer of the allocation ending below `addr` and the one starting above it.
  auto above = allocations_.upper_bound(addr);
  std::string out;
  uint64_t distance = UINT64_MAX;
  if (above != allocations_.begin()) {
    const auto below = std::prev(above);
    if (addr >= below->first + below->second.size) {
      const MissTarget t = miss_target(*below, true);
      distance = addr - t.edge;
      out = (distance == 0 ? std::string("just") : std::to_string(distance) + " bytes") + " past the end of " + t.text;
    }
  }
  if (above != allocations_.end() && above->first - addr < distance) {
    const MissTarget t = miss_target(*above, false);
    distance = t.edge - addr;
    out = std::to_string(distance) + " bytes before " + t.text;
  }
  // Far from everything and outside the device's addresses: naming the nearest allocation
  // ("123128482258656 bytes past the end of ...") would mislead.
  constexpr uint64_t kNear = uint64_t(1) << 20;
  if (distance > kNear && !is_device_address(addr)) {
    const std::string outside = "not a device address (device memory lies in [" + isa::hex_text(kBase) + ", " +
                                isa::hex_text(kLimit) + "))";
    // An int index that went negative or wrapped, times an element of up to 16 bytes, lands within
    // 32 GiB of its array: name the array, not "a host pointer".
    constexpr uint64_t kIndexReach = uint64_t(32) << 30;
    // Just below a generic window: a local or __shared__ array (-G builds address local arrays
    // generically) indexed below its start.
    const auto below_window = [&](uint64_t base) { return addr < base && base - addr <= kIndexReach; };
    if (below_window(isa::kLocalWindowBase))
      return std::to_string(isa::kLocalWindowBase - addr) + " bytes before the start of the thread's local memory (a " +
             "generic address: a local array or variable indexed below its start?)";
    if (below_window(isa::kSharedWindowBase))
      return std::to_string(isa::kSharedWindowBase - addr) + " bytes before the start of the CTA's shared memory (a " +
             "generic address: a __shared__ array indexed below its start?)";
    if (distance <= kIndexReach) {
      char gib[32];
      std::snprintf(gib, sizeof gib, " (%.2f GiB)", double(distance) / double(uint64_t(1) << 30));
      const size_t bytes_end = out.find(" bytes");
      return outside + ": " + out.insert(bytes_end == std::string::npos ? 0 : bytes_end + 6, gib) +
             ": an index that went negative or overflowed its integer type?";
    }
    // Generic addresses of the shared and local windows reach here when they lie beyond the
    // accessing CTA's shared memory or thread's local memory: another CTA's or thread's.
    if (addr - isa::kSharedWindowBase < isa::kWindowSize)
      return outside + ": a generic pointer into shared memory beyond this CTA's: another CTA's shared memory (a child "
                       "grid cannot use its parent's __shared__ variables; pass global memory instead)";
    if (addr - isa::kLocalWindowBase < isa::kWindowSize)
      return outside + ": a generic pointer into another thread's local memory (a child grid cannot use its parent's "
                       "local variables or arrays; pass global memory instead)";
    return outside + ": a host pointer, or no pointer at all";
  }
  return out;
}

void DeviceMemory::check_registered(const Entry& e, uint64_t addr, uint64_t bytes, const char* what, bool write) {
  const Storage& s = e.second;
  if (s.mapping == HostMapping::Owned) return;
  if (write && s.mapping == HostMapping::RegisteredReadOnly)
    throw std::invalid_argument(std::string(what) + ": " + isa::hex_text(addr) +
                                " is host memory registered read-only (cudaHostRegisterReadOnly)");
  // A GPU would reach the pinned pages; here the host's mapping must still hold them.
  if (!host_pages_mapped(reinterpret_cast<const void*>(addr), bytes))
    throw std::invalid_argument(std::string(what) + ": [" + isa::hex_text(addr) + ", +" + std::to_string(bytes) +
                                ") is registered host memory that the program has since unmapped");
}

uint8_t* DeviceMemory::at(uint64_t addr, uint64_t bytes, const char* what, bool write) const {
  const Entry* e = find(addr, bytes);
  if (!e) throw std::out_of_range(std::string(what) + ": " + describe_miss(addr, bytes));
  check_registered(*e, addr, bytes, what, write);
  return e->second.data + (addr - e->first);
}

void DeviceMemory::check_host_side(const void* host, uint64_t bytes, const char* what, bool write) const {
  const uint64_t addr = reinterpret_cast<uint64_t>(host);
  // Device allocations live elsewhere in the host's memory (Storage::data): their addresses are
  // not host pointers, and a copy treating one as such would fault in the simulator's process.
  if (addr < kLimit && addr + bytes > kBase)
    throw std::invalid_argument(std::string(what) + ": " + isa::hex_text(addr) +
                                " is a device address, not host memory (is the cudaMemcpyKind the wrong way round?)");
  if (const Entry* e = find(addr, 1)) check_registered(*e, addr, std::min<uint64_t>(bytes, e->first + e->second.size - addr), what, write);
}

bool DeviceMemory::read(uint64_t addr, void* out, unsigned size) {
  const Entry* e = find(addr, size);
  if (!e) return false;
  if (!e->second.usable) return refuse(addr, e->second, false), false;
  std::memcpy(out, e->second.data + (addr - e->first), size);
  return true;
}

bool DeviceMemory::span_at(uint64_t addr, isa::GlobalSpan& out) {
  const Entry* e = find(addr, 1);
  // Read-only and unusable registered ranges take every access through read()/write(), which
  // refuse what the pages would not allow.
  if (!e || !e->second.usable || e->second.mapping == HostMapping::RegisteredReadOnly) return false;
  out = isa::GlobalSpan{e->first, e->second.size, e->second.data};
  return true;
}

bool DeviceMemory::write(uint64_t addr, const void* in, unsigned size) {
  const Entry* e = find(addr, size);
  if (!e) return false;
  if (!e->second.usable || e->second.mapping == HostMapping::RegisteredReadOnly) return refuse(addr, e->second, true), false;
  std::memcpy(e->second.data + (addr - e->first), in, size);
  return true;
}

void DeviceMemory::copy_in(uint64_t addr, const void* src, uint64_t bytes) {
  if (!bytes) return;
  check_host_side(src, bytes, "copy to device: the host source", false);
  uint8_t* to = at(addr, bytes, "copy to device", true);
  headroom_.before_write(to, bytes, "copy to device");
  std::memcpy(to, src, bytes);
}

void DeviceMemory::copy_out(void* dst, uint64_t addr, uint64_t bytes) const {
  if (!bytes) return;
  check_host_side(dst, bytes, "copy to host: the host destination", true);
  std::memcpy(dst, at(addr, bytes, "copy to host", false), bytes);
}

void DeviceMemory::copy_within(uint64_t dst, uint64_t src, uint64_t bytes) {
  if (!bytes) return;
  uint8_t* to = at(dst, bytes, "device-to-device copy destination", true);
  const uint8_t* from = at(src, bytes, "device-to-device copy source", false);
  headroom_.before_write(to, bytes, "device-to-device copy");
  std::memmove(to, from, bytes);
}

void DeviceMemory::fill(uint64_t addr, int value, uint64_t bytes) {
  if (!bytes) return;
  uint8_t* to = at(addr, bytes, "memset", true);
  headroom_.before_write(to, bytes, "memset");
  std::memset(to, value, bytes);
}

}  // namespace gpusim::runtime
