#include "sim/option_error_text.h"

#include <algorithm>
#include <map>

namespace po = boost::program_options;

namespace gpusim::sim {
namespace {

// Stands in for '%' inside the substituted values while Boost formats the message, so that no
// value can spell a token; turned back into '%' in the returned text. A control character no
// option value needs.
constexpr char kPercentStandIn = '\x1f';

// The substitutions (option name, value, original token) are protected members; a derived type
// may name them, and a member pointer formed there applies to any error_with_option_name.
struct SubstitutionsOf : po::error_with_option_name {
  static std::map<std::string, std::string>& of(po::error_with_option_name& error) {
    return error.*(&SubstitutionsOf::m_substitutions);
  }
};

}  // namespace

std::string option_error_text(const po::error& error) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&error);
  if (!named) return error.what();
  // The object is the caught exception itself (never const), only seen through a const reference;
  // its what() formats on demand from these substitutions, so they are rewritten in place and the
  // dynamic type's own formatting (e.g. ambiguous_option's list) still applies. They stay
  // rewritten: a later what() on the same object then shows the stand-in instead of hanging.
  auto& substitutions = SubstitutionsOf::of(const_cast<po::error_with_option_name&>(*named));
  for (auto& [token, value] : substitutions) std::replace(value.begin(), value.end(), '%', kPercentStandIn);
  std::string text = error.what();
  std::replace(text.begin(), text.end(), kPercentStandIn, '%');
  return text;
}

}  // namespace gpusim::sim
