// What `gpusim launch` checks and prepares before any device is touched (tools/cmd_launch.cpp
// runs it): the kernel file (PTX, or CUDA C++ nvcc compiles), the kernel chosen, the argument
// specs parsed and checked against its parameters, the input files read, the output files safe
// to write.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/ir.h"
#include "runtime/device.h"
#include "runtime/sim_device.h"
#include "tools/launch/arg_spec.h"
#include "tools/launch/host_buffer.h"

namespace gpusim::cli {

// A mistake on the command line: exit status 2. Everything else that stops the command is 1.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Everything one launch needs, checked before any device is touched.
struct LaunchPlan {
  std::string ptx_path, ptx_text;
  unsigned max_registers = 0;  // --nvcc-flag=-maxrregcount=N (the PTX does not carry it): 0 = none
  isa::Module module;
  const isa::Function* kernel = nullptr;  // in `module` (its functions never move after parsing)
  runtime::LaunchConfig config;
  std::vector<launch::ArgSpec> args;
  std::map<size_t, launch::HostBuffer> inputs;  // by argument index: in / inout contents
  // --symbol NAME:TYPE:FILE: module variables (__constant__ or __device__) written before the
  // launch, from their start; by name.
  std::map<std::string, launch::HostBuffer> symbols;
  // --expect N:FILE: what output argument N must hold after the launch (its reference), by index.
  std::map<size_t, launch::HostBuffer> expected;
  std::map<size_t, std::string> expected_files;
};


// Parses and checks everything the options name; throws UsageError for a mistake on the command
// line, std::runtime_error for a file, compiler or kernel problem.
LaunchPlan plan_launch(const boost::program_options::variables_map& vm, const runtime::SimDeviceOptions& sim_options);

// Bytes of argument `index`'s buffer: its input file's, or its COUNT elements'.
uint64_t buffer_bytes(const LaunchPlan& plan, size_t index, const launch::BufferArg& b);

}  // namespace gpusim::cli
