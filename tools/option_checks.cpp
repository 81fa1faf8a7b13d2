#include "tools/option_checks.h"

#include <cstdint>
#include <string>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/value_semantic.hpp>

namespace gpusim::cli {

namespace po = boost::program_options;

namespace {

bool takes_unsigned(const po::option_description& d) {
  const po::value_semantic* s = d.semantic().get();
  return dynamic_cast<const po::typed_value<unsigned long>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned long long>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned int>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned short>*>(s);
}

}  // namespace

void reject_negative_unsigned(const po::parsed_options& parsed) {
  if (!parsed.description) return;
  for (const po::option& o : parsed.options) {
    const po::option_description* d = parsed.description->find_nothrow(o.string_key, false);
    if (!d || !takes_unsigned(*d)) continue;
    for (const std::string& v : o.value) {
      const size_t first = v.find_first_not_of(" \t");
      if (first != std::string::npos && v[first] == '-') {
        po::invalid_option_value e(v);
        e.set_option_name(o.string_key);
        throw e;
      }
    }
  }
}

}  // namespace gpusim::cli
