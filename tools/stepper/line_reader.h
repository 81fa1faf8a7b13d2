// Where the stepper's commands come from: a terminal (GNU readline: line editing and history), or
// any other stream read line by line (a pipe, a --script file, a test's string stream).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace gpusim::stepper {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next command line, or nullopt at the end of the input.
  virtual std::optional<std::string> read(const std::string& prompt) = 0;
};

// Lines of `in`, each echoed to `echo` after the prompt when given (so a scripted session's
// output shows the commands it ran).
std::unique_ptr<LineReader> make_stream_reader(std::istream& in, std::ostream* echo);
// GNU readline on the terminal, with history.
std::unique_ptr<LineReader> make_readline_reader();

}  // namespace gpusim::stepper
