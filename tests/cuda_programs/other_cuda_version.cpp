// A program that needs another CUDA version's shared runtime (libcudart.so.12, a stand-in built by
// CMake): gpusim exec must refuse it by name before it starts instead of the loader failing or a
// CUDA 12 program meeting CUDA 13's structures.
extern "C" int cudaRuntimeGetVersion(int* version);

int main() {
  int version = 0;
  return cudaRuntimeGetVersion(&version);
}
