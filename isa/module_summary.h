// A human-readable description of a parsed Module: per kernel its parameters, instruction
// counts by unit class, declared registers by type, shared/local sizes and ptxas figures.
#pragma once

#include <ostream>

#include "isa/ir.h"

namespace gpusim::isa {

void write_module_summary(std::ostream& out, const Module& m);

}  // namespace gpusim::isa
