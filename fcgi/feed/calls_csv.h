// The calls as CSV for a spreadsheet (GET /api/calls.csv, the handler is CallsApi::csv): RFC 4180 fields and rows,
// and cells a spreadsheet cannot run as a formula. Caller data (names, cities, transcriptions) is untrusted text
// that ends up in Excel or LibreOffice; a cell such as `=HYPERLINK(…)` or `=cmd|' /C calc'!A0` must arrive as
// text. To add a column: its name in csv_header() and its value in csv_row(), in the same position.
#pragma once

#include <string>
#include <string_view>

#include "store/call_record.h"

namespace switchboard::feed {

// What a cell holds, which decides how it is defused.
enum class CellKind {
  kText,         // anything: a leading = + - @ TAB or CR gets an apostrophe in front
  kPhoneNumber,  // from/to/forwarded_to: a plain E.164 number ("+14155550100") stays as it is (see calls_csv.cc)
};

// One field: invalid UTF-8 repaired, defused as `kind` says, then quoted (with its double quotes doubled) when it
// holds a comma, a double quote, CR or LF.
std::string csv_field(std::string_view value, CellKind kind = CellKind::kText);

// The header row and one call's row, each ending with CRLF.
std::string csv_header();
std::string csv_row(const store::CallRow& call);

// The file name offered for an export made at `unix_ms`: calls-20261126T090000Z.csv.
std::string csv_file_name(std::int64_t unix_ms);

}  // namespace switchboard::feed
