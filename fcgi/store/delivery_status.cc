// The order of Twilio's message statuses.
#include "store/delivery_status.h"

namespace switchboard::store {

int delivery_rank(const std::string& status) {
  if (status == "accepted" || status == "scheduled" || status == "queued") return 1;
  if (status == "sending") return 2;
  if (status == "sent") return 3;
  if (is_final_delivery(status)) return 4;
  return 0;
}

bool is_final_delivery(const std::string& status) {
  return status == "delivered" || status == "undelivered" || status == "failed" || status == "read" ||
         status == "canceled" || status == "partially_delivered";
}

bool delivery_advances(const std::optional<std::string>& current, const std::string& incoming) {
  const int rank = delivery_rank(incoming);
  if (rank == 0) return false;
  if (!current) return true;
  return rank > delivery_rank(*current);
}

bool delivery_failed(const std::string& status) { return status == "undelivered" || status == "failed"; }

}  // namespace switchboard::store
