// The settings → MySQL options mapping (see the header).
#include "server/database_options.h"

#include "store/notification_queue.h"

namespace switchboard::server {

store::ConnectionOptions connection_options(const config::Database& database) {
  store::ConnectionOptions options;
  options.socket = database.socket;
  for (const config::DatabaseEndpoint& endpoint : database.endpoints) {
    options.endpoints.push_back(store::Endpoint{endpoint.host, endpoint.port});
  }
  options.user = database.user;
  options.password = database.password;
  options.schema = database.name;
  options.connect_timeout_s = database.connect_timeout_s;
  options.read_timeout_s = database.read_timeout_s;
  options.write_timeout_s = database.write_timeout_s;
  return options;
}

store::NotificationPolicy notification_policy(const config::Settings& settings) {
  store::NotificationPolicy policy;
  if (!settings.notifications.sms_to.empty()) policy.channels.emplace_back(store::kChannelSms);
  if (!settings.notifications.webhook_url.empty()) policy.channels.emplace_back(store::kChannelWebhook);
  policy.transcription_wait_s = settings.ivr.transcribe ? settings.notifications.transcription_wait_s : 0;
  return policy;
}

}  // namespace switchboard::server
