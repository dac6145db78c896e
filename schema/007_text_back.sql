-- The text back (notify/text_back.h): one SMS to a caller whose call was missed or went to voicemail, at most one
-- per caller and day. Its notification row carries a once key, "<caller>:<YYYY-MM-DD>" (the UTC date the call
-- started), and the unique key (channel, once_key) lets the database decide "already texted today" when the row is
-- queued: the second insert of the same key is absorbed, on one server or across Galera nodes (a unique key is
-- certified cluster-wide, where a lock is node-local), whatever order the calls' events arrive in. Rows of the other
-- channels leave it NULL, which a unique key never counts as a repeat; (call_sid, channel) of 002 still makes it
-- one per call.
--
-- Adds a column and an index to notifications only, a small table: no rewrite of calls.

ALTER TABLE notifications
  ADD COLUMN once_key VARCHAR(96) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER channel,
  ADD UNIQUE KEY notifications_once_a_day (channel, once_key);
