// The CSV export: RFC 4180 fields (hostile caller names with commas, quotes and newlines read back whole by a
// strict parser), formula-injection-safe cells (phone numbers in their columns excepted), and GET /api/calls.csv
// against the in-memory store: headers, every call of the filter across pages, refusals, a database lost halfway.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "../support/fake_call_store.h"
#include "../support/print.h"
#include "../support/response.h"
#include "../support/sample_calls.h"
#include "feed/calls_api.h"
#include "feed/calls_csv.h"

namespace {

namespace feed = switchboard::feed;
using feed::CellKind;
using feed::csv_field;
using switchboard::http::Params;
using switchboard::http::Request;
using switchboard::http::Response;
using switchboard::store::CallRow;
using switchboard::test::FakeCallStore;
using switchboard::test::header_of;
using switchboard::test::json_error_of;

using Rows = std::vector<std::vector<std::string>>;

constexpr std::int64_t kStart = 1764147600000;  // 2025-11-26T09:00:00.000Z
const std::string kDde = "=cmd|' /C calc'!A0";

// A strict RFC 4180 reader: CRLF between records, quoted fields with doubled quotes, nothing else accepted.
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool field_started = false;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && !field_started) {
      field_started = true;
      ++i;
      for (;;) {
        BOOST_REQUIRE_MESSAGE(i < text.size(), "unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      BOOST_REQUIRE_MESSAGE(i == text.size() || text[i] == ',' || text[i] == '\r', "text after a closing quote");
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      field_started = false;
      ++i;
    } else if (c == '\r') {
      BOOST_REQUIRE_MESSAGE(i + 1 < text.size() && text[i + 1] == '\n', "CR without LF outside quotes");
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_started = false;
      i += 2;
    } else {
      BOOST_REQUIRE_MESSAGE(c != '"' && c != '\n', "bare quote or LF in an unquoted field");
      field += c;
      field_started = true;
      ++i;
    }
  }
  BOOST_REQUIRE_MESSAGE(row.empty() && field.empty(), "last record without CRLF");
  return rows;
}

// Every piece a streamed response writes, joined.
std::string drain(const Response& response) {
  BOOST_REQUIRE(response.stream);
  std::string body;
  response.stream([&](std::string_view piece) {
    body += piece;
    return true;
  });
  return body;
}

Request csv_request(Params query = {}) {
  Request request;
  request.method = "GET";
  request.path = "/api/calls.csv";
  request.query = std::move(query);
  request.remote_user = "alice";
  return request;
}

feed::CallsApi api_at(FakeCallStore& store, std::int64_t unix_ms) {
  return feed::CallsApi(store, [unix_ms] {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms));
  });
}

// `count` answered calls a minute apart, the oldest first.
void seed(FakeCallStore& store, int count) {
  for (int i = 0; i < count; ++i) {
    store.put(switchboard::test::answered_call("CA" + std::to_string(100000 + i), kStart + i * 60000LL));
  }
}

size_t column(const Rows& rows, const std::string& name) {
  for (size_t i = 0; i < rows.at(0).size(); ++i) {
    if (rows[0][i] == name) return i;
  }
  BOOST_FAIL("no column " << name);
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feed_csv_field)

BOOST_AUTO_TEST_CASE(PlainTextIsWrittenAsItIs) {
  BOOST_TEST(csv_field("ALICE SMITH") == "ALICE SMITH");
  BOOST_TEST(csv_field("") == "");
  BOOST_TEST(csv_field("O'Brien") == "O'Brien");
  BOOST_TEST(csv_field("Zoë") == "Zoë");
}

BOOST_AUTO_TEST_CASE(CommasQuotesAndLineBreaksAreQuotedWithQuotesDoubled) {
  BOOST_TEST(csv_field("Smith, John") == "\"Smith, John\"");
  BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  BOOST_TEST(csv_field("\"") == "\"\"\"\"");
  BOOST_TEST(csv_field("line one\nline two") == "\"line one\nline two\"");
  BOOST_TEST(csv_field("a\r\nb") == "\"a\r\nb\"");
}

