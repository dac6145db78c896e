// Wiring: settings → store, spool, handlers, routing table. Kept apart from main() so the integration of all parts
// is one readable function, and so the routing table is in one place.
#pragma once

#include <memory>

#include "config/settings.h"
#include "feed/calls_api.h"
#include "feed/voicemail_api.h"
#include "server/metrics.h"
#include "server/router.h"
#include "store/mysql_call_store.h"
#include "store/spool.h"
#include "webhooks/event_log.h"
#include "webhooks/webhooks.h"

namespace switchboard::server {

store::ConnectionOptions connection_options(const config::Database& database);
store::NotificationPolicy notification_policy(const config::Settings& settings);

class App {
 public:
  explicit App(config::Settings settings);

  // Answers one request and logs one line for it; never throws. A failure inside a voice webhook still answers
  // TwiML (the safety net).
  http::Response handle(const http::Request& request) noexcept;

  // Replays spooled events into the database, and the webhooks nginx kept while the pool was down, when there are
  // any; cheap when there are none.
  void replay_spool() noexcept;
  bool spool_pending() const;

 private:
  http::Response route(const http::Request& request) noexcept;
  http::Response health();

  config::Settings settings_;
  Metrics metrics_;
  store::MysqlCallStore store_;
  store::Spool spool_;
  std::string kept_dir_;
  webhooks::EventLog events_;
  webhooks::Webhooks webhooks_;
  feed::CallsApi calls_api_;
  twilio::RecordingFetcher recordings_;
  feed::VoicemailApi voicemail_api_;
  Router router_;
};

}  // namespace switchboard::server
