// Which SQL errors mean "the database cannot take anything now" (keep the event, try later) and which mean "the
// database refused this event" (dead-letter it, go on): a mistake one way loses the spool's order to a poison
// event forever, the other way dead-letters every event of an outage.
#include <boost/test/unit_test.hpp>
#include <cppconn/exception.h>

#include <string>

#include "../support/print.h"
#include "store/mysql_connection.h"

namespace {

using switchboard::store::classify;
using switchboard::store::Failure;

sql::SQLException error(int code, const std::string& state = "HY000") {
  return sql::SQLException("error " + std::to_string(code), state, code);
}

std::string name(Failure failure) {
  switch (failure) {
    case Failure::kRetry:
      return "retry";
    case Failure::kUnavailable:
      return "unavailable";
    case Failure::kRejected:
      return "rejected";
  }
  return "?";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_mysql_connection)

BOOST_AUTO_TEST_CASE(WhatTheServerRefusesInAnEventIsRejected) {
  for (const auto& refused : {error(1292, "22007"),  // incorrect datetime value (strict mode)
                              error(1644, "45000"),  // SIGNAL from a trigger
                              error(1406, "22001"),  // data too long
                              error(1366, "22007"),  // incorrect string value
                              error(1048, "23000"),  // column cannot be null
                              error(1264, "22003"),  // out of range
                              error(1062, "23000")}) {
    BOOST_TEST_CONTEXT(refused.getErrorCode()) {
      BOOST_TEST(name(classify(refused, true)) == "rejected");
      BOOST_TEST(name(classify(refused, false)) == "rejected");
    }
  }
  // The connector's own complaints (a bad bind index, a wrong option type) carry no server code.
  BOOST_TEST(name(classify(sql::InvalidArgumentException("bad index"), true)) == "rejected");
}

BOOST_AUTO_TEST_CASE(ALostConnectionIsUnavailable) {
  for (int code : {1053, 1927, 2002, 2003, 2005, 2013, 2055}) {
    BOOST_TEST_CONTEXT(code) { BOOST_TEST(name(classify(error(code), true)) == "unavailable"); }
  }
}

BOOST_AUTO_TEST_CASE(AServerTakingNoWritesIsUnavailable) {
  for (int code : {1021, 1040, 1044, 1045, 1054, 1114, 1142, 1146, 1180, 1290, 1317, 1792, 1836, 1969}) {
    BOOST_TEST_CONTEXT(code) { BOOST_TEST(name(classify(error(code), true)) == "unavailable"); }
  }
}

BOOST_AUTO_TEST_CASE(ContentionIsRetriedOnceThenUnavailable) {
  for (int code : {1205, 1213, 2006}) {
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST(name(classify(error(code), true)) == "retry");
      BOOST_TEST(name(classify(error(code), false)) == "unavailable");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
