// Minimal RFC 4180 CSV: quoting on write, quoted fields (with "" escapes and embedded commas)
// on read, and a table reader that finds columns by header name and reports file:line on errors.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::validation {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The field as written to a CSV file: quoted only when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);
// Fields joined with commas, each quoted as needed, without the line break.
std::string csv_line(const std::vector<std::string>& fields);

// One data row of a CSV table, with the header's column names.
class CsvRow {
 public:
  using Columns = std::map<std::string, size_t>;  // header name -> field index
  CsvRow(std::string where, std::shared_ptr<const Columns> columns, std::vector<std::string> fields)
      : where_(std::move(where)), columns_(std::move(columns)), fields_(std::move(fields)) {}
  const std::string& where() const { return where_; }  // "file:line"
  const std::string& text(const std::string& column) const;
  double number(const std::string& column) const;       // finite
  long long integer(const std::string& column) const;
  // An integer in [min, max]; the error names the place, the column and the range.
  long long integer(const std::string& column, long long min, long long max) const;

 private:
  std::string where_;
  std::shared_ptr<const Columns> columns_;
  std::vector<std::string> fields_;
};

struct CsvTable {
  std::string source;
  std::shared_ptr<const CsvRow::Columns> columns;
  std::vector<CsvRow> rows;
};

// Reads `path`; lines starting with '#' and blank lines are comments. Every column in
// `required_columns` must be in the header, and every row must have the header's field count.
// Throws CsvError naming file and line (also for a NUL byte: not a text file).
CsvTable read_csv(const std::string& path, const std::vector<std::string>& required_columns);

}  // namespace gpusim::validation
