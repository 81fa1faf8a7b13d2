#include "validation/csv.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace gpusim::validation {
namespace {

// Splits one line into fields; a quoted field may hold commas and doubled quotes (no line breaks:
// the files this project writes never put one in a field).
std::vector<std::string> split_line(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) throw CsvError(where + ": unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',')
        throw CsvError(where + ": text after a closing quote in field " + std::to_string(fields.size() + 1));
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

// Field text for an error message: control bytes as \xNN, at most 80 characters.
std::string printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text.substr(0, 80)) {
    if (c >= 0x20 && c != 0x7f) {
      out += char(c);
    } else {
      const char* hex = "0123456789abcdef";
      out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    }
  }
  return text.size() > 80 ? out + "..." : out;
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
  return line;
}

const std::string& CsvRow::text(const std::string& column) const {
  auto it = columns_->find(column);
  if (it == columns_->end()) throw CsvError(where_ + ": no column '" + column + "'");
  return fields_[it->second];
}

double CsvRow::number(const std::string& column) const {
  const std::string& t = text(column);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
    throw CsvError(where_ + ": column '" + column + "': '" + printable(t) + "' is not a finite number");
  return v;
}

long long CsvRow::integer(const std::string& column) const {
  const std::string& t = text(column);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(t.c_str(), &end, 10);
  if (t.empty() || *end != '\0' || errno != 0)
    throw CsvError(where_ + ": column '" + column + "': '" + printable(t) + "' is not an integer");
  return v;
}

long long CsvRow::integer(const std::string& column, long long min, long long max) const {
  const long long v = integer(column);
  if (v < min || v > max)
    throw CsvError(where_ + ": column '" + column + "': " + std::to_string(v) + " is outside " + std::to_string(min) +
                   ".." + std::to_string(max));
  return v;
}

CsvTable read_csv(const std::string& path, const std::vector<std::string>& required_columns) {
  std::ifstream in(path);
  if (!in) throw CsvError(path + ": cannot open for reading");
  CsvTable table;
  table.source = path;
  std::string line;
  size_t line_no = 0, header_fields = 0;
  bool have_header = false;
  auto columns = std::make_shared<CsvRow::Columns>();
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A spreadsheet's UTF-8 byte-order mark is no part of the first column's name.
    if (line_no == 1 && line.rfind("\xef\xbb\xbf", 0) == 0) line.erase(0, 3);
    const std::string where = path + ":" + std::to_string(line_no);
    // A NUL would also cut every later error message about this line short (what() is a C string).
    if (const size_t nul = line.find('\0'); nul != std::string::npos)
      throw CsvError(where + ":" + std::to_string(nul + 1) + ": NUL byte: not a text CSV file");
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = split_line(line, where);
    if (!have_header) {
      for (size_t i = 0; i < fields.size(); ++i)
        if (!columns->emplace(fields[i], i).second)
          throw CsvError(where + ": column '" + fields[i] + "' appears twice in the header");
      for (const std::string& c : required_columns)
        if (!columns->count(c)) throw CsvError(where + ": the header has no column '" + c + "'");
      header_fields = fields.size();
      have_header = true;
      table.columns = columns;
      continue;
    }
    if (fields.size() != header_fields)
      throw CsvError(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                     std::to_string(header_fields));
    table.rows.emplace_back(where, columns, std::move(fields));
  }
  if (!have_header) throw CsvError(path + ": empty file (no header line)");
  return table;
}

}  // namespace gpusim::validation
