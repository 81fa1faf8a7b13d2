// cudaMalloc3D / cudaMemset3D / cudaMemcpy3D on pitched volumes, cudaMemcpy3DPeer and
// cudaMemcpyPeer on the one simulated device (device 1 is cudaErrorInvalidDevice), peer access
// and PCI bus ids. A sub-box is copied in, a kernel walks the volume through the pitched pointer,
// and everything read back is compared with a CPU model of the same steps.
#include <cstring>
#include <vector>
#include "check.cuh"

__global__ void scale_volume(cudaPitchedPtr p, int w, int h, float s) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y, z = blockIdx.z;
  if (x >= w) return;
  float* row = reinterpret_cast<float*>(static_cast<char*>(p.ptr) + (size_t(z) * h + y) * p.pitch);
  row[x] = row[x] * s + z;
}

int main() {
  const int w = 37, h = 11, d = 5;
  const cudaExtent ext = make_cudaExtent(w * sizeof(float), h, d);
  cudaPitchedPtr vol;
  CHECK(cudaMalloc3D(&vol, ext));
  EXPECT(vol.pitch >= w * sizeof(float) && vol.pitch % 128 == 0);
  EXPECT(vol.xsize == w * sizeof(float) && vol.ysize == size_t(h));
  CHECK(cudaMemset3D(vol, 0x3f, ext));

  std::vector<float> src(w * h * d);
  for (size_t i = 0; i < src.size(); ++i) src[i] = 0.5f * i;
  cudaMemcpy3DParms in = {};
  in.srcPtr = make_cudaPitchedPtr(src.data(), w * sizeof(float), w, h);
  in.srcPos = make_cudaPos(3 * sizeof(float), 2, 1);
  in.dstPtr = vol;
  in.dstPos = make_cudaPos(3 * sizeof(float), 2, 1);
  in.extent = make_cudaExtent(30 * sizeof(float), 7, 3);  // x 3..32, y 2..8, z 1..3
  in.kind = cudaMemcpyHostToDevice;
  CHECK(cudaMemcpy3D(&in));
  scale_volume<<<dim3((w + 31) / 32, h, d), 32>>>(vol, w, h, 2.0f);
  CHECK(cudaGetLastError());

  // Device to device into a dense volume through the peer form, then to the host.
  float* dense;
  CHECK(cudaMalloc(&dense, src.size() * sizeof(float)));
  cudaMemcpy3DPeerParms peer = {};
  peer.srcPtr = vol;
  peer.srcDevice = 0;
  peer.dstPtr = make_cudaPitchedPtr(dense, w * sizeof(float), w, h);
  peer.dstDevice = 0;
  peer.extent = ext;
  CHECK(cudaMemcpy3DPeer(&peer));
  float* copy;
  CHECK(cudaMalloc(&copy, src.size() * sizeof(float)));
  CHECK(cudaMemcpyPeer(copy, 0, dense, 0, src.size() * sizeof(float)));
  std::vector<float> got(src.size());
  CHECK(cudaMemcpy(got.data(), copy, got.size() * sizeof(float), cudaMemcpyDeviceToHost));

  float fill;
  const unsigned fill_bits = 0x3f3f3f3fu;
  std::memcpy(&fill, &fill_bits, 4);
  int bad = 0;
  for (int z = 0; z < d; ++z)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const bool inside = x >= 3 && x < 33 && y >= 2 && y < 9 && z >= 1 && z < 4;
        const size_t i = (size_t(z) * h + y) * w + x;
        if (got[i] != (inside ? src[i] : fill) * 2.0f + z) ++bad;
      }
  EXPECT(bad == 0);

  EXPECT(cudaMemcpyPeer(copy, 1, dense, 0, 64) == cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError() == cudaErrorInvalidDevice);
  peer.dstDevice = 1;
  EXPECT(cudaMemcpy3DPeer(&peer) == cudaErrorInvalidDevice);
  cudaGetLastError();

  // Multi-GPU set-up code on one device: no peer (a device is not its own peer), and the PCI bus
  // id names device 0 both ways.
  int can = 1;
  CHECK(cudaDeviceCanAccessPeer(&can, 0, 0));
  EXPECT(can == 0);
  can = 1;
  EXPECT(cudaDeviceCanAccessPeer(&can, 0, 1) == cudaErrorInvalidDevice);  // there is no device 1
  EXPECT(cudaDeviceCanAccessPeer(nullptr, 0, 0) == cudaErrorInvalidValue);
  cudaGetLastError();
  EXPECT(cudaDeviceEnablePeerAccess(0, 0) == cudaErrorInvalidDevice);
  EXPECT(cudaDeviceEnablePeerAccess(1, 0) == cudaErrorInvalidDevice);
  EXPECT(cudaDeviceDisablePeerAccess(1) == cudaErrorInvalidDevice);
  int attr = -1;
  EXPECT(cudaDeviceGetP2PAttribute(&attr, cudaDevP2PAttrAccessSupported, 0, 0) == cudaErrorInvalidDevice);
  EXPECT(cudaGetLastError() == cudaErrorInvalidDevice);
  char bus_id[32];
  int by_bus = -1;
  CHECK(cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, 0));
  CHECK(cudaDeviceGetByPCIBusId(&by_bus, bus_id));
  EXPECT(by_bus == 0);
  EXPECT(cudaDeviceGetByPCIBusId(&by_bus, "0000:65:00.0") == cudaErrorInvalidDevice);
  EXPECT(cudaDeviceGetByPCIBusId(&by_bus, "not a bus") == cudaErrorInvalidValue);
  EXPECT(cudaDeviceGetByPCIBusId(&by_bus, "0000:00:00.0 zz") == cudaErrorInvalidValue);  // trailing junk
  cudaGetLastError();
  // CUDA's other two forms: [domain]:[bus]:[device] and [bus]:[device].[function].
  by_bus = -1;
  CHECK(cudaDeviceGetByPCIBusId(&by_bus, "0000:00:00"));
  EXPECT(by_bus == 0);
  by_bus = -1;
  CHECK(cudaDeviceGetByPCIBusId(&by_bus, "00:00.0"));
  EXPECT(by_bus == 0);
  CHECK(cudaFree(vol.ptr));
  std::printf("3-D pitched volume: %d elements match\nOK\n", w * h * d);
  return 0;
}