BOOST_AUTO_TEST_CASE(ACellThatStartsAFormulaGetsAnApostrophe) {
  BOOST_TEST(csv_field(kDde) == "'" + kDde);  // no comma, quote or line break: not quoted
  BOOST_TEST(csv_field("=1+1") == "'=1+1");
  BOOST_TEST(csv_field("+1+1") == "'+1+1");
  BOOST_TEST(csv_field("-1+1") == "'-1+1");
  BOOST_TEST(csv_field("@SUM(A1:A9)") == "'@SUM(A1:A9)");
  BOOST_TEST(csv_field("\t=1+1") == "'\t=1+1");
  BOOST_TEST(csv_field("\r=1+1") == "\"'\r=1+1\"");
  BOOST_TEST(csv_field("=HYPERLINK(\"http://evil.example/\",\"click\")") ==
             "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"");
  // Only the first character matters: inside a cell these are harmless text.
  BOOST_TEST(csv_field("A=1+1") == "A=1+1");
  BOOST_TEST(csv_field(" =1") == " =1");
}

BOOST_AUTO_TEST_CASE(APhoneNumberStaysUsableInItsColumnsOnly) {
  BOOST_TEST(csv_field("+14155550100", CellKind::kPhoneNumber) == "+14155550100");
  BOOST_TEST(csv_field("+447911123456", CellKind::kPhoneNumber) == "+447911123456");
  BOOST_TEST(csv_field("anonymous", CellKind::kPhoneNumber) == "anonymous");
  BOOST_TEST(csv_field("client:alice", CellKind::kPhoneNumber) == "client:alice");
  // The same text as a caller's name is just text starting with '+'.
  BOOST_TEST(csv_field("+14155550100") == "'+14155550100");
}

BOOST_AUTO_TEST_CASE(AnythingButAPlainNumberInAPhoneColumnIsDefused) {
  const std::vector<std::string> values = {"+", "+1415=1+1", "+1 415 555 0100", "+1234567890123456", "-14155550100",
                                           "=14155550100", "@14155550100", "+1415555010O", "+" + kDde};
  for (const std::string& value : values) {
    BOOST_TEST_CONTEXT(value) { BOOST_TEST(csv_field(value, CellKind::kPhoneNumber) == "'" + value); }
  }
  BOOST_TEST(csv_field("+1,2", CellKind::kPhoneNumber) == "\"'+1,2\"");
}

BOOST_AUTO_TEST_CASE(InvalidUtf8IsRepaired) { BOOST_TEST(csv_field("Jos\xE9") == "Jos\xEF\xBF\xBD"); }

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_csv_row)

BOOST_AUTO_TEST_CASE(HostileNamesComeBackWholeInTheirOwnColumns) {
  const std::vector<std::string> names = {kDde, "Smith, John", "say \"hi\"", "two\r\nlines", "=1+1,\"x\"\n@y"};
  std::string text = feed::csv_header();
  for (size_t i = 0; i < names.size(); ++i) {
    CallRow call = switchboard::test::voicemail_call("CA" + std::to_string(i), kStart);
    call.caller_name = names[i];
    call.from_city = names[i];
    call.transcription_text = names[i];
    text += feed::csv_row(call);
  }
  const Rows rows = parse_csv(text);
  BOOST_REQUIRE(rows.size() == names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) {
    BOOST_TEST_CONTEXT(names[i]) {
      BOOST_TEST(rows[i + 1].size() == rows[0].size());
      const std::string defused = (names[i].front() == '=' ? "'" : "") + names[i];
      BOOST_TEST(rows[i + 1][column(rows, "caller_name")] == defused);
      BOOST_TEST(rows[i + 1][column(rows, "from_city")] == defused);
      BOOST_TEST(rows[i + 1][column(rows, "transcription")] == defused);
      BOOST_TEST(rows[i + 1][column(rows, "from")] == "+14155550124");
    }
  }
}

