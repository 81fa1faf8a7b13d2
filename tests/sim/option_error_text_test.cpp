// option_error_text (sim/option_error_text.h): Boost.Program_options messages for values that spell
// its own placeholders. Before it, formatting such a message never returned (found by CI's fuzzer).
#include <gtest/gtest.h>

#include <string>

#include <boost/program_options/errors.hpp>

#include "sim/option_error_text.h"

namespace gpusim::sim {
namespace {

namespace po = boost::program_options;

TEST(OptionErrorText, ValueSpellingEveryPlaceholderIsQuotedAsTyped) {
  const std::string typed = "%value%%option%%canonical_option%%prefix%%original_token%";
  po::invalid_option_value error(typed);
  error.set_option_name("--seed");
  const std::string text = option_error_text(error);
  EXPECT_NE(text.find("('" + typed + "')"), std::string::npos) << text;
  EXPECT_NE(text.find("option 'seed'"), std::string::npos) << text;
  // Formatting again, and Boost's own what() on the same object afterwards, still return.
  EXPECT_EQ(option_error_text(error), text);
  EXPECT_FALSE(std::string(error.what()).empty());
}

TEST(OptionErrorText, OtherErrorsKeepBoostsMessage) {
  const po::too_many_positional_options_error error;
  EXPECT_EQ(option_error_text(error), std::string(error.what()));
}

}  // namespace
}  // namespace gpusim::sim
