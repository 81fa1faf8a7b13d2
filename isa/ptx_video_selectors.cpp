#include "isa/ptx_video_selectors.h"

#include <string>

namespace gpusim::isa {

uint16_t parse_video_selector(std::string_view suffix, unsigned operand, unsigned elements) {
  const char letter = elements == 4 ? 'b' : 'h';
  const unsigned sources = 2 * elements;  // the elements of {b, a}
  const std::string unit = elements == 4 ? "byte" : "halfword";
  if (suffix.size() < 2 || suffix[0] != letter)
    throw std::invalid_argument("'." + std::string(suffix) + "' is no " + unit + " selector of a " +
                                std::to_string(elements) + "-element video instruction (." + letter + " followed by digits)");
  const std::string_view digits = suffix.substr(1);
  uint16_t value = kVideoSelectorSet;
  if (operand == 0) {  // the destination's mask: distinct elements, highest first
    unsigned previous = elements;
    for (char c : digits) {
      const unsigned e = unsigned(c - '0');
      if (c < '0' || e >= elements || e >= previous)
        throw std::invalid_argument("'." + std::string(suffix) + "': a destination mask names " + unit + "s 0.." +
                                    std::to_string(elements - 1) + " once each, highest first (." + letter +
                                    (elements == 4 ? "3210" : "10") + " is all)");
      value |= uint16_t(1u << e);
      previous = e;
    }
    return value;
  }
  if (digits.size() != elements)
    throw std::invalid_argument("'." + std::string(suffix) + "': a source selector names one of the " +
                                std::to_string(sources) + " " + unit + "s of {b, a} for each of the " +
                                std::to_string(elements) + " elements (" + std::to_string(elements) + " digits)");
  for (unsigned k = 0; k < elements; ++k) {
    const char c = digits[k];
    const unsigned e = unsigned(c - '0');
    if (c < '0' || e >= sources)
      throw std::invalid_argument("'." + std::string(suffix) + "': " + unit + " " + std::string(1, c) +
                                  " does not exist (0.." + std::to_string(sources - 1) + ")");
    value |= uint16_t(e << (3 * (elements - 1 - k)));  // the first digit is the highest element's source
  }
  return value;
}

}  // namespace gpusim::isa
