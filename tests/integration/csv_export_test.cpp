// GET /api/calls.csv through nginx → worker → MariaDB: an authenticated attachment streamed without a length, the
// same calls in the same order as /api/calls for the same filter across many database pages, and hostile caller
// names (stored by a signed webhook) read back whole and defused by a strict RFC 4180 reader.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <fstream>

#include "support/stack.h"

using namespace integration;

namespace {

using Rows = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader: CRLF between records, quoted fields with doubled quotes, nothing else accepted.
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool started = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"' && !started) {
      started = true;
      for (++i;; ++i) {
        BOOST_REQUIRE_MESSAGE(i < text.size(), "unterminated quoted field");
        if (text[i] != '"') {
          field += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          ++i;
          break;
        }
      }
      BOOST_REQUIRE_MESSAGE(i == text.size() || text[i] == ',' || text[i] == '\r', "text after a closing quote");
    } else if (c == ',' || c == '\r') {
      if (c == '\r') BOOST_REQUIRE_MESSAGE(i + 1 < text.size() && text[i + 1] == '\n', "CR without LF");
      row.push_back(field);
      field.clear();
      started = false;
      if (c == '\r') {
        rows.push_back(row);
        row.clear();
        ++i;
      }
      ++i;
    } else {
      BOOST_REQUIRE_MESSAGE(c != '"' && c != '\n', "bare quote or LF in an unquoted field");
      field += c;
      started = true;
      ++i;
    }
  }
  BOOST_REQUIRE_MESSAGE(row.empty() && field.empty(), "last record without CRLF");
  return rows;
}

size_t column(const Rows& rows, const std::string& name) {
  for (size_t i = 0; i < rows.at(0).size(); ++i) {
    if (rows[0][i] == name) return i;
  }
  BOOST_FAIL("no column " << name);
  return 0;
}

// 1,234 calls in June 2021 (three export pages), a few seconds apart, every third with a voicemail.
constexpr int kSeeded = 1234;
const std::string kWindow = "since=2021-06-01T00:00:00Z&until=2021-07-01T00:00:00Z";
void seed_calls() {
  static bool seeded = false;
  if (seeded) return;
  seeded = true;
  if (count("SELECT COUNT(*) FROM calls WHERE sid LIKE 'CAcsv%'") > 0) return;  // a second run on a live stack
  const std::string file = stack().dir + "/csv-calls.sql";
  std::ofstream(file) << "INSERT INTO calls (sid, from_number, to_number, status, ended_at, menu_choice, recording_sid, "
                         "recording_status, started_at) SELECT CONCAT('CAcsv', LPAD(seq, 29, '0')), '+14155550166', "
                         "'+15005550006', 'completed', '2021-06-30 00:00:00', IF(seq MOD 3 = 0, 'voicemail', NULL), "
                         "IF(seq MOD 3 = 0, CONCAT('RE', LPAD(seq, 32, '0')), NULL), IF(seq MOD 3 = 0, 'completed', "
                         "NULL), TIMESTAMPADD(SECOND, seq * 7, '2021-06-01 00:00:00') FROM seq_1_to_"
                      << kSeeded << ";\n";
  BOOST_REQUIRE(stack_command("sb_mariadb_client switchboard < " + file) == 0);
}

// Every sid /api/calls lists for `filter`, in order.
std::vector<std::string> listed_sids(const std::string& filter) {
  std::vector<std::string> sids;
  std::string cursor;
  for (int page = 0; page < 200; ++page) {
    const HttpResult answer =
        request("GET", "/api/calls?limit=200&" + filter + (cursor.empty() ? "" : "&cursor=" + cursor), true);
    BOOST_REQUIRE(answer.status == 200);
    rapidjson::Document json;
    json.Parse(answer.body.c_str());
    for (const auto& call : json["calls"].GetArray()) sids.emplace_back(call["sid"].GetString());
    if (json["next_cursor"].IsNull()) break;
    cursor = json["next_cursor"].GetString();
  }
  return sids;
}

std::vector<std::string> exported_sids(const Rows& rows) {
  std::vector<std::string> sids;
  for (size_t i = 1; i < rows.size(); ++i) sids.push_back(rows[i][0]);
  return sids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_export)

BOOST_AUTO_TEST_CASE(TheExportIsAnAttachmentStreamedWithoutALength) {
  seed_calls();
  const HttpResult answer = request("GET", "/api/calls.csv?" + kWindow, true);
  BOOST_REQUIRE(answer.status == 200);
  BOOST_TEST(answer.content_type == "text/csv; charset=utf-8");
  const std::string disposition = answer.headers.at("content-disposition");
  BOOST_TEST(disposition.rfind("attachment; filename=\"calls-", 0) == 0, disposition);
  BOOST_TEST(disposition.size() == std::string("attachment; filename=\"calls-20260101T000000Z.csv\"").size(),
             disposition);
  BOOST_TEST(answer.headers.count("content-length") == 0u);
  BOOST_TEST(answer.headers.at("cache-control") == "no-store");
  const Rows rows = parse_csv(answer.body);
  BOOST_TEST(rows.at(0).at(0) == "sid");
  BOOST_TEST(rows.size() == 1u + kSeeded);
}

