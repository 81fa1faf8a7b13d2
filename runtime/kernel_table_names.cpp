#include "runtime/kernel_table_names.h"

#include <algorithm>
#include <cstdint>
#include <set>

namespace gpusim::runtime {

namespace {

// Drops "void " and "(anonymous namespace)::", which only take room.
std::string without_noise(std::string s) {
  if (s.rfind("void ", 0) == 0) s.erase(0, 5);
  for (size_t at; (at = s.find("(anonymous namespace)::")) != std::string::npos;) s.erase(at, 23);
  return s;
}

// Where the parameter list starts (the first '(' outside template brackets) and where the name
// after the last "::" outside them starts.
struct NameParts {
  size_t scope_end = 0, params = 0;
};
NameParts name_parts(const std::string& s) {
  NameParts p;
  int depth = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') ++depth;
    else if (c == '>') --depth;
    else if (depth == 0 && c == '(') break;
    else if (depth == 0 && c == ':' && i + 1 < s.size() && s[i + 1] == ':') p.scope_end = i + 2;
  }
  p.params = i;
  return p;
}

// `name` with every template argument list replaced by "<...>".
std::string collapsed(const std::string& name) {
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '<' && depth++ == 0) out += "<...>";
    else if (c == '>') --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

// The template arguments of the kernel's own name (not of its scope), split at the top level.
std::vector<std::string> template_arguments(const std::string& full) {
  const std::string s = without_noise(full.substr(full.find_first_not_of('>') == std::string::npos ? 0 : full.find_first_not_of('>')));
  const NameParts p = name_parts(s);
  const std::string name = s.substr(p.scope_end, p.params - p.scope_end);
  const size_t open = name.find('<');
  std::vector<std::string> args;
  if (open == std::string::npos) return args;
  int angle = 0, paren = 0;
  std::string current;
  for (size_t i = open + 1; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<') ++angle;
    else if (c == '(') ++paren;
    else if (c == ')') --paren;
    else if (c == '>' && angle-- == 0) break;
    if (c == ',' && angle == 0 && paren == 0) {
      args.push_back(current);
      current.clear();
      continue;
    }
    if (!(current.empty() && c == ' ')) current += c;
  }
  while (!current.empty() && current.back() == ' ') current.pop_back();
  args.push_back(current);
  return args;
}

// A template argument in few characters: its last `segments` scope components (outside template
// brackets), nested arguments as "<...>" ("__tabulate::functor<...>").
std::string short_argument(const std::string& arg, size_t segments) {
  std::vector<size_t> starts{0};
  int depth = 0;
  for (size_t i = 0; i + 1 < arg.size(); ++i) {
    if (arg[i] == '<') ++depth;
    else if (arg[i] == '>') --depth;
    else if (depth == 0 && arg[i] == ':' && arg[i + 1] == ':') starts.push_back(i + 2);
  }
  const size_t from = starts[starts.size() > segments ? starts.size() - segments : 0];
  return collapsed(arg.substr(from));
}

// The argument position that best tells `group`'s instantiations apart: the most distinct values,
// a launch policy (the same algorithm tuned per size) only when nothing else differs; -1: none.
int telling_position(const std::vector<std::vector<std::string>>& args) {
  size_t arity = SIZE_MAX;
  for (const auto& a : args) arity = std::min(arity, a.size());
  int best = -1;
  size_t best_count = 1;
  bool best_is_policy = true;
  for (size_t pos = 0; pos < arity; ++pos) {
    std::set<std::string> values;
    for (const auto& a : args) values.insert(a[pos]);
    const bool policy = std::any_of(values.begin(), values.end(),
                                    [](const std::string& v) { return v.find("olicy") != std::string::npos; });
    const bool better = values.size() > 1 && ((best_is_policy && !policy) ||
                                              (policy == best_is_policy && values.size() > best_count));
    if (better) best = int(pos), best_count = values.size(), best_is_policy = policy;
  }
  return best;
}

}  // namespace

std::string shorten_kernel_name(std::string s, size_t width) {
  if (s.size() <= width) return s;
  // The nesting marks of a device-launched grid (">>name") are kept whole in front; the bracket
  // scan below would take them for closing template brackets (the name came out empty).
  const size_t marks = s.find_first_not_of('>');
  if (marks != 0 && marks != std::string::npos && marks < width)
    return s.substr(0, marks) + shorten_kernel_name(s.substr(marks), width - marks);
  s = without_noise(s);
  const NameParts p = name_parts(s);
  const std::string name = s.substr(p.scope_end, p.params - p.scope_end), params = s.substr(p.params);
  const std::string brief = collapsed(name);
  for (const std::string& candidate : {name + params, name + "(...)", brief + params, brief + "(...)"})
    if (candidate.size() <= width) return candidate;
  const std::string out = brief + "(...)";
  return out.substr(0, width - 3) + "...";
}

KernelTableNames kernel_table_names(const std::vector<std::string>& names, size_t width) {
  KernelTableNames out;
  std::map<std::string, std::vector<std::string>> by_text;
  for (const std::string& n : names)
    if (out.shown.emplace(n, "").second) by_text[shorten_kernel_name(n, width)].push_back(n);
  // Texts that still collide after the telling argument: numbered, in the order of `names`.
  std::map<std::string, std::vector<std::string>> by_hinted;
  for (auto& [text, group] : by_text) {
    if (group.size() == 1) {
      out.shown[group[0]] = text;
      continue;
    }
    std::vector<std::vector<std::string>> args;
    for (const std::string& n : group) args.push_back(template_arguments(n));
    const int pos = telling_position(args);
    for (size_t k = 0; k < group.size(); ++k) {
      std::string hinted = text;
      if (pos >= 0) {
        const size_t marks = group[k].find_first_not_of('>');
        const std::string nesting = marks == std::string::npos ? "" : group[k].substr(0, marks);
        const std::string s = without_noise(group[k].substr(nesting.size()));
        const NameParts p = name_parts(s);
        const std::string base = s.substr(p.scope_end, s.find('<', p.scope_end) - p.scope_end);
        const std::string& arg = args[k][size_t(pos)];
        for (const std::string& candidate :
             {nesting + base + "<" + short_argument(arg, 2) + ">(...)", nesting + base + "<" + short_argument(arg, 2) + ">",
              nesting + base + "<" + short_argument(arg, 1) + ">(...)", nesting + base + "<" + short_argument(arg, 1) + ">"})
          if (candidate.size() <= width) {
            hinted = candidate;
            break;
          }
      }
      by_hinted[hinted].push_back(group[k]);
    }
  }
  // A group's names are in the order of `names` (first seen first): so are the numbers.
  for (auto& [text, group] : by_hinted) {
    if (group.size() == 1) {
      out.shown[group[0]] = text;
      continue;
    }
    out.numbered = true;
    for (size_t k = 0; k < group.size(); ++k) {
      const std::string suffix = " #" + std::to_string(k + 1);
      out.shown[group[k]] = shorten_kernel_name(text, width - suffix.size()) + suffix;
    }
  }
  return out;
}

}  // namespace gpusim::runtime
