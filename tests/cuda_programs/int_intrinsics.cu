// Integer intrinsics as typical device code uses them: __popc/__clz/__ffs/__brev (32 and 64 bit),
// __byte_perm, funnel shifts, __dp4a/__dp2a, __mulhi/__umul64hi, __sad/__usad, (rounded) halving adds,
// 64-bit division and remainder, the SIMD video intrinsics (__vadd4, __vabsdiffu4 and __vsadu4 use
// vabsdiff4); __fns is in find_nth_bit.cu. Every result is compared with a CPU computation.
#include <cstdio>
#include <cstdint>
#include <cstring>
#include "check.cuh"

// Integer intrinsics, SIMD video intrinsics, 64-bit division, saturating conversions.
__global__ void int_ops(const uint32_t* a, const uint32_t* b, const uint64_t* c, const uint64_t* d, uint64_t* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  uint32_t x = a[i], y = b[i];
  uint64_t p = c[i], q = d[i];
  uint64_t* o = out + (size_t)i * 40;
  o[0] = __popc(x);
  o[1] = __popcll(p);
  o[2] = __clz(x);
  o[3] = __clzll(p);
  o[4] = __ffs(x);
  o[5] = __ffsll(p);
  o[6] = __brev(x);
  o[7] = __brevll(p);
  o[8] = __byte_perm(x, y, y & 0xffff);
  o[9] = __funnelshift_l(x, y, i);
  o[10] = __funnelshift_r(x, y, i);
  o[11] = __funnelshift_lc(x, y, i);
  o[12] = __funnelshift_rc(x, y, i);
  o[13] = (uint32_t)__dp4a((int)x, (int)y, i * 7 - 50);
  o[14] = __dp4a(x, y, (unsigned)i);
  o[15] = (uint32_t)__dp2a_lo((int)x, (int)y, -i);
  o[16] = __dp2a_hi(x, y, (unsigned)i);
  o[17] = (uint32_t)__mulhi((int)x, (int)y);
  o[18] = __umulhi(x, y);
  o[19] = __umul64hi(p, q);
  o[20] = (uint64_t)__mul64hi((long long)p, (long long)q);
  o[21] = __sad((int)x, (int)y, 3u);
  o[22] = __usad(x, y, 5u);
  o[23] = (uint32_t)__hadd((int)x, (int)y);
  o[24] = (uint32_t)__rhadd((int)x, (int)y);
  o[25] = __uhadd(x, y);
  o[26] = __urhadd(x, y);
  o[27] = q ? p / q : 0;
  o[28] = q ? p % q : 0;
  o[29] = q ? (uint64_t)((long long)p / (long long)q) : 0;
  o[30] = q ? (uint64_t)((long long)p % (long long)q) : 0;
  o[31] = __vadd4(x, y);
  o[32] = __vsub2(x, y);
  o[33] = __vabsdiffu4(x, y);
  o[34] = __vcmpgtu4(x, y);
  o[35] = __vmaxs2(x, y);
  o[36] = __vavgu4(x, y);
  o[37] = __vsadu4(x, y);
  o[38] = __vabsdiffs4(x, y);
  o[39] = __vaddss4(x, y);
}

static int popc64(uint64_t v) { int c = 0; while (v) { c += v & 1; v >>= 1; } return c; }
static int clz64(uint64_t v, int bits) { int c = 0; for (int k = bits - 1; k >= 0 && !((v >> k) & 1); --k) ++c; return c; }
static int ffs64(uint64_t v) { for (int k = 0; k < 64; ++k) if ((v >> k) & 1) return k + 1; return 0; }
static uint64_t brev64(uint64_t v, int bits) { uint64_t r = 0; for (int k = 0; k < bits; ++k) if ((v >> k) & 1) r |= 1ull << (bits - 1 - k); return r; }
static uint32_t byte_perm(uint32_t x, uint32_t y, uint32_t s) {
  uint8_t bytes[8]; for (int k = 0; k < 4; ++k) { bytes[k] = x >> (8 * k); bytes[4 + k] = y >> (8 * k); }
  uint32_t r = 0; for (int k = 0; k < 4; ++k) r |= (uint32_t)bytes[(s >> (4 * k)) & 7] << (8 * k); return r;
}
static uint32_t sext8(uint32_t v, int k) { return (uint32_t)(int32_t)(int8_t)(v >> (8 * k)); }

