// CUDA arrays, texture and surface objects through the driver API (the simpleTextureDrv way):
// cuArrayCreate / cuArray3DCreate, cuMemcpy2D and the 1-D array copies, cuTexObjectCreate over an
// array, a pitched and a linear buffer (point and linear filtering, the driver's default promotion
// of 8/16-bit integers to normalized floats and CU_TRSF_READ_AS_INTEGER), layered arrays,
// cuSurfObjectCreate, the queries and the refusals. Every value is checked against the host.
#include <cmath>
#include <cstdio>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void sample_point(cudaTextureObject_t t, float* out, int w, int h) {
  int x = threadIdx.x, y = blockIdx.x;  // texels -3 .. w+2 and -3 .. h+2: clamped outside
  out[y * (w + 6) + x] = tex2D<float>(t, x - 3 + 0.5f, y - 3 + 0.5f);
}
extern "C" __global__ void sample_linear(cudaTextureObject_t t, float* out, int n) {
  int i = threadIdx.x;
  out[i] = tex2D<float>(t, (i % n + 0.25f) / n, (i / n + 0.75f) / n);  // normalized, wrap
}
extern "C" __global__ void read_bytes(cudaTextureObject_t as_float, cudaTextureObject_t as_int, float4* f, uchar4* u) {
  int x = threadIdx.x;
  f[x] = tex2D<float4>(as_float, x + 0.5f, 0.5f);
  u[x] = tex2D<uchar4>(as_int, x + 0.5f, 0.5f);
}
extern "C" __global__ void read_ints(cudaTextureObject_t t, int* out) { out[threadIdx.x] = tex2D<int>(t, threadIdx.x + 0.5f, 0.5f); }
extern "C" __global__ void fetch_linear(cudaTextureObject_t t, float* out) { out[threadIdx.x] = tex1Dfetch<float>(t, threadIdx.x); }
extern "C" __global__ void read_layers(cudaTextureObject_t t, float* out, int w) {
  out[blockIdx.x * w + threadIdx.x] = tex2DLayered<float>(t, threadIdx.x + 0.5f, 0.5f, blockIdx.x);
}
extern "C" __global__ void write_surface(cudaSurfaceObject_t s, int w) {
  int x = threadIdx.x, y = blockIdx.x;
  surf2Dwrite(y * 100 + x, s, x * 4, y);
}
)";

static void launch(CUfunction f, unsigned grid, unsigned block, std::vector<void*> args) {
  CU(cuLaunchKernel(f, grid, 1, 1, block, 1, 1, 0, nullptr, args.data(), nullptr));
  CU(cuCtxSynchronize());
}

static CUtexObject texture(const CUDA_RESOURCE_DESC& res, CUaddress_mode mode, CUfilter_mode filter, unsigned flags) {
  CUDA_TEXTURE_DESC td = {};
  td.addressMode[0] = td.addressMode[1] = td.addressMode[2] = mode;
  td.filterMode = filter;
  td.flags = flags;
  CUtexObject t;
  CU(cuTexObjectCreate(&t, &res, &td, nullptr));
  return t;
}

static CUDA_RESOURCE_DESC array_resource(CUarray a) {
  CUDA_RESOURCE_DESC r = {};
  r.resType = CU_RESOURCE_TYPE_ARRAY;
  r.res.array.hArray = a;
  return r;
}

