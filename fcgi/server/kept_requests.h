// Webhooks nginx kept while no worker answered (nginx/switchboard-locations.conf.in: @pool_down_twiml and
// @pool_down_callback write one JSON file each with the URI, signature and body). A worker turns each back into
// an http::Request and runs it through the normal routing — signature check included — so the event is logged
// exactly as if it had arrived on time, then deletes the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/request.h"

namespace switchboard::server {

// The kept files in `directory`, oldest first. With `only_settled`, just those nginx has surely finished writing
// (it creates the file, then writes the record): non-empty and at least a second old.
std::vector<std::string> kept_request_files(const std::string& directory, bool only_settled = true);

// The request recorded in one kept file's content; nullopt when it is not one.
std::optional<http::Request> decode_kept_request(const std::string& json);

}  // namespace switchboard::server
