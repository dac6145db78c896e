// The worker's application: settings + the stores (through their interfaces) → spool, kept requests, handlers and
// the routing table. main() (worker_main.cc) constructs the MySQL stores and hands them in; the unit tests hand in
// in-memory fakes, so the real routing table runs without a database. To add a route, add it to
// add_webhook_routes() or add_feed_routes(); to add a store, add it to Stores and construct its MySQL type in main().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

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
#include "store/account_store.h"
#include "store/call_store.h"
#include "store/routing_store.h"
#include "store/spool.h"
#include "webhooks/event_log.h"
#include "webhooks/webhooks.h"

namespace switchboard::server {

// App::Pool: which requests a worker serves. Twilio's webhooks and the office's feed run in separate pools on separate
// FastCGI sockets (nginx routes /twilio/ to one, /api/ to the other), so a slow voicemail fetch, a big export or a
// rush of feed requests can never hold up a caller. Each pool answers only its own routes: a request that reaches
// the wrong pool is a 404, not served by accident.
class App {
 public:
  enum class Pool { kWebhooks, kFeed };

  // The databases behind the app, each through its interface. They must outlive the App.
  struct Stores {
    store::CallStore& calls;
    store::RoutingStore& routing;
    store::AccountStore& accounts;
    // Whether the database answers now, for /healthz and /readyz; must not throw.
    std::function<bool()> database_reachable;
  };
  // Now, for every time the app takes: an event's time, a session's, a kept request's.
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  App(config::Settings settings, Pool pool, Stores stores, Clock clock);

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
  std::int64_t now_ms() const;

  config::Settings settings_;
  Pool pool_;
  Stores stores_;
  Clock clock_;
  Metrics metrics_;
  store::Spool spool_;
  KeptRequests kept_;
  std::chrono::steady_clock::time_point last_cap_check_{};
  std::chrono::steady_clock::time_point next_routing_sync_{};
  routing::Snapshot routing_;
  routing::Changes routing_changes_;
  webhooks::EventLog events_;
  webhooks::Webhooks webhooks_;
  feed::CallsApi calls_api_;
  twilio::RecordingFetcher recordings_;
  auth::Accounts accounts_;
  feed::AccountApi account_api_;
  feed::VoicemailApi voicemail_api_;
  feed::RoutingApi routing_api_;
  Router router_;
};

}  // namespace switchboard::server