int main() {
  const int n = 256;
  uint32_t ha[n], hb[n]; uint64_t hc[n], hd[n];
  uint64_t s = 0x9E3779B97F4A7C15ull;
  auto rnd = [&]() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  for (int i = 0; i < n; ++i) {
    ha[i] = (uint32_t)rnd(); hb[i] = (uint32_t)rnd(); hc[i] = rnd(); hd[i] = rnd() >> (i % 64);
    if (i % 17 == 0) ha[i] = 0; if (i % 23 == 0) hc[i] = 0; if (i % 5 == 0) hd[i] = (i % 3) - 1;
  }
  uint32_t *da, *db; uint64_t *dc, *dd, *dout;
  CHECK(cudaMalloc(&da, sizeof ha)); CHECK(cudaMalloc(&db, sizeof hb)); CHECK(cudaMalloc(&dc, sizeof hc)); CHECK(cudaMalloc(&dd, sizeof hd));
  CHECK(cudaMalloc(&dout, n * 40 * 8));
  CHECK(cudaMemcpy(da, ha, sizeof ha, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(db, hb, sizeof hb, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dc, hc, sizeof hc, cudaMemcpyHostToDevice)); CHECK(cudaMemcpy(dd, hd, sizeof hd, cudaMemcpyHostToDevice));
  int_ops<<<2, 128>>>(da, db, dc, dd, dout, n);
  CHECK(cudaGetLastError());
  static uint64_t ho[n * 40];
  CHECK(cudaMemcpy(ho, dout, sizeof ho, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    uint32_t x = ha[i], y = hb[i]; uint64_t p = hc[i], q = hd[i];
    uint64_t e[40];
    e[0] = popc64(x); e[1] = popc64(p); e[2] = clz64(x, 32); e[3] = clz64(p, 64); e[4] = ffs64(x); e[5] = ffs64(p);
    e[6] = brev64(x, 32); e[7] = brev64(p, 64); e[8] = byte_perm(x, y, y & 0xffff);
    uint64_t cat = ((uint64_t)y << 32) | x;
    e[9] = (uint32_t)((cat << (i & 31)) >> 32); e[10] = (uint32_t)(cat >> (i & 31));
    int cl = i < 32 ? i : 32; e[11] = cl == 0 ? y : (uint32_t)((cat << cl) >> 32); e[12] = (uint32_t)(cl == 32 ? y : (cat >> cl));
    { int32_t acc = i * 7 - 50; for (int k = 0; k < 4; ++k) acc += (int32_t)sext8(x, k) * (int32_t)sext8(y, k); e[13] = (uint32_t)acc; }
    { uint32_t acc = i; for (int k = 0; k < 4; ++k) acc += ((x >> (8 * k)) & 0xff) * ((y >> (8 * k)) & 0xff); e[14] = acc; }
    { int32_t acc = -i; acc += (int16_t)(x) * (int32_t)sext8(y, 0) + (int16_t)(x >> 16) * (int32_t)sext8(y, 1); e[15] = (uint32_t)acc; }
    { uint32_t acc = i; acc += (x & 0xffff) * ((y >> 16) & 0xff) + (x >> 16) * (y >> 24); e[16] = acc; }
    e[17] = (uint32_t)(((int64_t)(int32_t)x * (int32_t)y) >> 32); e[18] = (uint32_t)(((uint64_t)x * y) >> 32);
    e[19] = (uint64_t)(((unsigned __int128)p * q) >> 64); e[20] = (uint64_t)(((__int128)(int64_t)p * (int64_t)q) >> 64);
    e[21] = (uint32_t)(std::llabs((long long)(int32_t)x - (int32_t)y) + 3); e[22] = (x > y ? x - y : y - x) + 5;
    e[23] = (uint32_t)(int32_t)(((int64_t)(int32_t)x + (int32_t)y) >> 1); e[24] = (uint32_t)(int32_t)(((int64_t)(int32_t)x + (int32_t)y + 1) >> 1);
    e[25] = (uint32_t)(((uint64_t)x + y) >> 1); e[26] = (uint32_t)(((uint64_t)x + y + 1) >> 1);
    e[27] = q ? p / q : 0; e[28] = q ? p % q : 0;
    bool ovf = (int64_t)p == INT64_MIN && (int64_t)q == -1;
    e[29] = q ? (ovf ? p : (uint64_t)((int64_t)p / (int64_t)q)) : 0; e[30] = q ? (ovf ? 0 : (uint64_t)((int64_t)p % (int64_t)q)) : 0;
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) r |= ((((x >> 8 * k) & 0xff) + ((y >> 8 * k) & 0xff)) & 0xff) << 8 * k; e[31] = r; }
    { uint32_t r = 0; for (int k = 0; k < 2; ++k) r |= ((((x >> 16 * k) & 0xffff) - ((y >> 16 * k) & 0xffff)) & 0xffff) << 16 * k; e[32] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int u = (x >> 8 * k) & 0xff, v = (y >> 8 * k) & 0xff; r |= (uint32_t)(u > v ? u - v : v - u) << 8 * k; } e[33] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int u = (x >> 8 * k) & 0xff, v = (y >> 8 * k) & 0xff; r |= (u > v ? 0xffu : 0u) << 8 * k; } e[34] = r; }
    { uint32_t r = 0; for (int k = 0; k < 2; ++k) { int16_t u = x >> 16 * k, v = y >> 16 * k; r |= (uint32_t)(uint16_t)(u > v ? u : v) << 16 * k; } e[35] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int u = (x >> 8 * k) & 0xff, v = (y >> 8 * k) & 0xff; r |= (uint32_t)((u + v + 1) >> 1) << 8 * k; } e[36] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int u = (x >> 8 * k) & 0xff, v = (y >> 8 * k) & 0xff; r += u > v ? u - v : v - u; } e[37] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int u = (int8_t)(x >> 8 * k), v = (int8_t)(y >> 8 * k); r |= (uint32_t)(uint8_t)(u > v ? u - v : v - u) << 8 * k; } e[38] = r; }
    { uint32_t r = 0; for (int k = 0; k < 4; ++k) { int v = (int8_t)(x >> 8 * k) + (int8_t)(y >> 8 * k); v = v > 127 ? 127 : v < -128 ? -128 : v; r |= (uint32_t)(uint8_t)v << 8 * k; } e[39] = r; }
    for (int k = 0; k < 40; ++k)
      if (ho[i * 40 + k] != e[k]) { if (bad++ < 20) std::fprintf(stderr, "i=%d op %d: got %llx want %llx (x=%08x y=%08x p=%llx q=%llx)\n", i, k, (unsigned long long)ho[i*40+k], (unsigned long long)e[k], x, y, (unsigned long long)p, (unsigned long long)q); }
  }
  EXPECT(bad == 0);
  std::printf("int_intrinsics: OK\n");
  return 0;
}
