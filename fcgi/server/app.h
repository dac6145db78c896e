// Wiring: settings → store, spool, handlers, routing table. Kept apart from main() so the integration of all parts
// is one readable function, and so the routing table is in one place.
#pragma once

#include <chrono>
#include <memory>

#include "auth/accounts.h"
#include "config/settings.h"
#include "feed/account_api.h"
#include "feed/calls_api.h"
#include "feed/routing_api.h"
#include "feed/voicemail_api.h"
#include "routing/changes.h"
#include "routing/snapshot.h"
#include "server/kept_requests.h"
#include "server/metrics.h"
#include "server/router.h"
#include "store/mysql_account_store.h"
#include "store/mysql_call_store.h"
#include "store/routing_store.h"
#include "store/spool.h"
#include "webhooks/event_log.h"
#include "webhooks/webhooks.h"

namespace switchboard::server {

store::ConnectionOptions connection_options(const config::Database& database);
store::NotificationPolicy notification_policy(const config::Settings& settings);

// App::Pool: which requests a worker serves. Twilio's webhooks and the office's feed run in separate pools on separate
// FastCGI sockets (nginx routes /twilio/ to one, /api/ to the other), so a slow voicemail fetch, a big export or a
// rush of feed requests can never hold up a caller. Each pool answers only its own routes: a request that reaches
// the wrong pool is a 404, not served by accident.
class App {
 public:
  enum class Pool { kWebhooks, kFeed };

  App(config::Settings settings, Pool pool = Pool::kWebhooks);

  // Answers one request and logs one line for it; never throws. A webhook whose handling failed still answers
  // its step's fallback TwiML, and the request is kept for replay (the safety net).
  // By value: the feed pool fills in who the request is before routing it.
  http::Response handle(http::Request request) noexcept;

  // What replay_pending() achieved: nothing left; something left that cannot go on yet (the database is down,
  // nginx is still writing a file); or a full batch done and more waiting (call again soon).
  enum class Progress { kIdle, kWaiting, kMore };
  // Replays one bounded batch of kept requests (so a backlog never keeps a worker from live calls for long) and
  // the spooled events; cheap when there are none.
  Progress replay_pending() noexcept;
  bool spool_pending() const;

  Pool pool() const { return pool_; }

  static constexpr int kKeptReplayBatch = 16;
  // Disk held back for the event spool (store::Spool::keep_reserve): some 20,000 events.
  static constexpr std::uint64_t kSpoolReserveBytes = 32ULL << 20;

 private:
  void add_webhook_routes();
  void add_feed_routes();
  http::Response route(const http::Request& request, bool replaying) noexcept;
  Progress replay_kept(int limit) noexcept;
  Backlog backlog();
  void sync_routing() noexcept;
  http::Response health();
  http::Response readiness();

  config::Settings settings_;
  Pool pool_;
  Metrics metrics_;
  store::MysqlCallStore store_;
  store::Spool spool_;
  KeptRequests kept_;
  std::chrono::steady_clock::time_point last_cap_check_{};
  std::chrono::steady_clock::time_point next_routing_sync_{};
  routing::Snapshot routing_;
  store::MysqlRoutingStore routing_store_;
  routing::Changes routing_changes_;
  webhooks::EventLog events_;
  webhooks::Webhooks webhooks_;
  feed::CallsApi calls_api_;
  twilio::RecordingFetcher recordings_;
  store::MysqlAccountStore account_store_;
  auth::Accounts accounts_;
  feed::AccountApi account_api_;
  feed::VoicemailApi voicemail_api_;
  feed::RoutingApi routing_api_;
  Router router_;
};

}  // namespace switchboard::server
