// Texture objects over a CUDA array and over pitched linear memory (point and linear filtering,
// clamp / wrap / border, normalized and unnormalized coordinates, normalized-float reads of
// uchar4), tex1Dfetch over linear memory, and a surface written and read by kernels. Every result
// is checked against a CPU implementation of the CUDA programming guide's texture-fetching rules.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"

constexpr int W = 37, H = 23, N = 40 * 40;

__global__ void sample2d(cudaTextureObject_t t, const float2* coords, float4* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = tex2D<float4>(t, coords[i].x, coords[i].y);
}

__global__ void fetch1d(cudaTextureObject_t t, int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = tex1Dfetch<int>(t, i - 3);  // reads before and after the buffer too
}

__global__ void write_surface(cudaSurfaceObject_t s, int w, int h) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
  if (x < w && y < h) surf2Dwrite(float(x * 1000 + y), s, x * int(sizeof(float)), y);
}

__global__ void read_surface(cudaSurfaceObject_t s, float* out, int w, int h) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
  // Reads one column past the right edge with clamping: it returns the last column.
  if (x <= w && y < h) out[y * (w + 1) + x] = surf2Dread<float>(s, x * int(sizeof(float)), y, cudaBoundaryModeClamp);
}

// ---- CPU reference ------------------------------------------------------------------------
struct Tex {
  int w, h, channels;
  std::vector<float> texels;  // already converted to float (normalized for uchar)
  cudaTextureAddressMode mode;
  bool linear, normalized;
};

bool address(int& i, int n, cudaTextureAddressMode m, bool normalized) {
  if (!normalized && (m == cudaAddressModeWrap || m == cudaAddressModeMirror)) m = cudaAddressModeClamp;
  if (m == cudaAddressModeWrap) i = ((i % n) + n) % n;
  else if (m == cudaAddressModeMirror) { int p = ((i % (2 * n)) + 2 * n) % (2 * n); i = p < n ? p : 2 * n - 1 - p; }
  else if (m == cudaAddressModeClamp) i = i < 0 ? 0 : i >= n ? n - 1 : i;
  else return i >= 0 && i < n;  // border: colour 0
  return true;
}

float texel(const Tex& t, int x, int y, int c) {
  if (!address(x, t.w, t.mode, t.normalized) || !address(y, t.h, t.mode, t.normalized)) return 0.0f;
  return t.texels[(size_t(y) * t.w + x) * t.channels + c];
}

float reference(const Tex& t, float x, float y, int c) {
  if (t.normalized) x *= t.w, y *= t.h;
  if (!t.linear) return texel(t, int(std::floor(x)), int(std::floor(y)), c);
  const float xb = x - 0.5f, yb = y - 0.5f;
  const int i = int(std::floor(xb)), j = int(std::floor(yb));
  const float a = std::round((xb - std::floor(xb)) * 256.0f) / 256.0f, b = std::round((yb - std::floor(yb)) * 256.0f) / 256.0f;
  return (1 - a) * (1 - b) * texel(t, i, j, c) + a * (1 - b) * texel(t, i + 1, j, c) + (1 - a) * b * texel(t, i, j + 1, c) +
         a * b * texel(t, i + 1, j + 1, c);
}

// ---- driver ---------------------------------------------------------------------------------
std::vector<float2> make_coords(bool normalized) {
  std::vector<float2> c(N);
  for (int i = 0; i < N; ++i) {
    const float x = (i % 40) * 1.13f - 4.3f, y = (i / 40) * 0.71f - 3.9f;  // reaches past every edge
    c[i] = normalized ? make_float2(x / W, y / H) : make_float2(x, y);
  }
  return c;
}

int check_texture(const char* what, cudaTextureObject_t obj, const Tex& ref, const float2* d_coords,
                  const std::vector<float2>& coords, float4* d_out) {
  sample2d<<<(N + 127) / 128, 128>>>(obj, d_coords, d_out, N);
  CHECK(cudaGetLastError());
  std::vector<float4> out(N);
  CHECK(cudaMemcpy(out.data(), d_out, N * sizeof(float4), cudaMemcpyDeviceToHost));
  for (int i = 0; i < N; ++i) {
    const float got[4] = {out[i].x, out[i].y, out[i].z, out[i].w};
    for (int c = 0; c < ref.channels; ++c) {
      const float want = reference(ref, coords[i].x, coords[i].y, c);
      if (std::fabs(got[c] - want) > 1e-4f * (1.0f + std::fabs(want))) {
        std::fprintf(stderr, "%s: sample %d at (%g, %g) channel %d: got %.7g, want %.7g\n", what, i, coords[i].x,
                     coords[i].y, c, got[c], want);
        return 1;
      }
    }
  }
  std::printf("%s: %d samples match\n", what, N);
  return 0;
}

