// The local spool: events that could not reach the database, appended one JSON line each and fsync'd before the
// webhook is answered, then replayed in order once the database answers again. Several workers append to the same
// file under an exclusive flock; one worker at a time replays (a second flock), first moving the file aside so
// appends continue into a fresh one. Replay is idempotent because the event log's dedup key makes a second insert
// of the same event a no-op, so a crash half-way through a replay only means the batch is replayed again.
// An event the database refuses (rather than cannot take) goes to the dead-letter beside the spool, with the
// error, so one poison event never holds back the ones after it; nothing is deleted before it is stored or kept.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/call_record.h"
#include "store/rejection.h"

namespace switchboard::store {

std::string encode_spool_line(const Event& event);       // one JSON line, no newline
std::optional<Event> decode_spool_line(const std::string& line);
// A spool line with one more member, "rejection": {"code", "sql_state", "message", "at_ms"}. decode_spool_line
// reads it as the plain event, so a dead-letter file moved back into the spool replays like any batch.
std::string encode_dead_letter_line(const Event& event, const Rejection& why, std::int64_t at_ms);

struct ReplayResult {
  int replayed = 0;       // spooled events handed to `apply` successfully
  int unreadable = 0;     // lines that were not valid spool records (a torn write); kept in a .bad file
  int dead_lettered = 0;  // events (and markers) `apply` refused, now in the dead-letter
  // "<file>: <why>" for each batch file kept unfinished for the next replay (cannot be opened or read, or a refused
  // event in it could not be dead-lettered).
  std::vector<std::string> kept_batches;
  bool finished = true;  // false when the replay stopped early (the database went away again); the rest is kept
};

class Spool {
 public:
  explicit Spool(std::string directory);

  // Appends and fsyncs; throws std::runtime_error when the event could not be made durable. When the disk is full,
  // the reserve is released and the event written into the space it held.
  void append(const Event& event);

  // The reserve: `bytes` of disk allocated to <dir>/reserve while there is room, handed back to the filesystem
  // the moment an append finds the disk full. Whatever else fills the disk (requests nginx keeps during a long
  // pool outage, logs), the events of the next hours still find room. keep_reserve() (re)creates it when missing
  // and there is room again; false when it could not.
  bool keep_reserve(std::uint64_t bytes);
  bool release_reserve();
  bool has_reserve() const;

  // True when there may be something to replay (cheap: a stat or two).
  bool pending() const;
  // Bytes waiting to be replayed (the spool's depth, for health checks and metrics).
  std::uint64_t pending_bytes() const;

  // Hands every spooled event, oldest first, to `apply`, and settles each by what `apply` does:
  //  - returns: stored (or a duplicate), next event;
  //  - throws Unavailable (the database went away again): the replay stops; the batch file it was reading stays,
  //    and the next replay starts that batch from its first line again (the events already applied are duplicates
  //    by then, which the store ignores);
  //  - throws anything else (Rejected: the database refused this one event; or an error of ours): the event goes
  //    to the dead-letter with the error, its rejection marker (rejection.h) is handed to `apply` so the refusal
  //    shows in the call's timeline, and the next event follows. A marker refused in turn is dead-lettered too,
  //    without a marker of its own.
  // A batch file that cannot be opened or read is kept for the next replay (named in kept_batches) and the other
  // batches go on. Returns at once if another process replays.
  ReplayResult replay(const std::function<void(const Event&)>& apply);

  // Keeps `event`, refused for `why`, as <dir>/dead-letter/<dedup key>.json (one dead-letter line), fsync'd. The
  // same event refused again replaces its file, so an event is counted once however often it is refused. Throws
  // std::runtime_error when the event could not be made durable.
  void dead_letter(const Event& event, const Rejection& why);
  // Events in the dead-letter and their size on disk, for health checks and metrics (one directory scan).
  std::uint64_t dead_letter_count() const;
  std::uint64_t dead_letter_bytes() const;
  std::string dead_letter_directory() const;

 private:
  void append_line(const std::string& line);

  std::string directory_;
};

}  // namespace switchboard::store
