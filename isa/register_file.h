// Storage of one call frame's registers: per register a row of its 32 lanes, each lane as wide as
// the register's declared type needs (a predicate or 8-bit register 1 byte, 16-bit 2, 32-bit 4,
// 64-bit 8), so that a 32-bit register's lanes fill two cache lines instead of four. Most registers
// of real kernels are 32-bit or predicates; the timing model's per-warp working set is mostly
// these rows.
//
// A register is named by its slot (RegInfo::slot, Operand::slot, both filled at load by
// layout_registers / annotate_register_operands): the byte offset of its row, a multiple of 32,
// with log2 of the lane width in the low two bits. A lane holds the register's value
// zero-extended and truncated to the declared width (every write truncates), so that reading the
// lane's bytes back gives exactly the value the register holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace gpusim::isa {

struct Function;

namespace reg_slot {
inline unsigned lane_shift(uint32_t slot) { return slot & 3u; }      // log2 of the lane width in bytes
inline uint32_t row_offset(uint32_t slot) { return slot & ~31u; }  // byte offset of lane 0
inline uint32_t row_bytes(uint32_t slot) { return 32u << lane_shift(slot); }
inline uint64_t lane_mask(uint32_t slot) { return ~0ull >> (64 - (8u << lane_shift(slot))); }
inline uint32_t make(uint32_t offset, unsigned shift) { return offset | shift; }
}  // namespace reg_slot

// Reads `lane` of the register at `slot` in the rows starting at `base`. One 8-byte load and a
// mask whatever the width: the bytes past a narrow lane belong to the next lanes (or the file's
// padding) and are masked off.
inline uint64_t read_register_lane(const uint8_t* base, uint32_t slot, unsigned lane) {
  uint64_t v;
  std::memcpy(&v, base + reg_slot::row_offset(slot) + (size_t(lane) << reg_slot::lane_shift(slot)), sizeof v);
  return v & reg_slot::lane_mask(slot);
}

// Writes `lane` of the register at `slot`; `v` must already be truncated to the register's width.
inline void write_register_lane(uint8_t* base, uint32_t slot, unsigned lane, uint64_t v) {
  uint8_t* p = base + reg_slot::row_offset(slot) + (size_t(lane) << reg_slot::lane_shift(slot));
  switch (reg_slot::lane_shift(slot)) {
    case 0: *p = uint8_t(v); return;
    case 1: { const uint16_t x = uint16_t(v); std::memcpy(p, &x, 2); return; }
    case 2: { const uint32_t x = uint32_t(v); std::memcpy(p, &x, 4); return; }
    default: std::memcpy(p, &v, 8); return;
  }
}

namespace detail {
template <typename T>
inline void read_register_row(const uint8_t* row, uint32_t mask, uint64_t* out) {
  const T* lanes = reinterpret_cast<const T*>(row);
  if (mask == ~0u) {
    for (unsigned l = 0; l < 32; ++l) out[l] = lanes[l];
    return;
  }
  for (; mask; mask &= mask - 1) {
    const unsigned l = unsigned(__builtin_ctz(mask));
    out[l] = lanes[l];
  }
}
}  // namespace detail

// The lanes in `mask` of the register at `slot`, zero-extended into out[lane] (other entries
// untouched). Inline: every row form of the handlers takes its register sources this way, and the
// call cost as much as the copy. Rows are aligned to their own width (widest first from an
// aligned base), so the typed accesses are aligned.
inline void read_register_lanes(const uint8_t* base, uint32_t slot, uint32_t mask, uint64_t* out) {
  const uint8_t* row = base + reg_slot::row_offset(slot);
  switch (reg_slot::lane_shift(slot)) {
    case 0: return detail::read_register_row<uint8_t>(row, mask, out);
    case 1: return detail::read_register_row<uint16_t>(row, mask, out);
    case 2: return detail::read_register_row<uint32_t>(row, mask, out);
    default: return detail::read_register_row<uint64_t>(row, mask, out);
  }
}
// Writes vals[lane] (truncated to the register's width by the caller) for the lanes in `mask`.
void write_register_lanes(uint8_t* base, uint32_t slot, uint32_t mask, const uint64_t* vals);

// The rows of one frame: zeroed, aligned to a cache line (rows are laid out widest first, so no
// row of up to 64 bytes crosses a line), and followed by 8 bytes of padding for
// read_register_lane's 8-byte load of the last lane. The storage stays put while the file lives
// (moving the file moves the pointer), which ExecContext relies on.
class RegisterFile {
 public:
  RegisterFile() = default;
  explicit RegisterFile(size_t row_bytes) { allocate(row_bytes); }
  RegisterFile(const RegisterFile& o) { allocate(o.bytes_), copy_from(o); }
  RegisterFile(RegisterFile&& o) noexcept : data_(o.data_), bytes_(o.bytes_) { o.data_ = nullptr, o.bytes_ = 0; }
  RegisterFile& operator=(const RegisterFile& o) {
    if (this != &o) release(), allocate(o.bytes_), copy_from(o);
    return *this;
  }
  RegisterFile& operator=(RegisterFile&& o) noexcept {
    if (this != &o) release(), data_ = o.data_, bytes_ = o.bytes_, o.data_ = nullptr, o.bytes_ = 0;
    return *this;
  }
  ~RegisterFile() { release(); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t bytes() const { return bytes_; }  // the rows, without the padding
  // Every lane of every register back to zero, as a new file of the same size starts (a retired
  // frame's file reused for the next frame of that size: no allocation).
  void zero() {
    if (data_) std::memset(data_, 0, bytes_ + kPadding);
  }
  uint64_t read(uint32_t slot, unsigned lane) const { return read_register_lane(data_, slot, lane); }
  void write(uint32_t slot, unsigned lane, uint64_t v) { write_register_lane(data_, slot, lane, v); }

 private:
  static constexpr size_t kAlign = 64, kPadding = 8;
  void allocate(size_t bytes) {
    bytes_ = bytes;
    data_ = static_cast<uint8_t*>(::operator new(bytes + kPadding, std::align_val_t(kAlign)));
    std::memset(data_, 0, bytes + kPadding);
  }
  void copy_from(const RegisterFile& o) {
    if (bytes_) std::memcpy(data_, o.data_, bytes_);
  }
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t(kAlign));
    data_ = nullptr, bytes_ = 0;
  }
  uint8_t* data_ = nullptr;
  size_t bytes_ = 0;
};

// Assigns every register of `f` its slot (RegInfo::slot) and sets f.register_bytes: the rows
// widest first, each register's lanes as wide as its type's register_value_mask needs.
void layout_registers(Function& f);

}  // namespace gpusim::isa