cudaTextureObject_t make_texture(const cudaResourceDesc& res, cudaTextureAddressMode mode, cudaTextureFilterMode filter,
                                 bool normalized, cudaTextureReadMode read = cudaReadModeElementType) {
  cudaTextureDesc td;
  std::memset(&td, 0, sizeof td);
  td.addressMode[0] = td.addressMode[1] = mode;
  td.filterMode = filter;
  td.readMode = read;
  td.normalizedCoords = normalized;
  cudaTextureObject_t obj = 0;
  CHECK(cudaCreateTextureObject(&obj, &res, &td, nullptr));
  return obj;
}

int main() {
  std::vector<float> image(W * H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) image[y * W + x] = std::sin(0.3f * x) * 10.0f + y * 0.5f;

  // A 1-channel float CUDA array.
  cudaChannelFormatDesc fdesc = cudaCreateChannelDesc<float>();
  cudaArray_t arr;
  CHECK(cudaMallocArray(&arr, &fdesc, W, H));
  CHECK(cudaMemcpy2DToArray(arr, 0, 0, image.data(), W * sizeof(float), W * sizeof(float), H, cudaMemcpyHostToDevice));
  cudaChannelFormatDesc got_desc;
  cudaExtent extent;
  unsigned flags = 99;
  CHECK(cudaArrayGetInfo(&got_desc, &extent, &flags, arr));
  EXPECT(got_desc.x == 32 && got_desc.y == 0 && got_desc.f == cudaChannelFormatKindFloat);
  EXPECT(extent.width == W && extent.height == H && extent.depth == 0 && flags == 0);

  // The same image in pitched linear memory.
  float* pitched;
  size_t pitch;
  CHECK(cudaMallocPitch(reinterpret_cast<void**>(&pitched), &pitch, W * sizeof(float), H));
  CHECK(cudaMemcpy2D(pitched, pitch, image.data(), W * sizeof(float), W * sizeof(float), H, cudaMemcpyHostToDevice));

  float2 *d_coords, *d_ncoords;
  float4* d_out;
  const std::vector<float2> coords = make_coords(false), ncoords = make_coords(true);
  CHECK(cudaMalloc(&d_coords, N * sizeof(float2)));
  CHECK(cudaMalloc(&d_ncoords, N * sizeof(float2)));
  CHECK(cudaMalloc(&d_out, N * sizeof(float4)));
  CHECK(cudaMemcpy(d_coords, coords.data(), N * sizeof(float2), cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(d_ncoords, ncoords.data(), N * sizeof(float2), cudaMemcpyHostToDevice));

  cudaResourceDesc array_res;
  std::memset(&array_res, 0, sizeof array_res);
  array_res.resType = cudaResourceTypeArray;
  array_res.res.array.array = arr;
  cudaResourceDesc pitch_res;
  std::memset(&pitch_res, 0, sizeof pitch_res);
  pitch_res.resType = cudaResourceTypePitch2D;
  pitch_res.res.pitch2D.devPtr = pitched;
  pitch_res.res.pitch2D.desc = fdesc;
  pitch_res.res.pitch2D.width = W;
  pitch_res.res.pitch2D.height = H;
  pitch_res.res.pitch2D.pitchInBytes = pitch;

  int failures = 0;
  struct Case {
    const char* name;
    bool array;
    cudaTextureAddressMode mode;
    bool linear, normalized;
  } cases[] = {
      {"array point clamp", true, cudaAddressModeClamp, false, false},
      {"array linear clamp", true, cudaAddressModeClamp, true, false},
      {"array point wrap normalized", true, cudaAddressModeWrap, false, true},
      {"array linear wrap normalized", true, cudaAddressModeWrap, true, true},
      {"array linear mirror normalized", true, cudaAddressModeMirror, true, true},
      {"array linear border", true, cudaAddressModeBorder, true, false},
      {"pitch2D point clamp", false, cudaAddressModeClamp, false, false},
      {"pitch2D linear wrap normalized", false, cudaAddressModeWrap, true, true},
      {"pitch2D linear clamp normalized", false, cudaAddressModeClamp, true, true},
  };
  for (const Case& c : cases) {
    const cudaTextureObject_t obj = make_texture(c.array ? array_res : pitch_res, c.mode,
                                                 c.linear ? cudaFilterModeLinear : cudaFilterModePoint, c.normalized);
    const Tex ref{W, H, 1, image, c.mode, c.linear, c.normalized};
    failures += check_texture(c.name, obj, ref, c.normalized ? d_ncoords : d_coords, c.normalized ? ncoords : coords, d_out);
    cudaTextureDesc back;
    CHECK(cudaGetTextureObjectTextureDesc(&back, obj));
    EXPECT(back.addressMode[0] == c.mode && back.normalizedCoords == int(c.normalized));
    CHECK(cudaDestroyTextureObject(obj));
  }

  // uchar4 read as normalized floats, bilinear, border.
  std::vector<uchar4> rgba(W * H);
  for (int i = 0; i < W * H; ++i) rgba[i] = make_uchar4(i % 256, (i * 7) % 256, (i * 13) % 256, 255 - i % 256);
  cudaChannelFormatDesc u4 = cudaCreateChannelDesc<uchar4>();
  cudaArray_t arr4;
  CHECK(cudaMallocArray(&arr4, &u4, W, H));
  CHECK(cudaMemcpy2DToArray(arr4, 0, 0, rgba.data(), W * 4, W * 4, H, cudaMemcpyHostToDevice));
  cudaResourceDesc res4 = array_res;
  res4.res.array.array = arr4;
  {
    const cudaTextureObject_t obj = make_texture(res4, cudaAddressModeBorder, cudaFilterModeLinear, false,
                                                 cudaReadModeNormalizedFloat);
    Tex ref{W, H, 4, std::vector<float>(W * H * 4), cudaAddressModeBorder, true, false};
    for (int i = 0; i < W * H; ++i) {
      const unsigned char v[4] = {rgba[i].x, rgba[i].y, rgba[i].z, rgba[i].w};
      for (int c = 0; c < 4; ++c) ref.texels[i * 4 + c] = v[c] / 255.0f;
    }
    failures += check_texture("uchar4 normalized-float linear border", obj, ref, d_coords, coords, d_out);
    CHECK(cudaDestroyTextureObject(obj));
  }

  // tex1Dfetch over a linear int buffer: zero outside it.
  {
    const int n = 100;
    std::vector<int> values(n);
    for (int i = 0; i < n; ++i) values[i] = i * i - 50;
    int *d_values, *d_fetched;
    CHECK(cudaMalloc(&d_values, n * sizeof(int)));
    CHECK(cudaMalloc(&d_fetched, (n + 6) * sizeof(int)));
    CHECK(cudaMemcpy(d_values, values.data(), n * sizeof(int), cudaMemcpyHostToDevice));
    cudaResourceDesc lin;
    std::memset(&lin, 0, sizeof lin);
    lin.resType = cudaResourceTypeLinear;
    lin.res.linear.devPtr = d_values;
    lin.res.linear.desc = cudaCreateChannelDesc<int>();
    lin.res.linear.sizeInBytes = n * sizeof(int);
    const cudaTextureObject_t obj = make_texture(lin, cudaAddressModeClamp, cudaFilterModePoint, false);
    fetch1d<<<1, n + 6>>>(obj, d_fetched, n + 6);
    std::vector<int> fetched(n + 6);
    CHECK(cudaMemcpy(fetched.data(), d_fetched, fetched.size() * sizeof(int), cudaMemcpyDeviceToHost));
    for (int i = 0; i < n + 6; ++i) {
      const int at = i - 3, want = at >= 0 && at < n ? values[at] : 0;
      if (fetched[i] != want) {
        std::fprintf(stderr, "tex1Dfetch(%d): got %d, want %d\n", at, fetched[i], want);
        ++failures;
        break;
      }
    }
    std::printf("tex1Dfetch: %d fetches match\n", n + 6);
    CHECK(cudaDestroyTextureObject(obj));
  }

  // A surface: one kernel writes every element, another reads them back (one column past the
  // edge, clamped), and the array is copied out to the host.
  {
    cudaArray_t sarr;
    CHECK(cudaMallocArray(&sarr, &fdesc, W, H, cudaArraySurfaceLoadStore));
    cudaResourceDesc sres = array_res;
    sres.res.array.array = sarr;
    cudaSurfaceObject_t surf = 0;
    CHECK(cudaCreateSurfaceObject(&surf, &sres));
    write_surface<<<dim3(1, H), 64>>>(surf, W, H);
    float* d_read;
    CHECK(cudaMalloc(&d_read, (W + 1) * H * sizeof(float)));
    read_surface<<<dim3(1, H), 64>>>(surf, d_read, W, H);
    std::vector<float> read((W + 1) * H), copied(W * H);
    CHECK(cudaMemcpy(read.data(), d_read, read.size() * sizeof(float), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy2DFromArray(copied.data(), W * sizeof(float), sarr, 0, 0, W * sizeof(float), H, cudaMemcpyDeviceToHost));
    for (int y = 0; y < H; ++y)
      for (int x = 0; x <= W; ++x) {
        const float want = float((x < W ? x : W - 1) * 1000 + y);
        if (read[y * (W + 1) + x] != want || (x < W && copied[y * W + x] != want)) {
          std::fprintf(stderr, "surface (%d, %d): read %g, copied %g, want %g\n", x, y, read[y * (W + 1) + x],
                       x < W ? copied[y * W + x] : want, want);
          ++failures;
          y = H;
          break;
        }
      }
    std::printf("surface: %d elements written and read back\n", W * H);
    CHECK(cudaDestroySurfaceObject(surf));
    CHECK(cudaFreeArray(sarr));
    CHECK(cudaFree(d_read));
  }

  // What CUDA refuses at creation: a surface over an array without cudaArraySurfaceLoadStore,
  // linear filtering of integer texels read as integers.
  {
    cudaSurfaceObject_t surf = 0;
    EXPECT(cudaCreateSurfaceObject(&surf, &array_res) != cudaSuccess);
    cudaGetLastError();
    cudaResourceDesc ires = res4;
    cudaTextureDesc td;
    std::memset(&td, 0, sizeof td);
    td.filterMode = cudaFilterModeLinear;
    td.readMode = cudaReadModeElementType;
    cudaTextureObject_t obj = 0;
    EXPECT(cudaCreateTextureObject(&obj, &ires, &td, nullptr) != cudaSuccess);
    cudaGetLastError();
  }

  // Arrays past the extents the device reports are refused (cudaErrorInvalidValue), as a GPU
  // refuses them; at the limit they are made.
  {
    cudaDeviceProp prop;
    CHECK(cudaGetDeviceProperties(&prop, 0));
    cudaArray_t a = nullptr;
    EXPECT(cudaMallocArray(&a, &fdesc, size_t(prop.maxTexture1D) + 1, 0) == cudaErrorInvalidValue);
    CHECK(cudaMallocArray(&a, &fdesc, size_t(prop.maxTexture1D), 0));
    CHECK(cudaFreeArray(a));
    EXPECT(cudaMallocArray(&a, &fdesc, size_t(prop.maxSurface1D) + 1, 0, cudaArraySurfaceLoadStore) == cudaErrorInvalidValue);
    EXPECT(cudaMallocArray(&a, &fdesc, 4, size_t(prop.maxTexture2D[1]) + 1) == cudaErrorInvalidValue);
    EXPECT(cudaMalloc3DArray(&a, &fdesc, make_cudaExtent(4, 4, size_t(prop.maxTexture2DLayered[2]) + 1), cudaArrayLayered) ==
           cudaErrorInvalidValue);
    EXPECT(cudaMalloc3DArray(&a, &fdesc, make_cudaExtent(size_t(prop.maxTexture3D[0]) + 1, 4, 4), 0) == cudaErrorInvalidValue);
    cudaGetLastError();
    std::printf("array limits: arrays past the reported extents refused\n");
  }

  // Using a destroyed array is an error CUDA reports.
  CHECK(cudaFreeArray(arr));
  EXPECT(cudaArrayGetInfo(&got_desc, &extent, &flags, arr) == cudaErrorInvalidResourceHandle);
  cudaGetLastError();
  CHECK(cudaFreeArray(arr4));
  CHECK(cudaFree(pitched));
  if (failures) {
    std::printf("FAILED (%d)\n", failures);
    return 1;
  }
  std::printf("OK\n");
  return 0;
}