int main() {
  start_driver();
  const std::string ptx = compile_ptx(kSource, "driver_textures.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction sample_point, sample_linear, read_bytes, read_ints, fetch_linear, read_layers, write_surface;
  CU(cuModuleGetFunction(&sample_point, mod, "sample_point"));
  CU(cuModuleGetFunction(&sample_linear, mod, "sample_linear"));
  CU(cuModuleGetFunction(&read_bytes, mod, "read_bytes"));
  CU(cuModuleGetFunction(&read_ints, mod, "read_ints"));
  CU(cuModuleGetFunction(&fetch_linear, mod, "fetch_linear"));
  CU(cuModuleGetFunction(&read_layers, mod, "read_layers"));
  CU(cuModuleGetFunction(&write_surface, mod, "write_surface"));

  // A 37 x 19 float array filled from a padded host image, read back as a sub-rectangle.
  const int w = 37, h = 19, host_pitch = 40;
  std::vector<float> image(host_pitch * h, -1.0f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) image[y * host_pitch + x] = y * 100.0f + x;
  CUDA_ARRAY_DESCRIPTOR ad = {};
  ad.Width = w;
  ad.Height = h;
  ad.Format = CU_AD_FORMAT_FLOAT;
  ad.NumChannels = 1;
  CUarray arr;
  CU(cuArrayCreate(&arr, &ad));
  CUDA_MEMCPY2D up = {};
  up.srcMemoryType = CU_MEMORYTYPE_HOST;
  up.srcHost = image.data();
  up.srcPitch = host_pitch * sizeof(float);
  up.dstMemoryType = CU_MEMORYTYPE_ARRAY;
  up.dstArray = arr;
  up.WidthInBytes = w * sizeof(float);
  up.Height = h;
  CU(cuMemcpy2D(&up));
  std::vector<float> part(5 * 4);
  CUDA_MEMCPY2D down = {};
  down.srcMemoryType = CU_MEMORYTYPE_ARRAY;
  down.srcArray = arr;
  down.srcXInBytes = 3 * sizeof(float);
  down.srcY = 7;
  down.dstMemoryType = CU_MEMORYTYPE_HOST;
  down.dstHost = part.data();
  down.dstPitch = 5 * sizeof(float);
  down.WidthInBytes = 5 * sizeof(float);
  down.Height = 4;
  CU(cuMemcpy2D(&down));
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) EXPECT(part[y * 5 + x] == (7 + y) * 100.0f + 3 + x);
  CUDA_ARRAY_DESCRIPTOR back = {};
  CU(cuArrayGetDescriptor(&back, arr));
  EXPECT(back.Width == w && back.Height == h && back.Format == CU_AD_FORMAT_FLOAT && back.NumChannels == 1);

  // Point sampling with clamping, texel coordinates.
  const CUDA_RESOURCE_DESC res = array_resource(arr);
  CUtexObject point = texture(res, CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT, 0);
  CUdeviceptr out;
  CU(cuMemAlloc(&out, 64 * 64 * sizeof(float)));
  int wi = w, hi = h;
  launch(sample_point, h + 6, w + 6, {&point, &out, &wi, &hi});
  std::vector<float> got((w + 6) * (h + 6));
  CU(cuMemcpyDtoH(got.data(), out, got.size() * sizeof(float)));
  for (int y = 0; y < h + 6; ++y)
    for (int x = 0; x < w + 6; ++x) {
      const int cx = std::min(std::max(x - 3, 0), w - 1), cy = std::min(std::max(y - 3, 0), h - 1);
      EXPECT(got[y * (w + 6) + x] == cy * 100.0f + cx);
    }
  CUDA_RESOURCE_DESC res_back = {};
  CU(cuTexObjectGetResourceDesc(&res_back, point));
  EXPECT(res_back.resType == CU_RESOURCE_TYPE_ARRAY && res_back.res.array.hArray == arr);

  // Linear filtering of a linear function over a 16 x 16 array, normalized coordinates, wrap:
  // inside the image the result is the function (to the 8-bit weights' precision).
  const int n = 16;
  std::vector<float> ramp(n * n);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) ramp[y * n + x] = 2.0f * x + 3.0f * y;
  ad.Width = ad.Height = n;
  CUarray ramp_arr;
  CU(cuArrayCreate(&ramp_arr, &ad));
  CU(cuMemcpyHtoA(ramp_arr, 0, ramp.data(), ramp.size() * sizeof(float)));
  CUtexObject lin = texture(array_resource(ramp_arr), CU_TR_ADDRESS_MODE_WRAP, CU_TR_FILTER_MODE_LINEAR,
                            CU_TRSF_NORMALIZED_COORDINATES);
  launch(sample_linear, 1, n * (n - 1), {&lin, &out, const_cast<int*>(&n)});
  CU(cuMemcpyDtoH(got.data(), out, n * (n - 1) * sizeof(float)));
  for (int i = 0; i < n * (n - 1); ++i) {
    const int x = i % n, y = i / n;
    if (x == 0) continue;  // between the last column and the first (wrap)
    EXPECT(std::fabs(got[i] - (2.0f * (x - 0.25f) + 3.0f * (y + 0.25f))) < 0.05f);
  }

  // 8-bit RGBA: the driver promotes to [0,1] floats unless CU_TRSF_READ_AS_INTEGER.
  CUDA_ARRAY3D_DESCRIPTOR bd = {};
  bd.Width = 32;
  bd.Height = 1;
  bd.Format = CU_AD_FORMAT_UNSIGNED_INT8;
  bd.NumChannels = 4;
  CUarray bytes_arr;
  CU(cuArray3DCreate(&bytes_arr, &bd));
  std::vector<unsigned char> rgba(32 * 4);
  for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<unsigned char>(i * 7 + 1);
  CU(cuMemcpyHtoA(bytes_arr, 0, rgba.data(), rgba.size()));
  CUtexObject as_float = texture(array_resource(bytes_arr), CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT, 0);
  CUtexObject as_int = texture(array_resource(bytes_arr), CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT,
                               CU_TRSF_READ_AS_INTEGER);
  CUdeviceptr fout, uout;
  CU(cuMemAlloc(&fout, 32 * 16));
  CU(cuMemAlloc(&uout, 32 * 4));
  launch(read_bytes, 1, 32, {&as_float, &as_int, &fout, &uout});
  std::vector<float> fl(32 * 4);
  std::vector<unsigned char> ub(32 * 4);
  CU(cuMemcpyDtoH(fl.data(), fout, fl.size() * sizeof(float)));
  CU(cuMemcpyDtoH(ub.data(), uout, ub.size()));
  for (size_t i = 0; i < rgba.size(); ++i) {
    EXPECT(std::fabs(fl[i] - rgba[i] / 255.0f) < 1e-6f);
    EXPECT(ub[i] == rgba[i]);
  }

  // 32-bit integers are never promoted, flag or not.
  bd.Format = CU_AD_FORMAT_SIGNED_INT32;
  bd.NumChannels = 1;
  CUarray int_arr;
  CU(cuArray3DCreate(&int_arr, &bd));
  std::vector<int> ints(32);
  for (int i = 0; i < 32; ++i) ints[i] = i * i - 500;
  CU(cuMemcpyHtoA(int_arr, 0, ints.data(), ints.size() * sizeof(int)));
  CUtexObject int_tex = texture(array_resource(int_arr), CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT, 0);
  launch(read_ints, 1, 32, {&int_tex, &uout});
  std::vector<int> ints_back(32);
  CU(cuMemcpyDtoH(ints_back.data(), uout, 32 * sizeof(int)));
  EXPECT(ints_back == ints);

  // A linear buffer, and the 1-D array copies between device memory and arrays.
  CUdeviceptr buf;
  CU(cuMemAlloc(&buf, n * n * sizeof(float)));
  CU(cuMemcpyAtoD(buf, ramp_arr, 0, n * n * sizeof(float)));
  CUDA_RESOURCE_DESC lr = {};
  lr.resType = CU_RESOURCE_TYPE_LINEAR;
  lr.res.linear.devPtr = buf;
  lr.res.linear.format = CU_AD_FORMAT_FLOAT;
  lr.res.linear.numChannels = 1;
  lr.res.linear.sizeInBytes = n * n * sizeof(float);
  CUtexObject fetch = texture(lr, CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT, 0);
  launch(fetch_linear, 1, n * n, {&fetch, &out});
  CU(cuMemcpyDtoH(got.data(), out, n * n * sizeof(float)));
  for (int i = 0; i < n * n; ++i) EXPECT(got[i] == ramp[i]);
  CUarray copy_arr;
  ad.Width = ad.Height = n;
  CU(cuArrayCreate(&copy_arr, &ad));
  CU(cuMemcpyAtoA(copy_arr, 0, ramp_arr, 0, n * n * sizeof(float)));
  CU(cuMemcpyDtoA(copy_arr, 4, buf, sizeof(float)));  // element 1 := element 0
  std::vector<float> copied(n * n);
  CU(cuMemcpyAtoH(copied.data(), copy_arr, 0, copied.size() * sizeof(float)));
  for (int i = 0; i < n * n; ++i) EXPECT(copied[i] == (i == 1 ? ramp[0] : ramp[i]));

  // A layered array: 3 layers of 8 x 1.
  CUDA_ARRAY3D_DESCRIPTOR ld = {};
  ld.Width = 8;
  ld.Height = 1;
  ld.Depth = 3;
  ld.Format = CU_AD_FORMAT_FLOAT;
  ld.NumChannels = 1;
  ld.Flags = CUDA_ARRAY3D_LAYERED;
  CUarray layered;
  CU(cuArray3DCreate(&layered, &ld));
  std::vector<float> layers(24);
  for (int i = 0; i < 24; ++i) layers[i] = 0.5f * i;
  CU(cuMemcpyHtoA(layered, 0, layers.data(), layers.size() * sizeof(float)));
  CUtexObject layer_tex = texture(array_resource(layered), CU_TR_ADDRESS_MODE_CLAMP, CU_TR_FILTER_MODE_POINT, 0);
  int eight = 8;
  launch(read_layers, 3, 8, {&layer_tex, &out, &eight});
  CU(cuMemcpyDtoH(got.data(), out, 24 * sizeof(float)));
  for (int i = 0; i < 24; ++i) EXPECT(got[i] == layers[i]);
  CUDA_ARRAY3D_DESCRIPTOR ld_back = {};
  CU(cuArray3DGetDescriptor(&ld_back, layered));
  EXPECT(ld_back.Depth == 3 && ld_back.Flags == CUDA_ARRAY3D_LAYERED);

  // A surface written by a kernel, read back with a 3-D copy.
  CUDA_ARRAY3D_DESCRIPTOR sd = {};
  sd.Width = 12;
  sd.Height = 5;
  sd.Format = CU_AD_FORMAT_SIGNED_INT32;
  sd.NumChannels = 1;
  sd.Flags = CUDA_ARRAY3D_SURFACE_LDST;
  CUarray surf_arr;
  CU(cuArray3DCreate(&surf_arr, &sd));
  CUsurfObject surf;
  const CUDA_RESOURCE_DESC surf_res = array_resource(surf_arr);
  CU(cuSurfObjectCreate(&surf, &surf_res));
  int twelve = 12;
  launch(write_surface, 5, 12, {&surf, &twelve});
  std::vector<int> surf_back(12 * 5);
  CUDA_MEMCPY3D c3 = {};
  c3.srcMemoryType = CU_MEMORYTYPE_ARRAY;
  c3.srcArray = surf_arr;
  c3.dstMemoryType = CU_MEMORYTYPE_HOST;
  c3.dstHost = surf_back.data();
  c3.dstPitch = 12 * sizeof(int);
  c3.dstHeight = 5;
  c3.WidthInBytes = 12 * sizeof(int);
  c3.Height = 5;
  c3.Depth = 1;
  CU(cuMemcpy3D(&c3));
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 12; ++x) EXPECT(surf_back[y * 12 + x] == y * 100 + x);

  // Refusals: a surface over an array without CUDA_ARRAY3D_SURFACE_LDST, a copy past the array's
  // end, a format gpusim does not model, a destroyed array.
  CUsurfObject bad_surf;
  EXPECT(cuSurfObjectCreate(&bad_surf, &res) == CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuMemcpyHtoA(arr, w * h * sizeof(float) - 4, image.data(), 8) == CUDA_ERROR_INVALID_VALUE);
  down.srcY = h - 2;
  EXPECT(cuMemcpy2D(&down) == CUDA_ERROR_INVALID_VALUE);
  ad.Format = CU_AD_FORMAT_BC1_UNORM;
  CUarray unsupported;
  EXPECT(cuArrayCreate(&unsupported, &ad) == CUDA_ERROR_NOT_SUPPORTED);
  CU(cuTexObjectDestroy(point));
  EXPECT(cuTexObjectDestroy(point) == CUDA_ERROR_INVALID_VALUE);
  CU(cuSurfObjectDestroy(surf));
  CU(cuArrayDestroy(copy_arr));
  EXPECT(cuArrayDestroy(copy_arr) == CUDA_ERROR_INVALID_HANDLE);
  std::printf("driver_textures: OK\n");
  return 0;
}
