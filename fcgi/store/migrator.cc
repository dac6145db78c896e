// Applying schema/ migrations through Connector/C++.
#include "store/migrator.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <dirent.h>
#include <mysql_connection.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

namespace switchboard::store {

namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY, "
    "applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
constexpr char kSelectApplied[] = "SELECT version FROM schema_migrations";
constexpr char kInsertApplied[] = "INSERT INTO schema_migrations (version) VALUES (?)";
constexpr char kLock[] = "SELECT GET_LOCK('switchboard_migrate', 60)";
constexpr char kUnlock[] = "SELECT RELEASE_LOCK('switchboard_migrate')";

}  // namespace

std::vector<std::string> split_statements(const std::string& sql) {
  std::vector<std::string> statements;
  std::stringstream lines(sql);
  std::string line;
  std::string current;
  std::string delimiter = ";";
  while (std::getline(lines, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    const size_t last = line.find_last_not_of(" \t\r");
    const std::string text = line.substr(first, last + 1 - first);
    // The mariadb client's convention, so the file also runs as it is there: a stored routine's body has ';'
    // inside, and ends with the delimiter the line before it set.
    if (current.empty() && (text == "DELIMITER" || text.compare(0, 10, "DELIMITER ") == 0)) {
      delimiter = text.size() > 10 ? text.substr(text.find_first_not_of(' ', 10)) : "";
      if (delimiter.empty()) throw std::runtime_error("DELIMITER without a delimiter");
      continue;
    }
    current += line.substr(0, last + 1);
    const bool ends_statement = text.size() >= delimiter.size() &&
                                text.compare(text.size() - delimiter.size(), delimiter.size(), delimiter) == 0;
    if (ends_statement) {
      current.erase(current.size() - delimiter.size());
      statements.push_back(current);
      current.clear();
    } else {
      current += '\n';
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) statements.push_back(current);
  return statements;
}

std::vector<Migration> load_migrations(const std::string& directory) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(directory.c_str()), closedir);
  if (!dir) throw std::runtime_error("cannot open schema directory " + directory);
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name.size() > 4 && std::isdigit(static_cast<unsigned char>(name[0])) &&
        name.compare(name.size() - 4, 4, ".sql") == 0) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<Migration> migrations;
  for (const std::string& name : names) {
    std::ifstream in(directory + "/" + name);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) throw std::runtime_error("cannot read " + directory + "/" + name);
    migrations.push_back(Migration{name, split_statements(content.str())});
  }
  return migrations;
}

namespace {

std::vector<std::string> apply_pending(const ConnectionOptions& options, const std::vector<Migration>& migrations) {
  std::unique_ptr<sql::Connection> connection = open_connection(options);
  std::unique_ptr<sql::Statement> statement(connection->createStatement());
  {
    std::unique_ptr<sql::ResultSet> lock(statement->executeQuery(kLock));
    if (!lock->next() || lock->getInt(1) != 1) throw std::runtime_error("another migration holds the lock");
  }
  statement->execute(kCreateMigrationsTable);

  std::set<std::string> applied;
  {
    std::unique_ptr<sql::ResultSet> rows(statement->executeQuery(kSelectApplied));
    while (rows->next()) applied.insert(rows->getString(1));
  }
  std::vector<std::string> applied_now;
  std::unique_ptr<sql::PreparedStatement> record(connection->prepareStatement(kInsertApplied));
  for (const Migration& migration : migrations) {
    if (applied.count(migration.version) != 0) continue;
    // DDL commits implicitly in MariaDB, so a migration is not atomic: keep each file small and forward-only.
    for (const std::string& sql : migration.statements) statement->execute(sql);
    record->setString(1, migration.version);
    record->executeUpdate();
    applied_now.push_back(migration.version);
  }
  std::unique_ptr<sql::ResultSet>(statement->executeQuery(kUnlock));
  return applied_now;
}

}  // namespace

std::vector<std::string> apply_migrations(const ConnectionOptions& options, const std::vector<Migration>& migrations) {
  try {
    return apply_pending(options, migrations);
  } catch (const sql::SQLException& error) {
    throw MigrationError(error.getErrorCode(), error.what());
  }
}

}  // namespace switchboard::store
