// C++ in device code beyond stack_and_calls.cu: extended __device__ lambdas given to a template
// kernel (--extended-lambda), variadic templates and fold expressions, a class hierarchy with
// multiple inheritance and virtual destructors whose objects differ per lane, a __constant__
// table of function pointers, deep recursion (a recursive descent parser per thread and a
// 300-deep recursive sum), cuda::std::tuple / optional / variant / array / numeric_limits,
// operator overloading on a fixed-point type, a templated dynamic-shared-memory accessor and
// device printf with long long, long double (printed as double) and strings; variables initialized
// with other variables' addresses (pointers, string tables, packed structs, __constant__).
#include <cuda/std/array>
#include <cuda/std/limits>
#include <cuda/std/optional>
#include <cuda/std/tuple>
#include <cuda/std/variant>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "check.cuh"
#include "device_vectors.cuh"

// ---- lambdas and templates ----
template <typename F>
__global__ void apply(const int* in, long long* out, int n, F f) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = f(in[i], i);
}

template <typename... T>
__host__ __device__ long long weighted_sum(T... v) {
  long long w = 0, acc = 0;
  ((acc += (++w) * (long long)v), ...);
  return acc;
}

// ---- virtual dispatch with multiple inheritance ----
struct Named {
  __device__ virtual ~Named() {}
  __device__ virtual int tag() const { return 1; }
};
struct Shape {
  __device__ virtual ~Shape() {}
  __device__ virtual long long area() const = 0;
  __device__ virtual long long scaled(int k) const { return area() * k; }
};
struct Rect : Shape, Named {
  int w, h;
  __device__ Rect(int w_, int h_) : w(w_), h(h_) {}
  __device__ long long area() const override { return (long long)w * h; }
  __device__ int tag() const override { return 2; }
};
struct Tri : Shape, Named {
  int b, h;
  __device__ Tri(int b_, int h_) : b(b_), h(h_) {}
  __device__ long long area() const override { return (long long)b * h / 2; }
  __device__ long long scaled(int k) const override { return area() * k + 1; }
};
struct Square : Rect {
  __device__ explicit Square(int s) : Rect(s, s) {}
  __device__ int tag() const override { return 3; }
};

__global__ void shapes(const int* in, long long* out, int* destroyed, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int a = in[i] % 50 + 1, b = in[i] / 50 % 50 + 1;
  Shape* s = nullptr;
  switch (i % 3) {
    case 0: s = new Rect(a, b); break;
    case 1: s = new Tri(a, b); break;
    default: s = new Square(a); break;
  }
  // The Named base sits at another offset in each class: the cast adjusts the pointer.
  const Named* nm = (i % 3 == 1) ? static_cast<const Named*>(static_cast<Tri*>(s)) : static_cast<const Named*>(static_cast<Rect*>(s));
  out[i] = s->scaled(i % 7 + 1) * 10 + nm->tag();
  delete s;
  atomicAdd(destroyed, 1);
}

// ---- function pointers in constant memory ----
typedef int (*BinOp)(int, int);
__device__ int op_add(int a, int b) { return a + b; }
__device__ int op_mul(int a, int b) { return a * b; }
__device__ int op_max(int a, int b) { return a > b ? a : b; }
__device__ int op_xor(int a, int b) { return a ^ b; }
__constant__ BinOp c_ops[4];
__device__ BinOp d_ops[4] = {op_add, op_mul, op_max, op_xor};

__global__ void fold_with_table(const int* in, int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int acc = in[i];
  for (int k = 0; k < 8; ++k) acc = c_ops[(i + k) % 4](acc, in[(i + k + 1) % n] % 100);
  out[i] = acc;
}

