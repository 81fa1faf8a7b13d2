// Shared by the TensorCore fragment tests: a fragment description must hand each matrix element
// to exactly one (lane, element) - the property every layout table of the PTX ISA has.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "isa/tensor_fragments.h"

namespace gpusim::isa::tensor {

inline void expect_bijective(const FragmentSpec& s, const std::string& what) {
  std::set<std::pair<unsigned, unsigned>> seen;
  for (unsigned lane = 0; lane < 32; ++lane)
    for (unsigned i = 0; i < s.distinct(); ++i) {
      const ElementPos p = s.at(lane, i);
      ASSERT_LT(p.row, s.rows) << what;
      ASSERT_LT(p.col, s.cols) << what;
      EXPECT_TRUE(seen.insert({p.row, p.col}).second) << what << " holds (" << p.row << "," << p.col << ") twice";
    }
  EXPECT_EQ(seen.size(), size_t(s.rows) * s.cols) << what;
}

}  // namespace gpusim::isa::tensor
