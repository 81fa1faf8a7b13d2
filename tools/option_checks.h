// Checks on parsed command-line options that Boost.Program_options does not make itself.
#pragma once

#include <boost/program_options/parsers.hpp>

namespace gpusim::cli {

// Boost converts "-1" to an unsigned option by wrapping it (--seed -1 became 2^64-1 silently).
// Throws boost::program_options::invalid_option_value for a negative value given to any option
// whose value type is unsigned.
void reject_negative_unsigned(const boost::program_options::parsed_options& parsed);

}  // namespace gpusim::cli