// ---- recursion: a recursive-descent evaluator of "digits, +, *, parentheses" per thread ----
struct Parser {
  const char* p;
  __device__ long long expr() {
    long long v = term();
    while (*p == '+') ++p, v += term();
    return v;
  }
  __device__ long long term() {
    long long v = factor();
    while (*p == '*') ++p, v *= factor();
    return v;
  }
  __device__ long long factor() {
    if (*p == '(') {
      ++p;
      const long long v = expr();
      ++p;  // ')'
      return v;
    }
    long long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    return v;
  }
};
__device__ long long deep_sum(const int* v, int depth) { return depth == 0 ? v[0] : v[depth] + deep_sum(v, depth - 1); }

__global__ void recursion(const char* exprs, const int* offsets, long long* out, const int* values, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  Parser parser{exprs + offsets[i]};
  out[2 * i] = parser.expr();
  out[2 * i + 1] = deep_sum(values, 100 + i % 200);  // up to 300 frames deep, different per lane
}

// ---- libcu++ vocabulary types, fixed-point operators, templated shared memory ----
struct Fixed {  // 16.16 fixed point
  int raw;
  __host__ __device__ friend Fixed operator*(Fixed a, Fixed b) { return {int(((long long)a.raw * b.raw) >> 16)}; }
  __host__ __device__ friend Fixed operator+(Fixed a, Fixed b) { return {a.raw + b.raw}; }
  __host__ __device__ bool operator<(Fixed o) const { return raw < o.raw; }
};
template <typename T> __device__ T* shared_as() {
  extern __shared__ __align__(16) unsigned char smem[];
  return reinterpret_cast<T*>(smem);
}
using Value = cuda::std::variant<int, double, Fixed>;
__device__ long long visit_value(const Value& v) {
  if (const int* x = cuda::std::get_if<int>(&v)) return *x * 3;
  if (const double* d = cuda::std::get_if<double>(&v)) return (long long)(*d * 8);
  return cuda::std::get<Fixed>(v).raw;
}
__global__ void vocabulary(const int* in, long long* out, int n) {
  Fixed* tile = shared_as<Fixed>();
  const int i = threadIdx.x;
  tile[i] = Fixed{in[i] * 4096};
  __syncthreads();
  const Fixed prod = tile[i] * tile[(i + 1) % n] + tile[(i + 2) % n];
  cuda::std::tuple<int, long long, Fixed> t{i, (long long)in[i] << 20, prod};
  cuda::std::optional<int> maybe = (in[i] % 3 == 0) ? cuda::std::optional<int>(in[i] / 3) : cuda::std::nullopt;
  cuda::std::array<Value, 3> values{Value(in[i]), Value(in[i] * 0.125), Value(prod)};
  long long acc = cuda::std::get<0>(t) + cuda::std::get<1>(t) + cuda::std::get<2>(t).raw + maybe.value_or(-7);
  for (const Value& v : values) acc += visit_value(v);
  acc += cuda::std::numeric_limits<short>::max() + (tile[i] < tile[(i + 1) % n] ? 1 : 0);
  out[i] = acc + weighted_sum(in[i], (short)2, 3ll, 'a');
  if (i == 5) {
    const long double ld = 1.5L + in[i];
    printf("vocabulary: lane %d ll=%lld ld=%.3Lf s=%s hex=%#llx\n", i, (long long)in[i] << 33, ld, "ok", 0xabcdef12345ull);
  }
}

// ---------------- host ----------------
#define FAIL(...) (std::fprintf(stderr, "cpp_device_features: " __VA_ARGS__), std::exit(1))

