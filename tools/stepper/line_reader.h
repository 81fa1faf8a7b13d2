// Where the stepper's commands come from: a terminal (GNU readline: line editing and history), or
// any other stream read line by line (a pipe, a --script file, a test's string stream).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gpusim::stepper {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next command line, or nullopt at the end of the input.
  virtual std::optional<std::string> read(const std::string& prompt) = 0;
  // After the launch ended: the commands a script still holds (blank lines and # comments left
  // out), read to its end without echo, so the stepper can say they were not run. A terminal has
  // none (nothing is waiting to be read).
  virtual std::vector<std::string> rest() { return {}; }
};

// Lines of `in`, each echoed to `echo` after the prompt when given (so a scripted session's
// output shows the commands it ran).
std::unique_ptr<LineReader> make_stream_reader(std::istream& in, std::ostream* echo);
// GNU readline on the terminal, with history.
std::unique_ptr<LineReader> make_readline_reader();

}  // namespace gpusim::stepper
