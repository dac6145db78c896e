// What the host's commands (switchboard-users, switchboard-routing) share: who runs them, for the audit log
// ("cli:<unix user>", the sudo caller when there is one), the clock, and one mapping of failures to exit statuses:
// 2 a configuration error, 3 the database unavailable, 1 anything else refused or failed (each with the reason).
#pragma once

#include <pwd.h>
#include <unistd.h>

#include <cppconn/exception.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>

#include "config/settings.h"
#include "store/call_store.h"

namespace switchboard::server::cli {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "cli:alice" for `sudo …` run by alice, else the unix user running the command.
inline std::string actor_name() {
  if (const char* sudo_user = std::getenv("SUDO_USER")) return std::string("cli:") + sudo_user;
  if (const passwd* entry = ::getpwuid(::getuid())) return std::string("cli:") + entry->pw_name;
  return "cli:uid " + std::to_string(::getuid());
}

// `run`'s exit status, or the status of the failure it threw, said on stderr after "<program>: ".
inline int exit_status_of(const char* program, const std::function<int()>& run) {
  try {
    return run();
  } catch (const config::ConfigError& error) {
    std::cerr << program << ": configuration error: " << error.what() << "\n";
    return 2;
  } catch (const store::Unavailable& error) {
    std::cerr << program << ": the database is unavailable: " << error.what() << "\n";
    return 3;
  } catch (const sql::SQLException& error) {
    std::cerr << program << ": database error " << error.getErrorCode() << ": " << error.what() << "\n";
    return 3;
  } catch (const std::exception& error) {
    std::cerr << program << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace switchboard::server::cli
