// switchboard-routing: the routing document from a shell on the host, through the same path as PUT /api/routing
// (routing/changes.h): validated whole, saved in MariaDB with who and when, then written to this host's snapshot file
// that the workers route from. It reads the workers' whole configuration (the environment's routing is version 0,
// in force until a first change is saved). Changes are audited as "cli:<unix user>".
//
//   switchboard-routing show                 the version in force, as JSON (the document under "routing")
//   switchboard-routing set FILE|-           replaces the document with FILE's (or standard input's)
//   switchboard-routing history [N]          the last N versions (default 10), newest first
//   switchboard-routing away on|off          switches away on or off, nothing else changed
// Exit status: 0 done, 1 refused (the field at fault is named), 2 usage or configuration, 3 the database is
// unavailable.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "auth/accounts.h"
#include "config/settings.h"
#include "feed/routing_api.h"
#include "routing/changes.h"
#include "routing/snapshot.h"
#include "server/cli.h"
#include "server/database_options.h"
#include "store/call_store.h"
#include "store/mysql_account_store.h"
#include "store/routing_store.h"

namespace {

using namespace switchboard;

constexpr char kUsage[] =
    "usage: switchboard-routing show\n"
    "       switchboard-routing set FILE|-        (the whole routing document as JSON; - reads standard input)\n"
    "       switchboard-routing history [N]\n"
    "       switchboard-routing away on|off\n";

// The version as the API shows it (GET /api/routing).
void print_version(const routing::Version& version) { std::cout << feed::version_json(version) << "\n"; }

std::string read_all(const std::string& source) {
  std::stringstream text;
  if (source == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream file(source);
    if (!file) throw std::runtime_error("cannot read " + source);
    text << file.rdbuf();
  }
  return text.str();
}

int run(const std::vector<std::string>& args) {
  const std::string command = args.empty() ? "" : args[0];
  const bool valid = (command == "show" && args.size() == 1) || (command == "set" && args.size() == 2) ||
                     (command == "history" && args.size() <= 2) ||
                     (command == "away" && args.size() == 2 && (args[1] == "on" || args[1] == "off"));
  if (!valid) {
    std::cerr << kUsage;
    return 2;
  }
  int limit = 10;
  if (command == "history" && args.size() == 2) {
    const std::string& text = args[1];
    if (text.empty() || text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(text) < 1 || std::stoi(text) > 100) {
      std::cerr << "switchboard-routing: N must be 1-100\n" << kUsage;
      return 2;
    }
    limit = std::stoi(text);
  }
  const config::Settings settings = config::Settings::from_environment(config::process_environment());
  store::MysqlRoutingStore store(server::connection_options(settings.database));
  routing::Changes changes(store, routing::snapshot_path(settings), routing::initial_routing(settings),
                           server::cli::now_ms);
  const std::string who = server::cli::actor_name();

  if (command == "show") {
    print_version(changes.current());
    return 0;
  }
  if (command == "history") {
    for (const routing::Version& version : changes.history(std::nullopt, limit)) print_version(version);
    return 0;
  }
  std::string document;
  std::optional<std::int64_t> expected;
  if (command == "set") {
    document = read_all(args[1]);
  } else {
    // Away alone, from the version in force, saved only if nobody changed it meanwhile.
    const routing::Version current = changes.current();
    routing::Routing edited = current.routing;
    edited.away.enabled = args[1] == "on";
    document = routing::to_json(edited);
    expected = current.number;
  }
  const routing::Changes::Outcome outcome = changes.save(document, who, expected);
  if (outcome.kind == routing::Changes::Outcome::Kind::kInvalid) {
    std::cerr << "switchboard-routing: refused: " << outcome.invalid->message() << "\n";
    return 1;
  }
  if (outcome.kind == routing::Changes::Outcome::Kind::kStale) {
    std::cerr << "switchboard-routing: refused: the routing changed meanwhile (now version " << outcome.version.number
              << "); try again\n";
    return 1;
  }
  // The same audit log as the page's changes.
  store::MysqlAccountStore account_store(server::connection_options(settings.database));
  auth::Accounts accounts(account_store, auth::SessionPolicy{}, server::cli::now_ms);
  accounts.audit(auth::Actor{who, "cli"}, "routing_changed", std::to_string(outcome.version.number));
  std::cerr << "switchboard-routing: saved version " << outcome.version.number << "\n";
  print_version(outcome.version);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return switchboard::server::cli::exit_status_of("switchboard-routing", [&] {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  });
}
