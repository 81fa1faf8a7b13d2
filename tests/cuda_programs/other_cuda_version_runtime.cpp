// Stand-in for CUDA 12's libcudart.so.12 (only its name matters to the test).
extern "C" int cudaRuntimeGetVersion(int* version) {
  *version = 12080;
  return 0;
}
