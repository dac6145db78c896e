// The local spool: events that could not reach the database, appended one JSON line each and fsync'd before the
// webhook is answered, then replayed in order once the database answers again. Several workers append to the same
// file under an exclusive flock; one worker at a time replays (a second flock), first moving the file aside so
// appends continue into a fresh one. Replay is idempotent because the event log's dedup key makes a second insert
// of the same event a no-op, so a crash half-way through a replay only means the batch is replayed again.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/call_record.h"

namespace switchboard::store {

std::string encode_spool_line(const Event& event);       // one JSON line, no newline
std::optional<Event> decode_spool_line(const std::string& line);

struct ReplayResult {
  int replayed = 0;   // events handed to `apply` successfully
  int unreadable = 0; // lines that were not valid spool records (a torn write); kept in a .bad file
  bool finished = true;  // false when `apply` threw and the rest was kept for later
};

class Spool {
 public:
  explicit Spool(std::string directory);

  // Appends and fsyncs; throws std::runtime_error when the event could not be made durable.
  void append(const Event& event);

  // True when there may be something to replay (cheap: a stat or two).
  bool pending() const;
  // Bytes waiting to be replayed (the spool's depth, for health checks and metrics).
  std::uint64_t pending_bytes() const;

  // Hands every spooled event, oldest first, to `apply`. When `apply` throws (the database went away again), the
  // batch file it was reading stays, and the next replay starts that batch from its first line again (the events
  // already applied are duplicates by then, which the store ignores). Returns at once if another process replays.
  ReplayResult replay(const std::function<void(const Event&)>& apply);

 private:
  std::string directory_;
};

}  // namespace switchboard::store
