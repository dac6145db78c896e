// The calls table's columns as one table (schema/001 and later): each column's name, the CallRow field it holds,
// its size limit, and how it binds to a placeholder and reads back. Every statement that writes or reads whole call
// rows is built from this table, and so are their placeholders: a column and its value cannot drift apart. To add
// a column: a migration, the CallRow field, one line in call_columns.cc (and, when fold() writes it, the stored
// procedure of schema/010, whose parameter list a test holds to this table).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "store/call_record.h"

namespace sql {
class PreparedStatement;
class ResultSet;
}

namespace switchboard::store {

struct CallColumn {
  const char* name;
  // fold() decides it: the insert of a new call and the update of a known one write it. The others are the row's
  // identity (id, sid) or set by their own statements (the heard mark, the purge's deletion times).
  bool folded;
  bool time;  // DATETIME(3): selected as Unix milliseconds, bound as text
  void (*bind)(sql::PreparedStatement& statement, int index, const CallRow& row);
  void (*read)(sql::ResultSet& rows, int index, CallRow& row);
};

// Every column, in the order read_call() reads them.
const std::vector<CallColumn>& call_columns();
// The columns fold() writes, in the order bind_folded() binds them.
const std::vector<const CallColumn*>& folded_columns();

// "id, sid, from_number, …" with times as Unix milliseconds: every column, for SELECT.
const std::string& call_select_list();
// "from_number, to_number, …": the folded columns, for INSERT.
const std::string& folded_column_names();
// "from_number = ?, to_number = ?, …": the folded columns, for UPDATE.
const std::string& folded_assignments();
// "?, ?, …", `count` placeholders.
std::string placeholders(size_t count);

// Binds the folded columns of `row` from placeholder `first` on; returns the next placeholder's index.
int bind_folded(sql::PreparedStatement& statement, int first, const CallRow& row);
// The row at the result set's cursor, selected with call_select_list().
CallRow read_call(sql::ResultSet& rows);

}  // namespace switchboard::store
