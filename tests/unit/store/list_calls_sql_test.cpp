// The listing statement MysqlCallStore prepares: one placeholder per bound value, and the index of a lone filter
// named so that a deep cursor is a range on (column, started_at, id) rather than a walk over every newer row.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "store/mysql_call_store.h"

namespace {

using switchboard::store::CallQuery;
using switchboard::store::Cursor;
using switchboard::store::MysqlCallStore;

long placeholders(const std::string& sql) { return std::count(sql.begin(), sql.end(), '?'); }

}  // namespace

BOOST_AUTO_TEST_SUITE(store_list_calls_sql)

BOOST_AUTO_TEST_CASE(ALoneFilterNamesItsIndex) {
  CallQuery query;
  query.outcome = "missed";
  query.after = Cursor{1764147600000, 42};
  const std::string sql = MysqlCallStore::list_calls_sql(query);
  BOOST_TEST(sql.find(" FROM calls FORCE INDEX (calls_outcome_newest) WHERE 1 = 1 AND outcome = ?") !=
             std::string::npos, sql);
  BOOST_TEST(placeholders(sql) == 5);  // outcome, the cursor's time twice and id, limit
  BOOST_TEST(sql.rfind(" ORDER BY started_at DESC, id DESC LIMIT ?") == sql.size() - 42);

  const std::pair<void (*)(CallQuery&), const char*> filters[] = {
      {[](CallQuery& q) { q.status = "completed"; }, "calls_status_newest"},
      {[](CallQuery& q) { q.menu_choice = "none"; }, "calls_choice_newest"},
      {[](CallQuery& q) { q.has_voicemail = true; }, "calls_voicemail_newest"},
      {[](CallQuery& q) { q.from = "+14155550100"; }, "calls_from_newest"},
  };
  for (const auto& [set, index] : filters) {
    CallQuery one;
    one.since_ms = 0;  // a period is no filter of its own: every index here leads to started_at
    set(one);
    BOOST_TEST(MysqlCallStore::list_calls_sql(one).find(std::string("FORCE INDEX (") + index + ")") !=
               std::string::npos, index);
  }
}

BOOST_AUTO_TEST_CASE(NoFilterOrSeveralLeaveTheChoiceToTheOptimizer) {
  CallQuery none;
  BOOST_TEST(MysqlCallStore::list_calls_sql(none).find("FORCE INDEX") == std::string::npos);
  CallQuery two;
  two.outcome = "voicemail";
  two.from = "+14155550100";
  const std::string sql = MysqlCallStore::list_calls_sql(two);
  BOOST_TEST(sql.find("FORCE INDEX") == std::string::npos);
  BOOST_TEST(placeholders(sql) == 3);
  BOOST_TEST(sql.find("outcome = ?") < sql.find("from_number = ?"));  // the order list_calls binds them in
}

BOOST_AUTO_TEST_SUITE_END()
