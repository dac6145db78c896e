// Schema migrations: the numbered files in schema/ (001_….sql, 002_….sql, …) applied in order, each recorded in
// schema_migrations, so running the command twice applies nothing the second time. A named lock keeps two
// concurrent runs (two hosts deploying at once) from interleaving.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "store/mysql_connection.h"

namespace switchboard::store {

struct Migration {
  std::string version;  // the file name, e.g. "001_calls_and_events.sql"
  std::vector<std::string> statements;
};

// The *.sql files of `directory` whose names start with a digit, sorted by name. Throws std::runtime_error.
std::vector<Migration> load_migrations(const std::string& directory);

// A migration the database refused, or a database that could not be reached: the server's error code and message.
class MigrationError : public std::runtime_error {
 public:
  MigrationError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Statements of a migration file: split at ';' ending a line ("--" comment lines are dropped), or at the delimiter a
// `DELIMITER //` line set, as the mariadb client does (for stored routines, whose bodies hold ';').
std::vector<std::string> split_statements(const std::string& sql);

// Applies the pending migrations; returns the versions applied now (empty when up to date). Throws MigrationError
// for what the database said, std::runtime_error for the rest.
std::vector<std::string> apply_migrations(const ConnectionOptions& options, const std::vector<Migration>& migrations);

}  // namespace switchboard::store
