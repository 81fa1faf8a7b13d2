// Recorded measurement CSVs (configs/measured/*.kernels.csv and *.ubench.csv): either they read
// or they fail with validation::CsvError naming file:line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input_file.h"
#include "validation/csv.h"
#include "validation/measured_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gpusim::fuzz::write_input(data, size, ".csv");
  try {
    gpusim::validation::read_kernel_record(path);
  } catch (const gpusim::validation::CsvError&) {
  }
  try {
    gpusim::validation::read_ubench_record(path);
  } catch (const gpusim::validation::CsvError&) {
  }
  return 0;
}
