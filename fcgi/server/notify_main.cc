// switchboard-notify: the host's background work with Twilio. Delivers voicemail notifications (SMS through Twilio,
// signed webhook) from the queue the workers fill, with retries and backoff; fetches every voicemail's audio into
// the cache the feed plays from (settings.recordings_dir()) as soon as the recording completes; and reconciles calls
// whose final callbacks never came with Twilio's REST API (reconcile/reconciler.h). One per host is enough; several
// are safe (notification claims are leased and fenced: see store/notification_queue.h; the reconciler runs on the
// one host holding its lease). Same configuration as the workers; SIGTERM/SIGINT stop it once the notification in
// hand is settled.
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include <unistd.h>

#include <curl/curl.h>

#include "config/settings.h"
#include "notify/notifier.h"
#include "reconcile/reconciler.h"
#include "server/database_options.h"
#include "store/mysql_call_store.h"
#include "store/notification_queue.h"
#include "store/reconcile_store.h"

namespace {
volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }
}  // namespace

int main() {
  using namespace switchboard;
  config::Settings settings;
  try {
    settings = config::Settings::from_environment(config::process_environment());
  } catch (const config::ConfigError& error) {
    std::cerr << "switchboard-notify: configuration error: " << error.what() << "\n";
    return 2;
  }
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  const store::ConnectionOptions options = server::connection_options(settings.database);
  store::MysqlCallStore calls(options, server::notification_policy(settings));
  store::MysqlNotificationQueue queue(options);
  notify::CurlDelivery delivery(settings);
  const notify::Clock clock = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  notify::Notifier notifier(settings, calls, queue, delivery, clock);
  store::MysqlReconcileStore reconcile_store(options);
  reconcile::RestLookups lookups(settings);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  reconcile::Reconciler reconciler(settings, reconcile_store, calls, lookups, clock,
                                   std::string(host) + ":" + std::to_string(getpid()));
  if (!settings.notifications.enabled()) {
    // Still needed: every voicemail's audio is fetched from here (store::kChannelAudio).
    std::cerr << "switchboard-notify: no SMS or webhook configured; fetching voicemail audio, sending the routing's "
                 "text-backs (and delivering notifications queued before) only\n";
  }
  while (!stop_requested) {
    bool attempted = false;
    try {
      attempted = notifier.run_once();
    } catch (const std::exception& error) {
      std::cerr << "switchboard-notify: " << error.what() << "\n";
    }
    if (reconciler.run_once() > 0) attempted = true;
    if (!attempted) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  curl_global_cleanup();
  return 0;
}
