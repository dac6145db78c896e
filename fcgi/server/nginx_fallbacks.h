// nginx's answers for when no worker answers, generated from the step table (ivr/routes.h) and the configuration,
// so nginx can never answer a step with another step's TwiML. Two files, rendered at start-up by the stack scripts
// (scripts/lib/stack.sh) and by switchboard-render-nginx in production:
//   - the map (http context): `$uri` → the named location of that step's fallback;
//   - the locations (server context): one named location per kind of fallback, answering its TwiML (or 204 for a
//     callback) and keeping the request — one JSON file per request in <state>/spool/nginx, format
//     `switchboard_kept` — for the workers to replay once they are back.
// The including configuration defines `$switchboard_signed` (1 when X-Twilio-Signature looks like one) and the
// `switchboard_kept` log format (nginx/local.conf.in, nginx/switchboard.conf.in).
#pragma once

#include <string>

#include "config/settings.h"
#include "routing/routing.h"

namespace switchboard::server {

// Where nginx keeps requests (<state>/spool/nginx), and the file whose presence tells nginx to stop keeping them
// (the workers create it when the kept requests reach their size cap, see server/kept_requests.h).
std::string kept_directory(const config::Settings& settings);
inline constexpr char kKeepingPausedFile[] = "keeping-paused";

std::string nginx_fallback_map();
// With the routing in force (its targets, ring time, screening, away): rendered again whenever it changes.
std::string nginx_fallback_locations(const config::Settings& settings, const routing::Routing& routing);

// `text` as an nginx single-quoted string: backslashes and quotes escaped; '$' (nginx would expand a variable)
// becomes the XML character reference &#36;, which means the same inside TwiML text and attributes.
std::string nginx_quoted(const std::string& text);

}  // namespace switchboard::server
