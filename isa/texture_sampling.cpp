#include "isa/texture_sampling.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gpusim::isa::tex {

namespace {

float bits_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t float_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// IEEE binary16 -> binary32 (exact: every half is a float).
float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000u | man << 13);
  if (exp != 0) return bits_float(sign | (exp + 112) << 23 | man << 13);
  const float mag = std::ldexp(float(man), -24);  // subnormal (or zero)
  return sign ? -mag : mag;
}

// One texel's four values, as floats or as integers (Descriptor::integer_result).
struct Texel {
  float f[4] = {0, 0, 0, 1};
  uint32_t i[4] = {0, 0, 0, 1};
};

Texel decode_texel(const Descriptor& d, const uint8_t* raw) {
  Texel t;
  const unsigned bytes = d.channel_bits / 8;
  for (unsigned c = 0; c < d.channels; ++c) {
    uint32_t v = 0;
    std::memcpy(&v, raw + c * bytes, bytes);
    const bool is_signed = d.kind == ChannelKind::Signed;
    if (is_signed && bytes < 4 && (v >> (8 * bytes - 1) & 1)) v |= ~0u << (8 * bytes);  // sign-extend
    t.i[c] = v;
    if (d.kind == ChannelKind::Float) {
      t.f[c] = bytes == 2 ? half_to_float(uint16_t(v)) : bits_float(v);
    } else if (d.read_normalized) {
      const double max = is_signed ? double((1u << (d.channel_bits - 1)) - 1) : double((1u << d.channel_bits) - 1);
      t.f[c] = is_signed ? std::max(float(double(int32_t(v)) / max), -1.0f) : float(double(v) / max);
    }
  }
  return t;
}

// Unnormalized coordinates cannot wrap or mirror: those modes clamp.
AddressMode effective_mode(const Descriptor& d, unsigned axis) {
  if (d.resource == Resource::Linear) return AddressMode::Border;
  const AddressMode m = d.address[axis];
  if (!d.normalized_coords && (m == AddressMode::Wrap || m == AddressMode::Mirror)) return AddressMode::Clamp;
  return m;
}

// Applies the address mode to texel index `i` of an axis with `n` texels; false: border.
bool address(int64_t& i, int64_t n, AddressMode m) {
  switch (m) {
    case AddressMode::Wrap: i = ((i % n) + n) % n; return true;
    case AddressMode::Mirror: {
      const int64_t p = ((i % (2 * n)) + 2 * n) % (2 * n);
      i = p < n ? p : 2 * n - 1 - p;
      return true;
    }
    case AddressMode::Clamp: i = std::clamp<int64_t>(i, 0, n - 1); return true;
    case AddressMode::Border: return i >= 0 && i < n;
  }
  return false;
}

class Fetcher {
 public:
  Fetcher(const Descriptor& d, uint32_t layer, TexelReader& r) : d_(d), reader_(r) {
    layer_ = std::min<uint64_t>(layer, d.layers - 1);
  }
  Texel at(int64_t x, int64_t y, int64_t z) {
    const int64_t n[3] = {int64_t(d_.width), int64_t(d_.height), int64_t(d_.depth)};
    int64_t idx[3] = {x, y, z};
    for (unsigned a = 0; a < d_.dims; ++a)
      if (!address(idx[a], n[a], effective_mode(d_, a))) return border();
    const uint64_t addr = d_.base + layer_ * d_.slice_pitch + uint64_t(idx[2]) * d_.slice_pitch * (d_.dims == 3) +
                          uint64_t(idx[1]) * d_.pitch + uint64_t(idx[0]) * d_.texel_bytes();
    uint8_t raw[16] = {};
    reader_.read(addr, raw, d_.texel_bytes());
    return decode_texel(d_, raw);
  }

 private:
  Texel border() const {
    Texel t;
    const bool zero = d_.resource == Resource::Linear;
    for (unsigned c = 0; c < 4; ++c) {
      t.f[c] = zero ? 0.0f : d_.border[c];
      t.i[c] = uint32_t(int32_t(t.f[c]));
    }
    return t;
  }
  const Descriptor& d_;
  TexelReader& reader_;
  uint64_t layer_ = 0;
};

// A float coordinate as a texel position (scaled when normalized), kept finite so that floor
// and the integer conversion are defined.
double position(const Descriptor& d, float x, uint64_t n) {
  float u = d.normalized_coords ? x * float(n) : x;
  if (std::isnan(u)) u = 0;
  return std::clamp<double>(u, -1e15, 1e15);
}

Result pack(const Descriptor& d, const Texel& t) {
  Result r;
  for (unsigned c = 0; c < 4; ++c) r[c] = d.integer_result() ? t.i[c] : float_bits(t.f[c]);
  return r;
}

}  // namespace

float filter_weight(float frac) { return std::floor(frac * 256.0f + 0.5f) / 256.0f; }

Result sample(const Descriptor& d, const Coords& c, TexelReader& reader) {
  Fetcher fetch(d, c.layer, reader);
  const uint64_t n[3] = {d.width, d.height, d.depth};
  if (c.integer) return pack(d, fetch.at(c.i[0], d.dims > 1 ? c.i[1] : 0, d.dims > 2 ? c.i[2] : 0));
  int64_t i0[3] = {0, 0, 0};
  float w[3] = {0, 0, 0};  // weight of the upper texel per axis
  const bool linear = d.filter == FilterMode::Linear && !d.integer_result();
  for (unsigned a = 0; a < d.dims; ++a) {
    const double u = position(d, c.f[a], n[a]);
    if (!linear) {
      i0[a] = int64_t(std::floor(u));
    } else {
      const double b = u - 0.5;
      i0[a] = int64_t(std::floor(b));
      w[a] = filter_weight(float(b - std::floor(b)));
    }
  }
  if (!linear) return pack(d, fetch.at(i0[0], i0[1], i0[2]));
  // Sum over the 2^dims corners; a corner's weight is the product of (1 - w) or w per axis.
  float acc[4] = {0, 0, 0, 0};
  for (unsigned corner = 0; corner < (1u << d.dims); ++corner) {
    float weight = 1.0f;
    int64_t idx[3] = {i0[0], i0[1], i0[2]};
    for (unsigned a = 0; a < d.dims; ++a) {
      const bool upper = corner >> a & 1;
      weight *= upper ? w[a] : 1.0f - w[a];
      idx[a] += upper;
    }
    const Texel t = fetch.at(idx[0], idx[1], idx[2]);
    for (unsigned ch = 0; ch < 4; ++ch) acc[ch] += weight * t.f[ch];
  }
  Result r;
  for (unsigned ch = 0; ch < 4; ++ch) r[ch] = float_bits(acc[ch]);
  return r;
}

Result gather(const Descriptor& d, const Coords& c, unsigned component, TexelReader& reader) {
  Fetcher fetch(d, c.layer, reader);
  const double bx = position(d, c.f[0], d.width) - 0.5, by = position(d, c.f[1], d.height) - 0.5;
  const int64_t i = int64_t(std::floor(bx)), j = int64_t(std::floor(by));
  const Texel t[4] = {fetch.at(i, j + 1, 0), fetch.at(i + 1, j + 1, 0), fetch.at(i + 1, j, 0), fetch.at(i, j, 0)};
  Result r;
  for (unsigned k = 0; k < 4; ++k)
    r[k] = d.integer_result() ? t[k].i[component & 3] : float_bits(t[k].f[component & 3]);
  return r;
}

}  // namespace gpusim::isa::tex
