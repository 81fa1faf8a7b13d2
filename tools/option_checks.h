// Checks on parsed command-line options that Boost.Program_options does not make itself.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

namespace gpusim::cli {

// Boost converts "-1" to an unsigned option by wrapping it (--seed -1 became 2^64-1 silently).
// Throws boost::program_options::invalid_option_value for a negative value given to any option
// whose value type is unsigned.
void reject_negative_unsigned(const boost::program_options::parsed_options& parsed);

}  // namespace gpusim::cli

namespace gpusim::cli {

// --max-host-memory SIZE and --max-launch-work N (runtime/resource_limits.h), for the commands
// that run workloads.
boost::program_options::options_description resource_limit_options();
// Applies the two options when given. Throws std::invalid_argument for a malformed SIZE.
void apply_resource_limit_options(const boost::program_options::variables_map& vm);

}  // namespace gpusim::cli
