// A host-only program linking a CUDA library whose global constructor used CUDA at load time
// (static_runtime_ctor_lib.cu); checks the table it computed against the CPU's.
#include <cstdio>

extern "C" int load_time_table(int out[8], const char** error);

int main() {
  int values[8];
  const char* error = "";
  if (load_time_table(values, &error) != 0) {
    std::printf("static_runtime_ctor: the library's constructor failed: %s\n", error);
    return 1;
  }
  for (int i = 0; i < 8; ++i)
    if (values[i] != i * i + 5) {
      std::printf("static_runtime_ctor: element %d is %d, expected %d\n", i, values[i], i * i + 5);
      return 1;
    }
  std::printf("static_runtime_ctor: OK\n");
  return 0;
}
