#include "runtime/static_runtime_jumps.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "runtime/elf_function_symbols.h"

namespace gpusim::runtime {

namespace {

constexpr size_t kRelativeJump = 5;   // E9 rel32
constexpr size_t kSlotBytes = 16;     // FF 25 00000000 + the 8-byte address, padded
constexpr int64_t kNearReach = (int64_t(1) << 31) - 4096;

size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

const MappedCodeSegment* segment_holding(const LoadedObject& object, uintptr_t from, size_t bytes) {
  for (const MappedCodeSegment& s : object.code)
    if (from >= s.start && from + bytes <= s.end) return &s;
  return nullptr;
}

size_t slot_bytes(size_t count) {
  const size_t page = page_size();
  return (count * kSlotBytes + page - 1) / page * page;
}

// Slots for `count` jumps in a page within reach of every address in [low, high).
uint8_t* map_slots_near(uintptr_t low, uintptr_t high, size_t count) {
  const size_t page = page_size();
  const size_t bytes = slot_bytes(count);
  // Below the object first (a PIE program's neighbourhood above it holds its heap), then above;
  // nearest first, every MiB out to the reach (a failed try is one refused mmap).
  for (int side = 0; side < 2; ++side)
    for (uintptr_t step = 1; step < 2048; ++step) {
      const uintptr_t distance = step * (uintptr_t(1) << 20);
      if (side == 0 && low < distance + bytes) break;
      const uintptr_t hint = side == 0 ? (low - distance - bytes) / page * page : (high + distance + page - 1) / page * page;
      void* at = mmap(reinterpret_cast<void*>(hint), bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
      if (at == MAP_FAILED) continue;
      const auto start = reinterpret_cast<uintptr_t>(at);
      const uintptr_t farthest = std::max(high, start + bytes) - std::min(low, start);
      if (farthest < static_cast<uintptr_t>(kNearReach)) return static_cast<uint8_t*>(at);
      munmap(at, bytes);
    }
  throw std::runtime_error("no free memory within 2 GiB of its code for the jump slots");
}

// Writes `bytes` over the object's code at `at`, which lies in `segment`.
void write_code(const MappedCodeSegment& segment, uintptr_t at, const void* bytes, size_t size) {
  const uintptr_t page = page_size();
  const uintptr_t first = at / page * page;
  const size_t span = (at + size - first + page - 1) / page * page;
  if (mprotect(reinterpret_cast<void*>(first), span, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make its code writable: ") + std::strerror(errno));
  std::memcpy(reinterpret_cast<void*>(at), bytes, size);
  if (mprotect(reinterpret_cast<void*>(first), span, segment.protection) != 0)
    throw std::runtime_error(std::string("cannot restore its code's protection: ") + std::strerror(errno));
}

}  // namespace

StaticRuntimeEntries find_static_runtime_entries(const LoadedObject& object,
                                                 const std::function<void*(const std::string&)>& target_of) {
  StaticRuntimeEntries found;
  for_each_function_symbol(object.path, {"cuda", "__cuda", kRegisterAllConstructor}, [&](const ElfFunctionSymbol& fn) {
    const uintptr_t entry = object.bias + fn.value;
    if (fn.name == kRegisterAllConstructor) {
      found.register_all.push_back(reinterpret_cast<void (*)()>(entry));
      return;
    }
    found.has_runtime |= fn.name == "__cudaRegisterFatBinary";
    found.relocatable |= fn.name.rfind("__cudaRegisterLinkedBinary", 0) == 0;
    // One jump per address: the runtime may define aliases.
    if (fn.size < kRelativeJump || found.jumps.count(entry) || !segment_holding(object, entry, kRelativeJump)) return;
    if (void* target = target_of(fn.name)) found.jumps[entry] = target;
  });
  return found;
}

JumpSlotPages write_static_runtime_jumps(const LoadedObject& object, const std::map<uintptr_t, void*>& jumps) {
  if (jumps.empty()) return {};
  uint8_t* slots = map_slots_near(jumps.begin()->first, jumps.rbegin()->first + kRelativeJump, jumps.size());
  size_t index = 0;
  for (const auto& [entry, target] : jumps) {
    uint8_t* slot = slots + index++ * kSlotBytes;
    const uint8_t absolute_jump[6] = {0xFF, 0x25, 0, 0, 0, 0};  // jmp *0(%rip): the address follows
    std::memcpy(slot, absolute_jump, sizeof absolute_jump);
    std::memcpy(slot + sizeof absolute_jump, &target, sizeof target);
    uint8_t jump[kRelativeJump] = {0xE9};
    const auto displacement = static_cast<int32_t>(reinterpret_cast<intptr_t>(slot) - static_cast<intptr_t>(entry + kRelativeJump));
    std::memcpy(jump + 1, &displacement, sizeof displacement);
    write_code(*segment_holding(object, entry, kRelativeJump), entry, jump, sizeof jump);
  }
  const JumpSlotPages pages{slots, slot_bytes(jumps.size())};
  if (mprotect(pages.start, pages.bytes, PROT_READ | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make the jump slots executable: ") + std::strerror(errno));
  return pages;
}

void release_jump_slots(const JumpSlotPages& pages) {
  if (pages.start) munmap(pages.start, pages.bytes);
}

bool static_runtime_jumps_written(const std::map<uintptr_t, void*>& jumps) {
  if (jumps.empty()) return false;
  const auto& [entry, target] = *jumps.begin();
  const auto* code = reinterpret_cast<const uint8_t*>(entry);
  if (code[0] != 0xE9) return false;
  int32_t displacement = 0;
  std::memcpy(&displacement, code + 1, sizeof displacement);
  const auto* slot = reinterpret_cast<const uint8_t*>(entry + kRelativeJump + static_cast<intptr_t>(displacement));
  const uint8_t absolute_jump[6] = {0xFF, 0x25, 0, 0, 0, 0};
  void* slot_target = nullptr;
  // Only a slot of ours holds this exact pattern followed by gpusim's address (NVIDIA's function
  // cannot begin with a jump into gpusim).
  if (std::memcmp(slot, absolute_jump, sizeof absolute_jump) != 0) return false;
  std::memcpy(&slot_target, slot + sizeof absolute_jump, sizeof slot_target);
  return slot_target == target;
}

}  // namespace gpusim::runtime
