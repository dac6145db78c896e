// Schema migrations: the numbered files in schema/ (001_….sql, 002_….sql, …) applied in order, each recorded in
// schema_migrations, so running the command twice applies nothing the second time. A named lock keeps two
// concurrent runs (two hosts deploying at once) from interleaving.
#pragma once

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

// Statements of a migration file: split at ';' ending a line; "--" comment lines are dropped.
std::vector<std::string> split_statements(const std::string& sql);

// Applies the pending migrations; returns the versions applied now (empty when up to date).
std::vector<std::string> apply_migrations(const ConnectionOptions& options, const std::vector<Migration>& migrations);

}  // namespace switchboard::store
