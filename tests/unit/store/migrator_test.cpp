// Splitting migration files into statements: at ';' ending a line, or at the delimiter a DELIMITER line set (stored
// routines, whose bodies hold ';'), comment lines dropped — as the mariadb client would run the same file.
#include <boost/test/unit_test.hpp>

#include "store/migrator.h"

using switchboard::store::split_statements;

BOOST_AUTO_TEST_SUITE(migrator)

BOOST_AUTO_TEST_CASE(StatementsEndWithASemicolonAtTheEndOfALine) {
  const auto statements = split_statements(
      "-- a comment\nCREATE TABLE a (x INT);\nALTER TABLE a\n  ADD COLUMN y INT; \n\nINSERT INTO a VALUES (';');\n");
  BOOST_TEST_REQUIRE(statements.size() == 3u);
  BOOST_TEST(statements[0] == "CREATE TABLE a (x INT)");
  BOOST_TEST(statements[1] == "ALTER TABLE a\n  ADD COLUMN y INT");
  BOOST_TEST(statements[2] == "INSERT INTO a VALUES (';')");
}

BOOST_AUTO_TEST_CASE(ARoutineBodyRunsToTheDelimiterItsDelimiterLineSet) {
  const auto statements = split_statements(
      "CREATE TABLE a (x INT);\n"
      "DELIMITER //\n"
      "-- the body\n"
      "CREATE PROCEDURE p(IN v INT)\n"
      "BEGIN\n"
      "  INSERT INTO a VALUES (v);\n"
      "  COMMIT;\n"
      "END//\n"
      "CREATE PROCEDURE q()\nBEGIN\n  SELECT 1;\nEND //\n"
      "DELIMITER ;\n"
      "DROP TABLE b;\n");
  BOOST_TEST_REQUIRE(statements.size() == 4u);
  BOOST_TEST(statements[0] == "CREATE TABLE a (x INT)");
  BOOST_TEST(statements[1] == "CREATE PROCEDURE p(IN v INT)\nBEGIN\n  INSERT INTO a VALUES (v);\n  COMMIT;\nEND");
  BOOST_TEST(statements[2] == "CREATE PROCEDURE q()\nBEGIN\n  SELECT 1;\nEND ");
  BOOST_TEST(statements[3] == "DROP TABLE b");
}

BOOST_AUTO_TEST_CASE(ADelimiterLineWithoutADelimiterIsAnError) {
  BOOST_CHECK_THROW(split_statements("DELIMITER \nSELECT 1;\n"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
