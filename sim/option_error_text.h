// The message of a Boost.Program_options error, safe for any value a user typed.
#pragma once

#include <string>

#include <boost/program_options/errors.hpp>

namespace gpusim::sim {

// Boost.Program_options (1.74) builds a message by replacing each "%token%" of its template with
// the option name or value in a loop that runs until the token no longer occurs; a value that
// contains the token itself ("--threads %value%", "sm.count=%value%" in an INI file) makes the
// message grow forever. This returns the same message with the user's text put in once.
// Everything that prints a caught po::error goes through here, never through e.what().
std::string option_error_text(const boost::program_options::error& error);

}  // namespace gpusim::sim
