#include "tools/stepper/line_reader.h"

#include <readline/history.h>
#include <readline/readline.h>

#include <cstdlib>
#include <istream>
#include <ostream>

namespace gpusim::stepper {

namespace {

class StreamReader : public LineReader {
 public:
  StreamReader(std::istream& in, std::ostream* echo) : in_(in), echo_(echo) {}
  std::optional<std::string> read(const std::string& prompt) override {
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    if (echo_) *echo_ << prompt << line << "\n";
    return line;
  }
  std::vector<std::string> rest() override {
    std::vector<std::string> commands;
    for (std::string line; std::getline(in_, line);) {
      const size_t first = line.find_first_not_of(" \t");
      if (first != std::string::npos && line[first] != '#') commands.push_back(line.substr(first));
    }
    return commands;
  }

 private:
  std::istream& in_;
  std::ostream* echo_;
};

class ReadlineReader : public LineReader {
 public:
  std::optional<std::string> read(const std::string& prompt) override {
    char* text = readline(prompt.c_str());
    if (!text) return std::nullopt;  // end of input (Ctrl-D)
    std::string line(text);
    std::free(text);
    // Repeating the same command (step, step, ...) adds one history entry.
    if (line.find_first_not_of(" \t") != std::string::npos && line != last_) add_history(line.c_str());
    last_ = line;
    return line;
  }

 private:
  std::string last_;
};

}  // namespace

std::unique_ptr<LineReader> make_stream_reader(std::istream& in, std::ostream* echo) {
  return std::make_unique<StreamReader>(in, echo);
}

std::unique_ptr<LineReader> make_readline_reader() { return std::make_unique<ReadlineReader>(); }

}  // namespace gpusim::stepper
