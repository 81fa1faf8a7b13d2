#include "tools/option_checks.h"

#include <cstdint>
#include <string>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>

#include "runtime/resource_limits.h"

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

po::options_description resource_limit_options() {
  po::options_description o("resource limits (runtime/resource_limits.h)");
  o.add_options()("max-host-memory", po::value<std::string>(),
                  "host memory a simulation may use, e.g. 8G or 512M (default: half the physical memory); "
                  "when given, also the most the simulated device's memory can be (its allocations live in host memory)")(
      "max-launch-work", po::value<uint64_t>(),
      "estimated warp-instructions one simulated launch may need (default 2^28, about 4 minutes)");
  return o;
}

void apply_resource_limit_options(const po::variables_map& vm) {
  if (vm.count("max-host-memory"))
    runtime::set_host_memory_limit(runtime::parse_memory_size(vm["max-host-memory"].as<std::string>()));
  if (vm.count("max-launch-work")) {
    const uint64_t n = vm["max-launch-work"].as<uint64_t>();
    if (n == 0) throw std::invalid_argument("--max-launch-work must be positive");
    runtime::set_launch_work_limit(n);
  }
}

}  // namespace gpusim::cli
