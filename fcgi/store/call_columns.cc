// The calls table's columns, one line each: name, CallRow field, size limit (schema/001's column sizes: longer
// caller data is cut on a character boundary, so a hostile value can never make the write fail).
#include "store/call_columns.h"

#include <type_traits>

#include "store/sql_values.h"

namespace switchboard::store {

namespace {

template <typename T>
using FieldType = std::remove_cv_t<std::remove_reference_t<T>>;

template <auto field, size_t max_chars>
void bind_text_field(sql::PreparedStatement& statement, int index, const CallRow& row) {
  const auto& value = row.*field;
  if constexpr (std::is_same_v<FieldType<decltype(value)>, std::string>) {
    statement.setString(index, clean(value, max_chars));
  } else {
    bind_text(statement, index, value, max_chars);
  }
}

template <auto field>
void read_text_field(sql::ResultSet& rows, int index, CallRow& row) {
  auto& value = row.*field;
  if constexpr (std::is_same_v<FieldType<decltype(value)>, std::string>) {
    value = rows.getString(index);
  } else {
    value = get_text(rows, index);
  }
}

template <auto field>
void bind_int_field(sql::PreparedStatement& statement, int index, const CallRow& row) {
  const auto& value = row.*field;
  if constexpr (std::is_same_v<FieldType<decltype(value)>, std::int64_t>) statement.setInt64(index, value);
  else bind_int(statement, index, value);
}

template <auto field>
void read_int_field(sql::ResultSet& rows, int index, CallRow& row) {
  auto& value = row.*field;
  using Value = FieldType<decltype(value)>;
  if constexpr (std::is_same_v<Value, std::int64_t>) value = rows.getInt64(index);
  else if constexpr (std::is_same_v<Value, std::optional<int>>) value = get_int(rows, index);
  else value = get_int64(rows, index);
}

template <auto field>
void bind_bool_field(sql::PreparedStatement& statement, int index, const CallRow& row) {
  bind_bool(statement, index, row.*field);
}

template <auto field>
void read_bool_field(sql::ResultSet& rows, int index, CallRow& row) {
  row.*field = get_bool(rows, index);
}

template <auto field>
void bind_time_field(sql::PreparedStatement& statement, int index, const CallRow& row) {
  const auto& value = row.*field;
  if constexpr (std::is_same_v<FieldType<decltype(value)>, std::int64_t>) {
    statement.setString(index, to_sql_datetime(value));
  } else {
    bind_time(statement, index, value);
  }
}

template <auto field>
void read_time_field(sql::ResultSet& rows, int index, CallRow& row) {
  auto& value = row.*field;
  if constexpr (std::is_same_v<FieldType<decltype(value)>, std::int64_t>) value = rows.getInt64(index);
  else value = get_time(rows, index);
}

enum Written : bool { kSetElsewhere = false, kFolded = true };

template <auto field, size_t max_chars>
CallColumn text(const char* name, Written written = kFolded) {
  return {name, written, false, bind_text_field<field, max_chars>, read_text_field<field>};
}
template <auto field>
CallColumn integer(const char* name, Written written = kFolded) {
  return {name, written, false, bind_int_field<field>, read_int_field<field>};
}
template <auto field>
CallColumn boolean(const char* name) {
  return {name, kFolded, false, bind_bool_field<field>, read_bool_field<field>};
}
template <auto field>
CallColumn time(const char* name, Written written = kFolded) {
  return {name, written, true, bind_time_field<field>, read_time_field<field>};
}

}  // namespace

const std::vector<CallColumn>& call_columns() {
  static const std::vector<CallColumn> columns{
      integer<&CallRow::id>("id", kSetElsewhere),
      text<&CallRow::sid, 64>("sid", kSetElsewhere),
      text<&CallRow::from, 64>("from_number"),
      text<&CallRow::to, 64>("to_number"),
      text<&CallRow::caller_name, 255>("caller_name"),
      text<&CallRow::from_city, 128>("from_city"),
      text<&CallRow::from_state, 128>("from_state"),
      text<&CallRow::from_country, 64>("from_country"),
      text<&CallRow::status, 16>("status"),
      integer<&CallRow::status_sequence>("status_sequence"),
      text<&CallRow::menu_choice, 16>("menu_choice"),
      text<&CallRow::forwarded_to, 64>("forwarded_to"),
      boolean<&CallRow::forward_accepted>("forward_accepted"),
      text<&CallRow::dial_status, 16>("dial_status"),
      boolean<&CallRow::dial_bridged>("dial_bridged"),
      integer<&CallRow::talk_s>("talk_s"),
      integer<&CallRow::duration_s>("duration_s"),
      time<&CallRow::started_at_ms>("started_at"),
      time<&CallRow::answered_at_ms>("answered_at"),
      time<&CallRow::ended_at_ms>("ended_at"),
      text<&CallRow::recording_sid, 64>("recording_sid"),
      text<&CallRow::recording_url, 512>("recording_url"),
      text<&CallRow::recording_status, 16>("recording_status"),
      integer<&CallRow::recording_duration_s>("recording_duration_s"),
      text<&CallRow::transcription_text, 20000>("transcription_text"),
      text<&CallRow::transcription_status, 16>("transcription_status"),
      time<&CallRow::voicemail_heard_at_ms>("voicemail_heard_at", kSetElsewhere),
      text<&CallRow::routing_rule, 32>("routing_rule"),
      boolean<&CallRow::text_back>("text_back"),
      time<&CallRow::recording_deleted_at_ms>("recording_deleted_at", kSetElsewhere),
      time<&CallRow::recording_deleted_at_twilio_ms>("recording_deleted_at_twilio", kSetElsewhere),
  };
  return columns;
}

const std::vector<const CallColumn*>& folded_columns() {
  static const std::vector<const CallColumn*> folded = [] {
    std::vector<const CallColumn*> list;
    for (const CallColumn& column : call_columns()) {
      if (column.folded) list.push_back(&column);
    }
    return list;
  }();
  return folded;
}

namespace {

template <typename Each>
std::string joined(const std::vector<const CallColumn*>& columns, Each&& each) {
  std::string out;
  for (const CallColumn* column : columns) {
    if (!out.empty()) out += ", ";
    out += each(*column);
  }
  return out;
}

std::vector<const CallColumn*> all_columns() {
  std::vector<const CallColumn*> list;
  for (const CallColumn& column : call_columns()) list.push_back(&column);
  return list;
}

}  // namespace

const std::string& call_select_list() {
  static const std::string list = joined(all_columns(), [](const CallColumn& column) {
    const std::string name = column.name;
    return column.time ? "CAST(UNIX_TIMESTAMP(" + name + ") * 1000 AS SIGNED)" : name;
  });
  return list;
}

const std::string& folded_column_names() {
  static const std::string list =
      joined(folded_columns(), [](const CallColumn& column) { return std::string(column.name); });
  return list;
}

const std::string& folded_assignments() {
  static const std::string list =
      joined(folded_columns(), [](const CallColumn& column) { return std::string(column.name) + " = ?"; });
  return list;
}

std::string placeholders(size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

int bind_folded(sql::PreparedStatement& statement, int first, const CallRow& row) {
  int index = first;
  for (const CallColumn* column : folded_columns()) column->bind(statement, index++, row);
  return index;
}

CallRow read_call(sql::ResultSet& rows) {
  CallRow row;
  int index = 1;
  for (const CallColumn& column : call_columns()) column.read(rows, index++, row);
  return row;
}

}  // namespace switchboard::store
