// switchboard-migrate: applies the pending schema migrations, using the same database settings as the workers
// (SWITCHBOARD_DB_*) and nothing else: it starts without the Twilio settings or the auth token, so its unit holds
// no credential but the migration user's password. The schema directory comes from --schema-dir, else
// SWITCHBOARD_SCHEMA_DIR, else the installed /usr/share/switchboard/schema. Safe to run on every start
// (ExecStartPre=): it applies nothing when up to date.
#include <cstdlib>
#include <iostream>
#include <string>

#include "config/settings.h"
#include "server/database_options.h"
#include "store/migrator.h"

int main(int argc, char** argv) {
  using namespace switchboard;
  std::string schema_dir = "/usr/share/switchboard/schema";
  if (const char* from_env = std::getenv("SWITCHBOARD_SCHEMA_DIR")) schema_dir = from_env;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--schema-dir" && i + 1 < argc) {
      schema_dir = argv[++i];
    } else {
      std::cerr << "usage: switchboard-migrate [--schema-dir DIR]\n";
      return 2;
    }
  }
  try {
    const config::Database database = config::database_from_environment(config::process_environment());
    const auto applied =
        store::apply_migrations(server::connection_options(database), store::load_migrations(schema_dir));
    if (applied.empty()) std::cout << "switchboard-migrate: schema is up to date\n";
    for (const std::string& version : applied) std::cout << "switchboard-migrate: applied " << version << "\n";
    return 0;
  } catch (const config::ConfigError& error) {
    std::cerr << "switchboard-migrate: configuration error: " << error.what() << "\n";
    return 2;
  } catch (const store::MigrationError& error) {
    std::cerr << "switchboard-migrate: database error " << error.code() << ": " << error.what() << "\n";
  } catch (const std::exception& error) {
    std::cerr << "switchboard-migrate: " << error.what() << "\n";
  }
  return 1;
}
