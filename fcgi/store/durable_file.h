// Writing files that must survive a crash: the spool's events and dead letters, and the requests kept while no
// worker answered (server/kept_requests.h). One place for the fsync, rename and errno rules, so each kind of file
// is made durable the same way. To add a durable file kind, use these; never a bare write().
#pragma once

#include <stdexcept>
#include <string>

namespace switchboard::store {

// The filesystem is full (ENOSPC, EDQUOT): the one failure the spool's reserve exists for.
class DiskFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "what: strerror(errno)" as an exception: DiskFull when the disk is full, std::runtime_error otherwise.
[[noreturn]] void throw_io_error(const std::string& what);

// Writes all of `data` to `fd` (retrying short writes and EINTR); throws as throw_io_error.
void write_all(int fd, const std::string& data);

// fsyncs a directory, so the names created in it survive a crash.
void fsync_directory(const std::string& path);

// Writes `data` as `path` whole or not at all: a temporary file in `directory` (path's own directory, named
// ".tmp-…" so no reader takes it for a record), fsync'd, renamed over `path`, and the directory fsync'd.
void replace_durably(const std::string& directory, const std::string& path, const std::string& data);

}  // namespace switchboard::store
