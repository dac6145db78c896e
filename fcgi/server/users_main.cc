// switchboard-users: manages the feed's accounts from a shell on the host, with the database settings of the
// workers (SWITCHBOARD_DB_*). Passwords are read from standard input, never from the command line (which every
// user of the machine can see in ps): typed twice without echo on a terminal, else the first line of the input.
// Every change is written to the audit log as "cli:<unix user>". Exit status: 0 done, 1 refused (with the reason),
// 2 usage or configuration, 3 the database is unavailable.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "auth/accounts.h"
#include "config/settings.h"
#include "feed/call_json.h"
#include "server/cli.h"
#include "server/database_options.h"
#include "store/call_store.h"
#include "store/mysql_account_store.h"

namespace {

using namespace switchboard;

constexpr char kUsage[] =
    "usage: switchboard-users add NAME --role viewer|admin   (password on standard input)\n"
    "       switchboard-users passwd NAME                    (new password on standard input; ends its sessions)\n"
    "       switchboard-users remove NAME\n"
    "       switchboard-users list\n"
    "       switchboard-users token NAME                     (prints a new API token for NAME)\n"
    "       switchboard-users revoke-tokens NAME             (revokes every API token of NAME)\n";

std::string read_line_without_echo(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << "\n";
  return line;
}

// nullopt when a terminal's two entries differ.
std::optional<std::string> read_password() {
  if (::isatty(STDIN_FILENO)) {
    std::string first = read_line_without_echo("Password: ");
    std::string second = read_line_without_echo("Again: ");
    if (first != second) return std::nullopt;
    return first;
  }
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int refused(const auth::Refusal& refusal) {
  std::cerr << "switchboard-users: " << refusal.message << "\n";
  return 1;
}

int run(const std::vector<std::string>& args) {
  const std::string command = args.empty() ? "" : args[0];
  const bool one_name = args.size() == 2;
  if (!(command == "list" && args.size() == 1) &&
      !(command == "add" && args.size() == 4 && args[2] == "--role") &&
      !((command == "passwd" || command == "remove" || command == "token" || command == "revoke-tokens") &&
        one_name)) {
    std::cerr << kUsage;
    return 2;
  }
  const config::Database database = config::database_from_environment(config::process_environment());
  store::MysqlAccountStore store(server::connection_options(database));
  auth::Accounts accounts(store, auth::SessionPolicy{}, server::cli::now_ms);
  const auth::Actor actor{server::cli::actor_name(), "cli"};

  if (command == "list") {
    for (const store::User& user : accounts.users()) {
      std::cout << user.name << "\t" << user.role << "\tcreated " << feed::iso8601(user.created_at_ms)
                << "\tlast sign-in " << (user.last_login_at_ms ? feed::iso8601(*user.last_login_at_ms) : "never")
                << "\t" << user.api_tokens << " API token" << (user.api_tokens == 1 ? "" : "s") << "\n";
    }
    return 0;
  }
  const std::string& name = args[1];
  if (command == "add" || command == "passwd") {
    // The role and the name are checked before a password is asked for.
    if (command == "add" && !auth::valid_role(args[3])) return refused({auth::Refusal::Kind::kInvalid, "the role must be viewer or admin"});
    const std::optional<std::string> password = read_password();
    if (!password) return refused({auth::Refusal::Kind::kInvalid, "the two passwords differ"});
    const std::optional<auth::Refusal> refusal = command == "add" ? accounts.add_user(actor, name, args[3], *password)
                                                                  : accounts.change_password(actor, name, *password);
    if (refusal) return refused(*refusal);
    std::cerr << "switchboard-users: " << (command == "add" ? "added " + name + " (" + args[3] + ")"
                                                            : "password of " + name + " changed; its sessions ended")
              << "\n";
    return 0;
  }
  if (command == "remove") {
    if (const std::optional<auth::Refusal> refusal = accounts.remove_user(actor, name)) return refused(*refusal);
    std::cerr << "switchboard-users: removed " << name << " with its sessions and API tokens\n";
    return 0;
  }
  if (command == "token") {
    const auto issued = accounts.issue_token(actor, name);
    if (const auto* refusal = std::get_if<auth::Refusal>(&issued)) return refused(*refusal);
    std::cout << std::get<std::string>(issued) << "\n";
    return 0;
  }
  const auto revoked = accounts.revoke_tokens(actor, name);
  if (const auto* refusal = std::get_if<auth::Refusal>(&revoked)) return refused(*refusal);
  std::cerr << "switchboard-users: revoked " << std::get<int>(revoked) << " API token(s) of " << name << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return switchboard::server::cli::exit_status_of("switchboard-users", [&] {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  });
}
