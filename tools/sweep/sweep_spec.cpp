#include <algorithm>
#include "tools/sweep/sweep_spec.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "workloads/workload.h"
#include "workloads/workload_support.h"

namespace gpusim::cli::sweep {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Parser {
 public:
  Parser(const std::string& path) {
    spec_.path = fs::absolute(path).lexically_normal().string();
    spec_.workdir = fs::path(spec_.path).parent_path().string();
  }

  SweepSpec parse(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    for (int line = 1; std::getline(in, raw); ++line) parse_line(trim(raw.substr(0, raw.find('#'))), line);
    finish();
    return spec_;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& message) const {
    throw SpecError(spec_.path + ":" + std::to_string(line) + ": " + message);
  }

  void parse_line(const std::string& line_text, int line) {
    if (line_text.empty()) return;
    const size_t eq = line_text.find('=');
    if (eq == std::string::npos) fail(line, "expected 'key = value', got '" + line_text + "'");
    const std::string key = trim(line_text.substr(0, eq));
    const std::vector<std::string> values = words(line_text.substr(eq + 1));
    if (key.empty()) fail(line, "missing key before '='");
    if (values.empty()) fail(line, "'" + key + "' has no value");
    if (!seen_.insert(key).second) fail(line, "'" + key + "' given twice");
    if (key == "configs") return parse_configs(values, line);
    if (key == "workloads") return parse_workloads(values, line);
    if (key == "mode") {
      if (values.size() != 1 || (values[0] != "timing" && values[0] != "functional"))
        fail(line, "mode must be 'timing' or 'functional'");
      spec_.mode = values[0];
      return;
    }
    if (key == "seed") {
      if (values.size() != 1 || values[0].find_first_not_of("0123456789") != std::string::npos)
        fail(line, "seed must be one unsigned integer");
      try {
        spec_.seed = std::stoull(values[0]);
      } catch (const std::out_of_range&) {
        fail(line, "seed " + values[0] + " does not fit in 64 bits");
      }
      return;
    }
    if (key.rfind("set.", 0) == 0 && key.size() > 4) {
      spec_.sets.emplace_back(key.substr(4), values);
      spec_.set_lines.push_back(line);
      return;
    }
    if (key.rfind("sizes.", 0) == 0 && key.size() > 6) {
      sizes_.push_back({key.substr(6), values, line});
      return;
    }
    for (const auto& [prefix, kind] : {std::pair{"launch.", PointKind::Launch}, std::pair{"exec.", PointKind::Exec}}) {
      const std::string p = prefix;
      if (key.rfind(p, 0) != 0 || key.size() == p.size()) continue;
      // exec's own options come first and end with `--` (a program's path never starts with '-').
      if (kind == PointKind::Exec && !values.empty() && values[0].rfind("-", 0) == 0 &&
          std::find(values.begin(), values.end(), "--") == values.end())
        fail(line, key + ": gpusim exec options (" + values[0] + " ...) must end with `--` before the program: " + key +
                       " = --cache-control all -- ./program ARGS");
      add_workload({key.substr(p.size()), kind, values, {}, line, 0}, line);
      return;
    }
    fail(line, "unknown key '" + key +
                   "' (expected configs, workloads, sizes.NAME, set.KEY, mode, seed, launch.NAME, exec.NAME)");
  }

  void parse_configs(const std::vector<std::string>& values, int line) {
    for (const std::string& v : values) {
      SpecConfig c;
      c.label = v;
      c.line = line;
      if (v != "default") {
        const fs::path p = fs::path(v).is_absolute() ? fs::path(v) : fs::path(spec_.workdir) / v;
        c.path = p.lexically_normal().string();
        try {
          c.text = read_file(c.path);
        } catch (const std::runtime_error& e) {
          fail(line, std::string("config: ") + e.what());
        }
      }
      spec_.configs.push_back(c);
    }
  }

  void parse_workloads(const std::vector<std::string>& values, int line) {
    for (const std::string& v : values) {
      if (!workloads::find_workload(v)) fail(line, "unknown workload '" + v + "' (gpusim list shows them)");
      add_workload({v, PointKind::Workload, {}, {}, line, 0}, line);
    }
  }

  void add_workload(SpecWorkload w, int line) {
    for (const SpecWorkload& other : spec_.workloads)
      if (other.name == w.name) fail(line, "workload name '" + w.name + "' used twice (first at line " + std::to_string(other.line) + ")");
    spec_.workloads.push_back(std::move(w));
  }

  struct SizesLine {
    std::string name;
    std::vector<std::string> values;
    int line;
  };

  void finish() {
    for (const SizesLine& s : sizes_) {
      SpecWorkload* target = nullptr;
      for (SpecWorkload& w : spec_.workloads)
        if (w.name == s.name) target = &w;
      if (!target) fail(s.line, "sizes for '" + s.name + "', which is neither in workloads nor a launch./exec. entry");
      for (const std::string& size : s.values) {
        if (target->kind != PointKind::Workload) continue;  // launch/exec sizes are free text for {size}
        std::vector<uint64_t> dims;
        try {
          dims = workloads::parse_size_spec(size);
        } catch (const std::invalid_argument& e) {
          fail(s.line, "size '" + size + "' of " + s.name + ": " + e.what());
        }
        // The workload's own shape, here rather than as a failed point per configuration.
        if (const workloads::Workload* w = workloads::find_workload(s.name); w && dims.size() != w->default_size().size())
          fail(s.line, "size '" + size + "' of " + s.name + " has " + std::to_string(dims.size()) +
                           " dimension(s); expected " + w->size_help());
      }
      target->sizes = s.values;
      target->sizes_line = s.line;
    }
    for (const SpecWorkload& w : spec_.workloads) {
      bool uses_size = false;
      for (const std::string& a : w.args) uses_size = uses_size || a.find("{size}") != std::string::npos;
      if (uses_size && w.sizes.empty()) fail(w.line, w.name + " uses {size} but no sizes." + w.name + " line gives sizes");
    }
    if (spec_.workloads.empty()) fail(1, "no workloads: give `workloads = ...`, `launch.NAME = ...` or `exec.NAME = ...`");
    if (spec_.configs.empty()) spec_.configs.push_back({"default", "", "", 1});
  }

  SweepSpec spec_;
  std::set<std::string> seen_;
  std::vector<SizesLine> sizes_;
};

}  // namespace

const char* point_kind_name(PointKind kind) {
  switch (kind) {
    case PointKind::Workload: return "workload";
    case PointKind::Launch: return "launch";
    case PointKind::Exec: return "exec";
  }
  return "?";
}

SweepSpec parse_sweep_spec(const std::string& text, const std::string& path) { return Parser(path).parse(text); }

SweepSpec load_sweep_spec(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::runtime_error& e) {
    throw SpecError(std::string("sweep spec: ") + e.what());
  }
  return parse_sweep_spec(text, path);
}

}  // namespace gpusim::cli::sweep