BOOST_AUTO_TEST_CASE(ColumnsCarryWhatTheJsonCarries) {
  CallRow call = switchboard::test::answered_call("CA1", kStart);
  call.forwarded_to = "+14155550100";
  call.dial_status = "completed";
  call.duration_s = 61;
  call.ended_at_ms = kStart + 61000;
  const Rows rows = parse_csv(feed::csv_header() + feed::csv_row(call));
  BOOST_TEST(rows[0] ==
                 (std::vector<std::string>{"sid", "started_at", "answered_at", "ended_at", "outcome", "status", "from",
                                           "to", "caller_name", "from_city", "from_state", "from_country",
                                           "menu_choice", "forwarded_to", "dial_status", "talk_s", "duration_s",
                                           "voicemail_duration_s", "voicemail_heard", "transcription"}),
             boost::test_tools::per_element());
  BOOST_TEST(rows[1] ==
                 (std::vector<std::string>{"CA1", "2025-11-26T09:00:00.000Z", "", "2025-11-26T09:01:01.000Z",
                                           "answered", "completed", "+14155550123", "+14155550199", "", "", "", "",
                                           "forward", "+14155550100", "completed", "42", "61", "", "", ""}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(AVoicemailSaysWhetherItWasHeard) {
  CallRow call = switchboard::test::voicemail_call("CA2", kStart);
  call.voicemail_heard_at_ms = kStart + 5000;
  Rows rows = parse_csv(feed::csv_header() + feed::csv_row(call));
  BOOST_TEST(rows[1][column(rows, "outcome")] == "voicemail");
  BOOST_TEST(rows[1][column(rows, "voicemail_duration_s")] == "12");
  BOOST_TEST(rows[1][column(rows, "voicemail_heard")] == "true");
  BOOST_TEST(rows[1][column(rows, "transcription")] == "Call me back");
  BOOST_TEST(rows[1][column(rows, "talk_s")] == "");
}

BOOST_AUTO_TEST_CASE(FileNameIsTheExportsUtcTime) {
  BOOST_TEST(feed::csv_file_name(kStart + 62123) == "calls-20251126T090102Z.csv");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(feed_calls_csv)

BOOST_AUTO_TEST_CASE(ExportIsAnAttachmentStreamedWithoutALength) {
  FakeCallStore store;
  seed(store, 3);
  const Response response = api_at(store, kStart + 62123).csv(csv_request());
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "text/csv; charset=utf-8");
  BOOST_TEST(header_of(response, "Content-Disposition") == "attachment; filename=\"calls-20251126T090102Z.csv\"");
  BOOST_TEST(response.body.empty());
  const Rows rows = parse_csv(drain(response));
  BOOST_REQUIRE(rows.size() == 4u);
  BOOST_TEST(rows[0][0] == "sid");
  BOOST_TEST(rows[1][0] == "CA100002");  // newest first
  BOOST_TEST(rows[3][0] == "CA100000");
}

BOOST_AUTO_TEST_CASE(EveryCallOfTheFilterAcrossPagesOnceEach) {
  FakeCallStore store;
  seed(store, 1234);  // three pages of 500
  store.put(switchboard::test::voicemail_call("CAvoicemail", kStart + 30));
  const Rows all = parse_csv(drain(api_at(store, kStart).csv(csv_request())));
  BOOST_TEST(all.size() == 1u + 1235u);
  BOOST_TEST(store.last_query->limit == 500);
  std::set<std::string> sids;
  for (size_t i = 1; i < all.size(); ++i) sids.insert(all[i][0]);
  BOOST_TEST(sids.size() == 1235u);

  const Rows voicemails = parse_csv(drain(api_at(store, kStart).csv(csv_request({{"outcome", "voicemail"}}))));
  BOOST_REQUIRE(voicemails.size() == 2u);
  BOOST_TEST(voicemails[1][0] == "CAvoicemail");
  BOOST_TEST(store.last_query->outcome == "voicemail");
}

BOOST_AUTO_TEST_CASE(AnEmptyFilterIsTheHeaderAlone) {
  FakeCallStore store;
  seed(store, 3);
  const Rows rows = parse_csv(drain(api_at(store, kStart).csv(csv_request({{"outcome", "missed"}}))));
  BOOST_TEST(rows.size() == 1u);
}

BOOST_AUTO_TEST_CASE(LimitAndCursorDoNotApply) {
  FakeCallStore store;
  feed::CallsApi api(store);
  BOOST_TEST(json_error_of(api.csv(csv_request({{"limit", "5"}})), 400) ==
             "limit does not apply to the export: it holds every call of the filter");
  BOOST_TEST(json_error_of(api.csv(csv_request({{"cursor", "1-1"}})), 400) ==
             "cursor does not apply to the export: it holds every call of the filter");
  BOOST_TEST(json_error_of(api.csv(csv_request({{"outcome", "lost"}})), 400) ==
             "outcome must be answered, missed, voicemail, abandoned or in-progress");
  BOOST_TEST(!store.last_query.has_value());
}

BOOST_AUTO_TEST_CASE(WithoutAUserThereIsNoExport) {
  FakeCallStore store;
  feed::CallsApi api(store);
  Request request = csv_request();
  request.remote_user.clear();
  BOOST_TEST(json_error_of(api.csv(request), 401) == "authentication required");
  BOOST_TEST(!store.last_query.has_value());
}

BOOST_AUTO_TEST_CASE(ADatabaseDownAtTheStartIsA503NotAnEmptyFile) {
  FakeCallStore store;
  store.unavailable = true;
  feed::CallsApi api(store);  // the stream reads through it: it must outlive the response
  const Response response = api.csv(csv_request());
  BOOST_TEST(json_error_of(response, 503) == "the call log is temporarily unavailable");
  BOOST_TEST(!response.stream);
}

BOOST_AUTO_TEST_CASE(ADatabaseLostHalfwayEndsTheFileWithAnErrorRow) {
  FakeCallStore store;
  seed(store, 700);
  feed::CallsApi api(store);  // the stream reads through it: it must outlive the response
  const Response response = api.csv(csv_request());
  std::string body;
  response.stream([&](std::string_view piece) {
    body += piece;
    store.unavailable = true;  // after the first page
    return true;
  });
  const Rows rows = parse_csv(body);
  BOOST_REQUIRE(rows.size() == 1u + 500u + 1u);
  BOOST_TEST(rows.back() == (std::vector<std::string>{
                                "ERROR", "export incomplete: the call log stopped answering; download it again"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(AClientThatLeavesStopsTheExport) {
  FakeCallStore store;
  seed(store, 1500);
  feed::CallsApi api(store);  // the stream reads through it: it must outlive the response
  const Response response = api.csv(csv_request());
  int pieces = 0;
  response.stream([&](std::string_view) {
    ++pieces;
    return false;
  });
  BOOST_TEST(pieces == 1);
  BOOST_TEST(!store.last_query->after.has_value());  // no second page was read
}

BOOST_AUTO_TEST_SUITE_END()
