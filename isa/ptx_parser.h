// The PTX front end: text -> decoded Module (see isa/ir.h). Accepts what nvcc 13 emits for
// ordinary CUDA code (-arch=compute_80, -O0/-G, -lineinfo); everything it does not accept is a
// ParseError naming file, line and column.
#pragma once

#include <string>

#include "isa/ir.h"
#include "isa/ptx_lexer.h"  // ParseError

namespace gpusim::isa {

// Parses, lays out every symbol, resolves labels and calls, and computes branch reconvergence
// points for every function. Throws ParseError.
Module parse_ptx(const std::string& text, const std::string& source_name);

}  // namespace gpusim::isa
