// switchboard-admin: maintenance of the call log from a shell on the host (and from systemd/switchboard-purge.timer).
//
//   switchboard-admin purge [--dry-run]   applies the retention limits (SWITCHBOARD_RETAIN_*, see
//                                         fcgi/retention/purge.h): prints what went per kind, or with --dry-run what
//                                         would go, changing nothing
//
// It reads the workers' whole configuration (the Twilio account for deletions at Twilio, the state directory for
// the cached audio); in production its database user is the purge's own (SWITCHBOARD_PURGE_DB_USER), the only one
// allowed to DELETE calls. Exit status: 0 done, 1 something could not be deleted (each said on stderr; the rest was
// done), 2 usage or configuration, 3 the database is unavailable.
#include <curl/curl.h>

#include <iostream>
#include <string>
#include <vector>

#include "config/settings.h"
#include "retention/purge.h"
#include "server/cli.h"
#include "server/database_options.h"
#include "store/retention_store.h"
#include "twilio/recording_fetcher.h"
#include "twilio/recording_remover.h"

namespace {

using namespace switchboard;

constexpr char kUsage[] = "usage: switchboard-admin purge [--dry-run]\n";

int purge(bool dry_run) {
  const config::Settings settings = config::Settings::from_environment(config::process_environment());
  store::MysqlRetentionStore store(server::connection_options(settings.database));
  const twilio::RecordingFetcher cache(settings.twilio_api_base, settings.account_sid, settings.auth_token,
                                       settings.recordings_dir());
  const twilio::RecordingRemover remover(settings.twilio_api_base, settings.account_sid, settings.auth_token);
  retention::Purge purge(store, settings.retention, cache, retention::TwilioRecordings::of(remover),
                         [](const std::string& line) { std::cerr << "switchboard-admin: " << line << "\n"; });
  const retention::Report report = purge.run(server::cli::now_ms(), dry_run);
  std::cout << retention::describe(report, settings.retention) << std::flush;
  return report.failures > 0 ? 1 : 0;
}

int run(const std::vector<std::string>& args) {
  const bool valid = !args.empty() && args[0] == "purge" &&
                     (args.size() == 1 || (args.size() == 2 && args[1] == "--dry-run"));
  if (!valid) {
    std::cerr << kUsage;
    return 2;
  }
  return purge(args.size() == 2);
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int status = switchboard::server::cli::exit_status_of("switchboard-admin", [&] {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  });
  curl_global_cleanup();
  return status;
}