// Expression strings: random trees of +, * and parentheses.
std::string random_expr(uint32_t& s, int depth) {
  s = s * 1103515245u + 12345u;
  const int kind = depth <= 0 ? 0 : int((s >> 16) % 4);
  if (kind == 0) return std::to_string((s >> 8) % 20);
  if (kind == 1) return "(" + random_expr(s, depth - 1) + ")";
  return random_expr(s, depth - 1) + (kind == 2 ? "+" : "*") + random_expr(s, depth - 1);
}
// The host evaluates with a shunting-yard stack machine, not by recursion.
long long eval_host(const std::string& e) {
  std::vector<long long> vals;
  std::vector<char> ops;
  auto apply_top = [&] {
    const long long b = vals.back();
    vals.pop_back();
    vals.back() = ops.back() == '+' ? vals.back() + b : vals.back() * b;
    ops.pop_back();
  };
  for (size_t i = 0; i < e.size(); ++i) {
    const char c = e[i];
    if (c >= '0' && c <= '9') {
      long long v = 0;
      while (i < e.size() && e[i] >= '0' && e[i] <= '9') v = v * 10 + (e[i++] - '0');
      --i;
      vals.push_back(v);
    } else if (c == '(') ops.push_back(c);
    else if (c == ')') {
      while (ops.back() != '(') apply_top();
      ops.pop_back();
    } else {
      while (!ops.empty() && ops.back() != '(' && (ops.back() == '*' || c == '+')) apply_top();
      ops.push_back(c);
    }
  }
  while (!ops.empty()) apply_top();
  return vals.back();
}

// ---- variables initialized with other variables' addresses ----
// nvcc writes them as `generic(var)+off` (a pointer), `{generic($str), ...}` (a string table, also
// a function's static one), `0xFF00(generic(var)+4)` bytes (a pointer in a packed struct) and
// `generic(cvar)+8` (a __constant__ pointer to __constant__ data).
__device__ int primes[6] = {2, 3, 5, 7, 11, 13};
__device__ int* third_prime = primes + 2;
__device__ const char* colour_names[3] = {"red", "green", "blue"};
struct __attribute__((packed)) Tagged {
  char tag;
  int* where;
};
__device__ Tagged tagged[2] = {{'x', primes + 4}, {'y', primes + 1}};
__constant__ int c_squares[4] = {0, 1, 4, 9};
__constant__ const int* c_last_square = c_squares + 3;
__device__ const char* greeting(int i) {
  static const char* words[] = {"hello", "bonjour", "hola"};
  return words[i % 3];
}
__global__ void pointers_in_initializers(long long* out) {
  out[0] = *third_prime;
  out[1] = colour_names[1][0] * 1000 + colour_names[2][3];  // 'g', 'e'
  out[2] = tagged[0].tag * 100000 + *tagged[0].where * 100 + *tagged[1].where;
  out[3] = *c_last_square + greeting(4)[1];  // 9 + 'o'
}

