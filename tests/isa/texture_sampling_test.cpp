// The texture sampling rules (isa/texture_sampling.h) against values computed by hand from the
// CUDA C++ Programming Guide's "Texture Fetching" appendix: point and linear filtering, the four
// address modes, normalized coordinates, the 9-bit filter weights and the read modes.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "isa/texture_sampling.h"

namespace gpusim::isa::tex {
namespace {

// Texels in a host vector; "device addresses" are byte offsets from kBase.
constexpr uint64_t kBase = 0x1000;

class HostTexels : public TexelReader {
 public:
  explicit HostTexels(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void read(uint64_t addr, void* out, unsigned size) override {
    ASSERT_GE(addr, kBase);
    ASSERT_LE(addr - kBase + size, bytes_.size()) << "read past the texels";
    std::memcpy(out, bytes_.data() + (addr - kBase), size);
    ++reads;
  }
  int reads = 0;

 private:
  std::vector<uint8_t> bytes_;
};

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

float f(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, 4);
  return x;
}

Descriptor float_texture(unsigned width, unsigned height, unsigned channels = 1) {
  Descriptor d;
  d.magic = kTextureMagic;
  d.dims = height > 1 ? 2 : 1;
  d.channels = uint8_t(channels);
  d.channel_bits = 32;
  d.kind = ChannelKind::Float;
  d.base = kBase;
  d.width = width;
  d.height = height;
  d.pitch = width * 4 * channels;
  d.slice_pitch = d.pitch * height;
  return d;
}

float sample1(const Descriptor& d, HostTexels& t, float x, float y = 0) {
  Coords c;
  c.f[0] = x, c.f[1] = y;
  return f(sample(d, c, t)[0]);
}

// 1-D, four texels 10 20 30 40.
const std::vector<float> kRow{10, 20, 30, 40};

TEST(TextureSampling, PointUnnormalizedClampAndBorder) {
  HostTexels t(bytes_of(kRow));
  Descriptor d = float_texture(4, 1);
  EXPECT_EQ(sample1(d, t, 0.5f), 10);
  EXPECT_EQ(sample1(d, t, 1.99f), 20);
  EXPECT_EQ(sample1(d, t, 3.0f), 40);
  EXPECT_EQ(sample1(d, t, -1.0f), 10);  // clamp
  EXPECT_EQ(sample1(d, t, 7.5f), 40);
  d.address[0] = AddressMode::Border;
  d.border[0] = 7;
  EXPECT_EQ(sample1(d, t, -0.5f), 7);
  EXPECT_EQ(sample1(d, t, 4.0f), 7);
  EXPECT_EQ(sample1(d, t, 3.5f), 40);
  // Wrap and mirror need normalized coordinates: unnormalized, they clamp.
  d.address[0] = AddressMode::Wrap;
  EXPECT_EQ(sample1(d, t, 5.5f), 40);
  d.address[0] = AddressMode::Mirror;
  EXPECT_EQ(sample1(d, t, -2.0f), 10);
}

TEST(TextureSampling, PointNormalizedWrapAndMirror) {
  HostTexels t(bytes_of(kRow));
  Descriptor d = float_texture(4, 1);
  d.normalized_coords = 1;
  EXPECT_EQ(sample1(d, t, 0.3f), 20);  // 1.2 -> texel 1
  d.address[0] = AddressMode::Wrap;
  EXPECT_EQ(sample1(d, t, 1.125f), 10);   // 4.5 -> 4 mod 4 = 0
  EXPECT_EQ(sample1(d, t, -0.125f), 40);  // -0.5 -> -1 mod 4 = 3
  EXPECT_EQ(sample1(d, t, 2.6f), 30);     // 10.4 -> 10 mod 4 = 2
  d.address[0] = AddressMode::Mirror;
  EXPECT_EQ(sample1(d, t, -0.125f), 10);  // -1 reflects to 0
  EXPECT_EQ(sample1(d, t, 1.125f), 40);   // 4 reflects to 3
  EXPECT_EQ(sample1(d, t, 1.6f), 20);     // 6.4 -> 6 reflects to 1
  d.address[0] = AddressMode::Clamp;
  EXPECT_EQ(sample1(d, t, 1.125f), 40);
}

TEST(TextureSampling, LinearUsesNineBitWeights) {
  HostTexels t(bytes_of(kRow));
  Descriptor d = float_texture(4, 1);
  d.filter = FilterMode::Linear;
  EXPECT_EQ(sample1(d, t, 1.0f), 15);  // halfway between texels 0 and 1
  EXPECT_EQ(sample1(d, t, 1.5f), 20);  // texel 1's centre
  // x - 0.5 = 0.8: the weight is round(0.8 * 256) / 256 = 205/256, not 0.8:
  // 10 * 51/256 + 20 * 205/256 = 18.0078125 (exact in float).
  EXPECT_EQ(sample1(d, t, 1.3f), 18.0078125f);
  EXPECT_EQ(sample1(d, t, 0.25f), 10);  // clamp: texels -1 and 0 are both texel 0
  d.address[0] = AddressMode::Border;   // border colour 0: 0.25 * 0 + 0.75 * 10
  EXPECT_EQ(sample1(d, t, 0.25f), 7.5f);
  EXPECT_EQ(filter_weight(0.001f), 0.0f);
  EXPECT_EQ(filter_weight(0.999f), 1.0f);  // 9 bits: 256/256 is representable
  EXPECT_EQ(filter_weight(0.5f), 0.5f);
}

TEST(TextureSampling, LinearNormalizedWrapCrossesTheEdge) {
  HostTexels t(bytes_of(kRow));
  Descriptor d = float_texture(4, 1);
  d.filter = FilterMode::Linear;
  d.normalized_coords = 1;
  d.address[0] = AddressMode::Wrap;
  // x = 0: 0 * 4 - 0.5 = -0.5 -> texels -1 (= 3, 40) and 0 (10), weight 0.5 each.
  EXPECT_EQ(sample1(d, t, 0.0f), 25);
  d.address[0] = AddressMode::Mirror;  // texel -1 reflects to 0
  EXPECT_EQ(sample1(d, t, 0.0f), 10);
}

TEST(TextureSampling, BilinearTwoByTwo) {
  HostTexels t(bytes_of(std::vector<float>{1, 2, 3, 4}));
  Descriptor d = float_texture(2, 2);
  d.filter = FilterMode::Linear;
  EXPECT_EQ(sample1(d, t, 1.0f, 1.0f), 2.5f);
  // (0.75, 1.25): alpha 0.25, beta 0.75:
  // 0.75*0.25*1 + 0.25*0.25*2 + 0.75*0.75*3 + 0.25*0.75*4 = 2.75
  EXPECT_EQ(sample1(d, t, 0.75f, 1.25f), 2.75f);
  d.filter = FilterMode::Point;
  EXPECT_EQ(sample1(d, t, 1.2f, 0.7f), 2);
  EXPECT_EQ(sample1(d, t, 0.2f, 1.7f), 3);
}

TEST(TextureSampling, GatherReturnsTheBilinearFootprint) {
  HostTexels t(bytes_of(std::vector<float>{1, 2, 3, 4}));
  Descriptor d = float_texture(2, 2);
  Coords c;
  c.f[0] = 1.0f, c.f[1] = 1.0f;
  const Result r = gather(d, c, 0, t);
  EXPECT_EQ(f(r[0]), 3);  // (i0, j1)
  EXPECT_EQ(f(r[1]), 4);  // (i1, j1)
  EXPECT_EQ(f(r[2]), 2);  // (i1, j0)
  EXPECT_EQ(f(r[3]), 1);  // (i0, j0)
}

TEST(TextureSampling, ReadModesOfEightBitChannels) {
  // Two texels of uchar4 and of char2 each.
  HostTexels u(std::vector<uint8_t>{255, 51, 0, 200, 1, 2, 3, 4});
  Descriptor d = float_texture(2, 1, 4);
  d.channel_bits = 8;
  d.kind = ChannelKind::Unsigned;
  d.pitch = 8;
  d.read_normalized = 1;
  Coords c;
  c.f[0] = 0.5f;
  Result r = sample(d, c, u);
  EXPECT_EQ(f(r[0]), 1.0f);
  EXPECT_EQ(f(r[1]), 0.2f);  // 51 / 255
  EXPECT_EQ(f(r[2]), 0.0f);
  EXPECT_EQ(f(r[3]), 200.0f / 255.0f);
  d.read_normalized = 0;  // element type: the integers themselves
  r = sample(d, c, u);
  EXPECT_EQ(r[0], 255u);
  EXPECT_EQ(r[3], 200u);
  HostTexels s(std::vector<uint8_t>{0x80, 0x7f, 0xc0, 0x00});
  Descriptor sd = float_texture(2, 1, 2);
  sd.channel_bits = 8;
  sd.kind = ChannelKind::Signed;
  sd.pitch = 4;
  sd.read_normalized = 1;
  r = sample(sd, c, s);
  EXPECT_EQ(f(r[0]), -1.0f);  // -128 / 127 clamps to -1
  EXPECT_EQ(f(r[1]), 1.0f);
  EXPECT_EQ(f(r[2]), 0.0f);   // channels the format lacks: 0, and alpha 1
  EXPECT_EQ(f(r[3]), 1.0f);
  c.f[0] = 1.5f;
  r = sample(sd, c, s);
  EXPECT_EQ(f(r[0]), -64.0f / 127.0f);
  sd.read_normalized = 0;
  r = sample(sd, c, s);
  EXPECT_EQ(r[0], uint32_t(-64));  // sign-extended
}

TEST(TextureSampling, HalfChannelsAndIntegerFetchesOfLinearMemory) {
  HostTexels h(std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc1});  // 1.0, -2.5 as halves
  Descriptor d = float_texture(2, 1);
  d.channel_bits = 16;
  d.pitch = 4;
  EXPECT_EQ(sample1(d, h, 0.5f), 1.0f);
  EXPECT_EQ(sample1(d, h, 1.5f), -2.5f);
  HostTexels t(bytes_of(kRow));
  Descriptor lin = float_texture(4, 1);
  lin.resource = Resource::Linear;
  lin.address[0] = AddressMode::Clamp;  // linear memory reads zero outside, whatever the mode
  Coords c;
  c.integer = true;
  c.i[0] = 2;
  EXPECT_EQ(f(sample(lin, c, t)[0]), 30);
  c.i[0] = 5;
  const int before = t.reads;
  EXPECT_EQ(f(sample(lin, c, t)[0]), 0);
  EXPECT_EQ(t.reads, before) << "an out-of-range fetch reads no memory";
  c.i[0] = -1;
  EXPECT_EQ(f(sample(lin, c, t)[0]), 0);
}

TEST(TextureSampling, DescriptorsRoundTripAndRejectGarbage) {
  Descriptor d = float_texture(4, 2);
  uint8_t bytes[kBytes];
  encode(d, bytes);
  auto back = decode(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->width, 4u);
  EXPECT_EQ(back->height, 2u);
  uint8_t zero[kBytes] = {};
  EXPECT_FALSE(decode(zero).has_value());
  d.channels = 3;
  EXPECT_STREQ(invalid_reason(d), "channel count is not 1, 2 or 4");
}

}  // namespace
}  // namespace gpusim::isa::tex