BOOST_AUTO_TEST_CASE(TheExportHoldsWhatTheListHoldsForEachFilter) {
  seed_calls();
  for (const std::string& filter : {kWindow, kWindow + "&outcome=voicemail", kWindow + "&outcome=abandoned",
                                    kWindow + "&has_voicemail=false&from=%2B14155550166", kWindow + "&outcome=missed",
                                    std::string("since=2021-06-01T00:00:00Z&until=2021-06-01T01:00:00Z")}) {
    BOOST_TEST_CONTEXT(filter) {
      const HttpResult answer = request("GET", "/api/calls.csv?" + filter, true);
      BOOST_REQUIRE(answer.status == 200);
      const Rows rows = parse_csv(answer.body);
      const std::vector<std::string> listed = listed_sids(filter);
      BOOST_TEST(exported_sids(rows) == listed, boost::test_tools::per_element());
      for (size_t i = 1; i < rows.size(); ++i) BOOST_TEST(rows[i].size() == rows[0].size());
    }
  }
  const Rows voicemails = parse_csv(request("GET", "/api/calls.csv?" + kWindow + "&outcome=voicemail", true).body);
  BOOST_TEST(static_cast<int>(voicemails.size()) == 1 + kSeeded / 3);
  BOOST_TEST(voicemails[1][column(voicemails, "outcome")] == "voicemail");
  BOOST_TEST(voicemails[1][column(voicemails, "voicemail_heard")] == "false");
}

BOOST_AUTO_TEST_CASE(HostileCallerNamesAreTextInTheirOwnCells) {
  const std::string from = "+14155550155";
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
      {"Smith, John", "Smith, John"},
      {"say \"hi\"", "say \"hi\""},
      {"two\nlines", "two\nlines"},
      {"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
      {"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
      {"=HYPERLINK(\"http://evil.example/\",\"x\")", "'=HYPERLINK(\"http://evil.example/\",\"x\")"},
  };
  std::map<std::string, std::string> expected;  // sid → defused name
  for (const auto& [name, defused] : hostile) {
    const std::string sid = new_call_sid();
    expected[sid] = defused;
    const HttpResult answer = post_webhook("/twilio/voice", {{"CallSid", sid},
                                                             {"AccountSid", stack().account_sid},
                                                             {"From", from},
                                                             {"To", stack().twilio_number},
                                                             {"CallStatus", "ringing"},
                                                             {"CallerName", name},
                                                             {"FromCity", name}});
    BOOST_REQUIRE(answer.status == 200);
  }
  const HttpResult answer = request("GET", "/api/calls.csv?from=%2B14155550155", true);
  BOOST_REQUIRE(answer.status == 200);
  const Rows rows = parse_csv(answer.body);
  BOOST_REQUIRE(rows.size() == 1 + hostile.size());
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::string sid = rows[i][0];
    BOOST_TEST_CONTEXT(sid) {
      BOOST_REQUIRE(expected.count(sid) == 1u);
      BOOST_TEST(rows[i].size() == rows[0].size());
      BOOST_TEST(rows[i][column(rows, "caller_name")] == expected[sid]);
      BOOST_TEST(rows[i][column(rows, "from_city")] == expected[sid]);
      BOOST_TEST(rows[i][column(rows, "from")] == from);  // a phone number stays usable
      BOOST_TEST(rows[i][column(rows, "to")] == stack().twilio_number);
      BOOST_TEST(rows[i][column(rows, "outcome")] == "in-progress");
    }
  }
}

BOOST_AUTO_TEST_CASE(TheExportNeedsAUserAndKnownFilters) {
  BOOST_TEST(request("GET", "/api/calls.csv", false).status == 401);
  const HttpResult limit = request("GET", "/api/calls.csv?limit=10", true);
  BOOST_TEST(limit.status == 400);
  BOOST_TEST(limit.body.find("limit does not apply to the export") != std::string::npos, limit.body);
  BOOST_TEST(request("GET", "/api/calls.csv?outcome=lost", true).status == 400);
  BOOST_TEST(request("POST", "/api/calls.csv", true, "{}", {"Content-Type: application/json",
                                                           "X-Requested-With: switchboard"}).status == 405);
}

BOOST_AUTO_TEST_SUITE_END()
