// IDX files (plain or gzip) and the Fashion-MNIST pairing checks: either the data loads or it
// fails with framework::data::DataError naming the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "framework/dataset.h"
#include "framework/idx.h"
#include "fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gpusim::fuzz::write_input(data, size, ".idx");
  try {
    const gpusim::framework::data::IdxArray a = gpusim::framework::data::read_idx(path);
    // The same file as images and as labels exercises the pairing checks on what read_idx accepts.
    gpusim::framework::data::load_idx_pair(path, path, 4);
    (void)a;
  } catch (const gpusim::framework::data::DataError&) {
  }
  return 0;
}