int main() {
  long long* d_pointers = dev(std::vector<long long>(4, 0));
  pointers_in_initializers<<<1, 1>>>(d_pointers);
  CHECK(cudaGetLastError());
  const std::vector<long long> pointers = host(d_pointers, 4);
  EXPECT(pointers[0] == 5);
  EXPECT(pointers[1] == 'g' * 1000 + 'e');
  EXPECT(pointers[2] == 'x' * 100000 + 11 * 100 + 3);
  EXPECT(pointers[3] == 9 + 'o');

  const int n = 300;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i) in[i] = (i * 7919 + 13) % 2500;
  int* d_in = dev(in);
  long long* d_out = dev(std::vector<long long>(2 * n, 0));

  const int bias = 17;
  apply<<<(n + 127) / 128, 128>>>(d_in, d_out, n, [=] __device__(int v, int i) { return (long long)v * v - i + bias; });
  std::vector<long long> out = host(d_out, n);
  for (int i = 0; i < n; ++i)
    if (out[i] != (long long)in[i] * in[i] - i + bias) FAIL("lambda %d: %lld\n", i, out[i]);

  int* d_destroyed = dev(std::vector<int>{0});
  shapes<<<(n + 63) / 64, 64>>>(d_in, d_out, d_destroyed, n);
  CHECK(cudaGetLastError());
  out = host(d_out, n);
  for (int i = 0; i < n; ++i) {
    const long long a = in[i] % 50 + 1, b = in[i] / 50 % 50 + 1, k = i % 7 + 1;
    const long long want = i % 3 == 0 ? (a * b * k) * 10 + 2 : i % 3 == 1 ? (a * b / 2 * k + 1) * 10 + 1 : (a * a * k) * 10 + 3;
    if (out[i] != want) FAIL("shape %d: %lld, expected %lld\n", i, out[i], want);
  }
  EXPECT(host(d_destroyed, 1)[0] == n);

  // The table of device function addresses is read back from a __device__ array, then
  // copied to the __constant__ one (the documented way to get device function pointers).
  void* table[4];
  CHECK(cudaMemcpyFromSymbol(table, d_ops, sizeof table));
  CHECK(cudaMemcpyToSymbol(c_ops, table, sizeof table));
  int* d_folded = dev(std::vector<int>(n, 0));
  fold_with_table<<<(n + 127) / 128, 128>>>(d_in, d_folded, n);
  CHECK(cudaGetLastError());
  const std::vector<int> folded = host(d_folded, n);
  for (int i = 0; i < n; ++i) {
    int acc = in[i];
    for (int k = 0; k < 8; ++k) {
      const int b = in[(i + k + 1) % n] % 100;
      switch ((i + k) % 4) {
        case 0: acc = acc + b; break;
        case 1: acc = int((unsigned)acc * (unsigned)b); break;
        case 2: acc = acc > b ? acc : b; break;
        default: acc ^= b;
      }
    }
    if (folded[i] != acc) FAIL("fold %d: %d, expected %d\n", i, folded[i], acc);
  }

  std::string text;
  std::vector<int> offsets(n);
  std::vector<std::string> exprs(n);
  uint32_t seed = 99;
  for (int i = 0; i < n; ++i) {
    exprs[i] = random_expr(seed, 2 + i % 6);
    offsets[i] = int(text.size());
    text += exprs[i];
    text.push_back('\0');
  }
  std::vector<int> values(n);
  for (int i = 0; i < n; ++i) values[i] = i * 3 - 100;
  char* d_text = dev(std::vector<char>(text.begin(), text.end()));
  int* d_offsets = dev(offsets);
  int* d_values = dev(values);
  CHECK(cudaDeviceSetLimit(cudaLimitStackSize, 32 * 1024));
  recursion<<<(n + 63) / 64, 64>>>(d_text, d_offsets, d_out, d_values, n);
  CHECK(cudaGetLastError());
  out = host(d_out, 2 * n);
  for (int i = 0; i < n; ++i) {
    if (out[2 * i] != eval_host(exprs[i])) FAIL("expression %d '%s': %lld, expected %lld\n", i, exprs[i].c_str(), out[2 * i], eval_host(exprs[i]));
    long long want = 0;
    for (int d = 0; d <= 100 + i % 200; ++d) want += values[d];
    if (out[2 * i + 1] != want) FAIL("deep_sum %d: %lld, expected %lld\n", i, out[2 * i + 1], want);
  }

  const int m = 96;
  vocabulary<<<1, m, m * sizeof(Fixed)>>>(d_in, d_out, m);
  CHECK(cudaDeviceSynchronize());
  out = host(d_out, m);
  for (int i = 0; i < m; ++i) {
    auto fx = [&](int v) { return Fixed{v * 4096}; };
    const Fixed prod = fx(in[i]) * fx(in[(i + 1) % m]) + fx(in[(i + 2) % m]);
    long long want = i + ((long long)in[i] << 20) + prod.raw + (in[i] % 3 == 0 ? in[i] / 3 : -7);
    want += in[i] * 3 + (long long)(in[i] * 0.125 * 8) + prod.raw;
    want += 32767 + (fx(in[i]) < fx(in[(i + 1) % m]) ? 1 : 0);
    want += weighted_sum(in[i], (short)2, 3ll, 'a');
    if (out[i] != want) FAIL("vocabulary %d: %lld, expected %lld\n", i, out[i], want);
  }
  std::printf("cpp_device_features: OK\n");
  return 0;
}
