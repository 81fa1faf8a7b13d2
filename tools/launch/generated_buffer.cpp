#include "tools/launch/generated_buffer.h"

#include <cstring>

#include "isa/numerics/float_format.h"
#include "tools/launch/arg_spec.h"

namespace gpusim::launch {

namespace {

// SplitMix64 (Steele, Lea and Flood 2014): one 64-bit value per (seed, index), no state to carry,
// so every element is computed on its own.
uint64_t split_mix(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// `value` as one element of type `t` at `out` (little-endian).
void store_element(uint8_t* out, ElementType t, double value, int64_t integer) {
  const size_t size = element_size(t);
  switch (t) {
    case ElementType::F32: {
      const float f = static_cast<float>(value);
      std::memcpy(out, &f, sizeof f);
      return;
    }
    case ElementType::F64: std::memcpy(out, &value, sizeof value); return;
    case ElementType::F16:
    case ElementType::BF16: {
      const isa::numerics::FloatFormat f = t == ElementType::F16 ? isa::numerics::kF16 : isa::numerics::kBF16;
      const uint64_t bits = isa::numerics::from_double(value, f, isa::Rounding::Rn);
      for (size_t i = 0; i < size; ++i) out[i] = uint8_t(bits >> (8 * i));
      return;
    }
    default:
      for (size_t i = 0; i < size; ++i) out[i] = uint8_t(uint64_t(integer) >> (8 * i));
  }
}

}  // namespace

HostBuffer generate_buffer(const BufferGenerator& g, ElementType t, const std::vector<uint64_t>& shape) {
  HostBuffer b;
  b.type = t;
  b.shape = shape;
  const uint64_t count = element_count(shape);
  const size_t size = element_size(t);
  b.bytes.resize(count * size);
  for (uint64_t n = 0; n < count; ++n) {
    uint8_t* out = b.bytes.data() + n * size;
    switch (g.kind) {
      case BufferGenerator::Kind::Random: {
        const uint64_t bits = split_mix(g.seed, n);
        const double unit = double(bits >> 11) * 0x1p-53;  // [0, 1), 53 random bits
        store_element(out, t, 2 * unit - 1, int64_t(bits % 100));
        break;
      }
      case BufferGenerator::Kind::Iota: store_element(out, t, double(n), int64_t(n)); break;
      case BufferGenerator::Kind::Fill: std::memcpy(out, g.fill_value.data(), size); break;
      case BufferGenerator::Kind::None: break;
    }
  }
  return b;
}

}  // namespace gpusim::launch
