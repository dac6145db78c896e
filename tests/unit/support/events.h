// An event as a webhook handler builds it, for tests that fold or classify events by hand.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "store/call_record.h"

namespace switchboard::test {

inline store::Event make_event(std::string call_sid, std::string kind, std::string url_query, store::Params params,
                               std::int64_t received_at_ms) {
  store::Event event;
  event.call_sid = std::move(call_sid);
  event.kind = std::move(kind);
  event.url_query = std::move(url_query);
  event.params = std::move(params);
  event.received_at_ms = received_at_ms;
  return event;
}

}  // namespace switchboard::test
